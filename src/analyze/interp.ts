// Code handed to python/node/perl/ruby/php on the command line: not parsed as those languages (too
// big a surface), but scanned for the calls that run shell commands or delete trees, so
// `python3 -c "import os; os.system('rm -rf /')"` is judged as `rm -rf /`.

export type CodeFinding =
  | { kind: 'shell'; code: string }
  | { kind: 'argv'; argv: string[] }
  | { kind: 'dynamic-shell'; call: string }
  | { kind: 'fork-bomb' };

const MAX_CODE = 32 * 1024;

/** Language family of an interpreter name. */
export function languageOf(name: string): 'python' | 'js' | 'perl' | 'ruby' | 'php' | undefined {
  if (/^(python[\d.]*|pypy\d*)$/.test(name)) return 'python';
  if (name === 'node' || name === 'nodejs' || name === 'deno' || name === 'bun') return 'js';
  if (name === 'perl') return 'perl';
  if (name === 'ruby') return 'ruby';
  if (name === 'php') return 'php';
  return undefined;
}

/** The flag that introduces inline code for each language. */
export function inlineCodeFlags(lang: string): readonly string[] {
  switch (lang) {
    case 'python':
      return ['-c'];
    case 'js':
      return ['-e', '--eval', '-p', '--print'];
    case 'perl':
      return ['-e', '-E'];
    case 'ruby':
      return ['-e'];
    case 'php':
      return ['-r'];
    default:
      return [];
  }
}

/** First string literal in `s` ('…', "…", `…`), with simple escapes removed. */
function firstLiteral(s: string): string | undefined {
  const m = /(['"`])((?:\\.|(?!\1)[^\\])*)\1/.exec(s);
  return m ? m[2]!.replace(/\\(.)/g, '$1') : undefined;
}

/** All string literals of a list literal `['rm', '-rf', '/']`, or undefined when not one. */
function listLiteral(s: string): string[] | undefined {
  const m = /^\s*[[(]([^\])]*)[\])]/.exec(s);
  if (!m) return undefined;
  const out: string[] = [];
  const re = /(['"])((?:\\.|(?!\1)[^\\])*)\1/g;
  let x: RegExpExecArray | null;
  while ((x = re.exec(m[1]!)) !== null) out.push(x[2]!);
  return out.length > 0 ? out : undefined;
}

const RUNNERS =
  /\b(os\.system|os\.popen|subprocess\.(?:run|call|Popen|check_output|check_call|getoutput|getstatusoutput)|commands\.getoutput|execSync|exec|execFile|execFileSync|spawn|spawnSync|system|shell_exec|passthru|popen|proc_open|qx|Open3\.\w+|IO\.popen|Kernel\.system)\s*(\(|\s+(?=['"]))/g;
const REMOVERS =
  /\b(shutil\.rmtree|os\.remove|os\.unlink|os\.rmdir|os\.removedirs|Path\([^)]*\)\.unlink|fs\.rmSync|fs\.rmdirSync|fs\.rm|fs\.promises\.rm|fs\.unlinkSync|rmSync|rmdirSync|unlinkSync|FileUtils\.rm_rf|FileUtils\.rm_r|FileUtils\.remove_dir|FileUtils\.rm|File\.delete|rmtree|remove_tree|unlink)\s*(?:\(|(?=['"]))/g;

export function scanCode(code: string, lang?: string): CodeFinding[] {
  const src = code.length > MAX_CODE ? code.slice(0, MAX_CODE) : code;
  const found: CodeFinding[] = [];
  let m: RegExpExecArray | null;
  RUNNERS.lastIndex = 0;
  while ((m = RUNNERS.exec(src)) !== null && found.length < 32) {
    const after = src.slice(m.index + m[0].length, m.index + m[0].length + 4096);
    const list = listLiteral(after);
    const lit = list ? undefined : firstLiteralAtStart(after);
    if (list) found.push({ kind: 'argv', argv: list });
    else if (lit !== undefined) found.push({ kind: 'shell', code: lit });
    else found.push({ kind: 'dynamic-shell', call: m[1]! });
  }
  REMOVERS.lastIndex = 0;
  while ((m = REMOVERS.exec(src)) !== null && found.length < 64) {
    const fn = m[1]!;
    const after = src.slice(m.index + m[0].length, m.index + m[0].length + 4096);
    const inner = callArgs(after);
    // Home by any spelling: os.homedir(), expanduser('~'), Path.home(), process.env.HOME, ENV['HOME'].
    const home = /homedir\(\)|expanduser|Path\.home\(\)|env\.HOME|ENV\[['"]HOME|\$ENV\{HOME\}|getenv\(['"]HOME/.test(inner) ? '~' : undefined;
    const target = home ?? firstLiteral(inner) ?? firstLiteral(fn) ?? '';
    const recursive = /rmtree|rm_rf|rm_r\b|remove_dir|remove_tree|removedirs/.test(fn) || /recursive\s*:\s*true/.test(after.slice(0, 200));
    if (target === '') {
      found.push({ kind: 'argv', argv: ['rm', recursive ? '-rf' : '-f', '$DYNAMIC'] });
    } else {
      found.push({ kind: 'argv', argv: recursive ? ['rm', '-rf', target] : ['rm', '-f', target] });
    }
  }
  if (lang === 'perl' || lang === 'ruby' || lang === 'php') {
    // Backticks and qx(…)/%x(…) run their contents through /bin/sh in these languages.
    const bt = /`([^`]{1,4096})`|\b(?:qx|%x)\s*([({\[])([^)}\]]{1,4096})[)}\]]/g;
    while ((m = bt.exec(src)) !== null && found.length < 64) found.push({ kind: 'shell', code: m[1] ?? m[3] ?? '' });
  }
  // Classic one-liner fork bombs in these languages.
  if (/fork\s+while\s+fork|while\s*\(?\s*(True|1|true)\s*\)?\s*:?\s*\{?\s*(os\.)?fork\(\)|(os\.)?fork\(\)\s*while\s*true/i.test(src)) {
    found.push({ kind: 'fork-bomb' });
  }
  return found;
}

/** The argument text of a call whose `(` was just consumed: up to the matching `)`. */
function callArgs(after: string): string {
  let depth = 0;
  for (let i = 0; i < after.length; i++) {
    const c = after[i];
    if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) return after.slice(0, i);
  }
  return after;
}

/** A string literal right at the start (after spaces), or undefined. */
function firstLiteralAtStart(s: string): string | undefined {
  const m = /^\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/.exec(s);
  if (m) return m[2]!.replace(/\\(.)/g, '$1');
  // Perl/PHP `system "…"` and `qx(…)`: the qx form has the command as raw text.
  return undefined;
}
