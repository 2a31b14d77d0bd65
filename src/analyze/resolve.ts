// Path resolution without touching the filesystem: the analyzer judges a line before it runs, so
// it reasons about the paths the shell would compute, not what exists now.

/** Normalise an absolute path: collapse `//`, `.`, `..` (never above `/`), drop a trailing `/`. */
export function normalize(abs: string): string {
  // Most paths are already clean; skip the split/join for them (this runs for every path argument).
  if (abs.startsWith('/') && !abs.includes('//') && !abs.includes('/.') && (abs.length === 1 || !abs.endsWith('/'))) return abs;
  const out: string[] = [];
  for (const seg of abs.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/** Resolve `p` (already tilde/variable expanded) against `cwd`; null cwd means unknown. */
export function resolvePath(p: string, cwd: string | null): string | null {
  if (p.startsWith('/')) return normalize(p);
  if (cwd === null) return null;
  return normalize(cwd + '/' + p);
}

/** True when `p` is `dir` or lies below it. */
export function isWithin(p: string, dir: string): boolean {
  if (dir === '/') return true;
  return p === dir || p.startsWith(dir + '/');
}

/**
 * Strip what makes a target mean "everything in X": trailing `/*`, `/.*`, `/.`, `/**`, so rules can
 * treat `rm -rf /usr/*` like `rm -rf /usr`. Returns the stripped path and whether it was a glob.
 */
export function stripContents(p: string): { base: string; contents: boolean } {
  let base = p;
  let contents = false;
  for (;;) {
    const m = /\/(\*|\.\*|\*\*|\.\[!.\]\*|\{?\.,?\*\}?)$/.exec(base);
    if (!m) break;
    base = base.slice(0, m.index) || '/';
    contents = true;
  }
  return { base, contents };
}
