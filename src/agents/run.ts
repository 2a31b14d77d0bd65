// One command from an agent → one answer: judge() under a deadline, mapped by adapter.ts, recorded
// in the audit log when the command will not pass through `vg exec` (allowed on the host as is, or
// denied). Rewritten commands are recorded by `vg exec` itself, with their exit status.
import { judge, type Env } from '../intercept/judge.ts';
import { answerFor, failClosed, parseRewrite, type AgentAnswer, type RewriteOptions } from './adapter.ts';
import { recordAgentAnswer } from './audit.ts';

export interface AgentRequest {
  line: string;
  cwd: string;
  agent: string;
  session: string;
  source: 'hook' | 'shim';
  env: Env;
  self: string[];
  /** --mode / --runtime / --security-level given to the hook: used to judge and passed on to vg exec. */
  flags?: { mode?: string; runtime?: string; security_level?: string };
  /** Give up and deny after this long (ms). */
  timeoutMs: number;
  shell?: string;
  /**
   * Agents that cannot take a rewritten command (no updatedInput): deny instead, with the exact
   * `vg exec` command to run in the reason; that command, resubmitted, is allowed as is.
   */
  noRewrite?: boolean;
  /** Stand-in for judge() (tests). */
  judgeFn?: typeof judge;
}

export function execFlags(flags: AgentRequest['flags'] = {}): string[] {
  const out: string[] = [];
  if (flags.mode) out.push('--mode', flags.mode);
  if (flags.runtime) out.push('--runtime', flags.runtime);
  if (flags.security_level) out.push('--security-level', flags.security_level);
  return out;
}

export async function answerAgent(req: AgentRequest): Promise<AgentAnswer> {
  const xf = execFlags(req.flags);
  const rw = parseRewrite(req.line, req.self, xf, req.shell);
  const line = rw?.inner ?? req.line;
  const o: RewriteOptions = { self: req.self, agent: req.agent, session: req.session, execFlags: xf, shell: req.shell };
  let answer: AgentAnswer;
  if (line.trim() === '') {
    answer = { action: 'allow', line, command: line, risk: 'low', decision: 'host', rules: [], reason: 'vg: empty command' };
  } else {
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no verdict within ${req.timeoutMs} ms`)), req.timeoutMs);
      });
      const flags = req.flags && Object.keys(req.flags).length ? req.flags : undefined;
      const verdict = await Promise.race([
        // No sandbox planning here: `vg exec` plans (and probes the runtime) when the command runs, and
        // refuses with 125 if no sandbox can start — never the host. Skipping it saves 100–400 ms on
        // every agent command.
        (req.judgeFn ?? judge)(line, { cwd: req.cwd, env: req.env, interactive: false, agent: req.agent, session: req.session, source: req.source, flags, planSandbox: false }),
        deadline,
      ]);
      answer = answerFor(verdict, o);
      if (rw?.exact && answer.action !== 'deny') {
        // Already `vg exec … -- bash -c LINE` with this vg: it will judge LINE again and run it where
        // it belongs. Allow it unchanged.
        answer = { ...answer, action: 'allow', command: req.line, argv: [req.shell ?? 'bash', '-c', req.line], routed: true, reason: `vg: runs through vg exec as written (${answer.reason.replace(/^vg: /, '')})` };
      } else if (req.noRewrite && answer.action === 'rewrite') {
        answer = {
          ...answer,
          action: 'deny',
          command: undefined,
          argv: undefined,
          routed: true, // to be resubmitted through vg exec, which records the run
          reason: `vg: ${answer.risk} risk, so not on the host as written — run exactly this instead, it runs the same command in vg's sandbox: ${answer.command}`,
        };
      }
    } catch (err) {
      answer = failClosed(line, ((err as Error)?.message ?? String(err)).split('\n')[0]);
    } finally {
      clearTimeout(timer);
    }
  }
  if (answer.action !== 'rewrite' && !answer.routed) await recordAgentAnswer(answer, req);
  return answer;
}
