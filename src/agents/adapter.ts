// What an agent is told about one command, whatever the agent's hook protocol looks like.
// judge() decides host / sandbox / prompt / block; agents cannot answer questions and usually have no
// sandbox of their own, so the four decisions become three answers:
//   host    → allow    the command runs as the agent wrote it
//   sandbox → rewrite  the command is replaced by `vg exec --agent … -- bash -c '<command>'`, which
//                      judges it again and runs it in the sandbox (and records its exit status)
//   prompt  → rewrite  (agents never prompt: high risk is sandboxed)
//   sandbox or prompt with a verdict saying no sandbox can start → deny (the hooks judge without
//            planning, so there it is `vg exec` that refuses, with 125: never the host either way)
//   block   → deny     with the rule's message, so the agent can tell its user why
// A verdict that cannot be had (crash, timeout, bad payload) is a deny: never fail open.
import type { Risk } from '../analyze/types.ts';
import type { Decision } from '../policy/types.ts';
import type { Verdict } from '../intercept/judge.ts';
import { shjoin, splitQuoted } from './quote.ts';

export type Action = 'allow' | 'rewrite' | 'deny';

export interface RuleHit {
  rule: string;
  risk: Risk;
  message: string;
}

export interface AgentAnswer {
  action: Action;
  /** The line the agent asked to run. */
  line: string;
  /** What to run instead (rewrite) or as is (allow); absent for deny. */
  command?: string;
  /** The same as an argv, for agents that spawn without a shell. */
  argv?: string[];
  /** One line a person (or the model) can act on. */
  reason: string;
  risk: Risk | 'unknown';
  /** vg's own decision, or `error` when no verdict could be had. */
  decision: Decision | 'error';
  rules: RuleHit[];
  runtime?: string;
  /** The command runs (or is to be resubmitted) through `vg exec`, which records it: the hook does not. */
  routed?: boolean;
}

export interface RewriteOptions {
  /** How to call vg (see self.ts). */
  self: string[];
  agent: string;
  session: string;
  /** Options passed on to `vg exec` (mode, runtime, security level) so it judges as the hook did. */
  execFlags?: string[];
  /** Shell that runs the line under vg exec. */
  shell?: string;
}

/** The subset of a Verdict the mapping reads (tests build these by hand). */
export type VerdictLike = Pick<Verdict, 'line' | 'risk' | 'decision' | 'reason' | 'sandboxError'> & {
  analysis: { reasons: RuleHit[] };
  sandbox?: { runtime: string };
};

/**
 * `env VG_SESSION=<id> <vg> exec --agent <name> [flags] -- bash -c <line>`. The session goes through
 * the environment (vg exec reads VG_SESSION), and `env` keeps it one argv, so the same words serve
 * as a shell line (quoted by shjoin) and as an argv for agents that spawn without a shell.
 */
export function rewriteArgv(line: string, o: RewriteOptions): string[] {
  return ['env', `VG_SESSION=${o.session}`, ...o.self, 'exec', '--agent', o.agent, ...(o.execFlags ?? []), '--', o.shell ?? 'bash', '-c', line];
}

export function rewriteLine(line: string, o: RewriteOptions): string {
  return shjoin(rewriteArgv(line, o));
}

/**
 * If `line` is a rewrite vg produced (for any session, with the exec flags vg itself adds), return
 * the agent's original command. Agents resubmit what they were told to run: judging the inner command
 * keeps the answer stable instead of wrapping twice. `exact` says vg was named exactly as this vg names
 * itself (an absolute path by default), so the line can be allowed as is — it already runs through
 * `vg exec`. A bare `vg …` could be any program called vg on the agent's PATH: it is unwrapped and
 * rewritten, never allowed as is. Only vg's own shape is recognised — `vg exec --mode never …` typed
 * by an agent is judged like any other line.
 */
export function parseRewrite(line: string, self: string[], execFlags: string[] = [], shell = 'bash'): { inner: string; exact: boolean } | null {
  const w = splitQuoted(line);
  if (!w) return null;
  // env VG_SESSION=S <self> exec --agent A [flags…] -- SHELL -c LINE
  if (w.length < 2 || w[0] !== 'env' || !w[1].startsWith('VG_SESSION=')) return null;
  const v = w.slice(2);
  for (const s of [self, ['vg']]) {
    if (v.length < s.length + 1 || s.some((x, i) => v[i] !== x)) continue;
    const rest = v.slice(s.length);
    if (rest[0] !== 'exec' || rest[1] !== '--agent' || rest.length < 3) continue;
    const after = rest.slice(3);
    const flags = after.slice(0, execFlags.length);
    if (flags.some((f, i) => f !== execFlags[i])) continue;
    const tail = after.slice(execFlags.length);
    if (tail.length !== 4 || tail[0] !== '--' || tail[1] !== shell || tail[2] !== '-c') continue;
    return { inner: tail[3], exact: s === self };
  }
  return null;
}

export function unwrapRewrite(line: string, self: string[], execFlags: string[] = []): string | null {
  return parseRewrite(line, self, execFlags)?.inner ?? null;
}

const topRules = (v: VerdictLike): RuleHit[] =>
  v.analysis.reasons.map((r) => ({ rule: r.rule, risk: r.risk, message: r.message }));

function because(v: VerdictLike): string {
  const rules = topRules(v);
  if (rules.length === 0) return v.reason;
  const shown = rules.slice(0, 3).map((r) => r.message);
  const more = rules.length > 3 ? ` (+${rules.length - 3} more)` : '';
  return shown.join('; ') + more;
}

/** Map a verdict to the answer an agent gets. */
export function answerFor(v: VerdictLike, o: RewriteOptions): AgentAnswer {
  const base = { line: v.line, risk: v.risk, decision: v.decision, rules: topRules(v) };
  switch (v.decision) {
    case 'host':
      return { ...base, action: 'allow', command: v.line, argv: [o.shell ?? 'bash', '-c', v.line], reason: `vg: ${v.risk} risk — runs as is (${v.reason})` };
    case 'block':
      return {
        ...base,
        action: 'deny',
        reason: `vg blocked this command (${v.risk}): ${because(v)}. It must not be run in any form; tell the user what you wanted to do instead.`,
      };
    case 'sandbox':
    case 'prompt': {
      if (v.sandboxError) {
        return {
          ...base,
          action: 'deny',
          runtime: v.sandbox?.runtime,
          reason: `vg: ${v.risk} risk (${because(v)}) must run in a sandbox, and no sandbox can start here: ${v.sandboxError}`,
        };
      }
      const argv = rewriteArgv(v.line, o);
      const where = v.sandbox?.runtime ? `the ${v.sandbox.runtime} sandbox` : 'the sandbox';
      return {
        ...base,
        action: 'rewrite',
        command: shjoin(argv),
        argv,
        runtime: v.sandbox?.runtime,
        reason: `vg: ${v.risk} risk — runs in ${where} through \`vg exec\` (${because(v)})`,
      };
    }
  }
}

/** The answer when no verdict could be had: deny, saying what failed and how to get unstuck. */
export function failClosed(line: string, problem: string): AgentAnswer {
  return {
    action: 'deny',
    line,
    risk: 'unknown',
    decision: 'error',
    rules: [],
    reason: `vg could not judge this command (${problem}), so it was not run — retry, or ask the user to check \`vg doctor\``,
  };
}
