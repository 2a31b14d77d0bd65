// Package download caches mounted read-write into the sandbox, so a sandboxed install costs no more
// than a host install with a warm cache. Download caches only: never a directory on the host's PATH
// (`~/.cargo/bin`, `~/go/bin`, `~/.local/bin`), or a sandboxed command could plant executables there.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

type Env = Record<string, string | undefined>;

export interface CacheDir {
  /** npm, yarn, pnpm, pip, poetry, cargo, go, gem, maven, gradle, custom. */
  label: string;
  path: string;
  /** Created before the run when missing: the tool fails on a read-only home otherwise (npm EROFS). */
  create?: boolean;
}

export interface CacheInput {
  home: string;
  env: Env;
  /** `config.sandbox.cache_dirs`, `~` expanded here. */
  extra?: string[];
  /** Injected for tests; true when the path is an existing directory. */
  isDir?: (p: string) => boolean;
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

const realIsDir = (p: string): boolean => {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
};

/**
 * Candidate cache directories per ecosystem, most specific first. Environment overrides win because
 * that is where the tool will actually look. Only npm and pip are created when missing: they are the
 * two a default install reaches for first, and npm breaks outright without a writable cache.
 */
export function cacheCandidates(home: string, env: Env): CacheDir[] {
  const h = (p: string) => join(home, p);
  const abs = (p: string | undefined) => (p && isAbsolute(p) ? p : undefined);
  const out: CacheDir[] = [];
  const add = (label: string, path: string | undefined, create = false) => {
    if (path) out.push({ label, path: resolve(path), ...(create ? { create } : {}) });
  };
  const npmCache = abs(env.npm_config_cache) ?? abs(env.NPM_CONFIG_CACHE);
  add('npm', npmCache ?? h('.npm'), true);
  add('yarn', abs(env.YARN_CACHE_FOLDER));
  add('yarn', h('.cache/yarn'));
  add('yarn', h('.yarn/berry/cache'));
  // Yarn v1's old default; only the cache part of ~/.yarn, whose `bin` is on PATH for global installs.
  add('yarn', h('.yarn/cache'));
  add('pnpm', abs(env.PNPM_HOME) ? join(env.PNPM_HOME!, 'store') : undefined);
  add('pnpm', h('.local/share/pnpm/store'));
  add('pnpm', h('.pnpm-store'));
  add('pip', abs(env.PIP_CACHE_DIR) ?? h('.cache/pip'), true);
  add('poetry', abs(env.POETRY_CACHE_DIR) ?? h('.cache/pypoetry'));
  const cargo = abs(env.CARGO_HOME) ?? h('.cargo');
  add('cargo', join(cargo, 'registry'));
  add('cargo', join(cargo, 'git'));
  const gopath = abs(env.GOPATH?.split(':')[0]);
  add('go', abs(env.GOMODCACHE) ?? (gopath ? join(gopath, 'pkg/mod') : h('go/pkg/mod')));
  add('go', abs(env.GOCACHE) ?? h('.cache/go-build'));
  add('gem', abs(env.GEM_HOME));
  add('gem', h('.gem'));
  add('gem', h('.local/share/gem'));
  add('maven', h('.m2/repository'));
  add('gradle', join(abs(env.GRADLE_USER_HOME) ?? h('.gradle'), 'caches'));
  return out;
}

/** The caches to mount: existing directories (plus npm/pip, created on demand) and the configured extras. */
export function detectCaches(input: CacheInput): CacheDir[] {
  const isDir = input.isDir ?? realIsDir;
  const seen = new Set<string>();
  const out: CacheDir[] = [];
  for (const c of cacheCandidates(input.home, input.env)) {
    if (seen.has(c.path)) continue;
    if (!c.create && !isDir(c.path)) continue;
    // A cache that is the home itself (e.g. GEM_HOME=~) would make the whole home writable.
    if (c.path === input.home || c.path === '/') continue;
    seen.add(c.path);
    out.push(c);
  }
  for (const raw of input.extra ?? []) {
    const path = resolve(expandHome(raw, input.home));
    if (seen.has(path) || path === input.home || path === '/') continue;
    if (!isDir(path)) continue;
    seen.add(path);
    out.push({ label: 'custom', path });
  }
  return out;
}

export const dirExists = (p: string): boolean => existsSync(p) && realIsDir(p);
