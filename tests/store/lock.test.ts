import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, utimesSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tempEnv } from './helpers.ts';
import { withLock } from '../../src/store/lock.ts';
import { VgError } from '../../src/cli/errors.ts';

function deadPid(): number {
  // A pid that just exited: not alive (reuse within the test is vanishingly unlikely).
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

test('runs the function, returns its value, removes the lock (even when it throws)', () => {
  const f = join(tempEnv().HOME, 'sub', 'file');
  assert.equal(withLock(f, () => 42), 42);
  assert.ok(!existsSync(f + '.lock'));
  assert.throws(() => withLock(f, () => { throw new Error('boom'); }), /boom/);
  assert.ok(!existsSync(f + '.lock'));
});

test('breaks a lock left by a dead process on this host', () => {
  const f = join(tempEnv().HOME, 'file');
  writeFileSync(f + '.lock', `${deadPid()} ${hostname()} ${Date.now()} 1.1\n`);
  const t0 = Date.now();
  assert.equal(withLock(f, () => 'ok', { timeoutMs: 3_000 }), 'ok');
  assert.ok(Date.now() - t0 < 1_000);
  assert.deepEqual(readdirSync(join(f, '..')).filter((n) => n.includes('lock')), []);
});

test('breaks a lock older than staleMs even if its holder looks alive', () => {
  const f = join(tempEnv().HOME, 'file');
  writeFileSync(f + '.lock', `${process.pid} ${hostname()} 0 9.9\n`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(f + '.lock', old, old);
  assert.equal(withLock(f, () => 'ok', { timeoutMs: 3_000, staleMs: 10_000 }), 'ok');
});

test('a live holder makes others wait, then fail with one line naming it', () => {
  const f = join(tempEnv().HOME, 'file');
  writeFileSync(f + '.lock', `${process.pid} ${hostname()} ${Date.now()} 7.7\n`);
  assert.throws(
    () => withLock(f, () => 'never', { timeoutMs: 200 }),
    (e: unknown) => e instanceof VgError && e.message.includes(`pid ${process.pid}`) && e.message.includes(' — ') && !e.message.includes('\n'),
  );
  assert.ok(existsSync(f + '.lock'), 'a live lock is left alone');
});
