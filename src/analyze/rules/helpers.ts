// Per-fact lookups shared by the rules, computed once per fact (WeakMap caches) so twenty rules
// looking at one `rm` do the option parsing once.
import type { CommandFact } from '../types.ts';
import type { MatchInput } from './types.ts';
import { isWithin, normalize, resolvePath, stripContents } from '../resolve.ts';

export interface Opts {
  short: Set<string>;
  long: Set<string>;
  /** Long options with their `=value`, e.g. `--force-with-lease=main:abc`. */
  longValues: string[];
  operands: string[];
  /** argv index of each operand. */
  operandIdx: number[];
}

// Per-analysis caches, cleared by the engine around each line. Plain Maps, not WeakMaps: facts live
// for one call, and thousands of short-lived WeakMap keys per second cost more in GC than they save.
const optsCache = new Map<CommandFact, Opts>();

/** GNU-style option split of argv[1..]; stops at `--`. Values of options are not distinguished. */
export function opts(f: CommandFact): Opts {
  let o = optsCache.get(f);
  if (o) return o;
  o = { short: new Set(), long: new Set(), longValues: [], operands: [], operandIdx: [] };
  let done = false;
  for (let i = 1; i < f.argv.length; i++) {
    const a = f.argv[i]!;
    if (!done && a === '--') {
      done = true;
      continue;
    }
    if (!done && a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      o.long.add(eq > 0 ? a.slice(0, eq) : a);
      o.longValues.push(a);
    } else if (!done && a.startsWith('-') && a.length > 1 && !/^-\d+$/.test(a)) {
      for (const ch of a.slice(1)) o.short.add(ch);
    } else {
      o.operands.push(a);
      o.operandIdx.push(i);
    }
  }
  optsCache.set(f, o);
  return o;
}

export const hasShort = (f: CommandFact, ...chars: string[]): boolean => chars.some((c) => opts(f).short.has(c));
export const hasLong = (f: CommandFact, ...names: string[]): boolean => names.some((n) => opts(f).long.has(n));

/** Sub-command words: operands in order (for `git push`, `docker run`, `kubectl delete`). */
export const sub = (f: CommandFact, i = 0): string => opts(f).operands[i] ?? '';
/**
 * The subcommand that makes the match (`zpool destroy tank`): when the first operand is one of
 * `subs`, the first `words` operands as the detail, else false.
 */
export function subIn(f: CommandFact, subs: RegExp, words = 1): string | false {
  const ops = opts(f).operands;
  return subs.test(ops[0] ?? '') ? ops.slice(0, words).join(' ') : false;
}

export interface Target {
  raw: string;
  /** Absolute path, or null when it depends on something unknown. */
  path: string | null;
  /** The path if every unknown expansion were empty (`"$DIR"/*` → `/*`). */
  ifEmpty: string | null;
  dynamic: boolean;
}

const targetCache = new Map<CommandFact, Target[]>();

export function targets(f: CommandFact): Target[] {
  let t = targetCache.get(f);
  if (t) return t;
  const o = opts(f);
  const cwd = f.cwd === '' ? null : f.cwd;
  // Rules only need the first few hundred operands; a 5,000-word argv must not cost per rule.
  t = o.operands.slice(0, 256).map((raw, k) => {
    const idx = o.operandIdx[k]!;
    const dynamic = f.argDynamic?.[idx] ?? false;
    const e = f.argvIfEmpty?.[idx];
    return {
      raw,
      path: dynamic ? null : resolvePath(raw, cwd),
      ifEmpty: dynamic && e !== undefined && e.startsWith('/') ? normalize(e) : null,
      dynamic,
    };
  });
  targetCache.set(f, t);
  return t;
}

export const SYSTEM_DIRS: ReadonlySet<string> = new Set([
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/proc', '/root', '/sbin', '/srv', '/sys', '/usr',
  '/var', '/home', '/Users', '/System', '/Library', '/Applications', '/mnt', '/media', '/snap', '/run', '/nix', '/private',
  '/var/lib', '/var/log', '/var/cache', '/var/spool', '/var/mail', '/var/www', '/var/backups', '/private/etc', '/private/var',
]);

export const REGENERABLE: ReadonlySet<string> = new Set([
  'node_modules', 'dist', 'build', 'target', '.cache', '__pycache__', 'coverage', '.next', 'out', 'tmp', '.turbo', '.parcel-cache',
  '.pytest_cache', '.mypy_cache', '.ruff_cache', '.tox', '.nyc_output', '.gradle', '.svelte-kit', '.nuxt', '.angular', '.eggs',
  '*.egg-info', '.venv', 'venv', '.terraform', 'vendor', '.vite', '.expo', '.docusaurus', '.output', 'temp', '.temp', 'logs', '*.log', '*.pyc', '*.o', '*.orig',
]);

export type TargetClass =
  | 'root'
  | 'system'
  | 'home'
  | 'system-child'
  | 'git'
  | 'home-child'
  | 'outside'
  | 'workspace-root'
  | 'workspace'
  | 'regenerable'
  | 'outside-regenerable'
  | 'tmp-root'
  | 'tmp';

const GLOB = /[*?[]/;

/** A glob over a whole path as a regex (`*`, `?`, `[…]`, `[!…]`; `*` does not cross `/`). */
function globRegex(glob: string): RegExp {
  let r = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') r += '[^/]*';
    else if (c === '?') r += '[^/]';
    else if (c === '[') {
      const j = glob.indexOf(']', i + 2);
      if (j < 0) r += '\\[';
      else {
        const body = glob.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\');
        r += `[${body}]`;
        i = j;
      }
    } else r += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(r + '$');
  } catch {
    return /$^/;
  }
}

/** Where a (possibly globbed) absolute path lands, from the most to the least dangerous. */
export function classify(path: string, home: string, workspace: string): TargetClass {
  const { base } = stripContents(path);
  const segs = base.split('/').filter(Boolean);
  const gi = segs.findIndex((s) => GLOB.test(s));
  // A glob in the middle (`/**/x.log`, `/home/*/foo`) filters what is hit: judge by the prefix,
  // but it no longer names the whole tree.
  const filtered = gi >= 0;
  const prefix = filtered ? '/' + segs.slice(0, gi).join('/') : base;
  const last = segs[segs.length - 1] ?? '';
  if (filtered) {
    // The shell would expand the glob: if it can name a system directory or home (`/u*`, `/b?n`,
    // `/ho*/dev`), it is as bad as naming it.
    const re = globRegex(base);
    if (re.test(home)) return 'home';
    for (const d of SYSTEM_DIRS) if (re.test(d)) return d === '/home' || d === '/Users' ? 'home' : 'system';
  }
  if (!filtered) {
    if (base === '/') return 'root';
    if (base === home || SYSTEM_DIRS.has(base) || /^\/usr\/[^/]+$/.test(base) || /^\/home\/[^/]+$/.test(base) || /^\/Users\/[^/]+$/.test(base)) {
      return base === home || /^\/(home|Users)/.test(base) ? 'home' : 'system';
    }
  }
  if (!filtered && last === '.git') return 'git';
  // Regenerable by name only counts below the workspace (a workspace under /tmp or ~/build is not
  // itself regenerable).
  const below = (root: string): string[] => (root === '/' ? segs : base.slice(root.length + 1).split('/').filter(Boolean));
  const isRegen = (ss: string[]): boolean => ss.some((x) => REGENERABLE.has(x));
  // The workspace wins over /tmp: a project checked out under /tmp is still the user's work.
  if (workspace !== '' && isWithin(prefix, workspace)) {
    const regen = isRegen(below(workspace));
    if (regen && prefix !== workspace) return 'regenerable';
    if (filtered && regen) return 'regenerable';
    if (base === workspace) return 'workspace-root';
    return 'workspace';
  }
  if (isWithin(prefix, '/tmp') || isWithin(prefix, '/var/tmp') || isWithin(prefix, '/dev/shm') || isWithin(prefix, '/private/tmp')) {
    return !filtered && (prefix === '/tmp' || prefix === '/var/tmp' || prefix === '/private/tmp') ? 'tmp-root' : 'tmp';
  }
  // `find ~ -name node_modules -delete`: regenerable by name, but spread over places nobody checked.
  if (filtered && isRegen(segs.slice(gi))) return 'outside-regenerable';
  // `rm -rf ~/.cache/pip`, `~/other/node_modules`: outside the workspace but rebuilt on demand.
  if (isWithin(prefix, home) && prefix !== home && isRegen(below(home))) return 'outside-regenerable';
  if (isWithin(prefix, home)) return 'home-child';
  for (const d of SYSTEM_DIRS) if (isWithin(prefix, d) && d !== '/home' && d !== '/Users') return 'system-child';
  return 'outside';
}

const WRITERS = new Set(['curl', 'wget', 'tee', 'truncate', 'touch', 'shred', 'sponge', 'cp', 'mv', 'install', 'ln', 'rsync', 'scp', 'sed', 'perl', 'dd']);

/**
 * The files a download names after its URL: wget by default (into -P DIR), curl with -O /
 * --remote-name(-all) (into --output-dir DIR). Resolved paths.
 */
function remoteNames(g: CommandFact): string[] {
  const a = g.argv;
  const curl = g.name === 'curl';
  if (curl && !a.some((x) => x === '--remote-name' || x === '--remote-name-all' || /^-[a-zA-Z]*O[a-zA-Z]*$/.test(x))) return [];
  if (!curl && a.some((x) => /^(-O|--output-document)(=|$)/.test(x) || /^-[a-zA-Z]*O$/.test(x))) return [];
  let dir = g.cwd || null;
  for (let k = 1; k < a.length; k++) {
    const m = curl ? /^--output-dir(?:=(.*))?$/.exec(a[k]!) : /^(?:-P|--directory-prefix)(?:=(.*))?$/.exec(a[k]!);
    if (m) dir = resolvePath(m[1] ?? a[k + 1] ?? '.', g.cwd || null);
  }
  return a
    .filter((x) => /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/./i.test(x))
    // curl names the file after the URL's path; wget keeps the query (`i.sh?v=2`).
    .map((u) => u.replace(curl ? /[?#].*$/ : /#.*$/, '').replace(/\/+$/, ''))
    .map((u) => u.slice(u.lastIndexOf('/') + 1))
    .filter((n) => n !== '' && !n.includes(':'))
    .map((n) => resolvePath(n, dir) ?? n);
}

/** Files a command writes or truncates: redirections, tee, cp/mv/install/ln destinations, dd of=, sed -i… */
const writeCache = new Map<CommandFact, string[]>();

/** Drop the per-line caches (called by the engine before and after judging a line). */
export function resetCaches(): void {
  if (optsCache.size > 0) optsCache.clear();
  if (targetCache.size > 0) targetCache.clear();
  if (writeCache.size > 0) writeCache.clear();
}
const NONE: string[] = [];
export function writeTargets(f: CommandFact): string[] {
  if (f.redirects.length === 0 && !WRITERS.has(f.name)) return NONE;
  let w = writeCache.get(f);
  if (w) return w;
  w = [];
  for (const r of f.redirects) {
    if (r.op === '>' || r.op === '>>' || r.op === '>|' || r.op === '&>' || r.op === '&>>' || r.op === '<>') {
      if (r.target.startsWith('/') && r.target !== '/dev/null' && !r.target.startsWith('/dev/fd/') && !/^\/dev\/(stdout|stderr|tty)$/.test(r.target)) w.push(r.target);
    }
  }
  const t = WRITERS.has(f.name) && f.name !== 'dd' && f.name !== 'curl' && f.name !== 'wget' ? targets(f).filter((x) => x.path !== null).map((x) => x.path!) : [];
  switch (f.name) {
    case 'tee':
    case 'truncate':
    case 'touch':
    case 'shred':
    case 'sponge':
      w.push(...t);
      break;
    case 'cp':
    case 'mv':
    case 'install':
    case 'ln':
    case 'rsync':
    case 'scp':
      if (t.length >= 2) w.push(t[t.length - 1]!);
      break;
    case 'sed':
    case 'perl':
      if (hasShort(f, 'i') || hasLong(f, '--in-place')) w.push(...t);
      break;
    case 'dd':
      for (const a of f.argv) if (a.startsWith('of=')) w.push(resolvePath(a.slice(3), f.cwd || null) ?? a.slice(3));
      break;
    case 'curl':
    case 'wget':
      // curl -o FILE / wget -O FILE (curl's -O takes no value: it names the file after the URL).
      for (let k = 1; k < f.argv.length; k++) {
        const a = f.argv[k]!;
        const named = f.name === 'curl' ? /^(-o|--output)$/.test(a) : /^(-O|--output-document)$/.test(a);
        if (named && f.argv[k + 1] && f.argv[k + 1] !== '-') w.push(resolvePath(f.argv[k + 1]!, f.cwd || null) ?? f.argv[k + 1]!);
        else if (/^--output(-document)?=/.test(a) && !a.endsWith('=-')) w.push(resolvePath(a.slice(a.indexOf('=') + 1), f.cwd || null) ?? a);
      }
      w.push(...remoteNames(f));
      break;
  }
  writeCache.set(f, w);
  return w;
}

export const ctxOf = (i: MatchInput): { home: string; ws: string } => ({ home: i.home, ws: i.workspace });
export const under = isWithin;
