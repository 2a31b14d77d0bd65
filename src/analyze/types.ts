// The analyzer's output contract. Everything downstream (policy, sandbox, shell protocol, audit)
// reads these shapes, so change them deliberately.

export type Risk = 'low' | 'medium' | 'high' | 'critical';
export const RISKS: readonly Risk[] = ['low', 'medium', 'high', 'critical'];
export const riskRank = (r: Risk): number => RISKS.indexOf(r);
export const maxRisk = (a: Risk, b: Risk): Risk => (riskRank(a) >= riskRank(b) ? a : b);

/** One rule that fired, as shown to the user and written to the audit log. */
export interface Reason {
  rule: string;
  risk: Risk;
  message: string;
  why?: string;
  /** The resolved command text the rule matched, e.g. `rm -rf /home/u`. */
  command?: string;
}

/** How a command was reached: at top level, inside `$(…)`, inside `bash -c '…'`, fed by a pipe, … */
export type Origin =
  | 'top'
  | 'substitution'
  | 'process-substitution'
  | 'subshell'
  | 'group'
  | 'function'
  | 'loop'
  | 'conditional'
  | 'shell-string'
  | 'heredoc'
  | 'wrapper'
  | 'find-exec'
  | 'xargs'
  | 'interpreter-code';

export interface Redirect {
  op: string; // '>', '>>', '<', '&>', …
  fd?: number;
  /** Target after quote removal and resolution; absolute when it names a path. */
  target: string;
  /** True when the target could not be fully resolved (contains an unknown expansion). */
  dynamic: boolean;
}

/** A command that would execute, after quote removal and wrapper peeling. */
export interface CommandFact {
  /** argv after quote removal, variable/tilde resolution; argv[0] as typed (may be a path). */
  argv: string[];
  /** basename of argv[0] (`/bin/rm` → `rm`). */
  name: string;
  /** Wrappers peeled off to reach this command, outermost first (`sudo`, `env`, …). */
  wrappers: string[];
  /** Resolved absolute paths of path-like arguments (cwd, ~, $HOME, cd on the line applied). */
  paths: string[];
  redirects: Redirect[];
  origin: Origin;
  /** Nesting depth (0 = typed directly). */
  depth: number;
  /** Working directory this command would run in, as far as the analyzer can tell. */
  cwd: string;
  /** Names of commands upstream in the same pipeline (what feeds this command's stdin). */
  pipedFrom: string[];
  /** Whether stdin comes from a network fetch upstream (curl/wget/nc…) or a decoded payload. */
  stdinFromNetwork: boolean;
  stdinFromDecoder: boolean;
  /** True when some argv word contains an expansion the analyzer could not resolve. */
  dynamic: boolean;
}

export interface Analysis {
  line: string;
  risk: Risk;
  /** Every rule that fired, highest risk first. */
  reasons: Reason[];
  parse: 'ok' | 'error';
  parseError?: string;
  commands: CommandFact[];
  /** The line only changes shell state (cd, export, alias, source, assignments…): never sandboxed. */
  stateOnly: boolean;
}

export interface AnalyzeContext {
  cwd: string;
  home: string;
  /** Environment used to resolve `$VAR` (only HOME/PWD/USER-like values are trusted). */
  env?: Record<string, string | undefined>;
  /** User rules and level overrides from config. */
  rules?: import('./rules/types.ts').RuleConfig;
}
