// AST → CommandFact[]: every command the line would run, wherever it hides (substitutions, process
// substitutions, subshells, groups, function bodies, loops, conditionals, parameter defaults,
// arithmetic, heredocs and strings fed to shells, interpreter one-liners, wrappers, xargs, find -exec).
// Bounded: a depth limit for nested code and a work budget per line, so it can never hang.
import type { CommandFact, Origin, Redirect } from './types.ts';
import type {
  ArithmeticExpression,
  CommandNode,
  CompoundList,
  PipelineNode,
  AndOr,
  Redirection,
  Script,
  Statement,
  TestExpression,
  Word,
  WordPart,
  Command,
  Assignment,
} from './parse.ts';
import { parseLine } from './parse.ts';
import { type EWord, braceList, expandTilde, literalWord, singleQuote } from './words.ts';
import { peel } from './peel.ts';
import { resolvePath } from './resolve.ts';
import { printfOutput, staticOutput } from './static-eval.ts';
import { basename, CODE_VARS, FETCHERS, SHELLS, isDecoder, isFetcher, promptCode } from './names.ts';
import { MAKE_EVERY_RULE } from './scripts.ts';
import { descend } from './code.ts';
import { tokens } from './fallback.ts';
import { findCommands } from './find.ts';

export const MAX_DEPTH = 8;
/** Builtins whose `NAME=VALUE` arguments set variables. */
const DECLARATIONS: ReadonlySet<string> = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);
/** Marks field boundaries inside an evaluated word: unquoted expansions split, `"${a[@]}"` too. */
const SEP = '\u0000';
/** Unquoted expansion results are split on IFS whitespace (`X="-rf /"; rm $X` is `rm -rf /`). */
const split = (v: string, inQuotes: boolean): string => (inQuotes ? v : v.replace(/[ \t\n]+/g, SEP));
const firstElement = (v: string): string => {
  const i = v.indexOf(SEP);
  return i < 0 ? v : v.slice(0, i);
};
/** A parameter's value as a word list: `$@` keeps every positional parameter, `$*` joins them with spaces, an array gives its first element. */
const positional = (name: string, v: string): string => (name === '@' ? v : name === '*' ? v.split(SEP).join(' ') : firstElement(v));

/** `set -- a b`, a function call, `sh -c CODE $0 a b`: "$@", $# and $1… now stand for `args`. */
export function bindPositional(scope: Scope, args: readonly EWord[]): void {
  for (let k = 1; k <= Math.max(9, args.length); k++) scope.vars.set(String(k), k <= args.length ? (args[k - 1]!.dynamic ? null : args[k - 1]!.value) : '');
  scope.vars.set('@', args.some((w) => w.dynamic) ? null : args.map((w) => w.value).join(SEP));
  scope.vars.set('#', String(args.length));
}
/**
 * unbash parses each `$(…)` lazily when its script is read, re-scanning the inner text, so walking
 * N nested substitutions costs O(N²). No real line nests more than a handful.
 */
const MAX_SUBST_DEPTH = 24;
const MAX_WORK = 20_000;
const MAX_FACTS = 1_000;
const MAX_LOOP_VALUES = 4;
/** Scope key of the text on an open descriptor (no variable name can hold the NUL). */
const FD_TEXT = '\u0000fd';
/** The shell integration's own variables (shell/vg.*): `__VG_STATE`, `__vg_…`. */
export const VG_SHELL_VAR = /^(__VG_[A-Z_]+|__vg_\w+)$/;
/** A preloaded library named by a value vg cannot know. */
const DYNAMIC_LIBRARY = '$LIBRARY';
/** pipedFrom/pipedTo keep the nearest names only: a 20,000-stage pipeline must not cost O(n²). */
export const MAX_PIPE_NAMES = 32;

/** Names upstream of the next stage: what fed this one plus this stage's commands, nearest last. */
/** `${v#p}` `${v##p}` `${v%p}` `${v%%p}` with a glob pattern. */
function removeAffix(v: string, op: string, pattern: string): string {
  let re = '';
  for (const c of pattern) re += c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  const lazy = op === '#' || op === '%';
  const body = lazy ? re.replace(/\.\*/g, '.*?') : re;
  try {
    if (op.startsWith('#')) {
      const m = new RegExp('^(?:' + body + ')').exec(v);
      return m ? v.slice(m[0].length) : v;
    }
    // Suffix removal: shortest (`%`) or longest (`%%`) suffix matching the pattern.
    const starts = [...Array(v.length + 1).keys()];
    const order = op === '%' ? starts.reverse() : starts;
    const full = new RegExp('^(?:' + re + ')$');
    for (const k of order) if (full.test(v.slice(k))) return v.slice(0, k);
    return v;
  } catch {
    return v;
  }
}

export function upstream(from: readonly string[], sink: readonly CommandFact[]): string[] {
  const out = [...from, ...sink.map((f) => f.name)];
  return out.length > MAX_PIPE_NAMES ? out.slice(-MAX_PIPE_NAMES) : out;
}

/** Variables known on the line: a string value, or null once assigned something unknowable. */
export class Scope {
  constructor(
    public vars: Map<string, string | null>,
    public cwd: string | null,
  ) {}
  clone(): Scope {
    return new Scope(new Map(this.vars), this.cwd);
  }
}

export interface Env {
  origin: Origin;
  depth: number;
  deferred: boolean;
  inPipe: boolean;
  background: boolean;
  /** What the pipeline feeds this stage, when inside a pipeline. */
  pipe?: PipeIn;
  /** Collects the facts emitted directly for a pipeline stage (not those inside substitutions). */
  sink?: CommandFact[];
  /** What the command being evaluated writes to `>(…)` arguments: its own name plus its stdin. */
  feeder?: PipeIn;
}

export interface PipeIn {
  from: string[];
  network: boolean;
  decoder: boolean;
  text?: string;
}

export interface FactsResult {
  facts: CommandFact[];
  truncated: boolean;
  tooDeep: boolean;
  /** Names of the functions the line defines. */
  functions: string[];
  /** The line changes this shell itself through `eval` or a function of its own (see Analysis.changesShell). */
  changesShell: boolean;
}

interface FuncInfo {
  fanout: boolean;
  selfCalls: number;
  /** The body changes the shell it runs in (cd, export, eval, source…), outside any subshell. */
  changesShell: boolean;
  /** Names the body calls (for changesShell through another function). */
  calls: Set<string>;
  /** The body, walked again at each call with the call's arguments as "$@". */
  body?: Extract<CommandNode, { type: 'Function' }>['body'];
  /** Work units and facts its walk at definition took: a call is walked again only when the line's budget has room for it. */
  cost?: { work: number; facts: number };
}

/** Builtins that change the shell they run in (narrower than STATE_BUILTINS: no `local`, `read`, `true`). */
const SHELL_CHANGERS: ReadonlySet<string> = new Set([
  'cd', 'pushd', 'popd', 'export', 'unset', 'alias', 'unalias', 'source', '.', 'set', 'shopt', 'setopt', 'unsetopt',
  'hash', 'rehash', 'ulimit', 'umask', 'trap', 'eval', 'readonly', 'enable', 'disable', 'bindkey', 'autoload', 'emulate',
]);
/** Where a command runs in the shell itself (not in a subshell, a substitution, or another program). */
const IN_SHELL: ReadonlySet<string> = new Set(['top', 'group', 'loop', 'conditional', 'function']);


/** Names a globbed command word (`/???/r?`, `/bin/r*`) could expand to, most dangerous first. */
const GLOB_CANDIDATES = ['rm', 'dd', 'mkfs', 'shred', 'wipefs', 'mv', 'chmod', 'chown', 'sh', 'bash', 'zsh', 'dash', 'curl', 'wget', 'nc', 'python3', 'python', 'perl', 'kill', 'killall', 'reboot', 'shutdown', 'sudo', 'su'];
function globName(pattern: string): string {
  let re = '^';
  for (const c of pattern) re += c === '*' ? '.*' : c === '?' ? '.' : c === '[' || c === ']' ? c : c.replace(/[.+^${}()|\\]/g, '\\$&');
  try {
    const r = new RegExp(re.replace(/\[!/g, '[^') + '$');
    return GLOB_CANDIDATES.find((n) => r.test(n)) ?? pattern;
  } catch {
    return pattern;
  }
}

/** Commands whose output static-eval.ts can compute; skip the work for everything else. */
const STATIC_NAMES: ReadonlySet<string> = new Set(['echo', 'printf', 'cat', 'tee', 'base64', 'xxd', 'rev']);


export class Walker {
  facts: CommandFact[] = [];
  work = 0;
  /** Bytes of nested code parsed so far: `eval eval eval …` must not re-parse a huge line 8 times. */
  private nestedBytes = 0;
  truncated = false;
  tooDeep = false;
  private funcs = new Map<string, FuncInfo>();
  functionNames(): string[] {
    return [...this.funcs.keys()];
  }
  /** Calls at top level to a function that changes the shell (directly or through another), or an `eval`. */
  changesShell(): boolean {
    // Through another function: to a fixed point.
    for (let changed = true; changed; ) {
      changed = false;
      for (const f of this.funcs.values()) {
        if (!f.changesShell && [...f.calls].some((c) => this.funcs.get(c)?.changesShell)) f.changesShell = changed = true;
      }
    }
    return this.facts.some(
      (f) => !f.deferred && inShell(f) && (this.funcs.get(f.name)?.changesShell === true || (f.name === 'eval' && f.argv[0] === 'eval')),
    );
  }
  /** Files written on this line with known content (`echo 'rm -rf /' > x.sh`), by absolute path. */
  private written = new Map<string, string>();
  private funcStack: string[] = [];

  constructor(
    private home: string,
    private env: Record<string, string | undefined>,
    /** Budget multiplier (AnalyzeContext.scale): a file's content gets more than a typed line. */
    private scale = 1,
    /**
     * The code is fish's, translated (fish.ts): every variable is a list that expands to all its
     * elements and is never split on spaces; `set NAME VALUES…` assigns; a function's arguments are $argv.
     */
    private fish = false,
  ) {}

  /** Namerefs declared on the line (`declare -n ref=VAR`): ref → VAR. */
  namerefs = new Map<string, string>();

  tick(n = 1): boolean {
    this.work += n;
    if (this.work > MAX_WORK * this.scale || this.facts.length > MAX_FACTS * this.scale) {
      this.truncated = true;
      return false;
    }
    return true;
  }

  // ---- structure ----------------------------------------------------------------------------

  script(s: Script, scope: Scope, env: Env): string | undefined {
    return this.statements(s.commands, scope, env);
  }

  /** Walks statements in order; returns the static stdout of a single-statement list. */
  statements(list: readonly Statement[], scope: Scope, env: Env): string | undefined {
    let out: string | undefined;
    for (const st of list) {
      if (!this.tick()) return undefined;
      out = this.node(st.command, scope, st.background === true && !env.background ? { ...env, background: true } : env);
    }
    return list.length === 1 ? out : undefined;
  }

  private compound(list: CompoundList | undefined, scope: Scope, env: Env, origin: Origin): void {
    if (list) this.statements(list.commands, scope, { ...env, origin: within(env, origin) });
  }

  node(n: PipelineNode | AndOr, scope: Scope, env: Env): string | undefined {
    if (!this.tick()) return undefined;
    switch (n.type) {
      case 'AndOr': {
        let out: string | undefined;
        for (const c of n.commands) out = this.node(c, scope, env);
        return n.commands.length === 1 ? out : undefined;
      }
      case 'Pipeline':
        return this.pipeline(n.commands, scope, env);
      default:
        return this.command(n, scope, env);
    }
  }

  private pipeline(stages: readonly CommandNode[], scope: Scope, env: Env): string | undefined {
    if (stages.length === 1) return this.command(stages[0]!, scope, env);
    const stageFacts: CommandFact[][] = [];
    let pipe: PipeIn = { from: env.pipe?.from ?? [], network: env.pipe?.network ?? false, decoder: env.pipe?.decoder ?? false, text: env.pipe?.text };
    let out: string | undefined;
    for (let i = 0; i < stages.length; i++) {
      const sink: CommandFact[] = [];
      out = this.command(stages[i]!, scope.clone(), { ...env, inPipe: true, pipe: i === 0 ? env.pipe : pipe, sink });
      stageFacts.push(sink);
      pipe = {
        from: upstream(pipe.from, sink),
        network: pipe.network || sink.some((f) => isFetcher(f) || f.stdinFromNetwork),
        decoder: pipe.decoder || sink.some(isDecoder),
        text: out,
      };
    }
    for (let i = 0; i < stageFacts.length; i++) {
      const down = stageFacts.slice(i + 1, i + 1 + MAX_PIPE_NAMES).flatMap((s) => s.map((f) => f.name)).slice(0, MAX_PIPE_NAMES);
      for (const f of stageFacts[i]!) f.pipedTo = down;
    }
    env.sink?.push(...stageFacts.flat());
    return out;
  }

  private command(n: CommandNode, scope: Scope, env: Env): string | undefined {
    if (!this.tick()) return undefined;
    switch (n.type) {
      case 'Command':
        return this.simple(n, scope, env);
      case 'Subshell':
        this.compound(n.body, scope.clone(), env, 'subshell');
        return undefined;
      case 'BraceGroup':
        return this.statements(n.body.commands, scope, { ...env, origin: within(env, 'group') });
      case 'If':
        this.compound(n.clause, scope, env, 'conditional');
        this.compound(n.then, scope, env, 'conditional');
        for (const e of n.elif) {
          this.compound(e.clause, scope, env, 'conditional');
          this.compound(e.then, scope, env, 'conditional');
        }
        this.compound(n.else, scope, env, 'conditional');
        return undefined;
      case 'For':
      case 'Select': {
        const name = n.name.value;
        const values: string[] = [];
        let known = n.wordlist !== undefined;
        for (const w of n.wordlist ?? []) {
          for (const ew of this.word(w, scope, env)) {
            if (ew.dynamic || ew.glob) known = false;
            values.push(ew.value);
          }
        }
        const env2: Env = { ...env, origin: within(env, 'loop') };
        if (known && values.length > 0 && values.length <= MAX_LOOP_VALUES) {
          for (const v of values) {
            scope.vars.set(name, v);
            this.compound(n.body, scope, env2, 'loop');
          }
        } else {
          scope.vars.set(name, null);
          this.compound(n.body, scope, env2, 'loop');
        }
        return undefined;
      }
      case 'While':
        this.compound(n.clause, scope, env, 'loop');
        this.compound(n.body, scope, env, 'loop');
        return undefined;
      case 'ArithmeticFor':
        for (const e of [n.initialize, n.test, n.update]) this.arith(e, scope, env);
        this.compound(n.body, scope, env, 'loop');
        return undefined;
      case 'ArithmeticCommand':
        this.arith(n.expression, scope, env);
        return undefined;
      case 'Case':
        this.word(n.word, scope, env);
        for (const item of n.items) {
          for (const p of item.pattern) this.word(p, scope, env);
          this.compound(item.body, scope, env, 'conditional');
        }
        return undefined;
      case 'TestCommand':
        this.test(n.expression, scope, env);
        return undefined;
      case 'Redirected': {
        const out = this.command(n.command, scope, env);
        const r = this.redirects(n.redirects, scope, env);
        if (r.list.some((x) => x.op !== '<' && x.op !== '<<' && x.op !== '<<<')) this.emit([], r.list, scope, env, { wrappers: [] });
        return out;
      }
      case 'Function': {
        const name = n.name.value;
        this.funcs.set(name, this.funcs.get(name) ?? { fanout: false, selfCalls: 0, changesShell: false, calls: new Set() });
        this.funcStack.push(name);
        const body = n.body;
        this.funcs.get(name)!.body = body;
        const fenv: Env = { ...env, origin: 'function', deferred: true, inPipe: false, background: false, sink: undefined, pipe: undefined };
        const before = { work: this.work, facts: this.facts.length };
        if (body.type === 'CompoundList') this.statements(body.commands, scope.clone(), fenv);
        else this.command(body, scope.clone(), fenv);
        this.funcs.get(name)!.cost = { work: this.work - before.work, facts: this.facts.length - before.facts };
        this.funcStack.pop();
        const info = this.funcs.get(name)!;
        if (info.selfCalls >= 2) info.fanout = true;
        return undefined;
      }
      case 'Coproc': {
        const body = n.body;
        if (body.type === 'CompoundList') this.statements(body.commands, scope.clone(), env);
        else this.command(body, scope.clone(), { ...env, background: true });
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private test(e: TestExpression, scope: Scope, env: Env): void {
    if (!this.tick()) return;
    switch (e.type) {
      case 'TestUnary':
        this.word(e.operand, scope, env);
        return;
      case 'TestBinary':
        this.word(e.left, scope, env);
        this.word(e.right, scope, env);
        return;
      case 'TestLogical':
        for (const o of e.operands) this.test(o, scope, env);
        return;
      case 'TestNot':
        this.test(e.operand, scope, env);
        return;
      case 'TestGroup':
        this.test(e.expression, scope, env);
        return;
    }
  }

  private arith(e: ArithmeticExpression | undefined, scope: Scope, env: Env): void {
    if (!e || !this.tick()) return;
    switch (e.type) {
      case 'ArithmeticBinary':
        this.arith(e.left, scope, env);
        this.arith(e.right, scope, env);
        return;
      case 'ArithmeticUnary':
        this.arith(e.operand, scope, env);
        return;
      case 'ArithmeticTernary':
        this.arith(e.test, scope, env);
        this.arith(e.consequent, scope, env);
        this.arith(e.alternate, scope, env);
        return;
      case 'ArithmeticGroup':
        this.arith(e.expression, scope, env);
        return;
      case 'ArithmeticWord':
        if (e.parts) this.parts(e.parts, scope, env, false);
        this.subscriptCode(e.value, scope, env);
        return;
      case 'ArithmeticCommandExpansion':
        if (!this.substTooDeep(env) && e.script) this.nestedScript(e.script, scope, env, 'substitution');
        return;
    }
  }

  /**
   * `x='a[$(cmd)]'; echo $((x))`: bash runs an array subscript's `$(…)` wherever such text reaches
   * arithmetic — `$((x))`, `declare -i`, `test -v`, `printf -v`, `read`, `(( a['$(cmd)'] ))` — even
   * from a single-quoted string. So text shaped like one is judged as (deferred) code: critical
   * still blocks; a string that only looks like one (`echo 'a[$(date)]'`) costs nothing more.
   */
  subscriptCode(text: string, scope: Scope, env: Env): void {
    if (!text.includes('[') || (!text.includes('$(') && !text.includes('`'))) return;
    for (const m of text.matchAll(/\[([^\]]*)\]/g)) for (const code of promptCode(m[1]!)) this.nestedCode(code, false, scope, { ...env, deferred: true }, 'shell-string', null);
  }

  /** Checked before touching `.script`: reading it is what makes unbash parse the substitution. */
  private substTooDeep(env: Env): boolean {
    if (env.depth + 1 <= MAX_SUBST_DEPTH) return false;
    this.truncated = true;
    return true;
  }

  /** Walk a substitution's script in a subshell; returns its static output and what it ran. */
  private nestedScript(s: Script, scope: Scope, env: Env, origin: Origin, pipe?: PipeIn): { out?: string; network: boolean; decoder: boolean } {
    const start = this.facts.length;
    const out = this.script(s, scope.clone(), {
      origin,
      depth: env.depth + 1,
      deferred: env.deferred,
      inPipe: pipe !== undefined,
      background: false,
      pipe,
    });
    const ran = this.facts.slice(start);
    return { out, network: ran.some(isFetcher), decoder: ran.some(isDecoder) };
  }

  // ---- words --------------------------------------------------------------------------------

  /** Evaluate a word to one or more fields (more than one only for `{a,b}` lists). */
  word(w: Word, scope: Scope, env: Env): EWord[] {
    if (!w.parts) {
      const v = w.value.charCodeAt(0) === 126 ? this.tilde(w.value, scope) : w.value;
      return [{ value: v, ifEmpty: v, dynamic: false, glob: false, quoted: false }];
    }
    const ws = this.parts(w.parts, scope, env, false);
    if (!ws.some((x) => x.value.includes(SEP) || x.ifEmpty.includes(SEP))) return ws;
    const out: EWord[] = [];
    for (const x of ws) {
      const vs = x.value.split(SEP);
      const es = x.ifEmpty.split(SEP);
      const aligned = es.length === vs.length;
      vs.forEach((v, k) => {
        if (v !== '' && out.length < 256) out.push({ ...x, value: v, ifEmpty: aligned ? es[k]! : x.dynamic ? '' : v });
      });
    }
    return out;
  }

  private parts(parts: readonly WordPart[], scope: Scope, env: Env, inQuotes: boolean): EWord[] {
    let acc: EWord[] = [{ value: '', ifEmpty: '', dynamic: false, glob: false, quoted: inQuotes }];
    const add = (vals: EWord[]): void => {
      const next: EWord[] = [];
      for (const a of acc) {
        for (const v of vals) {
          if (next.length >= 64) break;
          next.push({
            value: a.value + v.value,
            ifEmpty: a.ifEmpty + v.ifEmpty,
            dynamic: a.dynamic || v.dynamic,
            glob: a.glob || v.glob,
            quoted: a.quoted || v.quoted,
            fromNetwork: a.fromNetwork || v.fromNetwork,
            fromDecoder: a.fromDecoder || v.fromDecoder,
            procSubst: a.procSubst || v.procSubst,
            cmdSubst: a.cmdSubst || v.cmdSubst,
            // Only a word that is the substitution alone names its pipe.
            ...(a.value === '' && v.procOut !== undefined ? { procOut: v.procOut } : {}),
          });
        }
      }
      acc = next;
    };
    const unknown = (text: string, extra: Partial<EWord> = {}): EWord => ({ value: text, ifEmpty: '', dynamic: true, glob: false, quoted: inQuotes, ...extra });
    parts.forEach((p, idx) => {
      if (!this.tick()) return;
      switch (p.type) {
        case 'Literal': {
          if (idx === 0 && !inQuotes) add([literalWord(this.tilde(p.value, scope), true)]);
          else add([literalWord(p.value, true)]);
          return;
        }
        case 'Glob':
        case 'ExtendedGlob':
          if (p.type === 'ExtendedGlob' && p.parts) this.parts(p.parts, scope, env, inQuotes);
          add([{ ...literalWord(p.text, true), glob: !inQuotes }]);
          return;
        case 'SingleQuoted':
        case 'AnsiCQuoted':
          add([literalWord(p.value, true)]);
          return;
        case 'DoubleQuoted':
        case 'LocaleString': {
          const inner = this.parts(p.parts, scope, env, true);
          add(inner.length > 0 ? inner.slice(0, 1) : [literalWord('', true)]);
          return;
        }
        case 'SimpleExpansion': {
          const name = p.text.slice(1);
          const v = this.lookup(name, scope);
          add([v === null ? unknown(p.text) : literalWord(this.fish ? v : this.split(positional(name, v), inQuotes, scope), true)]);
          return;
        }
        case 'ParameterExpansion': {
          const r = this.param(p, scope, env, unknown);
          add([r.dynamic || this.fish ? r : { ...r, value: this.split(r.value, inQuotes, scope), ifEmpty: this.split(r.ifEmpty, inQuotes, scope) }]);
          return;
        }
        case 'CommandExpansion': {
          if (this.substTooDeep(env)) {
            add([unknown(p.text, { cmdSubst: true })]);
            return;
          }
          if (!p.script) {
            add([unknown(p.text, { cmdSubst: true })]);
            return;
          }
          const r = this.nestedScript(p.script, scope, env, 'substitution');
          const extra = { cmdSubst: true, fromNetwork: r.network, fromDecoder: r.decoder };
          if (r.out !== undefined && !r.network) add([{ ...literalWord(this.split(r.out.replace(/\n+$/, ''), inQuotes, scope), true), ...extra }]);
          else add([unknown(p.text, extra)]);
          return;
        }
        case 'ArithmeticExpansion':
          this.arith(p.expression, scope, env);
          add([unknown(p.text)]);
          return;
        case 'ProcessSubstitution': {
          // `>(cmd)` reads what the enclosing command writes: in `curl … | tee >(sh)` that is the download.
          const feed = p.operator === '>' && env.feeder ? env.feeder : undefined;
          const r = !this.substTooDeep(env) && p.script ? this.nestedScript(p.script, scope, env, 'process-substitution', feed) : { network: false, decoder: false };
          add([{ ...literalWord('/dev/fd/63', true), procSubst: true, fromNetwork: r.network, fromDecoder: r.decoder, ...('out' in r && r.out !== undefined && !r.network ? { procOut: r.out } : {}) }]);
          return;
        }
        case 'BraceExpansion': {
          if (p.parts) this.parts(p.parts, scope, env, inQuotes);
          const items = braceList(p.text);
          // Tilde expansion comes after brace expansion: `{rm,-rf,~}` ends in your home.
          add(items ? items.map((s) => literalWord(idx === 0 && !inQuotes ? this.tilde(s, scope) : s, true)) : [literalWord(p.text, true)]);
          return;
        }
      }
    });
    return acc;
  }

  private param(p: Extract<WordPart, { type: 'ParameterExpansion' }>, scope: Scope, env: Env, unknown: (t: string, e?: Partial<EWord>) => EWord): EWord {
    const index = p.index ? this.word(p.index, scope, env)[0] : undefined;
    const op = p.operation;
    let operand: EWord | undefined;
    let sliceArgs: (EWord | undefined)[] = [];
    if (op) {
      // Operands can run commands (`${x:-$(curl …)}`), so they are always walked.
      const words: Word[] = [];
      if ('operand' in op && op.operand) words.push(op.operand);
      if (op.type === 'Replace') words.push(op.pattern, op.replacement);
      if (op.type === 'Slice') {
        words.push(op.offset);
        if (op.length) words.push(op.length);
      }
      const evs = words.map((w) => this.word(w, scope, env)[0]);
      if ('operand' in op) operand = evs[0];
      if (op.type === 'Slice') sliceArgs = evs;
    }
    // `${!ref}`: the variable ref names (not `${!prefix*}` / `${!arr[@]}`, which list names).
    const via = p.prefix === '!' && !index && !/[*@]$/.test(p.parameter) ? this.lookup(p.parameter, scope) : undefined;
    let v = p.prefix ? (via !== undefined && via !== null && /^[A-Za-z_]\w*$|^\d+$/.test(via) ? this.lookup(via, scope) : null) : this.lookup(p.parameter, scope);
    if (v !== null) {
      // Arrays are stored SEP-joined: `${a[@]}` keeps every element, `${a[N]}` picks one.
      if (!index) v = this.fish ? v : positional(p.parameter, v);
      else if (index.value === '@' || index.value === '*') v = index.value === '*' ? v.split(SEP).join(' ') : v;
      else if (/^\d+$/.test(index.value)) v = v.split(SEP)[Number(index.value)] ?? '';
      else v = null;
    }
    if (!op) return v === null ? unknown(p.text) : literalWord(v, true);
    if (op.type === 'Default') {
      const colon = op.operator.startsWith(':');
      const set = v !== null && (!colon || v !== '');
      const o = operand ?? literalWord('', true);
      switch (op.operator) {
        case '-':
        case ':-':
        case '=':
        case ':=':
          if (set) return literalWord(v!, true);
          if (v === null) return { ...o, dynamic: true, ifEmpty: o.ifEmpty };
          return o;
        case '+':
        case ':+':
          if (v === null) return unknown(p.text);
          return set ? o : literalWord('', true);
        default:
          return v === null ? unknown(p.text) : literalWord(v, true);
      }
    }
    // `${HOME%/*}`, `${HOME:0:1}`: string operations on a known value are computed, not guessed.
    if (v !== null && op.type === 'Remove' && operand && !operand.dynamic) return literalWord(removeAffix(v, op.operator, operand.value), true);
    if (v !== null && op.type === 'Slice' && (p.parameter === '@' || p.parameter === '*') && !index) {
      // `${@:2}`, `${@:1:3}`: whole parameters from $N on, not characters.
      const [o, l] = sliceArgs;
      if (o && !o.dynamic && /^\s*\d+\s*$/.test(o.value) && (!l || (!l.dynamic && /^\s*\d+\s*$/.test(l.value)))) {
        const all = (scope.vars.get('@') ?? '').split(SEP);
        const from = Math.max(0, Number(o.value) - 1);
        const picked = all.slice(from, l ? from + Number(l.value) : undefined);
        return literalWord(p.parameter === '*' ? picked.join(' ') : picked.join(SEP), true);
      }
      return unknown(p.text);
    }
    if (v !== null && op.type === 'Slice') {
      const [o, l] = sliceArgs;
      if (o && !o.dynamic && /^\s*-?\d+\s*$/.test(o.value) && (!l || (!l.dynamic && /^\s*\d+\s*$/.test(l.value)))) {
        const off = Number(o.value);
        const start = off < 0 ? Math.max(0, v.length + off) : off;
        return literalWord(l ? v.substr(start, Number(l.value)) : v.slice(start), true);
      }
    }
    return unknown(p.text);
  }

  /**
   * Unquoted expansion results split on IFS as the line has left it: `IFS=,; x=rm,-rf,/; $x` is
   * `rm -rf /`. An IFS vg cannot know splits on the default and on the usual separators too.
   */
  private split(v: string, inQuotes: boolean, scope: Scope): string {
    if (inQuotes) return v;
    const ifs = scope.vars.has('IFS') ? scope.vars.get('IFS') : ' \t\n';
    if (ifs === ' \t\n' || ifs === undefined) return split(v, false);
    if (ifs === '') return v;
    const chars = ifs === null ? ' \t\n,:;|' : ifs;
    const cls = [...new Set(chars)].map((c) => c.replace(/[\]\\^-]/g, '\\$&')).join('');
    return v.replace(new RegExp(`[${cls}]+`, 'g'), SEP);
  }

  /** Tilde expansion uses $HOME as the line has left it (`HOME=/; rm -rf ~`). */
  tilde(lit: string, scope: Scope): string {
    const h = scope.vars.get('HOME');
    // An unknowable HOME makes `~` unknowable too; `/` is the worst case it could be.
    return expandTilde(lit, h === undefined ? this.home : h === null ? '/' : h, scope.cwd).value;
  }

  /** A variable's value if the line or a trusted environment fixes it; null otherwise. */
  lookup(name: string, scope: Scope, hops = 0): string | null {
    // `declare -n r=x`: $r is $x.
    const ref = this.namerefs.get(name);
    if (ref !== undefined && hops < 8 && !scope.vars.has(name)) return this.lookup(ref, scope, hops + 1);
    const v = scope.vars.get(name);
    if (v !== undefined) return v;
    switch (name) {
      case '*':
        return scope.vars.has('@') ? this.lookup('@', scope) : null;
      case 'HOME':
        return this.home;
      case 'PWD':
        return scope.cwd;
      case 'USER':
      case 'LOGNAME':
        return this.env[name] ?? null;
      case 'IFS':
        return ' \t\n';
      default:
        return null;
    }
  }

  // ---- redirections -------------------------------------------------------------------------

  private redirects(list: readonly Redirection[], scope: Scope, env: Env): { list: Redirect[]; stdinText?: string; network: boolean; decoder: boolean; fdTexts?: Map<number, string> } {
    const out: Redirect[] = [];
    let stdinText: string | undefined;
    let network = false;
    let decoder = false;
    // Text put on another descriptor (`3<<<CODE`, `4<<EOF`): what a later `<&3` feeds a command.
    let fdTexts: Map<number, string> | undefined;
    const put = (fd: number | undefined, text: string): void => {
      if (fd === undefined || fd === 0) stdinText = text;
      else (fdTexts ??= new Map()).set(fd, text);
    };
    for (const r of list) {
      const fd = r.descriptor?.type === 'FileDescriptor' ? r.descriptor.value : undefined;
      if (r.type === 'HereDoc') {
        const quoted = r.delimiter?.quoted === true;
        if (!quoted && r.body.parts) this.parts(r.body.parts, scope, env, true);
        put(fd, r.body.text);
        out.push({ op: r.operator, target: '', dynamic: false, ...(fd !== undefined ? { fd } : {}) });
        continue;
      }
      const t = r.target ? this.word(r.target, scope, env)[0] : undefined;
      if (r.type === 'HereString') {
        if (t && !t.dynamic) put(fd, t.value + '\n');
        network ||= t?.fromNetwork === true;
        decoder ||= t?.fromDecoder === true;
        out.push({ op: '<<<', target: '', dynamic: t?.dynamic ?? false, ...(fd !== undefined ? { fd } : {}) });
        continue;
      }
      if (!t) continue;
      // `<&3`: stdin is descriptor 3 — the text this command or an earlier `exec 3<<<…` put there.
      if (r.operator === '<&' && (fd === undefined || fd === 0) && /^\d+$/.test(t.value)) {
        const n = Number(t.value);
        const text = fdTexts?.get(n) ?? scope.vars.get(`${FD_TEXT}${n}`) ?? undefined;
        if (text !== undefined) stdinText = text;
      }
      if (r.operator === '<' && t.procSubst) {
        network ||= t.fromNetwork === true;
        decoder ||= t.fromDecoder === true;
      }
      const fdDup = (r.operator === '>&' || r.operator === '<&') && /^(\d+|-)$/.test(t.value);
      const target = fdDup || t.value.startsWith('/dev/fd/') ? t.value : (resolvePath(t.value, scope.cwd) ?? t.value);
      const red: Redirect = { op: r.operator, target, dynamic: t.dynamic || (!t.value.startsWith('/') && scope.cwd === null) };
      if (fd !== undefined) red.fd = fd;
      out.push(red);
    }
    return { list: out, stdinText, network, decoder, ...(fdTexts ? { fdTexts } : {}) };
  }

  // ---- simple commands ----------------------------------------------------------------------

  private simple(c: Command, scope: Scope, envIn: Env): string | undefined {
    const head = c.name ? basename(c.name.value) : '';
    const env: Env = {
      ...envIn,
      feeder: {
        from: [...(envIn.pipe?.from ?? []), head].slice(-MAX_PIPE_NAMES),
        network: (envIn.pipe?.network ?? false) || FETCHERS.has(head),
        decoder: envIn.pipe?.decoder ?? false,
      },
    };
    const red = this.redirects(c.redirects, scope, env);
    const assigns = c.prefix.filter((x): x is Assignment => x.type === 'Assignment');
    // Prefix assignments are evaluated (they can run substitutions) but do not change how this
    // command's own words expand, exactly as in bash.
    const assigned = assigns.map((a) => [a.name, this.assignValue(a, scope, env)] as const);
    const words: EWord[] = [];
    if (c.name) words.push(...this.word(c.name, scope, env));
    const argAssigns: Assignment[] = [];
    for (const a of c.suffix) {
      if (a.type === 'Word') words.push(...this.word(a, scope, env));
      else if (a.type === 'Assignment') {
        argAssigns.push(a);
        const v = this.assignValue(a, scope, env);
        words.push({ ...literalWord(`${a.name}=${v ?? ''}`, true), dynamic: v === null });
      }
    }
    // `exec 3<<<CODE` (no command): the descriptor stays open in the shell for the rest of the line.
    if (red.fdTexts && words.length === 1 && words[0]!.value === 'exec') for (const [n, text] of red.fdTexts) scope.vars.set(`${FD_TEXT}${n}`, text);
    if (words.length === 0) {
      for (const [k, v] of assigned) scope.vars.set(k, v);
      if (red.list.length > 0) this.emit([], red.list, scope, env, { wrappers: [] });
      // vg's own shell variables (`__VG_STATE=off` is `vg off` by hand): judged as the assignment
      // builtin it is, so the guard rules see it.
      for (const [k, v] of assigned) if (VG_SHELL_VAR.test(k)) this.emit([literalWord('typeset'), { ...literalWord(`${k}=${v ?? ''}`, true), dynamic: v === null }], [], scope, env, { wrappers: [] });
      return undefined;
    }
    const pipe = env.pipe;
    const stdinText = red.stdinText ?? pipe?.text;
    const stdin = { network: red.network || (pipe?.network ?? false), decoder: red.decoder || (pipe?.decoder ?? false) };
    return this.run(words, red.list, scope, env, stdinText, stdin, argAssigns);
  }

  private assignValue(a: Assignment, scope: Scope, env: Env): string | null {
    if (a.value.type === 'ArrayValue') {
      const els = a.value.elements.flatMap((w) => this.word(w, scope, env));
      for (const e of els) this.codeVar(a.name, e, scope, env);
      return a.append || els.some((e) => e.dynamic || e.glob) ? null : els.map((e) => e.value).join(SEP);
    }
    const v = this.word(a.value, scope, env)[0];
    if (v) this.codeVar(a.name, v, scope, env);
    return v && !v.dynamic ? v.value : null;
  }

  /**
   * A variable whose value runs later as code (names.ts, CODE_VARS): `PROMPT_COMMAND='…'` at the
   * next prompt, `PS1='$(…)'` each time the prompt is drawn, `EDITOR=…` when git opens an editor,
   * `BASH_ENV=file` in every later `bash -c`. Judged now, as deferred code (like a trap's): without
   * this, `export PROMPT_COMMAND='rm -rf ~'` was "shell state only" and ran in the shell. Of a value
   * the line does not fully know, the known parts (`PROMPT_COMMAND="history -a; $PROMPT_COMMAND"`).
   */
  codeVar(name: string, v: EWord, scope: Scope, env: Env): void {
    this.subscriptCode(v.value, scope, env);
    const kind = CODE_VARS.get(this.namerefs.get(name) ?? name);
    if (!kind) return;
    const text = v.dynamic ? v.ifEmpty : v.value;
    const later: Env = { ...env, deferred: true };
    if (kind === 'prompt') {
      for (const code of promptCode(text)) this.nestedCode(code, false, scope, later, 'shell-string', null);
    } else if (kind === 'file') {
      if (text) this.nestedCode(`source ${singleQuote(text)}`, false, scope, later, 'shell-string', null);
    } else if (kind === 'library') {
      // Judged as the loader's own `--preload` (rules: remote-code.preload).
      const flag = name === 'LD_AUDIT' ? '--audit' : '--preload';
      for (const lib of (v.dynamic ? [DYNAMIC_LIBRARY] : text.split(/[\s:]+/).filter(Boolean)).slice(0, 16)) {
        this.emit([literalWord('ld.so'), literalWord(flag), lib === DYNAMIC_LIBRARY ? { value: lib, ifEmpty: '', dynamic: true, glob: false, quoted: true } : literalWord(lib)], [], scope, later, { wrappers: [] });
      }
    } else if (kind === 'makefiles' || kind === 'makeflags') {
      // What a later `make` runs with them: every rule those makefiles add; make's options as given.
      const q = singleQuote;
      const words = text.split(/\s+/).filter(Boolean);
      const code = kind === 'makefiles' ? `make ${MAKE_EVERY_RULE} ${words.map((w) => `-f ${q(w)}`).join(' ')}` : `make ${words.map((w) => (/^-/.test(w) ? q(w) : q(`-${w}`))).join(' ')}`;
      if (words.length || v.dynamic) this.nestedCode(code, v.dynamic, scope, later, 'shell-string', null);
    } else {
      // LESSOPEN/LESSCLOSE: `|cmd %s`, `||cmd %s`, `-cmd`.
      const code = name.startsWith('LESS') ? text.replace(/^[|-]+/, '') : text;
      if (code.trim()) this.nestedCode(code, false, scope, later, 'shell-string', null);
    }
  }

  /** Peel wrappers, apply shell-state effects, emit the fact, and descend into code it runs. */
  run(
    input: EWord[],
    redirects: Redirect[],
    scope: Scope,
    env: Env,
    stdinText: string | undefined,
    stdin: { network: boolean; decoder: boolean },
    argAssigns: readonly Assignment[] = [],
  ): string | undefined {
    if (!this.tick()) return undefined;
    const p = peel(input);
    let words = p.words;
    let cwd = scope.cwd;
    if (p.chdir) cwd = p.chdir.dynamic ? null : resolvePath(p.chdir.value, cwd);
    const origin: Origin = p.xargs ? 'xargs' : env.origin === 'top' && p.wrappers.length > 0 ? 'wrapper' : env.origin;
    if (p.code) {
      this.nestedCode(p.code.value, p.code.dynamic, scope, env, 'shell-string', null);
      return undefined;
    }
    if (p.xargs && p.replace !== undefined && p.replace !== '') {
      // `xargs -I R cmd …R…`: each stdin line replaces R; judge with the first (or an unknown).
      const R = p.replace;
      const item = stdinText?.split('\n').find((l) => l.trim() !== '')?.trim();
      words = words.map((w) => (w.value.includes(R) ? { ...w, value: w.value.split(R).join(item ?? '$XARGS'), ifEmpty: w.ifEmpty.split(R).join(item ?? ''), dynamic: w.dynamic || item === undefined } : w));
    } else if (p.xargs && stdinText !== undefined) {
      // xargs splits stdin on blanks and appends the pieces; a literal stdin is as good as typed.
      const extra = stdinText.split(/\s+/).filter(Boolean).slice(0, 256);
      words = [...words, ...extra.map((s) => literalWord(s))];
    } else if (p.xargs) {
      words = [...words, { value: '$XARGS', ifEmpty: '', dynamic: true, glob: false, quoted: false }];
    }
    if (words.length === 0) return undefined;
    // Packages that are `rm -rf` by another name.
    if (/^(rimraf|del-cli|trash-cli)$/.test(basename(words[0]!.value))) words = [literalWord('rm'), literalWord('-rf'), ...words.slice(1)];
    const name = basename(words[0]!.value);
    const fact = this.emit(words, redirects, scope, { ...env, origin }, { wrappers: p.wrappers, cwd, stdinText, stdin });
    if (!fact) return undefined;
    // xargs turns its stdin into arguments: a download piped into `xargs sh -c` is code from the network.
    if (p.xargs && stdin.network) fact.argFromNetwork = true;
    if (p.xargs && stdin.decoder) fact.argFromDecoder = true;
    this.effects(name, words, scope, argAssigns);
    for (const w of words) this.subscriptCode(w.value, scope, env);
    // `env EDITOR=… git commit`, `export 'PROMPT_COMMAND=…'` (a quoted word, not an assignment).
    const declared = DECLARATIONS.has(name) ? words.slice(1).filter((w) => !argAssigns.some((a) => w.value.startsWith(`${a.name}=`) || w.value.startsWith(`${a.name}+=`))) : [];
    // `printf -v PROMPT_COMMAND FORMAT ARGS…`, `read PROMPT_COMMAND <<< CODE`, `mapfile -t PS1 …`:
    // builtins that assign too (the value judged is the format with its arguments, or the known stdin).
    if (name === 'printf') {
      const i = words.findIndex((w) => w.value === '-v');
      const target = i > 0 ? words[i + 1] : undefined;
      const rest = i > 0 ? words.slice(i + 2) : [];
      if (target && rest.length) {
        const fmt = (ws: EWord[], k: 'value' | 'ifEmpty') => printfOutput(ws.map((w) => w[k]));
        const name = target.value.replace(/\[.*$/, '');
        const dynamic = rest.some((w) => w.dynamic);
        this.codeVar(name, { ...rest[0]!, value: fmt(rest, 'value'), ifEmpty: fmt(rest, 'ifEmpty'), dynamic }, scope, env);
        if (/^[A-Za-z_]\w*$/.test(target.value)) scope.vars.set(name, dynamic ? null : fmt(rest, 'value'));
      }
    }
    if ((name === 'read' || name === 'mapfile' || name === 'readarray') && stdinText !== undefined) {
      // Option values are no names: read's -d -i -n -N -p -t -u, mapfile's -d -n -O -s -u -C -c.
      const valued = name === 'read' ? /^-[a-zA-Z]*[dinNptu]$/ : /^-[a-zA-Z]*[dnOsuCc]$/;
      const names = words.slice(1).filter((w, k) => /^[A-Za-z_]\w*$/.test(w.value) && !valued.test(words[k]!.value));
      for (const w of names) this.codeVar(w.value, literalWord(stdinText), scope, env);
      // `read a b <<< "x y z"`: a=x, b="y z" (the known text, split as read splits it).
      if (name === 'read' && !words.some((w) => /^-[a-zA-Z]*[ad]/.test(w.value))) {
        const line = stdinText.split('\n', 1)[0]!.trim();
        names.forEach((w, k) => {
          const rest = line.split(/[ \t]+/).filter(Boolean);
          scope.vars.set(w.value, k === names.length - 1 ? rest.slice(k).join(' ') : (rest[k] ?? ''));
        });
      }
    }
    // fish: `set -gx EDITOR 'cmd …'` (in bash, `set NAME …` only sets $1…: judging it is harmless).
    if (name === 'set') {
      const rest = words.slice(1);
      const k = rest.findIndex((w) => !w.value.startsWith('-'));
      const value = k >= 0 ? rest.slice(k + 1) : [];
      if (k >= 0 && value.length) {
        const v = { ...value[0]!, value: value.map((w) => w.value).join(' '), ifEmpty: value.map((w) => w.ifEmpty).join(' '), dynamic: value.some((w) => w.dynamic) };
        this.codeVar(rest[k]!.value, v, scope, env);
      }
    }
    for (const w of [...(p.assigned ?? []), ...declared]) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(w.value);
      if (m) this.codeVar(m[1]!, { ...w, value: w.value.slice(m[0].length), ifEmpty: w.ifEmpty.slice(m[0].length) }, scope, env);
    }
    descend(this, fact, words, scope, { ...env, origin }, stdinText);
    this.callFunction(fact, words, scope, env);
    if (fact.name === 'pwd' && cwd !== null) return cwd + '\n';
    const out = STATIC_NAMES.has(fact.name) ? staticOutput(fact.argv.map((a, i) => (i === 0 ? fact.name : a)), fact.dynamic, stdinText) : undefined;
    if (out !== undefined) {
      for (const r of redirects) {
        if ((r.op === '>' || r.op === '>>' || r.op === '>|') && (r.fd === undefined || r.fd === 1) && r.target.startsWith('/') && !r.dynamic) {
          this.written.set(r.target, (r.op === '>>' ? (this.written.get(r.target) ?? '') : '') + out);
          // A git hook (the project's own too, `.husky/…`) runs what it holds at the next commit: the text is code for later.
          if (/\/(\.git\/hooks|\.husky)\/[^/]+$/.test(r.target)) this.nestedCode(out, false, scope, { ...env, deferred: true }, 'shell-string', fact);
        }
      }
    }
    // Running a file this line just wrote: judge its content (`… > x.sh && bash x.sh`, `./x.sh`).
    const script = SHELLS.has(name) ? words.slice(1).find((w) => !w.value.startsWith('-')) : words[0]!.value.includes('/') ? words[0] : undefined;
    if (script && this.written.size > 0) {
      const p = resolvePath(script.value, cwd);
      const text = p === null ? undefined : this.written.get(p);
      if (text !== undefined) this.nestedCode(text, false, scope, { ...env, origin }, 'shell-string', fact);
    }
    return out;
  }

  emit(
    words: EWord[],
    redirects: Redirect[],
    scope: Scope,
    env: Env,
    o: { wrappers: string[]; cwd?: string | null; stdinText?: string; stdin?: { network: boolean; decoder: boolean } },
  ): CommandFact | undefined {
    if (this.facts.length >= MAX_FACTS * this.scale) {
      this.truncated = true;
      return undefined;
    }
    const cwd = o.cwd === undefined ? scope.cwd : o.cwd;
    const argv = words.map((w) => w.value);
    const argDynamic = words.map((w) => w.dynamic || (cwd === null && isRelativePathish(w.value)));
    const dynamic = argDynamic.some(Boolean);
    const name = argv.length > 0 ? (words[0]!.glob ? globName(basename(argv[0]!)) : basename(argv[0]!)) : '';
    const paths: string[] = [];
    for (let i = 1; i < words.length; i++) {
      const v = argv[i]!;
      if (!v.startsWith('-') && looksLikePath(v)) {
        const r = resolvePath(v, cwd);
        if (r !== null) paths.push(r);
      }
    }
    const fact: CommandFact = {
      argv,
      name,
      wrappers: o.wrappers,
      paths,
      redirects,
      // `cmd &` runs in a subshell: `cd /tmp &` changes nothing here.
      origin: env.background && IN_SHELL.has(env.origin) ? 'subshell' : env.origin,
      depth: env.depth,
      cwd: cwd ?? scope.cwd ?? '',
      pipedFrom: env.pipe?.from ?? [],
      stdinFromNetwork: o.stdin?.network ?? false,
      stdinFromDecoder: o.stdin?.decoder ?? false,
      dynamic,
    };
    if (cwd === null) fact.cwd = '';
    if (dynamic) {
      fact.argDynamic = argDynamic;
      fact.argvIfEmpty = words.map((w) => w.ifEmpty);
    }
    if (o.stdinText !== undefined) fact.stdinText = o.stdinText;
    if (words.some((w) => w.fromNetwork)) fact.argFromNetwork = true;
    if (words.some((w) => w.fromDecoder)) fact.argFromDecoder = true;
    if (env.deferred) fact.deferred = true;
    const body = this.funcStack.length ? this.funcs.get(this.funcStack[this.funcStack.length - 1]!) : undefined;
    if (body) {
      body.calls.add(name);
      if (SHELL_CHANGERS.has(name) && o.wrappers.every((w) => w === 'builtin' || w === 'command') && inShell(fact)) body.changesShell = true;
    }
    const fn = this.funcs.get(name);
    if (fn) {
      const inOwnBody = this.funcStack.includes(name);
      if (inOwnBody) {
        fn.selfCalls++;
        if (env.inPipe || env.background) fn.fanout = true;
      } else if (fn.fanout) fact.recursion = 'fanout';
    }
    this.facts.push(fact);
    env.sink?.push(fact);
    return fact;
  }

  /**
   * A call of a function this line defined (`f() { "$@"; }; f rm -rf ~`): its body walked again with
   * the call's words as its positional parameters. The definition alone was judged with them unknown.
   */
  private callFunction(fact: CommandFact, words: EWord[], scope: Scope, env: Env): void {
    const info = this.funcs.get(fact.name);
    if (!info?.body || this.funcStack.includes(fact.name) || this.funcStack.length >= 8 || words[0]?.value !== fact.name) return;
    // A body too big to walk twice within the line's budget keeps the judgement of its definition
    // (a truncated walk would make the whole line at least medium: `nvm use` would lose its shell).
    const cost = info.cost ?? { work: 0, facts: 0 };
    if (this.work + cost.work > MAX_WORK * this.scale * 0.9 || this.facts.length + cost.facts > MAX_FACTS * this.scale * 0.9) return;
    const inner = scope.clone();
    bindPositional(inner, words.slice(1));
    if (this.fish) inner.vars.set('argv', words.slice(1).some((w) => w.dynamic) ? null : words.slice(1).map((w) => w.value).join(SEP));
    // Called where a subshell runs it (`$(f)`, `f | cat`, `f &`), its body changes no shell either.
    const inShellHere = IN_SHELL.has(env.origin) && !env.inPipe && !env.background && inShell(fact);
    const fenv: Env = { ...env, origin: inShellHere ? 'function' : 'subshell', depth: env.depth + 1, sink: undefined, pipe: undefined };
    this.funcStack.push(fact.name);
    if (info.body.type === 'CompoundList') this.statements(info.body.commands, inner, fenv);
    else this.command(info.body, inner, fenv);
    this.funcStack.pop();
  }

  /** Shell-state effects that change how later commands on the line resolve. */
  private effects(name: string, words: EWord[], scope: Scope, argAssigns: readonly Assignment[]): void {
    switch (name) {
      case 'cd':
      case 'pushd': {
        const args = words.slice(1).filter((w) => !/^-[LPe@]+$/.test(w.value));
        const t = args[0];
        if (!t) scope.cwd = this.home;
        else if (t.dynamic || t.value === '-' || /^[+-]\d+$/.test(t.value)) scope.cwd = null;
        else scope.cwd = resolvePath(t.value, scope.cwd);
        return;
      }
      case 'popd':
        scope.cwd = null;
        return;
      case 'export':
      case 'declare':
      case 'typeset':
      case 'local':
      case 'readonly':
        // `declare -n ref=PROMPT_COMMAND`: later assignments to ref are assignments to PROMPT_COMMAND.
        if (name !== 'export' && words.some((w) => /^-[a-zA-Z]*n/.test(w.value))) {
          for (const w of words.slice(1)) {
            const m = /^([A-Za-z_]\w*)=([A-Za-z_]\w*)$/.exec(w.value);
            if (m) {
              this.namerefs.set(m[1]!, m[2]!);
              scope.vars.delete(m[1]!);
            }
          }
          return;
        }
        for (const a of argAssigns) {
          const w = words.find((x) => x.value.startsWith(a.name + '='));
          scope.vars.set(a.name, w && !w.dynamic ? w.value.slice(a.name.length + 1) : null);
        }
        return;
      case 'unset':
        for (const w of words.slice(1)) if (!w.value.startsWith('-')) scope.vars.delete(w.value);
        return;
      case 'set': {
        if (this.fish) {
          // fish: `set [-lgUxuaep…] NAME VALUES…` assigns a list; -e erases; -q/-n/-S only look.
          const k = words.findIndex((w, i) => i > 0 && !/^-/.test(w.value));
          if (k < 0) return;
          const opts = words.slice(1, k).map((w) => w.value).join('');
          const rest = words.slice(k);
          const name = rest[0]?.value.replace(/\[.*$/, '');
          if (!name || /[qnS]/.test(opts.replace(/--\w+/g, ''))) return;
          if (/e/.test(opts.replace(/--\w+/g, '')) || /--erase/.test(opts)) scope.vars.delete(name);
          else if (/[ap]/.test(opts.replace(/--\w+/g, '')) || /--(append|prepend)/.test(opts) || /\[/.test(rest[0]!.value)) scope.vars.set(name, null);
          else scope.vars.set(name, rest.slice(1).some((w) => w.dynamic) ? null : rest.slice(1).map((w) => w.value).join(SEP));
          return;
        }
        // `set -- a b c` (or `set a b`): the positional parameters "$@" and $1… then stand for.
        for (let i = 1; i < words.length; i++) {
          const v = words[i]!.value;
          if (v === '--' || v === '-') return bindPositional(scope, words.slice(i + 1));
          if (/^[-+][a-zA-Z]*o$/.test(v)) i++;
          else if (!/^[-+]/.test(v)) return bindPositional(scope, words.slice(i));
        }
        return;
      }
      case 'read':
      case 'mapfile':
      case 'readarray':
        for (const w of words.slice(1)) if (/^[A-Za-z_]\w*$/.test(w.value)) scope.vars.set(w.value, null);
        return;
    }
  }

  /** `find … -exec CMD {} ;` runs CMD per match; `-delete` removes every match. */
  findActions(fact: CommandFact, words: EWord[], scope: Scope, env: Env): void {
    const e2: Env = { ...env, origin: 'find-exec', depth: env.depth + 1, pipe: undefined, sink: undefined };
    for (const cmd of findCommands(words)) {
      const before = this.facts.length;
      this.run(cmd, [], scope.clone(), e2, undefined, { network: false, decoder: false });
      const f = this.facts[before];
      if (f) f.wrappers = [...fact.wrappers, 'find', ...f.wrappers];
    }
  }

  /** Parse and walk code held in a string (`bash -c`, eval, heredoc to a shell, interpreter call). */
  nestedCode(code: string, dynamic: boolean, scope: Scope, env: Env, origin: Origin, parent: CommandFact | null): void {
    const depth = env.depth + 1;
    if (depth > MAX_DEPTH) {
      this.tooDeep = true;
      if (parent) parent.tooDeep = true;
      return;
    }
    if (!this.tick(Math.ceil(code.length / 256))) return;
    this.nestedBytes += code.length;
    if (this.nestedBytes > 32 * 1024) {
      this.truncated = true;
      return;
    }
    const e2: Env = { origin, depth, deferred: env.deferred, inPipe: false, background: false };
    const parsed = code.length <= 64 * 1024 ? parseLine(code) : { script: null, error: 'too long' };
    if (parsed.script && !parsed.error) {
      this.script(parsed.script, scope.clone(), e2);
    } else {
      tokens(this, code, scope.clone(), e2);
    }
    // A string built at run time may hold anything: the rules see the parent fact as dynamic.
    if (dynamic && parent) parent.dynamic = true;
  }

}

/**
 * The origin of a compound command's body: a group, loop or branch runs where its command does, so
 * inside a subshell or a substitution it stays there (`$(if …; then cd x; fi)` changes no shell).
 */
function within(env: Env, origin: Origin): Origin {
  return IN_SHELL.has(env.origin) || origin === 'subshell' ? origin : env.origin;
}

/** The command runs in the shell itself: not in a subshell, a substitution, a pipeline or behind a program. */
function inShell(f: CommandFact): boolean {
  return IN_SHELL.has(f.origin) && f.pipedFrom.length === 0 && !f.pipedTo?.length;
}

function looksLikePath(v: string): boolean {
  return v.includes('/') || v.startsWith('~') || v.startsWith('.') || v === '*';
}

function isRelativePathish(v: string): boolean {
  return !v.startsWith('/') && !v.startsWith('-') && (v.includes('/') || v === '.' || v === '..' || v === '*' || /^[\w.-]+$/.test(v));
}


/** Build the facts of a parsed script. */
export function factsOf(script: Script | null, text: string, cwd: string, home: string, env: Record<string, string | undefined>, scale = 1, fish = false): FactsResult {
  const w = new Walker(home, env, scale, fish);
  const scope = new Scope(new Map(), cwd);
  const e: Env = { origin: 'top', depth: 0, deferred: false, inPipe: false, background: false };
  try {
    if (script) w.script(script, scope, e);
    else tokens(w, text, scope, e);
  } catch {
    // Deeply recursive input can exhaust the stack; what was gathered so far still counts.
    w.truncated = true;
  }
  return { facts: w.facts, truncated: w.truncated, tooDeep: w.tooDeep, functions: w.functionNames(), changesShell: w.changesShell() };
}
