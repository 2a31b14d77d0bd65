import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cage, vg, VG } from './helpers.ts';

const hasBwrap = spawnSync('bwrap', ['--version']).status === 0;

test('everything after -- belongs to the command: `vg exec -- node --help` shows node\'s help', () => {
  const c = cage();
  const r = vg(c, ['exec', '--mode', 'never', '--', process.execPath, '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: node/);
  assert.doesNotMatch(r.stdout, /vg exec/);
});

test('vg exec --help is vg\'s own help', () => {
  const r = vg(cage(), ['exec', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: vg exec/);
});

test('exit status passes through; a signal becomes 128+n', () => {
  const c = cage();
  assert.equal(vg(c, ['exec', '--mode', 'never', 'exit 7']).status, 7);
  assert.equal(vg(c, ['exec', '--mode', 'never', '--', 'sh', '-c', 'kill -TERM $$']).status, 143);
});

test('a critical line is blocked with one line and 126; the canary in the caged HOME survives', () => {
  const c = cage();
  const canary = join(c.home, 'canary.txt');
  writeFileSync(canary, 'alive');
  for (const line of ['rm -rf ~', 'rm -rf "$HOME"', 'cd ~ && rm -rf .', 'bash -c "rm -rf ~/"']) {
    const r = vg(c, ['exec', '--mode', 'never', line]);
    assert.equal(r.status, 126, `${line}: ${r.stderr}`);
    assert.match(r.stderr, /blocked/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(existsSync(canary), `canary gone after ${line}`);
  }
});

test('--json writes a summary to fd 3 and leaves the command\'s streams untouched', () => {
  const c = cage();
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${VG}" exec --json --mode never -- echo hello 3>summary.json`], {
    cwd: c.work,
    env: c.env,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'hello\n');
  assert.equal(r.stderr, '');
  const s = JSON.parse(readFileSync(join(c.work, 'summary.json'), 'utf8'));
  assert.equal(s.decision, 'host');
  assert.equal(s.status, 0);
  assert.equal(s.risk, 'low');
  assert.equal(typeof s.durationMs, 'number');
});

test('--json without fd 3 puts the summary on stderr\'s last line', () => {
  const c = cage();
  const r = vg(c, ['exec', '--json', '--mode', 'never', 'rm -rf /']);
  assert.equal(r.status, 126);
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const s = JSON.parse(last);
  assert.equal(s.decision, 'block');
  assert.equal(s.risk, 'critical');
  assert.ok(s.reasons.length > 0);
});

test('a configured but missing runtime exits 125 with one line naming the fix', () => {
  const c = cage();
  // A PATH holding only node: no bwrap, unshare, docker or podman to find.
  const bin = join(c.home, 'only-node');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const r = vg(c, ['exec', '--mode', 'always', '--runtime', 'bubblewrap', 'npm ci'], { env: { PATH: bin } });
  assert.equal(r.status, 125, r.stderr);
  assert.match(r.stderr, /^vg: .*bubblewrap/m);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

test('unknown options and a broken config are one-line errors, not stack traces', () => {
  const c = cage();
  const bad = vg(c, ['exec', '--frobnicate', 'ls']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^vg: exec: unknown option '--frobnicate'/);
  mkdirSync(join(c.home, '.config', 'vg'), { recursive: true });
  writeFileSync(join(c.home, '.config', 'vg', 'config.yaml'), 'sandbox:\n  mode: sometimes\n');
  const r = vg(c, ['exec', 'ls']);
  assert.notEqual(r.status, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /config\.yaml:2.*sandbox\.mode.*always, auto, risky, never/);
});

test('--dry-run prints the decision and, for a sandbox, the plan and the runtime argv; nothing runs', { skip: !hasBwrap && 'bubblewrap not installed (apt-get install bubblewrap)' }, () => {
  const c = cage();
  const r = vg(c, ['exec', '--dry-run', '--mode', 'auto', '--runtime', 'bubblewrap', 'rm -rf src && touch made-by-dry-run']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.decision, 'sandbox');
  assert.equal(out.runtime, 'bubblewrap');
  assert.equal(out.plan.cwd, c.work);
  // bwrap by its absolute path (no PATH search per run), whether a wrapper step comes first or not.
  assert.ok(out.invocation.argv.some((a: string) => a === 'bwrap' || a.endsWith('/bwrap')), out.argvText);
  assert.ok(!existsSync(join(c.work, 'made-by-dry-run')));
});

test('a sandboxed line writes into the workspace, and is recorded in the audit log', { skip: !hasBwrap && 'bubblewrap not installed (apt-get install bubblewrap)' }, () => {
  const c = cage();
  const r = vg(c, ['exec', '--mode', 'always', '--runtime', 'bubblewrap', 'echo from-sandbox > out.txt']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /📦 sandbox · bubblewrap/);
  assert.equal(readFileSync(join(c.work, 'out.txt'), 'utf8'), 'from-sandbox\n');
  const audit = vg(c, ['audit', '--json', '--session', 'test-session']);
  assert.equal(audit.status, 0, audit.stderr);
  const recs = audit.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const ran = recs.find((x) => x.kind === 'execution');
  assert.equal(ran.decision, 'sandbox');
  assert.equal(ran.runtime, 'bubblewrap');
  assert.equal(ran.status, 0);
});

test('a trusted line runs on the host even in mode always; its use is counted', () => {
  const c = cage();
  assert.equal(vg(c, ['trust', 'add', 'echo trusted-run']).status, 0);
  const r = vg(c, ['exec', '--json', '--mode', 'always', 'echo trusted-run']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /trusted-run/);
  const s = JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}');
  assert.equal(s.decision, 'host');
  const list = JSON.parse(vg(c, ['trust', 'list', '--json']).stdout);
  assert.equal(list[0].uses, 1);
});

test('without a terminal a high-risk line is never asked: it is sandboxed (or refused with 125)', () => {
  const c = cage();
  const r = vg(c, ['exec', '--json', '--mode', 'auto', 'git reset --hard HEAD'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const s = JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}');
  assert.equal(s.risk, 'high');
  assert.equal(s.decision, 'sandbox');
  assert.doesNotMatch(r.stderr, /\[y\]es/);
});
