// `vg hook`: pre-execution hooks for AI agents. docs/agents.md is the user-facing description.
//   vg hook claude-code            Claude Code PreToolUse (Bash) hook: payload on stdin, answer on stdout
//   vg hook json                   generic: {"command","cwd","agent","session"} → {"decision",…}
//   vg hook install claude-code    add the hook to Claude Code's settings (user, --project, --local)
//   vg hook uninstall claude-code  remove it again
import { randomUUID } from 'node:crypto';
import { parse } from '../args.ts';
import { usage, VgError } from '../errors.ts';
import { AGENT, failReply, parsePayload, reply, type HookReply } from '../../agents/claude-code.ts';
import { genericReply, parseRequest } from '../../agents/generic.ts';
import { answerAgent, execFlags, type AgentRequest } from '../../agents/run.ts';
import { failClosed } from '../../agents/adapter.ts';
import { selfArgv } from '../../agents/self.ts';
import { addHook, DEFAULT_TIMEOUT_S, editSettings, hookCommand, removeHook, settingsPath, type Scope } from '../../agents/settings.ts';

const HELP = `Usage:
  vg hook claude-code [options]        answer one Claude Code PreToolUse hook call (JSON on stdin)
  vg hook json [options]               generic agents: {"command","cwd","agent","session"} on stdin
  vg hook install claude-code [--project | --local] [--dry-run] [options]
  vg hook uninstall claude-code [--project | --local] [--dry-run]

What an agent's command gets:
  low risk on the host      allowed as is (claude-code: no opinion, Claude Code's own prompts apply)
  sandboxed / high risk     rewritten to \`vg exec --agent … -- bash -c '<command>'\` and allowed
  critical (blocked)        denied, with the rule's message as the reason
  no verdict (crash, timeout, bad payload)   denied (exit 2) — never allowed
  no sandbox can start      the rewritten command is refused by vg exec (125) — never run on the host

Options (hook and install; install writes them into the hook command):
  --agent NAME           name for the audit log (default: claude-code, or "agent" for json)
  --allow-host           claude-code: answer "allow" for host decisions (skips Claude Code's prompt)
  --confirm              claude-code: answer "ask" for rewrites, so the user confirms the sandboxed run
  --no-rewrite           for agents that cannot take a rewritten command (or when in doubt that they
                         apply it): deny instead, with the exact \`vg exec\` command to run; that
                         command, resubmitted, is allowed as is
  --mode M, --runtime R, --security-level L   judge with these, and pass them to vg exec
  --timeout-ms N         deny if no verdict within N ms (default 10000)

Install options:
  --project              <cwd>/.claude/settings.json (shared with the team; calls \`vg\` from PATH)
  --local                <cwd>/.claude/settings.local.json (this checkout, not committed)
                         (default: ~/.claude/settings.json, or $CLAUDE_CONFIG_DIR/settings.json)
  --dry-run              print the resulting settings file, change nothing
  --timeout S            Claude Code's timeout for the hook, whole seconds (default 30)

The settings file is backed up to <file>.bak before each change; existing hooks are kept.
Details and other agents: docs/agents.md`;

const judgeOptions = {
  agent: { type: 'string' },
  'allow-host': { type: 'boolean' },
  confirm: { type: 'boolean' },
  'no-rewrite': { type: 'boolean' },
  mode: { type: 'string' },
  runtime: { type: 'string' },
  'security-level': { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type JudgeValues = {
  agent?: string;
  'allow-host'?: boolean;
  confirm?: boolean;
  'no-rewrite'?: boolean;
  mode?: string;
  runtime?: string;
  'security-level'?: string;
  'timeout-ms'?: string;
  help?: boolean;
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'claude-code':
      return claudeCode(rest);
    case 'json':
      return json(rest);
    case 'install':
    case 'uninstall':
      return install(sub, rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP + '\n');
      return sub === undefined ? 2 : 0;
    default:
      throw usage(`hook: unknown agent or action '${sub}' — use claude-code, json, install or uninstall (vg hook --help)`);
  }
}

function timeoutMs(v: JudgeValues): number {
  const raw = v['timeout-ms'] ?? process.env.VG_HOOK_TIMEOUT_MS;
  if (raw === undefined) return 10_000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw usage(`hook: --timeout-ms must be a positive number of milliseconds, not '${raw}'`);
  return n;
}

function flagsOf(v: JudgeValues): AgentRequest['flags'] {
  const f: NonNullable<AgentRequest['flags']> = {};
  if (v.mode) f.mode = v.mode;
  if (v.runtime) f.runtime = v.runtime;
  if (v['security-level']) f.security_level = v['security-level'];
  return f;
}

/** All of stdin, or a rejection after `ms` (an agent that never closes stdin must not hang us). */
async function readStdin(ms: number): Promise<string> {
  if (process.stdin.isTTY) throw new VgError('no hook payload: stdin is a terminal — pipe the JSON in, e.g. vg hook claude-code < payload.json');
  let timer: NodeJS.Timeout | undefined;
  const read = (async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  })();
  try {
    return await Promise.race([
      read,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`stdin not closed within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function emit(r: { stdout: string; stderr?: string; status: number }): number {
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  // The answer is out: leave now. An agent that keeps stdin open, or a judge still holding a handle
  // after the deadline, must not keep us alive until the agent's own timeout (which would count as
  // a non-blocking error, i.e. let the command run). Writes to pipes are synchronous on Linux/macOS.
  process.stdin.destroy();
  setTimeout(() => process.exit(r.status), 50).unref();
  return r.status;
}

/** One command through answerAgent, with what every hook shares (self, flags, deadline, session). */
function ask(v: JudgeValues, ms: number, r: { line: string; cwd?: string; agent: string; session?: string }) {
  return answerAgent({
    line: r.line,
    cwd: r.cwd || process.cwd(),
    agent: r.agent,
    session: r.session || process.env.VG_SESSION || `${r.agent}-${randomUUID()}`,
    source: 'hook',
    env: process.env,
    self: selfArgv(),
    flags: flagsOf(v),
    timeoutMs: ms,
    noRewrite: v['no-rewrite'],
  });
}

async function claudeCode(argv: string[]): Promise<number> {
  // Everything below is fail-closed: whatever goes wrong, the answer is exit 2 (blocked), never the
  // "non-blocking error" statuses that would let the command run.
  let r: HookReply;
  try {
    const { values: v } = parse<JudgeValues>('hook claude-code', argv, judgeOptions);
    if (v.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const ms = timeoutMs(v);
    const p = parsePayload(await readStdin(ms));
    if (p.kind === 'pass') return 0;
    if (p.kind === 'error') return emit(failReply(p.problem));
    const agent = v.agent || AGENT;
    const answer = await ask(v, ms, { line: p.command, cwd: p.payload.cwd, agent, session: p.payload.session_id });
    r = reply(answer, p.payload.tool_input ?? {}, { allowHost: v['allow-host'], confirm: v.confirm });
  } catch (err) {
    r = failReply(((err as Error)?.message ?? String(err)).split('\n')[0]);
  }
  return emit(r);
}

async function json(argv: string[]): Promise<number> {
  try {
    const { values: v } = parse<JudgeValues>('hook json', argv, judgeOptions);
    if (v.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const ms = timeoutMs(v);
    const p = parseRequest(await readStdin(ms));
    if (!p.ok) throw new Error(p.problem);
    const agent = p.req.agent || v.agent || process.env.VG_AGENT || 'agent';
    const answer = await ask(v, ms, { line: p.req.command, cwd: p.req.cwd, agent, session: p.req.session });
    return emit(genericReply(answer));
  } catch (err) {
    const a = failClosed('', ((err as Error)?.message ?? String(err)).split('\n')[0]);
    return emit({ ...genericReply(a), stderr: `${a.reason}\n` });
  }
}

async function install(action: 'install' | 'uninstall', argv: string[]): Promise<number> {
  const { values: v, positionals } = parse<JudgeValues & { project?: boolean; local?: boolean; 'dry-run'?: boolean; timeout?: string }>(
    `hook ${action}`,
    argv,
    { ...judgeOptions, project: { type: 'boolean' }, local: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, timeout: { type: 'string' } },
  );
  if (v.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals[0] !== 'claude-code' || positionals.length > 1) {
    throw usage(`hook ${action}: name the agent — vg hook ${action} claude-code (other agents: vg hook json, see docs/agents.md)`);
  }
  if (v.project && v.local) throw usage(`hook ${action}: --project and --local name different files — pick one`);
  const scope: Scope = v.project ? 'project' : v.local ? 'local' : 'user';
  const file = settingsPath(scope, process.env, process.cwd());
  if (action === 'uninstall') {
    const r = editSettings(file, (d) => removeHook(d, file), { dryRun: v['dry-run'] });
    if (v['dry-run']) process.stdout.write(r.text);
    else if (r.change === 'absent') process.stderr.write(`vg: no vg hook in ${file} — nothing changed\n`);
    else process.stderr.write(`vg: removed the vg PreToolUse hook from ${file}${r.backup ? ` (previous version: ${r.backup})` : ''}\n`);
    return 0;
  }
  // A project file is shared: it names `vg` (each teammate's own install) rather than this machine's paths.
  const self = scope === 'project' && !process.env.VG_SELF ? ['vg'] : selfArgv();
  const extra: string[] = [];
  if (v.agent) extra.push('--agent', v.agent);
  if (v['allow-host']) extra.push('--allow-host');
  if (v.confirm) extra.push('--confirm');
  if (v['no-rewrite']) extra.push('--no-rewrite');
  extra.push(...execFlags(flagsOf(v)));
  if (v['timeout-ms']) extra.push('--timeout-ms', String(timeoutMs(v)));
  let timeout = DEFAULT_TIMEOUT_S;
  if (v.timeout !== undefined) {
    timeout = Number(v.timeout);
    if (!Number.isInteger(timeout) || timeout <= 0) throw usage(`hook install: --timeout is whole seconds for Claude Code, not '${v.timeout}'`);
  }
  const command = hookCommand(self, extra);
  const r = editSettings(file, (d) => addHook(d, command, timeout, file), { dryRun: v['dry-run'] });
  if (v['dry-run']) {
    process.stdout.write(r.text);
    return 0;
  }
  const what =
    r.change === 'unchanged'
      ? `the vg hook is already in ${file} — nothing changed`
      : `${r.change} the vg PreToolUse hook (matcher Bash) in ${file}${r.backup ? ` (previous version: ${r.backup})` : ' (new file)'}`;
  process.stderr.write(`vg: ${what}\n`);
  if (r.change !== 'unchanged') process.stderr.write(`vg: hook command: ${command.replace(/ \|\| \{.*$/, '')}\n`);
  if (scope === 'project') process.stderr.write('vg: the project file calls `vg` from PATH: everyone using this project needs vg installed, or their Bash tool is blocked\n');
  return 0;
}
