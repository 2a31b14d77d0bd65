import { mkdirSync, writeFileSync } from 'node:fs';
import { tempDir } from '../tmp.ts';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';

export interface Sandbox {
  root: string;
  home: string;
  env: Record<string, string | undefined>;
  userFile: string;
  /** Write a file (creating directories); returns its path. */
  write(rel: string, text: string): string;
  dir(rel: string): string;
}

/** A fresh HOME with its own XDG_CONFIG_HOME; env carries nothing from the real environment. */
export function sandbox(): Sandbox {
  const root = tempDir('vg-config-');
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
  const write = (rel: string, text: string) => {
    const p = rel.startsWith('/') ? rel : join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  const dir = (rel: string) => {
    const p = join(root, rel);
    mkdirSync(p, { recursive: true });
    return p;
  };
  return { root, home, env, userFile: join(home, '.config', 'vg', 'config.yaml'), write, dir };
}

/** Assert an async call rejects with a one-line message matching every pattern. */
export async function rejectsWith(p: Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  let msg = '';
  await assert.rejects(p, (err: unknown) => {
    assert.equal((err as Error).name, 'VgError', `expected VgError, got ${String(err)}`);
    msg = (err as Error).message;
    return true;
  });
  assert.ok(!msg.includes('\n'), `one line: ${msg}`);
  for (const re of patterns) assert.match(msg, re);
  return msg;
}
