// Editing Claude Code's settings file without breaking anyone else's hooks:
// - a missing or empty file is `{}`; invalid JSON (or an unexpected shape) is refused, file untouched;
// - every existing hook stays; ours is added once (found again by its command), or updated in place;
// - the previous content goes to `<file>.bak`, the new one is written to a temp file and renamed;
// - a symlinked settings file (dotfile managers) is edited at its target, the link is kept.
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { VgError } from '../cli/errors.ts';
import { home } from '../store/paths.ts';
import { shjoin } from './quote.ts';
import type { Env } from '../intercept/judge.ts';

export type Scope = 'user' | 'project' | 'local';

export function settingsPath(scope: Scope, env: Env, cwd: string): string {
  if (scope === 'user') return join(env.CLAUDE_CONFIG_DIR || join(home(env), '.claude'), 'settings.json');
  return join(cwd, '.claude', scope === 'local' ? 'settings.local.json' : 'settings.json');
}

/** Recognises our hook entry whatever path vg was installed at. */
export function isOurs(command: unknown): boolean {
  return typeof command === 'string' && /vg(\.js)?'? hook claude-code(\s|$|')/.test(command);
}

/**
 * The command Claude Code runs (through a shell). Any status but 0 and 2 would let the Bash command
 * run, so the guard is `… || exit 2`: a crash, a missing node, or an uninstalled vg blocks, with a
 * line saying how to remove the hook if that is what the user wants.
 */
export function hookCommand(self: string[], extra: string[] = []): string {
  return `${shjoin([...self, 'hook', 'claude-code', ...extra])} || { echo 'vg hook failed, so the command was blocked — run \`vg doctor\`, or remove the hook: vg hook uninstall claude-code' >&2; exit 2; }`;
}

export const DEFAULT_TIMEOUT_S = 30;

/**
 * Our hook entry. `onFailure: "block"` (Claude Code 2.1+: a hook that cannot start, times out, exits
 * with anything but 0 or 2, or prints invalid JSON counts as exit 2) closes the one gap the command's
 * own `|| exit 2` cannot: Claude Code killing the hook at its timeout. Versions that do not know the
 * key drop it (unknown keys are stripped, not rejected), and the `|| exit 2` still holds there.
 */
export function entry(command: string, timeout: number): { type: 'command'; command: string; timeout: number; onFailure: 'block' } {
  return { type: 'command', command, timeout, onFailure: 'block' };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export type Change = 'added' | 'updated' | 'removed' | 'unchanged' | 'absent';

function preToolUse(doc: Obj, file: string, create: boolean): unknown[] | null {
  if (doc.hooks === undefined) {
    if (!create) return null;
    doc.hooks = {};
  }
  if (!isObj(doc.hooks)) throw new VgError(`${file}: "hooks" is not an object — fix it by hand; nothing was changed`);
  const hooks = doc.hooks;
  if (hooks.PreToolUse === undefined) {
    if (!create) return null;
    hooks.PreToolUse = [];
  }
  if (!Array.isArray(hooks.PreToolUse)) throw new VgError(`${file}: "hooks.PreToolUse" is not a list — fix it by hand; nothing was changed`);
  return hooks.PreToolUse;
}

/** Add (or update) our PreToolUse entry. Pure: returns a new document. */
export function addHook(input: unknown, command: string, timeout = DEFAULT_TIMEOUT_S, file = 'settings'): { doc: Obj; change: Change } {
  if (!isObj(input)) throw new VgError(`${file}: the top level is not a JSON object — fix it by hand; nothing was changed`);
  const doc = structuredClone(input);
  const groups = preToolUse(doc, file, true)!;
  let found = false;
  let change: Change = 'unchanged';
  const emptied = new Set<unknown>();
  for (const g of groups) {
    if (!isObj(g) || !Array.isArray(g.hooks)) continue;
    const list: unknown[] = g.hooks;
    const before = list.length;
    g.hooks = list.filter((h) => {
      if (!isObj(h) || !isOurs(h.command)) return true;
      if (found) return false; // a duplicate from an older install: keep one
      found = true;
      if (h.type !== 'command' || h.command !== command || h.timeout !== timeout || h.onFailure !== 'block') {
        Object.assign(h, entry(command, timeout));
        change = 'updated';
      }
      return true;
    });
    if ((g.hooks as unknown[]).length !== before) {
      change = 'updated';
      if ((g.hooks as unknown[]).length === 0) emptied.add(g);
    }
  }
  const hooks = doc.hooks as Obj;
  hooks.PreToolUse = groups.filter((g) => !emptied.has(g));
  if (!found) {
    (hooks.PreToolUse as unknown[]).push({ matcher: 'Bash', hooks: [entry(command, timeout)] });
    change = 'added';
  }
  return { doc, change };
}

/** Remove our entries (and the groups/lists they leave empty). Pure. */
export function removeHook(input: unknown, file = 'settings'): { doc: Obj; change: Change } {
  if (!isObj(input)) throw new VgError(`${file}: the top level is not a JSON object — fix it by hand; nothing was changed`);
  const doc = structuredClone(input);
  const groups = preToolUse(doc, file, false);
  if (!groups) return { doc, change: 'absent' };
  let removed = false;
  const kept = groups.filter((g) => {
    if (!isObj(g) || !Array.isArray(g.hooks)) return true;
    const list: unknown[] = g.hooks;
    const left = list.filter((h) => !(isObj(h) && isOurs(h.command)));
    if (left.length === list.length) return true;
    g.hooks = left;
    removed = true;
    return left.length > 0;
  });
  if (!removed) return { doc, change: 'absent' };
  const hooks = doc.hooks as Obj;
  if (kept.length) hooks.PreToolUse = kept;
  else delete hooks.PreToolUse;
  if (Object.keys(hooks).length === 0) delete doc.hooks;
  return { doc, change: 'removed' };
}

/** The indentation the file already uses, so our edit does not reformat it. */
export function detectIndent(text: string): string | number {
  const m = /^[{[]\r?\n([ \t]+)\S/.exec(text);
  return m ? m[1] : 2;
}

export interface EditResult {
  file: string;
  change: Change;
  backup?: string;
  /** The new file content (what was written, or would be with --dry-run). */
  text: string;
  existed: boolean;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function parseSettings(text: string | null, file: string): unknown {
  if (text === null || text.trim() === '') return {};
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new VgError(`${file} is not valid JSON (${(err as Error).message.split('\n')[0]}) — fix it or move it aside; nothing was changed`);
  }
}

/** Read, transform, back up, write atomically. Retries if the file changes under us. */
export function editSettings(file: string, edit: (doc: unknown) => { doc: Obj; change: Change }, opts: { dryRun?: boolean } = {}): EditResult {
  let target = file;
  try {
    target = realpathSync(file);
  } catch {
    // missing: create it where asked
  }
  for (let attempt = 0; ; attempt++) {
    const before = readText(target);
    const { doc, change } = edit(parseSettings(before, file));
    const text = JSON.stringify(doc, null, before ? detectIndent(before) : 2) + '\n';
    const res: EditResult = { file, change, text, existed: before !== null };
    if (change === 'unchanged' || change === 'absent' || opts.dryRun) return res;
    mkdirSync(dirname(target), { recursive: true });
    let mode = 0o644;
    if (before !== null) {
      mode = statSync(target).mode & 0o777;
      res.backup = `${file}.bak`;
      writeFileSync(`${target}.bak`, before, { mode });
      chmodSync(`${target}.bak`, mode);
    }
    const tmp = `${target}.vg-${process.pid}-${randomBytes(3).toString('hex')}.tmp`;
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // Someone (Claude Code itself, saving a permission) wrote the file meanwhile: start over.
    if (readText(target) !== before && attempt < 3) {
      unlinkSync(tmp);
      continue;
    }
    chmodSync(tmp, mode);
    renameSync(tmp, target);
    return res;
  }
}
