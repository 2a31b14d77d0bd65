// `vg metrics`: a report folded from the audit log (src/store/metrics.ts). Only counted numbers;
// nothing is estimated, so there is no "time saved" line.
import { parse } from '../args.ts';
import { usage } from '../errors.ts';
import { readAudit, appendResetMarker } from '../../store/audit.ts';
import { computeMetrics, type MetricsReport } from '../../store/metrics.ts';
import { parseSince, formatDuration } from '../../store/duration.ts';
import { colors, localTime, oneLine, table } from '../../store/present.ts';

const HELP = `Usage: vg metrics [--json] [--since 7d]
       vg metrics reset

What ran where and how long it took, counted from the audit log.

Options:
  --since D   only the last D (45s 30m 12h 7d 2w) or since an ISO date
  --json      the report as JSON

reset         count from now on: writes a marker into the audit log (the log and its
              chain are kept; \`vg audit\` still shows everything)`;

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'reset') {
    const { values, positionals } = parse<{ help?: boolean }>('metrics reset', argv.slice(1), { help: { type: 'boolean', short: 'h' } });
    if (values.help) return (process.stdout.write(HELP + '\n'), 0);
    if (positionals.length) throw usage(`metrics reset: unexpected '${positionals[0]}' — it takes no arguments`);
    const r = appendResetMarker();
    process.stdout.write(`${colors().green('✓')} metrics count from ${localTime(r.time)} on; the audit log keeps every record (seq ${r.seq} is the marker)\n`);
    return 0;
  }
  const { values, positionals } = parse<{ json?: boolean; since?: string; help?: boolean }>('metrics', argv, {
    json: { type: 'boolean' },
    since: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return (process.stdout.write(HELP + '\n'), 0);
  if (positionals.length) throw usage(`metrics: unknown command '${positionals[0]}' — use \`vg metrics\` or \`vg metrics reset\``);
  const since = values.since ? parseSince(values.since) : undefined;
  const report = computeMetrics(readAudit({ since }));
  if (values.json) {
    process.stdout.write(JSON.stringify({ since: since?.toISOString(), ...report }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(render(report, values.since).join('\n') + '\n');
  return 0;
}

const pct = (n: number, of: number): string => (of > 0 ? `${Math.round((100 * n) / of)}%` : '');

export function render(r: MetricsReport, sinceText?: string): string[] {
  const c = colors();
  const out: string[] = [];
  const scope = r.resetAt ? `since the reset at ${localTime(r.resetAt)}` : sinceText ? `last ${sinceText}` : 'all records';
  const span = r.from && r.to ? ` · ${localTime(r.from)} → ${localTime(r.to)}` : '';
  out.push(c.bold('vg metrics') + c.dim(` · ${scope}${span}`));
  if (r.judged === 0 && r.executed === 0) {
    out.push('', r.resetAt || sinceText ? 'nothing recorded in this period' : 'nothing recorded yet — lines appear here once the shell integration or vg exec has judged them');
    return out;
  }
  out.push('');
  const o = r.outcomes;
  const ran = r.executed;
  out.push(
    ...table(
      [
        ['judged', String(r.judged), ''],
        ['executed', String(ran), ''],
        ['  on host', String(o.host), pct(o.host, ran)],
        ['  sandboxed', String(o.sandbox), pct(o.sandbox, ran)],
        ['  sandboxed, cached', String(o.cached), pct(o.cached, ran)],
        ['blocked', c.red(String(o.blocked)), pct(o.blocked, r.judged)],
        ['prompted', String(o.prompted), pct(o.prompted, r.judged)],
        ['  declined', String(o.declined), ''],
        ...(o.sandboxFailed ? [['sandbox did not start', c.red(String(o.sandboxFailed)), '']] : []),
      ],
      [1, 2],
    ),
  );
  if (r.byRuntime.length) {
    out.push('');
    const rows = [['RUNTIME', 'RUNS', 'CACHED', 'FAILED', 'AVG', 'P50', 'P95'].map((h) => c.dim(h))];
    for (const s of r.byRuntime) {
      const t = (v: number | undefined): string => (v === undefined ? c.dim('—') : formatDuration(v));
      rows.push([s.runtime, String(s.count), s.runtime === 'host' ? '' : String(s.cached), String(s.failed), t(s.avgMs), t(s.p50Ms), t(s.p95Ms)]);
    }
    out.push(...table(rows, [1, 2, 3, 4, 5, 6]));
  }
  out.push('');
  const risk = (['low', 'medium', 'high', 'critical'] as const).map((k) => `${k} ${r.byRisk[k]}`).join(c.dim(' · '));
  out.push(`${c.dim('risk')}     ${risk}`);
  const src = Object.entries(r.bySource)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(c.dim(' · '));
  if (src) out.push(`${c.dim('source')}   ${src}`);
  if (r.topRules.length) {
    out.push('', c.dim('top rules'));
    out.push(...table(r.topRules.map((x) => [`  ${x.count}`, x.rule]), [0]));
  }
  if (r.topBlocked.length) {
    out.push('', c.dim('top blocked'));
    out.push(...table(r.topBlocked.map((x) => [`  ${x.count}`, oneLine(x.line, 80)]), [0]));
  }
  if (r.notes.length) out.push('', ...r.notes.map((n) => c.dim(`note: ${n}`)));
  return out;
}
