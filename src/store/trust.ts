// The trust store: lines the user has said may run on the host. Stored as an event log
// (trust.jsonl: add / use events, one JSON line each) folded into the current set, because a
// read-modify-write store loses concurrent updates (DESIGN.md §3). Every write holds trust.jsonl.lock
// for a few hundred microseconds, so a rewrite (remove, clear, compaction) can never drop an append
// racing with it. Reads take no lock: the folded state is cached and re-read incrementally only when
// the file's inode/size/mtime change, since the resident analyzer calls match() for every typed line.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { analyze } from '../analyze/index.ts';
import { VgError } from '../cli/errors.ts';
import { home, stateDir } from './paths.ts';
import { parseDuration } from './duration.ts';
import { appendLine, readLinesFrom, writeAtomic, MAX_RECORD_BYTES, type Env } from './jsonl.ts';
import { withLock } from './lock.ts';

export interface TrustEntry {
  id: string;
  line: string;
  prefix: boolean;
  created: string;
  expires?: string;
  note?: string;
  uses: number;
  lastUsed?: string;
}

export interface AddOptions {
  prefix?: boolean;
  /** A duration (`7d`, `12h`) from now, or an ISO date/time. */
  expires?: string;
  note?: string;
  /** Where the line would run: the analyzer resolves paths against it. */
  cwd?: string;
}

export interface TrustStore {
  /**
   * The entry that lets `line` run on the host, or null. Never throws: an unreadable store trusts
   * nothing. maxAgeMs: the file was checked (a stat) less than this long ago — use what was read then
   * (the resident analyzer, which judges every typed line; recheckTrust() ends the wait).
   */
  match(line: string, o?: { maxAgeMs?: number }): TrustEntry | null;
  /** Count one use (an append). Never throws: failing to count must not stop the command. */
  recordUse(id: string): void;
  add(line: string, o?: AddOptions): TrustEntry;
  list(): TrustEntry[];
  /** Remove by id or by exact line (every entry for that line). */
  remove(idOrLine: string): boolean;
  /** Remove everything; returns how many entries there were. */
  clear(): number;
}

type Event =
  | ({ op: 'add' } & Omit<TrustEntry, 'uses'> & { uses?: number })
  | { op: 'use'; id: string; t: string }
  | { op: 'remove'; id: string }
  | { op: 'clear' };

interface State {
  ino: number;
  size: number;
  mtimeMs: number;
  /** Offset past the last complete line applied. */
  end: number;
  entries: Map<string, TrustEntry>;
  exact: Map<string, TrustEntry>;
  /** Prefix entries, longest first, so the most specific one is reported. */
  prefixes: TrustEntry[];
}

// One cache per file, shared by every trustStore() handle in the process.
const cache = new Map<string, State>();
/** When each cached state was last checked against the file (for match()'s maxAgeMs). */
const checkedAt = new Map<string, number>();

/** Forget when the trust file was last checked: the next match() looks at it again. */
export function recheckTrust(): void {
  checkedAt.clear();
}

/** Characters that let a line do more than run the trusted command with extra arguments. */
const CHAINING = /[;&|<>()`\n\r!]|\$[({[]/;

/**
 * Prefixes whose next word is a command or code to run (`sudo`, `bash -c`, `node`): trusting them
 * would trust everything, which is what `vg trust` must never quietly mean.
 */
const OPENS_ANY_COMMAND = new Set([
  'sudo', 'doas', 'su', 'env', 'eval', 'exec', 'command', 'builtin', 'xargs', 'nohup', 'nice', 'ionice', 'time',
  'timeout', 'watch', 'strace', 'bash', 'sh', 'zsh', 'dash', 'ksh', 'fish', 'busybox', 'python', 'python3',
  'node', 'perl', 'ruby', 'php', 'deno', 'bun', 'npx', 'pnpx', 'bunx',
]);
/** Flags whose argument is code or a command (`bash -c`, `node -e`, `find . -exec`). */
const CODE_FLAGS = new Set(['-c', '-e', '--eval', '-p', '--print', '-exec', '-execdir', '-ok']);

function prefixOpensAnyCommand(words: string[]): boolean {
  const last = words[words.length - 1];
  if (OPENS_ANY_COMMAND.has(last)) return true;
  return CODE_FLAGS.has(last) && (OPENS_ANY_COMMAND.has(words[0]) || words[0] === 'find');
}

export function normalizeLine(line: string): string {
  return line.trim();
}

/** Does trusted prefix `p` cover `line`? On a token boundary, and with nothing chained after it. */
export function prefixCovers(p: string, line: string): boolean {
  if (!line.startsWith(p)) return false;
  if (line.length === p.length) return true;
  if (!/\s/.test(line[p.length])) return false;
  return !CHAINING.test(line.slice(p.length));
}

function isExpired(e: TrustEntry, now: number): boolean {
  return e.expires !== undefined && Date.parse(e.expires) <= now;
}

function apply(s: State, ev: Event): void {
  switch (ev.op) {
    case 'add': {
      if (typeof ev.id !== 'string' || typeof ev.line !== 'string') return;
      const old = s.entries.get(ev.id);
      const e: TrustEntry = {
        id: ev.id,
        line: ev.line,
        prefix: ev.prefix === true,
        created: old?.created ?? ev.created,
        uses: ev.uses ?? old?.uses ?? 0,
      };
      if (ev.expires) e.expires = ev.expires;
      if (ev.note) e.note = ev.note;
      const lastUsed = ev.lastUsed ?? old?.lastUsed;
      if (lastUsed) e.lastUsed = lastUsed;
      s.entries.set(e.id, e);
      return;
    }
    case 'use': {
      const e = s.entries.get(ev.id);
      if (e) {
        e.uses++;
        e.lastUsed = ev.t;
      }
      return;
    }
    case 'remove':
      s.entries.delete(ev.id);
      return;
    case 'clear':
      s.entries.clear();
      return;
  }
}

function index(s: State): void {
  s.exact = new Map();
  s.prefixes = [];
  for (const e of s.entries.values()) {
    if (e.prefix) s.prefixes.push(e);
    else s.exact.set(e.line, e);
  }
  s.prefixes.sort((a, b) => b.line.length - a.line.length);
}

function emptyState(): State {
  return { ino: 0, size: 0, mtimeMs: 0, end: 0, entries: new Map(), exact: new Map(), prefixes: [] };
}

function load(file: string): State {
  let st: { ino: number; size: number; mtimeMs: number };
  try {
    st = statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    st = { ino: 0, size: 0, mtimeMs: 0 };
  }
  const old = cache.get(file);
  if (old && old.ino === st.ino && old.size === st.size && old.mtimeMs === st.mtimeMs) return old;
  // Same file, grown: only the new tail needs folding (the common case: a use or an add).
  const grown = old && old.ino === st.ino && st.size > old.size;
  const s = grown ? old : emptyState();
  const chunk = readLinesFrom(file, grown ? s.end : 0);
  for (const text of chunk.lines) {
    if (!text) continue;
    try {
      apply(s, JSON.parse(text) as Event);
    } catch {
      // a hand-edited or torn line: skip it rather than lose the rest of the store
    }
  }
  s.ino = chunk.ino;
  s.size = chunk.size;
  s.mtimeMs = chunk.mtimeMs;
  s.end = chunk.end;
  index(s);
  cache.set(file, s);
  return s;
}

function newId(s: State): string {
  for (;;) {
    const id = randomBytes(4).toString('hex');
    if (!s.entries.has(id)) return id;
  }
}

function expiresAt(text: string, now: number): string {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(t) && !Number.isNaN(Date.parse(t))) return new Date(t).toISOString();
  return new Date(now + parseDuration(t, '--expires')).toISOString();
}

function compactText(s: State): string {
  let out = '';
  for (const e of s.entries.values()) out += JSON.stringify({ op: 'add', ...e }) + '\n';
  return out;
}

/** Rewrite the log as one add per live entry once use events dominate it. Caller holds the lock. */
function maybeCompact(file: string, s: State): void {
  if (s.size < 256 * 1024) return;
  const text = compactText(s);
  if (Buffer.byteLength(text) * 2 < s.size) writeAtomic(file, text);
}

/** Append one event. Caller holds the lock; a torn last line (crash mid-write) is closed off first. */
function appendEvent(file: string, ev: Event): void {
  const s = load(file);
  appendLine(file, (s.size > s.end ? '\n' : '') + JSON.stringify(ev));
}

let warnedUse = false;

export function trustFile(env: Env = process.env): string {
  return join(stateDir(env), 'trust.jsonl');
}

export function trustStore(env: Env = process.env): TrustStore {
  const file = trustFile(env);
  const locked = <T>(fn: () => T, timeoutMs?: number): T => withLock(file, fn, { timeoutMs });

  return {
    match(line, o) {
      let s: State;
      const now = Date.now();
      const hit = o?.maxAgeMs ? cache.get(file) : undefined;
      if (hit && now - (checkedAt.get(file) ?? -Infinity) < o!.maxAgeMs!) {
        s = hit;
      } else {
        try {
          s = load(file);
        } catch {
          return null;
        }
        checkedAt.set(file, now);
      }
      const t = normalizeLine(line);
      const exact = s.exact.get(t);
      if (exact && !isExpired(exact, now)) return { ...exact };
      for (const p of s.prefixes) if (!isExpired(p, now) && prefixCovers(p.line, t)) return { ...p };
      return null;
    },

    recordUse(id) {
      try {
        // Short timeout: a held lock must not delay the command being run.
        locked(() => {
          appendEvent(file, { op: 'use', id, t: new Date().toISOString() });
          maybeCompact(file, load(file));
        }, 500);
      } catch (err) {
        if (!warnedUse) {
          warnedUse = true;
          process.stderr.write(`vg: trust store: could not record a use (${(err as Error).message.split(' — ')[0]}) — the command still ran\n`);
        }
      }
    },

    add(line, o = {}) {
      const t = normalizeLine(line);
      if (!t) throw new VgError('trust add: the line is empty — give the command to trust, e.g. vg trust add "npm test"', 2);
      if (Buffer.byteLength(t) > MAX_RECORD_BYTES - 600) {
        throw new VgError('trust add: the line is too long to store (over 3 KiB) — trust a shorter prefix with --prefix', 2);
      }
      const note = o.note?.replace(/[\r\n]+/g, ' ').slice(0, 300);
      if (o.prefix) {
        const words = t.split(/\s+/);
        if (prefixOpensAnyCommand(words)) {
          throw new VgError(
            `trust add: refusing prefix '${t}': whatever follows it is a command of its own, so it would trust anything — trust the exact line, or a longer prefix`,
            126,
          );
        }
        if (CHAINING.test(t)) {
          throw new VgError(`trust add: a prefix cannot contain shell operators (; & | < > \` $( ! …) — trust the exact line instead`, 2);
        }
      }
      const a = analyze(t, { cwd: o.cwd ?? process.cwd(), home: home(env), env });
      if (a.risk === 'critical') {
        const why = a.reasons.find((r) => r.risk === 'critical')?.message ?? 'judged critical';
        throw new VgError(`trust add: refusing to trust a critical line (${why}) — critical commands are blocked in every mode and can never be trusted`, 126);
      }
      const now = Date.now();
      const expires = o.expires ? expiresAt(o.expires, now) : undefined;
      return locked(() => {
        const s = load(file);
        // Adding the same line again updates it (expiry, note) and keeps its history.
        const same = [...s.entries.values()].find((e) => e.line === t && e.prefix === (o.prefix === true));
        const ev = {
          op: 'add' as const,
          id: same?.id ?? newId(s),
          line: t,
          prefix: o.prefix === true,
          created: same?.created ?? new Date(now).toISOString(),
          ...(expires ? { expires } : {}),
          ...(note ? { note } : same?.note ? { note: same.note } : {}),
        };
        appendEvent(file, ev);
        const after = load(file);
        maybeCompact(file, after);
        const e = after.entries.get(ev.id);
        if (!e) throw new VgError(`trust add: the entry was not found after writing ${file} — check the file is writable`);
        return { ...e };
      });
    },

    list() {
      return [...load(file).entries.values()]
        .map((e) => ({ ...e }))
        .sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
    },

    remove(idOrLine) {
      const key = normalizeLine(idOrLine);
      return locked(() => {
        const s = load(file);
        const gone = [...s.entries.values()].filter((e) => e.id === key || e.line === key);
        if (gone.length === 0) return false;
        // A rewrite rather than a remove event, so a removed line (which may hold a secret) leaves the file.
        const keep: State = { ...s, entries: new Map(s.entries) };
        for (const e of gone) keep.entries.delete(e.id);
        writeAtomic(file, compactText(keep));
        return true;
      });
    },

    clear() {
      return locked(() => {
        const n = load(file).entries.size;
        writeAtomic(file, '');
        return n;
      });
    },
  };
}
