import type { Risk } from '../analyze/types.ts';

export type Mode = 'always' | 'auto' | 'risky' | 'never';
export const MODES: readonly Mode[] = ['always', 'auto', 'risky', 'never'];
export type Decision = 'host' | 'sandbox' | 'prompt' | 'block';

export interface PolicyInput {
  risk: Risk;
  /** Line only changes shell state (cd, export, …). */
  stateOnly: boolean;
  /** The line changes this shell through `eval` or a function of its own (Analysis.changesShell). */
  changesShell?: boolean;
  /** The line reads this shell's state (`history | grep x`): a low one runs in the shell. */
  readsShellState?: boolean;
  mode: Mode;
  /** `sandbox.enabled`; false behaves like mode never (validation only). */
  enabled: boolean;
  /** The line matches an entry in the trust store. */
  trusted: boolean;
  /** A person can answer a question on a terminal right now. */
  interactive: boolean;
  /** An AI agent's shell (`VG_AGENT=1`): never prompt. */
  agent: boolean;
  /** The line starts an interactive shell or REPL (Analysis.startsInteractive). */
  startsInteractive?: boolean;
}

export interface PolicyResult {
  decision: Decision;
  /** One short sentence: why this decision. */
  reason: string;
}
