// The config's shape and defaults. The loader (load.ts) validates YAML against this and merges
// layers; every other module reads a fully-populated `Config` and never re-checks it.
import type { Mode } from '../../policy/types.ts';
import type { Risk } from '../../analyze/types.ts';
import type { UserRuleSpec } from '../../analyze/rules/types.ts';

export type RuntimeName = 'auto' | 'bubblewrap' | 'namespace' | 'docker' | 'podman';
export const RUNTIME_NAMES: readonly RuntimeName[] = ['auto', 'bubblewrap', 'namespace', 'docker', 'podman'];
export type SecurityLevel = 'permissive' | 'balanced' | 'strict' | 'paranoid';
export const SECURITY_LEVELS: readonly SecurityLevel[] = ['permissive', 'balanced', 'strict', 'paranoid'];
export type NetworkMode = 'none' | 'restricted' | 'full';
export const NETWORK_MODES: readonly NetworkMode[] = ['none', 'restricted', 'full'];

export interface BindMount {
  host_path: string;
  container_path: string;
  read_only: boolean;
}

export interface SandboxConfig {
  enabled: boolean;
  mode: Mode;
  runtime: RuntimeName;
  image: string;
  /** Seconds; 0 = no timeout. */
  timeout: number;
  security_level: SecurityLevel;
  enable_cache: boolean;
  /** Extra cache directories to mount read-write (besides the detected ones). */
  cache_dirs: string[];
  /** Unset means: follow the security level (permissive → full, balanced/strict → restricted, paranoid → none). */
  network_mode: NetworkMode | null;
  allowed_domains: string[];
  bind_mounts: BindMount[];
  /** Detect CI vs dev and pick the runtime order accordingly. */
  auto_detect_env: boolean;
  /** Prefer the fastest available runtime over the most isolated. */
  prefer_fast: boolean;
  /**
   * Let a project's `.vg.yaml` choose `sandbox.image`. Off by default: the image is the code every
   * sandboxed command runs on, so a cloned repository picking it is a trust decision for the user.
   * Only honoured in the user's own file (or env/flags).
   */
  allow_project_image: boolean;
}

export interface ShellConfig {
  /** Notice line for sandboxed commands: full, quiet (one short line), off. */
  notice: 'full' | 'quiet' | 'off';
  /** How long the shell waits for the analyzer before falling back, in ms. */
  analyzer_timeout_ms: number;
  /** What the shell does when the analyzer cannot answer: run on host with a warning, or refuse. */
  fallback: 'host' | 'block';
}

export interface AuditConfig {
  enabled: boolean;
  /** Rotate the audit log when it passes this size (MiB). */
  max_size_mb: number;
  /** Rotated files to keep. */
  keep: number;
}

export interface RulesConfig {
  add: UserRuleSpec[];
  levels: Record<string, Risk>;
  /**
   * Floors: a rule's level is at least this (the analyzer applies max(level after `levels`, raise)).
   * A project file's `levels` land here, because without the rule table the loader cannot tell a
   * raise from a lowering — a floor can only ever raise.
   */
  raise: Record<string, Risk>;
}

export interface Config {
  sandbox: SandboxConfig;
  shell: ShellConfig;
  audit: AuditConfig;
  rules: RulesConfig;
}

/** The package registries of the ecosystems vg caches for: the restricted network's default allowlist. */
export const DEFAULT_ALLOWED_DOMAINS: readonly string[] = [
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'crates.io',
  'static.crates.io',
  'index.crates.io',
  'proxy.golang.org',
  'sum.golang.org',
  'rubygems.org',
  'repo.maven.apache.org',
  'repo1.maven.org',
  'plugins.gradle.org',
  'services.gradle.org',
  'github.com',
  'codeload.github.com',
  'objects.githubusercontent.com',
];

export const DEFAULT_IMAGE = 'vg-sandbox:bookworm';

export function defaultConfig(): Config {
  return {
    sandbox: {
      enabled: true,
      mode: 'always',
      runtime: 'auto',
      image: DEFAULT_IMAGE,
      timeout: 0,
      security_level: 'balanced',
      enable_cache: true,
      cache_dirs: [],
      network_mode: null,
      allowed_domains: [...DEFAULT_ALLOWED_DOMAINS],
      bind_mounts: [],
      auto_detect_env: true,
      prefer_fast: true,
      allow_project_image: false,
    },
    shell: { notice: 'full', analyzer_timeout_ms: 500, fallback: 'host' },
    audit: { enabled: true, max_size_mb: 10, keep: 5 },
    rules: { add: [], levels: {}, raise: {} },
  };
}

export function effectiveNetwork(s: SandboxConfig): NetworkMode {
  if (s.network_mode) return s.network_mode;
  return s.security_level === 'permissive' ? 'full' : s.security_level === 'paranoid' ? 'none' : 'restricted';
}
