// Claude Code's PreToolUse hook protocol, for its Bash tool.
// In:  stdin JSON {session_id, transcript_path, cwd, permission_mode, hook_event_name: "PreToolUse",
//      tool_name: "Bash", tool_input: {command, description?, timeout?, run_in_background?}, tool_use_id}
// Out: exit 0 and {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision":
//      "allow"|"deny"|"ask", "permissionDecisionReason": "…", "updatedInput": {…}}}, or exit 2 with the
//      reason on stderr (blocks the call whatever stdout says). Any other exit status is a
//      "non-blocking error" to Claude Code — the command would run — so vg never leaves that way on
//      purpose, and the installed hook command turns every other status into 2 (see settingsCommand).
// updatedInput replaces the whole tool input, so every original field is carried over.
import type { AgentAnswer } from './adapter.ts';

export const AGENT = 'claude-code';

export interface PreToolUsePayload {
  session_id?: string;
  transcript_path?: string;
  cwd?: string;
  permission_mode?: string;
  hook_event_name?: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  tool_use_id?: string;
}

export type Parsed =
  | { kind: 'judge'; payload: PreToolUsePayload; command: string }
  /** Not ours to judge (another tool or event): say nothing, exit 0. */
  | { kind: 'pass'; why: string }
  | { kind: 'error'; problem: string };

export function parsePayload(text: string): Parsed {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (err) {
    return { kind: 'error', problem: text.trim() === '' ? 'no hook payload on stdin' : `hook payload is not JSON (${(err as Error).message})` };
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) return { kind: 'error', problem: 'hook payload is not a JSON object' };
  const payload = p as PreToolUsePayload;
  if (payload.hook_event_name !== undefined && payload.hook_event_name !== 'PreToolUse') {
    return { kind: 'pass', why: `event ${String(payload.hook_event_name)} is not PreToolUse` };
  }
  if (payload.tool_name !== undefined && payload.tool_name !== 'Bash') return { kind: 'pass', why: `tool ${String(payload.tool_name)} is not Bash` };
  const input = payload.tool_input;
  if (!input || typeof input !== 'object' || typeof input.command !== 'string') {
    return { kind: 'error', problem: 'Bash tool_input has no command string' };
  }
  return { kind: 'judge', payload, command: input.command };
}

export interface ClaudeOptions {
  /** Answer `allow` for host decisions too (skips Claude Code's own permission prompt). Default: say nothing. */
  allowHost?: boolean;
  /** Use `ask` instead of `allow` for rewrites: the user confirms the sandboxed command. */
  confirm?: boolean;
}

export interface HookReply {
  stdout: string;
  stderr: string;
  status: 0 | 2;
}

export function reply(answer: AgentAnswer, toolInput: Record<string, unknown>, o: ClaudeOptions = {}): HookReply {
  const out = (hso: Record<string, unknown>): string => JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', ...hso } }) + '\n';
  switch (answer.action) {
    case 'allow':
      // A resubmitted `vg exec …` line is vg's own sandboxed run: approve it like a rewrite.
      if (answer.routed) return { stdout: out({ permissionDecision: o.confirm ? 'ask' : 'allow', permissionDecisionReason: answer.reason }), stderr: '', status: 0 };
      if (!o.allowHost) return { stdout: '', stderr: '', status: 0 };
      return { stdout: out({ permissionDecision: 'allow', permissionDecisionReason: answer.reason }), stderr: '', status: 0 };
    case 'rewrite':
      return {
        stdout: out({
          permissionDecision: o.confirm ? 'ask' : 'allow',
          permissionDecisionReason: answer.reason,
          updatedInput: { ...toolInput, command: answer.command },
        }),
        stderr: '',
        status: 0,
      };
    case 'deny':
      return { stdout: out({ permissionDecision: 'deny', permissionDecisionReason: answer.reason }), stderr: '', status: 0 };
  }
}

/** When there is no verdict to speak of (unreadable payload, crash): block through the exit status. */
export function failReply(problem: string): HookReply {
  return {
    stdout: '',
    stderr: `vg could not judge this command (${problem}), so it was blocked — check the hook with \`vg hook claude-code < payload.json\`\n`,
    status: 2,
  };
}
