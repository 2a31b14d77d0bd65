// Throwaway worlds for agent tests: every test that runs a command gets its own HOME, state, config
// and working directory under the temp dir, with a canary file in HOME and one in the workspace.
// Destructive lines (`rm -rf ~`) are only ever run with HOME pointing here — never the real one.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const VG = join(ROOT, 'dist', 'vg.js');

export type Env = Record<string, string | undefined>;

export interface World {
  root: string;
  home: string;
  work: string;
  env: Env;
  homeCanary: string;
  workCanary: string;
  /** Both canaries still there, with their content. */
  intact(): boolean;
}

export function world(prefix = 'vg-agents-'): World {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  after(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, 'home');
  const work = join(home, 'project');
  mkdirSync(work, { recursive: true });
  const homeCanary = join(home, 'CANARY');
  const workCanary = join(work, 'CANARY');
  writeFileSync(homeCanary, 'alive\n');
  writeFileSync(workCanary, 'alive\n');
  const env: Env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VG_') || k === 'BASH_ENV' || k === 'ENV' || k === 'CLAUDE_CONFIG_DIR' || k.startsWith('XDG_')) continue;
    env[k] = v;
  }
  Object.assign(env, {
    HOME: home,
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CACHE_HOME: join(root, 'cache'),
    NO_COLOR: '1',
    VG_TEST: '1',
  });
  return {
    root,
    home,
    work,
    env,
    homeCanary,
    workCanary,
    intact: () =>
      existsSync(homeCanary) && readFileSync(homeCanary, 'utf8') === 'alive\n' && existsSync(workCanary) && readFileSync(workCanary, 'utf8') === 'alive\n',
  };
}

export function vg(args: string[], o: { env: Env; cwd: string; input?: string; timeout?: number }): SpawnSyncReturns<string> {
  if (!existsSync(VG)) throw new Error(`${VG} is missing — run npm run build first`);
  return spawnSync(process.execPath, [VG, ...args], { env: o.env, cwd: o.cwd, input: o.input ?? '', encoding: 'utf8', timeout: o.timeout ?? 60_000 });
}

export function sh(line: string, o: { env: Env; cwd: string; shell?: string; timeout?: number }): SpawnSyncReturns<string> {
  return spawnSync(o.shell ?? 'bash', ['-c', line], { env: o.env, cwd: o.cwd, encoding: 'utf8', timeout: o.timeout ?? 60_000, input: '' });
}

export function fixture(name: string): Record<string, unknown> & { tool_input: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(ROOT, 'tests', 'agents', 'fixtures', `pretooluse-${name}.json`), 'utf8'));
}
