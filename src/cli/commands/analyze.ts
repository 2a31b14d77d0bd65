// `vg analyze`: how a line would be judged, without running it.
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { statSync } from 'node:fs';
import pc from 'picocolors';
import { parse } from '../args.ts';
import { usage } from '../errors.ts';
import { judge, type Verdict, type JudgeContext } from '../../intercept/judge.ts';
import type { Risk } from '../../analyze/types.ts';

const HELP = `Usage: vg analyze [options] "LINE"
       vg analyze --json --stdin [-0]     one JSON object per input line

Explain how vg judges a line — what would run, which rules fire and why, and what vg would do —
without running anything. The decision assumes the line is typed at an interactive prompt.

Options:
  --json          machine-readable: {"line","risk","decision","reason","reasons":[…],"parse",…}
  --mode M        always | auto | risky | never (overrides config)
  --cwd DIR       judge as if typed in DIR (paths resolve against it)
  --stdin         read lines from stdin (newline-separated; with -0, NUL-separated)
  -0, --null      input records are NUL-separated (lines may contain newlines)
  --agent NAME    judge as an AI agent's command (never prompts)
  -h, --help      this help`;

const OPTIONS = {
  json: { type: 'boolean' },
  mode: { type: 'string' },
  cwd: { type: 'string' },
  stdin: { type: 'boolean' },
  null: { type: 'boolean', short: '0' },
  agent: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Values {
  json?: boolean;
  mode?: string;
  cwd?: string;
  stdin?: boolean;
  null?: boolean;
  agent?: string;
  help?: boolean;
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals, rest } = parse<Values>('analyze', argv, OPTIONS);
  if (v.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const cwd = v.cwd ? resolve(v.cwd) : process.cwd();
  if (v.cwd) {
    let ok = false;
    try {
      ok = statSync(cwd).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) throw usage(`analyze: --cwd ${v.cwd} is not a directory — give an existing directory`);
  }
  const agent = v.agent || (process.env.VG_AGENT ? 'agent' : undefined);
  const ctx: JudgeContext = {
    cwd,
    env: process.env,
    interactive: !agent,
    session: process.env.VG_SESSION || 'analyze',
    source: 'exec',
    planSandbox: false,
    flags: { mode: v.mode },
    ...(agent ? { agent } : {}),
  };

  if (v.stdin) {
    if (positionals.length || rest) throw usage('analyze: --stdin reads lines from stdin; do not also give a LINE');
    return streamLines(ctx, Boolean(v.null), Boolean(v.json));
  }
  const words = rest ?? positionals;
  if (words.length === 0) throw usage('analyze: no line given — `vg analyze "LINE"` or `--stdin`');
  const line = words.join(' ');
  const verdict = await judge(line, ctx);
  for (const n of verdict.notices) process.stderr.write(`vg: ${n}\n`);
  process.stdout.write((v.json ? JSON.stringify(toJson(verdict)) : explain(verdict)) + '\n');
  return 0;
}

export function toJson(v: Verdict): Record<string, unknown> {
  const out: Record<string, unknown> = {
    line: v.line,
    risk: v.risk,
    decision: v.decision,
    reason: v.reason,
    reasons: v.analysis.reasons.map((r) => ({ rule: r.rule, risk: r.risk, message: r.message, ...(r.command ? { command: r.command } : {}) })),
    parse: v.analysis.parse,
    commands: v.analysis.commands.map((c) => c.argv),
  };
  if (v.analysis.parseError) out.parseError = v.analysis.parseError;
  if (v.trustedId) out.trusted = v.trustedId;
  return out;
}

async function streamLines(ctx: JudgeContext, nul: boolean, json: boolean): Promise<number> {
  const emit = async (line: string) => {
    const verdict = await judge(line, ctx);
    process.stdout.write((json ? JSON.stringify(toJson(verdict)) : `${verdict.risk}\t${verdict.decision}\t${line}`) + '\n');
  };
  if (nul) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const records = Buffer.concat(chunks).toString('utf8').split('\0');
    if (records.length && records[records.length - 1] === '') records.pop();
    for (const r of records) await emit(r);
    return 0;
  }
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) await emit(line);
  return 0;
}

const color: Record<Risk, (s: string) => string> = {
  low: pc.green,
  medium: pc.yellow,
  high: (s) => pc.bold(pc.red(s)),
  critical: (s) => pc.bold(pc.magenta(s)),
};

export function explain(v: Verdict): string {
  const a = v.analysis;
  const out: string[] = [];
  const label = (s: string) => pc.dim(s.padEnd(9));
  out.push(`${label('line')}${v.line}`);
  out.push(`${label('risk')}${color[v.risk](v.risk)}${a.parse === 'error' ? pc.dim(`  (does not parse: ${a.parseError ?? 'syntax error'}; judged from its words)`) : ''}`);
  out.push(`${label('decision')}${pc.bold(v.decision)} — ${v.reason}`);
  const runs = a.commands.slice(0, 12).map((c) => c.argv.join(' '));
  if (runs.length) {
    out.push(`${label('runs')}${runs[0]}`);
    for (const r of runs.slice(1)) out.push(`${' '.repeat(9)}${r}`);
    if (a.commands.length > 12) out.push(`${' '.repeat(9)}${pc.dim(`… and ${a.commands.length - 12} more`)}`);
  }
  if (a.reasons.length === 0) out.push(`${label('rules')}${pc.dim('none fired')}`);
  a.reasons.forEach((r, i) => {
    const head = i === 0 ? label('rules') : ' '.repeat(9);
    out.push(`${head}${color[r.risk](r.risk.padEnd(8))} ${r.rule} — ${r.message}${r.command ? pc.dim(`  [${r.command}]`) : ''}`);
    if (r.why) out.push(`${' '.repeat(18)}${pc.dim(`why: ${r.why}`)}`);
  });
  if (v.trustedId) out.push(`${label('trust')}matches trust entry ${v.trustedId}`);
  return out.join('\n');
}

