// A lock file for the few moments a store must read-then-write (audit chain appends, trust
// rewrites). O_CREAT|O_EXCL is atomic on local filesystems; the file names its holder so a lock
// left by a dead process (or one held absurdly long) can be broken without waiting for a human.
import { closeSync, constants, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { VgError } from '../cli/errors.ts';

export interface LockOptions {
  /** Give up after this long (ms). Critical sections are sub-millisecond, so seconds is generous. */
  timeoutMs?: number;
  /** A lock older than this is stale even if its pid looks alive (pid reuse, a hung holder). */
  staleMs?: number;
}

const HOST = hostname();
let counter = 0;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
// The store APIs are synchronous (the analyzer calls match/recordUse inline), so waiting must be too.
const sleep = (ms: number): void => void Atomics.wait(sleeper, 0, 0, ms);

interface Holder {
  pid: number;
  host: string;
  since: number;
  token: string;
}

function parseHolder(text: string): Holder | null {
  const [pid, host, since, token] = text.trim().split(' ');
  if (!token) return null;
  return { pid: Number(pid), host, since: Number(since), token };
}

/** Is there a process `pid` (ours or another user's)? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Run `fn` holding `<file>.lock`. Throws a VgError if the lock cannot be had within timeoutMs. */
export function withLock<T>(file: string, fn: () => T, o: LockOptions = {}): T {
  const lock = `${file}.lock`;
  const staleMs = o.staleMs ?? 10_000;
  const token = acquire(lock, o.timeoutMs ?? 5_000, staleMs);
  const since = Date.now();
  try {
    return fn();
  } finally {
    // Nobody breaks a lock younger than staleMs held by a live pid, so a quick holder can skip the
    // ownership read (4 syscalls, a third of an append's cost here).
    release(lock, token, Date.now() - since < staleMs / 2);
  }
}

function acquire(lock: string, timeoutMs: number, staleMs: number): string {
  // Unique on this host without asking the CSPRNG (which costs more than the lock itself here).
  const token = `${process.pid}.${++counter}`;
  const deadline = Date.now() + timeoutMs;
  let backoff = 0.05;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      try {
        writeSync(fd, `${process.pid} ${HOST} ${Date.now()} ${token}\n`);
      } finally {
        closeSync(fd);
      }
      return token;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && attempt === 0) {
        mkdirSync(dirname(lock), { recursive: true, mode: 0o700 });
        continue;
      }
      if (code !== 'EEXIST') throw err;
    }
    // Checking staleness costs a read; only do it once contention lasts a little while.
    if (attempt % 8 === 7) {
      const why = staleReason(lock, staleMs);
      if (why) {
        breakStale(lock, why.ino);
        continue;
      }
    }
    if (Date.now() > deadline) {
      let holder = 'another process';
      try {
        const h = parseHolder(readFileSync(lock, 'utf8'));
        if (h) holder = `pid ${h.pid}${h.host !== HOST ? ` on ${h.host}` : ''}`;
      } catch {
        // gone in the meantime: report generically
      }
      throw new VgError(`${lock} is held by ${holder} — if no vg process is stuck, delete that file and retry`);
    }
    // Jitter keeps many waiters from retrying in lockstep.
    sleep(backoff * (0.5 + Math.random()));
    backoff = Math.min(backoff * 2, 8);
  }
}

function staleReason(lock: string, staleMs: number): { ino: number } | null {
  try {
    const st = statSync(lock);
    const h = parseHolder(readFileSync(lock, 'utf8'));
    const age = Date.now() - st.mtimeMs;
    if (age > staleMs) return { ino: st.ino };
    // A holder that has created but not yet written the file is young by definition: wait.
    if (h && h.host === HOST && !processAlive(h.pid)) return { ino: st.ino };
    return null;
  } catch {
    return null;
  }
}

// Two waiters may both judge the same lock stale; without care the second would delete the fresh
// lock the first just took. A short-lived breaker lock serialises breaking, and the lock is only
// removed if it is still the very file (inode) that was judged stale.
function breakStale(lock: string, ino: number): void {
  const breaker = `${lock}.break`;
  let fd: number;
  try {
    fd = openSync(breaker, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return;
    try {
      // Breaking takes microseconds; a breaker this old belongs to a process that died mid-break.
      if (Date.now() - statSync(breaker).mtimeMs > 2_000) unlinkSync(breaker);
    } catch {
      // someone else cleaned it
    }
    return;
  }
  closeSync(fd);
  try {
    if (statSync(lock).ino === ino) unlinkSync(lock);
  } catch {
    // already gone
  } finally {
    try {
      unlinkSync(breaker);
    } catch {
      // ignore
    }
  }
}

function release(lock: string, token: string, surelyOurs: boolean): void {
  try {
    if (surelyOurs) {
      unlinkSync(lock);
      return;
    }
    // Only remove our own lock: if ours was broken as stale, the file now belongs to someone else.
    const h = parseHolder(readFileSync(lock, 'utf8'));
    if (h && h.token === token) unlinkSync(lock);
  } catch {
    // nothing to release
  }
}
