// `vg exec`: the same judgement and execution the shell integration gives, for scripts, CI and agents.
import { existsSync, fstatSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { quote } from 'shell-quote';
import { parse } from '../args.ts';
import { usage, VgError } from '../errors.ts';
import { judge, type Verdict } from '../../intercept/judge.ts';
import { askOnTty, type Answer } from '../prompt.ts';
import { runChild } from '../child.ts';
import { appendAudit, type AuditInput } from '../../store/audit.ts';
import { trustStore } from '../../store/trust.ts';
import type { ConcreteRuntime } from '../../runtimes/types.ts';

const HELP = `Usage: vg exec [options] "LINE"
       vg exec [options] -- CMD [ARGS…]

Judge a command and run it: on the host, in the sandbox, after asking, or not at all.
Everything after \`--\` belongs to the command (\`vg exec -- npm --help\` shows npm's help).

Options:
  --mode M             always | auto | risky | never (overrides config)
  --runtime R          auto | bubblewrap | namespace | docker | podman
  --security-level L   permissive | balanced | strict | paranoid
  --network N          none | restricted | full
  --timeout SECONDS    kill the sandboxed command after this long (exit 124)
  --interactive        ask on /dev/tty for high-risk lines (default when stdin and stderr are terminals)
  --no-interactive     never ask: high risk is sandboxed
  --dry-run            print the decision, the sandbox plan and the runtime argv; run nothing
  --json               after the run, write one JSON summary to fd 3 if open, else as stderr's last line
  --agent NAME         mark this as an AI agent's command (never prompts; recorded in the audit log)
  --session ID         audit-log session id (default: $VG_SESSION, else a new one)
  -q, --quiet          no notice line for sandboxed runs
  -h, --help           this help

Exit status: the command's own; 128+n when killed by signal n; 124 on timeout;
126 when vg blocks the line or you decline; 125 when the sandbox cannot start.`;

const OPTIONS = {
  mode: { type: 'string' },
  runtime: { type: 'string' },
  'security-level': { type: 'string' },
  network: { type: 'string' },
  timeout: { type: 'string' },
  interactive: { type: 'boolean' },
  'no-interactive': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  agent: { type: 'string' },
  session: { type: 'string' },
  // Set by vg's own hook and shim wrappers so the audit log says where a line came from.
  source: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Values {
  mode?: string;
  runtime?: string;
  'security-level'?: string;
  network?: string;
  timeout?: string;
  interactive?: boolean;
  'no-interactive'?: boolean;
  'dry-run'?: boolean;
  json?: boolean;
  agent?: string;
  session?: string;
  source?: string;
  quiet?: boolean;
  help?: boolean;
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals, rest } = parse<Values>('exec', argv, OPTIONS, { stopAtFirstPositional: true });
  if (v.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  let line: string;
  let cmdArgv: string[] | undefined;
  if (rest !== null) {
    if (rest.length === 0) throw usage('exec: nothing after `--` — give the command to run, e.g. `vg exec -- npm test`');
    if (positionals.length) throw usage('exec: give either "LINE" or `-- CMD ARGS…`, not both');
    cmdArgv = rest;
    line = quote(rest);
  } else {
    if (positionals.length === 0) throw usage('exec: no command given — `vg exec "LINE"` or `vg exec -- CMD ARGS…`');
    line = positionals.join(' ');
  }
  if (line.trim() === '') throw usage('exec: the command is empty');

  const env = process.env;
  const agent = v.agent || (env.VG_AGENT ? (env.VG_AGENT === '1' ? 'agent' : env.VG_AGENT) : undefined);
  const ttyish = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const interactive = !agent && !v['no-interactive'] && (v.interactive ?? ttyish);
  const session = v.session || env.VG_SESSION || `exec-${randomUUID().slice(0, 8)}`;
  const source = v.source === 'hook' || v.source === 'shim' ? v.source : 'exec';
  if (v.source !== undefined && source !== v.source) throw usage(`exec: --source ${v.source} is not one of hook, shim`);
  const cwd = process.cwd();
  const verdict = await judge(line, {
    cwd,
    env,
    interactive,
    session,
    source,
    ...(agent ? { agent } : {}),
    ...(cmdArgv ? { argv: cmdArgv } : {}),
    flags: {
      mode: v.mode,
      runtime: v.runtime,
      security_level: v['security-level'],
      network_mode: v.network,
      timeout: v.timeout,
    },
  });
  for (const n of verdict.notices) process.stderr.write(`vg: ${n}\n`);
  if (v['dry-run']) return dryRun(verdict, cmdArgv);

  const audit = (rec: Partial<AuditInput> & Pick<AuditInput, 'kind' | 'decision'>) =>
    appendAudit(
      {
        session,
        cwd,
        line,
        risk: verdict.risk,
        reasons: verdict.analysis.reasons.map(({ rule, risk, message }) => ({ rule, risk, message })),
        source,
        ...(agent ? { agent } : {}),
        ...rec,
      },
      env,
    );
  audit({ kind: 'decision', decision: verdict.decision });

  let decision = verdict.decision;
  if (decision === 'prompt') {
    const answer: Answer = askOnTty(verdict.notice, verdict.sandbox ? ['s', 'y', 'r', 'n'] : ['y', 'r', 'n']);
    if (answer === 'n') {
      process.stderr.write('vg: cancelled\n');
      audit({ kind: 'execution', decision: 'prompt', status: 126, runtime: 'none' });
      return summary(v.json, verdict, { decision: 'declined', status: 126 });
    }
    if (answer === 'r') {
      const entry = trustStore(env).add(line, { cwd });
      process.stderr.write(`vg: trusted "${entry.line}" — it runs on the host from now on (vg trust remove to undo)\n`);
    }
    decision = answer === 's' ? 'sandbox' : 'host';
  }

  if (decision === 'block') {
    process.stderr.write(verdict.notice + '\n');
    audit({ kind: 'execution', decision: 'block', status: 126, runtime: 'none' });
    return summary(v.json, verdict, { decision: 'block', status: 126 });
  }

  if (decision === 'sandbox') {
    if (!verdict.sandbox) {
      process.stderr.write(`vg: sandbox could not start: ${verdict.sandboxError ?? 'no runtime'}\n`);
      audit({ kind: 'execution', decision: 'sandbox', status: 125, runtime: 'none' });
      return summary(v.json, verdict, { decision: 'sandbox', status: 125 });
    }
    if (!v.quiet && verdict.notice) process.stderr.write(verdict.notice + '\n');
    const [{ loadRuntime }, { runPlan }] = await Promise.all([import('../../runtimes/select.ts'), import('../../runtimes/run.ts')]);
    const runtime = await loadRuntime(verdict.sandbox.plan.runtime as ConcreteRuntime);
    const r = await runPlan(runtime, verdict.sandbox.plan);
    audit({
      kind: 'execution',
      decision: 'sandbox',
      runtime: verdict.sandbox.runtime,
      cached: verdict.sandbox.cached,
      status: r.status,
      durationMs: Math.round(r.durationMs),
    });
    return summary(v.json, verdict, { decision: 'sandbox', status: r.status, durationMs: r.durationMs, runtime: verdict.sandbox.runtime });
  }

  // host
  if (verdict.notice && !v.quiet) process.stderr.write(verdict.notice + '\n');
  if (verdict.trustedId) trustStore(env).recordUse(verdict.trustedId);
  const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  const r = await runChild(cmdArgv ?? [shell, '-c', line], { cwd, env });
  if (r.spawnError) {
    const what = cmdArgv ? cmdArgv[0] : shell;
    process.stderr.write(
      r.spawnError.code === 'ENOENT'
        ? `vg: ${what}: command not found — check the name and your PATH\n`
        : `vg: cannot run ${what}: ${r.spawnError.message}\n`,
    );
  }
  audit({ kind: 'execution', decision: 'host', runtime: 'host', status: r.status, durationMs: Math.round(r.durationMs) });
  return summary(v.json, verdict, { decision: 'host', status: r.status, durationMs: r.durationMs, runtime: 'host' });
}

function summary(
  json: boolean | undefined,
  verdict: Verdict,
  r: { decision: string; status: number; durationMs?: number; runtime?: string },
): number {
  if (json) {
    const out = JSON.stringify({
      line: verdict.line,
      risk: verdict.risk,
      decision: r.decision,
      reason: verdict.reason,
      reasons: verdict.analysis.reasons.map(({ rule, risk, message }) => ({ rule, risk, message })),
      runtime: r.runtime ?? null,
      cached: verdict.sandbox?.cached ?? false,
      status: r.status,
      durationMs: r.durationMs === undefined ? null : Math.round(r.durationMs),
    });
    writeSummary(out + '\n');
  }
  return r.status;
}

/** fd 3 when the caller opened it (keeps the command's own stderr clean), else stderr. */
function writeSummary(text: string): void {
  try {
    fstatSync(3);
    writeSync(3, text);
  } catch {
    process.stderr.write(text);
  }
}

function dryRun(verdict: Verdict, cmdArgv: string[] | undefined): number {
  const out: Record<string, unknown> = {
    line: verdict.line,
    risk: verdict.risk,
    decision: verdict.decision,
    reason: verdict.reason,
    reasons: verdict.analysis.reasons,
  };
  if (cmdArgv) out.argv = cmdArgv;
  if (verdict.sandbox) {
    out.runtime = verdict.sandbox.runtime;
    out.plan = verdict.sandbox.plan;
    out.invocation = verdict.sandbox.invocation;
    out.argvText = quote(verdict.sandbox.invocation.argv);
  }
  if (verdict.sandboxError) out.sandboxError = verdict.sandboxError;
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  if (verdict.decision === 'sandbox' && !verdict.sandbox) throw new VgError(`sandbox could not start: ${verdict.sandboxError}`, 125);
  return 0;
}
