import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempEnv } from './helpers.ts';
import { trustStore } from '../../src/store/trust.ts';
import { readAudit, verifyAudit } from '../../src/store/audit.ts';

const WRITERS = 8;
const EACH = 50;
const writer = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));

test(`${WRITERS} processes × ${EACH} trust adds and audit appends at once: nothing lost, chain verifies`, { timeout: 180_000 }, async (t) => {
  const env = tempEnv();
  const shared = trustStore(env).add('make test');
  // Node + tsx take a while to start; give every child time to be ready, then all start together.
  const startAt = Date.now() + 4_000;
  const started = Date.now();
  const codes = await Promise.all(
    Array.from({ length: WRITERS }, (_, w) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', writer, String(w), String(EACH), String(startAt), shared.id], {
          env: env as NodeJS.ProcessEnv,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        p.stderr.on('data', (d) => (err += d));
        p.on('close', (code) => resolve({ code, err }));
      }),
    ),
  );
  t.diagnostic(`writers finished ${((Date.now() - startAt) / 1000).toFixed(1)} s after the start signal (${((Date.now() - started) / 1000).toFixed(1)} s total)`);
  for (const c of codes) assert.equal(c.code, 0, c.err);
  for (const c of codes) assert.equal(c.err, '', 'no writer warned');

  const entries = trustStore(env).list();
  assert.equal(entries.length, WRITERS * EACH + 1);
  const lines = new Set(entries.map((e) => e.line));
  for (let w = 0; w < WRITERS; w++) for (let i = 0; i < EACH; i++) assert.ok(lines.has(`echo writer-${w}-${i}`), `trust ${w}-${i}`);
  assert.equal(new Set(entries.map((e) => e.id)).size, entries.length, 'ids unique');
  assert.equal(trustStore(env).match('make test')!.uses, WRITERS * Math.ceil(EACH / 5), 'every recorded use counted');

  const recs = readAudit({ env });
  assert.equal(recs.length, WRITERS * EACH);
  assert.deepEqual(recs.map((r) => r.seq), Array.from({ length: WRITERS * EACH }, (_, i) => i));
  const seen = new Set(recs.map((r) => `${r.session}:${r.line}`));
  assert.equal(seen.size, WRITERS * EACH);
  const v = verifyAudit(env);
  assert.deepEqual({ ok: v.ok, records: v.records, problem: v.problem }, { ok: true, records: WRITERS * EACH, problem: undefined });
});
