// Where vg keeps things, per the XDG base directory spec. Computed from the environment each call
// so tests (and `HOME=/tmp/x vg …`) can redirect everything.
import { join } from 'node:path';
import { homedir } from 'node:os';

type Env = Record<string, string | undefined>;

export function home(env: Env = process.env): string {
  return env.HOME || homedir();
}

export function configDir(env: Env = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(home(env), '.config'), 'vg');
}

export function configFile(env: Env = process.env): string {
  return env.VG_CONFIG || join(configDir(env), 'config.yaml');
}

/** State: trust store, audit log, resident-server sockets. Directories are created 0700. */
export function stateDir(env: Env = process.env): string {
  return env.VG_STATE_DIR || join(env.XDG_STATE_HOME || join(home(env), '.local', 'state'), 'vg');
}

export function runtimeDir(env: Env = process.env): string {
  // Sockets want a short, private path; XDG_RUNTIME_DIR is that when present.
  return env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'vg') : join(stateDir(env), 'run');
}

export const PROJECT_CONFIG_NAME = '.vg.yaml';
