// A SandboxPlan is pure data: what to isolate. src/runtimes turns it into a run.
import type { NetworkMode, SecurityLevel, RuntimeName } from '../store/config/types.ts';

export interface Mount {
  /** Absolute path on the host. */
  source: string;
  /** Absolute path inside the sandbox (same as source unless a bind_mount says otherwise). */
  target: string;
  mode: 'ro' | 'rw';
  /** Why it is mounted: workspace, cache:npm, bind, protect (re-mounted ro inside a rw tree), hide. */
  kind: 'workspace' | 'cache' | 'bind' | 'protect' | 'system';
  label?: string;
  /** Create the source directory before the run (standard caches a tool would otherwise fail to create on a read-only home). */
  create?: boolean;
}

export interface Limits {
  memoryBytes: number;
  /** CPUs as a fraction (0.5 = half a core). */
  cpus: number;
  pids: number;
}

export interface SandboxPlan {
  /** The shell line to run, via `/bin/sh -c` inside (or argv when exec'd with `--`). */
  command: { line: string } | { argv: string[] };
  cwd: string;
  /** Writable root of the user's work: the git root or the cwd. Null when it would be $HOME or /. */
  workspace: string | null;
  /** Why the workspace is null, shown in the notice. */
  workspaceNote?: string;
  level: SecurityLevel;
  rootfs: 'ro' | 'overlay'; // overlay: writable, changes discarded
  mounts: Mount[];
  /** Paths that must not be readable inside (secrets); runtimes cover them with empty tmpfs/files. */
  hidden: string[];
  env: Record<string, string>;
  /** Names of variables dropped from the environment (for the notice / dry-run). */
  droppedEnv: string[];
  network: NetworkMode;
  allowedDomains: string[];
  limits: Limits;
  /** Seconds; 0 = none. */
  timeout: number;
  interactive: boolean;
  /** Cache labels mounted (npm, pip, …); the notice says `cached` only when non-empty. */
  caches: string[];
  image: string;
  runtime: RuntimeName;
  /** Shell that runs `command.line` inside (the user's bash/zsh/fish when known, else /bin/sh). */
  shell?: string;
  /** The line's words when it is one plain command the host runtimes exec without a shell (direct.ts). */
  direct?: string[];
}
