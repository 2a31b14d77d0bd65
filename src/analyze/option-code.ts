// Commands a program runs through its own options or its own small language — the GTFOBins holes
// nobody looks inside otherwise: `awk 'BEGIN{system("…")}'`, `sed 's/x/…/e'`, `vim -c '!…'`,
// `gdb -ex 'shell …'`, `ssh -o ProxyCommand=…`, `tar --to-command=…`, `git config core.pager …`.
// Each program's real option grammar is followed (values skipped, `--opt=v` and `--opt v`, `--`,
// GNU abbreviations and argument permutation where the program has them), so an option's value is
// never read as its script and a script is never missed because an option hid it.
// Pure: no I/O, never throws, bounded (64 findings, 64 KiB of text per script, nesting depth 8).

export interface Arg {
  value: string;
  dynamic: boolean;
}

export type Embedded =
  | { kind: 'shell'; code: string; dynamic: boolean; deferred?: boolean }
  | { kind: 'argv'; argv: string[]; dynamic: boolean }
  | { kind: 'lang'; lang: 'python' | 'perl' | 'ruby' | 'lua'; code: string }
  | { kind: 'unseen'; what: string }
  | { kind: 'write'; path: string; dynamic: boolean };

const MAX_FINDINGS = 64;
const MAX_TEXT = 64 * 1024;
const MAX_DEPTH = 8;
// Every token is at least a character, so this never cuts a 64 KiB script short.
const MAX_TOKENS = MAX_TEXT;
/** Token visits one program may cost: a statement that never ends must not make every print in it rescan the rest. */
const MAX_WORK = 400_000;

interface Budget {
  left: number;
}

type Out = Embedded[];

const TOO_MANY = 'more than vg lists';
const TOO_LONG = 'script too long for vg to read whole';
const seenIn = new WeakMap<Out, Set<string>>();

/**
 * The same finding twice (an `e` flag on every line) says nothing more, so it is kept once; and
 * the last place is kept for saying findings were left out, so harmless findings cannot push a
 * dangerous one out of sight.
 */
function add(out: Out, e: Embedded): void {
  let seen = seenIn.get(out);
  if (!seen) seenIn.set(out, (seen = new Set()));
  const key = JSON.stringify(e);
  if (seen.has(key) || out.length >= MAX_FINDINGS) return;
  seen.add(key);
  out.push(out.length < MAX_FINDINGS - 1 ? e : unseen(TOO_MANY));
}
const full = (out: Out): boolean => out.length >= MAX_FINDINGS;
const clip = (text: string): string => (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text);
const unseen = (what: string): Embedded => ({ kind: 'unseen', what });
const shell = (code: string, dynamic = false): Embedded => ({ kind: 'shell', code, dynamic });

function finish(out: Out): Embedded[] {
  return out.slice(0, MAX_FINDINGS);
}

/** Reading starts with saying when the text is longer than what is read. */
function started(text: string): Out {
  const out: Out = [];
  if (text.length > MAX_TEXT) add(out, unseen(TOO_LONG));
  return out;
}

function markDynamic(e: Embedded): Embedded {
  if (e.kind === 'shell' || e.kind === 'argv' || e.kind === 'write') return { ...e, dynamic: true };
  return e;
}

/**
 * A word holding a script: its text is read as far as it is known; when the word is dynamic what
 * it will really hold is not, so that is said too rather than dropped.
 */
/**
 * `data`: the language's own variables hold data, not code (sed, awk): a script with a shell
 * variable inside (`sed "s/$a/$b/"`) is read as far as it is known — an `e` flag still counts —
 * and only a script that is a variable as a whole (`sed "$S"`) is unseen.
 */
function scriptWord(arg: Arg, read: (text: string) => Embedded[], what: string, out: Out, data = false): void {
  for (const e of read(arg.value)) add(out, arg.dynamic ? markDynamic(e) : e);
  if (arg.dynamic && (!data || /^\$(\{[^}]*\}|\w+)$/.test(arg.value.trim()))) add(out, unseen(what));
}

/** A word that is shell code as a whole (`ProxyCommand=…`, `--to-command=…`). */
function shellWord(value: string, dynamic: boolean, out: Out, deferred = false): void {
  if (value.trim() === '' && !dynamic) return;
  const e: Embedded = { kind: 'shell', code: clip(value), dynamic };
  add(out, deferred ? { ...e, deferred: true } : e);
  if (value.length > MAX_TEXT) add(out, unseen(TOO_LONG));
}

/** Words a program splits itself and runs without a shell (`sftp -D`, `sshfs -o ssh_command=`). */
function splitWords(text: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(clip(text))) !== null && words.length < 256) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

const SHELL_NAMES: ReadonlySet<string> = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ksh93', 'mksh', 'pdksh', 'oksh', 'loksh', 'ash', 'yash', 'posh', 'rbash', 'fish', 'csh', 'tcsh', 'busybox']);
const INTERPRETER = /^(?:python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|node|nodejs|php[0-9.]*|lua[0-9.]*|luajit|tclsh[0-9.]*|wish|Rscript|osascript)$/;

function firstWordBase(cmd: string): string {
  const w = /^\s*(\S+)/.exec(cmd)?.[1] ?? '';
  return w.slice(w.lastIndexOf('/') + 1);
}

// ---------------------------------------------------------------------------------------------
// Option grammar: one getopt engine for the programs that use getopt, getopt_long(_only) or popt.

type Has = 0 | 1 | 2; // no value, a required value, an optional value (attached only)

interface LongSpec {
  has: Has;
  canon: string;
}

interface Grammar {
  short: ReadonlyMap<string, Has>;
  long: ReadonlyMap<string, LongSpec>;
  /** Options are still read after this many operands: GNU getopt permutes (Infinity), POSIX stops at the first (0), ssh reads them again after the host (1). */
  optsUntil: number;
  /** getopt_long_only: `-name` is a long option (gdb). */
  longOnly: boolean;
  /** getopt_long accepts any unambiguous prefix of a long option. */
  abbrev: boolean;
  /** popt drops an `=` between a short option and its attached value. */
  eqShort: boolean;
}

/**
 * `short` is a getopt string (`e:f:i::n`); `long` lists `name` (no value), `name=` (value), `name?`
 * (optional, attached), each optionally `>canon` naming the option it is another spelling of.
 */
function grammar(short: string, long: string, optsUntil: number, flags: { longOnly?: boolean; abbrev?: boolean; eqShort?: boolean } = {}): Grammar {
  const s = new Map<string, Has>();
  for (let i = 0; i < short.length; i++) {
    const c = short[i]!;
    if (short[i + 1] === ':' && short[i + 2] === ':') {
      s.set(c, 2);
      i += 2;
    } else if (short[i + 1] === ':') {
      s.set(c, 1);
      i += 1;
    } else s.set(c, 0);
  }
  const l = new Map<string, LongSpec>();
  for (const entry of long.split(/\s+/).filter(Boolean)) {
    const m = /^([^=?>]+)([=?]?)(?:>(.+))?$/.exec(entry);
    if (!m) continue;
    l.set(m[1]!, { has: m[2] === '=' ? 1 : m[2] === '?' ? 2 : 0, canon: m[3] ?? m[1]! });
  }
  return { short: s, long: l, optsUntil, longOnly: flags.longOnly ?? false, abbrev: flags.abbrev ?? false, eqShort: flags.eqShort ?? false };
}

function lookupLong(g: Grammar, name: string): LongSpec | undefined {
  const exact = g.long.get(name);
  if (exact || !g.abbrev || name === '') return exact;
  let found: LongSpec | undefined;
  for (const [k, spec] of g.long) {
    if (!k.startsWith(name)) continue;
    // Prefixes shared by spellings of one option are not ambiguous (glibc compares what they do).
    if (found && (found.canon !== spec.canon || found.has !== spec.has)) return undefined;
    found = spec;
  }
  return found;
}

type Item = { kind: 'opt'; name: string; value: Arg | null } | { kind: 'arg'; arg: Arg; afterOpts: boolean };

function getopt(args: readonly Arg[], g: Grammar): Item[] {
  const items: Item[] = [];
  let operands = 0;
  let ended = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = a.value;
    if (ended || v === '-' || !v.startsWith('-')) {
      items.push({ kind: 'arg', arg: a, afterOpts: ended });
      operands++;
      if (operands > g.optsUntil) ended = true;
      continue;
    }
    if (v === '--') {
      ended = true;
      continue;
    }
    if (v.startsWith('--') || g.longOnly) {
      const body = v.slice(v.startsWith('--') ? 2 : 1);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const spec = lookupLong(g, name);
      let value: Arg | null = eq < 0 ? null : { value: body.slice(eq + 1), dynamic: a.dynamic };
      if (spec && spec.has === 1 && value === null && i + 1 < args.length) value = args[++i]!;
      items.push({ kind: 'opt', name: spec ? spec.canon : `?${name}`, value });
      continue;
    }
    for (let j = 1; j < v.length; j++) {
      const c = v[j]!;
      const has = g.short.get(c) ?? 0;
      if (has === 0) {
        items.push({ kind: 'opt', name: c, value: null });
        continue;
      }
      let rest = v.slice(j + 1);
      if (g.eqShort && rest.startsWith('=')) rest = rest.slice(1);
      let value: Arg | null = null;
      if (rest !== '') value = { value: rest, dynamic: a.dynamic };
      else if (has === 1 && i + 1 < args.length) value = args[++i]!;
      items.push({ kind: 'opt', name: c, value });
      break;
    }
  }
  return items;
}

const opts = (items: Item[], ...names: string[]): Arg[] =>
  items.flatMap((it) => (it.kind === 'opt' && names.includes(it.name) && it.value !== null ? [it.value] : []));
const hasOpt = (items: Item[], name: string): boolean => items.some((it) => it.kind === 'opt' && it.name === name);
const operandsOf = (items: Item[]): Arg[] => items.flatMap((it) => (it.kind === 'arg' ? [it.arg] : []));

/** Several pieces of one script (`-e A -e B`), read together as the program joins them. */
function joined(pieces: Arg[]): Arg {
  return { value: pieces.map((p) => p.value).join('\n'), dynamic: pieces.some((p) => p.dynamic) };
}

// ---------------------------------------------------------------------------------------------
// sed (GNU): the script is compiled whole before anything runs, so its grammar is followed exactly;
// where this reader and GNU could disagree it says so (unseen) instead of guessing "harmless".

const SED = grammar(
  'e:f:l:i::bnrsuzE',
  'expression=>e file=>f line-length=>l in-place?>i binary>b quiet>n silent>n regexp-extended>E separate>s unbuffered>u null-data>z zero-terminated>z posix debug sandbox follow-symlinks help version',
  Infinity,
  { abbrev: true },
);

const SED_CANNOT_READ = 'sed script vg cannot read';
const SED_STD_FILES: ReadonlySet<string> = new Set(['/dev/stdout', '/dev/stderr']);

function sedFindings(args: readonly Arg[], out: Out): void {
  const items = getopt(args, SED);
  if (hasOpt(items, 'sandbox')) return; // GNU sed refuses e, w and r in sandbox mode
  const pieces = opts(items, 'e');
  if (hasOpt(items, 'f')) add(out, unseen('sed runs a script file'));
  if (pieces.length > 0) scriptWord(joined(pieces), sedScript, 'sed script only known at run time', out, true);
  else if (!hasOpt(items, 'f')) {
    const script = operandsOf(items)[0];
    if (script) scriptWord(script, sedScript, 'sed script only known at run time', out, true);
  }
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** GNU's match_slash: a delimited part; brackets hide the delimiter in a regex but not elsewhere. */
function sedDelimited(s: string, i: number, delim: string, regex: boolean): { text: string; next: number } | null {
  let text = '';
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\n') return null;
    if (c === delim) return { text, next: i + 1 };
    if (c === '\\') {
      const d = s[i + 1];
      if (d === undefined) return null;
      if (d === '\n') text += '\n';
      else if (d === delim && !(!regex && d === '&')) text += d;
      else text += '\\' + d;
      i += 2;
      continue;
    }
    if (c === '[' && regex) {
      const end = bracketEnd(s, i);
      if (end < 0) return null;
      text += s.slice(i, end);
      i = end;
      continue;
    }
    text += c;
    i++;
  }
  return null;
}

/** Index after the `]` closing the bracket expression at `i`, or -1. Backslash is literal inside. */
function bracketEnd(s: string, i: number): number {
  let j = i + 1;
  if (s[j] === '^') j++;
  if (s[j] === ']') j++;
  while (j < s.length) {
    const c = s[j]!;
    if (c === '\n') return -1;
    if (c === '[' && (s[j + 1] === ':' || s[j + 1] === '.' || s[j + 1] === '=')) {
      const close = s.indexOf(s[j + 1]! + ']', j + 2);
      if (close < 0) return -1;
      j = close + 2;
      continue;
    }
    if (c === ']') return j + 1;
    j++;
  }
  return -1;
}

/** The text of `a`/`i`/`c`/`e`: to the end of the line, a backslash-newline continues it. */
function sedText(s: string, i: number): { text: string; next: number } {
  let text = '';
  while (i < s.length && s[i] !== '\n') {
    if (s[i] === '\\' && s[i + 1] === '\n') {
      text += '\n';
      i += 2;
      continue;
    }
    text += s[i];
    i++;
  }
  return { text, next: i + 1 };
}

/** `s///e` runs the pattern space: the replacement, with GNU's `\n`/`\t` made real, `&`/`\1` as typed. */
function sedReplacementCode(repl: string): string {
  let code = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c === '\\' && (repl[i + 1] === 'n' || repl[i + 1] === 't')) {
      code += repl[i + 1] === 'n' ? '\n' : '\t';
      i++;
    } else if (c === '\\' && i + 1 < repl.length) {
      code += c + repl[i + 1]!;
      i++;
    } else code += c;
  }
  return code;
}

function sedAddress(s: string, i: number, second: boolean): number {
  const c = s[i];
  if (c === '/' || c === '\\') {
    const delim = c === '/' ? '/' : s[i + 1];
    if (delim === undefined || delim === '\n' || (c === '\\' && delim === '\\')) return -1;
    const r = sedDelimited(s, c === '/' ? i + 1 : i + 2, delim, true);
    if (!r) return -1;
    let j = r.next;
    for (;;) {
      while (isBlank(s[j])) j++;
      if (s[j] === 'I' || s[j] === 'M') j++;
      else return j;
    }
  }
  if (c !== undefined && /[0-9]/.test(c)) {
    let j = i;
    while (/[0-9]/.test(s[j] ?? '')) j++;
    let k = j;
    while (isBlank(s[k])) k++;
    if (s[k] === '~') {
      k++;
      while (isBlank(s[k])) k++;
      if (!/[0-9]/.test(s[k] ?? '')) return -1;
      while (/[0-9]/.test(s[k] ?? '')) k++;
      return k;
    }
    return j;
  }
  if (c === '$') return i + 1;
  if (second && (c === '+' || c === '~')) {
    let j = i + 1;
    if (!/[0-9]/.test(s[j] ?? '')) return -1;
    while (/[0-9]/.test(s[j] ?? '')) j++;
    return j;
  }
  return i;
}

/** After a command that takes nothing more: only `;`, a newline, `}` or `#` may follow. */
function sedEnd(s: string, i: number): number {
  while (isBlank(s[i])) i++;
  const c = s[i];
  if (c === undefined) return i;
  if (c === ';' || c === '\n') return i + 1;
  if (c === '}' || c === '#') return i;
  return -1;
}

function sedFilename(s: string, i: number): { name: string; next: number } {
  while (isBlank(s[i])) i++;
  const nl = s.indexOf('\n', i);
  const end = nl < 0 ? s.length : nl;
  return { name: s.slice(i, end), next: end + 1 };
}

function sedWrite(name: string, out: Out): void {
  if (!SED_STD_FILES.has(name)) add(out, { kind: 'write', path: name, dynamic: false });
}

/** What a GNU sed script runs (`e`, `s///e`) and writes (`w`, `W`, `s///w`). */
export function sedScript(text: string): Embedded[] {
  const out = started(text);
  try {
    sedParse(clip(text), out);
  } catch {
    add(out, unseen(SED_CANNOT_READ));
  }
  return finish(out);
}

function sedParse(s: string, out: Out): void {
  const fail = (): void => add(out, unseen(SED_CANNOT_READ));
  let i = 0;
  let depth = 0;
  while (i < s.length && !full(out)) {
    while (i < s.length && (s[i] === ';' || /\s/.test(s[i]!))) i++;
    if (i >= s.length) break;
    const a1 = sedAddress(s, i, false);
    if (a1 < 0) return fail();
    const addressed = a1 > i;
    i = a1;
    if (addressed) {
      while (isBlank(s[i])) i++;
      if (s[i] === ',') {
        i++;
        while (isBlank(s[i])) i++;
        const a2 = sedAddress(s, i, true);
        if (a2 <= i) return fail();
        i = a2;
      }
    }
    while (isBlank(s[i])) i++;
    if (s[i] === '!') {
      i++;
      while (isBlank(s[i])) i++;
      if (s[i] === '!') return fail();
    }
    const cmd = s[i++];
    switch (cmd) {
      case undefined:
        return fail();
      case '#':
        while (i < s.length && s[i] !== '\n') i++;
        break;
      case '{':
        depth++;
        break;
      case '}':
        if (depth === 0) return fail();
        depth--;
        i = sedEnd(s, i);
        if (i < 0) return fail();
        break;
      case ':': {
        while (isBlank(s[i])) i++;
        const start = i;
        while (i < s.length && s[i] !== ';' && !/\s/.test(s[i]!)) i++;
        if (i === start) return fail();
        break;
      }
      case 'b':
      case 't':
      case 'T':
      case 'v':
        while (isBlank(s[i])) i++;
        while (i < s.length && s[i] !== ';' && s[i] !== '}' && !/\s/.test(s[i]!)) i++;
        break;
      case 'a':
      case 'i':
      case 'c': {
        while (isBlank(s[i])) i++;
        if (i >= s.length) return fail();
        if (s[i] === '\\') {
          i++;
          if (s[i] === '\n') i++;
        }
        i = sedText(s, i).next;
        break;
      }
      case 'e': {
        while (isBlank(s[i])) i++;
        if (i >= s.length || s[i] === '\n') {
          add(out, unseen('sed e runs its input as commands'));
          i++;
          break;
        }
        const t = sedText(s, i);
        add(out, shell(t.text));
        i = t.next;
        break;
      }
      case 'r':
      case 'R':
      case 'w':
      case 'W': {
        const f = sedFilename(s, i);
        if (f.name === '') return fail();
        if (cmd === 'w' || cmd === 'W') sedWrite(f.name, out);
        i = f.next;
        break;
      }
      case 'q':
      case 'Q':
      case 'l':
      case 'L':
        while (isBlank(s[i])) i++;
        while (/[0-9]/.test(s[i] ?? '')) i++;
        i = sedEnd(s, i);
        if (i < 0) return fail();
        break;
      case '=':
      case 'd':
      case 'D':
      case 'g':
      case 'G':
      case 'h':
      case 'H':
      case 'n':
      case 'N':
      case 'p':
      case 'P':
      case 'x':
      case 'z':
      case 'F':
        i = sedEnd(s, i);
        if (i < 0) return fail();
        break;
      case 'y': {
        const delim = s[i];
        if (delim === undefined || delim === '\n' || delim === '\\') return fail();
        const src = sedDelimited(s, i + 1, delim, false);
        const dst = src && sedDelimited(s, src.next, delim, false);
        if (!dst) return fail();
        i = sedEnd(s, dst.next);
        if (i < 0) return fail();
        break;
      }
      case 's': {
        const delim = s[i];
        if (delim === undefined || delim === '\n') return fail();
        const re = sedDelimited(s, i + 1, delim, true);
        const repl = re && sedDelimited(s, re.next, delim, false);
        if (!repl) return fail();
        i = repl.next;
        let exec = false;
        let write: string | null = null;
        flags: for (;;) {
          const f = s[i];
          switch (f) {
            case 'e':
              exec = true;
              i++;
              break;
            case 'g':
            case 'p':
            case 'i':
            case 'I':
            case 'm':
            case 'M':
            case ' ':
            case '\t':
            case '\r':
              i++;
              break;
            case 'w': {
              const file = sedFilename(s, i + 1);
              if (file.name === '') return fail();
              write = file.name;
              i = file.next;
              break flags;
            }
            case undefined:
              break flags;
            case ';':
            case '\n':
              i++;
              break flags;
            case '}':
            case '#':
              break flags;
            default:
              if (f >= '0' && f <= '9') {
                i++;
                break;
              }
              return fail();
          }
        }
        if (exec) {
          add(out, shell(sedReplacementCode(repl.text)));
          add(out, unseen('sed s///e runs the pattern space as a command'));
        }
        if (write !== null) sedWrite(write, out);
        break;
      }
      default:
        return fail();
    }
  }
  if (depth !== 0) fail();
}

// ---------------------------------------------------------------------------------------------
// awk: a small lexer, so strings, regex literals and comments never look like code, then the
// three ways awk starts commands (system, pipes, getline) and the one it writes files (print >).

const AWK = grammar(
  'f:F:v:e:E:i:l:W:d::D::L::o::p::bcCghIkMnNOPrsStVY',
  'file=>f field-separator=>F assign=>v source=>e exec=>E include=>i load=>l sandbox pretty-print?>o profile?>p dump-variables?>d debug?>D lint?>L ' +
    'characters-as-bytes csv copyright gen-pot help lint-old bignum use-lc-numeric non-decimal-data optimize no-optimize posix re-interval traditional trace version',
  0,
  { abbrev: true },
);

// gawk's own library (/usr/share/awk) and extensions: loading them is not code from elsewhere.
const GAWK_LIBS: ReadonlySet<string> = new Set(
  'assert bits2str cliff_rand ctime ftrans getopt gettime group have_mpfr inplace intdiv0 join libintl noassign ns_passwd ord passwd processarray quicksort readable readfile rewind round shellquote strtonum walkarray zerofile'.split(' '),
);
const GAWK_EXTS: ReadonlySet<string> = new Set('filefuncs fnmatch fork inplace intdiv ordchr readdir readdir_test readfile revoutput revtwoway rwarray time'.split(' '));

function awkFindings(args: readonly Arg[], out: Out): void {
  const items = getopt(args, AWK);
  let fromFile = false;
  const pieces: Arg[] = [];
  const vars = new Map<string, string>();
  const expanded: Item[] = [];
  // `-W opt[=v]` is gawk's POSIX spelling of `--opt[=v]`; mawk's `-W exec FILE` reads the program from FILE.
  for (const it of items) {
    if (it.kind === 'opt' && it.name === 'W' && it.value) {
      const w = it.value.value;
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      if (eq < 0 && name !== '' && 'exec'.startsWith(name)) {
        fromFile = true;
        continue;
      }
      const spec = lookupLong(AWK, name);
      expanded.push({ kind: 'opt', name: spec ? spec.canon : `?${name}`, value: eq < 0 ? null : { value: w.slice(eq + 1), dynamic: it.value.dynamic } });
    } else expanded.push(it);
  }
  for (const it of expanded) {
    if (it.kind !== 'opt') continue;
    const v = it.value;
    switch (it.name) {
      case 'sandbox':
        return; // gawk --sandbox refuses system(), pipes and redirections
      case 'f':
      case 'E':
        fromFile = true;
        break;
      case 'e':
        if (v) pieces.push(v);
        break;
      case 'i':
        if (v && (v.dynamic || !GAWK_LIBS.has(v.value.replace(/\.awk$/, '')))) add(out, unseen('gawk includes awk code from a file'));
        break;
      case 'l':
        if (v && (v.dynamic || !GAWK_EXTS.has(v.value.replace(/\.so$/, '')))) add(out, unseen('gawk loads a compiled extension'));
        break;
      case 'o':
      case 'p':
      case 'd':
        if (v && v.value !== '' && !AWK_STD_FILES.test(v.value)) add(out, { kind: 'write', path: v.value, dynamic: v.dynamic });
        break;
      case 'v': {
        const m = v && !v.dynamic ? /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(v.value) : null;
        if (m) vars.set(m[1]!, m[2]!);
        break;
      }
    }
  }
  if (fromFile) add(out, unseen('awk runs a program file'));
  const program = pieces.length > 0 ? joined(pieces) : fromFile ? undefined : operandsOf(expanded)[0];
  if (program) scriptWord(program, (t) => awkProgram(t, vars), 'awk program only known at run time', out, true);
}

type Tok = { t: 'str' | 're' | 'name' | 'num' | 'op' | 'nl'; v: string };

// After these a `/` starts a regex literal; after an operand it divides.
const AWK_EXPR_KEYWORDS: ReadonlySet<string> = new Set(['print', 'printf', 'return', 'case', 'do', 'else', 'in', 'if', 'while', 'for', 'getline']);
const AWK_OPS = ['**=', '||', '&&', '|&', '>>', '<=', '>=', '==', '!=', '++', '--', '+=', '-=', '*=', '/=', '%=', '^=', '**', '!~'];
const AWK_STD_FILES = /^(?:-|\/dev\/(?:stdout|stderr|null|fd\/[0-9]+))$/;

function awkString(s: string, i: number): { value: string; next: number } {
  let value = '';
  let j = i + 1;
  while (j < s.length && s[j] !== '"' && s[j] !== '\n') {
    if (s[j] !== '\\') {
      value += s[j];
      j++;
      continue;
    }
    const d = s[j + 1];
    j += 2;
    if (d === undefined) break;
    if (d === '\n') continue;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (simple[d] !== undefined) value += simple[d];
    else if (/[0-7]/.test(d)) {
      let oct = d;
      while (oct.length < 3 && /[0-7]/.test(s[j] ?? '')) oct += s[j++];
      value += String.fromCharCode(parseInt(oct, 8) & 0xff);
    } else if (d === 'x' && /[0-9a-fA-F]/.test(s[j] ?? '')) {
      let hex = '';
      while (hex.length < 2 && /[0-9a-fA-F]/.test(s[j] ?? '')) hex += s[j++];
      value += String.fromCharCode(parseInt(hex, 16));
    } else value += d;
  }
  return { value, next: j + 1 };
}

function awkLex(s: string): Tok[] {
  const toks: Tok[] = [];
  const regexOk = (): boolean => {
    const p = toks[toks.length - 1];
    if (!p || p.t === 'nl') return true;
    if (p.t === 'str' || p.t === 'num' || p.t === 're') return false;
    if (p.t === 'name') return AWK_EXPR_KEYWORDS.has(p.v);
    return !(p.v === ')' || p.v === ']' || p.v === '$' || p.v === '++' || p.v === '--');
  };
  let i = 0;
  while (i < s.length && toks.length < MAX_TOKENS) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '\\' && (s[i + 1] === '\n' || (s[i + 1] === '\r' && s[i + 2] === '\n'))) i += s[i + 1] === '\n' ? 2 : 3;
    else if (c === '\n') {
      toks.push({ t: 'nl', v: '\n' });
      i++;
    } else if (c === '#') {
      while (i < s.length && s[i] !== '\n') i++;
    } else if (c === '"') {
      const r = awkString(s, i);
      toks.push({ t: 'str', v: r.value });
      i = r.next;
    } else if (c === '/' && regexOk()) {
      let j = i + 1;
      while (j < s.length && s[j] !== '/' && s[j] !== '\n') {
        if (s[j] === '\\') j += 2;
        else if (s[j] === '[') {
          const e = bracketEnd(s, j);
          j = e < 0 ? j + 1 : e;
        } else j++;
      }
      toks.push({ t: 're', v: s.slice(i + 1, j) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < s.length && /[A-Za-z0-9_]/.test(s[j]!)) j++;
      toks.push({ t: 'name', v: s.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?\.?)/.exec(s.slice(i, i + 64));
      const len = m ? Math.max(1, m[0].length) : 1;
      toks.push({ t: 'num', v: s.slice(i, i + len) });
      i += len;
    } else {
      const op = AWK_OPS.find((o) => s.startsWith(o, i)) ?? c;
      toks.push({ t: 'op', v: op });
      i += op.length;
    }
  }
  return toks;
}

const isOp = (t: Tok | undefined, v: string): boolean => t !== undefined && t.t === 'op' && t.v === v;
const endsOperand = (t: Tok | undefined): boolean =>
  t !== undefined && (t.t === 'str' || t.t === 'num' || t.t === 're' || (t.t === 'name' && !AWK_EXPR_KEYWORDS.has(t.v)) || isOp(t, ')') || isOp(t, ']') || isOp(t, '$'));

function matchClose(toks: Tok[], k: number, b: Budget): number {
  let depth = 0;
  for (let j = k; j < toks.length && b.left-- > 0; j++) {
    if (isOp(toks[j], '(')) depth++;
    else if (isOp(toks[j], ')') && --depth === 0) return j;
  }
  return -1;
}

function matchOpen(toks: Tok[], k: number): number {
  let depth = 0;
  // Only `("cmd") | getline` matters: the opening parenthesis is two tokens back or it is not a literal.
  for (let j = k; j >= 0 && j >= k - 2; j--) {
    if (isOp(toks[j], ')')) depth++;
    else if (isOp(toks[j], '(') && --depth === 0) return j;
  }
  return -1;
}

/** Adjacent string literals are one string in awk (`"rm " "-rf"`); anything else is not known. */
function awkLiteral(toks: Tok[]): string | null {
  return toks.length > 0 && toks.every((t) => t.t === 'str') ? toks.map((t) => t.v).join('') : null;
}

/** The command string before `| getline` when it is literal (`"date" | getline`, `("date") | getline`). */
function awkCommandBefore(toks: Tok[], k: number): string | null {
  const p = toks[k - 1];
  if (p?.t === 'str') {
    let j = k - 1;
    while (toks[j - 1]?.t === 'str' && j > k - 64) j--;
    return endsOperand(toks[j - 1]) ? null : awkLiteral(toks.slice(j, k));
  }
  if (isOp(p, ')')) {
    const open = matchOpen(toks, k - 1);
    if (open >= 0 && open === k - 3 && toks[k - 2]!.t === 'str' && !endsOperand(toks[open - 1])) return toks[k - 2]!.v;
  }
  return null;
}

/** The end (exclusive) of the simple statement starting at `k`. */
function awkStatementEnd(toks: Tok[], k: number, b: Budget): number {
  let depth = 0;
  for (let j = k; j < toks.length && b.left-- > 0; j++) {
    const t = toks[j]!;
    if (isOp(t, '(') || isOp(t, '[')) depth++;
    else if (isOp(t, ')') || isOp(t, ']')) {
      if (--depth < 0) return j;
    } else if (depth === 0 && (isOp(t, ';') || isOp(t, '}') || isOp(t, '{'))) return j;
    else if (depth === 0 && t.t === 'nl') {
      const prev = toks[j - 1];
      if (!(isOp(prev, ',') || isOp(prev, '&&') || isOp(prev, '||'))) return j;
    }
  }
  return toks.length;
}

function awkPrint(toks: Tok[], k: number, out: Out, b: Budget): void {
  const end = awkStatementEnd(toks, k + 1, b);
  let depth = 0;
  for (let j = k + 1; j < end && b.left-- > 0; j++) {
    const t = toks[j]!;
    if (isOp(t, '(') || isOp(t, '[')) depth++;
    else if (isOp(t, ')') || isOp(t, ']')) depth--;
    if (depth !== 0 || t.t !== 'op' || !['>', '>>', '|', '|&'].includes(t.v)) continue;
    if (t.v.startsWith('|') && toks[j + 1]?.t === 'name' && toks[j + 1]!.v === 'getline') continue;
    const lit = awkLiteral(toks.slice(j + 1, end));
    if (t.v === '>' || t.v === '>>') {
      if (lit === null) add(out, { kind: 'write', path: '', dynamic: true });
      else if (!AWK_STD_FILES.test(lit)) add(out, { kind: 'write', path: lit, dynamic: false });
      return;
    }
    if (lit === null) {
      add(out, unseen('awk pipes into a command built at run time'));
      return;
    }
    add(out, shell(lit));
    const base = firstWordBase(lit);
    if (SHELL_NAMES.has(base)) {
      // What is printed into a shell is its code: known when it is one literal.
      const printed = awkLiteral(toks.slice(k + 1, j));
      add(out, printed !== null ? shell(printed) : unseen('awk prints commands into a shell'));
    } else if (INTERPRETER.test(base)) add(out, unseen('awk prints code into an interpreter'));
    return;
  }
}

/** What an awk program runs (system, `print | cmd`, `cmd | getline`) and writes (`print > file`). */
export function awkProgram(text: string, vars: ReadonlyMap<string, string> = new Map()): Embedded[] {
  const out = started(text);
  try {
    const toks = awkLex(clip(text));
    const b: Budget = { left: MAX_WORK };
    for (let k = 0; k < toks.length && !full(out); k++) {
      if (b.left <= 0) {
        add(out, unseen('awk program too large for vg to read'));
        break;
      }
      const t = toks[k]!;
      if (t.t === 'name' && t.v === 'system' && isOp(toks[k + 1], '(')) {
        const close = matchClose(toks, k + 1, b);
        const inner = close < 0 ? [] : toks.slice(k + 2, close);
        const only = inner.length === 1 ? inner[0]! : undefined;
        const lit = awkLiteral(inner);
        if (lit !== null) {
          if (lit !== '') add(out, shell(lit));
        } else if (only?.t === 'name' && vars.has(only.v)) {
          // `-v c=… 'BEGIN{system(c)}'`: the value given, though the program may change it.
          add(out, shell(vars.get(only.v)!));
          add(out, unseen('awk system() runs a command built at run time'));
        } else add(out, unseen('awk system() runs a command built at run time'));
      } else if (t.t === 'op' && (t.v === '|' || t.v === '|&') && toks[k + 1]?.t === 'name' && toks[k + 1]!.v === 'getline') {
        const cmd = awkCommandBefore(toks, k);
        add(out, cmd === null ? unseen('awk reads from a command built at run time') : shell(cmd));
      } else if (t.t === 'name' && (t.v === 'print' || t.v === 'printf')) awkPrint(toks, k, out, b);
      else if (isOp(t, '@') && toks[k + 1]?.t === 'name') {
        const what = toks[k + 1]!.v;
        if (what === 'include') add(out, unseen('gawk includes awk code from a file'));
        else if (what === 'load') add(out, unseen('gawk loads a compiled extension'));
        else if (what !== 'namespace') add(out, unseen('gawk calls a function by name'));
      }
    }
  } catch {
    add(out, unseen('awk program vg cannot read'));
  }
  return finish(out);
}

// ---------------------------------------------------------------------------------------------
// vim and its family: the command line (`-c`, `+`, `--cmd`, `-S`, `-u`, `-s`) and Ex commands.

const VIM_NAMES = ['vi', 'vim', 'nvim', 'ex', 'view', 'vimdiff', 'gvim', 'gview', 'gvimdiff', 'evim', 'eview', 'rvim', 'rview', 'rgvim', 'rgview', 'vimx', 'vim.basic', 'vim.tiny', 'vim.nox', 'vim.gtk', 'vim.gtk3', 'vim.athena', 'nvim-qt'];
const VIM_SET: ReadonlySet<string> = new Set(VIM_NAMES);

// Options of vim/nvim/gvim that take the next word as their value.
const VIM_LONG_VALUE: ReadonlySet<string> = new Set(['cmd', 'startuptime', 'log', 'servername', 'remote-send', 'remote-expr', 'socketid', 'windowid', 'role', 'listen', 'server', 'display']);
const VIM_X_VALUE: ReadonlySet<string> = new Set(['-display', '-geometry', '-geom', '-font', '-fn', '-boldfont', '-italicfont', '-background', '-bg', '-foreground', '-fg', '-borderwidth', '-bw', '-scrollbarwidth', '-sw', '-menuheight', '-mh', '-menufont', '-menufontset', '-xrm', '-name']);
const VIM_QUIT = /^\s*:*\s*(?:q(?:u(?:i(?:t)?)?)?|qa(?:ll)?|quita(?:ll)?|wq|wqa(?:ll)?|xa(?:ll)?|x(?:it)?|exi(?:t)?|cq(?:uit)?)!?\s*$/;

function vimFindings(name: string, args: readonly Arg[], out: Out): void {
  const nvim = name === 'nvim' || name === 'nvim-qt';
  let exmode = name === 'ex';
  let silent = false;
  let ended = false;
  const commands: Arg[] = [];
  const dynamicWhat = 'vim commands only known at run time';
  for (let i = 0; i < args.length && !full(out); i++) {
    const a = args[i]!;
    const v = a.value;
    if (ended || v === '-' || (!v.startsWith('-') && !v.startsWith('+'))) continue;
    if (v === '--') {
      ended = true;
      continue;
    }
    if (v.startsWith('+')) {
      // `+`, `+10` and `+/pat` only move the cursor — but `+/pat/!cmd` is a range and a filter.
      const cmd = { value: v.slice(1), dynamic: a.dynamic };
      commands.push(cmd);
      scriptWord(cmd, exCommand, dynamicWhat, out);
      continue;
    }
    if (v.startsWith('--')) {
      const long = v.slice(2);
      if (VIM_LONG_VALUE.has(long)) {
        const val = args[++i];
        if (!val) break;
        if (long === 'cmd') {
          commands.push(val);
          scriptWord(val, exCommand, dynamicWhat, out);
        } else if (long === 'remote-expr') scriptWord(val, vimExpression, 'vim expression only known at run time', out);
        else if (long === 'remote-send' && (val.dynamic || /[!:]/.test(val.value))) add(out, unseen('vim sends keys to another vim'));
      }
      continue;
    }
    if (VIM_X_VALUE.has(v)) {
      i++;
      continue;
    }
    for (let j = 1; j < v.length; j++) {
      const c = v[j]!;
      const rest = v.slice(j + 1);
      const next = (): Arg | undefined => (rest !== '' ? { value: rest, dynamic: a.dynamic } : args[++i]);
      if (c === 'e' || c === 'E') exmode = true;
      else if (c === 's' && exmode) silent = true;
      else if (c === 's') {
        if (next()) add(out, unseen('vim types the keys in a file'));
        break;
      } else if (c === 'c') {
        const cmd = next();
        if (cmd) {
          commands.push(cmd);
          scriptWord(cmd, exCommand, dynamicWhat, out);
        }
        break;
      } else if (c === 'S') {
        // `-S` alone (or before another option) sources Session.vim.
        if (rest === '' && args[i + 1] && !args[i + 1]!.value.startsWith('-')) i++;
        add(out, unseen('vim runs a script file'));
        break;
      } else if (c === 'u' || c === 'U') {
        const f = next();
        if (f && (f.dynamic || !/^(?:NONE|NORC|DEFAULTS)$/.test(f.value))) add(out, unseen('vim runs a script file'));
        break;
      } else if (c === 'l' && nvim) {
        // `nvim -l script.lua args…`: everything after is the script's.
        if (next()) add(out, unseen('nvim runs a Lua script file'));
        return;
      } else if (c === 'w' && /^[0-9]/.test(rest)) break;
      else if (c === 'w' || c === 'W') {
        // Every key typed is written to this file.
        const f = next();
        if (f) add(out, { kind: 'write', path: f.value, dynamic: f.dynamic });
        break;
      } else if ('Tit'.includes(c) || (c === 'q' && (rest !== '' || (args[i + 1] && !args[i + 1]!.value.startsWith('-'))))) {
        next();
        break;
      } else if ('VpoO'.includes(c)) break;
    }
  }
  // `vim -es`/`ex -s` read Ex commands from their input unless the given ones quit first.
  if (exmode && silent && !commands.some((c) => !c.dynamic && c.value.split('|').some((part) => VIM_QUIT.test(part)))) {
    add(out, unseen('vim in silent Ex mode runs the commands it reads'));
  }
}

interface ExCtx {
  out: Out;
  depth: number;
  deferred: boolean;
}

/** Shell text from an Ex command; the spaces around it mean nothing to the shell. */
function exShell(ctx: ExCtx, text: string): void {
  if (text.trim() !== '') exAdd(ctx, shell(text.trim()));
}

function exAdd(ctx: ExCtx, e: Embedded): void {
  add(ctx.out, e.kind === 'shell' && ctx.deferred ? { ...e, deferred: true } : e);
}

/** A table of `name[rest]` spellings: `w[rite]` matches w, wr, …, write. */
function exTable(spec: string): { min: string; name: string }[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((e) => {
      const b = e.indexOf('[');
      return b < 0 ? { min: e, name: e } : { min: e.slice(0, b), name: e.slice(0, b) + e.slice(b + 1, -1) };
    });
}

const EX_COMMANDS = exTable(
  'r[ead] w[rite] wq x[it] exi[t] up[date] sav[eas] wn[ext] wN[ext] wp[revious] g[lobal] v[global] norm[al] exe[cute] ' +
    'cal[l] ec[ho] echom[sg] echon echoe[rr] echow[indow] echoc[onsole] let cons[t] var final ev[al] if elsei[f] wh[ile] for retu[rn] th[row] ' +
    'cex[pr] lex[pr] cadde[xpr] ladde[xpr] cgete[xpr] lgete[xpr] ter[minal] sh[ell] ' +
    'py[thon] py3 python3 pyx pythonx pyd[o] py3d[o] pyxd[o] pyf[ile] py3f[ile] pyxf[ile] lua luad[o] luaf[ile] pe[rl] perld[o] rub[y] rubyd[o] rubyf[ile] ' +
    'tc[l] tcld[o] tclf[ile] mz[scheme] mzf[ile] so[urce] ru[ntime] pa[ckadd] mak[e] lmak[e] gr[ep] grepa[dd] lgr[ep] lgrepa[dd] se[t] setl[ocal] setg[lobal] ' +
    'au[tocmd] com[mand] argdo bufdo windo tabdo cdo cfdo ld[o] lfdo folddoo[pen] folddoc[losed] deb[ug] redi[r] mks[ession] mkv[imrc] mkvie[w] mk[exrc] ' +
    'e[dit] ex vi[sual] vie[w] sp[lit] vs[plit] new vne[w] sv[iew] tabe[dit] tabnew tabf[ind] fin[d] sf[ind] ar[gs] arga[dd] n[ext] bad[d] balt drop ' +
    'diffs[plit] diffp[atch] ped[it] cd chd[ir] lc[d] lch[dir] f[ile] vim[grep] lv[imgrep] vimgrepa[dd] lvimgrepa[dd] cf[ile] lf[ile] cg[etfile] lg[etfile]',
);
const EX_MODIFIERS = exTable(
  'sil[ent] uns[ilent] noa[utocmd] keepa[lt] keepj[umps] kee[pmarks] keepp[atterns] loc[kmarks] vert[ical] hor[izontal] bo[tright] to[pleft] abo[veleft] ' +
    'bel[owright] lefta[bove] rightb[elow] tab conf[irm] bro[wse] hid[e] leg[acy] vim9[cmd] nos[wapfile] san[dbox] verb[ose] filt[er]',
);

function exLookup(table: { min: string; name: string }[], typed: string): string | undefined {
  return table.find((e) => typed.length >= e.min.length && e.name.startsWith(typed))?.name;
}

const EXPR_COMMANDS: ReadonlySet<string> = new Set(['call', 'echo', 'echomsg', 'echon', 'echoerr', 'echowindow', 'echoconsole', 'let', 'const', 'var', 'final', 'eval', 'if', 'elseif', 'while', 'for', 'return', 'throw', 'cexpr', 'lexpr', 'caddexpr', 'laddexpr', 'cgetexpr', 'lgetexpr']);
const WRITE_COMMANDS: ReadonlySet<string> = new Set(['write', 'wq', 'xit', 'exit', 'update', 'saveas', 'wnext', 'wNext', 'wprevious']);
// Commands whose file names vim expands, backticks included.
const FILE_COMMANDS: ReadonlySet<string> = new Set(
  ('read edit ex visual view split vsplit new vnew sview tabedit tabnew tabfind find sfind args argadd next badd balt drop diffsplit diffpatch pedit ' +
    'cd chdir lcd lchdir file vimgrep lvimgrep vimgrepadd lvimgrepadd cfile lfile cgetfile lgetfile redir mksession mkvimrc mkview mkexrc').split(' '),
);
const LANG_COMMANDS: Readonly<Record<string, 'python' | 'perl' | 'ruby' | 'lua'>> = {
  python: 'python', python3: 'python', py3: 'python', pyx: 'python', pythonx: 'python', pydo: 'python', py3do: 'python', pyxdo: 'python',
  lua: 'lua', luado: 'lua', perl: 'perl', perldo: 'perl', ruby: 'ruby', rubydo: 'ruby',
};
const SCRIPT_FILE_COMMANDS: ReadonlySet<string> = new Set(['pyfile', 'py3file', 'pyxfile', 'luafile', 'rubyfile', 'tclfile', 'mzfile', 'source', 'runtime', 'packadd']);
const DO_COMMANDS: ReadonlySet<string> = new Set(['argdo', 'bufdo', 'windo', 'tabdo', 'cdo', 'cfdo', 'ldo', 'lfdo', 'folddoopen', 'folddoclosed', 'debug']);
// Options whose value vim later runs through the shell, or evaluates as an expression.
const VIM_SHELL_OPTIONS = /^(?:shell|sh|makeprg|mp|grepprg|gp|equalprg|ep|formatprg|fp|keywordprg|kp)$/;
const VIM_EXPR_OPTIONS = /^(?:diffexpr|dex|patchexpr|pex|foldexpr|fde|includeexpr|inex|indentexpr|inde|formatexpr|fex|charconvert|ccv|printexpr|pexpr|balloonexpr|bexpr)$/;
const VIM_EVENT = /^(?:\*|(?:Buf|Win|Vim|File|Cmd|Insert|Text|Cursor|Term|Tab|Option|Color|Quick|Shell|Spell|Source|Session|Swap|Signal|Mode|Menu|Remote|Safe|Func|Focus|Encoding|Diff|Complete|Dir|Exit|Key|Chan|Syntax|User|UI|Lsp|Search|Stdin|Recording|Global|Any|Post|Pre)[A-Za-z]*)$/;

/** Index after the next command separator (an unescaped `|` or a newline), or -1 at the end. */
function exNextSep(s: string, i: number, strings: boolean): number {
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' || c === '\x16') i++;
    else if (strings && (c === '"' || c === "'")) i = vimStringEnd(s, i) - 1;
    else if (c === '|' || c === '\n') return i + 1;
  }
  return -1;
}

function exRestOfLine(s: string, i: number): { text: string; next: number } {
  const nl = s.indexOf('\n', i);
  return nl < 0 ? { text: s.slice(i), next: -1 } : { text: s.slice(i, nl), next: nl + 1 };
}

function exUpToSep(s: string, i: number, strings: boolean): { text: string; next: number } {
  const next = exNextSep(s, i, strings);
  return { text: next < 0 ? s.slice(i) : s.slice(i, next - 1), next };
}

function skipPattern(s: string, i: number, delim: string): number {
  while (i < s.length && s[i] !== delim && s[i] !== '\n') i += s[i] === '\\' ? 2 : 1;
  return Math.min(s.length, i + 1);
}

function exSkipRange(s: string, i: number): number {
  for (let guard = 0; guard < 256 && i < s.length; guard++) {
    while (isBlank(s[i])) i++;
    const c = s[i];
    if (c === undefined) return i;
    if ('%.$*,;+-'.includes(c)) i++;
    else if (/[0-9]/.test(c)) while (/[0-9]/.test(s[i] ?? '')) i++;
    else if (c === "'" && i + 1 < s.length) i += 2;
    else if (c === '/' || c === '?') i = skipPattern(s, i + 1, c);
    else if (c === '\\' && '/?&'.includes(s[i + 1] ?? '')) i += 2;
    else return i;
  }
  return i;
}

/**
 * What Ex command-line text runs or writes: `!cmd`, `r !cmd`, `w !cmd`, `:terminal cmd`, system()
 * and friends, `:execute`, `:python`/`:lua`/…, scripts sourced, `:g/pat/cmd`, `:w FILE`, backticks
 * in file names, options holding commands. Commands chained with `|` and lines are all read.
 */
export function exCommand(text: string): Embedded[] {
  return readVim(text, exLine, 'vim command vg cannot read');
}

/** One vim text read by `read` (Ex lines or an expression); a reader that gives up says so. */
function readVim(text: string, read: (t: string, ctx: ExCtx) => void, unreadable: string): Embedded[] {
  const ctx: ExCtx = { out: started(text), depth: 0, deferred: false };
  try {
    read(clip(text), ctx);
  } catch {
    exAdd(ctx, unseen(unreadable));
  }
  return finish(ctx.out);
}

function exLine(s: string, ctx: ExCtx): void {
  if (ctx.depth > MAX_DEPTH) {
    exAdd(ctx, unseen('vim commands nested too deep'));
    return;
  }
  // Each command moves forward, so the text's length bounds the loop; empty `|||…` padding hides nothing.
  let i = 0;
  while (i >= 0 && i < s.length && !full(ctx.out)) {
    const next = exOne(s, i, ctx);
    if (next >= 0 && next <= i) break;
    i = next;
  }
}

function exNested(text: string, ctx: ExCtx, deferred = ctx.deferred): void {
  exLine(text, { out: ctx.out, depth: ctx.depth + 1, deferred });
}

function exOne(s: string, i: number, ctx: ExCtx): number {
  for (;;) {
    while (i < s.length && (isBlank(s[i]) || s[i] === ':')) i++;
    i = exSkipRange(s, i);
    const m = /^(vim9(?:cmd)?|[a-zA-Z]+)(!?)/.exec(s.slice(i, i + 32));
    const mod = m ? exLookup(EX_MODIFIERS, m[1]!) : undefined;
    if (!m || !mod || /^[a-zA-Z0-9]/.test(s[i + m[0].length] ?? '')) break;
    i += m[0].length;
    if (mod === 'filter') {
      while (isBlank(s[i])) i++;
      i = /[a-zA-Z0-9"|]/.test(s[i] ?? 'a') ? i + (/^\S*/.exec(s.slice(i))?.[0].length ?? 0) : skipPattern(s, i + 1, s[i]!);
    }
  }
  const c = s[i];
  if (c === undefined) return -1;
  if (c === '\n' || c === '|') return i + 1;
  if (c === '"') return exRestOfLine(s, i).next; // a comment
  if (c === '!') {
    const r = exRestOfLine(s, i + 1);
    exShell(ctx, r.text);
    return r.next;
  }
  if (c === '@' || c === '*') {
    exAdd(ctx, unseen('vim runs a register as commands'));
    return exNextSep(s, i + 1, false);
  }
  let m = /^[a-zA-Z]+/.exec(s.slice(i, i + 64));
  if (!m) return exNextSep(s, i + 1, false);
  let typed = m[0];
  // `:py3`, `:py3do`, `:python3`, `:vim9cmd` carry a digit in their name.
  if (/(?:^py|^python|^vim)$/.test(typed) && /[39]/.test(s[i + typed.length] ?? '')) {
    m = /^[a-zA-Z]+[39][a-zA-Z]*/.exec(s.slice(i, i + 64));
    if (m) typed = m[0];
  }
  i += typed.length;
  let bang = false;
  if (s[i] === '!') {
    bang = true;
    i++;
  }
  const name = /^[A-Z]/.test(typed) ? undefined : exLookup(EX_COMMANDS, typed);
  let a = i;
  while (isBlank(s[a])) a++;
  if (name === undefined) return exNextSep(s, i, false);

  if (name === 'global' || name === 'vglobal') {
    const delim = s[a];
    if (delim === undefined || /[a-zA-Z0-9\\"|\n]/.test(delim)) return exNextSep(s, a, false);
    const end = skipPattern(s, a + 1, delim);
    const r = exRestOfLine(s, end);
    if (r.text.trim() !== '') exNested(r.text, ctx);
    return r.next;
  }
  if (name === 'read' && (bang || s[a] === '!')) {
    const r = exRestOfLine(s, bang ? i : a + 1);
    exShell(ctx, r.text);
    return r.next;
  }
  if (name === 'write' && s[a] === '!') {
    const r = exRestOfLine(s, a + 1);
    exShell(ctx, r.text);
    return r.next;
  }
  if (name === 'normal') {
    const r = exRestOfLine(s, a);
    if (/[!:@]|Q/.test(r.text)) exAdd(ctx, unseen('vim normal-mode keys run commands'));
    return r.next;
  }
  if (name === 'terminal') {
    const r = exRestOfLine(s, a);
    const cmd = r.text.replace(/^(?:\+\+\S+\s*)*/, '');
    if (cmd.trim() !== '') exShell(ctx, cmd);
    else exAdd(ctx, unseen('vim opens an interactive shell'));
    return r.next;
  }
  if (name === 'shell') {
    exAdd(ctx, unseen('vim opens an interactive shell'));
    return exNextSep(s, a, false);
  }
  const lang = LANG_COMMANDS[name];
  if (lang) return exLanguage(s, a, lang, ctx);
  if (name === 'tcl' || name === 'tcldo' || name === 'mzscheme') {
    exAdd(ctx, unseen('vim runs Tcl or Scheme code'));
    return exRestOfLine(s, a).next;
  }
  if (SCRIPT_FILE_COMMANDS.has(name)) {
    exAdd(ctx, unseen('vim runs a script file'));
    return name === 'source' || name === 'runtime' || name === 'packadd' ? exNextSep(s, a, false) : exRestOfLine(s, a).next;
  }
  if (name === 'make' || name === 'lmake' || name === 'grep' || name === 'grepadd' || name === 'lgrep' || name === 'lgrepadd') {
    // 'makeprg' and 'grepprg' run through the shell with the arguments appended.
    const r = exRestOfLine(s, a);
    exShell(ctx, name.includes('grep') ? `grep -n ${r.text.trim()} /dev/null` : `make ${r.text}`);
    return r.next;
  }
  if (DO_COMMANDS.has(name)) {
    const r = exRestOfLine(s, a);
    if (r.text.trim() !== '') exNested(r.text, ctx);
    return r.next;
  }
  if (name === 'autocmd' || name === 'command') {
    const r = exRestOfLine(s, a);
    const body = name === 'autocmd' ? autocmdBody(r.text) : userCommandBody(r.text);
    if (body.trim() !== '') exNested(body, ctx, true);
    return r.next;
  }
  if (name === 'execute') {
    const r = exUpToSep(s, a, true);
    vimExpr(r.text, ctx);
    const lit = vimLiteralSequence(vimTokens(r.text));
    if (lit !== null) exNested(lit, ctx);
    else if (r.text.trim() !== '') exAdd(ctx, unseen('vim :execute runs a command built at run time'));
    return r.next;
  }
  if (EXPR_COMMANDS.has(name)) {
    const r = exUpToSep(s, a, true);
    vimExpr(r.text, ctx);
    if (name === 'let') vimLetOption(r.text, ctx);
    return r.next;
  }
  if (name === 'set' || name === 'setlocal' || name === 'setglobal') {
    const r = exUpToSep(s, a, false);
    vimSetOptions(r.text, ctx);
    return r.next;
  }
  const r = exUpToSep(s, a, false);
  if (WRITE_COMMANDS.has(name) || FILE_COMMANDS.has(name)) vimBackticks(r.text, ctx);
  if (WRITE_COMMANDS.has(name)) {
    const path = r.text.replace(/^(?:\+\+\S+\s*)*/, '').replace(/^>>\s*/, '').trim();
    if (path !== '') exAdd(ctx, { kind: 'write', path: path.replace(/\\(.)/g, '$1'), dynamic: path.includes('`') });
  } else if (name === 'redir') {
    const w = /^(>>?)!?\s*(\S.*)$/.exec(r.text.trim());
    if (w) exAdd(ctx, { kind: 'write', path: w[2]!.trim(), dynamic: false });
  } else if (name === 'mksession' || name === 'mkvimrc' || name === 'mkexrc' || name === 'mkview') {
    const defaults: Record<string, string> = { mksession: 'Session.vim', mkvimrc: '.vimrc', mkexrc: '.exrc' };
    const path = r.text.trim() || defaults[name];
    if (path && !(name === 'mkview' && /^[0-9]?$/.test(path))) exAdd(ctx, { kind: 'write', path, dynamic: false });
  }
  return r.next;
}

/** `:python CODE`, `:lua CODE`, and their `<< EOF` … `EOF` heredocs. */
function exLanguage(s: string, a: number, lang: 'python' | 'perl' | 'ruby' | 'lua', ctx: ExCtx): number {
  const first = exRestOfLine(s, a);
  const here = /^<<\s*(?:trim\s+)?(?:eval\s+)?(\S*)\s*$/.exec(first.text);
  if (!here) {
    const code = first.text.replace(/^=\s*/, '');
    if (code.trim() !== '') exAdd(ctx, { kind: 'lang', lang, code });
    return first.next;
  }
  if (first.next < 0) return -1;
  const marker = here[1] || '.';
  const lines: string[] = [];
  let i = first.next;
  while (i >= 0 && i < s.length) {
    const line = exRestOfLine(s, i);
    if (line.text.trim() === marker) {
      i = line.next;
      break;
    }
    lines.push(line.text);
    i = line.next;
  }
  if (lines.join('').trim() !== '') exAdd(ctx, { kind: 'lang', lang, code: lines.join('\n') });
  return i;
}

function autocmdBody(text: string): string {
  const words = [...text.matchAll(/\S+/g)];
  let k = 0;
  // The group is optional; events are the known names, so a first word that is not one is the group.
  if (words[k] && !words[k]![0].split(',').every((e) => VIM_EVENT.test(e))) k++;
  k += 2;
  while (words[k] && /^(?:\+\+once|\+\+nested|nested)$/.test(words[k]![0])) k++;
  const w = words[k];
  return w ? text.slice(w.index) : '';
}

function userCommandBody(text: string): string {
  const words = [...text.matchAll(/\S+/g)];
  let k = 0;
  while (words[k] && words[k]![0].startsWith('-')) k++;
  const w = words[k + 1];
  return w ? text.slice(w.index) : '';
}

function vimBackticks(text: string, ctx: ExCtx): void {
  for (const m of text.matchAll(/`([^`]*)`/g)) {
    const inner = m[1]!;
    if (inner.startsWith('=')) vimExpr(inner.slice(1), ctx);
    else exShell(ctx, inner);
  }
}

function vimSetOptions(text: string, ctx: ExCtx): void {
  for (const m of text.matchAll(/(?:[^\s\\]|\\.)+/g)) {
    const item = /^(?:no|inv)?([a-z]+)[+^-]?[=:]([\s\S]*)$/.exec(m[0]);
    if (!item) continue;
    const value = item[2]!.replace(/\\(.)/g, '$1');
    if (VIM_SHELL_OPTIONS.test(item[1]!)) exShell(ctx, value);
    else if (VIM_EXPR_OPTIONS.test(item[1]!)) vimExpr(value, ctx);
  }
}

function vimLetOption(text: string, ctx: ExCtx): void {
  const m = /^\s*&(?:[lg]:)?([a-z]+)\s*[.+-]?\.?=\s*([\s\S]*)$/.exec(text);
  if (!m) return;
  const lit = vimLiteralSequence(vimTokens(m[2]!));
  if (VIM_SHELL_OPTIONS.test(m[1]!)) exAdd(ctx, lit !== null ? shell(lit) : unseen('vim sets a command option at run time'));
  else if (VIM_EXPR_OPTIONS.test(m[1]!) && lit !== null) vimExpr(lit, ctx);
}

// ---- vim expressions

type VTok = { t: 'str' | 'name' | 'op' | 'other'; v: string };

function vimStringEnd(s: string, i: number): number {
  const q = s[i];
  let j = i + 1;
  while (j < s.length && s[j] !== '\n') {
    if (q === '"' && s[j] === '\\') j += 2;
    else if (s[j] === q) {
      if (q === "'" && s[j + 1] === "'") j += 2;
      else return j + 1;
    } else j++;
  }
  return j;
}

function vimStringValue(raw: string): string {
  if (raw.startsWith("'")) return raw.slice(1, raw.endsWith("'") && raw.length > 1 ? -1 : undefined).replace(/''/g, "'");
  const body = raw.slice(1, raw.endsWith('"') && raw.length > 1 ? -1 : undefined);
  const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', e: '\x1b', '\\': '\\', '"': '"' };
  return body.replace(/\\(.)/g, (_, d: string) => esc[d] ?? d);
}

function vimTokens(s: string): VTok[] {
  const toks: VTok[] = [];
  let i = 0;
  while (i < s.length && toks.length < MAX_TOKENS) {
    const c = s[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '"' || c === "'") {
      const end = vimStringEnd(s, i);
      toks.push({ t: 'str', v: vimStringValue(s.slice(i, end)) });
      i = end;
    } else if (c === '$' && s[i + 1] === '"') {
      // An interpolated string is not a literal.
      const end = vimStringEnd(s, i + 1);
      toks.push({ t: 'other', v: s.slice(i, end) });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^(?:[gswtblav]:)?[A-Za-z_][A-Za-z0-9_#]*/.exec(s.slice(i, i + 256))!;
      toks.push({ t: 'name', v: m[0] });
      i += m[0].length;
    } else if (s.startsWith('->', i) || s.startsWith('..', i)) {
      toks.push({ t: 'op', v: s.slice(i, i + 2) });
      i += 2;
    } else if ('()[],.'.includes(c)) {
      toks.push({ t: 'op', v: c });
      i++;
    } else {
      toks.push({ t: 'other', v: c });
      i++;
    }
  }
  return toks;
}

/** The text of literal strings joined (`"a" . "b"` concatenates, `"a" "b"` is two :execute arguments), or null. */
function vimLiteralSequence(toks: VTok[]): string | null {
  if (toks.length === 0 || toks[0]!.t !== 'str') return null;
  let text = toks[0]!.v;
  for (let k = 1; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.t === 'op' && (t.v === '.' || t.v === '..') && toks[k + 1]?.t === 'str') {
      text += toks[++k]!.v;
    } else if (t.t === 'str') text += ' ' + t.v;
    else return null;
  }
  return text;
}

function vimList(toks: VTok[]): string[] | null {
  if (toks.length < 2 || toks[0]!.v !== '[' || toks[toks.length - 1]!.v !== ']') return null;
  const items: string[] = [];
  for (const part of splitTop(toks.slice(1, -1))) {
    if (part.length === 0) continue;
    const lit = vimLiteralSequence(part);
    if (lit === null) return null;
    items.push(lit);
  }
  return items;
}

function splitTop(toks: VTok[]): VTok[][] {
  const parts: VTok[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.t === 'op' && (t.v === '(' || t.v === '[')) depth++;
    else if (t.t === 'op' && (t.v === ')' || t.v === ']')) depth--;
    if (depth === 0 && t.t === 'op' && t.v === ',') parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

const VIM_SHELL_FUNCS: ReadonlySet<string> = new Set(['system', 'systemlist', 'jobstart', 'termopen', 'job_start', 'term_start']);
const VIM_EX_FUNCS: ReadonlySet<string> = new Set(['execute', 'nvim_command', 'nvim_exec', 'nvim_exec2', 'win_execute']);
const VIM_LANG_FUNCS: Readonly<Record<string, 'python' | 'perl' | 'ruby' | 'lua'>> = { pyeval: 'python', py3eval: 'python', pyxeval: 'python', luaeval: 'lua', perleval: 'perl', rubyeval: 'ruby' };
const VIM_OTHER_FUNCS: ReadonlySet<string> = new Set(['libcall', 'libcallnr', 'feedkeys']);

/** What a vim expression runs: system() and the other functions that start commands or code. */
export function vimExpression(text: string): Embedded[] {
  return readVim(text, vimExpr, 'vim expression vg cannot read');
}

function vimExpr(text: string, ctx: ExCtx): Embedded[] {
  const before = ctx.out.length;
  const toks = vimTokens(text);
  const b: Budget = { left: MAX_WORK };
  for (let k = 0; k < toks.length && !full(ctx.out) && b.left > 0; k++) {
    const t = toks[k]!;
    if (t.t === 'str' && (VIM_SHELL_FUNCS.has(t.v) || VIM_EX_FUNCS.has(t.v) || t.v in VIM_LANG_FUNCS)) {
      // call('system', […]), function('system'): the function is named, not called, so its arguments are not seen here.
      if (toks[k - 1]?.v === '(' && /^(?:call|function|funcref)$/.test(toks[k - 2]?.v ?? '')) exAdd(ctx, unseen('vim calls a function by name'));
      continue;
    }
    if (t.t !== 'name' || toks[k + 1]?.v !== '(') continue;
    const fn = t.v;
    const known = VIM_SHELL_FUNCS.has(fn) || VIM_EX_FUNCS.has(fn) || fn in VIM_LANG_FUNCS || VIM_OTHER_FUNCS.has(fn);
    if (!known) continue;
    let depth = 0;
    let close = -1;
    for (let j = k + 1; j < toks.length && b.left-- > 0; j++) {
      if (toks[j]!.v === '(' || toks[j]!.v === '[') depth++;
      else if ((toks[j]!.v === ')' || toks[j]!.v === ']') && --depth === 0) {
        close = j;
        break;
      }
    }
    const args = splitTop(toks.slice(k + 2, close < 0 ? toks.length : close));
    // `'cmd'->system()`: the base is the first argument.
    if (toks[k - 1]?.v === '->') args.unshift(toks[k - 2]?.t === 'str' && toks[k - 3]?.v !== '.' && toks[k - 3]?.v !== '..' ? [toks[k - 2]!] : [{ t: 'other', v: '?' }]);
    const arg = fn === 'win_execute' ? args[1] : args[0];
    vimCall(fn, arg ?? [], ctx);
  }
  return ctx.out.slice(before);
}

function vimCall(fn: string, arg: VTok[], ctx: ExCtx): void {
  const lit = vimLiteralSequence(arg);
  const list = lit === null ? vimList(arg) : null;
  if (VIM_SHELL_FUNCS.has(fn)) {
    if (lit !== null) exAdd(ctx, shell(lit));
    else if (list !== null && list.length > 0) exAdd(ctx, { kind: 'argv', argv: list, dynamic: false });
    else exAdd(ctx, unseen(`vim ${fn}() runs a command built at run time`));
  } else if (VIM_EX_FUNCS.has(fn)) {
    if (lit !== null) exNested(lit, ctx);
    else if (list !== null) for (const l of list) exNested(l, ctx);
    else exAdd(ctx, unseen(`vim ${fn}() runs commands built at run time`));
  } else if (fn in VIM_LANG_FUNCS) {
    if (lit !== null) exAdd(ctx, { kind: 'lang', lang: VIM_LANG_FUNCS[fn]!, code: lit });
    else exAdd(ctx, unseen(`vim ${fn}() runs code built at run time`));
  } else if (fn === 'feedkeys') {
    if (lit === null || /[!:@Q]/.test(lit)) exAdd(ctx, unseen('vim feeds keys that run commands'));
  } else exAdd(ctx, unseen('vim calls a function in a library'));
}

// ---------------------------------------------------------------------------------------------
// gdb: getopt_long_only with GNU abbreviations (`-ex`, `--eval=`, `-eval-command`), then its commands.

const GDB = grammar(
  '',
  'tui dbx readnow r readnever quiet q silent nh nx n batch-silent batch fullname f annotate= help se= symbols= s= exec= e= core= c= pid= p= ' +
    'command=>x eval-command=>ex version configuration x= ex= init-command=>ix init-eval-command=>iex ix= iex= early-init-command=>eix ' +
    'early-init-eval-command=>eiex eix= eiex= tclcommand= enable-external-editor editor-command= ui= interpreter= i= directory= d= data-directory= D= cd= tty= ' +
    'baud= b= nw nowindows w windows statistics write args l= return-child-result',
  Infinity,
  { longOnly: true, abbrev: true },
);

function gdbFindings(args: readonly Arg[], out: Out): void {
  // `--args PROG ARGS…`: what follows is the program and its arguments, not gdb's.
  const at = args.findIndex((a) => {
    const v = a.value.replace(/^--?/, '');
    return a.value.startsWith('-') && v.length >= 2 && 'args'.startsWith(v) && a.value !== '--';
  });
  const own = at < 0 ? args : args.slice(0, at);
  const items = getopt(own, GDB);
  for (const it of items) {
    if (it.kind !== 'opt' || !it.value) continue;
    if (it.name === 'ex' || it.name === 'iex' || it.name === 'eiex') scriptWord(it.value, gdbCommand, 'gdb command only known at run time', out);
    else if (it.name === 'x' || it.name === 'ix' || it.name === 'eix') add(out, unseen('gdb runs a command file'));
  }
  if (at >= 0) {
    // getopt has moved operands seen before `--args` behind it: they start the program's words.
    const prog = [...operandsOf(items), ...args.slice(at + 1)];
    if (prog.length > 0) add(out, { kind: 'argv', argv: prog.map((a) => a.value), dynamic: prog.some((a) => a.dynamic) });
  }
}

function gdbStringLiteral(text: string): string | null {
  const m = /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(text);
  if (!m) return null;
  const esc: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"' };
  return m[1]!.replace(/\\(.)/g, (_, d: string) => esc[d] ?? d);
}

const gdbIs = (word: string, full: string, min: number): boolean => word.length >= min && full.startsWith(word);

/** What one gdb command runs: `shell`/`!`, `pipe`/`|`, `python`/`pi`, `source`, `make`, `eval`, `call system(…)`. */
export function gdbCommand(text: string): Embedded[] {
  const out = started(text);
  try {
    gdbOne(clip(text), out, 0);
  } catch {
    add(out, unseen('gdb command vg cannot read'));
  }
  return finish(out);
}

function gdbOne(text: string, out: Out, depth: number): void {
  if (depth > MAX_DEPTH) return add(out, unseen('gdb commands nested too deep'));
  const t = text.replace(/^\s+/, '');
  if (t.startsWith('!')) return shellWord(t.slice(1).trim(), false, out);
  if (t.startsWith('|')) return gdbPipe(t.slice(1), out, depth);
  const m = /^([A-Za-z][\w-]*)\s*([\s\S]*)$/.exec(t);
  if (!m) return;
  const word = m[1]!;
  const rest = m[2]!;
  if (gdbIs(word, 'shell', 3)) return add(out, rest.trim() !== '' ? shell(rest.trim()) : unseen('gdb opens an interactive shell'));
  if (gdbIs(word, 'pipe', 3)) return gdbPipe(rest, out, depth);
  if (word === 'python' || word === 'py') return add(out, rest.trim() !== '' ? { kind: 'lang', lang: 'python', code: rest } : unseen('gdb reads Python code from its input'));
  if (word === 'pi' || gdbIs(word, 'python-interactive', 8)) return add(out, rest.trim() !== '' ? { kind: 'lang', lang: 'python', code: rest } : unseen('gdb opens a Python prompt'));
  if (gdbIs(word, 'guile', 2) || word === 'gr' || gdbIs(word, 'guile-repl', 7)) return add(out, unseen('gdb runs Guile code'));
  if (gdbIs(word, 'source', 2)) return add(out, unseen('gdb runs a command file'));
  // gdb's `make ARGS` is `shell make ARGS`.
  if (gdbIs(word, 'make', 3)) return add(out, shell(`make ${rest}`.trim()));
  if (gdbIs(word, 'compile', 4) || word === 'expression') return add(out, unseen('gdb compiles code into the program'));
  if (gdbIs(word, 'eval', 2)) {
    const lit = gdbStringLiteral(rest);
    if (lit !== null) return gdbOne(lit, out, depth + 1);
    return add(out, unseen('gdb eval runs a command built at run time'));
  }
  if (['r', 'ru', 'run', 'start', 'starti'].includes(word) || (word === 'set' && /^args\b/.test(rest))) {
    // The program is started through /bin/sh, which expands its arguments.
    const argText = word === 'set' ? rest.replace(/^args\s*/, '') : rest;
    if (/[$`;|&()<>\n]/.test(argText)) add(out, shell(`: ${argText}`));
    return;
  }
  if (['call', 'print', 'p', 'output', 'inspect', 'set'].includes(word) || gdbIs(word, 'print', 2) || gdbIs(word, 'call', 3)) {
    // Calling the debugged program's own system().
    for (const c of rest.matchAll(/\b(system|popen|exec[lv]p?e?)\s*\(([^)]*)\)?/g)) {
      const lit = c[1] === 'system' ? gdbStringLiteral(c[2] ?? '') : null;
      add(out, lit !== null ? shell(lit) : unseen('gdb calls a function that runs a command'));
    }
  }
}

function gdbPipe(rest: string, out: Out, depth: number): void {
  let body = rest;
  let delim = '|';
  const d = /^\s*-d\s+(\S+)\s*([\s\S]*)$/.exec(body);
  if (d) {
    delim = d[1]!;
    body = d[2]!;
  }
  const at = body.indexOf(delim);
  if (at < 0) return;
  const gdbPart = body.slice(0, at);
  if (gdbPart.trim() !== '') gdbOne(gdbPart, out, depth + 1);
  const sh = body.slice(at + delim.length).trim();
  if (sh !== '') add(out, shell(sh));
}

// ---------------------------------------------------------------------------------------------
// ssh and friends: `-o Key=Value` options whose value runs on this machine.

const SSH_SHORT = '46AaCfGgKkMNnqsTtVvXxYyB:b:c:D:E:e:F:I:i:J:L:l:m:O:o:P:p:Q:R:S:W:w:';
const SSH = grammar(SSH_SHORT, '', 1);
const AUTOSSH = grammar(SSH_SHORT + 'M:', '', 1);
const SCP = grammar('12346ABCTdfOpqRrstvD:F:J:P:S:X:c:i:l:o:', '', 0);
const SFTP = grammar('1246AafhNpqrvCc:D:i:l:o:s:S:b:B:F:J:P:R:X:', '', 0);
const SSHFS = grammar('hVdfsC1p:F:o:', '', Infinity);

/** One ssh configuration option given on the command line (`ProxyCommand=…`, `ProxyCommand …`). */
function sshOption(text: string, dynamic: boolean, out: Out): void {
  const m = /^\s*([A-Za-z0-9]+)(?:\s*=\s*|\s+)([\s\S]*)$/.exec(text);
  if (!m) {
    if (dynamic) add(out, unseen('ssh option only known at run time'));
    return;
  }
  const key = m[1]!.toLowerCase();
  // ssh takes the command as the rest of the option, any further `=` and spaces skipped.
  const value = m[2]!.replace(/^[\s=]+/, '');
  if (key === 'proxycommand' || key === 'localcommand' || key === 'knownhostscommand') {
    if (!(key === 'proxycommand' && value.trim().toLowerCase() === 'none')) shellWord(value, dynamic, out);
  } else if ((key === 'pkcs11provider' || key === 'securitykeyprovider') && !/^(?:none|internal)$/i.test(value.trim())) {
    add(out, unseen('ssh loads a library'));
  }
}

function sshFindings(name: string, args: readonly Arg[], out: Out): void {
  const g = name === 'scp' ? SCP : name === 'sftp' ? SFTP : name === 'sshfs' ? SSHFS : name === 'autossh' ? AUTOSSH : SSH;
  for (const it of getopt(args, g)) {
    if (it.kind !== 'opt' || !it.value) continue;
    const v = it.value;
    if (it.name === 'o' && name === 'sshfs') {
      // FUSE options: comma-separated, `\,` keeps a comma.
      for (const part of v.value.split(/(?<!\\),/)) {
        const o = part.replace(/\\,/g, ',');
        const eq = o.indexOf('=');
        if (eq > 0 && o.slice(0, eq).toLowerCase() === 'ssh_command') {
          const argv = splitWords(o.slice(eq + 1));
          if (argv.length > 0 || v.dynamic) add(out, { kind: 'argv', argv, dynamic: v.dynamic });
        } else sshOption(o, v.dynamic, out);
      }
    } else if (it.name === 'o') sshOption(v.value, v.dynamic, out);
    else if (it.name === 'I' && (g === SSH || g === AUTOSSH)) add(out, unseen('ssh loads a library'));
    else if (it.name === 'S' && (name === 'scp' || name === 'sftp')) add(out, { kind: 'argv', argv: [v.value], dynamic: v.dynamic });
    else if (it.name === 'D' && (name === 'scp' || name === 'sftp')) add(out, { kind: 'argv', argv: splitWords(v.value), dynamic: v.dynamic });
    else if (it.name === 'b' && name === 'sftp') add(out, unseen('sftp runs a batch file, which can run local commands'));
  }
}

// ---------------------------------------------------------------------------------------------
// rsync (popt: options anywhere, `-e` attached in a cluster, no abbreviations).

const RSYNC = grammar(
  'e:B:f:T:@:M:',
  'rsh=>e block-size=>B filter=>f temp-dir=>T modify-window=>@ remote-option=>M rsync-path= exclude= exclude-from= include= include-from= files-from= ' +
    'compare-dest= copy-dest= link-dest= partial-dir= backup-dir= suffix= chmod= chown= usermap= groupmap= max-delete= max-size= min-size= max-alloc= ' +
    'timeout= contimeout= port= sockopts= bwlimit= log-file= log-file-format= out-format= password-file= protocol= iconv= checksum-choice= cc= ' +
    'compress-choice= zc= compress-level= zl= skip-compress= outbuf= address= config= dparam= write-batch= only-write-batch= read-batch= info= debug= ' +
    'stderr= checksum-seed= early-input= stop-after= stop-at= time-limit= copy-as= log-format=',
  Infinity,
  { eqShort: true },
);

function rsyncFindings(args: readonly Arg[], out: Out): void {
  for (const v of opts(getopt(args, RSYNC), 'e')) shellWord(v.value, v.dynamic, out);
}

// ---------------------------------------------------------------------------------------------
// tar: old-style first word (`tar xfI a.tar CMD`), then getopt_long with GNU abbreviations.

const TAR = grammar(
  'b:C:f:F:g:H:I:K:L:N:T:V:X:',
  'to-command= checkpoint-action= use-compress-program=>I info-script=>F new-volume-script=>F rsh-command= rmt-command= set-mtime-command= ' +
    'add-file= after-date=>N newer=>N atime-preserve? backup? blocking-factor=>b checkpoint? directory=>C exclude= exclude-from=>X exclude-ignore= ' +
    'exclude-ignore-recursive= exclude-tag= exclude-tag-all= exclude-tag-under= file=>f files-from=>T format=>H group= group-map= hole-detection= ' +
    'index-file= label=>V level= listed-incremental=>g mode= mtime= newer-mtime= no-quote-chars= occurrence? one-top-level? owner= owner-map= ' +
    'pax-option= quote-chars= quoting-style= record-size= sort= sparse-version= starting-file=>K strip-components= suffix= tape-length=>L totals? ' +
    'transform= volno-file= warning= xattrs-exclude= xattrs-include= xform= set-mtime-format= ' +
    'absolute-names acls anchored append auto-compress block-number bzip2 catenate check-device check-links clamp-mtime compare compress concatenate ' +
    'confirmation create delay-directory-restore delete dereference diff exclude-backups exclude-caches exclude-caches-all exclude-caches-under ' +
    'exclude-vcs exclude-vcs-ignores extract force-local full-time get gunzip gzip hard-dereference help ignore-case ignore-command-error ' +
    'ignore-failed-read ignore-zeros incremental interactive keep-directory-symlink keep-newer-files keep-old-files list lzip lzma lzop multi-volume ' +
    'no-acls no-anchored no-auto-compress no-check-device no-delay-directory-restore no-ignore-case no-ignore-command-error no-null no-overwrite-dir ' +
    'no-recursion no-same-owner no-same-permissions no-seek no-selinux no-unquote no-verbatim-files-from no-wildcards no-wildcards-match-slash ' +
    'no-xattrs null numeric-owner old-archive one-file-system overwrite overwrite-dir portability posix preserve-order preserve-permissions ' +
    'read-full-records recursion recursive-unlink remove-files restrict same-order same-owner same-permissions seek selinux show-defaults ' +
    'show-omitted-dirs show-snapshot-field-ranges show-stored-names show-transformed-names skip-old-files sparse test-label to-stdout touch ' +
    'uncompress ungzip unlink-first unquote update usage utc verbatim-files-from verbose verify version wildcards wildcards-match-slash xattrs xz zstd',
  Infinity,
  { abbrev: true },
);
// bsdtar's -I is --files-from, not a compressor.
const BSDTAR = grammar('b:C:f:I:s:T:X:', 'to-command= checkpoint-action= use-compress-program= rsh-command= rmt-command= files-from=>T directory=>C file=>f format=', Infinity);

function tarFindings(name: string, args: readonly Arg[], out: Out): void {
  let words = [...args];
  const first = words[0];
  if (first && first.value !== '' && !first.value.startsWith('-')) {
    // Old style: each letter that takes a value takes the next word, in order.
    const letters = first.value;
    const g = name === 'bsdtar' ? BSDTAR : TAR;
    const rebuilt: Arg[] = [];
    let k = 1;
    for (const c of letters) {
      rebuilt.push({ value: '-' + c, dynamic: first.dynamic });
      if ((g.short.get(c) ?? 0) === 1 && k < words.length) rebuilt.push(words[k++]!);
    }
    words = [...rebuilt, ...words.slice(k)];
  }
  const items = getopt(words, name === 'bsdtar' ? BSDTAR : TAR);
  for (const it of items) {
    if (it.kind !== 'opt' || !it.value) continue;
    const v = it.value;
    switch (it.name) {
      case 'to-command':
      case 'I':
      case 'use-compress-program':
      case 'F':
      case 'set-mtime-command':
        if (name === 'bsdtar' && it.name === 'I') break;
        shellWord(v.value, v.dynamic, out);
        break;
      case 'checkpoint-action':
        if (v.value.startsWith('exec=')) shellWord(v.value.slice(5), v.dynamic, out);
        else if (v.dynamic) add(out, unseen('tar checkpoint action only known at run time'));
        break;
      case 'rsh-command':
      case 'rmt-command':
        add(out, { kind: 'argv', argv: [v.value], dynamic: v.dynamic });
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// zip: the test command (`-T` runs it through the shell).

function zipFindings(args: readonly Arg[], out: Out): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = a.value;
    if (v === '--') break;
    let code: Arg | undefined;
    if (v === '-TT' || v === '--unzip-command') code = args[++i];
    else if (v.startsWith('-TT')) code = { value: v.slice(v[3] === '=' ? 4 : 3), dynamic: a.dynamic };
    else if (v.startsWith('--unzip-command=')) code = { value: v.slice(16), dynamic: a.dynamic };
    if (code) shellWord(code.value, code.dynamic, out);
  }
}

// ---------------------------------------------------------------------------------------------
// man (man-db, argp): the pager and the HTML browser run through the shell.

const MAN = grammar(
  'C:R:L:m:M:S:s:e:P:r:E:p:H::T::X::',
  'pager=>P html?>H config-file=>C recode=>R locale=>L systems=>m manpath=>M sections=>S extension=>e prompt=>r encoding=>E preprocessor=>p ' +
    'troff-device?>T gxditview?>X warnings? debug default whatis apropos global-apropos local-file where path location where-cat location-cat catman ' +
    'ignore-case match-case regex wildcard names-only all update no-subpages ascii no-hyphenation nh no-justification nj troff ditroff help usage version',
  Infinity,
  { abbrev: true },
);

function manFindings(args: readonly Arg[], out: Out): void {
  for (const v of opts(getopt(args, MAN), 'P', 'H')) shellWord(v.value, v.dynamic, out);
}

// ---------------------------------------------------------------------------------------------
// git config: values git runs through the shell later, whenever the setting is used.

const GIT_VALUE_OPTS: ReadonlySet<string> = new Set(['-C', '-c', '--config-env', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--attr-source', '--list-cmds']);
const GIT_BOOL = /^(?:true|false|yes|no|on|off|1|0|)$/i;

/** What setting `key` to `value` makes git run later (deferred shell code), [] when nothing. */
export function gitConfigCode(key: string, value: string, dynamic = false): Embedded[] {
  const k = key.toLowerCase();
  const dot = k.lastIndexOf('.');
  const section = k.slice(0, k.indexOf('.'));
  const last = k.slice(dot + 1);
  const code = (c: string): Embedded[] => (c.trim() === '' && !dynamic ? [] : [{ kind: 'shell', code: clip(c), dynamic, deferred: true }]);
  if (dot < 0) return [];
  if (section === 'alias') return value.startsWith('!') ? code(value.slice(1).trimStart()) : dynamic ? code(value) : [];
  if (section === 'credential' && last === 'helper') {
    // A helper name means `git credential-NAME`; `!…` is shell and an absolute path is run as a command.
    if (value.startsWith('!')) return code(value.slice(1).trimStart());
    return value.startsWith('/') || dynamic ? code(value) : [];
  }
  if (section === 'submodule' && last === 'update') return value.startsWith('!') ? code(value.slice(1).trimStart()) : [];
  if (section === 'pager' || k === 'core.fsmonitor') return GIT_BOOL.test(value.trim()) && !dynamic ? [] : code(value);
  if (k === 'sendemail.smtpserver' || /^sendemail\.[^.]+\.smtpserver$/.test(k)) return value.startsWith('/') ? code(value) : [];
  if (section === 'include' || section === 'includeif') return last === 'path' ? [unseen('git config includes another file')] : [];
  const exact = ['core.pager', 'core.sshcommand', 'core.editor', 'core.askpass', 'core.gitproxy', 'core.alternaterefscommand', 'sequence.editor', 'diff.external', 'gpg.program', 'interactive.difffilter', 'imap.tunnel', 'web.browser', 'uploadpack.packobjectshook', 'gpg.ssh.defaultkeycommand'];
  if (exact.includes(k)) return code(value);
  if (section === 'gpg' && last === 'program') return code(value);
  if (['textconv', 'command', 'cmd', 'process', 'clean', 'smudge'].includes(last)) return code(value);
  if (section === 'sendemail' && last.endsWith('cmd')) return code(value);
  if (section === 'merge' && last === 'driver') return code(value);
  if (['mergetool', 'difftool', 'browser', 'man'].includes(section) && last === 'path') return code(value);
  if (section === 'remote' && (last === 'uploadpack' || last === 'receivepack')) return code(value);
  return [];
}

const GIT_CONFIG_ACTIONS_READ = /^(?:get|get-all|get-regexp|get-urlmatch|get-color|get-colorbool|unset|unset-all|rename-section|remove-section|list|edit)$/;
const GIT_CONFIG_LONG = [
  'get', 'get-all', 'get-regexp', 'get-urlmatch', 'get-color', 'get-colorbool', 'unset', 'unset-all', 'rename-section', 'remove-section', 'list', 'edit',
  'add', 'replace-all', 'global', 'system', 'local', 'worktree', 'file', 'blob', 'type', 'default', 'comment', 'value', 'bool', 'int', 'bool-or-int',
  'bool-or-str', 'path', 'expiry-date', 'null', 'name-only', 'show-origin', 'show-scope', 'includes', 'no-includes', 'fixed-value', 'all', 'append',
  'regexp', 'url', 'no-type', 'no-value', 'no-fixed-value', 'no-name-only', 'no-show-origin', 'no-show-scope',
];
const GIT_CONFIG_VALUE = new Set(['file', 'blob', 'type', 'default', 'comment', 'value', 'url']);

function gitFindings(args: readonly Arg[], out: Out): void {
  let i = 0;
  while (i < args.length && args[i]!.value.startsWith('-') && args[i]!.value !== '--') {
    i += GIT_VALUE_OPTS.has(args[i]!.value) ? 2 : 1;
  }
  if (args[i]?.value !== 'config') return;
  const rest = args.slice(i + 1);
  const positional: Arg[] = [];
  let reads = false;
  let subcommand: string | null = null;
  for (let k = 0; k < rest.length; k++) {
    const v = rest[k]!.value;
    const legacy = subcommand === null;
    // The legacy form stops reading options at the key; `git config set …` reads them anywhere.
    if (v === '--') {
      positional.push(...rest.slice(k + 1));
      break;
    }
    if (v.startsWith('--') && (!legacy || positional.length === 0)) {
      const body = v.slice(2);
      const eq = body.indexOf('=');
      const typed = eq < 0 ? body : body.slice(0, eq);
      const hits = GIT_CONFIG_LONG.filter((n) => n.startsWith(typed));
      const opt = GIT_CONFIG_LONG.includes(typed) ? typed : hits.length === 1 ? hits[0]! : typed;
      if (GIT_CONFIG_ACTIONS_READ.test(opt)) reads = true;
      if (GIT_CONFIG_VALUE.has(opt) && eq < 0) k++;
      continue;
    }
    if (v.startsWith('-') && v.length > 1 && (!legacy || positional.length === 0)) {
      if (/[le]/.test(v.slice(1))) reads = true;
      if (v === '-f' || v === '-t') k++;
      continue;
    }
    if (legacy && positional.length === 0 && /^(?:list|get|set|unset|rename-section|remove-section|edit)$/.test(v)) {
      subcommand = v;
      if (v !== 'set') reads = true;
      continue;
    }
    positional.push(rest[k]!);
  }
  if (reads || positional.length < 2) return;
  const [key, value] = positional as [Arg, Arg];
  if (key.dynamic) {
    add(out, unseen('git config sets a key only known at run time'));
    return;
  }
  for (const e of gitConfigCode(key.value, value.value, value.dynamic)) add(out, e);
}

// ---------------------------------------------------------------------------------------------

const AWK_NAMES = ['awk', 'gawk', 'mawk', 'nawk', 'original-awk'];
const SSH_NAMES = ['ssh', 'scp', 'sftp', 'autossh', 'sshfs'];
const TAR_NAMES = ['tar', 'gtar', 'bsdtar'];

/** Programs this module knows (basename). */
export const EMBEDDING: ReadonlySet<string> = new Set([
  'sed', 'gsed', ...AWK_NAMES, ...VIM_NAMES, 'gdb', 'gdb-multiarch', ...SSH_NAMES, 'rsync', ...TAR_NAMES, 'zip', 'man', 'git',
]);

/** What program `name` (a basename) with arguments `args` (argv without argv[0]) runs or writes besides its own work. [] when nothing. */
export function embeddedCode(name: string, args: readonly Arg[]): Embedded[] {
  const out: Out = [];
  try {
    const words = args.length > 4096 ? args.slice(0, 4096) : args;
    if (name === 'sed' || name === 'gsed') sedFindings(words, out);
    else if (AWK_NAMES.includes(name)) awkFindings(words, out);
    else if (VIM_SET.has(name)) vimFindings(name, words, out);
    else if (name === 'gdb' || name === 'gdb-multiarch') gdbFindings(words, out);
    else if (SSH_NAMES.includes(name)) sshFindings(name, words, out);
    else if (name === 'rsync') rsyncFindings(words, out);
    else if (TAR_NAMES.includes(name)) tarFindings(name, words, out);
    else if (name === 'zip') zipFindings(words, out);
    else if (name === 'man') manFindings(words, out);
    else if (name === 'git') gitFindings(words, out);
  } catch {
    add(out, unseen(`${name} options vg cannot read`));
  }
  return finish(out);
}
