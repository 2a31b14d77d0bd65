// Checks one config layer (a parsed YAML file) against the Config contract and returns only the keys
// it sets, normalised. Every failure is a one-line VgError naming file:line, the key and the allowed
// values: a guard that silently reads `enabled: off` as "off" (or ignores a typo'd key) is worse than
// one that refuses to start.
import { basename, isAbsolute, join, normalize, resolve } from 'node:path';
import { VgError } from '../../cli/errors.ts';
import { MODES } from '../../policy/types.ts';
import { RISKS, type Risk } from '../../analyze/types.ts';
import type { UserRuleSpec } from '../../analyze/rules/types.ts';
import {
  NETWORK_MODES,
  RUNTIME_NAMES,
  SECURITY_LEVELS,
  defaultConfig,
  type AuditConfig,
  type BindMount,
  type SandboxConfig,
  type ShellConfig,
} from './types.ts';

export const SHELL_NOTICES = ['full', 'quiet', 'off'] as const satisfies readonly ShellConfig['notice'][];
export const SHELL_FALLBACKS = ['host', 'block'] as const satisfies readonly ShellConfig['fallback'][];

/** Keys of the original Vectra Guard config that vg does not implement: an error with a migration hint. */
export const LEGACY_KEYS: Record<string, string> = {
  guard_level:
    'is a Vectra Guard 1 key that vg does not support — use sandbox.security_level (permissive, balanced, strict, paranoid) and sandbox.mode instead, and delete the line',
  cve: 'is a Vectra Guard 1 section that vg does not support (vg does not scan for CVEs) — delete the `cve:` section',
};

export type Path = (string | number)[];
export interface Loc {
  line: number;
  col: number;
}
/** Where each key and value sits in the source file; keyed by `pathKey(path)`. */
export type LocMap = Map<string, { key?: Loc; value?: Loc }>;
export const pathKey = (p: Path): string => p.join('\u0000');

/** `['sandbox','bind_mounts',0,'host_path']` → `sandbox.bind_mounts[0].host_path`. */
export function showPath(p: Path): string {
  let s = '';
  for (const part of p) s += typeof part === 'number' ? `[${part}]` : s ? `.${part}` : part;
  return s;
}

export type LayerKind = 'user' | 'project';

/** The keys one file sets, already normalised (paths absolute, domains lower-case). */
export interface Layer {
  source: string;
  /** The source as shown to the user (`~/…`). */
  display: string;
  kind: LayerKind;
  sandbox: Partial<SandboxConfig>;
  shell: Partial<ShellConfig>;
  audit: Partial<AuditConfig>;
  rules: { add?: UserRuleSpec[]; levels?: Record<string, Risk>; raise?: Record<string, Risk> };
  /** Dotted key (`sandbox.mode`, `rules.levels.git.force`) → line, for origins and notices. */
  lines: Map<string, number>;
}

export interface ValidateContext {
  source: string;
  display: string;
  kind: LayerKind;
  home: string;
  /** Directory relative paths resolve against (project files only). */
  baseDir?: string;
  locs?: LocMap;
}

const FIX = 'fix the value or run `vg config validate`';

class Checker {
  constructor(readonly ctx: ValidateContext) {}

  line(p: Path, at: 'key' | 'value' = 'value'): number | undefined {
    const locs = this.ctx.locs;
    if (!locs) return undefined;
    // Aliased or synthesised nodes have no position of their own: fall back to the nearest ancestor.
    for (let n = p.length; n > 0; n--) {
      const e = locs.get(pathKey(p.slice(0, n)));
      const loc = n === p.length ? (at === 'key' ? e?.key ?? e?.value : e?.value ?? e?.key) : e?.key ?? e?.value;
      if (loc) return loc.line;
    }
    return undefined;
  }

  fail(p: Path, problem: string, fix = FIX, at: 'key' | 'value' = 'value'): never {
    const line = this.line(p, at);
    const where = line ? `${this.ctx.display}:${line}` : this.ctx.display;
    const key = p.length ? `${showPath(p)}: ` : '';
    throw new VgError(`${where}: ${key}${problem} — ${fix}`);
  }

  /** Remember a key's line (list items as `key[i]`) for origins and notices. */
  record(layer: Layer, p: Path): void {
    const line = this.line(p, 'key');
    if (line) layer.lines.set(showPath(p), line);
  }

  mapping(v: unknown, p: Path, what = 'a mapping (key: value lines)'): Record<string, unknown> {
    if (v === null || v === undefined) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(p, `must be ${what}, not ${describe(v)}`, 'fix the structure (see docs/config.md)');
    return v as Record<string, unknown>;
  }

  present(v: unknown, p: Path, expected: string): void {
    if (v === null || v === undefined)
      this.fail(p, `has no value (expected ${expected})`, 'give it a value or delete the line to keep the default');
  }

  bool(v: unknown, p: Path): boolean {
    this.present(v, p, 'true or false');
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(y|yes|n|no|on|off|true|false)$/i.test(v))
      this.fail(p, `'${v}' is not a boolean (YAML 1.2 reads it as text)`, 'write true or false');
    return this.fail(p, `${describe(v)} is not a boolean`, 'write true or false');
  }

  oneOf<T extends string>(v: unknown, p: Path, values: readonly T[]): T {
    this.present(v, p, `one of ${values.join(', ')}`);
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const close = typeof v === 'string' ? closest(v, values) : undefined;
    return this.fail(p, `${describe(v)} is not one of ${values.join(', ')}`, close ? `did you mean '${close}'? or run \`vg config validate\`` : FIX);
  }

  num(v: unknown, p: Path, opts: { int?: boolean; unit: string }): number {
    this.present(v, p, `a number of ${opts.unit} ≥ 0`);
    const want = `must be ${opts.int ? 'a whole number' : 'a number'} of ${opts.unit} ≥ 0`;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))
      this.fail(p, `${want}, not the text '${v}'`, 'drop the quotes');
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(p, `${want}, not ${describe(v)}`, FIX);
    if (v < 0) this.fail(p, `${want}, not ${v}`, FIX);
    if (opts.int && !Number.isInteger(v)) this.fail(p, `${want}, not ${v}`, FIX);
    return v;
  }

  str(v: unknown, p: Path, what = 'text'): string {
    this.present(v, p, what);
    if (typeof v !== 'string' || v.trim() === '') this.fail(p, `must be ${what}, not ${describe(v)}`, FIX);
    return v;
  }

  list(v: unknown, p: Path, what: string): unknown[] {
    this.present(v, p, `a list of ${what}`);
    if (!Array.isArray(v)) this.fail(p, `must be a list of ${what}, not ${describe(v)}`, 'write it as `[a, b]` or one `- item` per line');
    return v;
  }

  /** A host path: absolute or `~/…`; relative only in a project file (then relative to the file). */
  hostPath(v: unknown, p: Path): string {
    if (v === null) this.fail(p, 'has no value (a bare ~ is YAML for "nothing")', "write '~' in quotes, or an absolute path");
    const s = this.str(v, p, 'a path');
    if (s.includes('\0')) this.fail(p, 'contains a NUL byte', FIX);
    if (s === '~' || s.startsWith('~/')) return normalize(join(this.ctx.home, s.slice(1)));
    if (s.startsWith('~')) this.fail(p, `'${s}': only ~ (your own home) is expanded`, 'write the absolute path');
    if (isAbsolute(s)) return normalize(s);
    if (this.ctx.baseDir) return resolve(this.ctx.baseDir, s);
    return this.fail(p, `'${s}' is a relative path`, 'write an absolute path or one starting with ~/');
  }

  unknownKey(section: Path, key: string, known: readonly string[]): never {
    const p = [...section, key];
    if (section.length === 0 && LEGACY_KEYS[key]) {
      const line = this.line(p, 'key');
      throw new VgError(`${line ? `${this.ctx.display}:${line}` : this.ctx.display}: ${key} ${LEGACY_KEYS[key]}`);
    }
    let hint = closest(key, known);
    if (section.length === 0 && !hint) {
      // `mode: auto` at the top level is the most common slip: point at the section it belongs in.
      for (const [name, keys] of Object.entries(SECTION_KEYS)) {
        const k = keys.includes(key) ? key : closest(key, keys);
        if (k) {
          hint = `${name}.${k}`;
          break;
        }
      }
    }
    const where = section.length ? `under ${showPath(section)}` : 'at the top level';
    return this.fail(
      p,
      `unknown key ${where}`,
      hint ? `did you mean '${hint}'?` : `known keys: ${known.join(', ')}`,
      'key',
    );
  }
}

const SANDBOX_KEYS = Object.keys(defaultConfig().sandbox) as (keyof SandboxConfig)[];
const SHELL_KEYS = Object.keys(defaultConfig().shell) as (keyof ShellConfig)[];
const AUDIT_KEYS = Object.keys(defaultConfig().audit) as (keyof AuditConfig)[];
const RULES_KEYS = Object.keys(defaultConfig().rules);
export const SECTION_KEYS: Record<string, readonly string[]> = {
  sandbox: SANDBOX_KEYS,
  shell: SHELL_KEYS,
  audit: AUDIT_KEYS,
  rules: RULES_KEYS,
};
const RULE_KEYS = ['id', 'risk', 'message', 'why', 'commands', 'pattern'];
const MOUNT_KEYS = ['host_path', 'container_path', 'read_only'];
const DOMAIN_RE = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const RULE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function validateLayer(data: unknown, ctx: ValidateContext): Layer {
  const c = new Checker(ctx);
  const layer: Layer = {
    source: ctx.source,
    display: ctx.display,
    kind: ctx.kind,
    sandbox: {},
    shell: {},
    audit: {},
    rules: {},
    lines: new Map(),
  };
  const top = c.mapping(data, [], 'a mapping with sections sandbox:, shell:, audit:, rules:');
  for (const key of Object.keys(top)) {
    if (!(key in SECTION_KEYS)) c.unknownKey([], key, Object.keys(SECTION_KEYS));
  }
  const sb = c.mapping(top.sandbox, ['sandbox']);
  for (const [key, v] of Object.entries(sb)) {
    const p = ['sandbox', key];
    c.record(layer, p);
    const s = layer.sandbox;
    switch (key) {
      case 'enabled':
      case 'enable_cache':
      case 'auto_detect_env':
      case 'prefer_fast':
      case 'allow_project_image':
        s[key] = c.bool(v, p);
        break;
      case 'mode':
        s.mode = c.oneOf(v, p, MODES);
        break;
      case 'runtime':
        s.runtime = c.oneOf(v, p, RUNTIME_NAMES);
        break;
      case 'security_level':
        s.security_level = c.oneOf(v, p, SECURITY_LEVELS);
        break;
      case 'network_mode':
        // null is meaningful here: follow the security level.
        s.network_mode = v === null ? null : c.oneOf(v, p, NETWORK_MODES);
        break;
      case 'image': {
        const img = c.str(v, p, 'an image name');
        if (/\s/.test(img)) c.fail(p, `'${img}' is not an image name (it contains spaces)`, FIX);
        s.image = img;
        break;
      }
      case 'timeout':
        s.timeout = c.num(v, p, { unit: 'seconds (0 = no timeout)' });
        break;
      case 'cache_dirs':
        s.cache_dirs = c.list(v, p, 'paths').map((x, i) => (c.record(layer, [...p, i]), c.hostPath(x, [...p, i])));
        break;
      case 'allowed_domains':
        s.allowed_domains = c.list(v, p, 'host names').map((x, i) => domain(c, x, [...p, i]));
        break;
      case 'bind_mounts':
        s.bind_mounts = c.list(v, p, 'mounts ({host_path, container_path, read_only})').map((x, i) => (c.record(layer, [...p, i]), mount(c, x, [...p, i])));
        break;
      default:
        c.unknownKey(['sandbox'], key, SANDBOX_KEYS);
    }
  }
  const sh = c.mapping(top.shell, ['shell']);
  for (const [key, v] of Object.entries(sh)) {
    const p = ['shell', key];
    c.record(layer, p);
    if (key === 'notice') layer.shell.notice = c.oneOf(v, p, SHELL_NOTICES);
    else if (key === 'fallback') layer.shell.fallback = c.oneOf(v, p, SHELL_FALLBACKS);
    else if (key === 'analyzer_timeout_ms') layer.shell.analyzer_timeout_ms = c.num(v, p, { int: true, unit: 'milliseconds' });
    else c.unknownKey(['shell'], key, SHELL_KEYS);
  }
  const au = c.mapping(top.audit, ['audit']);
  for (const [key, v] of Object.entries(au)) {
    const p = ['audit', key];
    c.record(layer, p);
    if (key === 'enabled') layer.audit.enabled = c.bool(v, p);
    else if (key === 'max_size_mb') layer.audit.max_size_mb = c.num(v, p, { unit: 'MiB' });
    else if (key === 'keep') layer.audit.keep = c.num(v, p, { int: true, unit: 'files' });
    else c.unknownKey(['audit'], key, AUDIT_KEYS);
  }
  const ru = c.mapping(top.rules, ['rules']);
  for (const [key, v] of Object.entries(ru)) {
    const p = ['rules', key];
    if (key === 'add') {
      c.record(layer, p);
      const seen = new Set<string>();
      layer.rules.add = c.list(v, p, 'rules ({id, risk, message, commands, pattern})').map((x, i) => {
        c.record(layer, [...p, i]);
        const r = rule(c, x, [...p, i]);
        if (seen.has(r.id)) c.fail([...p, i, 'id'], `'${r.id}' is used by an earlier rule in this file`, 'give each rule its own id');
        seen.add(r.id);
        return r;
      });
    } else if (key === 'levels' || key === 'raise') {
      const m = c.mapping(v, p, 'a mapping of rule id → low, medium, high or critical');
      const out: Record<string, Risk> = {};
      for (const [id, risk] of Object.entries(m)) {
        if (!RULE_ID_RE.test(id)) c.fail([...p, id], `'${id}' is not a rule id`, 'use the id `vg analyze` shows, e.g. git.force-push', 'key');
        out[id] = c.oneOf(risk, [...p, id], RISKS);
        c.record(layer, [...p, id]);
      }
      layer.rules[key] = out;
    } else c.unknownKey(['rules'], key, RULES_KEYS);
  }
  return layer;
}

function domain(c: Checker, v: unknown, p: Path): string {
  const s = c.str(v, p, 'a host name').trim().toLowerCase();
  if (/^[a-z]+:\/\//.test(s) || s.includes('/'))
    c.fail(p, `'${s}' is a URL, not a host name`, `write the host only, e.g. ${s.replace(/^[a-z]+:\/\//, '').split('/')[0]}`);
  if (!DOMAIN_RE.test(s)) c.fail(p, `'${s}' is not a host name`, 'write e.g. registry.npmjs.org or *.example.com');
  return s;
}

function mount(c: Checker, v: unknown, p: Path): BindMount {
  if (typeof v === 'string')
    c.fail(p, `'${v}' must be a mapping`, 'write `- {host_path: ~/data, container_path: /data, read_only: true}`');
  const m = c.mapping(v, p, 'a mapping {host_path, container_path, read_only}');
  for (const k of Object.keys(m)) if (!MOUNT_KEYS.includes(k)) c.unknownKey(p, k, MOUNT_KEYS);
  if (m.host_path === undefined) c.fail(p, 'has no host_path', 'add host_path: the directory or file on the host to mount');
  const host_path = c.hostPath(m.host_path, [...p, 'host_path']);
  let container_path = host_path;
  if (m.container_path !== undefined) {
    container_path = c.str(m.container_path, [...p, 'container_path'], 'an absolute path inside the sandbox');
    if (!isAbsolute(container_path))
      c.fail([...p, 'container_path'], `'${container_path}' is not absolute (inside the sandbox there is no ~ or cwd to resolve it against)`, 'write it starting with /');
    container_path = normalize(container_path);
  }
  // Read-only unless asked otherwise: a forgotten flag must not hand the sandbox a writable host dir.
  const read_only = m.read_only === undefined ? true : c.bool(m.read_only, [...p, 'read_only']);
  return { host_path, container_path, read_only };
}

function rule(c: Checker, v: unknown, p: Path): UserRuleSpec {
  const m = c.mapping(v, p, 'a rule {id, risk, message, commands, pattern}');
  for (const k of Object.keys(m)) if (!RULE_KEYS.includes(k)) c.unknownKey(p, k, RULE_KEYS);
  for (const k of ['id', 'risk', 'message']) if (m[k] === undefined) c.fail(p, `has no ${k}`, `add ${k}: (a rule needs id, risk and message)`);
  const id = c.str(m.id, [...p, 'id'], 'a rule id');
  if (!RULE_ID_RE.test(id)) c.fail([...p, 'id'], `'${id}' is not a valid id`, 'use letters, digits, dots, dashes, e.g. team.no-prod-db');
  const out: UserRuleSpec = { id, risk: c.oneOf(m.risk, [...p, 'risk'], RISKS), message: c.str(m.message, [...p, 'message'], 'a one-line message') };
  if (m.why !== undefined) out.why = c.str(m.why, [...p, 'why'], 'a sentence');
  if (m.commands !== undefined) {
    out.commands = c.list(m.commands, [...p, 'commands'], 'command names').map((x, i) => basename(c.str(x, [...p, 'commands', i], 'a command name')));
  }
  if (m.pattern !== undefined) {
    const pat = c.str(m.pattern, [...p, 'pattern'], 'a regular expression');
    try {
      new RegExp(pat);
    } catch (err) {
      const msg = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
      c.fail([...p, 'pattern'], `'${pat}' is not a valid regular expression (${msg})`, 'fix the pattern (JavaScript regex syntax; quote it in single quotes)');
    }
    out.pattern = pat;
  }
  if (!out.commands?.length && out.pattern === undefined)
    c.fail(p, `rule '${id}' has neither commands nor pattern, so it would match every command`, 'add commands: [name] or pattern: regex');
  return out;
}

/**
 * Why a regex could backtrack for a very long time (a quantified group that itself holds an unbounded
 * quantifier, like `(a+)+`, or a backreference), or null. A heuristic, not a proof: it is used to
 * refuse patterns from project files, where a slow rule could stall the analyzer into its fallback.
 */
export function slowRegex(pattern: string): string | null {
  if (pattern.length > 500) return 'longer than 500 characters';
  const stack: { unbounded: boolean }[] = [{ unbounded: false }];
  let lastGroupUnbounded = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      if (/[1-9k]/.test(pattern[i + 1] ?? '')) return 'it uses a backreference';
      i++;
      lastGroupUnbounded = false;
      continue;
    }
    if (ch === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      lastGroupUnbounded = false;
      continue;
    }
    if (ch === '(') {
      stack.push({ unbounded: false });
      continue;
    }
    if (ch === ')') {
      const f = stack.length > 1 ? stack.pop()! : { unbounded: false };
      lastGroupUnbounded = f.unbounded;
      if (f.unbounded) stack[stack.length - 1].unbounded = true;
      continue;
    }
    const unbounded = ch === '*' || ch === '+' || (ch === '{' && /^\{\d+,\}/.test(pattern.slice(i)));
    if (unbounded) {
      if (lastGroupUnbounded) return 'it nests unbounded repetition, e.g. (a+)+';
      stack[stack.length - 1].unbounded = true;
    }
    lastGroupUnbounded = false;
  }
  return null;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/** Levenshtein distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  // Two edits for real words, one for short ones: close enough to be the typo, far enough not to guess.
  const limit = Math.max(1, Math.min(2, Math.floor(w.length / 3)));
  return bestD <= limit ? best : undefined;
}
