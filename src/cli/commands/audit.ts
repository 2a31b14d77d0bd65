// `vg audit`: read and verify the hash-chained audit log (src/store/audit.ts, docs/audit.md).
import { parse } from '../args.ts';
import { VgError, usage } from '../errors.ts';
import { readAudit, verifyAudit, auditFile, type AuditRecord } from '../../store/audit.ts';
import { parseSince, formatDuration } from '../../store/duration.ts';
import { colors, localTime, oneLine, table } from '../../store/present.ts';

const HELP = `Usage: vg audit [--json] [--since 1h] [--session ID] [--limit N]
       vg audit verify [--json]

Every decision and every execution, one record each, newest last.

Options:
  --since D      only records from the last D (45s 30m 12h 7d 2w) or since an ISO date
  --session ID   only this shell session ($VG_SESSION)
  --limit N      the last N records (default 50; with --json: all)
  --json         one JSON record per line, as stored

verify           check the hash chain across rotated files and against audit.head:
                 finds edited, deleted, reordered or cut-off records (exit 1 if not intact)`;

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'verify') return verify(argv.slice(1));
  const { values, positionals } = parse<{ json?: boolean; since?: string; session?: string; limit?: string; help?: boolean }>('audit', argv, {
    json: { type: 'boolean' },
    since: { type: 'string' },
    session: { type: 'string' },
    limit: { type: 'string', short: 'n' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return (process.stdout.write(HELP + '\n'), 0);
  if (positionals.length) throw usage(`audit: unknown command '${positionals[0]}' — use \`vg audit\` or \`vg audit verify\``);
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit <= 0) throw usage(`audit: --limit '${values.limit}' is not a positive whole number — e.g. --limit 20`);
  } else if (!values.json) limit = 50;
  const since = values.since ? parseSince(values.since) : undefined;
  // One more than shown, to know whether to say that earlier records exist.
  const got = readAudit({ since, session: values.session, limit: limit === undefined ? undefined : limit + 1 });
  const more = limit !== undefined && got.length > limit;
  const recs = more ? got.slice(1) : got;
  if (values.json) {
    process.stdout.write(recs.map((r) => JSON.stringify(r) + '\n').join(''));
    return 0;
  }
  if (recs.length === 0) {
    process.stdout.write(`no audit records${values.since || values.session ? ' match' : ' yet'} (${auditFile()})\n`);
    return 0;
  }
  process.stdout.write(render(recs).join('\n') + '\n');
  if (more) process.stdout.write(colors().dim(`… earlier records not shown (--limit N, or --json for all)\n`));
  return 0;
}

function render(recs: AuditRecord[]): string[] {
  const c = colors();
  const riskColour = { low: c.dim, medium: c.yellow, high: c.magenta, critical: c.red };
  const rows = [['TIME', 'SESSION', 'EVENT', 'WHERE', 'RISK', 'EXIT', 'TOOK', 'LINE'].map((h) => c.dim(h))];
  for (const r of recs) {
    let event: string;
    let where: string;
    if (r.kind === 'reset') {
      event = c.cyan('reset');
      where = '';
    } else if (r.kind === 'execution' && r.runtime === 'none') {
      // Reached execution but did not run (see src/store/metrics.ts).
      event = r.decision === 'prompt' ? c.yellow('declined') : r.decision === 'block' ? c.red('blocked') : c.red('not run');
      where = r.decision;
    } else if (r.kind === 'execution') {
      event = 'ran';
      where = (r.runtime ?? r.decision) + (r.cached ? '+cache' : '');
    } else {
      event = 'judged';
      where = r.decision === 'block' ? c.red('block') : r.decision === 'prompt' ? c.yellow('prompt') : r.decision;
      if (r.answer) where += c.dim(` → ${r.answer}`);
    }
    const exit = r.status === undefined ? '' : r.status === 0 ? '0' : c.red(String(r.status));
    const took = r.durationMs === undefined ? '' : formatDuration(r.durationMs);
    const risk = r.kind === 'reset' ? '' : (riskColour[r.risk] ?? String)(r.risk);
    rows.push([localTime(r.time), String(r.session).slice(0, 8), event, where, risk, exit, took, oneLine(r.line, 80)]);
  }
  return table(rows, [5, 6]);
}

function verify(argv: string[]): number {
  const { values, positionals } = parse<{ json?: boolean; help?: boolean }>('audit verify', argv, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return (process.stdout.write(HELP + '\n'), 0);
  if (positionals.length) throw usage(`audit verify: unexpected '${positionals[0]}' — it takes only --json`);
  const v = verifyAudit();
  if (values.json) {
    process.stdout.write(JSON.stringify(v) + '\n');
    return v.ok ? 0 : 1;
  }
  if (!v.ok) {
    throw new VgError(
      `audit log does not verify: ${v.problem} — the log was altered after it was written; keep a copy of ${auditFile().replace(/[^/]+$/, '')} for inspection`,
    );
  }
  const c = colors();
  if (v.records === 0) {
    process.stdout.write(`${c.green('✓')} audit log is empty (nothing to verify)\n`);
    return 0;
  }
  const files = v.files && v.files > 1 ? ` in ${v.files} files` : '';
  process.stdout.write(`${c.green('✓')} audit log intact: ${v.records} record${v.records === 1 ? '' : 's'}${files}, chain unbroken\n`);
  process.stdout.write(c.dim(`  last: seq ${v.last!.seq} ${v.last!.hash} — note it elsewhere to detect a wholesale rewrite later\n`));
  return 0;
}
