// Layering: defaults ← user file ← project file ← VG_* environment ← flags. The user file, the
// environment and flags are the user speaking, so they set anything. A project file comes with a
// cloned repository, so it may only tighten: each attempt to loosen is dropped (the user's value
// stays) and reported as a notice naming the file, line, key and why.
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute, resolve } from 'node:path';
import { VgError } from '../../cli/errors.ts';
import { MODES, type Mode } from '../../policy/types.ts';
import { riskRank, type Risk } from '../../analyze/types.ts';
import {
  NETWORK_MODES,
  RUNTIME_NAMES,
  SECURITY_LEVELS,
  effectiveNetwork,
  type BindMount,
  type Config,
  type SandboxConfig,
} from './types.ts';
import { closest, slowRegex, type Layer } from './validate.ts';
import { tildify } from './tildify.ts';

/** Dotted key → where its value came from: `default`, `FILE:LINE`, `env VG_MODE`, `flag --mode`. */
export type Origins = Record<string, string>;

/** Least to most strict. */
export const MODE_STRICTNESS: readonly Mode[] = ['never', 'risky', 'auto', 'always'];
/** Narrowest to widest. */
const NETWORK_WIDTH = ['none', 'restricted', 'full'] as const;

const clone = <T>(v: T): T => structuredClone(v);

function where(layer: Layer, key: string, item?: number): string {
  const line = (item !== undefined ? layer.lines.get(`${key}[${item}]`) : undefined) ?? layer.lines.get(key);
  return line ? `${layer.display}:${line}` : layer.display;
}

export function applyUserLayer(cfg: Config, origins: Origins, layer: Layer): void {
  for (const section of ['sandbox', 'shell', 'audit'] as const) {
    const target = cfg[section] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(layer[section])) {
      target[k] = clone(v);
      origins[`${section}.${k}`] = where(layer, `${section}.${k}`);
    }
  }
  if (layer.rules.add) {
    cfg.rules.add.push(...clone(layer.rules.add));
    origins['rules.add'] = where(layer, 'rules.add');
  }
  for (const kind of ['levels', 'raise'] as const) {
    for (const [id, risk] of Object.entries(layer.rules[kind] ?? {})) {
      cfg.rules[kind][id] = risk;
      origins[`rules.${kind}.${id}`] = where(layer, `rules.${kind}.${id}`);
    }
  }
}

/** Paths that hold credentials: a project may not mount them, even read-only (reading is the leak). */
function secretPaths(home: string): string[] {
  const h = (p: string) => join(home, p);
  // Ancestors are caught too (mounting ~ or / exposes ~/.ssh), so the list names only the secrets.
  return [
    '/root',
    '/etc/shadow',
    '/etc/gshadow',
    '/etc/sudoers',
    '/etc/ssh',
    '/var/run/docker.sock',
    '/run/docker.sock',
    h('.ssh'),
    h('.gnupg'),
    h('.aws'),
    h('.azure'),
    h('.config'),
    h('.docker'),
    h('.kube'),
    h('.netrc'),
    h('.npmrc'),
    h('.pypirc'),
    h('.git-credentials'),
    h('.local/share/keyrings'),
    h('.password-store'),
  ];
}

// Resolving ~20 credential paths costs ~40 syscalls; a resident analyzer loads config per line, so
// keep the answer briefly. The literal paths are always checked, whatever the cache holds.
const secretsCache = new Map<string, { at: number; paths: string[] }>();
function resolvedSecrets(home: string): string[] {
  const hit = secretsCache.get(home);
  if (hit && Date.now() - hit.at < 10_000) return hit.paths;
  const paths = [...new Set(secretPaths(home).flatMap((p) => [p, real(p)]))];
  secretsCache.set(home, { at: Date.now(), paths });
  return paths;
}

const inside = (p: string, root: string): boolean => {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/** Resolve symlinks in the longest existing prefix, so `./link-to-home/.ssh` is judged where it lands. */
function real(p: string): string {
  let cur = resolve(p);
  const tail: string[] = [];
  // existsSync does not throw, so missing paths (most credential dirs) cost no exception each.
  while (!existsSync(cur)) {
    const parent = dirname(cur);
    if (parent === cur) return resolve(p);
    tail.unshift(basename(cur));
    cur = parent;
  }
  try {
    return join(realpathSync.native(cur), ...tail);
  } catch {
    return resolve(p);
  }
}

const domainCovered = (d: string, list: readonly string[]): boolean =>
  list.some((b) => b === d || (b.startsWith('*.') && d.endsWith(b.slice(1))));

export function applyProjectLayer(
  cfg: Config,
  origins: Origins,
  layer: Layer,
  notices: string[],
  opts: { home: string; projectDir: string },
): void {
  const base = cfg.sandbox;
  const s = layer.sandbox;
  const userSaid = (key: string) => (origins[key] && origins[key] !== 'default' ? `your ${origins[key]}` : 'the default');
  const TIGHTEN = 'a project file may only tighten (set it in your user file if you mean it)';
  const refuse = (key: string, value: unknown, why: string, tail = TIGHTEN, item?: number) =>
    notices.push(`${where(layer, key, item)}: ${key}${item !== undefined ? `[${item}]` : ''}: ${show(value)} ignored — ${why}; ${tail}`);
  const tl = (p: string) => tildify(p, opts.home);
  const take = <K extends keyof SandboxConfig>(k: K, v: SandboxConfig[K]) => {
    base[k] = clone(v);
    origins[`sandbox.${k}`] = where(layer, `sandbox.${k}`);
  };
  // Resolved only when a mount or cache dir needs judging: realpath is the costly part of a load.
  let root: string | undefined;
  let secretList: string[] | undefined;
  const projectRootOf = () => (root ??= real(opts.projectDir));
  const secretsOf = () => (secretList ??= resolvedSecrets(opts.home));

  if (s.enabled !== undefined) {
    if (!s.enabled && base.enabled) refuse('sandbox.enabled', false, `it would turn the sandbox off (enabled: true from ${userSaid('sandbox.enabled')})`);
    else take('enabled', s.enabled);
  }
  if (s.mode !== undefined) {
    if (MODE_STRICTNESS.indexOf(s.mode) < MODE_STRICTNESS.indexOf(base.mode))
      refuse('sandbox.mode', s.mode, `looser than '${base.mode}' from ${userSaid('sandbox.mode')}`);
    else take('mode', s.mode);
  }
  if (s.security_level !== undefined) {
    if (SECURITY_LEVELS.indexOf(s.security_level) < SECURITY_LEVELS.indexOf(base.security_level))
      refuse('sandbox.security_level', s.security_level, `lower than '${base.security_level}' from ${userSaid('sandbox.security_level')}`);
    else take('security_level', s.security_level);
  }
  if (s.network_mode !== undefined) {
    const now = effectiveNetwork(base);
    const then = effectiveNetwork({ ...base, network_mode: s.network_mode });
    if (NETWORK_WIDTH.indexOf(then) > NETWORK_WIDTH.indexOf(now))
      refuse('sandbox.network_mode', s.network_mode ?? 'null', `wider than the current '${now}' network`);
    else take('network_mode', s.network_mode);
  }
  if (s.allowed_domains !== undefined) {
    const extra = s.allowed_domains.filter((d) => !domainCovered(d, base.allowed_domains));
    if (extra.length) refuse('sandbox.allowed_domains', extra.join(', '), `not in your allowed_domains, and a project may only narrow the list`);
    else take('allowed_domains', s.allowed_domains);
  }
  if (s.bind_mounts !== undefined) {
    const ok: BindMount[] = [];
    const projectRoot = projectRootOf();
    const secrets = secretsOf();
    s.bind_mounts.forEach((m, i) => {
      const host = real(m.host_path);
      const inProject = inside(host, projectRoot);
      const secret = secrets.find((x) => inside(host, x) || inside(x, host));
      if (!inProject && secret !== undefined)
        refuse('sandbox.bind_mounts', tl(m.host_path), `it would expose ${tl(secret)} (credentials) to sandboxed commands`, TIGHTEN, i);
      else if (!m.read_only && !inProject)
        refuse('sandbox.bind_mounts', tl(m.host_path), `a writable mount outside the project (${tl(projectRoot)})`, 'make it read_only: true, or put it in your user file', i);
      // Mount what was judged: the resolved path, not a symlink that could be retargeted later.
      else ok.push({ ...m, host_path: host });
    });
    if (ok.length) {
      base.bind_mounts.push(...clone(ok));
      origins['sandbox.bind_mounts'] = mergeOrigin(origins['sandbox.bind_mounts'], where(layer, 'sandbox.bind_mounts'));
    }
  }
  if (s.cache_dirs !== undefined) {
    const projectRoot = projectRootOf();
    const ok: string[] = [];
    s.cache_dirs.forEach((d, i) => {
      const r = real(d);
      if (inside(r, projectRoot)) return void ok.push(r);
      refuse('sandbox.cache_dirs', tl(d), `cache dirs are mounted writable, and this one is outside the project (${tl(projectRoot)})`, 'list it in your user file if you trust it', i);
    });
    if (ok.length) {
      base.cache_dirs.push(...ok);
      origins['sandbox.cache_dirs'] = mergeOrigin(origins['sandbox.cache_dirs'], where(layer, 'sandbox.cache_dirs'));
    }
  }
  if (s.enable_cache !== undefined) {
    if (s.enable_cache && !base.enable_cache)
      refuse('sandbox.enable_cache', true, 'cache mounts are writable host directories (a poisoned cache outlives the sandbox)');
    else take('enable_cache', s.enable_cache);
  }
  if (s.allow_project_image !== undefined) {
    if (s.allow_project_image && !base.allow_project_image) refuse('sandbox.allow_project_image', true, 'a project cannot grant itself that', 'only your user file can');
    else take('allow_project_image', s.allow_project_image);
  }
  if (s.image !== undefined) {
    if (!base.allow_project_image)
      refuse('sandbox.image', s.image, 'the image is the code sandboxed commands run on', 'to let projects choose it, set sandbox.allow_project_image: true in your user file');
    else take('image', s.image);
  }
  if (s.prefer_fast !== undefined) {
    if (s.prefer_fast && !base.prefer_fast) refuse('sandbox.prefer_fast', true, 'it would prefer a faster runtime over a more isolated one');
    else take('prefer_fast', s.prefer_fast);
  }
  if (s.timeout !== undefined) {
    // 0 = no timeout, the loosest value.
    const tighter = base.timeout === 0 || (s.timeout > 0 && s.timeout <= base.timeout);
    if (!tighter) refuse('sandbox.timeout', s.timeout, `longer than ${base.timeout}s from ${userSaid('sandbox.timeout')}`);
    else take('timeout', s.timeout);
  }
  // Which runtime runs the plan and how the environment is detected change speed and availability,
  // not what the plan allows.
  if (s.runtime !== undefined) take('runtime', s.runtime);
  if (s.auto_detect_env !== undefined) take('auto_detect_env', s.auto_detect_env);

  for (const [k, v] of Object.entries(layer.shell)) {
    const key = `shell.${k}`;
    if (k === 'fallback' && (v === 'block' || cfg.shell.fallback === 'host')) {
      cfg.shell.fallback = v as Config['shell']['fallback'];
      origins[key] = where(layer, key);
    } else if (k === 'fallback') refuse(key, v, `'host' would run lines unchecked when the analyzer fails`);
    else refuse(key, v, 'a personal shell preference, not a project setting', 'set it in your user file');
  }
  for (const [k, v] of Object.entries(layer.audit)) {
    const key = `audit.${k}`;
    if (k === 'enabled' && v === true) {
      cfg.audit.enabled = true;
      origins[key] = where(layer, key);
    } else if (k === 'enabled') refuse(key, v, 'it would stop the audit log');
    else refuse(key, v, 'audit retention is not a project setting', 'set it in your user file');
  }

  if (layer.rules.add) {
    const mine = new Set(cfg.rules.add.map((r) => r.id));
    const ok = layer.rules.add.filter((r, i) => {
      const slow = r.pattern === undefined ? null : slowRegex(r.pattern);
      if (slow) refuse('rules.add', r.id, `its pattern could stall the analyzer (${slow})`, 'simplify the pattern', i);
      else if (mine.has(r.id)) refuse('rules.add', r.id, 'your user file already has a rule with that id', 'rename the project rule', i);
      else return true;
      return false;
    });
    if (ok.length) {
      cfg.rules.add.push(...clone(ok));
      origins['rules.add'] = mergeOrigin(origins['rules.add'], where(layer, 'rules.add'));
    }
  }
  for (const kind of ['levels', 'raise'] as const) {
    for (const [id, risk] of Object.entries(layer.rules[kind] ?? {})) {
      const key = `rules.${kind}.${id}`;
      const userLevel = cfg.rules.levels[id];
      if (userLevel && riskRank(risk) < riskRank(userLevel)) {
        refuse(key, risk, `lower than your level '${userLevel}' for ${id}`);
        continue;
      }
      const prev = cfg.rules.raise[id];
      if (!prev || riskRank(risk) > riskRank(prev)) {
        cfg.rules.raise[id] = risk;
        origins[`rules.raise.${id}`] = where(layer, key);
      }
    }
  }
}

function mergeOrigin(prev: string | undefined, add: string): string {
  return !prev || prev === 'default' ? add : `${prev} + ${add}`;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

type Env = Record<string, string | undefined>;

/** `VG_*` variables and flags share checks; `label` names the source in errors and origins. */
interface Override {
  fix: string;
  mode?: string;
  runtime?: string;
  security_level?: string;
  network_mode?: string;
  timeout?: string | number;
  enabled?: string;
  image?: string;
}

function applyOverride(cfg: Config, origins: Origins, o: Override, key: string, labelOf: (k: string) => string): void {
  const raw = o[key as keyof Override];
  if (raw === undefined || raw === '') return;
  const label = labelOf(key);
  const v = String(raw).trim();
  const s = cfg.sandbox;
  const fail = (problem: string): never => {
    throw new VgError(`${label}: ${problem} — ${o.fix.replace('{}', label.replace(/^(env|flag) /, ''))}`);
  };
  const enumOf = <T extends string>(values: readonly T[]): T => {
    if ((values as readonly string[]).includes(v)) return v as T;
    const close = closest(v, values);
    return fail(`'${v}' is not one of ${values.join(', ')}${close ? ` (did you mean '${close}'?)` : ''}`);
  };
  switch (key) {
    case 'mode':
      s.mode = enumOf(MODES);
      break;
    case 'runtime':
      s.runtime = enumOf(RUNTIME_NAMES);
      break;
    case 'security_level':
      s.security_level = enumOf(SECURITY_LEVELS);
      break;
    case 'network_mode':
      s.network_mode = enumOf(NETWORK_MODES);
      break;
    case 'timeout': {
      const n = typeof raw === 'number' ? raw : v === '' ? NaN : Number(v);
      if (!Number.isFinite(n) || n < 0) fail(`'${v}' is not a number of seconds ≥ 0 (0 = no timeout)`);
      s.timeout = n;
      break;
    }
    case 'enabled': {
      const b = v.toLowerCase();
      if (b === '1' || b === 'true') s.enabled = true;
      else if (b === '0' || b === 'false') s.enabled = false;
      else fail(`'${v}' is not one of 0, 1, true, false`);
      break;
    }
    case 'image':
      if (/\s/.test(v)) fail(`'${v}' is not an image name`);
      s.image = v;
      break;
  }
  origins[`sandbox.${key}`] = label;
}

const ENV_VARS: Record<string, string> = {
  mode: 'VG_MODE',
  runtime: 'VG_RUNTIME',
  security_level: 'VG_SECURITY_LEVEL',
  network_mode: 'VG_NETWORK_MODE',
  timeout: 'VG_TIMEOUT',
  enabled: 'VG_ENABLED',
  image: 'VG_IMAGE',
};

export function applyEnv(cfg: Config, origins: Origins, env: Env): void {
  const o: Override = { fix: 'fix or unset {}' };
  for (const [k, name] of Object.entries(ENV_VARS)) (o as unknown as Record<string, string | undefined>)[k] = env[name];
  for (const k of Object.keys(ENV_VARS)) applyOverride(cfg, origins, o, k, (key) => `env ${ENV_VARS[key]}`);
}

export interface FlagValues {
  mode?: string;
  runtime?: string;
  security_level?: string;
  network_mode?: string;
  timeout?: string | number;
}

/** As `vg exec` spells them, so an error names the flag the user typed. */
const FLAG_NAMES: Record<string, string> = {
  mode: '--mode',
  runtime: '--runtime',
  security_level: '--security-level',
  network_mode: '--network',
  timeout: '--timeout',
};

export function applyFlags(cfg: Config, origins: Origins, flags: FlagValues): void {
  const o: Override = { fix: 'fix the {} value', ...flags };
  for (const k of Object.keys(FLAG_NAMES)) applyOverride(cfg, origins, o, k, (key) => `flag ${FLAG_NAMES[key]}`);
}

