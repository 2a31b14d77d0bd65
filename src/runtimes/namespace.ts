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
import { cgroupCleanup, cgroupPerl, cgroupScript } from './limits.ts';
import { bridgeScript, commandArgv, envArgv, perlBridgeLines, proxyEnv, signalPrefix, signalSuffix, wrapperArgv, perlPrologue, PERL_START_ENV, PERL_SYSCALLS, PROXY_DIR_INSIDE, type BwrapOptions } from './bwrap.ts';
import { hostMountPoints, hostOptions } from './host.ts';
import { perlSeccompArgv, perlSeccompLoad, SECCOMP_FD } from './seccomp.ts';
import { basename, dirname, join } from 'node:path';
import { singleQuote } from '../analyze/words.ts';

export interface NamespaceOptions extends BwrapOptions {
  /** Host directory the setup mounts its scratch tmpfs on (inside the private namespace only). */
  scratch?: string;
  /** Running as root: no user namespace needed (and none wanted: it would map nothing useful). */
  root?: boolean;
  /** Every host mount point (not folded), for making an rbind of / read-only as a normal user. */
  mountPoints?: string[];
}

const sq = singleQuote;
const under = (p: string, dir: string) => p === dir || p.startsWith(dir + '/');

/**
 * What both setups hide, in order: existing secret paths, canonicalised, once each, outside the
 * fresh /tmp and /var/tmp. Absent paths (most secrets) need no hide: asked first, so only what
 * exists is canonicalised.
 */
function hideTargets(plan: SandboxPlan, fs: { kind(p: string): 'dir' | 'file' | 'other' | null }, real: (p: string) => string): { path: string; dir: boolean }[] {
  const out: { path: string; dir: boolean }[] = [];
  const seen = new Set<string>();
  for (const h0 of plan.hidden) {
    const k = fs.kind(h0);
    if (k !== 'dir' && k !== 'file') continue;
    const h = real(h0);
    if (seen.has(h) || under(h, '/tmp') || under(h, '/var/tmp')) continue;
    seen.add(h);
    out.push({ path: h, dir: k === 'dir' });
  }
  return out;
}
const PSEUDO = ['/proc', '/dev', '/sys'];

const pq = (s: string) => `'${s.replace(/[\\']/g, (c) => '\\' + c)}'`;

/**
 * The mount work of the setup as ONE Perl process (root, known arch): the same mounts, in the same
 * order, with the same messages, as mount(2) calls instead of ~50 `mount`/`mkdir`/`touch`/`ln`
 * execs (measured: each exec costs 2–9 ms on this machine; the shell version took 200–800 ms).
 * A read-only remount keeps the source's nosuid/nodev/noexec/atime flags (statfs), as
 * `mount -o remount,bind,ro` does. Messages go to fd 3 (the terminal's stderr, saved by the script).
 */
export function namespacePerl(plan: SandboxPlan, opts: NamespaceOptions, how: { errFd: 2 | 3; bridgeInside: boolean; proc: boolean } = { errFd: 3, bridgeInside: true, proc: true }): string {
  const nr = PERL_SYSCALLS[opts.perl!.arch];
  const fs = opts.fs ?? realFs;
  const real = (p: string) => (fs.real ? fs.real(p) : p);
  const D = opts.scratch ?? '/tmp';
  const R = `${D}/r`;
  const L: string[] = [];
  L.push(
    `sub f { open(my $e, '>&=', ${how.errFd}); print $e "vg: sandbox could not start: $_[0] \u2014 run vg doctor\\n"; exit 125 } ` +
      `sub mt { my @a = map { defined $_ ? "$_" : undef } @_[0 .. 2]; syscall(${nr.mount}, defined $a[0] ? $a[0] : 0, $a[1], defined $a[2] ? $a[2] : 0, $_[3] + 0, defined $_[4] ? "$_[4]" : 0) == 0 } ` +
      `sub ro { my $t = "$_[0]"; my $b = "\\0" x 128; syscall(${nr.statfs}, $t, $b) == 0 or return 0; my $fl = unpack('Q', substr($b, 80, 8)) & 7182; mt(undef, $t, undef, 4129 | $fl) } ` +
      // A recursive bind keeps its submounts' own flags: the cgroup mounts under /sys stayed writable
      // (measured: a sandboxed uid 0 rewrote pids.max and left its group). rro makes every mount at
      // or under the path read-only, as bwrap --ro-bind does.
      `sub rro { my $p = "$_[0]"; open(my $m, '<', '/proc/self/mountinfo') or return 0; my @t; ` +
      `while (<$m>) { my $t = (split / /)[4]; $t =~ s/\\\\([0-7]{3})/chr oct $1/ge; push @t, $t if $t eq $p || index($t, "$p/") == 0 } close $m; ` +
      `@t or return 0; for (@t) { ro($_) or return 0 } 1 } ` +
      `sub mkp { my $p = ''; for (split m{/}, $_[0]) { next if $_ eq ''; $p .= "/$_"; -d $p or mkdir $p or return 0 } 1 } ` +
      `sub tch { -e $_[0] and return 1; my ($d) = $_[0] =~ m{^(.*)/}; mkp($d) or return 0; open(my $h, '>>', $_[0]) or return 0; close $h } ` +
      `my $R = ${pq(R)};`,
  );
  const step = (cond: string, what: string) => L.push(`${cond} or f(${pq(what)});`);
  // flags: MS_RDONLY 1, NOSUID 2, NODEV 4, NOEXEC 8, REMOUNT 32, BIND 4096, REC 16384
  step(`mt('vg-ns', ${pq(D)}, 'tmpfs', 0, 'mode=0755') && mkdir($R)`, 'cannot mount the scratch tmpfs');
  if (plan.rootfs === 'overlay' && opts.overlay) {
    step(`mkdir(${pq(D + '/u')}) && mkdir(${pq(D + '/w')}) && mt('vg-overlay', $R, 'overlay', 0, ${pq(`lowerdir=/,upperdir=${D}/u,workdir=${D}/w`)})`, 'cannot mount the overlay root');
  } else {
    step(`mt('/', $R, undef, 4096) && ro($R)`, 'cannot make the root read-only');
  }
  for (const m of opts.submounts ?? []) {
    if (m === '/' || PSEUDO.some((p) => under(m, p)) || under(m, '/tmp') || (opts.scratch && under(m, opts.scratch))) continue;
    // A host filesystem that cannot be bound stays out; one that is bound must end read-only.
    L.push(`!-d ${pq(m)} or !mt(${pq(m)}, $R . ${pq(m)}, undef, 20480) or rro($R . ${pq(m)}) or f(${pq(`cannot make ${m} read-only`)});`);
  }
  if (how.proc) step(`mt('proc', "$R/proc", 'proc', 14)`, 'cannot mount /proc');
  step(`mt('/sys', "$R/sys", undef, 20480) && rro("$R/sys")`, 'cannot mount /sys');
  step(
    `mt('vg-dev', "$R/dev", 'tmpfs', 2, 'mode=0755') && !grep({ !(tch("$R/dev/$_") && mt("/dev/$_", "$R/dev/$_", undef, 4096)) } qw(null zero full random urandom tty)) && ` +
      `mkdir("$R/dev/pts") && mkdir("$R/dev/shm") && mt('vg-pts', "$R/dev/pts", 'devpts', 0, 'newinstance,ptmxmode=0666,mode=0620') && symlink('pts/ptmx', "$R/dev/ptmx") && ` +
      `mt('vg-shm', "$R/dev/shm", 'tmpfs', 6, 'mode=1777') && symlink('/proc/self/fd', "$R/dev/fd") && symlink('/proc/self/fd/0', "$R/dev/stdin") && symlink('/proc/self/fd/1', "$R/dev/stdout") && symlink('/proc/self/fd/2', "$R/dev/stderr")`,
    'cannot build /dev',
  );
  step(`mt('vg-tmp', "$R/tmp", 'tmpfs', 6, 'mode=1777')`, 'cannot mount /tmp');
  if (fs.kind('/var/tmp') === 'dir') step(`mt('vg-vartmp', "$R/var/tmp", 'tmpfs', 6, 'mode=1777')`, 'cannot mount /var/tmp');
  for (const { path: h, dir } of hideTargets(plan, fs, real)) {
    if (dir) step(`mt('vg-hide', $R . ${pq(h)}, 'tmpfs', 0, 'size=1m,mode=0700')`, `cannot hide ${h}`);
    else step(`mt(${pq(opts.emptyFile ?? '/dev/null')}, $R . ${pq(h)}, undef, 4096)`, `cannot hide ${h}`);
  }
  const bind = (src: string, dst: string, ro: boolean, isDir: boolean) => {
    const t = `$R . ${pq(dst)}`;
    step(`${isDir ? `mkp(${t})` : `tch(${t})`} && mt(${pq(src)}, ${t}, undef, 4096)${ro ? ` && ro(${t})` : ''}`, `cannot mount ${src}`);
  };
  for (const m of plan.mounts) if (m.kind !== 'protect') bind(m.source, real(m.target), m.mode === 'ro', fs.kind(m.source) !== 'file');
  for (const m of plan.mounts) if (m.kind === 'protect') bind(m.source, real(m.target), true, fs.kind(m.source) !== 'file');
  if (plan.network === 'restricted' && opts.proxySocket && how.bridgeInside) {
    bind(dirname(opts.proxySocket), PROXY_DIR_INSIDE, false, true);
    // loopback up: SIOCGIFFLAGS, |= IFF_UP, SIOCSIFFLAGS
    step(`socket(my $s, 2, 2, 0)`, 'cannot bring up loopback');
    step(`do { my $q = pack('a16 x24', 'lo'); ioctl($s, 0x8913, $q) && ioctl($s, 0x8914, pack('a16 s x22', 'lo', unpack('x16 s', $q) | 1)) }`, 'cannot bring up loopback');
  }
  return L.join('\n');
}

/** The setup script (pure). `$R` is the new root; every step fails closed with status 125. */
export function namespaceScript(plan: SandboxPlan, opts: NamespaceOptions): string {
  const fs = opts.fs ?? realFs;
  const real = (p: string) => (fs.real ? fs.real(p) : p);
  const D = sq(opts.scratch ?? '/tmp');
  const L: string[] = [];
  const step = (cmd: string, what: string) => L.push(`${cmd} || die ${sq(what)}`);
  L.push(`die() { echo "vg: sandbox could not start: $1 — run vg doctor" >&3; exit 125; }`);
  L.push(`exec 3>&2 2>/dev/null`); // mount's chatter stays out of the terminal; restored before the command
  if (opts.root && opts.perl && PERL_SYSCALLS[opts.perl.arch]) {
    L.push(`R=${D}/r`);
    L.push(`${sq(opts.perl.bin)} -e ${sq(namespacePerl(plan, opts))} || { [ $? = 125 ] || die 'the mount setup failed'; exit 125; }`);
    return finishScript(plan, opts, L);
  }
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
  // A recursive bind keeps its submounts' own flags (the cgroup mounts under /sys stayed writable):
  // every host mount point under the bound tree is made read-only too.
  // A submount this setup cannot even reach (debugfs is 0700 for a user namespace's root) cannot be
  // written through from inside either: skipped rather than failing the whole runtime.
  const all = opts.mountPoints ?? hostMountPoints();
  const roTree = (m: string) => all.filter((x) => under(x, m)).map((x) => ` && { [ ! -d "$R"${sq(x)} ] || mount -o remount,bind,ro "$R"${sq(x)}; }`).join('');
  // The root filesystem alone: other host filesystems come back read-only, pseudo ones are made fresh.
  for (const m of opts.root || opts.overlay ? (opts.submounts ?? []) : []) {
    if (m === '/' || PSEUDO.some((p) => under(m, p)) || under(m, '/tmp') || (opts.scratch && under(m, opts.scratch))) continue;
    // A host filesystem that cannot be bound stays out; one that is bound must end read-only.
    L.push(`if [ -d ${sq(m)} ] && mount --rbind ${sq(m)} "$R"${sq(m)}; then mount -o remount,bind,ro "$R"${sq(m)}${roTree(m)} || die ${sq(`cannot make ${m} read-only`)}; fi`);
  }
  step(`mount -t proc -o nosuid,nodev,noexec proc "$R/proc"`, 'cannot mount /proc');
  step(`mount --rbind /sys "$R/sys" && mount -o remount,bind,ro "$R/sys"${roTree('/sys')}`, 'cannot mount /sys');
  // A minimal /dev: host device nodes stay out (uid 0 without capabilities could still open /dev/sda).
  step(
    `mount -t tmpfs -o mode=0755,nosuid vg-dev "$R/dev" && for d in null zero full random urandom tty; do touch "$R/dev/$d" && mount --bind "/dev/$d" "$R/dev/$d" || exit 1; done && ` +
      `mkdir "$R/dev/pts" "$R/dev/shm" && mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 vg-pts "$R/dev/pts" && ln -s pts/ptmx "$R/dev/ptmx" && ` +
      `mount -t tmpfs -o mode=1777,nosuid,nodev vg-shm "$R/dev/shm" && ln -s /proc/self/fd "$R/dev/fd" && ln -s /proc/self/fd/0 "$R/dev/stdin" && ln -s /proc/self/fd/1 "$R/dev/stdout" && ln -s /proc/self/fd/2 "$R/dev/stderr"`,
    'cannot build /dev',
  );
  step(`mount -t tmpfs -o mode=1777,nosuid,nodev vg-tmp "$R/tmp"`, 'cannot mount /tmp');
  if (fs.kind('/var/tmp') === 'dir') step(`mount -t tmpfs -o mode=1777,nosuid,nodev vg-vartmp "$R/var/tmp"`, 'cannot mount /var/tmp');
  for (const { path: h, dir } of hideTargets(plan, fs, real)) {
    if (dir) step(`mount -t tmpfs -o size=1m,mode=0700 vg-hide "$R"${sq(h)}`, `cannot hide ${h}`);
    else step(`mount --bind ${sq(opts.emptyFile ?? '/dev/null')} "$R"${sq(h)}`, `cannot hide ${h}`);
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
  return finishScript(plan, opts, L);
}

function finishScript(plan: SandboxPlan, opts: NamespaceOptions, L: string[]): string {
  L.push(`exec 2>&3 3>&-`);
  // Join the run's cgroup only now: the ~30 setup execs are vg's own, and inside a 0.25-CPU quota
  // they were throttled to one slice per 100 ms period (paranoid took ~800 ms to start). The setup
  // shell is PID 1 here; `$$` (1) written from inside the PID namespace names itself. Everything the
  // command starts is a child of this shell, so all of it is limited; fails closed with 125.
  const limits = opts.limits ?? { kind: 'none' };
  if (limits.kind === 'cgroup') L.push(cgroupScript(limits));
  // Foreground child, not exec: this shell stays PID 1 (see top of file) and passes the status on.
  // The timeout runs inside: unshare's outer process ignores TERM, so a timeout outside could only
  // KILL it (status 137). Here PID 1 exits 124 and the namespace goes with it.
  const tmo = plan.timeout > 0 ? `timeout --foreground -k 2 ${plan.timeout} ` : '';
  // --cgroup again: a cgroup namespace rooted at the run's group (the outer one predates the join).
  L.push(`${tmo}unshare --root="$R" --wd=${sq(plan.cwd)}${limits.kind === 'cgroup' ? ' --cgroup' : ''} setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "$@"`);
  L.push(`exit $?`);
  return L.join('\n');
}

/** Can the whole setup run as one Perl process? (root: no user namespace; a known syscall table) */
export function namespaceOneProcess(opts: NamespaceOptions): boolean {
  return Boolean(opts.root && opts.perl && PERL_SYSCALLS[opts.perl.arch]);
}

// unshare(2) flags. The network namespace comes first and alone: the bridge is forked into it
// before the others exist, so it stays in the host's mount and PID namespaces.
const CLONE_NEWNS = 0x20000;
const CLONE_NEWCGROUP = 0x2000000;
const CLONE_NEWUTS = 0x4000000;
const CLONE_NEWIPC = 0x8000000;
const CLONE_NEWPID = 0x20000000;
const CLONE_NEWNET = 0x40000000;

/**
 * The whole namespace sandbox as one Perl program (root), replacing the chain
 * `unshare` → /bin/sh → perl (mounts) → `unshare --root` → `setpriv` [→ perl seccomp] [→ sh + socat]
 * (measured here: 31–61 ms over `true`; every exec costs 2–9 ms on this machine, and so does every
 * fork of a Perl process — ~4 ms, copy-on-write faults — hence only one):
 *   outer:   [restricted: netns, listener and bridge, as the bwrap wrapper] [none: netns];
 *            unshare(mount, PID, IPC, UTS), / private, the same mounts as namespacePerl but /proc,
 *            the run's cgroup joined, fork; then it waits and passes the status on, ignoring TERM as
 *            `unshare --fork` did (the timeout lives inside);
 *   PID 1:   dies with the outer process; a cgroup namespace rooted at the run's group; /proc of the
 *            new PID namespace; chroot, chdir; bounding set emptied (every capability up to
 *            cap_last_cap), ambient cleared, no_new_privs, [interactive: the TIOCSTI filter],
 *            capabilities zeroed (inheritable too); the user's LC_ALL back; exec /bin/sh, which
 *            stays PID 1 as the command's parent (a namespace's init ignores Ctrl-C: the command
 *            must not be it), [`timeout` in between], status passed on. Interactive: INT/QUIT stay
 *            ignored up to here (dash -c would catch INT and exit 130 over the command's own
 *            status) and `env --default-signal` gives them back to the command (signalSuffix).
 * PID 1 keeps nothing the command lacks (same root, no capabilities), so it needs no protection
 * from it. Every setup step fails closed with status 125 and one line.
 */
export function namespaceOneScript(plan: SandboxPlan, opts: NamespaceOptions, setsEnv = false): string {
  const nr = PERL_SYSCALLS[opts.perl!.arch];
  const L: string[] = [...perlPrologue(plan, setsEnv)];
  L.push(`sub vg_die { print STDERR "vg: sandbox could not start: $_[0]\\n"; exit 125 }`);
  L.push(`sub vg_w { open(my $h, '>', $_[0]) or return 0; syswrite($h, $_[1]) or return 0; close($h) }`);
  if (plan.network === 'restricted' && opts.proxySocket) L.push(...perlBridgeLines(nr, opts.proxySocket, opts.perl!.arch));
  else if (plan.network !== 'full') L.push(`syscall(${nr.unshare}, ${CLONE_NEWNET}) == 0 or vg_die('cannot make the network namespace — run vg doctor');`);
  L.push(
    `syscall(${nr.unshare}, ${CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS}) == 0 && syscall(${nr.mount}, 0, my $vg_sl = '/', 0, 0x44000, 0) == 0 or vg_die('cannot make the namespaces — run vg doctor');`,
    `{ ${namespacePerl(plan, opts, { errFd: 2, bridgeInside: false, proc: false })} }`,
  );
  // After the mounts (syscalls, ~ms): a 0.25-CPU quota does not slow the setup down.
  const limits = opts.limits ?? { kind: 'none' };
  if (limits.kind === 'cgroup') L.push(cgroupPerl(limits));
  const R = `${opts.scratch ?? '/tmp'}/r`;
  const seccomp = plan.interactive && opts.seccompPath ? perlSeccompLoad(SECCOMP_FD, opts.perl!.arch) : null;
  const lc = plan.env.LC_ALL !== undefined ? `$ENV{LC_ALL} = ${pq(plan.env.LC_ALL)};` : `delete $ENV{LC_ALL};`;
  // `"$@"; exit $?`: a second command keeps dash from exec'ing the last one (which would make it PID 1).
  const tmo = plan.timeout > 0 ? `timeout --foreground -k 2 ${plan.timeout} ` : '';
  L.push(
    `my $vg_p1 = fork; defined $vg_p1 or vg_die('cannot fork');`,
    `if ($vg_p1) { $SIG{TERM} = 'IGNORE'; waitpid($vg_p1, 0); my $s = $?; exit(($s & 127) ? 128 + ($s & 127) : $s >> 8) }`,
    // PID 1 from here on: it dies with the outer process (unshare --kill-child).
    `syscall(${nr.prctl}, 1, 9); ` +
      (limits.kind === 'cgroup' ? `syscall(${nr.unshare}, ${CLONE_NEWCGROUP}) == 0 or vg_die('cannot make the cgroup namespace — run vg doctor'); ` : '') +
      `syscall(${nr.mount}, my $vg_pn = 'proc', my $vg_pt = ${pq(R + '/proc')}, my $vg_pf = 'proc', 14, 0) == 0 or vg_die('cannot mount /proc — run vg doctor'); ` +
      `chroot(${pq(R)}) && chdir(${pq(plan.cwd)}) or vg_die(${pq(`cannot enter ${plan.cwd} in the sandbox`)}); ` +
      `open(my $cl, '<', '/proc/sys/kernel/cap_last_cap') or vg_die('cannot read cap_last_cap'); my $last = <$cl> + 0; close $cl; ` +
      `for my $c (0 .. $last) { syscall(${nr.prctl}, 24, $c + 0, 0, 0, 0) == 0 or vg_die('cannot drop the capability bounding set') } ` +
      `syscall(${nr.prctl}, 47, 4, 0, 0, 0); syscall(${nr.prctl}, 38, 1, 0, 0, 0) == 0 or vg_die('cannot set no_new_privs'); ` +
      (seccomp ? `eval { ${seccomp} 1 } or do { print STDERR $@; exit 125 }; ` : '') +
      `my ($ch, $cd) = (pack('L i', 0x20080522, 0), pack('L6', 0, 0, 0, 0, 0, 0)); syscall(${nr.capset}, $ch, $cd) == 0 or vg_die('cannot drop capabilities'); ` +
      `${lc} ` +
      `exec { '/bin/sh' } 'vg-ns', '-c', ${pq(`${tmo}"$@"; exit $?`)}, 'vg-ns', @ARGV; vg_die("cannot run /bin/sh in the sandbox: $!");`,
  );
  return L.join('\n');
}

export function namespaceArgv(plan: SandboxPlan, opts: NamespaceOptions = {}): Invocation {
  if (namespaceOneProcess(opts)) return namespaceOneArgv(plan, opts);
  const env: Record<string, string> = { ...plan.env };
  // perl (mount setup, seccomp loader) warns on every start when the locale is not installed.
  if (opts.perl) env.PERL_BADLANG = '0';
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
  // rlimits wrap the outside; the cgroup join is the setup script's last step (see namespaceScript);
  // the overlay is done by the setup script itself.
  const outer = wrapperArgv(plan, { ...opts, overlay: null, perl: undefined, limits: opts.limits?.kind === 'cgroup' ? { kind: 'none' } : opts.limits });
  // Interactive: the TIOCSTI filter, loaded by perl from the fd (no bwrap --seccomp here).
  const files: { fd: number; path: string }[] = [];
  const perl = plan.interactive && opts.seccompPath ? perlSeccompArgv(SECCOMP_FD) : null;
  if (perl) files.push({ fd: SECCOMP_FD, path: opts.seccompPath! });
  const argv = [...signalPrefix(plan, opts.envBin), ...outer, ...ns, '/bin/sh', '-c', namespaceScript(plan, opts), 'vg-ns', ...(perl ?? []), ...signalSuffix(plan, opts.envBin), ...cmd];
  const cleanup = cgroupCleanup(opts.limits ?? { kind: 'none' });
  return { argv, env, ...(files.length ? { files } : {}), ...(needsProxy ? { needsProxy } : {}), ...(cleanup.length ? { cleanup } : {}) };
}

function namespaceOneArgv(plan: SandboxPlan, opts: NamespaceOptions): Invocation {
  // perl initialises the user's locale on every start (~1 ms with C.UTF-8); the command gets it back.
  const env: Record<string, string> = { ...plan.env, LC_ALL: 'C' };
  let needsProxy: Invocation['needsProxy'];
  if (plan.network === 'restricted' && opts.proxySocket) {
    Object.assign(env, proxyEnv());
    needsProxy = { socketPath: opts.proxySocket, allowedDomains: plan.allowedDomains };
  }
  // rlimits still wrap the outside (prlimit); the cgroup join is PID 1's (see namespaceOneScript).
  const outer = wrapperArgv(plan, { ...opts, overlay: null, perl: undefined, limits: opts.limits?.kind === 'cgroup' ? { kind: 'none' } : opts.limits });
  const files = plan.interactive && opts.seccompPath ? [{ fd: SECCOMP_FD, path: opts.seccompPath }] : [];
  const cleanup = cgroupCleanup(opts.limits ?? { kind: 'none' });
  // perl first (no prlimit before it): it sets the environment itself, no `env -i` exec (see envArgv).
  const byWrapper = outer.length === 0;
  const argv = [...outer, opts.perl!.bin, '-e', namespaceOneScript(plan, opts, byWrapper), '--', ...(byWrapper ? envArgv(env) : []), ...signalSuffix(plan, opts.envBin), ...commandArgv(plan)];
  return {
    argv,
    env: byWrapper ? { ...PERL_START_ENV } : env,
    ...(byWrapper ? { envByWrapper: true } : {}),
    ...(files.length ? { files } : {}),
    ...(needsProxy ? { needsProxy } : {}),
    ...(cleanup.length ? { cleanup } : {}),
  };
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
