// The three presets of the product docs, as commented YAML that `vg config init --preset P` writes.
// Comments explain the choice so the file is its own documentation; tests load each one.

export const PRESET_NAMES = ['developer', 'ci', 'production'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const FOOTER = `
# Every key, its default and allowed values: docs/config.md, or \`vg config show --origin\`.
# A project's .vg.yaml can tighten these settings for that repository, never loosen them.
`;

export const PRESETS: Record<PresetName, string> = {
  developer: `# vg preset: developer — a workstation.
# Low-risk lines run on the host as typed; installs, downloads and other medium/high-risk lines run
# in the sandbox with your package caches mounted; high-risk lines ask first; critical is blocked.
sandbox:
  enabled: true
  # always | auto | risky | never — auto: low on host, medium/high sandboxed, high asks when interactive.
  mode: auto
  # permissive | balanced | strict | paranoid — balanced: restricted network (package registries only).
  security_level: balanced
  # Mount package download caches (npm, pip, cargo…) read-write so sandboxed installs stay warm.
  enable_cache: true
${FOOTER}`,
  ci: `# vg preset: ci — build machines and CI jobs.
# Every command (except shell-state builtins like cd/export) runs in the sandbox, with a strict
# security level; caches stay on so repeated installs do not download everything again.
sandbox:
  enabled: true
  # always: everything is sandboxed; nobody is there to answer a prompt.
  mode: always
  # strict: restricted network, tighter defaults than balanced.
  security_level: strict
  enable_cache: true
${FOOTER}`,
  production: `# vg preset: production — servers and anywhere a mistake is expensive.
# Everything runs in the sandbox at the paranoid level with no network at all.
sandbox:
  enabled: true
  mode: always
  # paranoid: the strictest level; its network default is none, set explicitly here.
  security_level: paranoid
  # none | restricted | full — none: sandboxed commands cannot reach the network.
  network_mode: none
${FOOTER}`,
};

/** What `vg config init` writes without --preset: every key commented out, at its default. */
export const DEFAULT_TEMPLATE = `# vg configuration. Every key is shown commented out at its default; uncomment to change it.
# An unset key keeps its default. Unknown keys and values are errors (\`vg config validate\`).
sandbox:
  # Off = validation only (critical lines are still blocked).
  # enabled: true
  # always | auto | risky | never
  # mode: always
  # auto | bubblewrap | namespace | docker | podman
  # runtime: auto
  # Image for the docker/podman runtimes.
  # image: vg-sandbox:bookworm
  # Seconds; 0 = no timeout.
  # timeout: 0
  # permissive | balanced | strict | paranoid
  # security_level: balanced
  # Mount package download caches read-write.
  # enable_cache: true
  # Extra cache directories (absolute or ~/ paths), mounted read-write.
  # cache_dirs: []
  # none | restricted | full; unset: follows security_level.
  # network_mode: restricted
  # Hosts reachable on the restricted network (default: the package registries vg caches for).
  # allowed_domains: [registry.npmjs.org, pypi.org, files.pythonhosted.org, crates.io, github.com]
  # Extra mounts; read_only defaults to true, container_path to host_path.
  # bind_mounts:
  #   - {host_path: ~/.gitconfig, container_path: /root/.gitconfig, read_only: true}
  # Pick the runtime order for CI vs a workstation automatically.
  # auto_detect_env: true
  # Prefer the fastest available runtime over the most isolated.
  # prefer_fast: true
  # Let a project's .vg.yaml choose sandbox.image (it picks the code your commands run on).
  # allow_project_image: false
shell:
  # full | quiet | off — the notice line for sandboxed commands.
  # notice: full
  # How long the shell waits for the analyzer (ms).
  # analyzer_timeout_ms: 500
  # host | block — what happens when the analyzer cannot answer.
  # fallback: host
audit:
  # enabled: true
  # max_size_mb: 10
  # keep: 5
rules:
  # Your own rules: a command name and/or a regex over the resolved command.
  # add:
  #   - id: team.prod-db
  #     risk: high
  #     message: connects to the production database
  #     commands: [psql]
  #     pattern: 'prod-db\\.internal'
  # Change a rule's level by id (critical rules cannot be lowered).
  # levels:
  #   git.force-push: medium
  # Floors: a rule is at least this level.
  # raise: {}
`;
