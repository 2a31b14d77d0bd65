import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics } from '../../src/store/metrics.ts';
import type { AuditRecord } from '../../src/store/audit.ts';

let seq = 0;
function r(p: Partial<AuditRecord>): AuditRecord {
  return {
    v: 1,
    seq: seq++,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    kind: 'decision',
    session: 's',
    cwd: '/w',
    line: 'x',
    risk: 'low',
    decision: 'host',
    reasons: [],
    prev: '',
    hash: '',
    ...p,
  };
}
const rule = (name: string, risk: AuditRecord['risk'] = 'medium') => ({ rule: name, risk, message: name });

// A known session: 3 host runs, 2 cached sandbox runs, 1 uncached, 2 blocks, 2 prompts (1 declined).
function known(): AuditRecord[] {
  return [
    r({ kind: 'decision', line: 'old', decision: 'block', risk: 'critical' }), // before the reset: not counted
    r({ kind: 'execution', line: 'old', runtime: 'host', durationMs: 99_999 }),
    r({ kind: 'reset', line: 'vg metrics reset' }),
    r({ line: 'ls', source: 'shell' }),
    r({ kind: 'execution', line: 'ls', runtime: 'host', durationMs: 10, status: 0 }),
    r({ line: 'git status', source: 'shell' }),
    r({ kind: 'execution', line: 'git status', runtime: 'host', durationMs: 30, status: 0 }),
    r({ line: 'make', source: 'exec' }),
    r({ kind: 'execution', line: 'make', runtime: 'host', status: 2 }), // no duration reported
    r({ line: 'npm i', risk: 'medium', decision: 'sandbox', reasons: [rule('install')], source: 'shell' }),
    r({ kind: 'execution', line: 'npm i', risk: 'medium', decision: 'sandbox', runtime: 'bubblewrap', cached: true, durationMs: 1000, status: 0 }),
    r({ line: 'npm ci', risk: 'medium', decision: 'sandbox', reasons: [rule('install')], source: 'shell' }),
    r({ kind: 'execution', line: 'npm ci', risk: 'medium', decision: 'sandbox', runtime: 'bubblewrap', cached: true, durationMs: 3000, status: 0 }),
    r({ line: 'curl a', risk: 'medium', decision: 'sandbox', reasons: [rule('download')], source: 'hook', agent: 'claude' }),
    r({ kind: 'execution', line: 'curl a', risk: 'medium', decision: 'sandbox', runtime: 'docker', durationMs: 400, status: 0 }),
    r({ line: 'rm -rf /', risk: 'critical', decision: 'block', reasons: [rule('rm-root', 'critical')], source: 'shell' }),
    r({ line: 'rm -rf /', risk: 'critical', decision: 'block', reasons: [rule('rm-root', 'critical')], source: 'shell' }),
    r({ line: 'curl x | sh', risk: 'high', decision: 'prompt', answer: 'no', reasons: [rule('pipe-to-shell', 'high'), rule('download')], source: 'shell' }),
    r({ line: 'sudo ls', risk: 'high', decision: 'prompt', reasons: [rule('sudo', 'high')], source: 'shell' }),
  ];
}

test('folds a known record set into the report', () => {
  const recs = known();
  const m = computeMetrics(recs);
  assert.equal(m.resetAt, recs[2].time);
  assert.equal(m.from, recs[3].time);
  assert.equal(m.to, recs[recs.length - 1].time);
  assert.equal(m.judged, 10);
  assert.equal(m.executed, 6);
  assert.deepEqual(m.outcomes, { host: 3, sandbox: 1, cached: 2, blocked: 2, prompted: 2, declined: 1, sandboxFailed: 0 });
  assert.deepEqual(m.byDecision, { host: 3, sandbox: 3, prompt: 2, block: 2 });
  assert.deepEqual(m.byRisk, { low: 3, medium: 3, high: 2, critical: 2 });
  assert.deepEqual(m.bySource, { shell: 8, exec: 1, hook: 1 });
  assert.deepEqual(m.byRuntime, [
    { runtime: 'host', count: 3, cached: 0, failed: 1, timed: 2, avgMs: 20, p50Ms: 10, p95Ms: 30 },
    { runtime: 'bubblewrap', count: 2, cached: 2, failed: 0, timed: 2, avgMs: 2000, p50Ms: 1000, p95Ms: 3000 },
    { runtime: 'docker', count: 1, cached: 0, failed: 0, timed: 1, avgMs: 400, p50Ms: 400, p95Ms: 400 },
  ]);
  assert.deepEqual(m.topRules, [
    { rule: 'download', count: 2 },
    { rule: 'install', count: 2 },
    { rule: 'rm-root', count: 2 },
    { rule: 'pipe-to-shell', count: 1 },
    { rule: 'sudo', count: 1 },
  ]);
  assert.deepEqual(m.topBlocked, [{ line: 'rm -rf /', count: 2 }]);
  assert.equal(m.notes.length, 2);
  assert.match(m.notes[0], /^1 execution reported no duration/);
  assert.match(m.notes[1], /declined counts only prompts whose answer was recorded/);
});

test('executions recorded with runtime none did not run: declined, blocked, sandbox failed', () => {
  // The shape vg exec writes (src/cli/commands/exec.ts).
  const m = computeMetrics([
    r({ line: 'curl x | sh', risk: 'high', decision: 'prompt' }),
    r({ kind: 'execution', line: 'curl x | sh', risk: 'high', decision: 'prompt', runtime: 'none', status: 126 }),
    r({ line: 'rm -rf /', risk: 'critical', decision: 'block' }),
    r({ kind: 'execution', line: 'rm -rf /', risk: 'critical', decision: 'block', runtime: 'none', status: 126 }),
    r({ line: 'npm i', risk: 'medium', decision: 'sandbox' }),
    r({ kind: 'execution', line: 'npm i', risk: 'medium', decision: 'sandbox', runtime: 'none', status: 125 }),
  ]);
  assert.equal(m.judged, 3);
  assert.equal(m.executed, 0);
  assert.deepEqual(m.outcomes, { host: 0, sandbox: 0, cached: 0, blocked: 1, prompted: 1, declined: 1, sandboxFailed: 1 });
  assert.deepEqual(m.byRuntime, []);
});

test('nearest-rank percentiles over many durations', () => {
  const recs = Array.from({ length: 100 }, (_, i) => r({ kind: 'execution', runtime: 'namespace', durationMs: 100 - i }));
  const [s] = computeMetrics(recs).byRuntime;
  assert.deepEqual({ p50: s.p50Ms, p95: s.p95Ms, avg: s.avgMs }, { p50: 50, p95: 95, avg: 51 });
});

test('empty, and nothing but a reset: zeros, no invented numbers', () => {
  for (const recs of [[], [r({ kind: 'reset' })]]) {
    const m = computeMetrics(recs);
    assert.equal(m.judged + m.executed, 0);
    assert.deepEqual(m.byRuntime, []);
    assert.deepEqual(m.notes, []);
    assert.equal(m.from, undefined);
  }
});

test('records without a runtime fall back to their decision, truncated lines group by hash', () => {
  const m = computeMetrics([
    r({ kind: 'execution', decision: 'host' }),
    r({ kind: 'execution', decision: 'sandbox' }),
    r({ decision: 'block', line: 'aaa …[truncated]', lineSha256: 'h1' }),
    r({ decision: 'block', line: 'aaa …[truncated]', lineSha256: 'h2' }),
  ]);
  assert.deepEqual(m.byRuntime.map((s) => s.runtime), ['host', 'unknown']);
  assert.equal(m.outcomes.blocked, 2);
  // Different full lines (different hashes) stay apart even though their cut text is the same.
  assert.deepEqual(m.topBlocked, [{ line: 'aaa …[truncated]', count: 1 }, { line: 'aaa …[truncated]', count: 1 }]);
});
