// A command the shell cannot find runs the shell's not-found handler, a function: bash's
// `command_not_found_handle`, zsh's `command_not_found_handler`, fish's `fish_command_not_found`.
// The answer marks a callee that is no builtin and on no PATH directory with `?` (a typo, or a name
// only an alias or function provides): the hook sends the alias or function of that name if it has
// one, else its not-found handler, which is then judged like any function the line calls.
import { isShellOwn } from '../sandbox/direct.ts';
import { findOnPath } from '../runtimes/which.ts';

// Lookups are cached for a second: a line typed ahead or a loop pays one Map lookup per name, and a
// program installed (or a file put in front on PATH) is seen about as soon as the shell sees it.
const CACHE_MS = 1_000;
const cache = new Map<string, { at: number; path: string | null }>();

/** The file the shell would exec for `name` on PATH, or null (cached; see above). Also intercept/scripts.ts's lookup. */
export function resolveOnPath(name: string, path: string, now = Date.now()): string | null {
  const key = `${path}\0${name}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_MS) return hit.path;
  const found = findOnPath(name, path);
  if (cache.size > 4096) cache.clear();
  cache.set(key, { at: now, path: found });
  return found;
}

/** Would the shell find `name` on PATH (an executable regular file)? */
export function onPath(name: string, path: string, now = Date.now()): boolean {
  return resolveOnPath(name, path, now) !== null;
}

/** Would the shell look `name` up on PATH and not find it? (Names with a `/` are never looked up.) */
export function unknownCommand(name: string, path: string): boolean {
  return !name.includes('/') && !isShellOwn(name) && !onPath(name, path);
}
