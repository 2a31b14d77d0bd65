// Metrics are a pure fold over audit records: one source of truth, nothing to keep in sync, and
// every number traceable to log lines. Nothing here is estimated; where a figure depends on what
// callers recorded (durations, prompt answers) the report says so in `notes`.
import type { Risk } from '../analyze/types.ts';
import type { Decision } from '../policy/types.ts';
import type { AuditRecord } from './audit.ts';

export interface RuntimeStats {
  runtime: string;
  /** Executions on this runtime. */
  count: number;
  /** Of those, how many with the cache mounted (sandboxes only). */
  cached: number;
  /** Exited non-zero. */
  failed: number;
  /** Executions that reported a duration; the statistics below are over these. */
  timed: number;
  avgMs?: number;
  /** Nearest-rank percentiles of the measured durations. */
  p50Ms?: number;
  p95Ms?: number;
}

export interface MetricsReport {
  /** Time of the first and last record counted. */
  from?: string;
  to?: string;
  /** The `vg metrics reset` marker the report starts after, if any. */
  resetAt?: string;
  /** Decision records: lines judged. */
  judged: number;
  /** Execution records: lines that ran somewhere. */
  executed: number;
  outcomes: {
    /** Ran on the host. */
    host: number;
    /** Ran in a sandbox without the package caches. */
    sandbox: number;
    /** Ran in a sandbox with the package caches mounted. */
    cached: number;
    blocked: number;
    prompted: number;
    /** Prompts answered "no" (only counted when the caller recorded the answer). */
    declined: number;
    /** Sandboxed lines whose sandbox could not start (runtime missing…): they did not run. */
    sandboxFailed: number;
  };
  byDecision: Record<Decision, number>;
  byRisk: Record<Risk, number>;
  byRuntime: RuntimeStats[];
  topRules: { rule: string; count: number }[];
  topBlocked: { line: string; count: number }[];
  bySource: Record<string, number>;
  /** How the numbers were counted, for anything a reader could misread. */
  notes: string[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

function top<K>(m: Map<K, number>, n: number): [K, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, n);
}

export function computeMetrics(records: readonly AuditRecord[], o: { top?: number } = {}): MetricsReport {
  const n = o.top ?? 5;
  let start = 0;
  let resetAt: string | undefined;
  for (let i = records.length - 1; i >= 0; i--) {
    if (records[i].kind === 'reset') {
      start = i + 1;
      resetAt = records[i].time;
      break;
    }
  }
  const r: MetricsReport = {
    judged: 0,
    executed: 0,
    outcomes: { host: 0, sandbox: 0, cached: 0, blocked: 0, prompted: 0, declined: 0, sandboxFailed: 0 },
    byDecision: { host: 0, sandbox: 0, prompt: 0, block: 0 },
    byRisk: { low: 0, medium: 0, high: 0, critical: 0 },
    byRuntime: [],
    topRules: [],
    topBlocked: [],
    bySource: {},
    notes: [],
  };
  if (resetAt) r.resetAt = resetAt;
  const runtimes = new Map<string, { count: number; cached: number; failed: number; durations: number[] }>();
  const rules = new Map<string, number>();
  const blocked = new Map<string, { line: string; count: number }>();
  for (let i = start; i < records.length; i++) {
    const rec = records[i];
    if (rec.kind !== 'decision' && rec.kind !== 'execution') continue;
    r.from ??= rec.time;
    r.to = rec.time;
    if (rec.kind === 'decision') {
      r.judged++;
      if (rec.decision in r.byDecision) r.byDecision[rec.decision]++;
      if (rec.risk in r.byRisk) r.byRisk[rec.risk]++;
      const src = rec.source ?? 'unknown';
      r.bySource[src] = (r.bySource[src] ?? 0) + 1;
      for (const reason of rec.reasons ?? []) rules.set(reason.rule, (rules.get(reason.rule) ?? 0) + 1);
      if (rec.decision === 'block') {
        r.outcomes.blocked++;
        const key = rec.lineSha256 ?? rec.line;
        const b = blocked.get(key) ?? { line: rec.line, count: 0 };
        b.count++;
        blocked.set(key, b);
      }
      if (rec.decision === 'prompt') r.outcomes.prompted++;
      if (rec.answer === 'no') r.outcomes.declined++;
      continue;
    }
    // `runtime: none` is how callers record a line that reached execution but did not run:
    // a declined prompt, a block, a sandbox that could not start. The decision record already
    // counted the judgement; here only the outcome is added.
    if (rec.runtime === 'none') {
      if (rec.decision === 'prompt') r.outcomes.declined++;
      else if (rec.decision === 'sandbox') r.outcomes.sandboxFailed++;
      continue;
    }
    r.executed++;
    const runtime = rec.runtime ?? (rec.decision === 'host' ? 'host' : 'unknown');
    const s = runtimes.get(runtime) ?? { count: 0, cached: 0, failed: 0, durations: [] };
    s.count++;
    if (runtime === 'host') r.outcomes.host++;
    else if (rec.cached) {
      r.outcomes.cached++;
      s.cached++;
    } else r.outcomes.sandbox++;
    if (typeof rec.status === 'number' && rec.status !== 0) s.failed++;
    if (typeof rec.durationMs === 'number' && Number.isFinite(rec.durationMs)) s.durations.push(rec.durationMs);
    runtimes.set(runtime, s);
  }
  for (const [runtime, s] of [...runtimes.entries()].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))) {
    const d = s.durations.sort((a, b) => a - b);
    const stats: RuntimeStats = { runtime, count: s.count, cached: s.cached, failed: s.failed, timed: d.length };
    if (d.length > 0) {
      stats.avgMs = Math.round(d.reduce((a, b) => a + b, 0) / d.length);
      stats.p50Ms = percentile(d, 50);
      stats.p95Ms = percentile(d, 95);
    }
    r.byRuntime.push(stats);
  }
  r.topRules = top(rules, n).map(([rule, count]) => ({ rule, count }));
  r.topBlocked = [...blocked.values()]
    .sort((a, b) => b.count - a.count || a.line.localeCompare(b.line))
    .slice(0, n)
    .map(({ line, count }) => ({ line, count }));
  const untimed = r.byRuntime.reduce((a, s) => a + (s.count - s.timed), 0);
  if (untimed > 0) r.notes.push(`${untimed} execution${untimed === 1 ? '' : 's'} reported no duration and are left out of the timings`);
  if (r.outcomes.prompted > 0) r.notes.push('declined counts only prompts whose answer was recorded as "no"');
  return r;
}
