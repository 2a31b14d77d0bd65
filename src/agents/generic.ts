// `vg hook json`: the protocol for any agent that can call a program before running a command.
// In:  {"command": "…", "cwd"?: "…", "agent"?: "…", "session"?: "…"}
// Out: {"decision": "allow"|"rewrite"|"deny", "command"?: "…", "argv"?: [...], "reason": "…",
//       "risk": "low"|"medium"|"high"|"critical"|"unknown", "vg": "host"|"sandbox"|"prompt"|"block"|"error",
//       "rules": [{rule, risk, message}]}
// Exit status: 0 for allow/rewrite, 2 for deny (the JSON is printed either way), so a shell-level
// integration can use `|| refuse`. Anything else on stdin is a deny, never a pass.
import type { AgentAnswer } from './adapter.ts';

export interface GenericRequest {
  command: string;
  cwd?: string;
  agent?: string;
  session?: string;
}

export function parseRequest(text: string): { ok: true; req: GenericRequest } | { ok: false; problem: string } {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: text.trim() === '' ? 'nothing on stdin' : `stdin is not JSON (${(err as Error).message})` };
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) return { ok: false, problem: 'stdin is not a JSON object' };
  const o = p as Record<string, unknown>;
  if (typeof o.command !== 'string') return { ok: false, problem: '"command" is missing or not a string' };
  for (const k of ['cwd', 'agent', 'session'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') return { ok: false, problem: `"${k}" is not a string` };
  }
  return { ok: true, req: { command: o.command, cwd: o.cwd as string | undefined, agent: o.agent as string | undefined, session: o.session as string | undefined } };
}

export function genericReply(a: AgentAnswer): { stdout: string; status: 0 | 2 } {
  const body: Record<string, unknown> = { decision: a.action };
  if (a.command !== undefined) body.command = a.command;
  if (a.argv) body.argv = a.argv;
  body.reason = a.reason;
  body.risk = a.risk;
  body.vg = a.decision;
  body.rules = a.rules;
  return { stdout: JSON.stringify(body) + '\n', status: a.action === 'deny' ? 2 : 0 };
}
