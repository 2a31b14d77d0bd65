// The config loader others code against. Layers, lowest first: defaults, the user file
// ($VG_CONFIG or $XDG_CONFIG_HOME/vg/config.yaml), the nearest project `.vg.yaml` (tighten-only),
// VG_* environment, flags. Every module after this reads a complete, checked `Config`.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { VgError } from '../../cli/errors.ts';
import { configFile, home as homeOf, PROJECT_CONFIG_NAME } from '../paths.ts';
import { defaultConfig, type Config } from './types.ts';
import { validateLayer, type Layer, type LayerKind } from './validate.ts';
import { loadLayerFile, locsOf, statFile } from './parse.ts';
import { tildify } from './tildify.ts';
import { applyEnv, applyFlags, applyProjectLayer, applyUserLayer, type Origins } from './merge.ts';

export { PRESETS, DEFAULT_TEMPLATE, PRESET_NAMES, type PresetName } from './presets.ts';
export type { Origins } from './merge.ts';
export { tildify } from './tildify.ts';

type Env = Record<string, string | undefined>;

export interface ConfigFlags {
  mode?: string;
  runtime?: string;
  security_level?: string;
  network_mode?: string;
  timeout?: string | number;
}

export interface LoadedConfig {
  config: Config;
  /** Files that contributed, in order. */
  files: string[];
  /** One-line notes, e.g. a project file tried to loosen security. */
  notices: string[];
}

/** loadConfig plus where every key came from (for `vg config show --origin`). */
export interface ConfigReport extends LoadedConfig {
  origins: Origins;
  userFile: string;
  userFileExists: boolean;
  projectFile: string | null;
}

export async function loadConfig(opts: { cwd: string; env?: Env; flags?: ConfigFlags }): Promise<LoadedConfig> {
  return explainConfig(opts);
}

export async function explainConfig(opts: { cwd: string; env?: Env; flags?: ConfigFlags }): Promise<ConfigReport> {
  const env = opts.env ?? process.env;
  const home = homeOf(env);
  const config = defaultConfig();
  const origins: Origins = {};
  for (const key of leafKeys(config)) origins[key] = 'default';
  const files: string[] = [];
  const notices: string[] = [];

  const userFile = resolve(opts.cwd, configFile(env));
  const userDisplay = tildify(userFile, home);
  const ust = statFile(userFile, userDisplay);
  if (!ust && env.VG_CONFIG)
    throw new VgError(`VG_CONFIG: ${userDisplay} does not exist — create it with \`vg config init\` or unset VG_CONFIG`);
  if (ust && (ust.mode & 0o002) !== 0)
    // Anyone could rewrite it to `mode: never`: refuse to trust it, like ssh with a loose key file.
    throw new VgError(`${userDisplay}: anyone can write this file, so vg will not trust it — run \`chmod o-w ${userDisplay}\``);
  if (ust) {
    applyUserLayer(config, origins, await loadLayerFile(userFile, ust, { source: userFile, display: userDisplay, kind: 'user', home }));
    files.push(userFile);
  }

  let projectFile = findProjectFile(opts.cwd, home);
  if (projectFile === userFile) projectFile = null;
  if (projectFile) {
    const display = tildify(projectFile, home);
    const pst = statFile(projectFile, display);
    const uid = process.getuid?.();
    if (pst && uid !== undefined && pst.uid !== uid && pst.uid !== 0) {
      // Like git's safe.directory: a file another account can write is not the user's project.
      notices.push(`${display}: ignored — owned by uid ${pst.uid}, not you; a project file must be yours (or root's)`);
    } else if (pst && (pst.mode & 0o002) !== 0) {
      notices.push(`${display}: ignored — anyone can write it; run \`chmod o-w ${display}\``);
    } else if (pst) {
      const layer = await loadLayerFile(projectFile, pst, { source: projectFile, display, kind: 'project', home, baseDir: dirname(projectFile) });
      applyProjectLayer(config, origins, layer, notices, { home, projectDir: dirname(projectFile) });
      files.push(projectFile);
    }
  }

  // Hand back the same frozen rules object while the rules are unchanged, so the analyzer's
  // per-object cache of compiled regexes survives a loadConfig per line.
  const rulesKey = JSON.stringify(config.rules);
  const memo = rulesMemo.get(rulesKey);
  if (memo) config.rules = memo;
  else {
    if (rulesMemo.size >= 32) rulesMemo.delete(rulesMemo.keys().next().value!);
    rulesMemo.set(rulesKey, (config.rules = deepFreeze(config.rules)));
  }

  applyEnv(config, origins, env);
  if (opts.flags) applyFlags(config, origins, opts.flags);
  return { config, files, notices, origins, userFile, userFileExists: !!ust, projectFile };
}

/**
 * Validate parsed data as a user config file and return the full config (defaults filled in).
 * When `obj` came from this module's YAML parser, errors carry the line.
 */
export function validateConfigObject(obj: unknown, source: string): Config {
  const home = homeOf();
  const kind: LayerKind = basename(source) === PROJECT_CONFIG_NAME ? 'project' : 'user';
  const locs = obj && typeof obj === 'object' ? locsOf.get(obj) : undefined;
  const layer: Layer = validateLayer(obj, {
    source,
    display: tildify(source, home),
    kind,
    home,
    baseDir: kind === 'project' ? dirname(resolve(source)) : undefined,
    locs,
  });
  const config = defaultConfig();
  applyUserLayer(config, {}, layer);
  return config;
}

/**
 * The nearest `.vg.yaml` from cwd upward. The walk stops at the repository root (a directory with
 * `.git`) or $HOME, whichever comes first, and never reads above it; outside both it goes to `/`.
 */
export function findProjectFile(cwd: string, home: string): string | null {
  const stop = resolve(home);
  let dir = resolve(cwd);
  for (;;) {
    const f = join(dir, PROJECT_CONFIG_NAME);
    if (existsSync(f)) return f;
    if (dir === stop || existsSync(join(dir, '.git'))) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const rulesMemo = new Map<string, Config['rules']>();

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function leafKeys(cfg: Config): string[] {
  const out: string[] = [];
  for (const [section, values] of Object.entries(cfg)) {
    for (const k of Object.keys(values as object)) {
      if (section === 'rules' && k !== 'add') continue; // per-id maps: origins are per id
      out.push(`${section}.${k}`);
    }
  }
  return out;
}

/**
 * `vg config validate FILE`: check one file. A `.vg.yaml` is checked as a project file, and its
 * notices say what it would be refused against the user's current config.
 */
export async function checkConfigFile(file: string, opts: { env?: Env } = {}): Promise<{ kind: LayerKind; notices: string[] }> {
  const env = opts.env ?? process.env;
  const home = homeOf(env);
  const path = resolve(file);
  const display = tildify(path, home);
  const st = statFile(path, display);
  if (!st) throw new VgError(`${display}: no such file — check the path`);
  const kind: LayerKind = basename(path) === PROJECT_CONFIG_NAME ? 'project' : 'user';
  const ctx = { source: path, display, kind, home, baseDir: kind === 'project' ? dirname(path) : undefined };
  const layer = await loadLayerFile(path, st, ctx);
  const notices: string[] = [];
  if (kind === 'project') {
    const config = defaultConfig();
    const origins: Origins = {};
    for (const key of leafKeys(config)) origins[key] = 'default';
    const userFile = resolve(configFile(env));
    const ust = userFile === path ? null : statFile(userFile, tildify(userFile, home));
    if (ust) applyUserLayer(config, origins, await loadLayerFile(userFile, ust, { source: userFile, display: tildify(userFile, home), kind: 'user', home }));
    applyProjectLayer(config, origins, layer, notices, { home, projectDir: dirname(path) });
  }
  return { kind, notices };
}
