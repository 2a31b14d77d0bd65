// The one pipeline every entry point shares (shell server, vg exec, agent hooks):
// line → analyze → trust → policy → sandbox plan → runtime invocation. Being written by the lead;
// this header documents the contract the other modules code against.
import type { Analysis, Risk } from '../analyze/types.ts';
import type { Decision } from '../policy/types.ts';
import type { SandboxPlan } from '../sandbox/types.ts';
import type { Invocation } from '../runtimes/types.ts';

export type Env = Record<string, string | undefined>;

export interface JudgeContext {
  cwd: string;
  env: Env;
  /** A person can answer a question on /dev/tty now. */
  interactive: boolean;
  /** AI agent session (VG_AGENT=1 or a hook): never prompt; name for the audit log. */
  agent?: string;
  session: string;
  source: 'shell' | 'exec' | 'hook' | 'shim';
  flags?: { mode?: string; runtime?: string; security_level?: string; network_mode?: string; timeout?: string | number };
  /** `vg exec -- CMD ARGS…`: run this argv rather than a shell line (the line is its quoted form). */
  argv?: string[];
}

export interface Verdict {
  line: string;
  risk: Risk;
  decision: Decision;
  /** Policy's reason (why this decision). */
  reason: string;
  analysis: Analysis;
  trustedId?: string;
  /** One line for stderr: the sandbox notice, the block reason, or the question for a prompt. */
  notice: string;
  /** For sandbox decisions (and prompts, for the `s` answer): how to run it. */
  sandbox?: { runtime: string; plan: SandboxPlan; invocation: Invocation; note?: string; cached: boolean };
  /** The sandbox was chosen but cannot start (runtime missing…): one line; callers exit 125. */
  sandboxError?: string;
  /** Config notices (a project file tried to loosen security…), to show once. */
  notices: string[];
}

// Interim body until the pieces it composes land; replaced by the real pipeline.
export async function judge(line: string, _ctx: JudgeContext): Promise<Verdict> {
  throw new Error(`judge() is not wired yet (line: ${line.slice(0, 40)})`);
}
