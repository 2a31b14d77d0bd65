// SandboxPlan → bubblewrap argv. `bwrapArgv` is pure (every host fact comes in through options);
// `bubblewrapRuntime` probes the host, prepares what must exist beforehand and runs it.
//
// Layers, outermost first (each only when needed):
//   1. a wrapper: as root, one Perl process (overlay mount, restricted network's netns + bridge;
//      see perlWrapperScript); otherwise `unshare --mount` + /bin/sh mounts a throwaway overlay of /
//      (bwrap 0.8 has no --overlay options: they arrived in 0.9) and/or joins the run's cgroup.
//   2. bwrap: namespaces, read-only or overlay root, the cgroup join as root (cgroupBwrapJoin),
//      hides, workspace/caches/binds, protects.
//   3. inside, for restricted network without the Perl wrapper: /bin/sh starts the socat bridge.
//   4. the command: `$SHELL -c LINE` or the argv.
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import type { SandboxPlan } from '../sandbox/types.ts';
import { realFs, type FsProbe } from '../sandbox/plan.ts';
import { ENV_NAME, type Availability, type Invocation, type RunResult, type Runtime } from './types.ts';
import { cgroupBwrapJoin, cgroupCleanup, cgroupPerl, cgroupScript, prlimitArgv, type LimitPlan } from './limits.ts';
import { SECCOMP_FD } from './seccomp.ts';
import { hostOptions } from './host.ts';
import { PROXY_ENV, PROXY_PORT_INSIDE } from './proxy.ts';
import { bridgeControlPath, perlHandoff, PERL_RELAY } from './bridge.ts';
import { singleQuote } from '../analyze/words.ts';

/** Where the proxy's socket directory appears inside: under the private /tmp, which always exists and is writable. */
export const PROXY_DIR_INSIDE = '/tmp/.vg-net';

export interface BwrapOptions {
  bwrap?: string;
  fs?: FsProbe;
  /**
   * Overlay root for `rootfs: 'overlay'`: a host directory the wrapper mounts a tmpfs on (inside a
   * private mount namespace, so the host never sees it). Null: overlay unavailable, root is read-only.
   */
  overlay?: { dir: string; userns: boolean } | null;
  limits?: LimitPlan;
  /** Compiled TIOCSTI filter (seccomp.ts); used when the plan is interactive. */
  seccompPath?: string;
  /** Host unix socket of the restricted-network proxy. */
  proxySocket?: string;
  /** Other host mount points (besides /, /proc, /dev, /sys): the overlay sees only the root filesystem. */
  submounts?: string[];
  /** The uid/gid to appear as inside when the overlay step needed a user namespace (non-root). */
  ids?: { uid: number; gid: number };
  /**
   * An empty regular file to cover hidden files with. /dev/null works too, but reading it through a
   * nodev mount fails with EACCES, which a config reader may treat as an error rather than "absent".
   */
  emptyFile?: string;
  /** bwrap --json-status-fd: lets the runner tell "the sandbox failed to start" from "the command failed". */
  statusFd?: number;
  /**
   * Perl (perl-base) and the CPU architecture, when vg may do its outer steps in one Perl process
   * (root only: the mount and network namespaces are made with unshare(2)). Absent: the portable
   * `unshare` + /bin/sh + `mount` chain and the socat bridge inside.
   */
  perl?: { bin: string; arch: string };
  /**
   * A file holding "0": when set and the limits are a cgroup v1 plan whose groups already exist with
   * their limits (root; see `cgroupBwrapJoin`), bwrap joins the groups itself and no wrapper step
   * runs for them.
   */
  cgroupJoinFile?: string;
  /**
   * Absolute paths of `env` and (as `bwrap`) bubblewrap, so no layer searches PATH for them: each
   * miss on a long PATH is a failed execve (~0.2 ms here), and a run had three such searches.
   */
  envBin?: string;
}

/** The cgroup plan when bwrap joins it itself (see `cgroupBwrapJoin`), else null. */
export function bwrapJoinsCgroup(opts: BwrapOptions): Extract<LimitPlan, { kind: 'cgroup' }> | null {
  const l = opts.limits;
  return l?.kind === 'cgroup' && l.version === 1 && opts.cgroupJoinFile && !opts.ids ? l : null;
}

/** The limits the steps before bwrap still have to apply. */
function outerLimits(opts: BwrapOptions): LimitPlan {
  return bwrapJoinsCgroup(opts) ? { kind: 'none' } : (opts.limits ?? { kind: 'none' });
}

/** Syscall numbers the Perl wrapper needs, per Node `process.arch`. Others use the portable chain. */
export const PERL_SYSCALLS: Record<string, { unshare: number; mount: number; prctl: number; setsid: number; statfs: number; close: number; capset: number }> = {
  x64: { unshare: 272, mount: 165, prctl: 157, setsid: 112, statfs: 137, close: 3, capset: 126 },
  arm64: { unshare: 97, mount: 40, prctl: 167, setsid: 157, statfs: 43, close: 57, capset: 91 },
};

const sq = singleQuote;

/** The command as it runs inside: the user's shell for a line (unless it is one plain command), the argv as given otherwise. */
export function commandArgv(plan: SandboxPlan): string[] {
  if (plan.direct) return [...plan.direct];
  return 'line' in plan.command ? [plan.shell ?? '/bin/sh', '-c', plan.command.line] : [...plan.command.argv];
}

/**
 * Start socat in the background and wait until it listens (a builtin `read` loop over
 * /proc/net/tcp: no extra exec in the common case) so the command's first request cannot race it.
 */
export function bridgeScript(socketInside: string, port = PROXY_PORT_INSIDE): string {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return (
    `socat TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${socketInside} 2>/dev/null </dev/null & ` +
    `vg_up() { while read -r _ l _ s _; do [ "$l $s" = "0100007F:${hex} 0A" ] && return 0; done </proc/net/tcp; return 1; }; ` +
    `vg_i=0; until vg_up; do vg_i=$((vg_i+1)); [ $vg_i -gt 300 ] && break; sleep 0.01; done; unset vg_i; unset -f vg_up; ` +
    `exec "$@"`
  );
}

/**
 * Ctrl-C in an interactive run must reach the command only: bwrap's monitor process shares the
 * terminal's process group and dies on SIGINT, taking a REPL that wanted to catch it along
 * (--die-with-parent). So the layers outside ignore INT/QUIT and the command gets them back
 * (GNU env ≥ 8.31). Measured: python catching KeyboardInterrupt exits 7 through the sandbox; `sleep` → 130.
 */
export function signalPrefix(plan: SandboxPlan, envBin = 'env'): string[] {
  return plan.interactive ? [envBin, '--ignore-signal=INT,QUIT'] : [];
}
export function signalSuffix(plan: SandboxPlan, envBin = 'env'): string[] {
  return plan.interactive ? [envBin, '--default-signal=INT,QUIT'] : [];
}

/**
 * The timeout lives in the argv so it holds when the shell runs it directly. TERM to the outermost
 * process (bwrap's monitor dies, --die-with-parent tears down the PID namespace) gives status 124;
 * KILL follows after 2 s. --foreground keeps the command in the terminal's process group.
 */
export function timeoutPrefix(plan: SandboxPlan): string[] {
  return plan.timeout > 0 ? ['timeout', '--foreground', '-k', '2', String(plan.timeout)] : [];
}

export function proxyEnv(): Record<string, string> {
  return { ...PROXY_ENV, NODE_USE_ENV_PROXY: '1' };
}

/**
 * Perl that makes its environment exactly the K=V words before the next `--` of its arguments (an
 * `env -i` without the exec: ~3 ms here). The words can hold no `--` of their own: each has a `=`.
 */
export const PERL_ENV_FROM_ARGV = `%ENV = (); while (@ARGV && $ARGV[0] ne '--') { my ($k, $v) = split(/=/, shift(@ARGV), 2); $ENV{$k} = $v } shift @ARGV;`;

/**
 * What the Perl wrapper starts with when the caller's environment comes along (envByWrapper): the C
 * locale (perl sets up the user's on every start, ~1 ms), and perl's own start-up variables emptied —
 * a user's PERL5OPT=-MSome::Module would otherwise load code (or fail) before the wrapper runs.
 */
export const PERL_START_ENV: Record<string, string> = { LC_ALL: 'C', PERL5OPT: '', PERL5LIB: '', PERLLIB: '', PERLIO: '', PERL_UNICODE: '' };

/**
 * The first statements of vg's Perl wrappers (bwrap's outer step, the namespace runtime's one
 * process): the environment from the argv when the caller left it to them (envByWrapper), and for an
 * interactive run Ctrl-C ignored — what signalPrefix's `env --ignore-signal` does, without its exec.
 */
export function perlPrologue(plan: SandboxPlan, setsEnv: boolean): string[] {
  return [...(setsEnv ? [PERL_ENV_FROM_ARGV] : []), ...(plan.interactive ? [`$SIG{INT} = $SIG{QUIT} = 'IGNORE';`] : [])];
}

/** The words PERL_ENV_FROM_ARGV reads: one K=V per variable, then `--`. */
export function envArgv(env: Record<string, string>): string[] {
  return [...Object.entries(env).filter(([k]) => ENV_NAME.test(k)).map(([k, v]) => `${k}=${v}`), '--'];
}

/**
 * The prefix that runs before bwrap (overlay mount, cgroup join, rlimits). Empty when none is needed.
 * `envWords` (from envArgv): the Perl wrapper sets the environment and, interactive, ignores Ctrl-C itself.
 */
export function wrapperArgv(plan: SandboxPlan, opts: BwrapOptions, envWords?: string[]): string[] {
  const limits = outerLimits(opts);
  if (usesPerlWrapper(plan, opts))
    return [...(limits.kind === 'rlimit' ? prlimitArgv(limits.limits) : []), opts.perl!.bin, '-e', perlWrapperScript(plan, opts, Boolean(envWords)), '--', ...(envWords ?? [])];
  const steps: string[] = [];
  if (limits.kind === 'cgroup') steps.push(cgroupScript(limits));
  const overlay = plan.rootfs === 'overlay' && opts.overlay ? opts.overlay : null;
  if (overlay) {
    const d = sq(overlay.dir);
    steps.push(
      `{ mount -t tmpfs -o mode=0755 vg-overlay ${d} && mkdir ${d}/u ${d}/w ${d}/r && ` +
        `mount -t overlay vg-overlay -o lowerdir=/,upperdir=${d}/u,workdir=${d}/w ${d}/r; } 2>/dev/null || ` +
        `{ echo 'vg: sandbox could not start: cannot mount the overlay root — run vg doctor, or set sandbox.security_level: strict' >&2; exit 125; }`,
    );
  }
  const pre = limits.kind === 'rlimit' ? prlimitArgv(limits.limits) : [];
  if (steps.length === 0) return pre;
  const script = `${steps.join('; ')}; exec "$@"`;
  const sh = ['/bin/sh', '-c', script, 'vg-sandbox'];
  if (!overlay) return [...pre, ...sh];
  const unshare = ['unshare', ...(overlay.userns ? ['--user', '--map-root-user'] : []), '--mount', '--propagation', 'private'];
  return [...pre, ...unshare, ...sh];
}

const pq = (s: string) => `'${s.replace(/[\\']/g, (c) => '\\' + c)}'`;
const OVERLAY_FAIL = 'cannot mount the overlay root — run vg doctor, or set sandbox.security_level: strict';
const BRIDGE_FAIL = 'cannot start the restricted-network bridge — run vg doctor, or set sandbox.network_mode: none';

/** Does this plan go through the one-process Perl wrapper? (root, known arch, perl present) */
export function usesPerlWrapper(plan: SandboxPlan, opts: BwrapOptions): boolean {
  if (!opts.perl || !PERL_SYSCALLS[opts.perl.arch]) return false;
  const overlay = plan.rootfs === 'overlay' && opts.overlay ? opts.overlay : null;
  if (overlay?.userns) return false;
  // Worth it only when it replaces more than one exec: the overlay chain or the socat bridge.
  return Boolean(overlay) || (plan.network === 'restricted' && Boolean(opts.proxySocket));
}

/**
 * The outer steps in ONE process (measured here: unshare + sh + mount + mkdir + mount ≈ 32 ms,
 * this ≈ 13 ms; socat alone takes ~10 ms to start, mostly libcrypto relocations):
 *   1. cgroup: mkdir, limit writes, join — syscalls, no exec;
 *   2. overlay: unshare(CLONE_NEWNS), make / private, tmpfs, mkdir u w r, overlay mount;
 *   3. restricted network: unshare(CLONE_NEWNET), loopback up, bind+listen 127.0.0.1:3128 *before*
 *      the sandbox exists (no readiness poll, no race), fork the bridge: a byte shovel from each
 *      accepted connection to the host proxy's unix socket. It runs in its own session (Ctrl-C
 *      does not reach it) and dies with the sandbox (PR_SET_PDEATHSIG SIGKILL when bwrap exits);
 *      a connection's child ends with the connection (0.5 s after the first EOF, as socat does);
 *   4. exec bwrap — which inherits the mount and network namespaces (so no `--unshare-net` then).
 * Every step fails closed with its own one-line message and status 125.
 */
export function perlWrapperScript(plan: SandboxPlan, opts: BwrapOptions, setsEnv = false): string {
  const nr = PERL_SYSCALLS[opts.perl!.arch];
  const L: string[] = [...perlPrologue(plan, setsEnv)];
  L.push(`sub vg_die { print STDERR "vg: sandbox could not start: $_[0]\\n"; exit 125 }`);
  L.push(`sub vg_w { open(my $h, '>', $_[0]) or return 0; syswrite($h, $_[1]) or return 0; close($h) }`);
  const limits = outerLimits(opts);
  if (limits.kind === 'cgroup') L.push(cgroupPerl(limits));
  const overlay = plan.rootfs === 'overlay' && opts.overlay ? opts.overlay : null;
  if (overlay) {
    // syscall() wants modifiable scalars for its string arguments: copies, never literals.
    L.push(
      `{ my $vg_of = ${pq(OVERLAY_FAIL)}; my ($d, $r, $n, $t, $m, $ov) = (${pq(overlay.dir)}, '/', 'vg-overlay', 'tmpfs', 'mode=0755', 'overlay'); ` +
        `syscall(${nr.unshare}, 0x20000) == 0 && syscall(${nr.mount}, 0, $r, 0, 0x44000, 0) == 0 && syscall(${nr.mount}, $n, $d, $t, 0, $m) == 0 ` +
        `&& mkdir("$d/u") && mkdir("$d/w") && mkdir("$d/r") or vg_die($vg_of); ` +
        `my ($dr, $o) = ("$d/r", "lowerdir=/,upperdir=$d/u,workdir=$d/w"); syscall(${nr.mount}, $n, $dr, $ov, 0, $o) == 0 or vg_die($vg_of); }`,
    );
  }
  if (plan.network === 'restricted' && opts.proxySocket) L.push(...perlBridgeLines(nr, opts.proxySocket, opts.perl!.arch));
  L.push(`exec { $ARGV[0] } @ARGV; vg_die("cannot run $ARGV[0]: $!");`);
  return L.join('\n');
}

/**
 * Perl statements (needs `sub vg_die`): a new network namespace with loopback up, 127.0.0.1:3128
 * listening before anything runs in it, and the forked bridge to the host proxy's unix socket
 * (see perlWrapperScript). Shared by the bwrap wrapper and the namespace runtime's one process.
 */
export function perlBridgeLines(nr: (typeof PERL_SYSCALLS)[string], proxySocket: string, arch: string): string[] {
  const f = '$vg_nf';
  return [
    `my $vg_nf = ${pq(BRIDGE_FAIL)};`,
    // New network namespace, loopback up (SIOCGIFFLAGS / SIOCSIFFLAGS |= IFF_UP).
    `syscall(${nr.unshare}, 0x40000000) == 0 or vg_die(${f}); ` +
      `{ socket(my $s, 2, 2, 0) or vg_die(${f}); my $q = pack('a16 x24', 'lo'); ioctl($s, 0x8913, $q) or vg_die(${f}); ` +
      `my $fl = unpack('x16 s', $q) | 1; $q = pack('a16 s x22', 'lo', $fl); ioctl($s, 0x8914, $q) or vg_die(${f}); close $s; }`,
    // The listener exists before the sandbox does. Perl marks fds > 2 close-on-exec: bwrap never sees it.
    `my $vg_l; socket($vg_l, 2, 1, 0) && setsockopt($vg_l, 1, 2, 1) && bind($vg_l, pack('S n C4 x8', 2, ${PROXY_PORT_INSIDE}, 127, 0, 0, 1)) && listen($vg_l, 128) or vg_die(${f});`,
    // A resident helper next to the proxy takes the listener over (bridge.ts): no fork here.
    perlHandoff(arch, bridgeControlPath(proxySocket)),
    // Otherwise (no helper running): fork our own bridge.
    `if (!$vg_ho) { my $vg_pp = $$; my $vg_pid = fork; defined $vg_pid or vg_die(${f}); ` +
      `if (!$vg_pid) { syscall(${nr.prctl}, 1, 9); exit 0 if getppid() != $vg_pp; syscall(${nr.setsid}); ` +
      `open(STDIN, '<', '/dev/null'); open(STDOUT, '>', '/dev/null'); open(STDERR, '>', '/dev/null'); $SIG{CHLD} = 'IGNORE'; $SIG{PIPE} = 'IGNORE'; ` +
      // Hold no inherited fd (a status pipe, the caller's pipes): the run's reader sees EOF when the sandbox ends.
      `if (opendir(my $dh, '/proc/self/fd')) { for (readdir $dh) { next unless /^\\d+$/; next if $_ <= 2 || $_ == fileno($vg_l) || $_ == fileno($dh); syscall(${nr.close}, $_ + 0) } closedir $dh } ` +
      `my $sun = pack('S a108', 1, ${pq(proxySocket)}); my $e = 0; ` +
      `while (1) { my $c; unless (accept($c, $vg_l)) { exit 1 if ++$e > 1000; next } my $k = fork; ` +
      `if (defined $k && !$k) { close $vg_l; ${PERL_RELAY} } ` +
      `close $c; } } }`,
    // The listener is the helper's or the bridge's now; this process execs on without it.
    `close $vg_l;`,
  ];
}

const PSEUDO = ['/proc', '/dev', '/sys'];
const under = (p: string, dir: string) => p === dir || p.startsWith(dir + '/');

export function bwrapArgv(plan: SandboxPlan, opts: BwrapOptions = {}): Invocation {
  const fs = opts.fs ?? realFs;
  const a: string[] = [opts.bwrap ?? 'bwrap'];
  // As root, bwrap keeps every capability inside unless told otherwise (measured: a sandboxed
  // `mount -o remount,rw /` succeeded). Always drop them all.
  a.push('--cap-drop', 'ALL');
  const overlay = plan.rootfs === 'overlay' && opts.overlay ? opts.overlay : null;
  if (overlay?.userns && opts.ids) a.push('--unshare-user', '--uid', String(opts.ids.uid), '--gid', String(opts.ids.gid));
  a.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try');
  // The Perl wrapper makes the restricted network's namespace itself (its listener must exist first).
  const perlNet = plan.network === 'restricted' && Boolean(opts.proxySocket) && usesPerlWrapper(plan, opts);
  if (plan.network !== 'full' && !perlNet) a.push('--unshare-net');
  a.push('--die-with-parent');
  if (opts.statusFd !== undefined) a.push('--json-status-fd', String(opts.statusFd));
  // --new-session makes /dev/tty unusable (sudo, ssh, editors cannot prompt); interactive runs get the
  // seccomp TIOCSTI filter instead.
  if (!plan.interactive) a.push('--new-session');
  const seccomp = plan.interactive && opts.seccompPath ? opts.seccompPath : null;
  if (seccomp) a.push('--seccomp', String(SECCOMP_FD));

  if (overlay) {
    a.push('--bind', join(overlay.dir, 'r'), '/');
    if (fs.kind('/sys') === 'dir') a.push('--ro-bind', '/sys', '/sys');
    for (const m of opts.submounts ?? []) {
      if (m === '/' || PSEUDO.some((p) => under(m, p)) || under(m, '/tmp') || under(m, overlay.dir)) continue;
      a.push('--ro-bind-try', m, m);
    }
  } else {
    a.push('--ro-bind', '/', '/');
  }
  const files: { fd: number; path: string }[] = [];
  const joins = bwrapJoinsCgroup(opts);
  if (joins) {
    // Before `--tmpfs /tmp`, which covers the cgroup binds this leaves there.
    const j = cgroupBwrapJoin(joins, opts.cgroupJoinFile!);
    a.push(...j.args);
    files.push(...j.files);
  }
  a.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp');
  if (fs.kind('/var/tmp') === 'dir') a.push('--tmpfs', '/var/tmp');

  // bwrap resolves an absolute symlink in a destination against the host root, not the new one
  // (measured: /var/run → /run failed), so destinations are canonical paths.
  const real = (p: string) => (fs.real ? fs.real(p) : p);
  // Hides before mounts: a mount inside a hidden directory (a bind of ~/.ssh/known_hosts) shows through.
  const seen = new Set<string>();
  for (const h0 of plan.hidden) {
    // Absent paths (most secrets) need no hide: ask that first, canonicalise only what exists.
    const k = fs.kind(h0);
    if (k === null) continue;
    const h = real(h0);
    if (seen.has(h)) continue;
    seen.add(h);
    if (under(h, '/tmp') || under(h, '/var/tmp')) continue; // already private
    if (k === 'dir') a.push('--tmpfs', h);
    else if (k === 'file') a.push('--ro-bind', opts.emptyFile ?? '/dev/null', h);
  }
  for (const m of plan.mounts) {
    if (m.kind === 'protect') continue;
    a.push(m.mode === 'rw' ? '--bind' : '--ro-bind', m.source, real(m.target));
  }
  for (const m of plan.mounts) if (m.kind === 'protect') a.push('--ro-bind', m.source, real(m.target));

  if (seccomp) files.push({ fd: SECCOMP_FD, path: seccomp });

  const env: Record<string, string> = { ...plan.env };
  if (usesPerlWrapper(plan, opts)) {
    // perl initialises the user's locale on every start (measured: ~1 ms of its ~6 ms with
    // C.UTF-8, and a warning when the locale is not installed). The wrapper needs none: it runs in
    // C, and bwrap gives the command the user's LC_ALL back (or none, as before).
    env.LC_ALL = 'C';
    a.push(...(plan.env.LC_ALL !== undefined ? ['--setenv', 'LC_ALL', plan.env.LC_ALL] : ['--unsetenv', 'LC_ALL']));
  }
  let cmd = commandArgv(plan);
  let needsProxy: Invocation['needsProxy'];
  if (plan.network === 'restricted' && opts.proxySocket) {
    Object.assign(env, proxyEnv());
    if (!perlNet) {
      a.push('--bind', dirname(opts.proxySocket), PROXY_DIR_INSIDE);
      cmd = ['/bin/sh', '-c', bridgeScript(join(PROXY_DIR_INSIDE, basename(opts.proxySocket))), 'vg-net', ...cmd];
    }
    needsProxy = { socketPath: opts.proxySocket, allowedDomains: plan.allowedDomains };
  }
  a.push('--chdir', plan.cwd, '--', ...signalSuffix(plan, opts.envBin), ...cmd);

  const limits = opts.limits ?? { kind: 'none' as const };
  const cleanup = cgroupCleanup(limits);
  // The Perl wrapper, when it comes first, also does the outer `env`'s work. Not behind `timeout`
  // (it waits, so it must ignore Ctrl-C from the start) nor prlimit (found on PATH).
  const byWrapper = usesPerlWrapper(plan, opts) && plan.timeout <= 0 && outerLimits(opts).kind !== 'rlimit';
  const outer = byWrapper ? wrapperArgv(plan, opts, envArgv(env)) : [...signalPrefix(plan, opts.envBin), ...timeoutPrefix(plan), ...wrapperArgv(plan, opts)];
  return {
    argv: [...outer, ...a],
    env: byWrapper ? { ...PERL_START_ENV } : env,
    ...(byWrapper ? { envByWrapper: true } : {}),
    ...(files.length ? { files } : {}),
    ...(needsProxy ? { needsProxy } : {}),
    ...(cleanup.length ? { cleanup } : {}),
  };
}

export function bwrapVersion(bin = 'bwrap'): string | null {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 3000 });
  if (r.status !== 0 || !r.stdout) return null;
  return r.stdout.trim().replace(/^bubblewrap\s*/, '');
}

export const bubblewrapRuntime: Runtime & { invocationWith(plan: SandboxPlan, o: Partial<BwrapOptions>): Invocation } = {
  name: 'bubblewrap',
  async available(): Promise<Availability> {
    const v = bwrapVersion();
    if (!v) return { ok: false, reason: 'bubblewrap is not installed — apt-get install bubblewrap (or dnf/pacman install bubblewrap)' };
    // Installed is not enough: inside a container or with user namespaces disabled bwrap cannot
    // create its namespaces, and `auto` should move on instead of failing every command with 125.
    const r = spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--cap-drop', 'ALL', 'true'], { encoding: 'utf8', timeout: 5000 });
    if (r.status !== 0) {
      const why = (r.stderr || '').trim().split('\n')[0] || `exit ${r.status}`;
      return { ok: false, version: v, reason: `bubblewrap cannot create a sandbox here (${why}) — enable user namespaces (sysctl kernel.unprivileged_userns_clone=1) or use runtime: docker` };
    }
    return { ok: true, version: v };
  },
  invocation(plan: SandboxPlan): Invocation {
    return bwrapArgv(plan, hostOptions(plan));
  },
  invocationWith(plan: SandboxPlan, o: Partial<BwrapOptions>): Invocation {
    return bwrapArgv(plan, hostOptions(plan, o));
  },
  async run(plan: SandboxPlan): Promise<RunResult> {
    const { runPlan } = await import('./run.ts');
    return runPlan(bubblewrapRuntime, plan);
  },
};

