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
  /** Per argv word: true when that word could not be fully resolved. */
  argDynamic?: boolean[];
  /** argv as it would be if every unresolved expansion were empty (only when dynamic). */
  argvIfEmpty?: string[];
  /** Names of commands downstream in the same pipeline (what reads this command's stdout). */
  pipedTo?: string[];
  /** Text known to arrive on stdin: a here-string, a heredoc body, or a static upstream `echo`. */
  stdinText?: string;
  /** Some argument is produced by a network fetch (`<(curl …)`, `"$(curl …)"`). */
  argFromNetwork?: boolean;
  /** Some argument is produced by a decoder (`"$(echo … | base64 -d)"`). */
  argFromDecoder?: boolean;
  /** Calls a function defined on the line that calls itself in a pipe or in the background. */
  recursion?: 'fanout';
  /** Defined for later (function body, trap, alias), not run by this line by itself. */
  deferred?: boolean;
  /** Nested shell code beyond the analyzer's depth limit was not inspected. */
  tooDeep?: boolean;
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
  /** Some command prints this shell's own state (`history | grep x`, `alias | less`): meaningless in a sandbox. */
  readsShellState?: boolean;
  /** True when the analysis stopped early (work budget or line length); the risk is a floor. */
  truncated?: boolean;
  /**
   * Command names the line calls that the user's shell could hold as an alias or a function of its
   * own (plain words, no `/`, not defined on the line): the shell hook sends the definitions of those
   * it has, and the line is judged again with them (protocol.ts, "callees").
   */
  callees?: string[];
  /**
   * The line changes this shell through something that is not a plain builtin: an `eval` at top
   * level (`eval "$(ssh-agent -s)"`), or a call to a function defined with it whose body changes the
   * shell (cd, export, eval, source… — `nvm use`, `conda activate`, a `proj` function that cds). A
   * sandbox would lose that change, so policy runs such a line in the shell unless it is high.
   */
  changesShell?: boolean;
  /** Names run by a program wrapper (`sudo x`): an alias or function only through an alias ending in a blank. */
  calleesWrapped?: string[];
  /**
   * The line starts an interactive shell or REPL reading the terminal (`bash --norc`, `sh`,
   * `python3`): what is typed into it next is not judged line by line (policy sandboxes an agent's).
   */
  startsInteractive?: boolean;
}

export interface AnalyzeContext {
  cwd: string;
  home: string;
  /** Environment used to resolve `$VAR` (only HOME/PWD/USER-like values are trusted). */
  env?: Record<string, string | undefined>;
  /** User rules and level overrides from config. */
  rules?: import('./rules/types.ts').RuleConfig;
  /** The workspace root (e.g. the git root) when the caller knows it; defaults to `cwd`. */
  workspace?: string;
  /**
   * Multiplies the size and work budgets. A typed line gets 1 (it is judged on every Enter); a
   * script's content (intercept/scripts.ts) more, since it is judged once per version of the file.
   */
  scale?: number;
  /** The shell whose code the line is: fish lines are translated before parsing (fish.ts); zsh's own builtins (`r`) are known. */
  shell?: 'bash' | 'zsh' | 'fish';
}
