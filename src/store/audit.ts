// The audit log: one JSON line per decision and per execution, append-only, hash-chained.
// Each record carries seq, prev (the previous record's hash) and hash = sha256(prev + canonical JSON
// of the record without `hash`). Appends hold audit.jsonl.lock just long enough to read the tail
// record, hash, write one line and update audit.head (measured in tests/store/audit.test.ts); the
// chain needs the previous hash, so appenders must be serialised, and a lock is cheaper than any
// scheme that reconciles forks afterwards. audit.head (last seq + hash) lets verify tell a log that
// was cut short from one that simply ended. Rotation keeps the chain: the first record of the new
// file links to the last record of audit.1.jsonl.
import { closeSync, constants, existsSync, fchmodSync, fstatSync, openSync, readFileSync, readSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Risk } from '../analyze/types.ts';
import type { Decision } from '../policy/types.ts';
import { stateDir } from './paths.ts';
import { canonicalJson, readLinesFd, readLinesFrom, truncateUtf8, MAX_RECORD_BYTES, type Env } from './jsonl.ts';
import { withLock } from './lock.ts';

export interface AuditInput {
  kind: 'decision' | 'execution';
  /** Falls back to $VG_SESSION when empty. */
  session: string;
  cwd: string;
  line: string;
  risk: Risk;
  decision: Decision;
  reasons: { rule: string; risk: Risk; message: string }[];
  /** host | bubblewrap | namespace | docker | podman */
  runtime?: string;
  /** Sandboxed with the package caches mounted. */
  cached?: boolean;
  durationMs?: number;
  status?: number;
  agent?: string;
  source?: 'shell' | 'exec' | 'hook' | 'shim';
  /** For a prompt: what the person answered. `no` is what metrics count as declined. */
  answer?: 'sandbox' | 'host' | 'remember' | 'no';
  /** When the line finished (epoch ms), if the record is written later (the shell's batched reports); default: now. */
  at?: number;
}

export interface AuditRecord extends Omit<AuditInput, 'kind' | 'at'> {
  /** `reset`: written by `vg metrics reset`; metrics start after the last one. */
  kind: AuditInput['kind'] | 'reset';
  v: 1;
  seq: number;
  time: string;
  /** sha256 of the full line, present when `line` was cut to fit a record. */
  lineSha256?: string;
  lineTruncated?: boolean;
  prev: string;
  hash: string;
}

export interface AuditOptions {
  /** Rotate when audit.jsonl would pass this size (MiB). Default 10. */
  maxSizeMb?: number;
  /** Rotated files to keep (audit.1.jsonl … audit.N.jsonl). Default 5. */
  keep?: number;
  /** `audit.enabled: false` in config: write nothing. */
  enabled?: boolean;
}

export const GENESIS = '0'.repeat(64);
const LINE_MAX_BYTES = 2048;
const TRUNCATED_MARK = ' …[truncated]';

export const auditFile = (env: Env = process.env): string => join(stateDir(env), 'audit.jsonl');
export const auditHeadFile = (env: Env = process.env): string => join(stateDir(env), 'audit.head');
const rotatedFile = (env: Env, n: number): string => join(stateDir(env), `audit.${n}.jsonl`);

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function recordHash(rec: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...rest } = rec;
  return sha256(rest.prev + canonicalJson(rest));
}

type Body = Omit<AuditRecord, 'seq' | 'prev' | 'hash'>;

function clean(rec: AuditInput | (Omit<AuditInput, 'kind'> & { kind: 'reset' }), env: Env): Body {
  let line = String(rec.line ?? '');
  let lineSha256: string | undefined;
  if (Buffer.byteLength(line) > LINE_MAX_BYTES) {
    lineSha256 = sha256(line);
    line = truncateUtf8(line, LINE_MAX_BYTES) + TRUNCATED_MARK;
  }
  const reasons = (Array.isArray(rec.reasons) ? rec.reasons : []).slice(0, 8).map((r) => ({
    rule: truncateUtf8(String(r.rule), 80),
    risk: r.risk,
    message: truncateUtf8(String(r.message), 240),
  }));
  const now = Date.now();
  // A reported end time is used when it is plausible (not ahead of now, within a day): the record
  // says when the line ran, not when the batch was written.
  const at = typeof rec.at === 'number' && Number.isFinite(rec.at) && rec.at <= now && now - rec.at < 86_400_000 ? rec.at : now;
  return {
    v: 1,
    time: new Date(at).toISOString(),
    kind: rec.kind,
    session: truncateUtf8(rec.session || env.VG_SESSION || 'unknown', 64),
    source: rec.source,
    agent: rec.agent === undefined ? undefined : truncateUtf8(String(rec.agent), 64),
    cwd: truncateUtf8(String(rec.cwd ?? ''), 512),
    line,
    lineSha256,
    lineTruncated: lineSha256 ? true : undefined,
    risk: rec.risk,
    decision: rec.decision,
    answer: rec.answer,
    runtime: rec.runtime,
    cached: rec.cached,
    durationMs: typeof rec.durationMs === 'number' && Number.isFinite(rec.durationMs) ? Math.round(rec.durationMs) : undefined,
    status: rec.status,
    reasons,
  };
}

/** The serialized record: fields in a readable order, `hash` last. Guaranteed < 4 KiB. */
function seal(body: Body, seq: number, prev: string): { rec: AuditRecord; text: string } {
  for (;;) {
    const unsigned = { ...body, seq, prev };
    const rec = { ...unsigned, hash: recordHash(unsigned) } as AuditRecord;
    const { v, ...fields } = body;
    const text = JSON.stringify({ v, seq, ...fields, prev, hash: rec.hash }) + '\n';
    if (Buffer.byteLength(text) < MAX_RECORD_BYTES) return { rec, text };
    // Still too big (many long reasons, a huge cwd): drop reasons first, then halve the line.
    if (body.reasons.length > 0) body = { ...body, reasons: body.reasons.slice(0, -1) };
    else {
      const full = body.lineSha256 ? undefined : sha256(body.line);
      const base = body.line.endsWith(TRUNCATED_MARK) ? body.line.slice(0, -TRUNCATED_MARK.length) : body.line;
      body = {
        ...body,
        line: truncateUtf8(base, Math.floor(Buffer.byteLength(base) / 2)) + TRUNCATED_MARK,
        lineSha256: body.lineSha256 ?? full,
        lineTruncated: true,
      };
    }
  }
}

interface Tail {
  last: { seq: number; hash: string } | null;
  size: number;
  /** The file ends in a torn record (no newline): start the next record on a fresh line. */
  torn: boolean;
}

/** The last complete record of the file open on `fd` (read with pread: the fd is O_APPEND for writing). */
function readTail(fd: number, size: number): Tail {
  if (size === 0) return { last: null, size, torn: false };
  // Two records' worth always holds the last complete one (each is < 4 KiB).
  const len = Math.min(size, 2 * MAX_RECORD_BYTES + 2);
  const buf = Buffer.allocUnsafe(len);
  const got = readSync(fd, buf, 0, len, size - len);
  const text = buf.toString('utf8', 0, got);
  const torn = !text.endsWith('\n');
  const lines = text.split('\n');
  lines.pop(); // after the last newline: '' or the torn record
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 2; i--) {
    try {
      const r = JSON.parse(lines[i]) as Partial<AuditRecord>;
      if (typeof r.seq === 'number' && typeof r.hash === 'string') return { last: { seq: r.seq, hash: r.hash }, size, torn };
    } catch {
      // a garbage line; verify will name it
    }
  }
  return { last: null, size, torn };
}

/** Open read-write for appending, 0600; a file that was made readable by others is tightened. */
function openLog(file: string): { fd: number; size: number } {
  const fd = openSync(file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600);
  const st = fstatSync(fd);
  if (st.mode & 0o077) fchmodSync(fd, 0o600);
  return { fd, size: st.size };
}

const HEAD_BYTES = 200;

// The head is rewritten in place with one fixed-size write, not via temp file + rename: on this
// machine kind a rename costs ~400 µs, more than the rest of an append. Readers take the lock.
function writeHead(env: Env, rec: AuditRecord): void {
  const fd = openSync(auditHeadFile(env), constants.O_WRONLY | constants.O_CREAT, 0o600);
  try {
    const text = JSON.stringify({ seq: rec.seq, hash: rec.hash, time: rec.time });
    writeSync(fd, text.padEnd(HEAD_BYTES - 1, ' ') + '\n', 0);
  } finally {
    closeSync(fd);
  }
}

export function readHead(env: Env = process.env): { seq: number; hash: string } | null {
  try {
    const h = JSON.parse(readFileSync(auditHeadFile(env), 'utf8')) as { seq?: unknown; hash?: unknown };
    return typeof h.seq === 'number' && typeof h.hash === 'string' ? { seq: h.seq, hash: h.hash } : null;
  } catch {
    return null;
  }
}

// At least one rotated file is kept: verify needs the previous file to tell rotation from deletion.
function rotate(env: Env, keep: number): void {
  const file = auditFile(env);
  keep = Math.max(1, Math.floor(keep));
  try {
    unlinkSync(rotatedFile(env, keep));
  } catch {
    // fewer than `keep` rotated files so far
  }
  for (let i = keep - 1; i >= 1; i--) {
    try {
      renameSync(rotatedFile(env, i), rotatedFile(env, i + 1));
    } catch {
      // gap in the numbering: nothing to move
    }
  }
  renameSync(file, rotatedFile(env, 1));
}

/**
 * Append under one lock (a batch: the resident analyzer writes the lines of a paste at once).
 * Throws; the public entry points decide whether to.
 */
function appendRecords(inputs: readonly (AuditInput | (Omit<AuditInput, 'kind'> & { kind: 'reset' }))[], env: Env, o: AuditOptions): AuditRecord[] {
  const file = auditFile(env);
  const bodies = inputs.map((i) => clean(i, env));
  // The lock creates the state directory if needed.
  return withLock(
    file,
    () => {
      let { fd, size } = openLog(file);
      const out: AuditRecord[] = [];
      try {
        const tail = readTail(fd, size);
        // The file's own tail is the truth; the head only bridges an empty (new or rotated) file.
        let link: { seq: number; hash: string } | null = tail.last ?? readHead(env);
        const maxBytes = (o.maxSizeMb ?? 10) * 1024 * 1024;
        let torn = tail.torn;
        let pending = '';
        const flush = (): void => {
          if (!pending) return;
          writeSync(fd, torn ? '\n' + pending : pending);
          torn = false;
          size += Buffer.byteLength(pending);
          pending = '';
        };
        for (const body of bodies) {
          const seq = link ? link.seq + 1 : 0;
          const { rec, text } = seal(body, seq, link ? link.hash : GENESIS);
          const bytes = Buffer.byteLength(text);
          if (size + Buffer.byteLength(pending) > 0 && size + Buffer.byteLength(pending) + bytes > maxBytes) {
            flush();
            closeSync(fd);
            fd = -1;
            rotate(env, o.keep ?? 5);
            ({ fd, size } = openLog(file));
            torn = false;
          }
          pending += text;
          out.push(rec);
          link = rec;
        }
        flush();
        if (out.length) writeHead(env, out[out.length - 1]!);
        return out;
      } finally {
        if (fd >= 0) closeSync(fd);
      }
    },
    { timeoutMs: 2_000 },
  );
}

function appendRecord(input: AuditInput | (Omit<AuditInput, 'kind'> & { kind: 'reset' }), env: Env, o: AuditOptions): AuditRecord {
  return appendRecords([input], env, o)[0]!;
}

let warned = false;

/** Record a decision or an execution. Never throws: a broken log warns once and the command goes on. */
export function appendAudit(rec: AuditInput, env: Env = process.env, o: AuditOptions = {}): void {
  appendAuditBatch([rec], env, o);
}

/** appendAudit for several records under one lock, in order. Never throws. */
export function appendAuditBatch(recs: readonly AuditInput[], env: Env = process.env, o: AuditOptions = {}): void {
  if (o.enabled === false || recs.length === 0) return;
  try {
    appendRecords(recs, env, o);
  } catch (err) {
    if (warned) return;
    warned = true;
    const e = err as NodeJS.ErrnoException;
    const what = e.code ? `${e.code}${e.path ? ` ${e.path}` : ''}` : String(e.message).split(' — ')[0];
    process.stderr.write(`vg: audit log not written (${what}) — check that ${stateDir(env)} is writable; commands still run\n`);
  }
}

/** `vg metrics reset`: a marker record, so metrics start here and the chain stays whole. Throws. */
export function appendResetMarker(env: Env = process.env, o: AuditOptions = {}): AuditRecord {
  return appendRecord(
    {
      kind: 'reset',
      session: env.VG_SESSION || 'cli',
      cwd: process.cwd(),
      line: 'vg metrics reset',
      risk: 'low',
      decision: 'host',
      reasons: [],
      source: 'exec',
    },
    env,
    o,
  );
}

/** Oldest first: audit.N.jsonl … audit.1.jsonl, audit.jsonl. */
export function auditFiles(env: Env = process.env): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(stateDir(env));
  } catch {
    return [];
  }
  const rotated = names
    .map((n) => /^audit\.(\d+)\.jsonl$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a)
    .map((n) => rotatedFile(env, n));
  return names.includes('audit.jsonl') ? [...rotated, auditFile(env)] : rotated;
}

/**
 * Records oldest first, filtered. With `limit`, only the last `limit` matches, reading rotated
 * files only when the newer ones do not hold enough (the common `vg audit` view stays cheap).
 */
export function readAudit(o: { since?: Date; session?: string; env?: Env; limit?: number } = {}): AuditRecord[] {
  const env = o.env ?? process.env;
  const since = o.since?.getTime();
  const batches: AuditRecord[][] = [];
  let have = 0;
  for (const f of auditFiles(env).reverse()) {
    const batch: AuditRecord[] = [];
    for (const text of readLinesFrom(f).lines) {
      if (!text) continue;
      let r: AuditRecord;
      try {
        r = JSON.parse(text) as AuditRecord;
      } catch {
        continue;
      }
      if (typeof r !== 'object' || r === null || typeof r.time !== 'string') continue;
      if (since !== undefined && !(Date.parse(r.time) >= since)) continue;
      if (o.session && r.session !== o.session) continue;
      batch.push(r);
    }
    batches.unshift(batch);
    have += batch.length;
    if (o.limit !== undefined && have >= o.limit) break;
  }
  const out = batches.flat();
  return o.limit !== undefined ? out.slice(-o.limit) : out;
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** `line N: …` (prefixed with the file name for rotated files). */
  problem?: string;
  /** Seq and hash of the last record: write it down elsewhere to detect a wholesale rewrite later. */
  last?: { seq: number; hash: string };
  files?: number;
}

interface Snapshot {
  head: { seq: number; hash: string } | null;
  files: { file: string; fd: number; size: number }[];
}

// Head and file sizes are read under the lock so they describe the same moment; the files are then
// read through the open fds, so appends and rotations during a long verify change nothing.
function snapshot(env: Env): Snapshot {
  if (!existsSync(stateDir(env))) return { head: null, files: [] };
  return withLock(
    auditFile(env),
    () => {
      const files: Snapshot['files'] = [];
      try {
        for (const file of auditFiles(env)) {
          const fd = openSync(file, constants.O_RDONLY);
          files.push({ file, fd, size: fstatSync(fd).size });
        }
      } catch (err) {
        for (const f of files) closeSync(f.fd);
        throw err;
      }
      return { head: readHead(env), files };
    },
    { timeoutMs: 5_000 },
  );
}

export function verifyAudit(env: Env = process.env): VerifyResult {
  const snap = snapshot(env);
  try {
    return verifySnapshot(snap);
  } finally {
    for (const f of snap.files) closeSync(f.fd);
  }
}

function verifySnapshot({ head, files }: Snapshot): VerifyResult {
  let records = 0;
  let lastFileLines = 0;
  let prev: AuditRecord | null = null;
  const fail = (where: string, n: number, problem: string): VerifyResult => ({
    ok: false,
    records,
    problem: `${where}line ${n}: ${problem}`,
    files: files.length,
    ...(prev ? { last: { seq: prev.seq, hash: prev.hash } } : {}),
  });
  for (const { file, fd, size } of files) {
    const where = file.endsWith('/audit.jsonl') ? '' : `${file.slice(file.lastIndexOf('/') + 1)} `;
    const chunk = readLinesFd(fd, size);
    lastFileLines = chunk.lines.length;
    let n = 0;
    for (const text of chunk.lines) {
      n++;
      if (!text) return fail(where, n, 'empty line — a record was removed or the file was edited');
      let r: AuditRecord;
      try {
        r = JSON.parse(text) as AuditRecord;
      } catch {
        return fail(where, n, 'not a JSON record — the file was edited or a write was torn');
      }
      if (typeof r !== 'object' || r === null || typeof r.seq !== 'number' || typeof r.prev !== 'string' || typeof r.hash !== 'string') {
        return fail(where, n, 'not an audit record (no seq/prev/hash)');
      }
      if (recordHash(r) !== r.hash) return fail(where, n, `record seq ${r.seq} was modified (hash mismatch)`);
      if (prev === null) {
        // The oldest surviving record may follow rotated-out files; with nothing rotated it must be the first.
        const rotatedAway = files.length > 1 || where !== '';
        if (!rotatedAway && (r.seq !== 0 || r.prev !== GENESIS)) {
          return fail(where, n, `log starts at seq ${r.seq}, and no rotated file holds the records before it — the start of the log was removed`);
        }
      } else if (r.prev !== prev.hash || r.seq !== prev.seq + 1) {
        if (r.seq <= prev.seq) return fail(where, n, `out of order: seq ${r.seq} follows seq ${prev.seq}`);
        if (r.seq > prev.seq + 1) {
          const missing = r.seq === prev.seq + 2 ? `seq ${prev.seq + 1} is` : `seq ${prev.seq + 1}–${r.seq - 1} are`;
          return fail(where, n, `${missing} missing — records were deleted`);
        }
        return fail(where, n, `seq ${r.seq} does not link to the record before it (prev hash mismatch)`);
      }
      prev = r;
      records++;
    }
    if (chunk.partial > 0) return fail(where, n + 1, 'incomplete record at the end of the file — the log was cut mid-record');
  }
  const last = prev ? { seq: prev.seq, hash: prev.hash } : undefined;
  const base = { ok: false, records, files: files.length, ...(last ? { last } : {}) };
  if (head && !last) {
    return { ...base, problem: `audit.head: the log is empty but records up to seq ${head.seq} were written — the log was deleted or truncated` };
  }
  if (head && last) {
    if (head.seq > last.seq) {
      return { ...base, problem: `line ${lastFileLines}: the log ends at seq ${last.seq} but audit.head records seq ${head.seq} — the end of the log was cut off` };
    }
    if (head.seq === last.seq && head.hash !== last.hash) {
      return { ...base, problem: `line ${lastFileLines}: the last record does not match audit.head — it was replaced` };
    }
    if (head.seq < last.seq) {
      return { ...base, problem: `audit.head: records seq ${head.seq} but the log goes on to seq ${last.seq} — records were appended without vg (or a writer crashed mid-append)` };
    }
  }
  if (!head && last) {
    return { ...base, problem: `audit.head: missing while the log has ${records} records — it was deleted` };
  }
  return { ok: true, records, files: files.length, ...(last ? { last } : {}) };
}
