// The files a line runs as shell code (analyze/scripts.ts names them) are read here and their
// content is judged with the line: `source cleanup.sh`, `bash cleanup.sh`, `./cleanup.sh`, and the
// package.json scripts `npm test`, `npm run build`, `yarn lint`, `npm install` run. What the
// file holds raises the line's risk, and a sourced file that does more than set up the shell no
// longer counts as "shell state only" (which would run it in the shell in every mode).
//
// Not judged: files under system directories that only root can change (/usr, /etc, …) — they
// are part of the installed system like the programs there, and vg does not read `/usr/bin/ldd`
// either. Limits: 256 KiB per file, 512 KiB in all, 16 files, 4 levels of files that source or run more.
// Known gap (docs): the file is read when the line is judged; one that changes between then and
// when the shell reads it is not judged again.
import { closeSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { maxRisk, riskRank, type Analysis, type Reason } from '../analyze/types.ts';
import { scriptRefs, shebangProgram, shebangShell, type ScriptRef } from '../analyze/scripts.ts';
import { inlineCommand, languageOf } from '../analyze/interp.ts';
import { makeRun, parseMakefile } from '../analyze/makefile.ts';
import { justRun, taskRun, type RunnerRun } from '../analyze/runners.ts';
import { createRequire } from 'node:module';
import { resolveOnPath } from './not-found.ts';
import { isShellOwn } from '../sandbox/direct.ts';
import { singleQuote } from '../analyze/words.ts';

type Language = NonNullable<ReturnType<typeof languageOf>>;

// Bounded so judging stays well inside the shell's wait for an answer (~0.4 ms per KiB here the
// first time; a file's verdict is then memoised): past these the line is medium, never unjudged.
export const MAX_SCRIPT_BYTES = 256 * 1024;
const MAX_TOTAL_BYTES = 512 * 1024;
const MAX_FILES = 16;
/**
 * Past this much time spent judging files for one line, the rest are not judged (medium). One big
 * file costs up to ~250 ms here the first time (a 140 KiB configure script); the shell waits 500 ms
 * by default before it falls back, and a slow verdict must not become an unjudged run.
 */
const MAX_JUDGE_MS = 150;
const MAX_DEPTH = 4;
/** Installed-system locations: root-owned files here are not judged (see above). */
const SYSTEM_PREFIXES = ['/usr/', '/etc/', '/opt/', '/lib/', '/lib64/', '/lib32/', '/bin/', '/sbin/', '/nix/store/', '/snap/'];

export interface ScriptJudgeContext {
  env: Record<string, string | undefined>;
  /** Judges a file's text as shell code run in `cwd` (the caller's analyzer, with its rules); fish's for `shell` fish. */
  analyze(text: string, cwd: string, shell?: 'fish'): Analysis;
  /** The interactive shell (a sourced file is its code: fish's for fish). */
  shell?: string;
  /** What else `analyze` depends on (home, workspace, rules): part of the memo's key. */
  key?: string;
}

interface FileText {
  path: string;
  /** Path, version and size: what the memo of verdicts is keyed by. */
  key: string;
  text: string | null;
  /** Why it was not read, when text is null and it exists. */
  problem?: string;
}

export const isSystemFile = (real: string, st: Stats): boolean =>
  st.uid === 0 && (st.mode & 0o022) === 0 && SYSTEM_PREFIXES.some((p) => real.startsWith(p));

// Installed programs (root-owned, under a system directory) by path: most names a line runs are
// these, and are then never stat'ed again here.
const systemPaths = new Set<string>();
/** A bare command name's file on PATH when it is no installed program, else null. */
function onPathFile(name: string, path: string | undefined): string | null {
  if (isShellOwn(name)) return null;
  const found = resolveOnPath(name, path ?? '');
  if (!found || systemPaths.has(found)) return null;
  try {
    if (!isSystemFile(realpathSync(found), statSync(found))) return found;
  } catch {
    return null;
  }
  if (systemPaths.size > 4096) systemPaths.clear();
  systemPaths.add(found);
  return null;
}

/** The candidates a name resolves to: the cwd's file and, for a bare name, PATH's (bash checks PATH first, zsh cwd). */
function candidates(ref: ScriptRef, env: Record<string, string | undefined>): string[] {
  if (ref.kind === 'path') {
    const f = onPathFile(ref.word, env.PATH);
    return f ? [f] : [];
  }
  const out = [isAbsolute(ref.word) ? ref.word : resolve(ref.cwd, ref.word)];
  if (ref.searchPath) for (const dir of (env.PATH ?? '').split(':')) if (isAbsolute(dir)) out.push(join(dir, ref.word));
  return out;
}

/** File versions (readScript's key) found to be no code vg judges: binaries above all. */
const notCode = new Set<string>();

/** A file version as the memos key it: path, inode, mtime, size, and how it is read. */
const versionKey = (real: string, st: Stats, kind: ScriptRef['kind']): string => `${real}\0${st.ino}\0${st.mtimeMs}\0${st.size}\0${kind}`;

/** The key readScript gives `path`'s current version (null: gone). */
function statKey(path: string, kind: ScriptRef['kind']): string | null {
  try {
    return versionKey(realpathSync(path), statSync(path), kind);
  } catch {
    return null;
  }
}

/** `path` as shell code, or null when it is none to judge. A memoised version is not read again (text ''). */
function readScript(path: string, kind: ScriptRef['kind'], known: (key: string) => boolean): FileText | null {
  let st: Stats;
  let real: string;
  try {
    st = statSync(path);
    real = realpathSync(path);
  } catch {
    return null; // absent: the shell will say so itself
  }
  // A FIFO or a device read as code (`mkfifo f; … > f & source f`): known only when it runs.
  if (!st.isFile())
    return st.isDirectory() || real === '/dev/null' || kind === 'exec' ? null : { path: real, key: '', text: null, problem: 'is not a regular file (a pipe or a device): what arrives through it is known only when it runs' };
  if (isSystemFile(real, st)) return null;
  const key = versionKey(real, st, kind);
  if (known(key)) return { path: real, key, text: '' };
  if (notCode.has(key)) return null;
  let fd: number | undefined;
  try {
    fd = openSync(real, 'r');
    // `./x` runs through the kernel: a `#!` names the interpreter, a binary is not shell code.
    // Without `#!`, a text file is run by the calling shell itself (execve's ENOEXEC fallback).
    if (kind === 'exec' || kind === 'interp') {
      const buf = Buffer.alloc(Math.min(st.size, 512));
      const head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('latin1');
      // A binary, compiled bytecode, or another interpreter's (`#!/usr/bin/awk -f`): remembered, not read again.
      if (head.includes('\0') || (kind === 'exec' && head.startsWith('#!') && shebangShell(head) === null && !interpreterOf(head))) {
        if (notCode.size > 4096) notCode.clear();
        notCode.add(key);
        return null;
      }
    }
    if (st.size > MAX_SCRIPT_BYTES) return { path: real, key, text: null, problem: `is over ${MAX_SCRIPT_BYTES / 1024} KiB` };
    // (The positional read above left the file offset at 0.)
    return { path: real, key, text: readFileSync(fd, 'utf8') };
  } catch (e) {
    return { path: real, key, text: null, problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The scripts `npm run NAME` (and yarn, pnpm, bun) runs from the nearest package.json up from the
 * cwd: NAME with its `pre`/`post` scripts, as shell code run in the package's directory. Files that
 * cannot be read or parsed give nothing: the package manager will fail on them too.
 */
function packageScriptTexts(ref: ScriptRef): { path: string; dir: string; key: string; name: string; text: string }[] {
  const path = findFile(ref.cwd, ['package.json']);
  if (!path) return [];
  const dir = dirname(path);
  try {
    const st = statSync(path);
    if (st.size > MAX_SCRIPT_BYTES) return [];
    const scripts = (JSON.parse(readFileSync(path, 'utf8')) as { scripts?: Record<string, unknown> }).scripts ?? {};
    const names = INSTALL_SCRIPT_NAMES.has(ref.word) ? [ref.word] : [`pre${ref.word}`, ref.word, `post${ref.word}`];
    return names
      .filter((n) => typeof scripts[n] === 'string' && (scripts[n] as string).trim() !== '')
      .map((n) => ({ path, dir, name: n, key: `${path}\0${st.ino}\0${st.mtimeMs}\0${st.size}\0${n}`, text: scripts[n] as string }));
  } catch {
    return [];
  }
}

/** The first of `names` that is a regular file in `dir` — and, with `up`, in each parent up to `/` (how npm, just, task and rake find theirs). */
function findFile(dir: string, names: readonly string[], up = true): string | null {
  for (let d = dir, i = 0; i < 64; i++) {
    for (const n of names) {
      try {
        if (statSync(join(d, n)).isFile()) return join(d, n);
      } catch {
        /* absent: the next name */
      }
    }
    const parent = dirname(d);
    if (!up || parent === d) return null;
    d = parent;
  }
  return null;
}
/** The makefiles make looks for, in its order, when not given one with -f. */
const MAKEFILES = ['GNUmakefile', 'makefile', 'Makefile'];

/**
 * What `make …` runs (analyze/makefile.ts), as one shell text: the makefile(s) it reads — with what
 * they include, read in place — parsed for the goals asked. Null: no makefile (make says so itself).
 * `key` names every file read (their versions) and what was asked: the memo of verdicts keys on it.
 */
function makeScript(ref: ScriptRef, env: Record<string, string | undefined>): { path: string; key: string; text: string | null; problem?: string; unknown: string[]; bytes: number } | null {
  const inv = ref.make!;
  const at = (name: string): string => (isAbsolute(name) ? name : resolve(ref.cwd, name));
  // Read whole every time: the parse memo below needs the versions, and a makefile is not shell code
  // whose analysis memo could stand in for the text.
  const read = (path: string): FileText | null => readScript(path, 'make', () => false);
  const files: FileText[] = [];
  // The environment's MAKEFILES are read first (their rules count, not their default goal).
  const pre: FileText[] = [];
  for (const n of (env.MAKEFILES ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) {
    const f = read(at(n));
    if (f) pre.push(f);
  }
  if (inv.makefiles.length) {
    for (const n of inv.makefiles) {
      const f = read(at(n));
      if (f) files.push(f);
    }
  } else {
    for (const n of MAKEFILES) {
      const f = read(at(n));
      if (f) {
        files.push(f);
        break;
      }
    }
  }
  const main = files[0];
  if (!main) return null;
  const bad = [...pre, ...files].find((f) => f.text === null);
  if (bad) return { path: bad.path, key: bad.key, text: null, problem: bad.problem ?? 'cannot be read', unknown: [], bytes: 0 };
  const evalFlags = /(^|\s)(--eval\b|-E)/.test(`${env.MAKEFLAGS ?? ''} ${env.GNUMAKEFLAGS ?? ''}`);
  // Parsing a big generated makefile takes tens of ms: the result is kept per version of every file
  // read (the included ones checked by a stat) and what make was asked.
  const memoKey = `${[...files, ...pre].map((f) => f.key).join('\0')}\0${JSON.stringify(inv)}\0${evalFlags}`;
  const hit = makeMemo.get(memoKey);
  if (hit && hit.includes.every((i) => statKey(i.path, 'make') === i.key)) return hit.result;
  const unknown: string[] = [];
  if (evalFlags) unknown.push('is also given makefile text with --eval in MAKEFLAGS');
  const readInclude = (name: string): FileText | null => {
    // Where make looks: the directory it runs in, then each -I directory.
    for (const d of isAbsolute(name) ? [''] : [ref.cwd, ...(inv.includeDirs ?? [])]) {
      const f = read(d ? resolve(d, name) : name);
      if (f) return f;
    }
    return null;
  };
  const include = (name: string): string | null => {
    if (name.includes('${')) return null;
    // A pattern (`include *.mk`, or what `$(wildcard …)` left): the files it matches, in name order.
    const found = /[*?[]/.test(name) ? globFiles(isAbsolute(name) ? name : resolve(ref.cwd, name)).map((p) => readInclude(p)) : [readInclude(name)];
    const texts: string[] = [];
    for (const f of found) {
      if (!f) continue;
      if (f.text === null) {
        unknown.push(`includes ${f.path}, which ${f.problem ?? 'cannot be read'}`);
        continue;
      }
      files.push(f);
      texts.push(f.text);
    }
    return texts.length || /[*?[]/.test(name) ? texts.join('\n') : null;
  };
  // A MAKEFILES file's first target is never the default goal: its rules are parsed after the makefile's.
  const given = files.length;
  const mk = parseMakefile([...files, ...pre].map((f) => f.text).join('\n'), include);
  const included = files.slice(given);
  files.push(...pre);
  const run = makeRun(mk, inv.goals, { dry: inv.dry, vars: inv.vars, every: inv.every });
  const key = `${files.map((f) => f.key).join('\0')}\0${JSON.stringify(inv)}`;
  const result = { path: main.path, key, text: run.lines.join('\n'), unknown: [...unknown, ...run.unknown], bytes: files.reduce((n, f) => n + (f.text?.length ?? 0), 0) };
  if (makeMemo.size >= MEMO_MAX) makeMemo.delete(makeMemo.keys().next().value as string);
  makeMemo.set(memoKey, { includes: included.map((f) => ({ path: f.path, key: f.key })), result });
  return result;
}
/** The files each runner looks for, in its order, in its directory and then each parent. */
const RUNNER_FILES: Record<'just' | 'task' | 'rake', string[]> = {
  just: ['justfile', 'Justfile', 'JUSTFILE', '.justfile'],
  task: ['Taskfile.yml', 'taskfile.yml', 'Taskfile.yaml', 'taskfile.yaml', 'Taskfile.dist.yml', 'taskfile.dist.yml', 'Taskfile.dist.yaml', 'taskfile.dist.yaml'],
  rake: ['rakefile', 'Rakefile', 'rakefile.rb', 'Rakefile.rb'],
};

/** yaml, loaded when a Taskfile is first judged (the judge is synchronous; the bundle resolves it beside itself). */
let yamlModule: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

/**
 * What `just`, `task` or `rake` runs (analyze/runners.ts), as one shell text: the project file it
 * finds (the directory, then its parents), with what it imports. A Rakefile is Ruby that rake loads
 * whole: judged as Ruby. Null: no such file (the tool says so itself).
 */
function runnerScript(ref: ScriptRef, env: Record<string, string | undefined>): { path: string; key: string; text: string | null; problem?: string; unknown: string[]; bytes: number } | null {
  const inv = ref.runner!;
  const read = (path: string): FileText | null => readScript(path, 'runner', () => false);
  const file = inv.file !== undefined ? (isAbsolute(inv.file) ? inv.file : resolve(ref.cwd, inv.file)) : findFile(ref.cwd, RUNNER_FILES[inv.tool]);
  const main = file ? read(file) : null;
  if (!main) return null;
  if (main.text === null) return { path: main.path, key: main.key, text: null, problem: main.problem ?? 'cannot be read', unknown: [], bytes: 0 };
  const files: FileText[] = [main];
  const unknown: string[] = [];
  const near = (from: string, name: string): string => (isAbsolute(name) ? name : resolve(dirname(from), name.replace(/^~(?=\/)/, env.HOME ?? '~')));
  let run: RunnerRun;
  if (inv.tool === 'rake') {
    run = { lines: [`${inlineCommand('ruby')} ${singleQuote(main.text)}`], unknown: [] };
  } else if (inv.tool === 'just') {
    const include = (name: string, from: string): { text: string; path: string } | null => {
      const f = read(near(from || main.path, name));
      if (!f || f.text === null) return null;
      files.push(f);
      return { text: f.text, path: f.path };
    };
    run = justRun(main.text, inv.tasks, inv.vars, include);
  } else {
    const parse = (f: FileText): unknown => {
      try {
        return yaml().parse(f.text ?? '');
      } catch (e) {
        unknown.push(`${f.path} is not YAML vg can read (${(e as Error).message.split('\n')[0]})`);
        return null;
      }
    };
    const include = (name: string): unknown => {
      const p = near(main.path, name);
      // An include may name a directory: its Taskfile.
      const f = read(findFile(p, RUNNER_FILES.task, false) ?? p);
      if (!f || f.text === null) return null;
      files.push(f);
      return parse(f);
    };
    run = taskRun(parse(main), inv.tasks, inv.vars, include);
  }
  const key = `${files.map((f) => f.key).join('\0')}\0${JSON.stringify(inv)}`;
  return { path: main.path, key, text: run.lines.join('\n'), unknown: [...unknown, ...run.unknown], bytes: files.reduce((n, f) => n + (f.text?.length ?? 0), 0) };
}

const makeMemo = new Map<string, { includes: { path: string; key: string }[]; result: NonNullable<ReturnType<typeof makeScript>> }>();

/** The files a shell pattern in the last part of `path` matches (`dir/*.mk`), sorted; at most 32. */
function globFiles(path: string): string[] {
  const dir = dirname(path);
  if (/[*?[]/.test(dir)) return [];
  const re = new RegExp(`^${path.slice(dir.length + 1).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  try {
    return readdirSync(dir).filter((n) => re.test(n) && !n.startsWith('.')).sort().slice(0, 32).map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** Lifecycle names: judged as they are (npm does not add pre/post to these again). */
const INSTALL_SCRIPT_NAMES = new Set(['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare']);

/** An interpreter's script: judged as the same code given inline (`python3 -c CODE`), by the interpreter scanner. */
const interpreterOf = (head: string): Language | undefined => languageOf(shebangProgram(head) ?? '');

interface Judged {
  a: Analysis;
  /** Code of another interpreter: only what the scanner finds high or critical counts (see withScripts). */
  interp: boolean;
}
const memo = new Map<string, Judged>();
const MEMO_MAX = 64;

/**
 * One file's content, judged (memoised per file version and working directory): as fish's code for
 * fish, an interpreter's script as its inline code (`lang`, or a `#!` naming one).
 */
function judgeText(f: FileText & { text: string }, cwd: string, ctx: ScriptJudgeContext, fish: boolean, keyFish: boolean, lang?: Language): Judged {
  const key = memoKey(f.key, cwd, keyFish, ctx.key);
  const hit = memo.get(key);
  if (hit) return hit;
  const as = lang;
  const j = as
    ? { a: ctx.analyze(`${inlineCommand(as)} ${singleQuote(f.text.replace(/^#![^\n]*\n?/, ''))}`, cwd), interp: true }
    : { a: ctx.analyze(f.text, cwd, fish ? 'fish' : undefined), interp: false };
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value as string);
  memo.set(key, j);
  return j;
}
const memoKey = (fileKey: string, cwd: string, fish: boolean, ctxKey = ''): string => `${fileKey}\0${cwd}\0${fish}\0${ctxKey}`;

const unknownFile = (ref: ScriptRef, why: string): Reason => ({
  rule: 'script.unjudged',
  risk: 'medium',
  message: `${ref.kind === 'source' ? 'sources' : 'runs'} ${why}, so what it does was not judged`,
  why: 'a file run as shell code is judged by its content; vg could not see this one',
});

/**
 * `a` with the content of the files its line runs as shell code judged in: their reasons (each
 * message prefixed with the file), the risk raised, and — when a sourced file does anything above
 * low — the line no longer "shell state only" but a shell change like a function's (policy runs it
 * in the shell only if nothing but an eval of command output calls for more). Never throws.
 */
export function withScripts(a: Analysis, ctx: ScriptJudgeContext): Analysis {
  try {
    return withScriptsUnsafe(a, ctx);
  } catch (e) {
    // A bug here must not become an analyzer error (the shell's fallback may run lines unchecked).
    const r: Reason = { rule: 'script.unjudged', risk: 'medium', message: 'runs files vg could not judge', why: e instanceof Error ? e.message : String(e) };
    return { ...a, risk: maxRisk(a.risk, 'medium'), reasons: [...a.reasons, r].sort((x, y) => riskRank(y.risk) - riskRank(x.risk)), stateOnly: false };
  }
}

function withScriptsUnsafe(a: Analysis, ctx: ScriptJudgeContext): Analysis {
  const refs = scriptRefs(a.commands);
  if (refs.length === 0) return a;
  const reasons: Reason[] = [];
  let sourcedRisk = false;
  const visited = new Set<string>();
  let bytes = 0;
  const deadline = Date.now() + MAX_JUDGE_MS;
  // onlyHigh: below a program found on PATH or another interpreter's script, only high and
  // critical count — their medium findings (and limits, and unresolvable names) are what programs
  // are made of, and would sandbox every `python3` behind a version manager's shim.
  const walk = (list: ScriptRef[], depth: number, sourced: boolean, fishCtx: boolean, highOnly = false): void => {
    for (const ref of list) {
      const inShell = sourced && ref.kind === 'source';
      const onlyHigh = highOnly || ref.kind === 'path';
      const add = (r: Reason): void => {
        if (onlyHigh && riskRank(r.risk) < riskRank('high')) return;
        reasons.push(r);
        if (inShell && r.risk !== 'low') sourcedRisk = true;
      };
      // A file of SQL statements is data for the database: when vg cannot name or read it (too big, a
      // variable), the line alone decides — as it did before vg read such files at all.
      if (ref.kind === 'sql' && ref.dynamic) continue;
      if (ref.dynamic) {
        add(
          unknownFile(
            ref,
            ref.kind === 'make'
              ? `make with a makefile, directory or goal vg cannot know (an expansion, stdin, or --eval text): make ${ref.word}`
              : ref.kind === 'runner'
                ? `${ref.runner!.tool} with a file, directory or task vg cannot know (an expansion): ${ref.runner!.tool} ${ref.word}`
                : `a file named by an expansion vg cannot resolve (${ref.word})`,
          ),
        );
        continue;
      }
      /**
       * Counts `n` more bytes read for this line; true (said so, stop) past the line's byte or time
       * budget. Time only counts for a text not judged before (`cached`: its verdict is memoised).
       */
      const overBudget = (path: string, n: number, cached: boolean): boolean => {
        bytes += n;
        if (!cached && Date.now() > deadline) add(unknownFile(ref, `${path}, past the time vg gives to judging files for one line`));
        else if (bytes > MAX_TOTAL_BYTES) add(unknownFile(ref, `${path}, past the ${MAX_TOTAL_BYTES / 1024} KiB of files vg judges for one line`));
        else return false;
        return true;
      };
      /** Marks `id` visited: 'seen' (judged already), 'stop' (past the limits; said so), or 'go'. */
      const admit = (id: string, label: string): 'seen' | 'stop' | 'go' => {
        if (visited.has(id)) return 'seen';
        if (visited.size >= MAX_FILES || depth >= MAX_DEPTH) {
          add(unknownFile(ref, `${label}, past the ${MAX_FILES} files and ${MAX_DEPTH} levels vg follows`));
          return 'stop';
        }
        visited.add(id);
        return 'go';
      };
      /**
       * A judged text's reasons, named by `label`, then what it runs in turn. Another language's
       * program is scanned, not parsed: its medium findings (a delete of a computed path, a
       * subprocess) are what programs do, so only high and critical count — `shutil.rmtree(
       * os.path.expanduser('~'))` blocks, `shutil.rmtree(tmp)` does not sandbox.
       */
      const follow = (label: string, judged: Judged, inShellNext: boolean, fishNext: boolean): void => {
        for (const r of judged.a.reasons) if (!judged.interp || riskRank(r.risk) >= riskRank('high')) add({ ...r, message: `${label}: ${r.message}` });
        const below = onlyHigh || judged.interp;
        // What a program found on PATH runs is followed once more, not every program it names in turn.
        walk(scriptRefs(judged.a.commands).filter((r) => r.kind !== 'path' || !below), depth + 1, inShellNext, fishNext, below);
      };
      if (ref.kind === 'make' || ref.kind === 'runner') {
        const m = ref.kind === 'make' ? makeScript(ref, ctx.env) : runnerScript(ref, ctx.env);
        if (!m) continue;
        const tool = ref.kind === 'make' ? 'make' : ref.runner!.tool;
        const label = `${m.path} (${tool}${ref.word ? ` ${ref.word}` : ''})`;
        const go = admit(`${m.key}#${tool}`, label);
        if (go === 'stop') return;
        if (go === 'seen') continue;
        if (m.text === null) {
          add(unknownFile(ref, `${m.path}, which ${m.problem}`));
          continue;
        }
        for (const u of m.unknown) add(unknownFile(ref, `${m.path}, which ${u}`));
        // What make runs can be far longer than the makefile (variables expanded in every line).
        if (m.text.length > MAX_SCRIPT_BYTES) {
          add(unknownFile(ref, `${m.path}, whose recipes for this come to over ${MAX_SCRIPT_BYTES / 1024} KiB`));
          continue;
        }
        if (overBudget(m.path, m.bytes, memo.has(memoKey(m.key, ref.cwd, false, ctx.key)))) return;
        follow(label, judgeText({ path: m.path, key: m.key, text: m.text }, ref.cwd, ctx, false, false), false, false);
        continue;
      }
      if (ref.kind === 'sql') {
        // A file of statements: judged as the same text given with -c (database.destroy reads it).
        const path = isAbsolute(ref.word) ? ref.word : resolve(ref.cwd, ref.word);
        const f = readScript(path, 'sql', (key) => memo.has(memoKey(`${key}#sql`, ref.cwd, false, ctx.key)));
        if (!f || f.text === null) continue;
        const go = admit(`${f.path}#sql`, f.path);
        if (go === 'stop') return;
        if (go === 'seen') continue;
        if (overBudget(f.path, f.text.length, f.text.length === 0)) return;
        const line = `${ref.client ?? 'psql'} -c ${singleQuote(f.text)}`;
        follow(`${f.path} (${ref.client})`, judgeText({ path: f.path, key: `${f.key}#sql`, text: line }, ref.cwd, ctx, false, false), false, false);
        continue;
      }
      if (ref.kind === 'package') {
        for (const sc of packageScriptTexts(ref)) {
          const label = `${sc.path} scripts.${sc.name}`;
          const go = admit(`${sc.path}#${sc.name}`, label);
          if (go === 'stop') return;
          if (go === 'go') follow(label, judgeText({ path: sc.path, key: sc.key, text: sc.text }, sc.dir, ctx, false, false), false, false);
        }
        continue;
      }
      // fish reads it: the line says so, or (`./x`) its `#!` does — fixed per file version, which the key holds.
      const keyFish = ref.kind === 'source' ? fishCtx : ref.shell === 'fish';
      const fishHere = (text: string): boolean => keyFish || (ref.kind === 'exec' && shebangShell(text) === 'fish');
      for (const path of candidates(ref, ctx.env)) {
        const kind = ref.kind === 'path' ? 'exec' : ref.kind;
        const f = readScript(path, kind, (key) => memo.has(memoKey(key, ref.cwd, keyFish, ctx.key)));
        if (!f) continue;
        const go = admit(f.path, f.path);
        if (go === 'stop') return;
        if (go === 'seen') continue;
        if (f.text === null) {
          add(unknownFile(ref, `${f.path}, which ${f.problem}`));
          continue;
        }
        // (A memoised version comes back with text '': nothing read, nothing to judge again.)
        if (overBudget(f.path, f.text.length, f.text.length === 0)) return;
        // `./x` with a `#!` naming python, node…: that interpreter's code (a shell ignores the `#!` of a file it is given).
        const lang = kind === 'exec' ? interpreterOf(f.text) : ref.lang;
        const judged = judgeText(f as FileText & { text: string }, ref.cwd, ctx, fishHere(f.text), keyFish, lang);
        // (A memoised verdict's `line` is the file's text.)
        follow(f.path, judged, inShell, fishHere(judged.a.line));
      }
    }
  };
  walk(refs, 0, true, ctx.shell === 'fish');
  if (reasons.length === 0) return a;
  const risk = reasons.reduce((m, r) => maxRisk(m, r.risk), a.risk);
  const out: Analysis = { ...a, risk, reasons: [...a.reasons, ...reasons].sort((x, y) => riskRank(y.risk) - riskRank(x.risk)) };
  if (sourcedRisk) {
    out.stateOnly = false;
    out.changesShell = true;
  }
  return out;
}
