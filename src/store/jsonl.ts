// Append-only JSON-lines files: the one storage shape the trust store and audit log share.
// A record is written with a single write() on an O_APPEND fd and kept under 4 KiB, so concurrent
// writers never interleave bytes; readers ignore a trailing line that has no newline yet.
import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

export type Env = Record<string, string | undefined>;

/** One record, one write(): under 4 KiB it lands whole and contiguous even with other appenders. */
export const MAX_RECORD_BYTES = 4000;

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Open for appending, creating 0600; a file that was made group/world-readable is tightened. */
export function openAppend(file: string): number {
  ensureDir(dirname(file));
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  try {
    if (fstatSync(fd).mode & 0o077) fchmodSync(fd, 0o600);
  } catch {
    // not ours to chmod (e.g. root-owned): still usable, nothing to fix from here
  }
  return fd;
}

export function appendLine(file: string, text: string): void {
  const fd = openAppend(file);
  try {
    writeSync(fd, text.endsWith('\n') ? text : text + '\n');
  } finally {
    closeSync(fd);
  }
}

/** Write `text` to `file` atomically (temp file + rename), mode 0600. */
export function writeAtomic(file: string, text: string): void {
  ensureDir(dirname(file));
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export interface Chunk {
  /** Complete lines (without their newline). */
  lines: string[];
  /** Offset just past the last complete line: where the next incremental read starts. */
  end: number;
  /** Bytes after `end` that do not end in a newline (a write in progress, or a torn record). */
  partial: number;
}

/** Read complete lines from `start` to the end of the file. A missing file is empty. */
export function readLinesFrom(file: string, start = 0): Chunk & { size: number; ino: number; mtimeMs: number } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], end: 0, partial: 0, size: 0, ino: 0, mtimeMs: 0 };
    throw err;
  }
  try {
    const st = fstatSync(fd);
    return { ...readLinesFd(fd, st.size, start), size: st.size, ino: st.ino, mtimeMs: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** Complete lines between `start` and `size` of an open file (a snapshot: later appends are not read). */
export function readLinesFd(fd: number, size: number, start = 0): Chunk {
  const len = Math.max(0, size - start);
  if (len === 0) return { lines: [], end: start, partial: 0 };
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, start + got);
    if (n === 0) break;
    got += n;
  }
  const last = got > 0 ? buf.lastIndexOf(0x0a, got - 1) : -1;
  const lines = last >= 0 ? buf.toString('utf8', 0, last).split('\n') : [];
  return { lines, end: start + last + 1, partial: got - (last + 1) };
}

/** JSON with keys sorted at every level and undefined dropped: the same bytes for the same data. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** Cut `s` to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let out = Buffer.from(s).subarray(0, maxBytes).toString('utf8');
  // A cut through a multi-byte character decodes as U+FFFD; drop it.
  if (out.endsWith('\uFFFD')) out = out.slice(0, -1);
  return out;
}
