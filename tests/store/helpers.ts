import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export type Env = Record<string, string | undefined>;

/** A private HOME/XDG_STATE_HOME per test, removed at the end of the file. */
export function tempEnv(): Env & { HOME: string; XDG_STATE_HOME: string } {
  const root = mkdtempSync(join(tmpdir(), 'vg-store-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  return {
    HOME: root,
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'config'),
    PATH: process.env.PATH,
    NO_COLOR: '1',
  };
}
