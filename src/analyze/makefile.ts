// What `make` runs, as shell code: the recipes of the goals it is asked for and of everything they
// depend on, and every `$(shell …)` / `!=` in the makefile, which make runs while it reads the file
// whatever the goal. Without this, `make clean` ran `rm -rf ~` from a planted Makefile on the host
// in mode auto: the line itself names no command that does anything. Pure: intercept/scripts.ts
// reads the files (and what they include) and judges the text this returns.
//
// Deliberately conservative where make is dynamic: every branch of a conditional counts, a target
// without a rule of its own may be built by any pattern rule, and constructs that make rules vg
// cannot see (`$(eval …)`) are named so the judge can say the line was not fully judged.
import { singleQuote } from './words.ts';

export interface MakeRule {
  targets: string[];
  prereqs: string[];
  recipes: string[];
  /** The target pattern a `%` prerequisite is matched against (`%.o` in `%.o: %.c`, or a static pattern rule's). */
  pattern?: string;
}

export interface Makefile {
  /** Explicit rules by target (a `::` target may have several). */
  rules: Map<string, MakeRule[]>;
  /** Pattern (`%`) and suffix (`.c.o`) rules, and `.DEFAULT`: any target may be built by them. */
  patterns: MakeRule[];
  /** `.DEFAULT_GOAL`, else the first ordinary target. */
  defaultGoal: string | null;
  vars: Map<string, string>;
  /** The files it includes, as written (after expanding what is known). */
  includes: string[];
  /** Shell code make runs while reading the file: `$(shell …)` outside recipes, `VAR != …`. */
  parseTime: string[];
  /** Why some of what it runs cannot be known (`$(eval …)` makes rules at run time). */
  unknown: string[];
}

/** make's own defaults for the variables recipes use most (GNU make's built-in values). */
const DEFAULTS: Record<string, string> = { RM: 'rm -f', MAKE: 'make', CC: 'cc', CXX: 'g++', CPP: '$(CC) -E', AR: 'ar', AS: 'as', LD: 'ld', SHELL: '/bin/sh', INSTALL: 'install', LEX: 'lex', YACC: 'yacc' };

const ASSIGN = /^(?:(?:override|export|private)\s+)*([^\s:#=$]+|\$[({][^)}]*[)}])\s*(:::=|::=|:=|\?=|\+=|!=|=)\s*(.*)$/s;
const DIRECTIVE = /^(?:ifeq|ifneq|ifdef|ifndef|else|endif|vpath|unexport|undefine)\b/;

/**
 * Parse a makefile's text. `include(name)` gives an included file's text (null: not there, or not
 * to be read), parsed in place as make does; every name is also listed in `includes`.
 */
export function parseMakefile(text: string, include?: (name: string) => string | null): Makefile {
  const mk: Makefile = { rules: new Map(), patterns: [], defaultGoal: null, vars: new Map(), includes: [], parseTime: [], unknown: [] };
  parseInto(mk, text, include, 0);
  return mk;
}

function parseInto(mk: Makefile, text: string, include: ((name: string) => string | null) | undefined, level: number): void {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let current: MakeRule[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.startsWith('\t') && current.length) {
      // A recipe line: backslash-newline stays in it (the shell reads it), with the next line's tab.
      let r = line.slice(1);
      while (r.endsWith('\\') && i + 1 < lines.length) r += '\n' + lines[++i]!.replace(/^\t/, '');
      for (const rule of current) rule.recipes.push(r);
      continue;
    }
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i]!.trimStart();
    const code = stripComment(line).trim();
    if (code === '') continue;
    if (/^define\s/.test(code) || code === 'define') {
      // define NAME [=] … endef: a multi-line variable (recipes and $(call …) use them).
      const name = code.replace(/^define\s+/, '').replace(/\s*(?::{0,3}=|\?=|\+=|!=)?\s*$/, '').trim();
      const body: string[] = [];
      while (++i < lines.length && !/^\s*endef\b/.test(lines[i]!)) body.push(lines[i]!);
      if (name) mk.vars.set(name, body.join('\n'));
      changed(mk.vars);
      current = [];
      continue;
    }
    const inc = /^(-?include|sinclude)\s+(.*)$/.exec(code);
    if (inc) {
      for (const w of expand(inc[2]!, mk.vars).split(/\s+/)) {
        if (!w) continue;
        mk.includes.push(w);
        const t = level < 4 ? (include?.(w) ?? null) : null;
        if (t !== null) parseInto(mk, t, include, level + 1);
        // A plain include that is not there: make builds it by a rule (or fails) — its rules are unseen.
        else if (include && inc[1] === 'include' && level < 4) mk.unknown.push(`includes ${w}, which vg did not find to read`);
      }
      current = [];
      continue;
    }
    // `load x.so`: make runs a shared object's code; `$(guile …)`: Scheme code — neither is shell vg reads.
    if (/^-?load\s/.test(code)) {
      mk.unknown.push(`loads compiled code into make (${code})`);
      current = [];
      continue;
    }
    if (/\$[({]\s*guile\b/.test(code)) mk.unknown.push('runs Guile code with $(guile …)');
    if (DIRECTIVE.test(code)) {
      // Conditionals: every branch counts (what a condition says is known only when make runs).
      continue;
    }
    if (/^export\s*$|^export\s+[^=:]*$|^unexport\b/.test(code)) continue;
    const asg = ASSIGN.exec(code);
    if (asg && !ruleColonBefore(code, asg.index + asg[1]!.length)) {
      const [, name, op, value] = asg;
      if (op === '!=') mk.parseTime.push(expand(value!, mk.vars));
      else {
        collectShell(value!, mk);
        const prev = mk.vars.get(name!) ?? '';
        mk.vars.set(name!, op === '+=' ? `${prev} ${value}`.trim() : op === '?=' && mk.vars.has(name!) ? prev : value!);
        changed(mk.vars);
        if (name === '.DEFAULT_GOAL') mk.defaultGoal = expand(value!, mk.vars).trim() || null;
      }
      current = [];
      continue;
    }
    const colon = ruleColon(code);
    if (colon < 0) {
      // A line that is no rule, assignment or directive: a function call make evaluates (`$(eval …)`).
      if (/\$[({]\s*eval\b/.test(code)) mk.unknown.push('makes rules with $(eval …), which vg does not follow');
      collectShell(code, mk);
      current = [];
      continue;
    }
    const targets = expand(code.slice(0, colon), mk.vars).split(/\s+/).filter(Boolean);
    let rest = code.slice(colon + 1).replace(/^:/, '');
    // `target: VAR = value`: a target-specific variable, not a rule of its own.
    if (ASSIGN.test(rest.trim()) && !/^\s*[^=]*;/.test(rest)) {
      collectShell(rest, mk);
      current = [];
      continue;
    }
    let inline: string | null = null;
    const semi = rest.indexOf(';');
    if (semi >= 0) {
      inline = rest.slice(semi + 1).trim();
      rest = rest.slice(0, semi);
    }
    // Static pattern rules (`objs: %.o: %.c`): the prerequisites are the last part.
    const parts = rest.split(':');
    const prereqs = expand(parts.pop()!, mk.vars)
      .split(/\s+/)
      .filter((w) => w && w !== '|');
    const pattern = parts.length ? expand(parts[0]!, mk.vars).trim() : targets.find((t) => t.includes('%'));
    current = [];
    const rule: MakeRule = { targets, prereqs, recipes: inline ? [inline] : [], ...(pattern ? { pattern } : {}) };
    current.push(rule);
    for (const t of targets) {
      if (t.includes('%') || /^\.[^./%]+\.[^./%]+$/.test(t) || t === '.DEFAULT' || /^\.[^./%]+$/.test(t) && SUFFIX_RULE(t)) mk.patterns.push(rule);
      else {
        const list = mk.rules.get(t) ?? [];
        if (!list.includes(rule)) list.push(rule);
        mk.rules.set(t, list);
        if (mk.defaultGoal === null && !t.startsWith('.')) mk.defaultGoal = t;
      }
    }
  }
}

/** A single-suffix rule such as `.c:` (builds `x` from `x.c`). */
const SUFFIX_RULE = (t: string): boolean => /^\.(c|cc|cpp|C|f|F|p|r|s|S|o|sh|y|l)$/.test(t);

/** `#` starts a comment outside recipes unless escaped. */
function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '#') return line.slice(0, i);
  }
  return line;
}

/** The index of the rule's colon (outside `$(…)`), or -1. `::` counts as one. */
function ruleColon(code: string): number {
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '$' && (code[i + 1] === '(' || code[i + 1] === '{')) {
      depth++;
      i++;
    } else if ((c === ')' || c === '}') && depth > 0) depth--;
    else if (c === ':' && depth === 0 && code[i + 1] !== '=') return i;
    else if (c === '=' && depth === 0) return -1;
  }
  return -1;
}
const ruleColonBefore = (code: string, at: number): boolean => {
  const c = ruleColon(code);
  return c >= 0 && c < at;
};

/** `$(shell …)` anywhere in text make expands while reading the file: run then, whatever the goal. */
function collectShell(text: string, mk: Makefile, depth = 0): void {
  for (const call of functionCalls(text)) {
    if (call.name === 'shell') mk.parseTime.push(expand(call.args, mk.vars));
    else if (call.name === 'file') {
      const write = expandRef(`file ${call.args}`, mk.vars, undefined, 0);
      if (write) mk.parseTime.push(write);
    }
    else if (depth < 8) collectShell(call.args, mk, depth + 1);
  }
}

interface Call {
  name: string;
  args: string;
  start: number;
  end: number;
}
/** The top-level `$(name args)` / `${name args}` function calls in text. */
function functionCalls(text: string): Call[] {
  const out: Call[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') continue;
    if (text[i + 1] === '$') {
      i++;
      continue;
    }
    const open = text[i + 1];
    if (open !== '(' && open !== '{') continue;
    const end = matching(text, i + 1);
    if (end < 0) break;
    const inner = text.slice(i + 2, end);
    const m = /^([a-z-]+)[ \t]+([\s\S]*)$/.exec(inner);
    if (m) out.push({ name: m[1]!, args: m[2]!, start: i, end: end + 1 });
    i = end;
  }
  return out;
}

function matching(text: string, at: number): number {
  const open = text[at]!;
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    if (text[i] === open) depth++;
    else if (text[i] === close && --depth === 0) return i;
  }
  return -1;
}

/** Split a function's arguments at top-level commas. */
function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of args) {
    if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export interface Auto {
  target: string;
  prereqs: string[];
}

/**
 * Make's expansion of `text` as far as it can be known: variables the makefile sets (recursively),
 * make's defaults, `$(shell X)` → `$(X)` (the shell's own substitution: run, output spliced in),
 * automatic variables from the rule; a variable make would take from the environment stays a shell
 * parameter (`$(HOME)` → `${HOME}`), so the analyzer sees it as such. Other functions leave their
 * arguments (`$(wildcard ~/x)` still names `~/x`). `$$` is the shell's `$`.
 */
export function expand(text: string, vars: ReadonlyMap<string, string>, auto?: Auto, depth = 0): string {
  if (depth > 8) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const n = text[i + 1];
    if (n === undefined) {
      out += c;
      break;
    }
    if (n === '$') {
      out += '$';
      i++;
      continue;
    }
    if (n === '(' || n === '{') {
      const end = matching(text, i + 1);
      if (end < 0) {
        out += text.slice(i);
        break;
      }
      out += expandRef(text.slice(i + 2, end), vars, auto, depth);
      i = end;
      continue;
    }
    out += expandRef(n, vars, auto, depth);
    i++;
  }
  return out;
}

function expandRef(inner: string, vars: ReadonlyMap<string, string>, auto: Auto | undefined, depth: number): string {
  const fn = /^([a-z-]+)[ \t]+([\s\S]*)$/.exec(inner);
  if (fn) {
    const [, name, args] = fn;
    if (name === 'shell') return `$(${expand(args!, vars, auto, depth + 1)})`;
    if (name === 'file') {
      // `$(file >PATH,TEXT)` writes (`>>` appends) a file with no shell at all: judged as the same write.
      const [op, ...text] = splitArgs(args!);
      const m = /^\s*(>>?|<)\s*(.*?)\s*$/.exec(expand(op!, vars, auto, depth + 1));
      if (!m || m[1] === '<') return '';
      const q = singleQuote;
      return `printf %s ${q(expand(text.join(','), vars, auto, depth + 1))} ${m[1]} ${m[2]}`;
    }
    if (name === 'call') {
      const [v, ...params] = splitArgs(args!);
      let body = vars.get(expand(v!, vars, auto, depth + 1).trim()) ?? '';
      params.forEach((p, k) => {
        body = body.split(`$(${k + 1})`).join(p).split(`\${${k + 1}}`).join(p);
      });
      return expand(body, vars, auto, depth + 1);
    }
    // Any other function: its arguments, expanded, side by side (`$(if c,a,b)` → `c a b`).
    return splitArgs(args!).map((a) => expand(a, vars, auto, depth + 1)).join(' ');
  }
  const name = inner.trim();
  if (auto) {
    const base = name.replace(/[DF]$/, '');
    if (base === '@') return auto.target;
    if (base === '<') return auto.prereqs[0] ?? '';
    if (base === '^' || base === '+' || base === '?') return auto.prereqs.join(' ');
    if (base === '*') return auto.target.replace(/\.[^./]*$/, '');
    if (base === '|') return '';
  }
  // `$(VAR:a=b)` substitution references: the variable's value stands for it.
  const v = name.replace(/:.*$/, '');
  const value = vars.get(v) ?? DEFAULTS[v];
  if (value === undefined) return /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? `\${${v}}` : '';
  // Outside a recipe (no automatic variables) a variable expands the same wherever it stands: kept
  // per table of variables, as a generated makefile names the same ones in every rule's targets.
  const memo = auto === undefined ? expansions(vars) : undefined;
  const hit = memo?.get(v);
  if (hit !== undefined) return hit;
  const out = expand(value, vars, auto, depth + 1);
  if (memo && depth === 0) memo.set(v, out);
  return out;
}

/** What `%` stands for when `target` matches `pattern` (`%.o`, `x.o` → `x`); the target itself otherwise. */
function stem(pattern: string | undefined, target: string): string {
  if (!pattern?.includes('%')) return target;
  const [pre, post] = [pattern.slice(0, pattern.indexOf('%')), pattern.slice(pattern.indexOf('%') + 1)];
  return target.startsWith(pre) && target.endsWith(post) && target.length >= pre.length + post.length ? target.slice(pre.length, target.length - post.length) : target;
}

const expansionMemo = new WeakMap<ReadonlyMap<string, string>, Map<string, string>>();
function expansions(vars: ReadonlyMap<string, string>): Map<string, string> {
  let m = expansionMemo.get(vars);
  if (!m) expansionMemo.set(vars, (m = new Map()));
  return m;
}
/** Forget what was expanded with `vars` (an assignment changed them). */
const changed = (vars: ReadonlyMap<string, string>): void => void expansionMemo.get(vars)?.clear();

export interface MakeRun {
  /** Shell command lines make runs (each recipe line is a shell of its own). */
  lines: string[];
  /** Why what it runs is not fully known. */
  unknown: string[];
}

/**
 * The shell code `make GOALS` runs with this makefile (no goals: the default goal): parse-time
 * shell calls, then the recipes of the goals and everything they depend on, depth first as make
 * builds them. `dry` (`-n`, `-q`, `-t`): only lines make runs anyway (`+` lines and those naming
 * `$(MAKE)`), and the parse-time calls. `max`: recipe lines at most.
 */
export function makeRun(mk: Makefile, goals: readonly string[], opts: { dry?: boolean; vars?: readonly (readonly [string, string])[]; every?: boolean } = {}, max = 2000): MakeRun {
  const dry = opts.dry === true;
  // Variables given on make's command line win over the makefile's assignments.
  if (opts.vars?.length) {
    const vars = new Map(mk.vars);
    for (const [k, v] of opts.vars) vars.set(k, v);
    mk = { ...mk, vars };
  }
  const lines = [...mk.parseTime];
  const unknown = [...mk.unknown];
  // SHELL set in the makefile runs every recipe line: `SHELL = ./x.sh` makes ./x.sh the code.
  const shell = mk.vars.get('SHELL');
  if (shell !== undefined && !/^\s*(\/usr)?\/bin\/(ba|da|k|z)?sh\s*$/.test(expand(shell, mk.vars))) lines.push(`${expand(shell, mk.vars)} -c :`);
  const every = opts.every ? [...mk.rules.keys()].filter((t) => !t.startsWith('.')) : [];
  const wanted = every.length ? every : goals.length ? [...goals] : mk.defaultGoal ? [mk.defaultGoal] : [];
  const seen = new Set<string>();
  let patternsUsed = false;
  const addRecipes = (rule: MakeRule, target: string): void => {
    const prereqs = rule.prereqs.map((p) => p.replace('%', stem(rule.pattern, target)));
    for (const raw of rule.recipes) {
      if (lines.length >= max) return;
      const prefix = /^[\s@+-]*/.exec(raw)![0];
      const body = raw.slice(prefix.length);
      if (dry && !prefix.includes('+') && !/\$[({]MAKE[)}]/.test(body)) continue;
      lines.push(expand(body, mk.vars, { target, prereqs }));
    }
  };
  const visit = (t: string, depth: number): void => {
    if (seen.has(t) || depth > 64 || lines.length >= max) return;
    seen.add(t);
    const rules = mk.rules.get(t);
    const withRecipe = rules?.some((r) => r.recipes.length > 0);
    for (const r of rules ?? []) for (const p of r.prereqs) visit(p.replace('%', stem(r.pattern, t)), depth + 1);
    for (const r of rules ?? []) addRecipes(r, t);
    if (!withRecipe && !patternsUsed && mk.patterns.length) {
      // No recipe of its own: an implicit (pattern or suffix) rule or .DEFAULT may build it.
      patternsUsed = true;
      for (const r of mk.patterns) {
        for (const p of r.prereqs) visit(p.replace('%', stem(r.pattern, t)), depth + 1);
        addRecipes(r, t);
      }
    }
  };
  for (const g of wanted) visit(g, 0);
  if (opts.every && !patternsUsed) for (const r of mk.patterns) addRecipes(r, r.targets[0] ?? '');
  if (lines.length >= max) unknown.push(`runs more than ${max} recipe lines`);
  return { lines, unknown };
}
