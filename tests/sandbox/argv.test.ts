// bwrap/namespace argv, seccomp program, limits and runtime selection — as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSandbox, type FsProbe } from '../../src/sandbox/plan.ts';
import { defaultConfig, type SecurityLevel } from '../../src/store/config/types.ts';
import { bwrapArgv, PERL_ENV_FROM_ARGV, PERL_START_ENV, PROXY_DIR_INSIDE } from '../../src/runtimes/bwrap.ts';
import { namespaceArgv, namespaceScript } from '../../src/runtimes/namespace.ts';
import { ttyFilterProgram, ttyFilterBytes, perlSeccompArgv, TIOCSTI } from '../../src/runtimes/seccomp.ts';
import { parseCgroupMounts, planLimits, cgroupScript, describeEnforcement, type CgroupProbe } from '../../src/runtimes/limits.ts';
import { autoOrder, detectCI, resolveRuntime, registerRuntime, unavailable } from '../../src/runtimes/select.ts';
import { hostSubmounts } from '../../src/runtimes/host.ts';
import type { Runtime } from '../../src/runtimes/types.ts';

const HOME = '/home/u';
const dirs = new Set([HOME, `${HOME}/proj`, `${HOME}/proj/.git`, `${HOME}/proj/.git/hooks`, `${HOME}/.npm`, `${HOME}/.ssh`, '/sys', '/var/tmp', '/run/user', '/cfs']);
const files = new Set([`${HOME}/.npmrc`, '/var/run/docker.sock', '/run/docker.sock', '/bin/bash', `${HOME}/proj/.git/config`]);
const fs: FsProbe = { kind: (p) => (dirs.has(p) ? 'dir' : files.has(p) ? 'file' : null), real: (p) => p.replace(/^\/var\/run\//, '/run/') };
const ENV = { HOME, PATH: '/usr/bin:/bin', SHELL: '/bin/bash', GH_TOKEN: 'x' };
function plan(level: SecurityLevel, interactive = false) {
  const cfg = defaultConfig();
  cfg.sandbox.security_level = level;
  return planSandbox({ config: cfg, cwd: `${HOME}/proj`, command: { line: 'npm test' }, interactive, env: ENV, home: HOME, runtime: 'bubblewrap', fs });
}
const pairs = (a: string[], flag: string) => a.flatMap((x, i) => (x === flag ? [a[i + 1]] : []));
const triples = (a: string[], flag: string) => a.flatMap((x, i) => (x === flag ? [[a[i + 1], a[i + 2]]] : []));

test('bwrap: strict = read-only root, caps dropped, namespaces, new session, canonical hides', () => {
  const inv = bwrapArgv(plan('strict'), { fs });
  const a = inv.argv;
  assert.equal(a[0], 'bwrap');
  assert.deepEqual(a.slice(1, 3), ['--cap-drop', 'ALL']);
  for (const f of ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--unshare-net', '--die-with-parent', '--new-session']) assert.ok(a.includes(f), f);
  assert.deepEqual(triples(a, '--ro-bind')[0], ['/', '/']);
  assert.ok(pairs(a, '--tmpfs').includes('/tmp') && pairs(a, '--tmpfs').includes(`${HOME}/.ssh`) && pairs(a, '--tmpfs').includes('/run/user'));
  const nulls = triples(a, '--ro-bind').filter(([s]) => s === '/dev/null').map(([, d]) => d);
  assert.deepEqual(nulls, ['/run/docker.sock', `${HOME}/.npmrc`], 'docker.sock once (canonical), .npmrc as a file');
  assert.deepEqual(triples(a, '--bind'), [[`${HOME}/proj`, `${HOME}/proj`], [`${HOME}/.npm`, `${HOME}/.npm`], [`${HOME}/.cache/pip`, `${HOME}/.cache/pip`]], 'npm and pip caches are created on demand');
  const ro = triples(a, '--ro-bind').map(([s]) => s);
  assert.ok(ro.indexOf(`${HOME}/proj/.git/hooks`) > 0 && a.indexOf(`${HOME}/proj/.git/hooks`) > a.indexOf(`${HOME}/proj`), 'protect after workspace');
  assert.deepEqual(a.slice(a.indexOf('--chdir')), ['--chdir', `${HOME}/proj`, '--', '/bin/bash', '-c', 'npm test']);
  assert.equal(inv.env.GH_TOKEN, undefined);
  assert.equal(inv.files, undefined);
  assert.ok(!a.includes('--seccomp'));
});

test('bwrap: hides come before mounts so binds show through', () => {
  const a = bwrapArgv(plan('balanced'), { fs }).argv;
  assert.ok(a.lastIndexOf(`${HOME}/.ssh`) < a.indexOf(`${HOME}/proj`));
});

test('bwrap: interactive → no --new-session, seccomp on fd 9 via files, Ctrl-C reaches the command only', () => {
  const inv = bwrapArgv(plan('balanced', true), { fs, seccompPath: '/state/seccomp-tty.bpf' });
  const a = inv.argv;
  assert.ok(!a.includes('--new-session'));
  assert.deepEqual(pairs(a, '--seccomp'), ['9']);
  assert.deepEqual(inv.files, [{ fd: 9, path: '/state/seccomp-tty.bpf' }]);
  assert.deepEqual(a.slice(0, 2), ['env', '--ignore-signal=INT,QUIT']);
  assert.deepEqual(a.slice(a.indexOf('--') + 1, a.indexOf('--') + 3), ['env', '--default-signal=INT,QUIT']);
});

test('timeout is in the argv: outermost for bwrap, inside the namespace script', () => {
  const cfg = defaultConfig();
  cfg.sandbox.timeout = 30;
  const p = planSandbox({ config: cfg, cwd: `${HOME}/proj`, command: { argv: ['true'] }, interactive: false, env: ENV, home: HOME, runtime: 'bubblewrap', fs });
  assert.deepEqual(bwrapArgv(p, { fs }).argv.slice(0, 6), ['timeout', '--foreground', '-k', '2', '30', 'bwrap']);
  assert.match(namespaceScript(p, { fs, root: true, scratch: '/s' }), /\ntimeout --foreground -k 2 30 unshare --root=/);
  assert.ok(!bwrapArgv(plan('strict'), { fs }).argv.includes('timeout'));
});

test('bwrap: network full keeps the host network; none and restricted unshare it', () => {
  const cfg = defaultConfig();
  cfg.sandbox.security_level = 'permissive';
  const p = planSandbox({ config: cfg, cwd: `${HOME}/proj`, command: { argv: ['true'] }, interactive: false, env: ENV, home: HOME, runtime: 'bubblewrap', fs });
  assert.ok(!bwrapArgv(p, { fs }).argv.includes('--unshare-net'));
  assert.ok(bwrapArgv(plan('paranoid'), { fs }).argv.includes('--unshare-net'));
});

test('bwrap: restricted → proxy dir bound under the private /tmp, socat bridge, proxy env, needsProxy', () => {
  const inv = bwrapArgv(plan('balanced'), { fs, proxySocket: '/run/vgp/proxy.sock' });
  const a = inv.argv;
  assert.deepEqual(triples(a, '--bind').at(-1), ['/run/vgp', PROXY_DIR_INSIDE]);
  const cmd = a.slice(a.indexOf('--') + 1);
  assert.equal(cmd[0], '/bin/sh');
  assert.match(cmd[2], /socat TCP-LISTEN:3128,bind=127\.0\.0\.1,fork,reuseaddr UNIX-CONNECT:\/tmp\/\.vg-net\/proxy\.sock/);
  assert.deepEqual(cmd.slice(3), ['vg-net', '/bin/bash', '-c', 'npm test']);
  for (const k of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'npm_config_proxy', 'npm_config_https_proxy', 'PIP_PROXY']) assert.equal(inv.env[k], 'http://127.0.0.1:3128', k);
  assert.deepEqual(inv.needsProxy, { socketPath: '/run/vgp/proxy.sock', allowedDomains: plan('balanced').allowedDomains });
});

test('bwrap: overlay root through a private mount namespace; cgroup join in the same shell step', () => {
  const p = plan('balanced');
  const limits = planLimits(p.limits, { version: 1, memory: '/cg/memory', cpu: '/cg/cpu', pids: '/cg/pids', writable: { memory: true, cpu: true, pids: true } }, 'abc');
  const inv = bwrapArgv(p, { fs, overlay: { dir: '/state/overlay', userns: false }, limits, submounts: ['/proc', '/cfs', '/tmp/x', '/sys/fs/cgroup'] });
  const a = inv.argv;
  assert.deepEqual(a.slice(0, 5), ['unshare', '--mount', '--propagation', 'private', '/bin/sh']);
  assert.match(a[6], /echo 1073741824 > '\/cg\/memory\/vg\/abc\/memory\.limit_in_bytes'/);
  assert.match(a[6], /echo 100000 > '\/cg\/cpu\/vg\/abc\/cpu\.cfs_quota_us'/);
  assert.match(a[6], /echo 512 > '\/cg\/pids\/vg\/abc\/pids\.max'/);
  assert.match(a[6], /echo \$\$ > '\/cg\/memory\/vg\/abc\/tasks'/);
  assert.match(a[6], /mount -t overlay vg-overlay -o lowerdir=\/,upperdir='\/state\/overlay'\/u/);
  assert.match(a[6], /exit 125/);
  assert.deepEqual(a.slice(7, 9), ['vg-sandbox', 'bwrap']);
  assert.deepEqual(triples(a, '--bind')[0], ['/state/overlay/r', '/']);
  assert.deepEqual(triples(a, '--ro-bind-try'), [['/cfs', '/cfs']], 'only real submounts, not /proc, /tmp, /sys');
  assert.deepEqual(inv.cleanup, ['/cg/memory/vg/abc', '/cg/cpu/vg/abc', '/cg/pids/vg/abc']);
});

test('bwrap: overlay unavailable → read-only root; rlimit fallback via prlimit', () => {
  const p = plan('balanced');
  const a = bwrapArgv(p, { fs, overlay: null, limits: { kind: 'rlimit', limits: p.limits } }).argv;
  assert.deepEqual(a.slice(0, 3), ['prlimit', '--data=1073741824', '--']);
  assert.deepEqual(triples(a, '--ro-bind')[0], ['/', '/']);
});

test('namespace: unshare flags, setup script mounts, caps dropped, pid 1 stays the shell', () => {
  const p = plan('strict');
  const inv = namespaceArgv(p, { fs, root: true, scratch: '/state/ns', submounts: ['/cfs'] });
  const a = inv.argv;
  assert.deepEqual(a.slice(0, a.indexOf('/bin/sh')), ['unshare', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--ipc', '--uts', '--cgroup', '--net']);
  const s = a[a.indexOf('/bin/sh') + 2];
  assert.match(s, /mount --bind \/ "\$R" && mount -o remount,bind,ro "\$R"/);
  assert.match(s, /mount -t tmpfs -o size=1m,mode=0700 vg-hide "\$R"'\/home\/u\/\.ssh'/);
  assert.match(s, /mount --bind '\/dev\/null' "\$R"'\/run\/docker\.sock'/);
  assert.match(s, /mount --bind '\/home\/u\/proj\/.git\/hooks' "\$R"'\/home\/u\/proj\/.git\/hooks' && mount -o remount,bind,ro/);
  assert.match(s, /setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "\$@"\nexit \$\?$/);
  assert.ok(!/\bexec unshare\b/.test(s));
  assert.deepEqual(a.slice(-4), ['vg-ns', '/bin/bash', '-c', 'npm test']);
  const user = namespaceArgv(p, { fs, root: false, scratch: '/s' }).argv;
  assert.deepEqual(user.slice(0, 3), ['unshare', '--user', '--map-root-user']);
  assert.match(namespaceScript(plan('balanced'), { fs, overlay: { dir: '/o', userns: false }, scratch: '/o' }), /mount -t overlay vg-overlay -o lowerdir=\/,upperdir='\/o'\/u/);
});

test('namespace: interactive loads the TIOCSTI filter with perl from fd 9', () => {
  const inv = namespaceArgv(plan('balanced', true), { fs, root: true, scratch: '/s', seccompPath: '/state/f.bpf' });
  assert.deepEqual(inv.files, [{ fd: 9, path: '/state/f.bpf' }]);
  const i = inv.argv.indexOf('vg-ns');
  assert.equal(inv.argv[i + 1], 'perl');
  assert.deepEqual(inv.argv.slice(i + 4, i + 6), ['env', '--default-signal=INT,QUIT']);
  assert.match(perlSeccompArgv(9, 'x64')![2], /syscall\(157, 22, 2, \$fp/);
  assert.equal(perlSeccompArgv(9, 'mips'), null);
});

test('seccomp: program shape, jumps in range, x86_64 ioctl(TIOCSTI) → EPERM', () => {
  const prog = ttyFilterProgram();
  const bytes = ttyFilterBytes();
  assert.equal(bytes.length, prog.length * 8);
  assert.ok(bytes.length < 256, `${bytes.length} bytes`);
  // Interpret the program for a few inputs.
  const run = (arch: number, nr: number, arg1: number) => {
    let pc = 0;
    let acc = 0;
    for (let steps = 0; steps < 100; steps++) {
      const { code, jt, jf, k } = prog[pc];
      if (code === 0x20) acc = k === 4 ? arch : k === 0 ? nr : k === 24 ? arg1 : NaN;
      else if (code === 0x15) pc += acc === k ? jt : jf;
      else if (code === 0x35) pc += acc >= k ? jt : jf;
      else if (code === 0x06) return k;
      pc++;
    }
    throw new Error('no return');
  };
  const ALLOW = 0x7fff0000;
  const EPERM = 0x00050001;
  assert.equal(run(0xc000003e, 16, TIOCSTI), EPERM);
  assert.equal(run(0xc000003e, 16, 0x541c), EPERM);
  assert.equal(run(0xc000003e, 16, 0x5401), ALLOW, 'TCGETS');
  assert.equal(run(0xc000003e, 0, TIOCSTI), ALLOW, 'read');
  assert.equal(run(0xc000003e, 0x40000010, TIOCSTI), EPERM, 'x32 ABI refused');
  assert.equal(run(0x40000003, 54, TIOCSTI), EPERM, 'i386');
  assert.equal(run(0xc00000b7, 29, TIOCSTI), EPERM, 'aarch64');
  assert.equal(run(0xc00000b7, 16, TIOCSTI), ALLOW, 'aarch64 nr 16 is not ioctl');
  assert.equal(run(0x12345678, 16, TIOCSTI), ALLOW, 'unknown arch');
});

test('limits: mountinfo parsing (v1 and v2), plans, script, enforcement lines', () => {
  const v1 = [
    '30 26 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '31 26 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
    '32 26 0:28 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  ].join('\n');
  assert.deepEqual(parseCgroupMounts(v1), { version: 1, memory: '/sys/fs/cgroup/memory', cpu: '/sys/fs/cgroup/cpu,cpuacct', pids: '/sys/fs/cgroup/pids' });
  const v2 = '29 26 0:25 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw';
  assert.equal(parseCgroupMounts(v2).version, 2);
  assert.equal(parseCgroupMounts('').version, 0);
  const lim = { memoryBytes: 512 * 1048576, cpus: 0.5, pids: 256 };
  const none: CgroupProbe = { version: 0, writable: { memory: false, cpu: false, pids: false } };
  assert.deepEqual(planLimits(lim, none), { kind: 'rlimit', limits: lim });
  assert.deepEqual(planLimits(lim, none, 'x', false), { kind: 'none' });
  const p2 = planLimits(lim, { version: 2, memory: '/cg', cpu: '/cg', pids: '/cg', writable: { memory: true, cpu: true, pids: true } }, 'id');
  assert.ok(p2.kind === 'cgroup');
  const s2 = cgroupScript(p2 as Extract<typeof p2, { kind: 'cgroup' }>);
  assert.match(s2, /echo "50000 100000" > '\/cg\/vg\/id\/cpu\.max'/);
  assert.match(s2, /echo \$\$ > '\/cg\/vg\/id\/cgroup\.procs'/);
  assert.match(describeEnforcement(p2).memory, /cgroup v2 \(512 MB, sandbox-wide\)/);
  assert.match(describeEnforcement({ kind: 'rlimit', limits: lim }).cpu, /not enforced/);
  const partial = planLimits(lim, { version: 1, memory: '/m', cpu: '/c', pids: '/p', writable: { memory: true, cpu: false, pids: true } }, 'id');
  assert.match(describeEnforcement(partial).cpu, /not enforced/);
});

test('hostSubmounts: children of listed mounts folded into their parent', () => {
  const info = ['1 0 0:1 / / rw - ext4 x rw', '2 1 0:2 / /proc rw - proc p rw', '3 1 0:3 / /data rw - ext4 y rw', '4 3 0:4 / /data/sub rw - ext4 z rw', '5 1 0:5 / /a\\040b rw - tmpfs t rw'].join('\n');
  assert.deepEqual(hostSubmounts(info), ['/a b', '/data', '/proc']);
});

test('select: CI detection and auto order', () => {
  assert.equal(detectCI({ GITHUB_ACTIONS: 'true' }), 'GITHUB_ACTIONS');
  assert.equal(detectCI({ CI: 'false' }), null);
  assert.equal(detectCI({}), null);
  const cfg = defaultConfig();
  assert.deepEqual(autoOrder(cfg, {}), ['bubblewrap', 'namespace', 'docker', 'podman']);
  assert.deepEqual(autoOrder(cfg, { CI: '1' }), ['bubblewrap', 'namespace', 'docker', 'podman'], 'prefer_fast wins');
  cfg.sandbox.prefer_fast = false;
  assert.deepEqual(autoOrder(cfg, { GITLAB_CI: 'true' }), ['docker', 'podman', 'bubblewrap', 'namespace']);
  cfg.sandbox.auto_detect_env = false;
  assert.deepEqual(autoOrder(cfg, { GITLAB_CI: 'true' }), ['bubblewrap', 'namespace', 'docker', 'podman']);
});

test('select: configured-but-missing runtime → one-line VgError 125 naming the install; auto falls back with a note', async () => {
  const fake = (name: Runtime['name'], ok: boolean): Runtime => ({
    name,
    available: async () => (ok ? { ok: true } : { ok: false, reason: `${name} is not installed — x` }),
    invocation: () => ({ argv: [], env: {} }),
    run: async () => ({ status: 0, durationMs: 0 }),
  });
  registerRuntime('bubblewrap', async () => fake('bubblewrap', false));
  registerRuntime('namespace', async () => fake('namespace', true));
  const cfg = defaultConfig();
  cfg.sandbox.runtime = 'bubblewrap';
  await assert.rejects(resolveRuntime(cfg, {}), (e: Error & { status?: number }) => {
    assert.equal(e.status, 125);
    assert.match(e.message, /^sandbox runtime bubblewrap is not usable here: bubblewrap is not installed — apt-get install bubblewrap/);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
  cfg.sandbox.runtime = 'auto';
  const r = await resolveRuntime(cfg, {});
  assert.equal(r.runtime.name, 'namespace');
  assert.match(r.note ?? '', /bubblewrap unavailable, using namespace/);
  cfg.sandbox.runtime = 'docker';
  registerRuntime('docker', unavailable('docker'));
  await assert.rejects(resolveRuntime(cfg, {}), /docker runtime unavailable in this build/);
});

// ───────────── the one-process Perl wrapper (root, x86_64/aarch64, perl present) ─────────────
import { spawnSync } from 'node:child_process';
import { namespacePerl } from '../../src/runtimes/namespace.ts';
import { perlWrapperScript, usesPerlWrapper } from '../../src/runtimes/bwrap.ts';

const PERL = { bin: '/usr/bin/perl', arch: 'x64' };
const cg = (p: ReturnType<typeof plan>) => planLimits(p.limits, { version: 1, memory: '/cg/memory', cpu: '/cg/cpu', pids: '/cg/pids', writable: { memory: true, cpu: true, pids: true } }, 'abc');
/** perl -c: the generated program at least compiles (when perl is here). */
function compiles(code: string): void {
  const r = spawnSync('perl', ['-c', '-e', code], { encoding: 'utf8' });
  if (r.error) return;
  assert.equal(r.status, 0, r.stderr);
}

test('bwrap + perl: balanced = cgroup, overlay, netns and bridge in one process; no unshare/mount/socat execs', () => {
  const p = plan('balanced');
  const opts = { fs, perl: PERL, overlay: { dir: '/state/overlay', userns: false }, limits: cg(p), proxySocket: '/run/vgp/proxy.sock', submounts: ['/cfs'] };
  const inv = bwrapArgv(p, opts);
  const a = inv.argv;
  assert.deepEqual(a.slice(0, 2), ['/usr/bin/perl', '-e']);
  // The wrapper sets the environment itself (no `env -i` exec): K=V words between `--` and `--`.
  const envEnd = a.indexOf('--', 4);
  assert.equal(a[3], '--');
  assert.equal(a[envEnd + 1], 'bwrap');
  const words = a.slice(4, envEnd);
  assert.ok(words.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)), 'only assignments');
  for (const w of ['HOME=/home/u', 'LC_ALL=C', 'https_proxy=http://127.0.0.1:3128', 'VG_SANDBOX=1']) assert.ok(words.includes(w), w);
  assert.ok(!words.some((w) => /TOKEN|SECRET|SSH_AUTH_SOCK/.test(w)), 'secrets stay dropped');
  assert.deepEqual(inv.env, PERL_START_ENV, 'the wrapper itself needs only the C locale, and perl\'s own variables emptied');
  assert.equal(inv.env.PERL5OPT, '');
  assert.equal(inv.envByWrapper, true);
  const s = a[2];
  compiles(s);
  assert.ok(s.startsWith(PERL_ENV_FROM_ARGV), 'the environment is replaced before anything else runs');
  // cgroup: same files and values as the shell step, join last, fail closed
  assert.match(s, /vg_w\('\/cg\/memory\/vg\/abc\/memory\.limit_in_bytes', '1073741824'\)/);
  assert.match(s, /vg_w\('\/cg\/cpu\/vg\/abc\/cpu\.cfs_quota_us', '100000'\)/);
  assert.match(s, /vg_w\('\/cg\/pids\/vg\/abc\/pids\.max', '512'\)/);
  assert.match(s, /vg_w\('\/cg\/pids\/vg\/abc\/tasks', \$\$\)/);
  assert.match(s, /exit 125/);
  // overlay in a private mount namespace; network namespace made here, listener before the sandbox
  assert.match(s, /syscall\(272, 0x20000\)/);
  assert.match(s, /lowerdir=\/,upperdir=\$d\/u,workdir=\$d\/w/);
  assert.match(s, /syscall\(272, 0x40000000\)/);
  assert.match(s, /listen\(\$vg_l, 128\)/);
  assert.match(s, /pack\('S a108', 1, '\/run\/vgp\/proxy\.sock'\)/);
  assert.match(s, /syscall\(157, 1, 9\)/, 'the bridge dies with the sandbox (PDEATHSIG)');
  assert.ok(s.indexOf('0x40000000') < s.indexOf('exec {'), 'bridge before exec');
  const bw = a.slice(envEnd + 1);
  assert.ok(!bw.includes('--unshare-net'), 'bwrap inherits the namespace made by the wrapper');
  for (const f of ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--cap-drop', '--die-with-parent', '--new-session']) assert.ok(bw.includes(f), f);
  assert.ok(!a.includes('unshare') && !a.some((x) => /socat|mount -t/.test(x)));
  assert.ok(!triples(bw, '--bind').some(([, d]) => d === PROXY_DIR_INSIDE), 'the proxy socket is not bound inside');
  assert.deepEqual(triples(bw, '--bind')[0], ['/state/overlay/r', '/']);
  assert.deepEqual(a.slice(a.lastIndexOf('--') + 1), ['/bin/bash', '-c', 'npm test']);
  assert.deepEqual(inv.needsProxy, { socketPath: '/run/vgp/proxy.sock', allowedDomains: p.allowedDomains });
  assert.deepEqual(inv.cleanup, ['/cg/memory/vg/abc', '/cg/cpu/vg/abc', '/cg/pids/vg/abc']);
});

test('bwrap + perl: permissive (full network) keeps the host network; strict (ro root, restricted) has no overlay step', () => {
  const perm = plan('permissive');
  const a = bwrapArgv(perm, { fs, perl: PERL, overlay: { dir: '/o', userns: false }, limits: cg(perm) }).argv;
  assert.equal(a[0], '/usr/bin/perl');
  assert.ok(!a[2].includes('0x40000000') && !a.includes('--unshare-net'));
  compiles(a[2]);
  const st = plan('strict');
  const b = bwrapArgv(st, { fs, perl: PERL, overlay: null, limits: cg(st), proxySocket: '/run/vgp/proxy.sock' }).argv;
  assert.equal(b[0], '/usr/bin/perl');
  assert.ok(!b[2].includes('0x20000)') && b[2].includes('0x40000000'));
  assert.deepEqual(triples(b, '--ro-bind')[0], ['/', '/']);
  compiles(b[2]);
});

test('bwrap + perl: not used where it saves nothing or cannot work', () => {
  const par = plan('paranoid'); // ro root, no network: one /bin/sh for the cgroup join is cheaper than perl
  const a = bwrapArgv(par, { fs, perl: PERL, limits: cg(par) }).argv;
  assert.equal(a[0], '/bin/sh');
  assert.match(a[2], /\{ \[ -d '\/cg\/memory\/vg\/abc' \] && .* \|\| mkdir -p /, 'mkdir only when the groups were not made beforehand');
  assert.ok(a.includes('--unshare-net'));
  const bal = plan('balanced');
  assert.ok(!usesPerlWrapper(bal, { perl: { bin: 'perl', arch: 'riscv64' }, overlay: { dir: '/o', userns: false } }), 'unknown syscall numbers');
  assert.ok(!usesPerlWrapper(bal, { perl: PERL, overlay: { dir: '/o', userns: true } }), 'non-root needs unshare --user');
  const u = bwrapArgv(bal, { fs, perl: PERL, overlay: { dir: '/o', userns: true }, ids: { uid: 1000, gid: 1000 }, proxySocket: '/run/vgp/proxy.sock' }).argv;
  assert.equal(u[0], 'unshare');
  assert.ok(u.includes('--unshare-net') && u.some((x) => x.includes('socat')));
  // rlimit fallback still wraps the outside
  const r = bwrapArgv(bal, { fs, perl: PERL, overlay: { dir: '/o', userns: false }, limits: { kind: 'rlimit', limits: bal.limits } }).argv;
  assert.deepEqual(r.slice(0, 4), ['prlimit', '--data=1073741824', '--', '/usr/bin/perl']);
  assert.ok(perlWrapperScript(bal, { perl: { bin: 'perl', arch: 'arm64' }, overlay: { dir: '/o', userns: false } }).includes('syscall(97, 0x20000)'));
});

test('namespace + perl (root): the whole sandbox is one perl process; cgroup joined after setup, fresh cgroup ns', () => {
  const p = plan('strict');
  const opts = { fs, root: true, perl: PERL, scratch: '/state/ns', submounts: ['/cfs'], limits: cg(p), proxySocket: '/run/vgp/proxy.sock' };
  const inv = namespaceArgv(p, opts);
  const a = inv.argv;
  assert.deepEqual(a.slice(0, 2), ['/usr/bin/perl', '-e'], 'no unshare, sh, setpriv or socat execs');
  const envEnd = a.indexOf('--', 4);
  assert.equal(a[3], '--');
  assert.ok(a.slice(4, envEnd).includes('PATH=/usr/bin:/bin') && a.slice(4, envEnd).includes('LC_ALL=C'), 'the environment as K=V words');
  assert.deepEqual(a.slice(envEnd), ['--', '/bin/bash', '-c', 'npm test']);
  const s = a[2];
  compiles(s);
  assert.ok(s.startsWith(PERL_ENV_FROM_ARGV));
  assert.deepEqual(inv.env, PERL_START_ENV);
  assert.equal(inv.envByWrapper, true);
  assert.match(s, /delete \$ENV\{LC_ALL\}; exec/, 'the command gets the user\'s (absent) LC_ALL back');
  // order: netns + bridge, other namespaces, mounts, cgroup join, fork (PID 1), cgroup ns, /proc, chroot, caps, exec sh
  const at = (re: RegExp) => {
    const i = s.search(re);
    assert.ok(i >= 0, String(re));
    return i;
  };
  const order = [/syscall\(272, 0x40000000\)/, /listen\(\$vg_l, 128\)/, /syscall\(272, 738328576\)/, /mt\('\/sys', "\$R\/sys"/, /vg_w\('\/cg\/pids\/vg\/abc\/tasks', \$\$\)/, /my \$vg_p1 = fork/, /syscall\(272, 33554432\)/, /my \$vg_pt = '\/state\/ns\/r\/proc'/, /chroot\('\/state\/ns\/r'\) && chdir\('\/home\/u\/proj'\)/, /syscall\(157, 24, \$c \+ 0/, /syscall\(157, 38, 1/, /syscall\(126, \$ch, \$cd\)/, /exec \{ '\/bin\/sh' \} 'vg-ns', '-c', '"\$@"; exit \$\?', 'vg-ns', @ARGV/];
  const pos = order.map(at);
  assert.deepEqual([...pos].sort((x, y) => x - y), pos, 'steps in order');
  assert.ok(!s.includes(PROXY_DIR_INSIDE), 'the bridge stays outside: no proxy dir inside');
  assert.ok(!/mt\('proc'/.test(s), '/proc only once the PID namespace exists (PID 1 mounts it)');
  assert.match(s, /if \(\$vg_p1\) \{ \$SIG\{TERM\} = 'IGNORE'; waitpid/);
  // no timeout, not interactive: no alarm, no seccomp, no signal games
  assert.ok(!/timeout|syscall\(157, 22|\$SIG\{INT\} = \$SIG\{QUIT\} = 'IGNORE'/.test(s));
  const t = namespaceArgv(planSandbox({ config: (() => { const c = defaultConfig(); c.sandbox.security_level = 'paranoid'; c.sandbox.timeout = 5; return c; })(), cwd: `${HOME}/proj`, command: { line: 'x' }, interactive: true, env: ENV, home: HOME, runtime: 'bubblewrap', fs }), { ...opts, seccompPath: '/state/seccomp-tty.bpf' });
  assert.match(t.argv[2], /'timeout --foreground -k 2 5 "\$@"; exit \$\?'/);
  assert.match(t.argv[2], /^\$SIG\{INT\} = \$SIG\{QUIT\} = 'IGNORE';$/m);
  assert.match(t.argv[2], /syscall\(157, 22, 2, \$fp/);
  assert.match(t.argv[2], /syscall\(272, 1073741824\) == 0 or vg_die/, 'network none: its own namespace, no bridge');
  assert.deepEqual(t.files, [{ fd: 9, path: '/state/seccomp-tty.bpf' }]);
  compiles(t.argv[2]);
  const m = namespacePerl(p, opts);
  compiles(m);
  assert.match(m, /mt\('\/', \$R, undef, 4096\) && ro\(\$R\)/);
  assert.match(m, /mt\('vg-hide', \$R \. '\/home\/u\/\.ssh', 'tmpfs', 0, 'size=1m,mode=0700'\)/);
  assert.match(m, /mt\('\/home\/u\/proj\/\.git\/hooks', \$R \. '\/home\/u\/proj\/\.git\/hooks', undef, 4096\) && ro\(/);
  // Every mount under a recursive bind ends read-only (the cgroup mounts under /sys were left rw).
  assert.match(m, /!mt\('\/cfs', \$R \. '\/cfs', undef, 20480\) or rro\(\$R \. '\/cfs'\) or f\(/);
  assert.match(m, /mt\('\/sys', "\$R\/sys", undef, 20480\) && rro\("\$R\/sys"\) or f\(/);
  assert.match(m, /qw\(null zero full random urandom tty\)/);
  assert.match(m, /ioctl\(\$s, 0x8914/, 'loopback up for the bridge');
  // non-root keeps the shell version (user namespace)
  assert.match(namespaceScript(p, { ...opts, root: false }), /mount --rbind \/ "\$R"/);
});

test('bwrap joins pre-made v1 cgroups itself (root): no wrapper step, binds covered by the private /tmp', () => {
  const p = plan('paranoid');
  const inv = bwrapArgv(p, { fs, limits: cg(p), cgroupJoinFile: '/state/cgroup-self' });
  const a = inv.argv;
  assert.equal(a[0], 'bwrap', 'nothing runs before bwrap');
  const first = a.indexOf('--bind');
  assert.deepEqual(a.slice(first, first + 18), [
    ...['--bind', '/cg/memory/vg/abc', '/tmp', '--file', '3', '/tmp/tasks'],
    ...['--bind', '/cg/cpu/vg/abc', '/tmp', '--file', '4', '/tmp/tasks'],
    ...['--bind', '/cg/pids/vg/abc', '/tmp', '--file', '5', '/tmp/tasks'],
  ]);
  assert.ok(a.indexOf('--ro-bind') < first, 'after the root');
  assert.ok(pairs(a, '--tmpfs').includes('/tmp') && a.lastIndexOf('/tmp/tasks') < a.indexOf('--tmpfs'), '--tmpfs /tmp covers the writable groups');
  assert.deepEqual(inv.files, [3, 4, 5].map((fd) => ({ fd, path: '/state/cgroup-self' })));
  assert.deepEqual(inv.cleanup, ['/cg/memory/vg/abc', '/cg/cpu/vg/abc', '/cg/pids/vg/abc']);
  // Perl levels: the cgroup part leaves the Perl script too; interactive keeps seccomp on fd 9.
  const b = plan('balanced', true);
  const opts = { fs, perl: PERL, overlay: { dir: '/state/overlay', userns: false }, limits: cg(b), proxySocket: '/run/vgp/proxy.sock', cgroupJoinFile: '/state/cgroup-self', seccompPath: '/state/seccomp-tty.bpf' };
  const ib = bwrapArgv(b, opts);
  assert.ok(!perlWrapperScript(b, opts).includes('/cg/'), 'no cgroup writes in perl');
  assert.deepEqual(ib.files?.map((f) => f.fd), [3, 4, 5, 9]);
  // Without the join file, v2, or a user namespace (non-root): the wrapper joins, as before.
  assert.equal(bwrapArgv(p, { fs, limits: cg(p) }).argv[0], '/bin/sh');
  assert.equal(bwrapArgv(p, { fs, limits: cg(p), cgroupJoinFile: '/z', ids: { uid: 1000, gid: 1000 } }).argv[0], '/bin/sh');
  const v2 = planLimits(p.limits, { version: 2, memory: '/cg', cpu: '/cg', pids: '/cg', writable: { memory: true, cpu: true, pids: true } }, 'abc');
  assert.equal(bwrapArgv(p, { fs, limits: v2, cgroupJoinFile: '/z' }).argv[0], '/bin/sh');
});

test('bwrap + perl: the wrapper runs in the C locale, the command gets the user\'s LC_ALL back', () => {
  const b = plan('balanced');
  const opts = { fs, perl: PERL, overlay: { dir: '/state/overlay', userns: false }, proxySocket: '/run/vgp/proxy.sock' };
  const inv = bwrapArgv(b, opts);
  assert.equal(inv.env.LC_ALL, 'C');
  assert.ok(inv.argv.includes('--unsetenv') && pairs(inv.argv, '--unsetenv').includes('LC_ALL'));
  const withLc = planSandbox({ config: (() => { const c = defaultConfig(); c.sandbox.security_level = 'balanced'; return c; })(), cwd: `${HOME}/proj`, command: { line: 'x' }, interactive: false, env: { ...ENV, LC_ALL: 'de_DE.UTF-8' }, home: HOME, runtime: 'bubblewrap', fs });
  assert.deepEqual(triples(bwrapArgv(withLc, opts).argv, '--setenv')[0], ['LC_ALL', 'de_DE.UTF-8']);
  // No perl step (paranoid): the environment is the plan's.
  assert.equal(bwrapArgv(plan('paranoid'), { fs, perl: PERL }).env.LC_ALL, undefined);
  assert.equal(bwrapArgv(plan('paranoid'), { fs, perl: PERL }).envByWrapper, undefined);
});

test('bwrap + perl, interactive: the wrapper ignores Ctrl-C itself (no env exec); behind timeout, env keeps both jobs', () => {
  const mk = (timeout: number) =>
    planSandbox({ config: (() => { const c = defaultConfig(); c.sandbox.security_level = 'balanced'; c.sandbox.timeout = timeout; return c; })(), cwd: `${HOME}/proj`, command: { line: 'x' }, interactive: true, env: ENV, home: HOME, runtime: 'bubblewrap', fs });
  const opts = { fs, perl: PERL, overlay: { dir: '/state/overlay', userns: false }, proxySocket: '/run/vgp/proxy.sock', envBin: '/usr/bin/env' };
  const i = bwrapArgv(mk(0), opts);
  assert.equal(i.argv[0], '/usr/bin/perl');
  assert.ok(!i.argv.includes('--ignore-signal=INT,QUIT'));
  assert.match(i.argv[2], /^\$SIG\{INT\} = \$SIG\{QUIT\} = 'IGNORE';$/m);
  assert.deepEqual(i.argv.slice(i.argv.lastIndexOf('--') + 1, -3), ['/usr/bin/env', '--default-signal=INT,QUIT'], 'the command gets Ctrl-C back');
  compiles(i.argv[2]);
  // timeout waits for the sandbox: it must ignore Ctrl-C from its start, so env does both jobs as before.
  const t = bwrapArgv(mk(5), opts);
  assert.deepEqual(t.argv.slice(0, 3), ['/usr/bin/env', '--ignore-signal=INT,QUIT', 'timeout']);
  assert.equal(t.envByWrapper, undefined);
  assert.equal(t.env.HOME, HOME);
  assert.ok(!t.argv[t.argv.indexOf('-e') + 1].includes(PERL_ENV_FROM_ARGV));
});

test('namespace (shell setup): every host mount under /sys and under a re-bound filesystem ends read-only', () => {
  const p = plan('strict');
  const s = namespaceScript(p, { fs, root: true, scratch: '/state/ns', submounts: ['/cfs'], mountPoints: ['/', '/cfs', '/cfs/inner', '/sys', '/sys/fs/cgroup', '/sys/fs/cgroup/pids'] });
  const ro = (m: string) => ` && \\{ \\[ ! -d "\\$R"'${m.replace(/\//g, '\\/')}' \\] \\|\\| mount -o remount,bind,ro "\\$R"'${m.replace(/\//g, '\\/')}'; \\}`;
  assert.match(s, new RegExp(`mount --rbind /sys "\\$R/sys" && mount -o remount,bind,ro "\\$R/sys"${ro('/sys')}${ro('/sys/fs/cgroup')}${ro('/sys/fs/cgroup/pids')} \\|\\| die`));
  assert.match(s, new RegExp(`then mount -o remount,bind,ro "\\$R"'/cfs'${ro('/cfs')}${ro('/cfs/inner')} \\|\\| die 'cannot make /cfs read-only'; fi`));
});

test('restricted network: the wrapper hands its listener to the bridge helper, forks its own bridge only without one', async () => {
  const { bridgeControlPath, bridgeHelperScript } = await import('../../src/runtimes/bridge.ts');
  assert.equal(bridgeControlPath('/run/user/0/vg/net/proxy.sock'), '/run/user/0/vg/net.bridge.sock', 'beside the directory engines bind, not in it');
  const s = perlWrapperScript(plan('strict'), { fs, perl: PERL, proxySocket: '/run/vgp/proxy.sock' });
  compiles(s);
  const listen = s.indexOf('listen($vg_l, 128)');
  const handoff = s.indexOf("connect($h, pack('S a108', 1, '/run/vgp.bridge.sock'))");
  const fork = s.indexOf('if (!$vg_ho) { my $vg_pp = $$; my $vg_pid = fork;');
  assert.ok(listen > 0 && handoff > listen && fork > handoff, 'listener, then the handoff, then the fallback fork');
  assert.match(s, /syscall\(46, fileno\(\$h\), \$mh, 0\) == 4/, 'sendmsg with SCM_RIGHTS');
  const h = bridgeHelperScript('x64')!;
  compiles(h);
  assert.match(h, /syscall\(434, unpack\('L', \$buf\), 0\)/, 'pidfd_open: the listener lives as long as the run');
  assert.equal(bridgeHelperScript('ia32'), null);
});

test('seccomp file: written 0600 once, checked by stat after that, rewritten when its bytes change', async () => {
  const { ensureTtyFilterFile } = await import('../../src/runtimes/seccomp.ts');
  const { mkdtempSync, readFileSync, writeFileSync, statSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'vg-bpf-'));
  try {
    const p = ensureTtyFilterFile(join(dir, 'state'));
    assert.ok(readFileSync(p).equals(ttyFilterBytes()));
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.equal(ensureTtyFilterFile(join(dir, 'state')), p);
    // Another process (or a user) changes it: the next plan gets the right filter back.
    await new Promise((r) => setTimeout(r, 30)); // a new mtime even with a coarse (10 ms) kernel clock
    const bad = Buffer.from(ttyFilterBytes());
    bad[bad.length - 1] ^= 0xff;
    writeFileSync(p, bad);
    ensureTtyFilterFile(join(dir, 'state'));
    assert.ok(readFileSync(p).equals(ttyFilterBytes()), 'same size, other bytes: rewritten');
    writeFileSync(p, 'x');
    ensureTtyFilterFile(join(dir, 'state'));
    assert.ok(readFileSync(p).equals(ttyFilterBytes()), 'truncated: rewritten');
    rmSync(p);
    ensureTtyFilterFile(join(dir, 'state'));
    assert.ok(readFileSync(p).equals(ttyFilterBytes()), 'removed: rewritten');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
