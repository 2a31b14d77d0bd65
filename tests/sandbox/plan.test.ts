// Plans as data: a fake machine described by a set of paths, no filesystem touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSandbox, chooseWorkspace, isSecretEnv, type FsProbe } from '../../src/sandbox/plan.ts';
import { detectCaches, cacheCandidates } from '../../src/sandbox/caches.ts';
import { defaultConfig, type SecurityLevel } from '../../src/store/config/types.ts';

const HOME = '/home/u';
function fakeFs(dirs: string[], files: string[] = []): FsProbe {
  const d = new Set(dirs);
  const f = new Set(files);
  return { kind: (p) => (d.has(p) ? 'dir' : f.has(p) ? 'file' : null), real: (p) => p };
}
const machine = fakeFs(
  [HOME, `${HOME}/proj`, `${HOME}/proj/.git`, `${HOME}/proj/.git/hooks`, `${HOME}/proj/src`, `${HOME}/.npm`, `${HOME}/.cache/pip`, `${HOME}/.ssh`, `${HOME}/.aws`, `${HOME}/.cargo/registry`, `${HOME}/.cargo/bin`, `${HOME}/.m2/repository`],
  [`${HOME}/proj/.git/config`, `${HOME}/proj/.envrc`, `${HOME}/.npmrc`, '/bin/bash'],
);
const ENV = { HOME, PATH: '/usr/bin:/bin', SHELL: '/bin/bash', GITHUB_TOKEN: 'ghp_x', AWS_SECRET_ACCESS_KEY: 's', NPM_TOKEN: 'n', SSH_AUTH_SOCK: '/tmp/agent', DOCKER_HOST: 'unix:///var/run/docker.sock', MY_API_KEY: 'k', LANG: 'C.UTF-8', TERM: 'xterm' };

function plan(level: SecurityLevel, over: Partial<Parameters<typeof planSandbox>[0]> = {}, cfg = defaultConfig()) {
  cfg.sandbox.security_level = level;
  return planSandbox({ config: cfg, cwd: `${HOME}/proj/src`, command: { line: 'npm install' }, interactive: false, env: ENV, home: HOME, runtime: 'bubblewrap', fs: machine, ...over });
}

test('levels: network, root fs, limits as enforced', () => {
  const expect: Record<SecurityLevel, [string, string, number, number, number]> = {
    permissive: ['full', 'overlay', 2048, 2, 512],
    balanced: ['restricted', 'overlay', 1024, 1, 512],
    strict: ['restricted', 'ro', 512, 0.5, 256],
    paranoid: ['none', 'ro', 256, 0.25, 128],
  };
  for (const [level, [net, root, mb, cpus, pids]] of Object.entries(expect) as [SecurityLevel, typeof expect.balanced][]) {
    const p = plan(level);
    assert.equal(p.network, net, level);
    assert.equal(p.rootfs, root, level);
    assert.deepEqual(p.limits, { memoryBytes: mb * 1024 * 1024, cpus, pids }, level);
    assert.equal(p.level, level);
  }
});

test('network_mode overrides the level; allowedDomains only when restricted', () => {
  const cfg = defaultConfig();
  cfg.sandbox.network_mode = 'none';
  const p = plan('permissive', {}, cfg);
  assert.equal(p.network, 'none');
  assert.deepEqual(p.allowedDomains, []);
  assert.ok(plan('balanced').allowedDomains.includes('registry.npmjs.org'));
});

test('workspace is the git root; it is the only writable host tree besides caches', () => {
  const p = plan('balanced');
  assert.equal(p.workspace, `${HOME}/proj`);
  assert.equal(p.cwd, `${HOME}/proj/src`);
  const rw = p.mounts.filter((m) => m.mode === 'rw').map((m) => `${m.kind}:${m.source}`);
  assert.deepEqual(rw, [`workspace:${HOME}/proj`, `cache:${HOME}/.npm`, `cache:${HOME}/.cache/pip`, `cache:${HOME}/.cargo/registry`, `cache:${HOME}/.m2/repository`]);
  assert.deepEqual(p.caches, ['npm', 'pip', 'cargo', 'maven']);
});

test('workspace = $HOME or / → null, nothing writable, a note says why', () => {
  for (const cwd of [HOME, '/']) {
    const p = plan('balanced', { cwd });
    assert.equal(p.workspace, null, cwd);
    assert.match(p.workspaceNote ?? '', /nothing is writable/);
    assert.equal(p.mounts.filter((m) => m.kind === 'workspace' || m.kind === 'protect').length, 0);
  }
  assert.equal(chooseWorkspace('/home', HOME, machine).workspace, null, 'an ancestor of home');
  assert.equal(chooseWorkspace('/etc', HOME, machine).workspace, null, 'a system dir');
  assert.equal(chooseWorkspace('/srv/x', HOME, machine).workspace, '/srv/x', 'no git: cwd');
});

test('dotfiles repo at $HOME: git root is home → no workspace', () => {
  const fs = fakeFs([HOME, `${HOME}/.git`, `${HOME}/notes`]);
  assert.equal(chooseWorkspace(`${HOME}/notes`, HOME, fs).workspace, null);
});

test('secrets hidden from balanced up, never at permissive; escape sockets at every level', () => {
  for (const level of ['balanced', 'strict', 'paranoid'] as const) {
    const h = plan(level).hidden;
    for (const s of ['.ssh', '.aws', '.gnupg', '.config/gh', '.netrc', '.docker/config.json', '.kube', '.config/gcloud', '.azure', '.npmrc']) assert.ok(h.includes(`${HOME}/${s}`), `${level} hides ${s}`);
    assert.ok(h.includes('/var/run/docker.sock'));
  }
  const perm = plan('permissive').hidden;
  assert.ok(!perm.includes(`${HOME}/.ssh`));
  assert.ok(perm.includes('/var/run/docker.sock') && perm.includes('/run/docker.sock'), 'docker socket hidden even at permissive');
  assert.ok(perm.includes(`${HOME}/.local/state/vg`), 'vg state (trust store) hidden');
});

test('secret-looking env dropped from balanced up and listed', () => {
  const p = plan('balanced');
  for (const k of ['GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'NPM_TOKEN', 'SSH_AUTH_SOCK', 'DOCKER_HOST', 'MY_API_KEY']) {
    assert.equal(p.env[k], undefined, k);
    assert.ok(p.droppedEnv.includes(k), k);
  }
  assert.equal(p.env.LANG, 'C.UTF-8');
  assert.equal(p.env.PATH, '/usr/bin:/bin');
  assert.equal(p.env.HOME, HOME);
  const perm = plan('permissive');
  assert.equal(perm.env.GITHUB_TOKEN, 'ghp_x');
  assert.deepEqual(perm.droppedEnv, []);
  for (const k of ['PATH', 'HOME', 'TERM', 'LANG', 'EDITOR', 'NODE_ENV', 'KEYBOARD']) assert.equal(isSecretEnv(k), false, k);
});

test('protect mounts: existing host-run files inside the workspace are read-only, last', () => {
  const p = plan('balanced');
  const prot = p.mounts.filter((m) => m.kind === 'protect');
  assert.deepEqual(prot.map((m) => m.label), ['.git/hooks', '.git/config', '.envrc']);
  assert.ok(prot.every((m) => m.mode === 'ro'));
  assert.equal(p.mounts.at(-1)?.kind, 'protect');
});

test('paranoid: no caches; enable_cache=false: no caches', () => {
  assert.deepEqual(plan('paranoid').caches, []);
  const cfg = defaultConfig();
  cfg.sandbox.enable_cache = false;
  assert.deepEqual(plan('balanced', {}, cfg).caches, []);
});

test('bind_mounts: ~ expanded, ro/rw honoured, never hidden by a secret hide', () => {
  const cfg = defaultConfig();
  cfg.sandbox.bind_mounts = [
    { host_path: '~/.ssh/known_hosts', container_path: '~/.ssh/known_hosts', read_only: true },
    { host_path: '/data', container_path: '/mnt/data', read_only: false },
  ];
  const p = plan('balanced', {}, cfg);
  const b = p.mounts.filter((m) => m.kind === 'bind');
  assert.deepEqual(b.map((m) => [m.source, m.target, m.mode]), [
    [`${HOME}/.ssh/known_hosts`, `${HOME}/.ssh/known_hosts`, 'ro'],
    ['/data', '/mnt/data', 'rw'],
  ]);
  assert.ok(p.hidden.includes(`${HOME}/.ssh`), 'the rest of ~/.ssh stays hidden; the bind shows through');
});

test('command, interactive and shell carried through', () => {
  const p = plan('strict', { command: { argv: ['npm', 'ci'] }, interactive: true });
  assert.deepEqual(p.command, { argv: ['npm', 'ci'] });
  assert.equal(p.interactive, true);
  assert.equal(p.shell, '/bin/bash');
  assert.equal(plan('strict', { env: { ...ENV, SHELL: '/usr/bin/evil' } }).shell, '/bin/sh');
});

test('caches: each ecosystem detected from a fake home + env', () => {
  const dirs = [
    '/c/npm', `${HOME}/.cache/yarn`, `${HOME}/.yarn/berry/cache`, '/p/store', `${HOME}/.pnpm-store`, '/c/pip', `${HOME}/.cache/pypoetry`,
    '/cargo/registry', '/cargo/git', '/cargo/bin', '/gop/pkg/mod', '/gocache', '/gems', `${HOME}/.m2/repository`, '/gradle/caches', `${HOME}/extra`,
  ];
  const isDir = (p: string) => dirs.includes(p);
  const env = { npm_config_cache: '/c/npm', PNPM_HOME: '/p', PIP_CACHE_DIR: '/c/pip', CARGO_HOME: '/cargo', GOPATH: '/gop', GOCACHE: '/gocache', GEM_HOME: '/gems', GRADLE_USER_HOME: '/gradle' };
  const got = detectCaches({ home: HOME, env, extra: ['~/extra', '~/missing'], isDir }).map((c) => `${c.label}:${c.path}`);
  assert.deepEqual(got, [
    'npm:/c/npm', `yarn:${HOME}/.cache/yarn`, `yarn:${HOME}/.yarn/berry/cache`, 'pnpm:/p/store', `pnpm:${HOME}/.pnpm-store`, 'pip:/c/pip', `poetry:${HOME}/.cache/pypoetry`,
    'cargo:/cargo/registry', 'cargo:/cargo/git', 'go:/gop/pkg/mod', 'go:/gocache', 'gem:/gems', `maven:${HOME}/.m2/repository`, 'gradle:/gradle/caches', `custom:${HOME}/extra`,
  ]);
  assert.ok(!got.some((g) => g.includes('/cargo/bin')), 'never a bin directory');
});

test('caches: defaults without env; npm and pip created on demand, others only when present', () => {
  const c = detectCaches({ home: HOME, env: {}, isDir: () => false });
  assert.deepEqual(c, [
    { label: 'npm', path: `${HOME}/.npm`, create: true },
    { label: 'pip', path: `${HOME}/.cache/pip`, create: true },
  ]);
  const cand = cacheCandidates(HOME, { GOMODCACHE: '/m' }).map((x) => x.path);
  assert.ok(cand.includes('/m') && cand.includes(`${HOME}/.cache/go-build`) && cand.includes(`${HOME}/.local/share/pnpm/store`) && cand.includes(`${HOME}/.gem`));
  assert.deepEqual(detectCaches({ home: HOME, env: { GEM_HOME: HOME }, isDir: () => true }).filter((x) => x.path === HOME), [], 'never the home itself');
});
