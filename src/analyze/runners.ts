// Task runners whose recipes live in a project file — `just`, `task` (go-task), `rake` — turned into
// the shell text they run, the way makefile.ts does for make: a `just clean` whose justfile says
// `rm -rf ~` is judged as `rm -rf ~`. Pure: the judge (intercept/scripts.ts) finds and reads the
// files and hands their text (a Taskfile already parsed as YAML) to these functions.
import type { CommandFact } from './types.ts';
import { inlineCommand, languageOf, shebangProgram } from './interp.ts';
import { resolvePath } from './resolve.ts';
import { SHELLS } from './names.ts';
import { singleQuote } from './words.ts';

export type RunnerTool = 'just' | 'task' | 'rake';

export interface RunnerInvocation {
  tool: RunnerTool;
  /** `just -f FILE`, `task -t FILE`, `rake -f FILE` (relative to `dir`); none: the tool's search. */
  file?: string;
  /** Where the tool looks for its file and runs (after -d / -C). */
  dir: string;
  /** The recipes/tasks asked (none: the default one). */
  tasks: string[];
  /** `NAME=value` words (just, task): they override the file's variables. */
  vars: [string, string][];
  /** Lists, shows or checks only: no recipe runs (rake still loads — runs — its Rakefile). */
  listOnly: boolean;
  /** Code given on the line itself: `rake -e CODE` (Ruby), `just --command CMD` (shell). */
  inline?: { lang: 'ruby' | 'shell'; code: string };
  /** A word the tool uses is an expansion vg cannot resolve. */
  dynamic: boolean;
}

/** A runner's options that take the next word (or `=value`), per tool. */
const WITH_VALUE: Record<RunnerTool, RegExp> = {
  just: /^(-f|--justfile|-d|--working-directory|--shell|--shell-arg|--dotenv-filename|--dotenv-path|-E|--color|--dump-format|--list-heading|--list-prefix|--chooser|-s|--show|--completions|--command|-c|--timestamp-format|--command-color|--alias-style|--list-submodules|--cygpath|--tempdir)$/,
  task: /^(-d|--dir|-t|--taskfile|-o|--output|--output-group-begin|--output-group-end|-C|--concurrency|-I|--interval|--sort|-x|--exit-code-from)$/,
  rake: /^(-f|--rakefile|-C|--directory|-I|--libdir|-r|--require|-R|--rakelibdir|-e|--execute|-p|--execute-print|-E|--execute-continue|-j|--jobs|-g|--system|--suppress-backtrace|--backtrace|-D|--describe|-T|--tasks|-W|--where)$/,
};
/** Options after which nothing runs. */
const LIST_ONLY: Record<RunnerTool, RegExp> = {
  just: /^(-l|--list|--summary|-s|--show|--dump|--variables|--fmt|--check|--init|--edit|--completions|-h|--help|-V|--version|--changelog|--groups|--man|--request)$/,
  task: /^(-l|--list|-a|--list-all|--summary|-i|--init|--version|-h|--help|-j|--json|-n|--dry|--completion)$/,
  rake: /^(-V|--version|-h|-H|--help)$/,
};

/**
 * What `just …`, `task …` or `rake …` was asked: the file and directory, the tasks, variables, and
 * code on the line. Null: not one of them. Pure.
 */
export function runnerInvocation(f: CommandFact): RunnerInvocation | null {
  const tool = f.name as RunnerTool;
  if (tool !== 'just' && tool !== 'task' && tool !== 'rake') return null;
  if (f.argv[0] !== f.name && !f.argv[0]?.endsWith(`/${f.name}`)) return null;
  const inv: RunnerInvocation = { tool, dir: f.cwd, tasks: [], vars: [], listOnly: false, dynamic: f.argDynamic?.[0] === true };
  const a = f.argv;
  for (let i = 1; i < a.length; i++) {
    const w = a[i]!;
    const dyn = f.argDynamic?.[i] === true;
    if (w === '--') {
      // task: what follows is CLI_ARGS (data for the tasks); just/rake: recipes and arguments follow.
      if (tool !== 'task') for (const x of a.slice(i + 1)) if (!x.includes('=')) inv.tasks.push(x);
      break;
    }
    if (w.startsWith('-') && w.length > 1) {
      const eq = w.startsWith('--') ? w.indexOf('=') : -1;
      const flag = eq > 0 ? w.slice(0, eq) : w;
      if (LIST_ONLY[tool].test(flag) && !(tool === 'rake' && /^-[DTW]$|^--(describe|tasks|where)$/.test(flag))) inv.listOnly = true;
      let value: string | undefined;
      let at = i;
      if (eq > 0) value = w.slice(eq + 1);
      else if (WITH_VALUE[tool].test(flag)) {
        // rake -T / -D / -W take an optional pattern: only a word that is not an option.
        if (tool === 'rake' && /^-[DTW]$|^--(describe|tasks|where)$/.test(flag) && (a[i + 1] === undefined || a[i + 1]!.startsWith('-'))) continue;
        value = a[++i];
        at = i;
      } else if (tool === 'just' && flag === '--set') {
        // --set NAME VALUE
        if (a[i + 1] !== undefined && a[i + 2] !== undefined) inv.vars.push([a[i + 1]!, a[i + 2]!]);
        i += 2;
        continue;
      }
      if (value === undefined) continue;
      const vdyn = f.argDynamic?.[at] === true;
      if (/^(-f|--justfile|-t|--taskfile|--rakefile)$/.test(flag)) {
        inv.file = value;
        if (vdyn) inv.dynamic = true;
      } else if (/^(-d|--working-directory|--dir)$/.test(flag) || (tool === 'rake' && /^(-C|--directory)$/.test(flag))) {
        inv.dir = resolvePath(value, inv.dir) ?? inv.dir;
        if (vdyn) inv.dynamic = true;
      } else if (tool === 'rake' && /^(-e|--execute|-p|--execute-print|-E|--execute-continue)$/.test(flag)) {
        inv.inline = { lang: 'ruby', code: value };
      } else if (tool === 'just' && /^(-c|--command)$/.test(flag)) {
        inv.inline = { lang: 'shell', code: [value, ...a.slice(i + 1)].join(' ') };
        break;
      } else if (tool === 'just' && flag === '--shell' && vdyn) inv.dynamic = true;
      continue;
    }
    const v = /^([A-Za-z_][\w-]*)=(.*)$/s.exec(w);
    if (v && tool !== 'rake') {
      inv.vars.push([v[1]!, v[2]!]);
      continue;
    }
    if (dyn) inv.dynamic = true;
    inv.tasks.push(w);
  }
  return inv;
}

// ---- what a runner runs -----------------------------------------------------------------------

export interface RunnerRun {
  /** Shell lines (and `LANG -c 'CODE'` lines for recipes in another language), in run order. */
  lines: string[];
  /** What vg cannot know (a recipe in an unknown language, an import it was not given…): medium each. */
  unknown: string[];
}

/** An interpolation vg cannot evaluate, in shell text: a parameter no shell sets. */
const UNKNOWN = '${__vg_unknown}';

/** A script in `program` (a shell, or an interpreter vg scans) as lines a shell would run; null: unknown language. */
function scriptLines(program: string, body: string): string[] | null {
  if (SHELLS.has(program)) return [body];
  const lang = languageOf(program);
  return lang ? [`${inlineCommand(lang)} ${singleQuote(body)}`] : null;
}

// just ------------------------------------------------------------------------------------------

interface JustRecipe {
  params: string[];
  deps: string[];
  after: string[];
  body: string[];
  /** `[script('python3')]` / `[script]`: the body is one script. */
  script?: string;
}

interface Justfile {
  recipes: Map<string, JustRecipe>;
  order: string[];
  aliases: Map<string, string>;
  vars: Map<string, string>;
  /** Backtick code in assignments: run when the justfile loads. */
  loadCode: string[];
  shell?: string;
  lazy: boolean;
  unknown: string[];
}

/**
 * A just expression's value: string literals, variables, `+` and `/`, backticks (their code is
 * collected and their value is unknown), calls (unknown, but home_directory()).
 */
function justExpr(text: string, vars: Map<string, string>, code: string[]): string {
  let out = '';
  const s = text.trim();
  let i = 0;
  let pathJoin = false;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '+') {
      i++;
      continue;
    }
    if (c === '/') {
      pathJoin = true;
      i++;
      continue;
    }
    let piece: string;
    const triple = s.startsWith("'''", i) || s.startsWith('"""', i) || s.startsWith('```', i);
    if (c === "'" || c === '"' || c === '`') {
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      let body = '';
      while (j < s.length && !s.startsWith(q, j)) {
        if (c === '"' && s[j] === '\\' && j + 1 < s.length) {
          const n = s[j + 1]!;
          body += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
          continue;
        }
        body += s[j];
        j++;
      }
      i = j + q.length;
      if (c === '`') {
        code.push(body);
        piece = UNKNOWN;
      } else piece = body;
    } else {
      const m = /^[A-Za-z_][\w-]*(\s*\((?:[^()]|\([^()]*\))*\))?/.exec(s.slice(i));
      if (!m) break;
      i += m[0].length;
      if (m[1]) piece = /^home_directory|^home_dir/.test(m[0]) ? '~' : UNKNOWN;
      else piece = /^(if|else)$/.test(m[0]) ? UNKNOWN : (vars.get(m[0]) ?? UNKNOWN);
      if (/^(if|else)$/.test(m[0])) {
        // Conditionals pick one branch at run time: judge the text of both.
        return s.replace(/`([^`]*)`/g, (_, x: string) => (code.push(x), UNKNOWN));
      }
    }
    out += pathJoin && out && !out.endsWith('/') ? '/' + piece : piece;
    pathJoin = false;
  }
  return out;
}

/** `{{ expr }}` in a recipe line: evaluated, parameters unknown (`{{{{` is a literal `{{`). */
function justInterpolate(line: string, vars: Map<string, string>, code: string[]): string {
  return line.replace(/\{\{\{\{|\{\{((?:[^}]|\}(?!\}))*)\}\}/g, (m, expr: string | undefined) => (expr === undefined ? '{{' : justExpr(expr, vars, code)));
}

/** Reads an `import`ed justfile: its name as written and the importing file's path ('' for the first); null when missing. */
export type JustInclude = (name: string, from: string) => { text: string; path: string } | null;

/** Parses a justfile (`from`: its path, for the imports it names). */
export function parseJustfile(text: string, include?: JustInclude, depth = 0, from = ''): Justfile {
  const jf: Justfile = { recipes: new Map(), order: [], aliases: new Map(), vars: new Map(), loadCode: [], lazy: false, unknown: [] };
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let current: JustRecipe | null = null;
  let attrsScript: string | undefined;
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    if (current && (/^\s/.test(line) || line.trim() === '')) {
      if (line.trim() !== '' || current.body.length) current.body.push(line);
      continue;
    }
    current = null;
    if (/^\s*(#|$)/.test(line)) continue;
    // A line continued with `\` (in an assignment or a header).
    while (line.endsWith('\\') && n + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++n]!.trim();
    const attr = /^\[([^\]]*)\]\s*$/.exec(line);
    if (attr) {
      const sc = /(?:^|,)\s*script(?:\(\s*(['"])([^'"]*)\1[^)]*\))?/.exec(attr[1]!);
      if (sc) attrsScript = sc[2] ?? 'sh';
      continue;
    }
    const set = /^set\s+([\w-]+)(?:\s*:=\s*(.*))?$/.exec(line);
    if (set) {
      if (set[1] === 'shell') jf.shell = /["']([^"']+)["']/.exec(set[2] ?? '')?.[1]?.replace(/^.*\//, '');
      if (set[1] === 'lazy') jf.lazy = set[2] === undefined || /true/.test(set[2]);
      continue;
    }
    const alias = /^alias\s+([\w-]+)\s*:=\s*([\w-]+)/.exec(line);
    if (alias) {
      jf.aliases.set(alias[1]!, alias[2]!);
      continue;
    }
    const imp = /^import(\?)?\s+(['"])(.*)\2/.exec(line);
    if (imp) {
      const inner = depth < 8 && include ? include(imp[3]!, from) : null;
      if (inner === null) {
        if (!imp[1]) jf.unknown.push(`imports ${imp[3]} (not read)`);
        continue;
      }
      const sub = parseJustfile(inner.text, include, depth + 1, inner.path);
      for (const [k, v] of sub.recipes) if (!jf.recipes.has(k)) (jf.recipes.set(k, v), jf.order.push(k));
      for (const [k, v] of sub.vars) jf.vars.set(k, v);
      for (const [k, v] of sub.aliases) jf.aliases.set(k, v);
      jf.loadCode.push(...sub.loadCode);
      jf.unknown.push(...sub.unknown);
      continue;
    }
    if (/^mod\??\s/.test(line)) continue;
    const assign = /^(?:export\s+)?([A-Za-z_][\w-]*)\s*:=\s*(.*)$/.exec(line);
    if (assign) {
      const code: string[] = [];
      jf.vars.set(assign[1]!, justExpr(assign[2]!, jf.vars, code));
      jf.loadCode.push(...code);
      continue;
    }
    // A recipe: `@?name params… : deps… && after…`
    const head = /^@?([A-Za-z_][\w-]*)((?:[^:'"]|'[^']*'|"[^"]*")*):(?!=)(.*)$/.exec(line);
    if (head) {
      const params = (head[2]!.match(/[+*$]?[A-Za-z_][\w-]*/g) ?? []).map((p) => p.replace(/^[+*$]+/, ''));
      const [before, afterDeps = ''] = head[3]!.split('&&', 2) as [string, string?];
      const names = (t: string): string[] => (t.match(/\(\s*[\w-]+|[\w-]+(?![^(]*\))/g) ?? []).map((x) => x.replace(/^\(\s*/, '')).filter((x) => !/^#/.test(x));
      current = { params, deps: names(before.replace(/#.*$/, '')), after: names(afterDeps.replace(/#.*$/, '')), body: [], ...(attrsScript ? { script: attrsScript } : {}) };
      attrsScript = undefined;
      if (!jf.recipes.has(head[1]!)) jf.order.push(head[1]!);
      jf.recipes.set(head[1]!, current);
      continue;
    }
  }
  return jf;
}

/** What `just [tasks]` runs with a justfile's text. Pure. */
export function justRun(text: string, tasks: string[], vars: [string, string][] = [], include?: JustInclude): RunnerRun {
  const jf = parseJustfile(text, include);
  for (const [k, v] of vars) jf.vars.set(k, v);
  const lines: string[] = [];
  const unknown = [...jf.unknown];
  // Assignments are evaluated when the justfile loads (unless `set lazy`): their backticks run whatever is asked.
  if (!jf.lazy) lines.push(...jf.loadCode);
  const shellLang = jf.shell && !SHELLS.has(jf.shell) ? jf.shell : null;
  const done = new Set<string>();
  const runRecipe = (name: string, depth: number): void => {
    const real = jf.aliases.get(name) ?? name;
    const r = jf.recipes.get(real);
    if (!r || done.has(real) || depth > 32) return;
    done.add(real);
    for (const d of r.deps) runRecipe(d, depth + 1);
    const code: string[] = [];
    // Parameters are the line's words, which vg does not map: unknown.
    const scope = new Map(jf.vars);
    for (const p of r.params) scope.set(p, UNKNOWN);
    const body = r.body.map((l) => justInterpolate(l, scope, code));
    const indent = Math.min(...body.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length));
    const text = body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n').replace(/\s+$/, '');
    lines.push(...code);
    const first = text.split('\n')[0] ?? '';
    if (r.script !== undefined || first.startsWith('#!')) {
      const program = r.script !== undefined ? r.script.split(/\s+/)[0]!.replace(/^.*\//, '') : (shebangProgram(first) ?? '');
      const out = scriptLines(program || 'sh', r.script !== undefined ? text : text.split('\n').slice(1).join('\n'));
      if (out) lines.push(...out);
      else unknown.push(`runs recipe ${real} in ${program}, a language vg does not read`);
    } else if (shellLang) {
      const out = scriptLines(shellLang, text.split('\n').map((l) => l.replace(/^[@-]+/, '')).join('\n'));
      if (out) lines.push(...out);
      else unknown.push(`runs its recipes with ${shellLang}, a program vg does not read`);
    } else {
      // Each line goes to the shell on its own; `@` (quiet) and `-` (ignore failure) are just's.
      for (const l of text.split('\n')) if (l.trim()) lines.push(l.replace(/^[@-]+/, ''));
    }
    for (const d of r.after) runRecipe(d, depth + 1);
  };
  const asked = tasks.filter((t) => jf.recipes.has(jf.aliases.get(t) ?? t));
  const start = asked.length ? asked : jf.order.slice(0, 1);
  for (const t of start) runRecipe(t, 0);
  return { lines, unknown };
}

// task (go-task) --------------------------------------------------------------------------------

type Yaml = unknown;
const isObj = (x: Yaml): x is Record<string, Yaml> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: Yaml): string | undefined => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined);

/** Go template `{{.NAME}}` with the known variables; anything else unknown. */
function taskTemplate(text: string, vars: Map<string, string>): string {
  return text.replace(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g, (_, e: string) => {
    const m = /^\.([A-Za-z_]\w*)$/.exec(e);
    return m && vars.has(m[1]!) ? vars.get(m[1]!)! : UNKNOWN;
  });
}

/**
 * What `task [tasks]` runs with a Taskfile (parsed YAML). `include` gives an included Taskfile's
 * parsed YAML by its path as written (null: missing). Pure.
 */
export function taskRun(doc: Yaml, tasks: string[], vars: [string, string][] = [], include?: (path: string) => Yaml | null): RunnerRun {
  const lines: string[] = [];
  const unknown: string[] = [];
  const all = new Map<string, Yaml>();
  const known = new Map<string, string>(vars);
  const collect = (d: Yaml, prefix: string, depth: number): void => {
    if (!isObj(d)) return;
    // Dynamic variables (`sh:`) run when the Taskfile loads.
    for (const section of [d.vars, d.env]) {
      if (!isObj(section)) continue;
      for (const [k, v] of Object.entries(section)) {
        if (isObj(v) && str(v.sh) !== undefined) {
          lines.push(taskTemplate(str(v.sh)!, known));
          if (!known.has(k)) known.set(k, UNKNOWN);
        } else if (str(v) !== undefined && !known.has(k)) known.set(k, taskTemplate(str(v)!, known));
      }
    }
    if (isObj(d.tasks)) for (const [k, v] of Object.entries(d.tasks)) all.set(prefix + k, v);
    if (isObj(d.includes) && depth < 8) {
      for (const [ns, v] of Object.entries(d.includes)) {
        const path = str(v) ?? (isObj(v) ? str(v.taskfile) : undefined);
        const optional = isObj(v) && v.optional === true;
        const inner = path !== undefined && include ? include(path) : null;
        if (inner === null || inner === undefined) {
          if (!optional) unknown.push(`includes ${path ?? ns} (not read)`);
          continue;
        }
        collect(inner, `${prefix}${ns}:`, depth + 1);
      }
    }
  };
  collect(doc, '', 0);
  // Task aliases point at their task.
  for (const [k, v] of [...all]) if (isObj(v) && Array.isArray(v.aliases)) for (const a of v.aliases) if (str(a) && !all.has(str(a)!)) all.set(str(a)!, v);
  const done = new Set<string>();
  const runTask = (name: string, depth: number): void => {
    const t = all.get(name);
    if (t === undefined || done.has(name) || depth > 32) return;
    done.add(name);
    const ns = name.includes(':') ? name.slice(0, name.lastIndexOf(':') + 1) : '';
    const call = (x: Yaml): void => {
      const n = str(x) ?? (isObj(x) ? str(x.task) : undefined);
      if (n !== undefined) runTask(all.has(ns + n) ? ns + n : n.replace(/^:/, ''), depth + 1);
    };
    // `task: [cmd, …]` / `task: cmd` short forms.
    const cmds = Array.isArray(t) ? t : str(t) !== undefined ? [t] : isObj(t) ? (Array.isArray(t.cmds) ? t.cmds : str(t.cmd) !== undefined ? [t.cmd] : []) : [];
    const scope = new Map(known);
    if (isObj(t)) {
      for (const section of [t.vars, t.env]) {
        if (!isObj(section)) continue;
        for (const [k, v] of Object.entries(section)) {
          if (isObj(v) && str(v.sh) !== undefined) {
            lines.push(taskTemplate(str(v.sh)!, scope));
            scope.set(k, UNKNOWN);
          } else if (str(v) !== undefined) scope.set(k, taskTemplate(str(v)!, scope));
        }
      }
      if (Array.isArray(t.deps)) for (const d of t.deps) call(d);
      for (const p of [...(Array.isArray(t.preconditions) ? t.preconditions : []), ...(Array.isArray(t.status) ? t.status : [])]) {
        const sh = str(p) ?? (isObj(p) ? str(p.sh) : undefined);
        if (sh !== undefined) lines.push(taskTemplate(sh, scope));
      }
    }
    for (const c of cmds) {
      const item = isObj(c) && isObj(c.defer) ? c.defer : isObj(c) && str(c.defer) !== undefined ? { cmd: c.defer } : c;
      const text = str(item) ?? (isObj(item) ? str(item.cmd) : undefined);
      if (text !== undefined) lines.push(taskTemplate(text, scope));
      else if (isObj(item) && item.task !== undefined) call(item);
    }
  };
  const start = tasks.length ? tasks : ['default'];
  for (const t of start) {
    if (!all.has(t)) continue;
    runTask(t, 0);
  }
  return { lines, unknown };
}
