// The same isolation as bubblewrap, built from util-linux alone: `unshare` makes the namespaces and
// a generated /bin/sh script does the mount work bwrap would do, then chroots, drops every
// capability (setpriv) and runs the command. For machines without bwrap.
//
// Inside the new PID namespace the setup shell is PID 1 and stays there as the command's parent:
// a command that were PID 1 itself would ignore Ctrl-C (the kernel shields a namespace's init).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { stateDir } from '../store/paths.ts';
import type { SandboxPlan } from '../sandbox/types.ts';
import { realFs } from '../sandbox/plan.ts';
import type { Availability, Invocation, RunResult, Runtime } from './types.ts';
import { cgroupCleanup } from './limits.ts';
import { bridgeScript, commandArgv, proxyEnv, signalPrefix, signalSuffix, wrapperArgv, PROXY_DIR_INSIDE, type BwrapOptions } from './bwrap.ts';
import { hostMountPoints, hostOptions } from './host.ts';
import { perlSeccompArgv, SECCOMP_FD } from './seccomp.ts';
import { basename, dirname, join } from 'node:path';

export interface NamespaceOptions extends BwrapOptions {
  /** Host directory the setup mounts its scratch tmpfs on (inside the private namespace only). */
  scratch?: string;
  /** Running as root: no user namespace needed (and none wanted: it would map nothing useful). */
  root?: boolean;
  /** Every host mount point (not folded), for making an rbind of / read-only as a normal user. */
  mountPoints?: string[];
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const under = (p: string, dir: string) => p === dir || p.startsWith(dir + '/');
const PSEUDO = ['/proc', '/dev', '/sys'];

/** The setup script (pure). `$R` is the new root; every step fails closed with status 125. */
export function namespaceScript(plan: SandboxPlan, opts: NamespaceOptions): string {
  const fs = opts.fs ?? realFs;
  const real = (p: string) => (fs.real ? fs.real(p) : p);
  const D = sq(opts.scratch ?? '/tmp');
  const L: string[] = [];
  const step = (cmd: string, what: string) => L.push(`${cmd} || die ${sq(what)}`);
  L.push(`die() { echo "vg: sandbox could not start: $1 — run vg doctor" >&3; exit 125; }`);
  L.push(`exec 3>&2 2>/dev/null`); // mount's chatter stays out of the terminal; restored before the command
  step(`mount -t tmpfs -o mode=0755 vg-ns ${D} && mkdir ${D}/r`, 'cannot mount the scratch tmpfs');
  L.push(`R=${D}/r`);
  if (plan.rootfs === 'overlay' && opts.overlay) {
    step(`mkdir ${D}/u ${D}/w && mount -t overlay vg-overlay -o lowerdir=/,upperdir=${D}/u,workdir=${D}/w "$R"`, 'cannot mount the overlay root');
  } else if (opts.root) {
    step(`mount --bind / "$R" && mount -o remount,bind,ro "$R"`, 'cannot make the root read-only');
  } else {
    // In a user namespace a non-recursive bind of / is refused (it would uncover what the locked
    // submounts hide), so bind everything and make each mount read-only; pseudo filesystems and
    // /tmp are replaced below anyway.
    step(`mount --rbind / "$R" && mount -o remount,bind,ro "$R"`, 'cannot make the root read-only');
    for (const m of opts.mountPoints ?? []) {
      if (m === '/' || PSEUDO.some((p) => under(m, p)) || under(m, '/tmp') || (opts.scratch && under(m, opts.scratch))) continue;
      step(`{ [ ! -d "$R"${sq(m)} ] || mount -o remount,bind,ro "$R"${sq(m)}; }`, `cannot make ${m} read-only`);
    }
  }
  // The root filesystem alone: other host filesystems come back read-only, pseudo ones are made fresh.
  for (const m of opts.root || opts.overlay ? (opts.submounts ?? []) : []) {
    if (m === '/' || PSEUDO.some((p) => under(m, p)) || under(m, '/tmp') || (opts.scratch && under(m, opts.scratch))) continue;
    L.push(`{ [ -d ${sq(m)} ] && mount --rbind ${sq(m)} "$R"${sq(m)} && mount -o remount,bind,ro "$R"${sq(m)}; } || true`);
  }
  step(`mount -t proc -o nosuid,nodev,noexec proc "$R/proc"`, 'cannot mount /proc');
  step(`mount --rbind /sys "$R/sys" && mount -o remount,bind,ro "$R/sys"`, 'cannot mount /sys');
  // A minimal /dev: host device nodes stay out (uid 0 without capabilities could still open /dev/sda).
  step(
    `mount -t tmpfs -o mode=0755,nosuid vg-dev "$R/dev" && for d in null zero full random urandom tty; do touch "$R/dev/$d" && mount --bind "/dev/$d" "$R/dev/$d" || exit 1; done && ` +
      `mkdir "$R/dev/pts" "$R/dev/shm" && mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 vg-pts "$R/dev/pts" && ln -s pts/ptmx "$R/dev/ptmx" && ` +
      `mount -t tmpfs -o mode=1777,nosuid,nodev vg-shm "$R/dev/shm" && ln -s /proc/self/fd "$R/dev/fd" && ln -s /proc/self/fd/0 "$R/dev/stdin" && ln -s /proc/self/fd/1 "$R/dev/stdout" && ln -s /proc/self/fd/2 "$R/dev/stderr"`,
    'cannot build /dev',
  );
  step(`mount -t tmpfs -o mode=1777,nosuid,nodev vg-tmp "$R/tmp"`, 'cannot mount /tmp');
  if (fs.kind('/var/tmp') === 'dir') step(`mount -t tmpfs -o mode=1777,nosuid,nodev vg-vartmp "$R/var/tmp"`, 'cannot mount /var/tmp');
  const seen = new Set<string>();
  for (const h0 of plan.hidden) {
    const h = real(h0);
    if (seen.has(h) || under(h, '/tmp') || under(h, '/var/tmp')) continue;
    seen.add(h);
    const k = fs.kind(h);
    if (k === 'dir') step(`mount -t tmpfs -o size=1m,mode=0700 vg-hide "$R"${sq(h)}`, `cannot hide ${h}`);
    else if (k === 'file') step(`mount --bind ${sq(opts.emptyFile ?? '/dev/null')} "$R"${sq(h)}`, `cannot hide ${h}`);
  }
  const bind = (src: string, dst: string, ro: boolean, isDir: boolean) => {
    const t = `"$R"${sq(dst)}`;
    const mk = isDir ? `{ [ -e ${t} ] || mkdir -p ${t}; }` : `{ [ -e ${t} ] || { mkdir -p "$(dirname ${t})" && touch ${t}; }; }`;
    step(`${mk} && mount --bind ${sq(src)} ${t}${ro ? ` && mount -o remount,bind,ro ${t}` : ''}`, `cannot mount ${src}`);
  };
  for (const m of plan.mounts) if (m.kind !== 'protect') bind(m.source, real(m.target), m.mode === 'ro', fs.kind(m.source) !== 'file');
  for (const m of plan.mounts) if (m.kind === 'protect') bind(m.source, real(m.target), true, fs.kind(m.source) !== 'file');
  if (plan.network === 'restricted' && opts.proxySocket) {
    bind(dirname(opts.proxySocket), PROXY_DIR_INSIDE, false, true);
    // A fresh network namespace has loopback down; socat binds 127.0.0.1.
    step(`ip link set lo up`, 'cannot bring up loopback (needs iproute2)');
  }
  L.push(`exec 2>&3 3>&-`);
  // Foreground child, not exec: this shell stays PID 1 (see top of file) and passes the status on.
  // The timeout runs inside: unshare's outer process ignores TERM, so a timeout outside could only
  // KILL it (status 137). Here PID 1 exits 124 and the namespace goes with it.
  const tmo = plan.timeout > 0 ? `timeout --foreground -k 2 ${plan.timeout} ` : '';
  L.push(`${tmo}unshare --root="$R" --wd=${sq(plan.cwd)} setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "$@"`);
  L.push(`exit $?`);
  return L.join('\n');
}

export function namespaceArgv(plan: SandboxPlan, opts: NamespaceOptions = {}): Invocation {
  const env: Record<string, string> = { ...plan.env };
  let cmd = commandArgv(plan);
  let needsProxy: Invocation['needsProxy'];
  if (plan.network === 'restricted' && opts.proxySocket) {
    Object.assign(env, proxyEnv());
    cmd = ['/bin/sh', '-c', bridgeScript(join(PROXY_DIR_INSIDE, basename(opts.proxySocket))), 'vg-net', ...cmd];
    needsProxy = { socketPath: opts.proxySocket, allowedDomains: plan.allowedDomains };
  }
  const ns = ['unshare'];
  if (!opts.root) ns.push('--user', '--map-root-user');
  ns.push('--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--ipc', '--uts', '--cgroup');
  if (plan.network !== 'full') ns.push('--net');
  // Limits (cgroup join / prlimit) wrap the outside; the overlay is done by the setup script itself.
  const outer = wrapperArgv(plan, { ...opts, overlay: null, perl: undefined });
  // Interactive: the TIOCSTI filter, loaded by perl from the fd (no bwrap --seccomp here).
  const files: { fd: number; path: string }[] = [];
  const perl = plan.interactive && opts.seccompPath ? perlSeccompArgv(SECCOMP_FD) : null;
  if (perl) files.push({ fd: SECCOMP_FD, path: opts.seccompPath! });
  const argv = [...signalPrefix(plan), ...outer, ...ns, '/bin/sh', '-c', namespaceScript(plan, opts), 'vg-ns', ...(perl ?? []), ...signalSuffix(plan), ...cmd];
  const cleanup = cgroupCleanup(opts.limits ?? { kind: 'none' });
  return { argv, env, ...(files.length ? { files } : {}), ...(needsProxy ? { needsProxy } : {}), ...(cleanup.length ? { cleanup } : {}) };
}

function nsOptions(plan: SandboxPlan, o: Partial<BwrapOptions> = {}): NamespaceOptions {
  const base = hostOptions(plan, o);
  const root = process.getuid?.() === 0;
  // The overlay probe already made its directory; a read-only root needs one of its own.
  let scratch = base.overlay?.dir;
  if (!scratch) {
    scratch = join(stateDir(), 'ns');
    mkdirSync(scratch, { recursive: true, mode: 0o700 });
  }
  return { ...base, root, scratch, ...(root ? {} : { mountPoints: hostMountPoints() }) };
}

export function unshareUsable(): Availability {
  const root = process.getuid?.() === 0;
  const r = spawnSync('unshare', [...(root ? [] : ['--user', '--map-root-user']), '--mount', '--pid', '--fork', '--net', 'true'], { encoding: 'utf8', timeout: 5000 });
  if (r.error) return { ok: false, reason: 'unshare is not installed — apt-get install util-linux' };
  if (r.status !== 0) return { ok: false, reason: `unshare cannot create namespaces here (${(r.stderr || '').trim().split('\n')[0]}) — enable user namespaces (sysctl kernel.unprivileged_userns_clone=1)` };
  const v = spawnSync('unshare', ['--version'], { encoding: 'utf8' }).stdout?.trim().split(' ').pop();
  return { ok: true, ...(v ? { version: v } : {}) };
}

export const namespaceRuntime: Runtime & { invocationWith(plan: SandboxPlan, o: Partial<BwrapOptions>): Invocation } = {
  name: 'namespace',
  async available(): Promise<Availability> {
    return unshareUsable();
  },
  invocation(plan: SandboxPlan): Invocation {
    return namespaceArgv(plan, nsOptions(plan));
  },
  invocationWith(plan: SandboxPlan, o: Partial<BwrapOptions>): Invocation {
    const { statusFd: _ignored, ...rest } = o;
    return namespaceArgv(plan, nsOptions(plan, rest));
  },
  async run(plan: SandboxPlan): Promise<RunResult> {
    const { runPlan } = await import('./run.ts');
    return runPlan(namespaceRuntime, plan);
  },
};
