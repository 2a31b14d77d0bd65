// Which files a line runs as shell code: `source FILE` / `. FILE`, `bash FILE` (and the other
// shells), `./FILE` or `dir/FILE`. The analyzer itself never reads files (it is pure); it names them
// here and the judge (intercept/scripts.ts) reads and judges what they hold. Without this,
// `source cleanup.sh` ran in the shell unjudged whatever the file said (source only changes shell
// state, as far as the line shows), and in mode auto so did `bash cleanup.sh`.
import type { CommandFact } from './types.ts';
import { inlineCodeFlags, languageOf, shebangProgram } from './interp.ts';

export { shebangProgram };
import { STDIN_FILES } from './names.ts';
import { resolvePath } from './resolve.ts';
import { runnerInvocation, type RunnerInvocation } from './runners.ts';

type Language = NonNullable<ReturnType<typeof languageOf>>;

export interface ScriptRef {
  /**
   * source: runs in the calling shell; run: a child shell runs it; exec: the kernel runs it (a `#!`
   * decides); package: `npm run NAME` and friends run `scripts.NAME` (with its pre/post) of the
   * nearest package.json — `word` is NAME; path: a bare command name, whatever PATH makes of it
   * (a script the user or a tool put in `~/bin` is code like any other).
   */
  kind: 'source' | 'run' | 'exec' | 'package' | 'interp' | 'path' | 'make' | 'runner' | 'sql';
  /** The file name as the command has it (after expansion). */
  word: string;
  /** Where it is looked up (the command's working directory). */
  cwd: string;
  /** A name without `/`: also looked up on PATH (bash's `source` and `bash FILE` both do). */
  searchPath: boolean;
  /** The name holds an expansion vg cannot resolve: which file runs is unknown. */
  dynamic: boolean;
  /** The shell that reads it, when the line says (`fish x.fish`); else the caller's. */
  shell?: string;
  /** kind interp: the language of the script file an interpreter runs (`python3 tool.py`). */
  lang?: Language;
  /** kind make: what `make` was asked (`word` is the goals as typed; `cwd` the directory after -C). */
  make?: MakeInvocation;
  /** kind runner: what `just`, `task` or `rake` was asked (`cwd` is the directory it looks from). */
  runner?: RunnerInvocation;
  /** kind sql: the database client that runs the file's statements (`psql -f x.sql`, `mysql < x.sql`). */
  client?: string;
}

/** SQL clients, and the options that name a file of statements they run. */
const SQL_CLIENTS: ReadonlySet<string> = new Set(['psql', 'mysql', 'mariadb', 'sqlite3', 'sqlite', 'duckdb', 'cockroach', 'clickhouse-client', 'sqlcmd', 'cqlsh']);
const SQL_FILE_OPT = /^(-f|--file|-i|--input-file)$/;

/** The files of statements a database client runs: `psql -f F`, `sqlcmd -i F`, `< F`, `cat F |`, sqlite's `.read F`. Pure. */
export function sqlFiles(f: CommandFact, facts: readonly CommandFact[]): { word: string; dynamic: boolean }[] {
  if (!SQL_CLIENTS.has(f.name)) return [];
  const out: { word: string; dynamic: boolean }[] = [];
  const a = f.argv;
  for (let k = 1; k < a.length; k++) {
    const w = a[k]!;
    // (mysql's -f is --force; its files come through stdin or `source F`.)
    if (SQL_FILE_OPT.test(w) && !(f.name === 'mysql' || f.name === 'mariadb') && a[k + 1] !== undefined) out.push({ word: a[k + 1]!, dynamic: f.argDynamic?.[k + 1] === true });
    else if (/^--(file|input-file)=/.test(w)) out.push({ word: w.slice(w.indexOf('=') + 1), dynamic: f.argDynamic?.[k] === true });
    const read = /^\s*(?:\.read|source|\\i|\\include)\s+(\S+)\s*;?\s*$/.exec(w);
    if (read && k > 1) out.push({ word: read[1]!, dynamic: f.argDynamic?.[k] === true });
  }
  for (const word of stdinFilesOf(f, facts)) out.push({ word, dynamic: false });
  return out;
}

export interface MakeInvocation {
  /** The goals (none: the makefile's default goal). */
  goals: string[];
  /** `-f FILE`s, as given (relative to the directory make runs in); none: GNUmakefile, makefile, Makefile. */
  makefiles: string[];
  /** `-n`, `-q`, `-t`: recipes are not run, but for `+` lines and those naming $(MAKE). */
  dry: boolean;
  /** `VAR=value` words: they override the makefile's own assignments. */
  vars: [string, string][];
  /** `-I DIR`s, where `include` also looks (absolute). */
  includeDirs?: string[];
  /** Judge every rule, not the goals' (the makefiles of MAKEFILES add rules to whatever make builds later). */
  every?: boolean;
}

/** The option facts.ts gives the `make` it judges for a MAKEFILES value (names.ts): no real make option. */
export const MAKE_EVERY_RULE = '--vg-every-rule';

/** /dev/stdin, /dev/fd/N, /proc/self/fd/N: the command's own stdin or a pipe (`<(…)` is /dev/fd/63). */
const STREAM = /^\/(?:dev|proc\/self)\/fd\/\d+$|^\/dev\/stdin$/;

/** Shells whose `SHELL FILE` runs FILE as a script; fish's too (its code is judged as fish's). */
const SCRIPT_SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'yash', 'fish']);
/** Options of those shells that take the next word as their argument. */
const OPT_WITH_ARG = /^[-+](?:[a-zA-Z]*[oO]|-rcfile|-init-file|C|-command)$/;
/** Wrappers that leave the command a builtin (`builtin source x`, `command . x`). */
const BUILTIN_WRAPPERS: ReadonlySet<string> = new Set(['builtin', 'command']);

/** The script operand of `SHELL [options] FILE [args]`, or null (`-c`, `-s`, no operand: not a file). */
function shellOperand(f: CommandFact): number | null {
  for (let i = 1; i < f.argv.length; i++) {
    const w = f.argv[i]!;
    if (w === '--' || w === '-') return w === '--' && i + 1 < f.argv.length ? i + 1 : null;
    if (!/^[-+]/.test(w)) return i;
    // `-c CODE` runs a string (facts already judge it); `-s` and `-i` read stdin.
    if (/^-[a-zA-Z]*[csi]/.test(w) && !w.startsWith('--')) return null;
    if (OPT_WITH_ARG.test(w)) i++;
  }
  return null;
}

const isSource = (f: CommandFact): boolean => (f.name === 'source' || f.name === '.') && f.argv[0] === f.name && f.wrappers.every((w) => BUILTIN_WRAPPERS.has(w));

/** The argv index of the file `f` runs as shell code (`source FILE`, `bash [opts] FILE`), or null. */
function codeOperand(f: CommandFact): number | null {
  if (isSource(f)) {
    const i = f.argv[1] === '--' ? 2 : 1;
    return f.argv[i] === undefined ? null : i;
  }
  return SCRIPT_SHELLS.has(f.name) ? shellOperand(f) : null;
}

/**
 * The stream — stdin, a process substitution's pipe — that `f` sources or runs as code when the
 * line shows neither the code (a heredoc, `<(echo …)`: the facts judge that) nor a file behind it
 * (`< x.sh`, `cat x.sh |`: scriptRefs names that); else null. `source <(kubectl completion bash)`:
 * what runs is known only then, like `eval "$(cmd)"`'s (rules/remote.ts, dynamic-code). Pure.
 */
export function unknownStream(f: CommandFact, all: readonly CommandFact[]): string | null {
  const i = codeOperand(f);
  const w = i === null ? undefined : f.argv[i];
  if (w === undefined || !STREAM.test(w)) return null;
  if (STDIN_FILES.has(w) && (f.stdinText !== undefined || stdinFiles(f, all, all.indexOf(f)).length > 0)) return null;
  return w;
}

/** The files `facts` run as shell code, at most `max` of them. Pure. */
export function scriptRefs(facts: readonly CommandFact[], max = 16): ScriptRef[] {
  const out: ScriptRef[] = [];
  // Bare command names are many and mostly programs: kept apart, so they never crowd out the rest.
  const onPath: ScriptRef[] = [];
  const seen = new Set<string>();
  const add = (r: ScriptRef): void => {
    const k = `${r.kind}\0${r.cwd}\0${r.word}`;
    const list = r.kind === 'path' ? onPath : out;
    if (seen.has(k) || list.length >= (r.kind === 'path' ? 2 * max : max)) return;
    seen.add(k);
    list.push(r);
  };
  for (const [at, f] of facts.entries()) {
    const dyn = (i: number): boolean => f.argDynamic?.[i] === true;
    // `bash < x.sh`, `cat x.sh | bash`, `source /dev/stdin < x.sh`: the code is a file's, through stdin.
    const fed = (kind: ScriptRef['kind'], lang?: Language): boolean => {
      const files = stdinFiles(f, facts, at);
      for (const word of files) add({ kind, word, cwd: f.cwd, searchPath: false, dynamic: false, ...(lang ? { lang } : {}) });
      return files.length > 0;
    };
    if (isSource(f) || SCRIPT_SHELLS.has(f.name)) {
      const kind = isSource(f) ? 'source' : 'run';
      const i = codeOperand(f);
      if (i === null) {
        if (kind === 'run' && !f.argv.slice(1).some((a) => /^-[a-zA-Z]*c/.test(a) && !a.startsWith('--'))) fed('run');
        continue;
      }
      const w = f.argv[i]!;
      // A stream: a file behind stdin is judged as that file; code on the line (a heredoc, `<(echo …)`)
      // by the facts; any other is the dynamic-code rule's (unknownStream).
      if (STREAM.test(w)) {
        if (STDIN_FILES.has(w)) fed(kind);
        continue;
      }
      add({ kind, word: w, cwd: f.cwd, searchPath: !w.includes('/'), dynamic: dyn(i), ...(kind === 'run' ? { shell: f.name } : {}) });
      continue;
    }
    const lang = languageOf(f.name);
    if (lang && (f.argv[0] === f.name || f.argv[0]?.endsWith(`/${f.name}`))) {
      const i = interpOperand(f, lang);
      if (i !== null) add({ kind: 'interp', word: f.argv[i]!, cwd: f.cwd, searchPath: false, dynamic: dyn(i), lang });
      else if (!f.argv.slice(1).some((a) => inlineCodeFlags(lang).includes(a) || a === '-m')) fed('interp', lang);
      continue;
    }
    const sql = sqlFiles(f, facts);
    if (sql.length) {
      for (const x of sql) add({ kind: 'sql', word: x.word, cwd: f.cwd, searchPath: false, dynamic: x.dynamic, client: f.name });
      continue;
    }
    const rn = runnerInvocation(f);
    if (rn) {
      if (!rn.listOnly) add({ kind: 'runner', word: rn.tasks.join(' '), cwd: rn.dir, searchPath: false, dynamic: rn.dynamic, runner: rn });
      continue;
    }
    const mk = makeInvocation(f);
    if (mk) {
      const { dir, dynamic, ...make } = mk;
      add({ kind: 'make', word: mk.goals.join(' '), cwd: dir, searchPath: false, dynamic, make });
      continue;
    }
    const pkg = packageScripts(f);
    if (pkg) {
      for (const name of pkg) add({ kind: 'package', word: name, cwd: f.cwd, searchPath: false, dynamic: false });
      continue;
    }
    const w0 = f.argv[0];
    if (w0 !== undefined && w0.includes('/')) add({ kind: 'exec', word: w0, cwd: f.cwd, searchPath: false, dynamic: dyn(0) });
    else if (w0 !== undefined && w0 === f.name && !dyn(0)) add({ kind: 'path', word: w0, cwd: f.cwd, searchPath: true, dynamic: false });
  }
  return [...out, ...onPath];
}

/**
 * The files whose content reaches `f`'s stdin: a `< FILE` redirect, or the files of a `cat` right
 * before it in a pipeline (`cat a.sh b.sh | bash`). Pure.
 */
/** Files whose content reaches `f`'s stdin (`< x.sh`, `cat x.sh |`): the judge reads those. Pure. */
export function stdinFilesOf(f: CommandFact, facts: readonly CommandFact[]): string[] {
  return stdinFiles(f, facts, facts.indexOf(f));
}

function stdinFiles(f: CommandFact, facts: readonly CommandFact[], at: number): string[] {
  const red = f.redirects.filter((r) => r.op === '<' && (r.fd === undefined || r.fd === 0) && !r.dynamic && !r.target.startsWith('/dev/fd/'));
  if (red.length) return [red.at(-1)!.target];
  if (f.pipedFrom.at(-1) !== 'cat') return [];
  for (let k = at - 1; k >= 0; k--) {
    const c = facts[k]!;
    if (c.name !== 'cat' || !c.pipedTo?.includes(f.name)) continue;
    return c.argv.slice(1).filter((a, n) => !a.startsWith('-') && c.argDynamic?.[n + 1] !== true);
  }
  return [];
}

/** The script file operand of `python3 [opts] FILE`, `node FILE`…; null for inline code, `-m`, a REPL. */
function interpOperand(f: CommandFact, lang: Language): number | null {
  const inline = inlineCodeFlags(lang);
  for (let i = 1; i < f.argv.length; i++) {
    const w = f.argv[i]!;
    if (inline.includes(w) || w === '-m' || w === '--') return null;
    if (!w.startsWith('-')) return /\.(py|js|mjs|cjs|ts|mts|rb|pl|php)$/.test(w) || w.includes('/') || lang !== 'js' ? i : null;
    // Options that take a value (`node -r mod`, `python -W ignore`, `-X opt`).
    if (/^(-r|--require|--import|--loader|-W|-X|-I|-C)$/.test(w)) i++;
  }
  return null;
}


/**
 * The shell a `#!` line names when it is one whose code vg judges (`#!/bin/sh`, `#!/usr/bin/env
 * bash`, `#!/bin/bash -e`), else null: a Python or Node script, an ELF binary. Pure.
 */
export function shebangShell(head: string): string | null {
  const name = shebangProgram(head);
  return name !== null && SCRIPT_SHELLS.has(name) ? name : null;
}

/** yarn's and pnpm's own commands: any other first word runs the package script of that name. */
const YARN_PNPM_COMMANDS: ReadonlySet<string> = new Set(
  ('add install i remove rm uninstall upgrade update up init info list ls why config cache global link unlink pack publish version ' +
    'audit bin create dlx exec node set workspaces workspace import licenses login logout outdated owner policies tag team unplug ' +
    'patch patch-commit plugin constraints explain npm rebuild stage dedupe search store prune fetch env setup server root help ' +
    'import deploy doctor licenses recursive approve-builds ignored-builds cat-file cat-index find-hash self-update').split(' '),
);
/** What a package manager installs from the project itself runs these lifecycle scripts (in this order). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'];

/**
 * The package.json scripts an npm/yarn/pnpm/bun command runs, by name (their pre/post too: the judge
 * adds them), or null when it runs none of the project's own. Pure.
 */
export function packageScripts(f: CommandFact): string[] | null {
  if (!['npm', 'pnpm', 'yarn', 'bun'].includes(f.name) || f.argv[0] !== f.name && !f.argv[0]?.endsWith(`/${f.name}`)) return null;
  const args = f.argv.slice(1);
  const k = args.findIndex((a) => !a.startsWith('-'));
  const cmd = k >= 0 ? args[k]! : f.name === 'yarn' ? 'install' : '';
  const rest = k >= 0 ? args.slice(k + 1).filter((a) => !a.startsWith('-')) : [];
  if (['run', 'run-script', 'rum', 'urn'].includes(cmd)) return rest[0] !== undefined ? [rest[0]] : null;
  if (['test', 't', 'tst', 'start', 'stop', 'restart'].includes(cmd)) return [cmd === 't' || cmd === 'tst' ? 'test' : cmd];
  // `npm install` / `npm ci` with no package named: the project's own lifecycle scripts.
  if (['install', 'i', 'ci', 'add'].includes(cmd) && rest.length === 0 && cmd !== 'add') return INSTALL_SCRIPTS;
  if ((f.name === 'yarn' || f.name === 'pnpm') && cmd && !YARN_PNPM_COMMANDS.has(cmd)) return [cmd];
  return null;
}

const MAKES: ReadonlySet<string> = new Set(['make', 'gmake']);
/** make's options that take an argument (attached or the next word): -C dir, -f file, --eval… */
const MAKE_ARG_SHORT = 'CfIoWE';
const MAKE_ARG_LONG = /^--(directory|file|makefile|include-dir|old-file|assume-old|what-if|new-file|assume-new|eval)(=|$)/;

/**
 * What `make [options] [VAR=value…] [goals]` reads and builds: the directory it runs in (-C), the
 * makefiles it reads (-f), the goals, and whether it runs recipes at all (-n). `dynamic`: a word
 * make uses is an expansion vg cannot resolve, or `--eval` hands it makefile text. Null: no make. Pure.
 */
export function makeInvocation(f: CommandFact): (MakeInvocation & { dir: string; dynamic: boolean }) | null {
  if (!MAKES.has(f.name) || (f.argv[0] !== f.name && !f.argv[0]?.endsWith(`/${f.name}`))) return null;
  let dir = f.cwd;
  let dynamic = f.argDynamic?.[0] === true;
  let dry = false;
  let every = false;
  const makefiles: string[] = [];
  const goals: string[] = [];
  const vars: [string, string][] = [];
  const includeDirs: string[] = [];
  const option = (opt: string, value: string, at: number): void => {
    if (f.argDynamic?.[at]) dynamic = true;
    if (opt === 'I' || opt === 'include-dir') includeDirs.push(resolvePath(value, dir) ?? value);
    if (opt === 'C' || opt === 'directory') dir = resolvePath(value, dir) ?? dir;
    // `-f -`, `-f /dev/stdin`, `-f <(…)`: the makefile arrives through a stream.
    else if (opt === 'f' || opt === 'file' || opt === 'makefile') value === '-' || STREAM.test(value) ? (dynamic = true) : makefiles.push(value);
    else if (opt === 'E' || opt === 'eval') dynamic = true;
  };
  for (let i = 1; i < f.argv.length; i++) {
    const w = f.argv[i]!;
    if (w === '--') {
      for (let k = i + 1; k < f.argv.length; k++) if (!f.argv[k]!.includes('=')) goals.push(f.argv[k]!);
      break;
    }
    const long = MAKE_ARG_LONG.exec(w);
    if (long) {
      const eq = w.indexOf('=');
      if (eq >= 0) option(long[1]!, w.slice(eq + 1), i);
      else if (i + 1 < f.argv.length) option(long[1]!, f.argv[++i]!, i);
      continue;
    }
    if (/^--(just-print|dry-run|recon|question|touch)$/.test(w)) dry = true;
    // -e: the environment's values win over the makefile's — values vg does not see.
    if (w === '--environment-overrides') dynamic = true;
    // An optional count as the next word: `--jobs 4`, `--load-average 2.5`.
    if ((w === '--jobs' || w === '--load-average' || w === '--max-load') && /^\d+(\.\d+)?$/.test(f.argv[i + 1] ?? '')) i++;
    if (w === MAKE_EVERY_RULE) every = true;
    if (w.startsWith('--')) continue;
    if (w.startsWith('-') && w.length > 1) {
      for (let c = 1; c < w.length; c++) {
        const ch = w[c]!;
        if (MAKE_ARG_SHORT.includes(ch)) {
          const rest = w.slice(c + 1);
          if (rest) option(ch, rest, i);
          else if (i + 1 < f.argv.length) option(ch, f.argv[++i]!, i);
          break;
        }
        if (ch === 'j' || ch === 'l') {
          // An optional count: attached, or the next word when it is a number.
          if (c + 1 === w.length && /^\d+(\.\d+)?$/.test(f.argv[i + 1] ?? '')) i++;
          break;
        }
        if (ch === 'n' || ch === 'q' || ch === 't') dry = true;
        if (ch === 'e') dynamic = true;
      }
      continue;
    }
    // VAR=value on the command line sets a variable (over the makefile's); anything else is a goal.
    const v = /^([^=\s:+?!]+)[:+?!]*=(.*)$/s.exec(w);
    if (v) {
      if (f.argDynamic?.[i]) dynamic = true;
      vars.push([v[1]!, v[2]!]);
      continue;
    }
    if (f.argDynamic?.[i]) dynamic = true;
    goals.push(w);
  }
  return { dir, makefiles, goals, dry, vars, dynamic, ...(every ? { every } : {}), ...(includeDirs.length ? { includeDirs } : {}) };
}
