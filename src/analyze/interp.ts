// Code handed to python/node/perl/ruby/php/lua/R/Tcl on the command line: not parsed as those
// languages (too big a surface), but scanned for the calls that run commands or delete trees, and
// their arguments read as the language writes them — a string, a list, a concatenation, an
// interpolation — so `python3 -c "import os; os.system('rm -rf /')"` is judged as `rm -rf /`,
// `system("rm", "-rf", $ENV{HOME})` as `rm -rf ~` and `os.system("rm -rf " + x)` as `rm -rf <unknown>`.

export type CodeFinding =
  | { kind: 'shell'; code: string }
  | { kind: 'argv'; argv: string[] }
  | { kind: 'dynamic-shell'; call: string }
  | { kind: 'fork-bomb' };

export type Language = 'python' | 'js' | 'perl' | 'ruby' | 'php' | 'lua' | 'r' | 'tcl';

const MAX_CODE = 32 * 1024;
const MAX_FINDINGS = 64;

/** An argv word whose value is known only at run time (interpreterCode makes it a dynamic word). */
export const DYNAMIC_WORD = '$DYNAMIC';
/** The same, inside shell code: a parameter no shell sets, so the shell analyzer sees an unknown value. */
const DYNAMIC_IN_SHELL = '${__vg_unknown}';

/** Language family of an interpreter name. */
export function languageOf(name: string): Language | undefined {
  if (/^(python[\d.]*|pypy\d*)$/.test(name)) return 'python';
  if (name === 'node' || name === 'nodejs' || name === 'deno' || name === 'bun') return 'js';
  if (name === 'perl') return 'perl';
  if (name === 'ruby') return 'ruby';
  if (name === 'php') return 'php';
  if (/^(lua[\d.]*|luajit)$/.test(name)) return 'lua';
  if (name === 'Rscript' || name === 'R') return 'r';
  if (/^(tclsh[\d.]*|wish[\d.]*|expect)$/.test(name)) return 'tcl';
  return undefined;
}

/** The flag that introduces inline code for each language. */
export function inlineCodeFlags(lang: Language): readonly string[] {
  switch (lang) {
    case 'python':
      return ['-c'];
    case 'js':
      return ['-e', '--eval', '-p', '--print'];
    case 'perl':
    case 'ruby':
    case 'lua':
    case 'r':
      return ['-e', ...(lang === 'perl' ? ['-E'] : [])];
    case 'php':
      return ['-r'];
    case 'tcl':
      return ['-c'];
  }
}

/** A program line that runs `code` in `lang` inline: how an interpreter's script file is judged. */
export function inlineCommand(lang: Language): string {
  return { python: 'python3 -c', js: 'node -e', perl: 'perl -e', ruby: 'ruby -e', php: 'php -r', lua: 'lua -e', r: 'Rscript -e', tcl: 'expect -c' }[lang];
}

/** The program a `#!` line runs (through `env` too), by name; null without one. Pure. */
export function shebangProgram(head: string): string | null {
  if (!head.startsWith('#!')) return null;
  const words = head.slice(2).split('\n', 1)[0]!.trim().split(/\s+/);
  let prog = words[0] ?? '';
  let i = 1;
  if (prog.endsWith('/env')) {
    while (i < words.length && words[i]!.startsWith('-')) i++;
    prog = words[i] ?? '';
  }
  return prog.slice(prog.lastIndexOf('/') + 1) || null;
}

// ---- reading call arguments ---------------------------------------------------------------------

/** A piece of a string vg cannot know (a variable, a call); `home` when it is the home directory. */
interface Unknown {
  unknown: true;
  home: boolean;
}
type Piece = string | Unknown;
type Arg =
  | { kind: 'str'; parts: Piece[] }
  | { kind: 'list'; items: Arg[] }
  | { kind: 'kw'; name: string; value: Arg }
  | { kind: 'obj'; text: string };

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const QUOTES = /['"`]/;

/** Index just past the string literal starting at `i` (a quote), or the text's end. */
function skipString(s: string, i: number): number {
  const q = s[i]!;
  for (let k = i + 1; k < s.length; k++) {
    if (s[k] === '\\') k++;
    else if (s[k] === q) return k + 1;
  }
  return s.length;
}

/** `s` split at top-level occurrences of `sep` (outside strings and brackets). */
function splitTop(s: string, sep: RegExp): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (QUOTES.test(c)) {
      i = skipString(s, i) - 1;
      continue;
    }
    if (c in OPEN) depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0) {
      sep.lastIndex = i;
      const m = sep.exec(s);
      if (m && m.index === i) {
        out.push(s.slice(start, i));
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  out.push(s.slice(start));
  return out;
}

/** The text up to the bracket that closes one already open (string-aware). */
function closing(s: string): string {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (QUOTES.test(c)) i = skipString(s, i) - 1;
    else if (c in OPEN) depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth-- === 0) return s.slice(0, i);
  }
  return s;
}

/** The statement after a call written without parentheses (`system "…", "…";`): up to `;`, a newline or a closing bracket. */
function statement(s: string): string {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (QUOTES.test(c)) i = skipString(s, i) - 1;
    else if (c in OPEN) depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth-- === 0) return s.slice(0, i);
    } else if (depth === 0 && (c === ';' || c === '\n' || (c === 'o' && /^or\b/.test(s.slice(i)) && /\s/.test(s[i - 1] ?? ' ')))) return s.slice(0, i);
  }
  return s;
}

const HOME_EXPR =
  /homedir\(\)|Path\.home\(\)|env\.HOME\b|ENV\[\s*['"]HOME['"]\s*\]|\$ENV\{\s*['"]?HOME['"]?\s*\}|getenv\(\s*['"]HOME['"]\s*\)|environ\[\s*['"]HOME['"]\s*\]|environ\.get\(\s*['"]HOME['"]|Sys\.getenv\(\s*['"]HOME['"]|Dir\.home\b|ENV\.fetch\(\s*['"]HOME['"]|\$_SERVER\[\s*['"]HOME['"]\s*\]|^\$HOME$|^~$|env\(\s*['"]HOME['"]\s*\)|\$::env\(HOME\)/;

const unknown = (expr: string): Unknown => ({ unknown: true, home: HOME_EXPR.test(expr.trim()) });

/** The pieces of a string literal's body: escapes undone, interpolations unknown (or home). */
function literalPieces(body: string, quote: string, prefix: string, lang: Language): Piece[] {
  const out: Piece[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push(text);
    text = '';
  };
  const raw = /r/i.test(prefix) && lang === 'python';
  const interp =
    lang === 'python' ? /f/i.test(prefix) : lang === 'js' ? quote === '`' : lang === 'ruby' ? quote !== "'" : lang === 'perl' || lang === 'php' ? quote === '"' || quote === '`' : lang === 'tcl' ? quote === '"' : false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && !raw && i + 1 < body.length) {
      const n = body[++i]!;
      text += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      continue;
    }
    if (interp) {
      // Python f'{x}', JS `${x}`, Ruby "#{x}": up to the matching brace.
      const open = lang === 'python' ? (c === '{' && body[i + 1] !== '{' ? 1 : 0) : lang === 'js' ? (c === '$' && body[i + 1] === '{' ? 2 : 0) : lang === 'ruby' ? (c === '#' && body[i + 1] === '{' ? 2 : 0) : 0;
      if (lang === 'python' && c === '{' && body[i + 1] === '{') {
        text += '{';
        i++;
        continue;
      }
      if (open > 0) {
        const inner = closing(body.slice(i + open));
        flush();
        out.push(unknown(inner.replace(/[!:][^}]*$/, '')));
        i += open + inner.length;
        continue;
      }
      // Perl/PHP/Tcl "$name", "${name}", "$ENV{HOME}", "$a[1]", "$x->y"; Tcl "[cmd]".
      if ((lang === 'perl' || lang === 'php' || lang === 'tcl') && c === '$' && /[\w{:]/.test(body[i + 1] ?? '')) {
        const m = /^\$(\{[^}]*\}|::env\([^)]*\)|\w+(?:::\w+)*(?:\{[^}]*\}|\[[^\]]*\]|->\w+|\([^)]*\))*)/.exec(body.slice(i));
        const expr = m ? m[0] : '$';
        flush();
        out.push(unknown(expr === '${HOME}' ? '$HOME' : expr));
        i += expr.length - 1;
        continue;
      }
      if (lang === 'tcl' && c === '[') {
        const inner = closing(body.slice(i + 1));
        flush();
        out.push(unknown(inner));
        i += inner.length + 1;
        continue;
      }
    }
    text += c;
  }
  flush();
  return out;
}

/** Python's "…%s…" % x and "…{}…".format(x): the placeholders become unknown pieces. */
function formatted(parts: Piece[], re: RegExp): Piece[] {
  const out: Piece[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') {
      out.push(p);
      continue;
    }
    let last = 0;
    for (const m of p.matchAll(re)) {
      if (m.index! > last) out.push(p.slice(last, m.index));
      out.push({ unknown: true, home: false });
      last = m.index! + m[0].length;
    }
    if (last < p.length) out.push(p.slice(last));
  }
  return out;
}

const STRING_START = /^([rRbBfFuU]{0,2})(['"`])/;

/** One term of a concatenation: a string literal (with any trailing method calls), a join of paths, or an unknown. */
function term(t: string, lang: Language): Arg {
  const s = t.trim();
  const m = STRING_START.exec(s);
  if (m && (m[1] === '' || lang === 'python')) {
    const start = m[1]!.length;
    const end = skipString(s, start);
    let parts = literalPieces(s.slice(start + 1, end - 1), m[2]!, m[1]!, lang);
    const rest = s.slice(end).trim();
    if (lang === 'python' && /^\.format\(/.test(rest)) parts = formatted(parts, /\{[^{}]*\}/g);
    // "rm -rf ~".split() → the words; other methods (.strip(), .encode()) leave the text as it is.
    if (/^\.split\(\s*\)/.test(rest) && parts.every((p) => typeof p === 'string')) {
      return { kind: 'list', items: parts.join('').split(/\s+/).filter(Boolean).map((w) => ({ kind: 'str', parts: [w] })) };
    }
    return { kind: 'str', parts };
  }
  // os.path.join(HOME, 'x'), path.join(…), File.join(…), file.path(…): the parts with slashes.
  const join = /^(?:os\.path\.join|path\.join|path\.resolve|File\.join|file\.path|Path)\(/.exec(s);
  if (join) {
    const args = parseArgs(closing(s.slice(join[0].length)), lang).filter((a) => a.kind === 'str' || a.kind === 'list');
    const parts: Piece[] = [];
    args.forEach((a, k) => {
      if (k > 0) parts.push('/');
      parts.push(...(a.kind === 'str' ? a.parts : [{ unknown: true, home: false } as Unknown]));
    });
    return { kind: 'str', parts };
  }
  // os.path.expanduser('~/x'), File.expand_path('~/x'): the literal with its tilde.
  const expand = /^(?:os\.path\.expanduser|File\.expand_path|path\.expand)\(\s*(['"])((?:\\.|(?!\1)[^\\])*)\1\s*\)$/.exec(s);
  if (expand) return { kind: 'str', parts: [expand[2]!] };
  return { kind: 'str', parts: [unknown(s)] };
}

/** An expression: a list, keyword, options object, or a concatenation of terms. */
function expr(text: string, lang: Language): Arg | undefined {
  const s = text.trim();
  if (!s) return undefined;
  const kw = /^(?::?([A-Za-z_][\w.]*)\s*(?:=(?!=)|=>|:(?!:))|['"]([A-Za-z_]\w*)['"]\s*=>)\s*([\s\S]*)$/.exec(s);
  if (kw) {
    const value = expr(kw[3]!, lang);
    if (value) return { kind: 'kw', name: kw[1] ?? kw[2]!, value };
  }
  if (s.startsWith('{')) return { kind: 'obj', text: s };
  const list = /^(?:\[|\(|c\(|list\(|array\()/.exec(s);
  if (list && closing(s.slice(list[0].length)).length === s.length - list[0].length - 1) {
    return { kind: 'list', items: parseArgs(s.slice(list[0].length, -1), lang) };
  }
  // Concatenation: + (Python, JS, Ruby), . (Perl, PHP), .. (Lua), << (Ruby); Python's % formatting.
  const ops = lang === 'perl' || lang === 'php' ? /\s*\.(?!\d)\s*/y : lang === 'lua' ? /\s*\.\.\s*/y : lang === 'ruby' ? /\s*(?:\+|<<)\s*/y : /\s*\+\s*/y;
  const pct = lang === 'python' ? splitTop(s, /\s*%\s*/y) : [s];
  const terms = splitTop(pct[0]!, ops).map((t) => term(t, lang));
  let parts: Piece[] = terms.flatMap((t) => (t.kind === 'str' ? t.parts : [{ unknown: true, home: false } as Unknown]));
  if (terms.length === 1 && terms[0]!.kind === 'list') return terms[0];
  if (pct.length > 1) parts = formatted(parts, /%[-#0 +]*\d*(?:\.\d+)?[sdrifxXoc]/g);
  return { kind: 'str', parts };
}

function parseArgs(text: string, lang: Language): Arg[] {
  return splitTop(text, /,/y)
    .map((t) => expr(t, lang))
    .filter((a): a is Arg => a !== undefined);
}

const known = (a: Arg): boolean => a.kind === 'str' && a.parts.every((p) => typeof p === 'string');
const pieceText = (p: Piece, inShell: boolean): string => (typeof p === 'string' ? p : p.home ? '~' : inShell ? DYNAMIC_IN_SHELL : DYNAMIC_WORD);
/** An argv word: its text when known (home as ~), else the dynamic marker. */
function word(a: Arg): string {
  if (a.kind !== 'str') return DYNAMIC_WORD;
  if (a.parts.every((p) => typeof p === 'string' || p.home)) return a.parts.map((p) => pieceText(p, false)).join('');
  return DYNAMIC_WORD;
}
const words = (args: Arg[]): string[] => args.flatMap((a) => (a.kind === 'list' ? a.items.map(word) : a.kind === 'str' ? [word(a)] : []));

/** Arguments as one command text, separated by spaces (a shell joins them so). */
function joined(args: Arg[]): Arg {
  const parts: Piece[] = [];
  for (const a of args.flatMap((x) => (x.kind === 'list' ? x.items : [x]))) {
    if (parts.length) parts.push(' ');
    parts.push(...(a.kind === 'str' ? a.parts : [{ unknown: true, home: false } as Unknown]));
  }
  return { kind: 'str', parts };
}

/** Findings for shell code given as one argument: the code with unknown parts as unknown parameters. */
function shellCode(a: Arg, call: string): CodeFinding[] {
  if (a.kind === 'list') return [{ kind: 'argv', argv: a.items.map(word) }];
  if (a.kind !== 'str') return [{ kind: 'dynamic-shell', call }];
  const code = a.parts.map((p) => pieceText(p, true)).join('');
  const dyn = a.parts.some((p) => typeof p !== 'string' && !p.home);
  if (!code.replace(/\$\{__vg_unknown\}/g, '').trim()) return [{ kind: 'dynamic-shell', call }];
  // What the unknown part holds may be more shell code: at least "assembled at run time".
  return dyn ? [{ kind: 'shell', code }, { kind: 'dynamic-shell', call }] : [{ kind: 'shell', code }];
}

// ---- the calls ----------------------------------------------------------------------------------

/** Calls that run a command, by how their arguments are read. */
const RUNNERS =
  /(?<![\w$])(?:(os\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?)|subprocess\.(?:run|call|Popen|check_output|check_call|getoutput|getstatusoutput)|commands\.getoutput|pty\.spawn|asyncio\.create_subprocess_(?:shell|exec)|(?:child_process\.|cp\.|\b)(?:execSync|execFileSync|execFile|spawnSync|spawn|exec)|Deno\.run|Bun\.spawn(?:Sync)?|shell_exec|passthru|proc_open|popen|pcntl_exec|Open3\.\w+|IO\.popen|Kernel\.(?:system|exec|spawn)|Process\.spawn|system2|system|os\.execute|io\.popen|sh)\s*(\(|\s+(?=['"(\[]|%w|qw|qq?\b))|(`))/g;

/** Calls that delete files; recursive ones by name or by a recursive option. */
const REMOVERS =
  /(?<![\w$])(shutil\.rmtree|os\.remove|os\.unlink|os\.rmdir|os\.removedirs|(?:fs\.(?:promises\.)?|fsp\.|\b)(?:rmSync|rmdirSync|unlinkSync|rm|rmdir|unlink)|FileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry|rm)|File\.delete|rmtree|remove_tree|Deno\.remove|unlink|rm_rf|rm_r)\s*(?:\(|(?=\s*['"])|(?<=\s)(?=[A-Za-z_$@:]))/g;

/** The arguments of a call written with parentheses or without (`system "a", "b"`). */
function callArgText(after: string, paren: boolean): string {
  return paren ? closing(after) : statement(after);
}

function runnerFindings(fn: string, args: Arg[], lang: Language): CodeFinding[] {
  const pos = args.filter((a) => a.kind === 'str' || a.kind === 'list');
  const kw = new Map(args.flatMap((a) => (a.kind === 'kw' ? [[a.name, a.value] as const] : [])));
  const obj = args.find((a) => a.kind === 'obj');
  const first = pos[0];
  if (!first) return [{ kind: 'dynamic-shell', call: fn }];
  const name = fn.replace(/^(?:child_process|cp)\./, '');
  // Python's own exec(): Python code, not a command.
  if (name === 'exec' && lang === 'python') return known(first) ? scanCode(word(first), 'python') : [{ kind: 'dynamic-shell', call: 'exec' }];
  // os.execv(path, argv) / os.execl(path, arg0, arg1…) / os.spawnv(mode, path, argv): the path runs with argv[1:].
  const ex = /^os\.(exec|spawn)([lv])/.exec(name);
  if (ex) {
    const rest = ex[1] === 'spawn' ? pos.slice(1) : pos;
    const path = rest[0];
    if (!path) return [{ kind: 'dynamic-shell', call: fn }];
    const tail = ex[2] === 'v' ? (rest[1]?.kind === 'list' ? rest[1].items.slice(1) : []) : rest.slice(2);
    return [{ kind: 'argv', argv: [word(path), ...words(tail)] }];
  }
  if (/^os\.posix_spawnp?$/.test(name)) return [{ kind: 'argv', argv: [word(first), ...(pos[1]?.kind === 'list' ? pos[1].items.slice(1).map(word) : [])] }];
  // Program + argument list: execFile(file, [args]), spawn(cmd, [args]), system2(cmd, c(args)), Deno.run({cmd: […]}).
  if (/^(execFileSync|execFile|spawnSync|spawn|system2|pcntl_exec|Process\.spawn|Kernel\.spawn|Bun\.spawn(Sync)?)$/.test(name) || name === 'asyncio.create_subprocess_exec') {
    const shell = (obj && /shell\s*:\s*(true|['"])/.test(obj.text)) || kw.get('shell') !== undefined;
    const rest = [...pos.slice(1), ...(kw.get('args') ? [kw.get('args')!] : [])];
    if (first.kind === 'list') return [{ kind: 'argv', argv: words([first]) }];
    if (shell) return shellCode(joined([first, ...rest]), fn);
    if (rest.length === 0 && name !== 'spawn' && name !== 'Bun.spawn' && name !== 'Bun.spawnSync') return shellCode(first, fn);
    return [{ kind: 'argv', argv: words([first, ...rest]) }];
  }
  // subprocess.*: a list runs as argv; a string runs through the shell with shell=True (and is a
  // program name without it — read as shell code too: it can only over-warn).
  // system LIST (Perl, Ruby), exec LIST: more than one argument runs the program directly.
  if (first.kind === 'list') return [{ kind: 'argv', argv: words([first]) }];
  if (pos.length > 1 && /^(system|exec|Kernel\.system|Kernel\.exec|Open3\.\w+|IO\.popen|pty\.spawn)$/.test(name) && lang !== 'php' && lang !== 'r') {
    return [{ kind: 'argv', argv: words(pos) }];
  }
  return shellCode(first, fn);
}

function removerFindings(fn: string, args: Arg[], after: string): CodeFinding[] {
  const pos = args.filter((a) => a.kind === 'str' || a.kind === 'list');
  // shelljs-style rm('-rf', dir): leading option words.
  let flags = '';
  while (pos.length > 1 && known(pos[0]!) && /^-[a-zA-Z]+$/.test(word(pos[0]!))) flags += word(pos.shift()!);
  const recursive =
    /rmtree|rm_rf|rm_r\b|remove_dir|remove_tree|removedirs|remove_entry/.test(fn) || /[rR]/.test(flags) || /recursive\s*[:=]\s*(true|TRUE|True|T)\b/.test(after.slice(0, 200));
  // A remover with no readable target deletes something unknown.
  const t = pos[0] ? word(pos[0]) : DYNAMIC_WORD;
  return [{ kind: 'argv', argv: recursive ? ['rm', '-rf', t] : ['rm', '-f', t] }];
}

/**
 * Calls that write, copy, move or link files, as the commands that do the same (`tee -a PATH`,
 * `cp SRC DST`, `mv`, `ln -s`), so a one-liner appending to ~/.bashrc meets the same rules as `>>`.
 * [pattern, how the arguments map, the mode argument that must say "write" (index), the language].
 */
const WRITERS: [RegExp, 'write' | 'copy' | 'move' | 'link', number | null, Language[] | null][] = [
  [/(?<![\w$.])(?:io\.)?open\s*\(/g, 'write', 1, ['python', 'lua']],
  [/(?<![\w$])(?:fs\.(?:promises\.)?|fsp\.)?(?:writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream)\s*\(/g, 'write', null, ['js']],
  [/(?<![\w$])(?:fs\.(?:promises\.)?|fsp\.)?(?:copyFileSync|copyFile|cpSync)\s*\(/g, 'copy', null, ['js']],
  [/(?<![\w$])(?:fs\.(?:promises\.)?|fsp\.)?(?:renameSync|rename)\s*\(/g, 'move', null, ['js', 'php', 'python', 'lua']],
  [/(?<![\w$])(?:fs\.(?:promises\.)?|fsp\.)?(?:symlinkSync|symlink)\s*\(/g, 'link', null, ['js', 'php', 'python']],
  [/(?<![\w$])(?:File|IO)\.(?:write|binwrite)\s*\(/g, 'write', null, ['ruby']],
  [/(?<![\w$])File\.open\s*\(/g, 'write', 1, ['ruby']],
  [/(?<![\w$])FileUtils\.(?:cp|cp_r|install|copy_file)\s*\(/g, 'copy', null, ['ruby']],
  [/(?<![\w$])FileUtils\.(?:mv|move)\s*\(/g, 'move', null, ['ruby']],
  [/(?<![\w$])FileUtils\.(?:ln_s|ln_sf|symlink)\s*\(/g, 'link', null, ['ruby']],
  [/(?<![\w$])(?:file_put_contents)\s*\(/g, 'write', null, ['php']],
  [/(?<![\w$])fopen\s*\(/g, 'write', 1, ['php']],
  [/(?<![\w$])copy\s*\(/g, 'copy', null, ['php']],
  [/(?<![\w$])shutil\.(?:copy|copy2|copyfile|copytree)\s*\(/g, 'copy', null, ['python']],
  [/(?<![\w$])(?:shutil\.move|os\.replace|os\.rename)\s*\(/g, 'move', null, ['python']],
  [/(?<![\w$])(?:writeLines|file\.copy)\s*\(/g, 'write', null, ['r']],
];

/** A write mode: "w", "a", "x", "r+" …, Ruby "w"/"a", PHP "w", Lua "w"/"a". */
const WRITE_MODE = /^[rwaxbt+]*[wax+][rwaxbt+]*$/;

function writerFindings(src: string, masked: string, lang: Language): CodeFinding[] {
  const found: CodeFinding[] = [];
  const at = (args: Arg[], k: number): string | undefined => {
    const a = args.filter((x) => x.kind === 'str')[k];
    return a ? word(a) : undefined;
  };
  for (const [re, how, modeAt, langs] of WRITERS) {
    if (langs && !langs.includes(lang)) continue;
    re.lastIndex = 0;
    for (let m = re.exec(masked); m !== null && found.length < MAX_FINDINGS; m = re.exec(masked)) {
      const args = parseArgs(closing(src.slice(m.index + m[0].length, m.index + m[0].length + 4096)), lang);
      if (modeAt !== null) {
        const kwMode = args.find((a): a is Extract<Arg, { kind: 'kw' }> => a.kind === 'kw' && a.name === 'mode');
        const text = kwMode ? word(kwMode.value) : at(args, modeAt);
        if (text === undefined || !WRITE_MODE.test(text)) continue;
      }
      const a0 = at(args, 0);
      const a1 = at(args, 1);
      if (how === 'write' && a0 !== undefined) found.push({ kind: 'argv', argv: ['tee', '-a', lang === 'r' ? (a1 ?? a0) : a0] });
      else if (how === 'copy' && a0 !== undefined && a1 !== undefined) found.push({ kind: 'argv', argv: ['cp', '-r', a0, a1] });
      else if (how === 'move' && a0 !== undefined && a1 !== undefined) found.push({ kind: 'argv', argv: ['mv', a0, a1] });
      else if (how === 'link' && a0 !== undefined && a1 !== undefined) found.push({ kind: 'argv', argv: ['ln', '-sf', a0, a1] });
    }
  }
  if (lang === 'perl') {
    // open(FH, ">>PATH") / open(my $f, '>', PATH): the mode may lead the path or stand alone.
    const re = /(?<![\w$])(?:open|sysopen)\s*\(?/g;
    for (let m = re.exec(masked); m !== null && found.length < MAX_FINDINGS; m = re.exec(masked)) {
      const after = src.slice(m.index + m[0].length, m.index + m[0].length + 4096);
      const args = parseArgs(m[0].endsWith('(') ? closing(after) : statement(after), lang).slice(1);
      const first = args[0];
      if (!first || first.kind !== 'str') continue;
      const head = typeof first.parts[0] === 'string' ? first.parts[0] : '';
      const mode = /^\s*(\+?[>]{1,2}|\+<)\s*/.exec(head);
      if (!mode) continue;
      const rest: Arg = mode[0].length === head.length && first.parts.length === 1 ? (args[1] ?? { kind: 'str', parts: [{ unknown: true, home: false }] }) : { kind: 'str', parts: [head.slice(mode[0].length), ...first.parts.slice(1)] };
      found.push({ kind: 'argv', argv: ['tee', '-a', word(rest)] });
    }
  }
  if (lang === 'python') {
    // pathlib: Path(X) / "y", Path.home().joinpath("y") … .write_text(…) / .write_bytes(…) / .open("w").
    const re = /((?:pathlib\.)?Path(?:\.home\(\)|\([^()]*\))(?:\s*\/\s*['"][^'"]*['"]|\.joinpath\([^()]*\))*)\s*\)?\.(write_text|write_bytes|touch|open\(\s*['"][wax+]+['"])/g;
    for (let m = re.exec(src); m !== null && found.length < MAX_FINDINGS; m = re.exec(src)) {
      const chain = m[1]!;
      const base = /^(?:pathlib\.)?Path\.home\(\)/.test(chain) ? '~' : word(term(/^(?:pathlib\.)?Path\(([^()]*)\)/.exec(chain)?.[1] ?? 'x', lang));
      const tail = [...chain.matchAll(/\/\s*(['"])([^'"]*)\1|\.joinpath\(([^()]*)\)/g)].map((x) => x[2] ?? words(parseArgs(x[3]!, lang)).join('/'));
      found.push({ kind: 'argv', argv: ['tee', '-a', [base, ...tail].join('/')] });
    }
  }
  if (lang === 'tcl') {
    for (const m of src.matchAll(/\[open\s+("[^"]*"|\S+)\s+("?)([wa]\+?|RDWR|WRONLY|APPEND)[^\]]*\]/g)) found.push({ kind: 'argv', argv: ['tee', '-a', m[1]!.replace(/^"|"$/g, '').replace(/^\$(::)?env\(HOME\)/, '~')] });
  }
  return found;
}

/** Perl's q(…) qq{…} qw[…] and Ruby's %w(…) %q(…) %Q(…): rewritten as the plain literals they are. */
function quoteLike(src: string, lang: Language): string {
  const re = lang === 'perl' ? /(?<![\w$@%&])(qq|qw|q)\s*([^\w\s])/g : lang === 'ruby' ? /%([wWqQiI]?)([([{<|!/])/g : null;
  if (!re) return src;
  let out = '';
  let last = 0;
  for (let m = re.exec(src); m !== null; m = re.exec(src)) {
    const open = m[2]!;
    const close = { '(': ')', '[': ']', '{': '}', '<': '>' }[open] ?? open;
    let depth = 0;
    let k = m.index + m[0].length;
    for (; k < src.length; k++) {
      if (src[k] === '\\') k++;
      else if (src[k] === open && close !== open) depth++;
      else if (src[k] === close && depth-- === 0) break;
    }
    const body = src.slice(m.index + m[0].length, k);
    const kind = m[1]!;
    out += src.slice(last, m.index);
    if (/^[wWiI]$|^qw$/.test(kind)) out += '(' + body.split(/\s+/).filter(Boolean).map((w) => `'${w.replace(/[\\']/g, '\\$&')}'`).join(', ') + ')';
    else if (kind === 'q') out += `'${body.replace(/(?<!\\)'/g, "\\'")}'`;
    else if (lang === 'ruby' && kind === '') out += `"${body.replace(/(?<!\\)"/g, '\\"')}"`;
    else out += `"${body.replace(/(?<!\\)"/g, '\\"')}"`;
    last = k + 1;
    re.lastIndex = k + 1;
  }
  return out + src.slice(last);
}

/** Tcl and Expect: `exec rm -rf ~`, `spawn …`, `file delete -force …` — commands as words. */
function tclFindings(src: string): CodeFinding[] {
  const found: CodeFinding[] = [];
  const re = /(?:^|[\s;[{])(?:exec|spawn)\s+([^\]\n;}]*)|(?:^|[\s;[{])open\s+"\|\s*([^"\]\n;}]*)|(?:^|[\s;[{])file\s+delete\s+([^\]\n;}]*)/g;
  for (let m = re.exec(src); m !== null && found.length < MAX_FINDINGS; m = re.exec(src)) {
    const ws = (m[1] ?? m[2] ?? m[3] ?? '').match(/"(?:\\.|[^"\\])*"|\{[^}]*\}|\S+/g) ?? [];
    const argv = ws
      .filter((w) => !/^-(ignorestderr|keepnewline|noecho|nottyinit|nottycopy|console)$/.test(w) && w !== '--')
      .map((w) => w.replace(/^"(.*)"$|^\{(.*)\}$/s, '$1$2'))
      .map((w) => (/^\$(::)?env\(HOME\)$|^\$\{?env\(HOME\)\}?$/.test(w) ? '~' : /[$[]/.test(w) ? DYNAMIC_WORD : w));
    if (m[3] !== undefined) {
      const force = argv.includes('-force');
      found.push(...argv.filter((w) => w !== '-force').map((w) => ({ kind: 'argv' as const, argv: force ? ['rm', '-rf', w] : ['rm', '-f', w] })));
    } else if (argv.length) found.push({ kind: 'argv', argv });
  }
  return found;
}

/** `src` with the insides of its string literals blanked (same length): calls are looked for in code only. */
function maskStrings(src: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < src.length; i++) {
    if (!QUOTES.test(src[i]!)) continue;
    const end = skipString(src, i);
    out += src.slice(last, i + 1) + ' '.repeat(Math.max(0, end - i - 2)) + (end - i >= 2 ? src[end - 1] : '');
    last = end;
    i = end - 1;
  }
  return out + src.slice(last);
}

export function scanCode(code: string, lang?: Language): CodeFinding[] {
  const l: Language = lang ?? 'python';
  const src = quoteLike(code.length > MAX_CODE ? code.slice(0, MAX_CODE) : code, l);
  const masked = maskStrings(src);
  const found: CodeFinding[] = [];
  if (l === 'tcl') found.push(...tclFindings(src));
  let m: RegExpExecArray | null;
  // Perl's qx{…} and Ruby's %x(…): the body is the command, interpolated.
  if (l === 'perl' || l === 'ruby') {
    const qx = l === 'perl' ? /(?<![\w$@%&])qx\s*([^\w\s])/g : /%x([([{<|!/])/g;
    while ((m = qx.exec(masked)) !== null && found.length < MAX_FINDINGS) {
      const open = m[1]!;
      const close = { '(': ')', '[': ']', '{': '}', '<': '>' }[open] ?? open;
      const start = m.index + m[0].length;
      const end = src.indexOf(close, start);
      found.push(...shellCode({ kind: 'str', parts: literalPieces(src.slice(start, end < 0 ? undefined : end), '"', '', l) }, 'qx'));
    }
  }
  RUNNERS.lastIndex = 0;
  while ((m = RUNNERS.exec(masked)) !== null && found.length < MAX_FINDINGS) {
    if (m[3] === '`') {
      // Backticks run their contents through /bin/sh in Perl, Ruby and PHP (in JS they are a template).
      if (l === 'perl' || l === 'ruby' || l === 'php') {
        const end = skipString(src, m.index + m[0].length - 1);
        found.push(...shellCode(term(src.slice(m.index + m[0].length - 1, end).replace(/^`|`$/g, '"'), l), 'backticks'));
        RUNNERS.lastIndex = end;
      }
      continue;
    }
    const fn = m[1]!;
    // Rake's (and Ruby FileUtils') `sh "cmd"`; elsewhere `sh` is nobody's call.
    if (fn === 'sh' && l !== 'ruby') continue;
    const after = src.slice(m.index + m[0].length, m.index + m[0].length + 4096);
    const paren = m[2] === '(';
    found.push(...runnerFindings(fn, parseArgs(callArgText(after, paren), l), l));
  }
  REMOVERS.lastIndex = 0;
  while ((m = REMOVERS.exec(masked)) !== null && found.length < MAX_FINDINGS) {
    const fn = m[1]!;
    // Bare unlink/rm/rmdir are Perl/PHP/JS-module calls; in Python `rm(` is nobody's.
    if (/^(rm|rmdir)$/.test(fn) && l !== 'js' && l !== 'r') continue;
    const after = src.slice(m.index + m[0].length, m.index + m[0].length + 4096);
    const paren = src[m.index + m[0].length - 1] === '(';
    found.push(...removerFindings(fn, parseArgs(callArgText(after, paren), l), after));
  }
  found.push(...writerFindings(src, masked, l));
  // Classic one-liner fork bombs in these languages.
  if (/fork\s+while\s+fork|while\s*\(?\s*(True|1|true)\s*\)?\s*:?\s*\{?\s*(os\.)?fork\(\)|(os\.)?fork\(\)\s*while\s*true/i.test(src)) {
    found.push({ kind: 'fork-bomb' });
  }
  return found;
}
