// The facts contract other layers read: argv after quote removal, wrappers, paths, pipes, origins,
// stateOnly, and user rules from config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, RULES } from '../../src/analyze/index.ts';
import type { RuleConfig } from '../../src/analyze/index.ts';
import { CTX } from './helpers.ts';

const facts = (line: string) => analyze(line, CTX).commands;

test('argv after quote removal and wrapper peeling', () => {
  const [f] = facts("sudo -u root env -i X=1 nice -n 5 r''m -rf \"$HOME\"/x");
  assert.equal(f!.name, 'rm');
  assert.deepEqual(f!.argv, ['rm', '-rf', '/home/dev/x']);
  assert.deepEqual(f!.wrappers, ['sudo', 'env', 'nice']);
  assert.deepEqual(f!.paths, ['/home/dev/x']);
});

test('paths resolve against cd on the line', () => {
  const fs = facts('cd /srv && rm -r ../etc/app');
  assert.equal(fs[1]!.cwd, '/srv');
  assert.deepEqual(fs[1]!.paths, ['/etc/app']);
});

test('every nested command is a fact with its origin', () => {
  const fs = facts('echo $(whoami) `id` <(ls) ${x:-$(date)}; (pwd); { true; }; bash -c "uname"');
  const by = Object.fromEntries(fs.map((f) => [f.name, f.origin]));
  assert.equal(by.whoami, 'substitution');
  assert.equal(by.id, 'substitution');
  assert.equal(by.ls, 'process-substitution');
  assert.equal(by.date, 'substitution');
  assert.equal(by.pwd, 'subshell');
  assert.equal(by.uname, 'shell-string');
});

test('pipelines record upstream, network and decoder stdin', () => {
  const fs = facts('curl -s x | base64 -d | sh');
  const sh = fs.find((f) => f.name === 'sh')!;
  assert.deepEqual(sh.pipedFrom, ['curl', 'base64']);
  assert.equal(sh.stdinFromNetwork, true);
  assert.equal(sh.stdinFromDecoder, true);
  assert.deepEqual(fs[0]!.pipedTo, ['base64', 'sh']);
});

test('unresolved expansions mark the fact dynamic', () => {
  const [f] = facts('rm -rf "$DIR"/*');
  assert.equal(f!.dynamic, true);
  assert.deepEqual(f!.argvIfEmpty, ['rm', '-rf', '/*']);
});

test('stateOnly: only shell-state builtins and assignments', () => {
  for (const l of ['cd ..', 'export PATH="$HOME/bin:$PATH"', 'FOO=1 BAR=2', 'source ~/.bashrc', '. ./env.sh', 'alias ll="ls -l"', 'set -euo pipefail', 'unset X; cd -', 'f() { npm test; }', 'read -r name', 'exec 3<> /dev/tcp/localhost/80', 'type rm']) {
    assert.equal(analyze(l, CTX).stateOnly, true, l);
  }
  for (const l of ['ls', 'cd $(mktemp -d)', 'export X=$(curl x)', 'cd .. && ls', ':(){ :|:& };:', 'echo "unterminated', 'sudo cd /', '> file.txt']) {
    assert.equal(analyze(l, CTX).stateOnly, false, l);
  }
});

test('reasons are sorted highest first and risk is their maximum', () => {
  const a = analyze('npm install && rm -rf / && sudo ls', CTX);
  assert.equal(a.risk, 'critical');
  assert.equal(a.reasons[0]!.risk, 'critical');
  const ranks = a.reasons.map((r) => ['low', 'medium', 'high', 'critical'].indexOf(r.risk));
  assert.deepEqual([...ranks].sort((x, y) => y - x), ranks);
});

test('user rules: add by command and pattern; levels change risk but never lower critical', () => {
  const cfg: RuleConfig = {
    add: [
      { id: 'no-prod', risk: 'high', message: 'touches prod', commands: ['deploy'], pattern: '--env[= ]prod' },
      { id: 'bad-regex', risk: 'high', message: 'x', pattern: '(' },
    ],
    levels: { 'packages.install': 'low', 'filesystem.rm-system': 'low', 'git.discard-changes': 'high' },
  };
  const ctx = { ...CTX, rules: cfg };
  const a = analyze('deploy --env prod', ctx);
  assert.equal(a.risk, 'high');
  assert.equal(a.reasons[0]!.rule, 'user.no-prod');
  assert.equal(analyze('deploy --env staging', ctx).risk, 'low');
  assert.equal(analyze('npm install', ctx).risk, 'low');
  assert.equal(analyze('rm -rf /', ctx).risk, 'critical');
  assert.equal(analyze('git clean -fd', ctx).risk, 'high');
  // Compiled once per config object: the same object gives the same rule instances.
  assert.equal(analyze('deploy --env prod', ctx).reasons[0]!.rule, 'user.no-prod');
});

test('RULES cover every required group', () => {
  const groups = new Set(RULES.map((r) => r.group));
  for (const g of ['filesystem', 'disk', 'fork-bomb', 'system-files', 'privilege', 'remote-code', 'exfiltration', 'persistence', 'git', 'containers', 'kubernetes', 'cloud', 'database', 'power-process', 'network', 'packages', 'parse']) {
    assert.ok(groups.has(g as never), g);
  }
});

test('a workspace under /tmp or a build directory is still the user\'s work', () => {
  assert.equal(analyze('rm -rf src', { cwd: '/tmp/cage/work', home: '/home/dev' }).risk, 'medium');
  assert.equal(analyze('rm -rf dist', { cwd: '/tmp/cage/work', home: '/home/dev' }).risk, 'low');
  assert.equal(analyze('rm -rf src', { cwd: '/home/dev/build/app', home: '/home/dev' }).risk, 'medium');
  assert.equal(analyze('rm -rf /tmp/other', { cwd: '/tmp/cage/work', home: '/home/dev' }).risk, 'low');
});

test('never throws on odd contexts', () => {
  for (const ctx of [{ cwd: '', home: '' }, { cwd: 'relative', home: '~' }, { cwd: '/', home: '/' }]) {
    for (const l of ['rm -rf /', 'cd .. && rm -rf *', '', ' ', '\n', '#']) analyze(l, ctx);
  }
});

test('print/test builtins run in the shell (they need its $? and variables) unless they write a file', () => {
  const c = { cwd: '/home/dev/project', home: '/home/dev' };
  for (const l of ['echo $?', 'printf "%s\\n" "$x"', 'pwd', '[ -d dist ] && echo ok', 'echo a 2>&1', 'echo hi >/dev/null', 'cd src && pwd'])
    assert.equal(analyze(l, c).stateOnly, true, l);
  for (const l of ['echo hi > a.txt', 'echo hi >> ~/.bashrc', '/bin/echo hi', 'echo $(curl x)', 'printf x | sh', 'echo hi; ls'])
    assert.equal(analyze(l, c).stateOnly, false, l);
});

test('lines that print the shell\'s own state are marked (history | grep, alias | less)', () => {
  const c = { cwd: '/home/dev/project', home: '/home/dev' };
  for (const l of ['history | grep ssh', 'alias | less', 'jobs -l | wc -l', 'type ll | head -1']) assert.equal(analyze(l, c).readsShellState, true, l);
  for (const l of ['grep history notes.txt', 'ls | wc -l', 'echo history']) assert.notEqual(analyze(l, c).readsShellState, true, l);
});

test('a function the line defines is walked again at a call, unless that would overrun the line\'s budget', () => {
  const body = (n: number, cmd: string) => 'f() {\n' + Array.from({ length: n }, (_, i) => `  ${cmd} out${i}.txt`).join('\n') + '\n}\nf /';
  // Small: the call's argument reaches the body (`rm -rf "$1"` with `/`).
  assert.equal(analyze('f() { rm -rf "$1"; }; f /', CTX).risk, 'critical');
  // 600 commands: the definition's walk takes most of the facts a line may have; walking it again
  // would truncate the line (and a truncated line is at least medium, sandboxing `nvm use`).
  const big = analyze(body(600, 'cp "$1"'), CTX);
  assert.equal(big.truncated, undefined);
  assert.equal(big.risk, 'low');
});
