// A command the shell cannot find runs the shell's not-found handler, a function: bash's
// `command_not_found_handle`, zsh's `command_not_found_handler`, fish's `fish_command_not_found`.
// The answer marks a callee that is no builtin and on no PATH directory with `?` (a typo, or a name
// only an alias or function provides): the hook sends the alias or function of that name if it has
// one, else its not-found handler, which is then judged like any function the line calls.
import { isShellOwn } from '../sandbox/direct.ts';
import { findOnPath } from '../runtimes/which.ts';

// Lookups are cached: a found program for a while, a missing one for a second (it may be installed next).
const FOUND_MS = 30_000;
const MISSING_MS = 1_000;
const cache = new Map<string, { at: number; found: boolean }>();

/** Would the shell find `name` on PATH (an executable regular file)? */
export function onPath(name: string, path: string, now = Date.now()): boolean {
  const key = `${path}\0${name}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < (hit.found ? FOUND_MS : MISSING_MS)) return hit.found;
  const found = findOnPath(name, path) !== null;
  if (cache.size > 4096) cache.clear();
  cache.set(key, { at: now, found });
  return found;
}

/** Would the shell look `name` up on PATH and not find it? (Names with a `/` are never looked up.) */
export function unknownCommand(name: string, path: string): boolean {
  return !name.includes('/') && !isShellOwn(name) && !onPath(name, path);
}
