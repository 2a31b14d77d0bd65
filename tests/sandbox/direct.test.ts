// A sandboxed plain command runs without a shell inside: which lines qualify (as data), and what
// runs for real through bwrap (same results as through the shell; the shell keeps every other line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, existsSync, rmSync, mkdirSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { plainWords, directArgv } from '../../src/sandbox/direct.ts';
import { planSandbox, realFs } from '../../src/sandbox/plan.ts';
import { defaultConfig } from '../../src/store/config/types.ts';
import { bwrapArgv, commandArgv } from '../../src/runtimes/bwrap.ts';
import { hostOptions, prepareHost } from '../../src/runtimes/host.ts';
import { removeCgroups } from '../../src/runtimes/limits.ts';
import { invocationStdio } from '../../src/runtimes/run.ts';

test('plainWords: words of ordinary characters only', () => {
  assert.deepEqual(plainWords('npm install express'), ['npm', 'install', 'express']);
  assert.deepEqual(plainWords('  make -j4 CC=gcc\tall '), ['make', '-j4', 'CC=gcc', 'all']);
  assert.deepEqual(plainWords('./build.sh --out=dist/x,y:z@1 %s +x'), ['./build.sh', '--out=dist/x,y:z@1', '%s', '+x']);
  // Anything a shell would read differently keeps the shell.
  for (const l of [
    '',
    '   ',
    'rm -rf $HOME',
    'echo hi > f',
    'a && b',
    'a; b',
    'a | b',
    'ls *.js',
    'ls ?',
    'ls [ab]',
    'cp {a,b}',
    'cat ~/.bashrc',
    "r'm' -rf x",
    'r"m" x',
    'r\\m x',
    'ls # comment',
    'ls (x)',
    'cmd `id`',
    'A=1 cmd',
    '=ls',
    'ls =ls',
    '- ls',
    'ls\nrm -rf x',
    'ls\r',
    'x! y',
    'x^y',
    'npm install é',
  ])
    assert.equal(plainWords(l), null, JSON.stringify(l));
  // Builtins and reserved words of bash, zsh and fish stay in the shell (echo, kill, time, set, string…).
  for (const w of ['echo hi', 'printf x', 'kill 1', 'time ls', 'cd x', 'exec ls', 'command ls', 'set x', 'string upper x', 'source f', '. f', 'test -f x', 'true', 'if x', 'noglob ls', 'builtin ls'])
    assert.equal(plainWords(w), null, w);
});

test('directArgv: the program must be found as execvp would, runnable, and not hidden', () => {
  const progs = new Set(['/usr/bin/npm', '/home/u/proj/build.sh', '/home/u/.secret/bin/tool']);
  const o = { shell: '/bin/bash', path: '/usr/local/bin:/usr/bin', cwd: '/home/u/proj', hidden: ['/home/u/.secret'], probe: { program: (p: string) => progs.has(p) } };
  assert.deepEqual(directArgv('npm ci', o), ['npm', 'ci'], 'found on PATH: the words as typed (argv[0] unchanged)');
  assert.deepEqual(directArgv('./build.sh x', o), ['./build.sh', 'x'], 'a path: against the cwd');
  assert.equal(directArgv('nosuch x', o), null, 'not found: the shell says "command not found"');
  assert.equal(directArgv('npm ci', { ...o, path: 'bin:/usr/bin' }), null, 'a relative PATH entry: the shell decides');
  assert.equal(directArgv('npm ci', { ...o, path: ':/usr/bin' }), null, 'an empty PATH entry (the cwd): the shell decides');
  assert.equal(directArgv('tool', { ...o, path: '/home/u/.secret/bin' }), null, 'under a hidden path');
  assert.equal(directArgv('npm ci > x', o), null);
  // fish -c runs the user's functions (ls is one, every alias is one): only with fish's word for it.
  assert.equal(directArgv('npm ci', { ...o, shell: '/usr/bin/fish' }), null);
  assert.deepEqual(directArgv('npm ci', { ...o, shell: '/usr/bin/fish', functionsChecked: true }), ['npm', 'ci']);
  // bash -c sources $BASH_ENV (it may define a function named like the program): keep bash then.
  assert.equal(directArgv('npm ci', { ...o, bashEnv: '/home/u/.bash_env' }), null);
  assert.deepEqual(directArgv('npm ci', { ...o, shell: '/usr/bin/zsh', bashEnv: '/home/u/.bash_env' }), ['npm', 'ci']);
});

test('realFs.program: ELF and #! executables only', () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-direct-'));
  try {
    writeFileSync(join(d, 'script'), '#!/bin/sh\necho hi\n');
    writeFileSync(join(d, 'noshebang'), 'echo hi\n');
    writeFileSync(join(d, 'notexec'), '#!/bin/sh\n');
    chmodSync(join(d, 'script'), 0o755);
    chmodSync(join(d, 'noshebang'), 0o755);
    assert.equal(realFs.program!(join(d, 'script')), true);
    assert.equal(realFs.program!('/bin/ls'), true, 'ELF');
    assert.equal(realFs.program!(join(d, 'noshebang')), false, 'execvp would hand it to /bin/sh, bash runs it itself: keep the shell');
    assert.equal(realFs.program!(join(d, 'notexec')), false, 'no x bit (root too: access(X_OK) wants one)');
    assert.equal(realFs.program!(d), false, 'a directory');
    assert.equal(realFs.program!(join(d, 'absent')), false);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

function planFor(line: string, cwd: string, home: string, runtime: 'bubblewrap' | 'namespace' | 'docker' = 'bubblewrap', interactive = false) {
  const cfg = defaultConfig();
  cfg.sandbox.security_level = 'strict';
  cfg.sandbox.network_mode = 'none';
  return planSandbox({ config: cfg, cwd, command: { line }, interactive, env: { HOME: home, PATH: '/usr/bin:/bin', SHELL: '/bin/bash' }, home, runtime });
}

test('plan: host runtimes run a plain line directly; containers and other lines keep the shell', () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-direct-'));
  try {
    const p = planFor('ls -la', d, d);
    assert.deepEqual(p.direct, ['ls', '-la']);
    assert.deepEqual(commandArgv(p), ['ls', '-la']);
    assert.deepEqual(planFor('ls -la', d, d, 'namespace').direct, ['ls', '-la']);
    assert.equal(planFor('ls -la', d, d, 'docker').direct, undefined, 'an image has its own programs');
    const q = planFor('ls -la | wc -l', d, d);
    assert.equal(q.direct, undefined);
    assert.deepEqual(commandArgv(q), ['/bin/bash', '-c', 'ls -la | wc -l']);
    const i = planFor('ls -la', d, d, 'bubblewrap', true);
    const argv = bwrapArgv(i, {}).argv;
    assert.deepEqual(argv.slice(-4), ['env', '--default-signal=INT,QUIT', 'ls', '-la'], 'Ctrl-C still reaches the command');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

const haveBwrap = spawnSync('bwrap', ['--ro-bind', '/', '/', 'true']).status === 0;
test('bwrap for real: a plain line runs without a shell and behaves as through one', { skip: !haveBwrap && 'bwrap cannot run here' }, () => {
  const base = mkdtempSync('/var/tmp/vg-direct-');
  const home = join(base, 'home');
  const ws = join(home, 'ws');
  mkdirSync(join(ws, '.git'), { recursive: true });
  process.env.VG_STATE_DIR ??= join(base, 'state');
  const run = (line: string) => {
    const p = planFor(line, ws, home);
    prepareHost(p);
    const inv = bwrapArgv(p, hostOptions(p));
    const { stdio, opened } = invocationStdio(inv, ['ignore', 'pipe', 'pipe']);
    const r = spawnSync(inv.argv[0]!, inv.argv.slice(1), { env: inv.env, cwd: ws, encoding: 'utf8', stdio: stdio as never });
    for (const fd of opened) closeSync(fd);
    if (inv.cleanup) removeCgroups(inv.cleanup);
    return { p, r };
  };
  try {
    // No shell in between: bash -c would have set SHLVL (and `_`); a direct exec leaves the
    // environment exactly as planned.
    const env = run('env');
    assert.deepEqual(env.p.direct, ['env']);
    assert.equal(env.r.status, 0, env.r.stderr);
    assert.doesNotMatch(env.r.stdout, /^SHLVL=/m);
    assert.match(env.r.stdout, /^VG_SANDBOX=1$/m);
    // Writes land in the workspace, status passes through.
    const t = run('touch made-inside');
    assert.equal(t.r.status, 0, t.r.stderr);
    assert.ok(existsSync(join(ws, 'made-inside')));
    assert.equal(run('ls /nonexistent-vg').r.status, 2);
    // An unknown command keeps the shell and its message.
    const nf = run('no-such-command-vg x');
    assert.equal(nf.p.direct, undefined);
    assert.equal(nf.r.status, 127);
    assert.match(nf.r.stderr, /command not found/);
    // A line with shell syntax still goes through the shell, for real.
    const sh = run('echo a b | wc -w');
    assert.equal(sh.p.direct, undefined);
    assert.equal(sh.r.stdout.trim(), '2');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('bwrap + perl for real, as the shell runs it: the wrapper sets the environment itself, whatever the shell exports', { skip: (!haveBwrap && 'bwrap cannot run here') || (process.getuid?.() !== 0 && 'the Perl wrapper is used as root only') }, async () => {
  const { invocationCommand } = await import('../../src/intercept/quote.ts');
  const base = mkdtempSync('/var/tmp/vg-direct-');
  const home = join(base, 'home');
  const ws = join(home, 'ws');
  mkdirSync(join(ws, '.git'), { recursive: true });
  process.env.VG_STATE_DIR ??= join(base, 'state');
  try {
    const cfg = defaultConfig();
    cfg.sandbox.security_level = 'balanced';
    cfg.sandbox.network_mode = 'none';
    const p = planSandbox({ config: cfg, cwd: ws, command: { line: 'env' }, interactive: true, env: { HOME: home, PATH: '/usr/bin:/bin', SHELL: '/bin/bash' }, home, runtime: 'bubblewrap' });
    prepareHost(p);
    const inv = bwrapArgv(p, hostOptions(p));
    assert.equal(inv.envByWrapper, true, 'balanced as root: the overlay goes through the Perl wrapper');
    const cmd = invocationCommand(inv, 'bash');
    assert.doesNotMatch(cmd, /env -i/);
    // The shell's own environment: a secret, and a PERL5OPT that would make perl load a missing module.
    const r = spawnSync('bash', ['-c', cmd], { cwd: ws, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: home, GITHUB_TOKEN: 'ghp_secret', PERL5OPT: '-MNo::Such::Module' } });
    if (inv.cleanup) removeCgroups(inv.cleanup);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /GITHUB_TOKEN|PERL5OPT|ghp_secret/);
    assert.match(r.stdout, /^VG_SANDBOX=1$/m);
    assert.match(r.stdout, /^HOME=/m);
    assert.doesNotMatch(r.stdout, /^LC_ALL=/m, 'the user had no LC_ALL: the command has none either');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
