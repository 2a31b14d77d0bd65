import type { Risk, CommandFact } from '../types.ts';

export type RuleGroup =
  | 'filesystem'
  | 'disk'
  | 'fork-bomb'
  | 'system-files'
  | 'privilege'
  | 'remote-code'
  | 'exfiltration'
  | 'persistence'
  | 'git'
  | 'containers'
  | 'kubernetes'
  | 'cloud'
  | 'database'
  | 'power-process'
  | 'network'
  | 'packages'
  | 'parse'
  | 'guard'
  | 'user';

/** What a rule's matcher sees: one command fact plus the whole-line context. */
export interface MatchInput {
  fact: CommandFact;
  all: readonly CommandFact[];
  cwd: string;
  home: string;
  /** Directory treated as the user's workspace (the git root or the cwd); '' when there is none. */
  workspace: string;
  /** Line-level facts for rules marked `line: true`. */
  parse?: 'ok' | 'error';
  truncated?: boolean;
  tooDeep?: boolean;
  /** The shell the line is typed in, when known (zsh's `r` is its builtin `fc -e -`). */
  shell?: 'bash' | 'zsh' | 'fish';
  /** vg's own configuration and state directories (config.yaml, the trust store, the audit log). */
  vgDirs?: readonly string[];
}

/** A match result: true, or a string naming the resolved target (shown in the reason). */
export type MatchResult = boolean | string;

/** Rules are data: metadata plus a matcher plus examples that run as tests. */
export interface Rule {
  id: string; // `group.name`, stable: users reference it in config
  group: RuleGroup;
  risk: Risk;
  message: string; // one line, what the line does
  why: string; // why that is risky
  match: (input: MatchInput) => MatchResult;
  /** Command names (fact.name) this rule can match; lets the engine skip it for other commands. */
  commands?: readonly string[];
  /** Evaluated once per line (not per command); `fact` is then the first fact or an empty one. */
  line?: boolean;
  examples: { match: string[]; noMatch: string[] };
}

/** A rule users write in config (`rules.add`): a command name and an argv regex. */
export interface UserRuleSpec {
  id: string;
  risk: Risk;
  message: string;
  why?: string;
  /** Command names (basename) this rule applies to; empty = any. */
  commands?: string[];
  /** Regex tested against the resolved command text (argv joined by spaces). */
  pattern?: string;
}

export interface RuleConfig {
  add?: UserRuleSpec[];
  /** Change the level of a rule by id. Critical rules cannot be lowered. */
  levels?: Record<string, Risk>;
  /** Floors from project files (`.vg.yaml` may only raise a level): applied after `levels`. */
  raise?: Record<string, Risk>;
}
