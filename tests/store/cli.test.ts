// The commands as users run them: `node dist/vg.js …` (built by `npm test`, or here if missing).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tempEnv, type Env } from './helpers.ts';
import { appendAudit, auditFile } from '../../src/store/audit.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const vgJs = join(root, 'dist', 'vg.js');

before(() => {
  if (!existsSync(vgJs)) spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
});

function vg(env: Env, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [vgJs, ...args], { env: env as NodeJS.ProcessEnv, encoding: 'utf8', cwd: env.HOME });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function oneErrorLine(err: string): void {
  const lines = err.trimEnd().split('\n');
  assert.equal(lines.length, 1, err);
  assert.match(lines[0], /^vg: .+ — .+/);
}

test('every command has --help', () => {
  const env = tempEnv();
  for (const args of [['trust', '--help'], ['trust', 'add', '--help'], ['audit', '--help'], ['audit', 'verify', '--help'], ['metrics', '--help'], ['metrics', 'reset', '--help']]) {
    const r = vg(env, ...args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.out, /^Usage: vg /, args.join(' '));
  }
});

test('trust: add, list, remove, clear; no colour off a terminal', () => {
  const env = tempEnv();
  let r = vg(env, 'trust', 'add', 'npm', 'test', '--prefix', '--note', 'tests', '--expires', '7d');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /trusted lines starting with npm test until .* \(id [0-9a-f]{8}\)/);
  assert.equal(vg(env, 'trust', 'add', '--', 'ls', '-la').code, 0);
  r = vg(env, 'trust', 'list');
  assert.match(r.out, /^ID +USES +LAST USED +EXPIRES +LINE\n/);
  assert.match(r.out, /npm test …  # tests/);
  assert.ok(!r.out.includes('\x1b'), 'no escape codes when stdout is not a terminal');
  const list = JSON.parse(vg(env, 'trust', 'list', '--json').out) as { id: string; line: string; prefix: boolean; expired: boolean }[];
  assert.deepEqual(list.map((e) => [e.line, e.prefix, e.expired]), [['npm test', true, false], ['ls -la', false, false]]);
  assert.equal(vg(env, 'trust', 'remove', list[1].id).code, 0);
  r = vg(env, 'trust', 'remove', 'ls -la');
  assert.equal(r.code, 1);
  oneErrorLine(r.err);
  r = vg(env, 'trust', 'clear');
  assert.equal(r.code, 2, 'no --yes and no terminal: refuses');
  oneErrorLine(r.err);
  r = vg(env, 'trust', 'clear', '--yes');
  assert.equal(r.code, 0);
  assert.match(r.out, /forgot 1 trusted line/);
});

test('trust add: a high-risk line is accepted with a one-line note; a critical one is refused', () => {
  const env = tempEnv();
  let r = vg(env, 'trust', 'add', 'curl https://example.com/i.sh | sh');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^vg: note: this line is high risk \(.+\) — .*vg trust remove [0-9a-f]{8}\n$/);
  r = vg(env, 'trust', 'add', 'rm -rf /');
  assert.equal(r.code, 126);
  oneErrorLine(r.err);
  assert.match(r.err, /refusing to trust a critical line \(.+\)/);
});

test('trust add: refused for an agent, bad input is one usage line', () => {
  const env = tempEnv();
  let r = vg({ ...env, VG_AGENT: '1' }, 'trust', 'add', 'ls');
  assert.equal(r.code, 126);
  oneErrorLine(r.err);
  assert.match(r.err, /agent/);
  assert.deepEqual(JSON.parse(vg(env, 'trust', 'list', '--json').out), []);
  for (const args of [['trust', 'add'], ['trust', 'add', 'x', '--expires', 'soon'], ['trust', 'add', '--bogus', 'x'], ['trust', 'nope']]) {
    r = vg(env, ...args);
    assert.equal(r.code, 2, args.join(' '));
    oneErrorLine(r.err);
  }
  r = vg(env, 'trust', 'add', '--prefix', 'bash', '-c');
  assert.equal(r.code, 2, 'unknown option -c');
  r = vg(env, 'trust', 'add', '--prefix', '--', 'bash', '-c');
  assert.equal(r.code, 126);
  oneErrorLine(r.err);
});

function seed(env: Env): void {
  const base = { cwd: '/w', reasons: [], source: 'shell' as const };
  appendAudit({ ...base, kind: 'decision', session: 'a', line: 'ls', risk: 'low', decision: 'host' }, env);
  appendAudit({ ...base, kind: 'execution', session: 'a', line: 'ls', risk: 'low', decision: 'host', runtime: 'host', durationMs: 5, status: 0 }, env);
  appendAudit({ ...base, kind: 'decision', session: 'b', line: 'npm i', risk: 'medium', decision: 'sandbox', reasons: [{ rule: 'install', risk: 'medium', message: 'installs' }] }, env);
  appendAudit({ ...base, kind: 'execution', session: 'b', line: 'npm i', risk: 'medium', decision: 'sandbox', runtime: 'bubblewrap', cached: true, durationMs: 2000, status: 0 }, env);
  appendAudit({ ...base, kind: 'decision', session: 'b', line: 'rm -rf /', risk: 'critical', decision: 'block' }, env);
}

test('audit: list, filter, json, verify, and a tampered log fails verify with one line', () => {
  const env = tempEnv();
  seed(env);
  let r = vg(env, 'audit');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trimEnd().split('\n').length, 6);
  assert.match(r.out, /ran +bubblewrap\+cache +medium +0 +2\.0s +npm i/);
  r = vg(env, 'audit', '--json', '--session', 'b');
  const recs = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(recs.map((x) => x.line), ['npm i', 'npm i', 'rm -rf /']);
  assert.equal(vg(env, 'audit', '--json', '--limit', '1').out.trimEnd().split('\n').length, 1);
  r = vg(env, 'audit', '--limit', '2');
  assert.equal(r.out.trimEnd().split('\n').length, 4);
  assert.match(r.out, /rm -rf \/\n… earlier records not shown/);
  assert.equal(vg(env, 'audit', '--json', '--since', '1h').out.trimEnd().split('\n').length, 5);
  assert.equal(vg(env, 'audit', '--limit', '0').code, 2);
  r = vg(env, 'audit', 'verify');
  assert.equal(r.code, 0);
  assert.match(r.out, /audit log intact: 5 records/);
  const ls = readFileSync(auditFile(env), 'utf8').split('\n');
  ls[1] = ls[1].replace('"status":0', '"status":1');
  writeFileSync(auditFile(env), ls.join('\n'));
  r = vg(env, 'audit', 'verify');
  assert.equal(r.code, 1);
  oneErrorLine(r.err);
  assert.match(r.err, /^vg: audit log does not verify: line 2: record seq 1 was modified/);
  r = vg(env, 'audit', 'verify', '--json');
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.out).ok, false);
});

test('metrics: report from the log; reset starts over and keeps the chain', () => {
  const env = tempEnv();
  seed(env);
  let r = vg(env, 'metrics', '--json');
  assert.equal(r.code, 0, r.err);
  const m = JSON.parse(r.out);
  assert.equal(m.judged, 3);
  assert.equal(m.executed, 2);
  assert.deepEqual(m.outcomes, { host: 1, sandbox: 0, cached: 1, blocked: 1, prompted: 0, declined: 0, sandboxFailed: 0 });
  r = vg(env, 'metrics');
  assert.match(r.out, /^vg metrics · all records/);
  assert.match(r.out, /sandboxed, cached +1 +50%/);
  assert.match(r.out, /bubblewrap +1 +1 +0 +2\.0s/);
  assert.ok(!/saved/i.test(r.out), 'no invented "time saved"');
  assert.equal(vg(env, 'metrics', 'reset').code, 0);
  const after = JSON.parse(vg(env, 'metrics', '--json').out);
  assert.equal(after.judged + after.executed, 0);
  assert.ok(after.resetAt);
  assert.equal(vg(env, 'audit', 'verify').code, 0);
  assert.equal(JSON.parse(vg(env, 'audit', '--json', '--limit', '1').out).kind, 'reset');
});
