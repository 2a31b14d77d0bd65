// Run the built CLI in a throwaway HOME: nothing a test does can touch the real one.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import { tempDir } from '../tmp.ts';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const VG = join(ROOT, 'dist', 'vg.js');

export interface Cage {
  home: string;
  work: string;
  env: NodeJS.ProcessEnv;
}

/** A temp HOME with XDG dirs inside it, and a workspace (a git repo) under it. */
export function cage(prefix = 'vg-cli-'): Cage {
  const base = realpathSync(tempDir(prefix));
  const home = join(base, 'home');
  const work = join(home, 'project');
  mkdirSync(join(work, '.git'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    LANG: 'C.UTF-8',
    VG_SESSION: 'test-session',
  };
  return { home, work, env };
}

export function vg(c: Cage, args: string[], o: SpawnSyncOptions & { env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [VG, ...args], {
    cwd: c.work,
    encoding: 'utf8',
    timeout: 60_000,
    ...o,
    env: { ...c.env, ...(o.env ?? {}) },
  });
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), signal: r.signal };
}
