import type { SandboxPlan } from '../sandbox/types.ts';
import type { RuntimeName } from '../store/config/types.ts';

export type ConcreteRuntime = Exclude<RuntimeName, 'auto'>;

export interface Availability {
  ok: boolean;
  /** When not ok: one line naming the problem and how to install/fix it. */
  reason?: string;
  version?: string;
}

/** Something the shell (or vg exec) runs directly: no Node on the hot path of a sandboxed command. */
export interface Invocation {
  argv: string[];
  env: Record<string, string>;
  /** Extra fds to pass (e.g. a seccomp program written to a file and opened as fd N). */
  files?: { fd: number; path: string }[];
  /** Helpers that must run alongside (e.g. the restricted-network proxy), started by the caller. */
  needsProxy?: { socketPath: string; allowedDomains: string[] };
  cleanup?: string[];
  /**
   * The first process (vg's Perl wrapper) replaces its environment itself with the K=V words its
   * argv carries, so `env` holds only what that process needs to start: the caller may pass it on
   * top of its own environment (the shell's `K=V command …`) instead of an `env -i` exec.
   */
  envByWrapper?: boolean;
}

/** A name `env` and the shells accept in an assignment. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface RunResult {
  /** Exit status as a shell would report it: the command's, 128+n for signal, 124 timeout, 125 cannot start. */
  status: number;
  signal?: string;
  timedOut?: boolean;
  durationMs: number;
}

export interface Runtime {
  name: ConcreteRuntime;
  /** Cheap check (binary present, engine reachable). */
  available(): Promise<Availability>;
  /** The exact argv for a plan (what `--dry-run` prints). Pure for bwrap/namespace/CLI engines. */
  invocation(plan: SandboxPlan): Invocation;
  /** Run the plan with the terminal attached; resolves with the exit status. */
  run(plan: SandboxPlan): Promise<RunResult>;
}
