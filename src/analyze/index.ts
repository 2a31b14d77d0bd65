// The analyzer: line → parse → facts → rules → risk. Pure, fast, never throws, never hangs.
import type { Analysis, AnalyzeContext, CommandFact } from './types.ts';
import type { Rule } from './rules/types.ts';
import { parseLine, type Parsed } from './parse.ts';
import { factsOf } from './facts.ts';
import { judge } from './risk.ts';
import { configDir, stateDir } from '../store/paths.ts';
import { compile } from './user-rules.ts';
import { BUILTIN_RULES } from './rules/index.ts';
import { INTERPRETERS, SHELLS, STATE_BUILTINS } from './names.ts';
import { SYSTEM_DIRS } from './rules/helpers.ts';
import { normalize } from './resolve.ts';
import { fishToPosix } from './fish.ts';

export type { Analysis, AnalyzeContext, CommandFact, Reason, Risk, Origin, Redirect } from './types.ts';
export type { Rule, RuleConfig, RuleGroup, UserRuleSpec, MatchInput } from './rules/types.ts';

export const RULES: readonly Rule[] = BUILTIN_RULES;
const byId = new Map(RULES.map((r) => [r.id, r]));
export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}

/** Longer lines are judged by the tokenizer only: parsing them could cost more than a keystroke. */
export const MAX_PARSE_BYTES = 64 * 1024;

function workspaceOf(ctx: AnalyzeContext, home: string): string {
  const ws = normalize(ctx.workspace ?? ctx.cwd);
  // Home itself, `/` or a system directory is not a project: nothing there is "regenerable".
  if (ws === '/' || ws === home || SYSTEM_DIRS.has(ws)) return '';
  return ws;
}

/** `exec` with only redirections (`exec 3<>file`, `exec > >(tee log)`) rewires the shell's own fds. */
const isStateCommand = (f: CommandFact): boolean =>
  (STATE_BUILTINS.has(f.name) && !runsCode(f)) || (f.name === 'exec' && f.argv.length === 1) || (OUTPUT_BUILTINS.has(f.name) && !writesFiles(f));
/**
 * State builtins that also run code vg cannot see: `fc` re-runs (after an editor or a substitution)
 * commands from history — only `fc -l` lists; `enable -f` loads a compiled builtin into the shell.
 */
const runsCode = (f: CommandFact): boolean =>
  (f.name === 'fc' && !f.argv.slice(1).some((a) => /^-[a-zA-Z]*l/.test(a))) || (f.name === 'enable' && f.argv.slice(1).some((a) => /^-[a-zA-Z]*f/.test(a)));
/**
 * Builtins that only print or test: in a sandbox they would lose the shell's own state (`echo $?`
 * would print the sandbox's status, `printf '%s' "$local_var"` an empty string), and on the host they
 * change nothing — unless they redirect into a file, which is judged (and sandboxed) like any write.
 */
/** Builtins that print this shell's own state: in a fresh sandboxed shell their output is empty or wrong. */
const STATE_READERS: ReadonlySet<string> = new Set(['history', 'fc', 'jobs', 'alias', 'type', 'declare', 'typeset', 'set', 'dirs', 'functions', 'hash', 'bind', 'complete', 'whence', 'where', 'abbr']);
const OUTPUT_BUILTINS: ReadonlySet<string> = new Set(['echo', 'printf', 'pwd', 'test', '[', '[[']);
const writesFiles = (f: CommandFact): boolean =>
  f.argv[0] !== f.name || // `/bin/echo` is the external program, not the builtin
  f.redirects.some((r) => /[>]/.test(r.op) && !/^&?\d*-?$/.test(r.target) && r.target !== '/dev/null' && r.target !== '/dev/stdout' && r.target !== '/dev/stderr');
const stateOnlyFact = (f: CommandFact): boolean =>
  f.deferred === true || (f.recursion === undefined && isStateCommand(f) && f.wrappers.length === 0 && f.origin !== 'substitution' && f.origin !== 'process-substitution');

/** Options that leave a shell or interpreter reading the terminal (anything else: a script, `-c`, `-m`…). */
const INTERACTIVE_OPTS = /^(?:-[ilqsfE]+|--(?:interactive|login|norc|noprofile|no-rc|no-config|private|quiet))$/;
/** `bash --norc`, `sh`, `zsh -f`, `python3`, `node -i`: a shell or REPL left reading the terminal. */
function startsInteractive(f: CommandFact): boolean {
  if (f.deferred || inSubstitution(f) || !(SHELLS.has(f.name) || (INTERPRETERS.has(f.name) && f.name !== 'osascript' && f.name !== 'Rscript'))) return false;
  if (f.pipedFrom.length > 0 || f.stdinText !== undefined || f.redirects.some((r) => r.op === '<' || r.op === '<<' || r.op === '<<<' || r.op === '<&')) return false;
  return f.argv.slice(1).every((a) => INTERACTIVE_OPTS.test(a));
}

const inSubstitution = (f: CommandFact): boolean => f.origin === 'substitution' || f.origin === 'process-substitution';
/**
 * `cd $(git rev-parse --show-toplevel)`, `export PATH=$(pwd)/bin:$PATH`, fish's `set x (pwd)`: shell
 * builtins only, but fed by a command — so not "state only", and a sandbox would lose the cd or the
 * variable. Such a line changes the shell like `eval "$(…)"` does (Analysis.changesShell): in the
 * shell when low risk, sandboxed for anything more (policy). At least one must change state
 * (`for f in $(ls); do echo $f; done` changes nothing and stays where the mode puts it).
 */
function setsWithSubstitution(facts: readonly CommandFact[]): boolean {
  let sets = false;
  for (const f of facts) {
    if (inSubstitution(f)) continue;
    if (!stateOnlyFact(f)) return false;
    // Run by this line in this shell (not a body it only defines, not a subshell).
    const here = !f.deferred && (f.origin === 'top' || f.origin === 'group' || f.origin === 'conditional' || f.origin === 'loop');
    if (here && STATE_BUILTINS.has(f.name) && f.name !== 'true' && f.name !== 'false' && f.name !== ':') sets = true;
  }
  return sets;
}

/**
 * A name an alias or a shell function could have: a literal word without shell syntax. Paths too:
 * bash calls a function named `./x` or even `/bin/true` before the file, and zsh's suffix aliases
 * (`alias -s txt=vim`) turn `./notes.txt` into `vim ./notes.txt`. A leading `~` is expanded first.
 */
const CALLABLE = /^(?!~)[^\s'"\\$`=;&|<>(){}\x00-\x1f\x7f*?[\]]{1,128}$/;
const MAX_CALLEES = 64;
function calleesOf(facts: readonly CommandFact[], defined: readonly string[], wrapped: string[]): string[] {
  const out = new Set<string>();
  const add = (w: string | undefined, to: Set<string>): void => {
    if (w !== undefined && CALLABLE.test(w) && !defined.includes(w) && !out.has(w)) to.add(w);
  };
  const behind = new Set<string>();
  for (const f of facts) {
    // A wrapper (`sudo`, `nohup`, `time`…) is called by its name first: it may be a function too.
    for (const w of f.wrappers) add(w, out);
    // What a program wrapper runs (`sudo x`, `env x`, `xargs x`) is a program, never the shell's
    // alias or function — unless an alias ending in a blank makes it one (`alias sudo='sudo '`),
    // which only the definitions can tell: named apart, asked about once definitions are in play.
    const w = f.argv[0];
    if (w === f.name || w?.includes('/')) add(w, f.wrappers.every((x) => SHELL_WRAPPERS.has(x)) ? out : behind);
    if (out.size >= MAX_CALLEES) break;
  }
  for (const w of behind) if (!out.has(w)) wrapped.push(w);
  return [...out];
}
/** Wrappers that are the shell's own syntax: what follows is looked up as alias and function. */
const SHELL_WRAPPERS: ReadonlySet<string> = new Set(['time', 'and', 'or', 'not', 'noglob', 'nocorrect']);

export function analyze(line: string, ctx: AnalyzeContext): Analysis {
  try {
    return analyzeUnsafe(line, ctx);
  } catch (e) {
    // Never reached in tests; if a bug slips through, fail towards caution, not towards a crash.
    return {
      line,
      risk: 'medium',
      reasons: [{ rule: 'parse.internal', risk: 'medium', message: 'the analyzer failed on this line', why: e instanceof Error ? e.message : String(e) }],
      parse: 'error',
      parseError: 'internal analyzer error',
      commands: [],
      stateOnly: false,
    };
  }
}

function analyzeUnsafe(line: string, ctx: AnalyzeContext): Analysis {
  const home = normalize(ctx.home || '/');
  const cwd = normalize(ctx.cwd || home);
  const env = ctx.env ?? {};
  const scale = Math.max(1, Math.floor(ctx.scale ?? 1));
  // fish code is read as the POSIX code with the same commands (fish.ts); untranslatable, as it is
  // (then unparseable: at least medium).
  const code = ctx.shell === 'fish' ? (fishToPosix(line) ?? line) : line;
  const tooLong = code.length > MAX_PARSE_BYTES * scale;
  const parsed: { script: Parsed['script']; error?: string; tooComplex?: boolean } = tooLong ? { script: null } : parseLine(code);
  const useTokens = parsed.script === null || parsed.error !== undefined;
  const fr = factsOf(useTokens ? null : parsed.script, code, cwd, home, env, scale, ctx.shell === 'fish' && code !== line);
  const parse: 'ok' | 'error' = parsed.error !== undefined ? 'error' : 'ok';
  const truncated = fr.truncated || tooLong || parsed.tooComplex === true;
  const compiled = compile(RULES, ctx.rules);
  const vgEnv = { ...ctx.env, HOME: home };
  const vgDirs = [configDir(vgEnv), stateDir(vgEnv), ...(ctx.env?.VG_CONFIG ? [ctx.env.VG_CONFIG] : [])];
  const { risk, reasons } = judge(fr.facts, compiled, { cwd, home, workspace: workspaceOf(ctx, home), parse, truncated, tooDeep: fr.tooDeep, vgDirs, ...(ctx.shell ? { shell: ctx.shell } : {}) });
  const a: Analysis = {
    line,
    risk,
    reasons,
    parse,
    commands: fr.facts,
    stateOnly: parse === 'ok' && !truncated && fr.facts.every(stateOnlyFact),
  };
  if (parse === 'ok' && fr.facts.some((f) => STATE_READERS.has(f.name) && f.wrappers.length === 0 && f.argv[0] === f.name)) a.readsShellState = true;
  if (parsed.error !== undefined) a.parseError = parsed.error;
  if (truncated) a.truncated = true;
  const wrapped: string[] = [];
  const callees = calleesOf(fr.facts, fr.functions, wrapped);
  if (callees.length) a.callees = callees;
  if (wrapped.length) a.calleesWrapped = wrapped;
  if (fr.facts.some(startsInteractive)) a.startsInteractive = true;
  if (fr.changesShell || (parse === 'ok' && !truncated && !a.stateOnly && setsWithSubstitution(fr.facts))) a.changesShell = true;
  return a;
}
