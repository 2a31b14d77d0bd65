// How vg names itself in the commands it writes for agents (hook rewrites, settings entries, shims).
// Agents start their tools with their own PATH, often not the user's shell PATH, so by default the
// command is absolute: this Node binary and this bundle. VG_SELF overrides it (space-separated words,
// e.g. `VG_SELF=vg` when vg is on every PATH that matters).
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Env } from '../intercept/judge.ts';

export function selfArgv(env: Env = process.env): string[] {
  const o = env.VG_SELF?.trim();
  if (o) return o.split(/\s+/);
  const script = process.argv[1];
  if (!script) return ['vg'];
  let abs = resolve(script);
  try {
    abs = realpathSync(abs);
  } catch {
    // keep the resolved path
  }
  return [process.execPath, abs];
}
