import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, statSync, existsSync, unlinkSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempEnv, type Env } from './helpers.ts';
import { appendAudit, appendAuditBatch, readAudit, verifyAudit, auditFile, auditHeadFile, recordHash, GENESIS, type AuditInput } from '../../src/store/audit.ts';

function rec(i: number, extra: Partial<AuditInput> = {}): AuditInput {
  return {
    kind: i % 2 ? 'execution' : 'decision',
    session: 's1',
    cwd: '/work',
    line: `echo ${i}`,
    risk: 'low',
    decision: 'host',
    reasons: [],
    runtime: i % 2 ? 'host' : undefined,
    durationMs: i % 2 ? 10 + i : undefined,
    status: i % 2 ? 0 : undefined,
    ...extra,
  };
}

function fill(env: Env, n: number): void {
  for (let i = 0; i < n; i++) appendAudit(rec(i), env);
}

const lines = (env: Env): string[] => readFileSync(auditFile(env), 'utf8').trimEnd().split('\n');
const write = (env: Env, ls: string[]): void => writeFileSync(auditFile(env), ls.map((l) => l + '\n').join(''));

test('appends a hash-chained record per call, 0600 in a 0700 directory', () => {
  const env = tempEnv();
  fill(env, 5);
  const rs = readAudit({ env });
  assert.equal(rs.length, 5);
  assert.deepEqual(rs.map((r) => r.seq), [0, 1, 2, 3, 4]);
  assert.equal(rs[0].prev, GENESIS);
  for (let i = 1; i < rs.length; i++) assert.equal(rs[i].prev, rs[i - 1].hash);
  for (const r of rs) assert.equal(recordHash(r), r.hash);
  assert.equal(rs[1].runtime, 'host');
  assert.equal(rs[1].durationMs, 11);
  assert.equal(rs[0].session, 's1');
  assert.ok(Date.now() - Date.parse(rs[0].time) < 10_000);
  assert.equal(statSync(auditFile(env)).mode & 0o777, 0o600);
  assert.equal(statSync(auditHeadFile(env)).mode & 0o777, 0o600);
  assert.equal(statSync(join(env.XDG_STATE_HOME!, 'vg')).mode & 0o777, 0o700);
  assert.deepEqual(verifyAudit(env), { ok: true, records: 5, files: 1, last: { seq: 4, hash: rs[4].hash } });
});

test('session falls back to VG_SESSION; filters by session and time', () => {
  const env = { ...tempEnv(), VG_SESSION: 'from-env' };
  appendAudit(rec(0, { session: '' }), env);
  appendAudit(rec(1, { session: 'other' }), env);
  assert.deepEqual(readAudit({ env }).map((r) => r.session), ['from-env', 'other']);
  assert.equal(readAudit({ env, session: 'other' }).length, 1);
  assert.equal(readAudit({ env, since: new Date(Date.now() + 60_000) }).length, 0);
  assert.equal(readAudit({ env, since: new Date(Date.now() - 60_000) }).length, 2);
});

test('long lines are cut with a marker and a sha256 of the full line; records stay under 4 KiB', () => {
  const env = tempEnv();
  const long = 'echo ' + 'é'.repeat(5000);
  const reasons = Array.from({ length: 30 }, (_, i) => ({ rule: `rule-${i}`, risk: 'medium' as const, message: 'x'.repeat(1000) }));
  appendAudit(rec(0, { line: long, reasons, cwd: '/' + 'd'.repeat(3000) }), env);
  const raw = readFileSync(auditFile(env), 'utf8');
  assert.ok(Buffer.byteLength(raw) < 4096, `record is ${Buffer.byteLength(raw)} bytes`);
  const [r] = readAudit({ env });
  assert.ok(r.line.endsWith(' …[truncated]'));
  assert.equal(r.lineTruncated, true);
  assert.match(r.lineSha256!, /^[0-9a-f]{64}$/);
  assert.ok(verifyAudit(env).ok);
});

test('verify detects an edited record', () => {
  const env = tempEnv();
  fill(env, 6);
  const ls = lines(env);
  ls[2] = ls[2].replace('"echo 2"', '"echo X"');
  write(env, ls);
  const v = verifyAudit(env);
  assert.equal(v.ok, false);
  assert.match(v.problem!, /^line 3: .*modified/);
});

test('verify detects a deleted middle record', () => {
  const env = tempEnv();
  fill(env, 6);
  const ls = lines(env);
  ls.splice(3, 1);
  write(env, ls);
  assert.match(verifyAudit(env).problem!, /^line 4: seq 3 is missing/);
});

test('verify detects reordering', () => {
  const env = tempEnv();
  fill(env, 6);
  const ls = lines(env);
  [ls[1], ls[2]] = [ls[2], ls[1]];
  write(env, ls);
  assert.match(verifyAudit(env).problem!, /^line 2: /);
});

test('verify detects truncation at the end (whole records, and mid-record)', () => {
  const env = tempEnv();
  fill(env, 6);
  const ls = lines(env);
  write(env, ls.slice(0, 4));
  const v = verifyAudit(env);
  assert.equal(v.ok, false);
  assert.match(v.problem!, /^line 4: the log ends at seq 3 but audit\.head records seq 5/);
  writeFileSync(auditFile(env), ls.join('\n') + '\n' + ls[5].slice(0, 40));
  assert.match(verifyAudit(env).problem!, /^line 7: incomplete record/);
  unlinkSync(auditFile(env));
  assert.match(verifyAudit(env).problem!, /log is empty but records up to seq 5/);
});

test('verify detects a removed start and a replaced last record', () => {
  const env = tempEnv();
  fill(env, 4);
  const ls = lines(env);
  write(env, ls.slice(1));
  assert.match(verifyAudit(env).problem!, /^line 1: log starts at seq 1/);
  // A forged last record, correctly hashed onto the chain, still differs from audit.head.
  const forged = JSON.parse(ls[3]);
  forged.line = 'echo forged';
  forged.hash = recordHash(forged);
  write(env, [...ls.slice(0, 3), JSON.stringify(forged)]);
  assert.match(verifyAudit(env).problem!, /^line 4: the last record does not match audit\.head/);
});

test('a torn final record (crash mid-write) does not corrupt the next append', () => {
  const env = tempEnv();
  fill(env, 2);
  appendFileSync(auditFile(env), '{"v":1,"seq":2,"ti');
  appendAudit(rec(2), env);
  const rs = readAudit({ env });
  assert.equal(rs.length, 3);
  assert.equal(rs[2].prev, rs[1].hash);
  assert.match(verifyAudit(env).problem!, /^line 3: not a JSON record/);
});

test('rotation by size keeps the chain across files and verify checks it', () => {
  const env = tempEnv();
  const o = { maxSizeMb: 0.004, keep: 2 }; // ~4 KiB per file (a few records)
  for (let i = 0; i < 60; i++) appendAudit(rec(i), env, o);
  const dir = join(env.XDG_STATE_HOME!, 'vg');
  assert.ok(existsSync(join(dir, 'audit.1.jsonl')));
  assert.ok(existsSync(join(dir, 'audit.2.jsonl')));
  assert.ok(!existsSync(join(dir, 'audit.3.jsonl')), 'only `keep` rotated files remain');
  assert.ok(statSync(auditFile(env)).size <= 0.004 * 1024 * 1024);
  const v = verifyAudit(env);
  assert.equal(v.ok, true, v.problem);
  assert.equal(v.files, 3);
  assert.equal(v.last!.seq, 59);
  const rs = readAudit({ env });
  assert.equal(rs[rs.length - 1].seq, 59);
  const first = JSON.parse(lines(env)[0]);
  const rotated = readFileSync(join(dir, 'audit.1.jsonl'), 'utf8').trimEnd().split('\n');
  assert.equal(first.prev, JSON.parse(rotated[rotated.length - 1]).hash, 'new file links to the rotated one');
  // A limited read returns the same tail as a full read, across the file boundary.
  assert.deepEqual(readAudit({ env, limit: 25 }).map((x) => x.seq), rs.slice(-25).map((x) => x.seq));
  assert.deepEqual(readAudit({ env, limit: 1000 }).map((x) => x.seq), rs.map((x) => x.seq));
  // Tampering inside a rotated file is found and named.
  rotated[1] = rotated[1].replace('"echo', '"ECHO');
  writeFileSync(join(dir, 'audit.1.jsonl'), rotated.join('\n') + '\n');
  assert.match(verifyAudit(env).problem!, /^audit\.1\.jsonl line 2: .*modified/);
});

test('a batch is one chain: same records as one call each, rotating mid-batch, after a torn tail', () => {
  const env = tempEnv();
  const o = { maxSizeMb: 0.004, keep: 3 };
  appendAudit(rec(0), env, o);
  appendFileSync(auditFile(env), '{"v":1,"seq":1,"ti');
  appendAuditBatch(Array.from({ length: 40 }, (_, i) => rec(i + 1)), env, o);
  appendAuditBatch([], env, o);
  appendAudit(rec(41), env, o);
  const dir = join(env.XDG_STATE_HOME!, 'vg');
  assert.ok(existsSync(join(dir, 'audit.1.jsonl')), 'the batch rotated the log on the way');
  assert.ok(statSync(auditFile(env)).size <= 0.004 * 1024 * 1024);
  const rs = readAudit({ env, limit: 1000 });
  assert.deepEqual(rs.slice(-5).map((x) => [x.seq, x.line]), [37, 38, 39, 40, 41].map((i) => [i, `echo ${i}`]));
  for (let i = 1; i < rs.length; i++) assert.equal(rs[i].prev, rs[i - 1].hash, `record ${rs[i].seq} links to the one before`);
  // The torn line is kept in the oldest file, where verify names it; the head matches the last record.
  assert.equal(JSON.parse(readFileSync(auditHeadFile(env), 'utf8')).seq, 41);
});

test('at: a reported end time becomes the record time when plausible, else now', () => {
  const env = tempEnv();
  const t = Date.now() - 5 * 60_000;
  appendAudit(rec(1, { at: t }), env);
  appendAudit(rec(2, { at: Date.now() + 3_600_000 }), env);
  appendAudit(rec(3, { at: Number.NaN }), env);
  const rs = readAudit({ env });
  assert.equal(rs[0].time, new Date(t).toISOString());
  for (const r of rs.slice(1)) assert.ok(Math.abs(Date.parse(r.time) - Date.now()) < 60_000, 'future or invalid: now');
  assert.equal(verifyAudit(env).ok, true);
  assert.equal((rs[0] as unknown as Record<string, unknown>).at, undefined, 'not stored as a field of its own');
});

test('appendAudit never throws: it warns once and goes on', () => {
  const env = tempEnv();
  writeFileSync(env.XDG_STATE_HOME!, 'a file where the state directory should be');
  const writes: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (writes.push(String(s)), true)) as typeof process.stderr.write;
  try {
    assert.doesNotThrow(() => appendAudit(rec(0), env));
    assert.doesNotThrow(() => appendAudit(rec(1), env));
  } finally {
    process.stderr.write = orig;
  }
  assert.equal(writes.length, 1);
  assert.match(writes[0], /^vg: audit log not written \(.*\) — .*\n$/);
});

// Prints the cost; asserts only against an order-of-magnitude regression, because node:test runs
// test files in parallel (the concurrency test's 8 writers share these 2 cores). The idle figure
// (~0.2 ms) is in docs/audit.md.
test('append cost under the lock', (t) => {
  const env = tempEnv();
  fill(env, 20);
  const n = 500;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) appendAudit(rec(i), env);
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  t.diagnostic(`appendAudit: ${us.toFixed(0)} µs per record (lock, tail read, sha256, write, head write, unlock)`);
  assert.ok(us < 5_000, `${us} µs`);
  assert.ok(verifyAudit(env).ok);
});
