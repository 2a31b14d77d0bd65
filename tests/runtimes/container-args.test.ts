// containerArgv as data: what each security level turns into, for docker and podman.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerArgv, firstCommandWord, innerCommand, readOnlyRoot, type PathKind } from '../../src/runtimes/container-args.ts';
import { PROXY_ENV, PROXY_SOCKET_DIR_INSIDE } from '../../src/runtimes/proxy.ts';
import { VgError } from '../../src/cli/errors.ts';
import { makePlan } from './helpers.ts';

const base = { name: 'vg-test', uid: 1000, gid: 1000, proxyDir: '/run/user/1000/vg/net' };
/** The value following `flag` (first occurrence), or undefined. */
const after = (argv: string[], flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const all = (argv: string[], flag: string): string[] => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []));
const imageAt = (argv: string[]): number => argv.indexOf('vg-sandbox:bookworm');

test('balanced: run --rm, named, -i, init, user, caps dropped, restricted network through the proxy', () => {
  const argv = containerArgv('docker', makePlan({ level: 'balanced', command: { line: 'npm install' } }), base);
  assert.deepEqual(argv.slice(0, 6), ['docker', 'run', '--rm', '--name', 'vg-test', '-i']);
  assert.ok(!argv.includes('-t'));
  assert.ok(argv.includes('--init'));
  assert.equal(after(argv, '--pull'), 'never');
  assert.equal(after(argv, '--user'), '1000:1000');
  assert.equal(after(argv, '--cap-drop'), 'ALL');
  assert.equal(after(argv, '--security-opt'), 'no-new-privileges');
  assert.equal(after(argv, '--network'), 'none');
  assert.ok(!argv.includes('--read-only'), 'balanced keeps a writable (discarded) root');
  assert.equal(after(argv, '--workdir'), '/home/u/proj');
  const mounts = all(argv, '--mount');
  assert.ok(mounts.includes('type=bind,source=/home/u/proj,target=/home/u/proj'));
  assert.ok(mounts.includes(`type=bind,source=/run/user/1000/vg/net,target=${PROXY_SOCKET_DIR_INSIDE}`));
  const envs = all(argv, '-e');
  for (const [k, v] of Object.entries(PROXY_ENV)) assert.ok(envs.includes(`${k}=${v}`), k);
  // The command runs behind the socat bridge, then the not-in-image guard, then the line.
  const cmd = argv.slice(imageAt(argv) + 1);
  assert.equal(cmd[0], '/bin/sh');
  assert.match(cmd[2]!, /socat TCP-LISTEN:3128,bind=127\.0\.0\.1,fork,reuseaddr UNIX-CONNECT:\/run\/vg\/proxy\.sock/);
  assert.match(cmd[2]!, /exec "\$@"$/);
  assert.equal(cmd[3], 'vg-bridge');
  assert.deepEqual(cmd.slice(4, 6), ['/bin/sh', '-c']);
  assert.match(cmd[6]!, /vg_cmd=npm; command -v/);
  assert.match(cmd[6]!, /; npm install$/);
});

test('strict: read-only root with a tmpfs /tmp; paranoid: no network and no proxy', () => {
  const strict = containerArgv('docker', makePlan({ level: 'strict' }), base);
  assert.ok(strict.includes('--read-only'));
  assert.equal(after(strict, '--tmpfs'), '/tmp:rw,nosuid,nodev,mode=1777');
  assert.equal(after(strict, '--network'), 'none');
  const paranoid = containerArgv('docker', makePlan({ level: 'paranoid' }), { ...base, proxyDir: undefined });
  assert.ok(paranoid.includes('--read-only'));
  assert.equal(after(paranoid, '--network'), 'none');
  assert.ok(!all(paranoid, '--mount').some((m) => m.includes('/run/vg')));
  assert.ok(!all(paranoid, '-e').some((e) => e.startsWith('http_proxy=')));
  assert.ok(!paranoid.some((a) => a.includes('socat')));
  assert.equal(readOnlyRoot({ rootfs: 'ro', level: 'balanced' }), true);
  assert.equal(readOnlyRoot({ rootfs: 'overlay', level: 'balanced' }), false);
});

test('permissive: host network, writable root', () => {
  const argv = containerArgv('docker', makePlan({ level: 'permissive' }), base);
  assert.equal(after(argv, '--network'), 'host');
  assert.ok(!argv.includes('--read-only'));
  assert.ok(!argv.some((a) => a.includes('socat')));
});

test('restricted network without a proxy directory is an internal error (status 125)', () => {
  assert.throws(
    () => containerArgv('docker', makePlan({ level: 'balanced' }), { ...base, proxyDir: undefined }),
    (e: unknown) => e instanceof VgError && e.status === 125,
  );
});

test('-t only for interactive plans', () => {
  assert.ok(containerArgv('docker', makePlan({ interactive: true, level: 'permissive' }), base).includes('-t'));
  assert.ok(!containerArgv('docker', makePlan({ interactive: false, level: 'permissive' }), base).includes('-t'));
});

test('limits: memory (swap equal, so the cap is real), cpus, pids; zero means none', () => {
  const argv = containerArgv('podman', makePlan({ level: 'permissive', limits: { memoryBytes: 256 * 1024 * 1024, cpus: 0.5, pids: 64 } }), base);
  assert.equal(after(argv, '--memory'), String(256 * 1024 * 1024));
  assert.equal(after(argv, '--memory-swap'), String(256 * 1024 * 1024));
  assert.equal(after(argv, '--cpus'), '0.5');
  assert.equal(after(argv, '--pids-limit'), '64');
  const none = containerArgv('podman', makePlan({ level: 'permissive', limits: { memoryBytes: 0, cpus: 0, pids: 0 } }), base);
  for (const f of ['--memory', '--cpus', '--pids-limit']) assert.ok(!none.includes(f), f);
});

test('mounts: caches rw, protect ro after its parent, system mounts left to the image, missing sources skipped', () => {
  const plan = makePlan({
    level: 'permissive',
    mounts: [
      { source: '/home/u/proj/.git/hooks', target: '/home/u/proj/.git/hooks', mode: 'ro', kind: 'protect' },
      { source: '/home/u/proj', target: '/home/u/proj', mode: 'rw', kind: 'workspace' },
      { source: '/home/u/.npm', target: '/home/u/.npm', mode: 'rw', kind: 'cache', label: 'npm' },
      { source: '/usr', target: '/usr', mode: 'ro', kind: 'system' },
      { source: '/gone', target: '/gone', mode: 'ro', kind: 'bind' },
    ],
  });
  const kind = (p: string): PathKind => (p === '/gone' ? 'missing' : 'dir');
  const mounts = all(containerArgv('docker', plan, { ...base, pathKind: kind }), '--mount');
  assert.deepEqual(mounts, [
    'type=bind,source=/home/u/proj,target=/home/u/proj',
    'type=bind,source=/home/u/.npm,target=/home/u/.npm',
    'type=bind,source=/home/u/proj/.git/hooks,target=/home/u/proj/.git/hooks,readonly',
  ]);
});

test('bind mounts may land elsewhere inside', () => {
  const plan = makePlan({
    level: 'permissive',
    mounts: [{ source: '/srv/data', target: '/data', mode: 'ro', kind: 'bind' }],
  });
  assert.ok(all(containerArgv('docker', plan, base), '--mount').includes('type=bind,source=/srv/data,target=/data,readonly'));
});

test('hidden paths: directories under a mount get an empty ro tmpfs, files /dev/null; others need nothing', () => {
  const plan = makePlan({
    level: 'permissive',
    workspace: '/home/u/proj',
    mounts: [
      { source: '/home/u', target: '/home/u', mode: 'ro', kind: 'bind' },
      { source: '/home/u/proj', target: '/home/u/proj', mode: 'rw', kind: 'workspace' },
    ],
    hidden: ['/home/u/.ssh', '/home/u/.netrc', '/home/u/.aws', '/root/.ssh'],
  });
  const kind = (p: string): PathKind => (p.endsWith('.netrc') ? 'file' : p.endsWith('.aws') ? 'missing' : 'dir');
  const argv = containerArgv('docker', plan, { ...base, pathKind: kind });
  assert.deepEqual(all(argv, '--tmpfs'), ['/home/u/.ssh:ro,nosuid,nodev,noexec,size=4k,mode=0500']);
  assert.ok(all(argv, '--mount').includes('type=bind,source=/dev/null,target=/home/u/.netrc,readonly'));
  assert.ok(!argv.some((a) => a.includes('/root/.ssh') || a.includes('.aws')));
});

test('env: plan env passed, PATH left to the image, HOME falls back to /tmp, CA bundle file bound', () => {
  const plan = makePlan({
    level: 'permissive',
    env: { LANG: 'C.UTF-8', PATH: '/home/u/.cargo/bin:/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/corp/ca.pem', 'BAD-NAME': 'x' },
  });
  const argv = containerArgv('docker', plan, { ...base, pathKind: () => 'file' });
  const envs = all(argv, '-e');
  assert.ok(envs.includes('LANG=C.UTF-8'));
  assert.ok(envs.includes('HOME=/tmp'));
  assert.ok(envs.includes('NODE_EXTRA_CA_CERTS=/etc/corp/ca.pem'));
  assert.ok(!envs.some((e) => e.startsWith('PATH=') || e.startsWith('BAD-NAME')));
  assert.ok(all(argv, '--mount').includes('type=bind,source=/etc/corp/ca.pem,target=/etc/corp/ca.pem,readonly'));
  const withHome = containerArgv('docker', makePlan({ level: 'permissive', env: { HOME: '/home/u' } }), base);
  assert.ok(all(withHome, '-e').includes('HOME=/home/u'));
});

test('podman: host flags go before the image; the binary can be overridden', () => {
  const flags = ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768', '--runtime', 'runc'];
  const argv = containerArgv('podman', makePlan({ level: 'permissive' }), { ...base, binary: '/usr/bin/podman', extraFlags: flags });
  assert.equal(argv[0], '/usr/bin/podman');
  const i = argv.indexOf('--ulimit');
  assert.ok(i > 0 && i < imageAt(argv));
  assert.equal(after(argv, '--runtime'), 'runc');
});

test('paths docker/podman cannot express in --mount are refused with one line', () => {
  const plan = makePlan({ level: 'permissive', workspace: '/home/u/a,b', cwd: '/home/u/a,b' });
  assert.throws(() => containerArgv('docker', plan, base), (e: unknown) => e instanceof VgError && /comma/.test(e.message) && e.status === 125);
});

test('labels: vg.sandbox, workspace, extra', () => {
  const argv = containerArgv('docker', makePlan({ level: 'permissive' }), { ...base, labels: { 'vg.plan': 'abc' } });
  assert.deepEqual(all(argv, '--label'), ['vg.sandbox=1', 'vg.workspace=/home/u/proj', 'vg.plan=abc']);
});

test("the not-in-image guard: bare names only; argv is exec-ed with \"$@\" (no re-quoting)", () => {
  assert.equal(firstCommandWord('npm install'), 'npm');
  assert.equal(firstCommandWord('  FOO=1 BAR="a b" make -j4'), 'make');
  assert.equal(firstCommandWord('cd src && make'), null);
  assert.equal(firstCommandWord('./run.sh'), null);
  assert.equal(firstCommandWord('if true; then :; fi'), null);
  assert.equal(firstCommandWord('echo hi | sort'), null);
  assert.equal(firstCommandWord('python3 -c "print(1)"'), 'python3');
  const img = 'vg-sandbox:bookworm';
  assert.deepEqual(innerCommand({ command: { line: 'echo $HOME' }, image: img }), ['/bin/sh', '-c', 'echo $HOME']);
  assert.deepEqual(innerCommand({ command: { argv: ['./x', 'a b'] }, image: img }), ['./x', 'a b']);
  const g = innerCommand({ command: { argv: ['ls', "it's", '$x'] }, image: img });
  assert.deepEqual(g.slice(3), ['vg', 'ls', "it's", '$x']);
  assert.match(g[2]!, /exec "\$@"$/);
  assert.throws(() => innerCommand({ command: { argv: [] }, image: img }), VgError);
});

test('warm containers are keyed on the sandbox shape, not the command, cwd or env', async () => {
  const { warmKey, idleLoop } = await import('../../src/runtimes/engine.ts');
  const a = makePlan({ level: 'balanced', command: { line: 'npm test' }, env: { A: '1' } });
  const b = makePlan({ level: 'balanced', command: { line: 'ls' }, cwd: '/home/u/proj/src', env: { B: '2' } });
  assert.equal(warmKey('docker', a, 1000, 1000, []), warmKey('docker', b, 1000, 1000, []));
  assert.notEqual(warmKey('docker', a, 1000, 1000, []), warmKey('docker', makePlan({ level: 'strict' }), 1000, 1000, []));
  assert.notEqual(warmKey('docker', a, 1000, 1000, []), warmKey('docker', a, 0, 0, []));
  assert.notEqual(warmKey('docker', a, 1000, 1000, []), warmKey('podman', a, 1000, 1000, []));
  const other = makePlan({ level: 'balanced', mounts: [{ source: '/x', target: '/x', mode: 'rw', kind: 'workspace' }] });
  assert.notEqual(warmKey('docker', a, 1000, 1000, []), warmKey('docker', other, 1000, 1000, []));
  assert.match(idleLoop(10), /-mmin \+10/);
  assert.match(idleLoop(0), /-mmin \+1/);
});

test('podman host flags are plain data (ulimits no higher than ours, runc on hybrid cgroups)', async () => {
  const { podmanHostFlags } = await import('../../src/runtimes/engine.ts');
  const f = podmanHostFlags();
  for (let i = 0; i < f.length; i += 2) assert.ok(['--ulimit', '--runtime', '--userns'].includes(f[i]!), f.join(' '));
  for (const u of f.filter((_, i) => f[i - 1] === '--ulimit')) {
    const [, soft, hard] = /^(?:nofile|nproc)=(\d+):(\d+)$/.exec(u) ?? [];
    assert.ok(soft && soft === hard && Number(hard) <= 32768, u);
  }
});

test('rootless docker sockets are recognised (the command then runs as 0:0 = the user outside)', async () => {
  const { isRootlessDockerSocket } = await import('../../src/runtimes/engine.ts');
  assert.equal(isRootlessDockerSocket('/run/user/1000/docker.sock', {}), true);
  assert.equal(isRootlessDockerSocket('/home/u/.run/docker.sock', { XDG_RUNTIME_DIR: '/home/u/.run' }), true);
  assert.equal(isRootlessDockerSocket('/var/run/docker.sock', { XDG_RUNTIME_DIR: '/run/user/1000' }), false);
});

test('a hidden directory docker cannot cover fails closed', () => {
  const plan = makePlan({
    level: 'permissive',
    mounts: [{ source: '/home/u', target: '/home/u', mode: 'ro', kind: 'bind' }],
    hidden: ['/home/u/se:cret'],
  });
  assert.throws(() => containerArgv('docker', plan, base), (e: unknown) => e instanceof VgError && /colon/.test(e.message));
  const pod = containerArgv('podman', makePlan({ level: 'permissive', mounts: plan.mounts, hidden: ['/home/u/.ssh'] }), base);
  assert.ok(all(pod, '--tmpfs').some((t) => t.startsWith('/home/u/.ssh:') && t.endsWith(',notmpcopyup')));
});
