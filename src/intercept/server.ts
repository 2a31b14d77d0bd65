// The resident analyzer: one long-lived process per interactive shell, started lazily by the hook
// (`vg serve --shell bash …`), speaking protocol.ts on stdin/stdout. It judges each line with
// judge(), hands back how to run it, hosts the restricted-network proxy a sandboxed command needs,
// takes trust answers and appends the audit record when the shell reports the line finished.
// docs/shell.md explains why one per shell.
import { accessSync, closeSync, constants, openSync, writeSync, fstatSync, ftruncateSync, rmdirSync, mkdtempSync, rmSync, readFileSync, readdirSync, lstatSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { connect, Socket } from 'node:net';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { JudgeContext, Verdict } from './judge.ts';
import { unknownCommand } from './not-found.ts';
import { processAlive } from '../store/lock.ts';
import { formatHello, formatHost, formatPointer, formatResponse, parseRequest, RS, type Definitions, type Request, type Response, type ShellKind } from './protocol.ts';
import { invocationCommand } from './quote.ts';
import { isIncomplete } from './complete.ts';

type Env = Record<string, string | undefined>;
type JudgeFn = (line: string, ctx: JudgeContext) => Promise<Verdict>;

export interface ShellSettings {
  timeoutMs: number;
  fallback: 'host' | 'block';
  notice: 'full' | 'quiet' | 'off';
  mode: string;
  audit: { enabled: boolean; maxSizeMb: number; keep: number };
  allowedDomains: readonly string[];
}

export interface ServeOptions {
  shell: ShellKind;
  session: string;
  /** The shell's pid: the server exits when it is gone (a FIFO may outlive it). */
  shellPid?: number;
  version: string;
  env?: Env;
  input?: Readable;
  /** fd to write responses to (default 1). */
  outFd?: number;
  /** Seams for tests; default to the real modules. */
  judge?: JudgeFn;
  settings?: (cwd: string, env: Env) => Promise<ShellSettings>;
  audit?: (rec: Record<string, unknown>, env: Env, s: ShellSettings) => void | Promise<void>;
  trustAdd?: (line: string, cwd: string, env: Env) => void;
  log?: (msg: string) => void;
  /** Called once, when the first request arrives (the shell has both FIFOs open by then). */
  onFirstRequest?: () => void;
  /**
   * bash and zsh read a pipe one byte per read(2) (bash with a select(2) before each): a 5 KB
   * sandbox answer costs them ~25 ms. So an answer longer than this goes to a private file the shell
   * reads in one go, and the pipe carries `F␟<id>`. 0: never (fish reads its FIFO buffered).
   */
  replyFileOver?: number;
}

/**
 * Where long answers go (replyFileOver): a private directory of this server, removed at exit. The
 * file stays open: each answer is written in place at offset 0 and the rest cut off, since opening
 * it with O_TRUNC for every answer cost 0.2–0.7 ms on ext4 here (journalled truncate) against
 * ~0.02 ms for pwrite + ftruncate.
 */
function replyFile(env: Env): { path: string; fd: number } {
  const base = privateBase(env);
  const prefix = `vg-serve-${process.getuid?.() ?? 'u'}-`;
  sweepDead(base, prefix);
  // mkdtemp creates the directory 0700: nobody else can read a command line from it or swap the file.
  const dir = mkdtempSync(join(base, `${prefix}${process.pid}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'reply');
  return { path, fd: openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600) };
}

/**
 * Where the private directory goes: the user's runtime directory, else /dev/shm, else the temp
 * directory. A memory file system matters: the shells write files there on their way to a verdict
 * (bash's `declare -px` before a sandboxed line: ~0.1 ms on tmpfs, ~0.35 ms on ext4 here).
 */
export function privateBase(env: Env, shm = '/dev/shm'): string {
  if (env.XDG_RUNTIME_DIR && env.XDG_RUNTIME_DIR.startsWith('/')) return env.XDG_RUNTIME_DIR;
  try {
    accessSync(shm, constants.W_OK | constants.X_OK);
    if (statSync(shm).isDirectory()) return shm;
  } catch {
    /* no /dev/shm here (some containers): the temp directory */
  }
  return tmpdir();
}

/**
 * The directories of this user's analyzers that died without cleaning up (SIGKILL, OOM): each name
 * carries its server's PID; one whose process is gone is removed, with the last long answer in it.
 */
export function sweepDead(base: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    const dir = join(base, name);
    try {
      const st = lstatSync(dir);
      if (st.isDirectory() && (uid === undefined || st.uid === uid)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or not ours to remove: leave it.
    }
  }
}

interface Pending {
  line: string;
  cwd: string;
  verdict?: Verdict;
  decision: string;
  answer?: 'sandbox' | 'host' | 'remember' | 'no';
  t: number;
}

/** Commands of vg itself that act on the shell or the user's own state: run in the shell, never sandboxed. */
const VG_SELF = new Set(['on', 'off', 'status', 'trust', 'analyze', 'audit', 'metrics', 'config', 'doctor', 'init', 'help', '--help', '--version', 'exec']);

export function isVgSelf(v: Verdict): boolean {
  const cmds = v.analysis.commands;
  if (v.risk === 'critical' || cmds.length !== 1) return false;
  const c = cmds[0]!;
  return (
    c.name === 'vg' && c.argv[0] === 'vg' && c.depth === 0 && c.origin === 'top' && c.wrappers.length === 0 && c.redirects.length === 0 &&
    !c.dynamic && c.argv.length >= 2 && VG_SELF.has(c.argv[1]!)
  );
}

export async function defaultSettings(cwd: string, env: Env): Promise<ShellSettings> {
  const { loadConfig } = await import('../store/config/index.ts');
  const { config } = await loadConfig({ cwd, env });
  return {
    timeoutMs: config.shell.analyzer_timeout_ms,
    fallback: config.shell.fallback,
    notice: config.shell.notice,
    mode: config.sandbox.enabled ? config.sandbox.mode : 'never',
    audit: { enabled: config.audit.enabled, maxSizeMb: config.audit.max_size_mb, keep: config.audit.keep },
    allowedDomains: config.sandbox.allowed_domains,
  };
}

const FALLBACK_SETTINGS: ShellSettings = {
  timeoutMs: 500,
  fallback: 'host',
  notice: 'full',
  mode: 'always',
  audit: { enabled: true, maxSizeMb: 10, keep: 5 },
  allowedDomains: [],
};

/**
 * The callees a shell should look up (protocol.ts). Without definitions the shell had checked the
 * line's first word (as its hook splits it) before asking: a line of one command gets no list, so the
 * common answer stays `H id` — unless that word is on no PATH (`?`: its not-found handler may run).
 * With `path`, a name the shell would not find is marked `?NAME` (not-found.ts).
 */
export function calleesToAsk(callees: readonly string[] | undefined, line: string, withDefs: boolean, wrapped: readonly string[] = [], path?: string): string {
  const mark = (c: string): string => (path !== undefined && unknownCommand(c, path) ? `?${c}` : c);
  if (withDefs) return [...(callees ?? []).map(mark), ...wrapped].join(' ');
  if (!callees?.length) return '';
  const first = /^\s*([^\s;|&<>()]+)/.exec(line)?.[1];
  return callees
    .map(mark)
    .filter((c) => c !== first)
    .join(' ');
}

/** More definition text than this is not followed further: the line is judged incomplete (medium). */
export const DEFINITIONS_BUDGET = 64 * 1024;

/**
 * The definitions as judge() takes them: functions written to files (`p:`) read in — only from this
 * analyzer's own private directory — and a total over DEFINITIONS_BUDGET marked incomplete, so the
 * shell stops sending more (a whole library such as nvm's).
 */
export function loadDefinitions(d: Definitions, privateDir: string | null): Definitions & { overBudget?: boolean } {
  const out: Definitions & { overBudget?: boolean } = { aliases: d.aliases, functions: [...d.functions], ...(d.incomplete ? { incomplete: true } : {}) };
  for (const [name, path] of d.files ?? []) {
    const text = privateDir && resolve(path).startsWith(privateDir + '/') ? readText(path) : null;
    if (text === null) out.incomplete = true;
    else out.functions.push([name, text]);
  }
  const size = [...out.aliases, ...out.functions].reduce((n, [, t]) => n + t.length, 0);
  if (size > DEFINITIONS_BUDGET) {
    out.incomplete = true;
    out.overBudget = true;
  }
  return out;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export async function serve(o: ServeOptions): Promise<number> {
  const env: Env = { ...(o.env ?? process.env) };
  // Each sandboxed line's cgroups are made ahead, after the answer before it (limits.ts).
  const { keepSpareCgroups } = await import('../runtimes/limits.ts');
  keepSpareCgroups(true);
  // Changed in place by E and U requests: the judge's analysis memo keys on this.
  let envVersion = 0;
  const outFd = o.outFd ?? 1;
  const log = o.log ?? ((m: string) => process.env.VG_DEBUG && process.stderr.write(`vg serve: ${m}\n`));
  // VG_TEST_JUDGE (tests only, with VG_TEST=1): a module whose judge() stands in for the real one.
  const fake = process.env.VG_TEST === '1' ? process.env.VG_TEST_JUDGE : undefined;
  const judgeFn: JudgeFn =
    o.judge ??
    (fake
      ? // require, not import(): a computed import() from the bundle fails once V8's code cache is used.
        async (line, ctx) => (createRequire(import.meta.url)(fake) as { judge: JudgeFn }).judge(line, ctx)
      : async (line, ctx) => (await import('./judge.ts')).judge(line, ctx));
  // The real judge's synchronous path (judgeNow), once its module is loaded; none with a stand-in.
  let judgeNow: ((line: string, ctx: JudgeContext) => Verdict | null) | undefined;
  const loadSettings = o.settings ?? defaultSettings;
  const pending = new Map<string, Pending>();
  const proxies = new Map<string, { close(): Promise<void>; setAllowedDomains(d: readonly string[]): void } | 'external'>();
  const shownNotices = new Set<string>();
  let selfRan = false;

  let settings: ShellSettings = FALLBACK_SETTINGS;
  let settingsAt = 0;
  let settingsCwd = '';
  const settingsFresh = (cwd: string): boolean => Date.now() - settingsAt < 2000 && cwd === settingsCwd;
  const freshSettings = async (cwd: string): Promise<ShellSettings> => {
    if (settingsFresh(cwd)) return settings;
    try {
      settings = await loadSettings(cwd, env);
    } catch (e) {
      log(`config: ${(e as Error).message}`);
    }
    settingsAt = Date.now();
    settingsCwd = cwd;
    return settings;
  };

  const write = (s: string): void => {
    try {
      writeSync(outFd, s);
    } catch (e) {
      // The shell went away (EPIPE): nothing left to serve.
      log(`write: ${(e as Error).message}`);
      process.exit(0);
    }
  };

  // bash and zsh read the pipe a byte per syscall: their answers are as short as can be (H, F);
  // fish reads it buffered and takes the full R line only.
  const byteReader = o.shell !== 'fish';
  const over = o.replyFileOver ?? (byteReader ? 512 : 0);
  let longReplies: { path: string; fd: number } | null = null;
  if (over > 0) {
    try {
      longReplies = replyFile(env);
    } catch (e) {
      log(`reply file: ${(e as Error).message} — long answers go through the pipe`);
    }
  }
  /** One answer: through the pipe, or (long, bash/zsh) through the reply file and a pointer. */
  const respond = (r: Response): void => {
    if (byteReader && r.decision === 'host' && !r.notice && !r.cmd) {
      write(formatHost(r.id, r.callees));
      return;
    }
    const text = formatResponse(r);
    if (longReplies && text.length > over) {
      try {
        // Written in place (a rename cost ~0.6 ms here): the shell reads the file only after the
        // pointer carrying its own id, which follows the complete write, and sends its next request
        // — the only thing that makes this file change again — after reading it.
        const b = Buffer.from(text);
        writeSync(longReplies.fd, b, 0, b.length, 0);
        ftruncateSync(longReplies.fd, b.length);
        write(formatPointer(r.id));
        return;
      } catch (e) {
        log(`reply file: ${(e as Error).message}`);
      }
    }
    write(text);
  };

  await freshSettings(env.PWD || process.cwd());
  // Warm up before saying hello: the first real line must not pay for loading the analyzer, the
  // sandbox planner and the runtime probe (hundreds of ms) — the shell allows a longer wait for hello.
  if (!o.judge) {
    const warmCtx: JudgeContext = { cwd: env.PWD || process.cwd(), env, interactive: true, session: o.session, source: 'shell' };
    for (const l of ['true', 'npm install']) await judgeFn(l, warmCtx).catch(() => undefined);
    if (!fake) judgeNow = (await import('./judge.ts')).judgeNow;
  }
  // fish reads its FIFO with `read`, which swallows whatever follows the first line: it gets exactly
  // one line per request and no unsolicited hello (an error response carries the fallback instead).
  if (o.shell !== 'fish') {
    write(
      formatHello({ version: o.version, pid: process.pid, timeoutMs: settings.timeoutMs, fallback: settings.fallback, notice: settings.notice, mode: settings.mode, replyFile: longReplies?.path ?? '' }),
    );
  }

  // Records go out in batches (one lock and one tail read for the lines of a paste).
  const auditBatch = async (recs: Record<string, unknown>[], e: Env, st: ShellSettings): Promise<void> => {
    if (o.audit) {
      for (const rec of recs) await o.audit(rec, e, st);
      return;
    }
    try {
      const m = await import('../store/audit.ts');
      m.appendAuditBatch(recs as unknown as Parameters<typeof m.appendAuditBatch>[0], e, { enabled: st.audit.enabled, maxSizeMb: st.audit.maxSizeMb, keep: st.audit.keep });
    } catch (err) {
      log(`audit: ${(err as Error).message}`);
    }
  };
  const trustAdd =
    o.trustAdd ??
    (async (line: string, cwd: string, e: Env): Promise<void> => {
      const { trustStore } = await import('../store/trust.ts');
      trustStore(e).add(line, { cwd });
    });

  async function ensureProxy(need: { socketPath: string; allowedDomains: string[] }): Promise<void> {
    const have = proxies.get(need.socketPath);
    if (have && have !== 'external') {
      have.setAllowedDomains(need.allowedDomains);
      return;
    }
    // Another shell's server may already host it (the socket is per user): use that one.
    if (await listening(need.socketPath)) {
      proxies.set(need.socketPath, 'external');
      return;
    }
    const { startProxy } = await import('../runtimes/proxy.ts');
    proxies.set(need.socketPath, await startProxy({ socketPath: need.socketPath, allowedDomains: need.allowedDomains }));
  }

  async function onJudge(r: Extract<Request, { kind: 'J' }>): Promise<void> {
    const t = Date.now();
    const line = r.line;
    const reply = (x: Omit<Response, 'id'>): void => respond({ id: r.id, ...x });
    if (o.shell !== 'fish' && isIncomplete(line)) {
      reply({ decision: 'more', risk: '', notice: '', cmd: '' });
      return;
    }
    const s = await freshSettings(r.cwd);
    const defs = r.defs ? loadDefinitions(r.defs, longReplies ? dirname(longReplies.path) : null) : undefined;
    const ctx = contextOf(r, defs);
    // The last line was `vg trust …`, `vg config …`: what it changed applies to this one.
    if (selfRan) {
      selfRan = false;
      settingsAt = 0;
      if (!o.judge) (await import('./judge.ts')).forgetCaches();
    }
    let v: Verdict;
    try {
      v = await withTimeout(judgeFn(line, ctx), Math.max(50, s.timeoutMs - 20));
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0];
      log(`judge: ${msg}`);
      pending.set(r.id, { line, cwd: r.cwd, decision: 'error', t });
      reply({ decision: 'error', risk: s.fallback, notice: msg, cmd: '' });
      return;
    }
    let decision: Response['decision'] = v.decision;
    const self = isVgSelf(v);
    if (v.analysis.commands.some((c) => c.name === 'vg')) selfRan = true;
    if (decision !== 'host' && self) decision = 'host';
    // `vg audit` / `vg metrics` typed next must see the lines before it: write what is queued first.
    if (self && (doneQueue.length || flushTimer)) {
      if (flushTimer) clearTimeout(flushTimer);
      flush();
      await auditChain;
    }
    let notice = decision === 'host' ? '' : v.notice;
    let cmd = '';
    if ((decision === 'sandbox' || decision === 'prompt') && v.sandbox && !v.sandboxError) {
      try {
        cmd = invocationCommand(v.sandbox.invocation, o.shell);
        // What `vg exec` does before a run: create the cache directories the plan mounts, sweep stale cgroups.
        const { prepareHost } = await import('../runtimes/host.ts');
        prepareHost(v.sandbox.plan);
        if (v.sandbox.invocation.needsProxy) await ensureProxy(v.sandbox.invocation.needsProxy);
      } catch (e) {
        cmd = '';
        if (decision === 'sandbox') notice = `vg: the sandbox cannot start: ${(e as Error).message} — run \`vg doctor\``;
      }
    } else if (decision === 'sandbox') {
      notice = v.sandboxError ?? 'vg: the sandbox cannot start — run `vg doctor`';
    }
    settle(r, v, { decision, notice, cmd, t, overBudget: defs?.overBudget === true });
  }

  function contextOf(r: Extract<Request, { kind: 'J' }>, defs: Definitions | undefined): JudgeContext {
    return {
      cwd: r.cwd,
      env,
      interactive: true,
      agent: env.VG_AGENT ? 'agent' : undefined,
      session: o.session,
      source: 'shell',
      shell: o.shell,
      resident: true,
      envVersion,
      ...(r.noFn ? { noShellFunction: true } : {}),
      ...(defs ? { defs } : {}),
    };
  }

  /** The answer for a judged line, and what the audit record will need when its report comes. */
  function settle(r: Extract<Request, { kind: 'J' }>, v: Verdict, a: { decision: Response['decision']; notice: string; cmd: string; t: number; overBudget: boolean }): void {
    // Config notices (a project file tried to loosen security…) are shown once per session.
    const notices = v.notices.filter((n) => !shownNotices.has(n));
    for (const n of notices) shownNotices.add(n);
    const notice = notices.length ? [...notices.map((n) => `vg: ${n}`), a.notice].filter(Boolean).join(RS) : a.notice;
    pending.set(r.id, { line: r.line, cwd: r.cwd, verdict: v, decision: a.decision, t: a.t });
    trimPending();
    // Past the budget the line is judged as incomplete (loadDefinitions): no more callees to follow.
    const callees = a.overBudget ? '' : calleesToAsk(v.analysis.callees, r.line, r.defs !== undefined || r.allCallees === true, v.analysis.calleesWrapped, env.PATH ?? '');
    respond({ id: r.id, decision: a.decision, risk: v.risk, notice, cmd: a.cmd, callees });
  }

  /**
   * The common case answered at once, in the turn of the event loop the request arrived in: a line
   * with no definitions, settings and config fresh, judged for the host (judgeNow). Anything else —
   * and a `vg …` line, which may change what the next one sees — goes the queued way (false).
   * Measured in the shells (bench/shell): the promise hops and timers of the queued way cost a
   * host line 0.3–0.7 ms there, on a machine where each one runs with cold caches.
   */
  function judgeAtOnce(r: Extract<Request, { kind: 'J' }>): boolean {
    if (!judgeNow || r.defs || selfRan || !settingsFresh(r.cwd)) return false;
    if (o.shell !== 'fish' && isIncomplete(r.line)) return false;
    const v = judgeNow(r.line, contextOf(r, undefined));
    if (!v || v.analysis.commands.some((c) => c.name === 'vg')) return false;
    if (flushTimer) scheduleFlush();
    settle(r, v, { decision: 'host', notice: '', cmd: '', t: Date.now(), overBudget: false });
    return true;
  }

  function trimPending(): void {
    while (pending.size > 64) pending.delete(pending.keys().next().value as string);
  }

  async function onAnswer(r: Extract<Request, { kind: 'A' }>): Promise<void> {
    const p = pending.get(r.id);
    if (!p) return;
    p.answer = r.answer === 's' ? 'sandbox' : r.answer === 'y' ? 'host' : r.answer === 'r' ? 'remember' : 'no';
    if (p.answer === 'remember' && p.verdict && p.verdict.risk !== 'critical' && !env.VG_AGENT) {
      try {
        // The line as judged: with the definitions of the aliases and functions it used, if any.
        await trustAdd(p.verdict.line, p.cwd, env);
      } catch (e) {
        log(`trust: ${(e as Error).message}`);
      }
    }
  }

  /**
   * The audit record of line `id`, taken out of `pending` (null: nothing judged to record). `done`
   * is the shell's report; without one the shell went away first (reports ride along with the next
   * request, and there was none): the line ran — or, blocked, did not — with status and duration unknown.
   */
  function recordOf(id: string, done?: Extract<Request, { kind: 'D' }>): Record<string, unknown> | null {
    const p = pending.get(id);
    if (!p) return null;
    pending.delete(id);
    const v = p.verdict;
    if (!v) return null; // analyzer error / fallback: nothing judged to record
    const how = done?.how ?? (p.decision === 'prompt' ? (p.answer === 'sandbox' ? 'sandbox' : p.answer === 'host' || p.answer === 'remember' ? 'host' : 'cancel') : p.decision);
    const cleanup = v.sandbox?.invocation.cleanup;
    if (cleanup?.length && (how === 'sandbox' || p.decision === 'sandbox' || p.decision === 'prompt')) {
      for (const d of cleanup) {
        try {
          rmdirSync(d);
        } catch {
          /* busy or gone: the runtime's lazy sweep gets it */
        }
      }
    }
    const ranSandbox = how === 'sandbox';
    return {
      kind: 'execution',
      session: o.session,
      cwd: p.cwd,
      line: p.line,
      risk: v.risk,
      decision: p.decision === 'prompt' || p.decision === 'host' || p.decision === 'block' || p.decision === 'sandbox' ? p.decision : v.decision,
      reasons: v.analysis.reasons.map((x) => ({ rule: x.rule, risk: x.risk, message: x.message })),
      runtime: ranSandbox ? v.sandbox?.runtime : how === 'host' ? 'host' : undefined,
      cached: ranSandbox ? v.sandbox?.cached : undefined,
      durationMs: done ? Math.round(done.ms * 10) / 10 : undefined,
      status: done?.status,
      agent: env.VG_AGENT ? 'agent' : undefined,
      source: 'shell',
      answer: p.answer,
      // When the line finished: the shell's own clock when it sent one, else judged-at + duration.
      at: done ? (done.end ?? p.t + done.ms) : undefined,
    };
  }

  /** Requests that never wait on anything. */
  const handleSync = (r: Extract<Request, { kind: 'D' | 'E' | 'U' | 'P' }>): void => {
    switch (r.kind) {
      case 'D':
        // An audit append (lock, hash chain, a few ms) must not delay the next line's verdict: records
        // are written once the shell has been quiet for a moment (between lines a person types).
        doneQueue.push(r);
        scheduleFlush();
        return;
      case 'E':
        env[r.name] = r.value;
        envVersion++;
        return;
      case 'U':
        delete env[r.name];
        envVersion++;
        return;
      case 'P':
        write(`P\x1f${r.id}\x1f${process.pid}\n`);
        return;
    }
  };

  /** Handled in the turn it arrived in (true), or left for the queue. */
  const handleNow = (r: Request): boolean => {
    if (r.kind === 'A') return false;
    if (r.kind !== 'J') {
      handleSync(r);
      return true;
    }
    try {
      return judgeAtOnce(r);
    } catch (e) {
      // The queued way judges it again and answers, with an error if it is one.
      log(`judge: ${(e as Error).message}`);
      return false;
    }
  };

  const handle = async (r: Request): Promise<void> => {
    switch (r.kind) {
      case 'J':
        if (flushTimer) scheduleFlush();
        // Every J gets exactly one answer, whatever happens (fish waits for it without a timer).
        try {
          return await onJudge(r);
        } catch (e) {
          log(`judge: ${(e as Error).message}`);
          respond({ id: r.id, decision: 'error', risk: settings.fallback, notice: (e as Error).message.split('\n')[0] ?? 'error', cmd: '' });
          return;
        }
      case 'A':
        return onAnswer(r);
      default:
        return handleSync(r);
    }
  };

  // Requests are handled strictly in order: an answer or a trust entry takes effect before the next
  // line is judged. One that needs no waiting is handled as it arrives when nothing is queued ahead of it.
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;
  let auditChain: Promise<void> = Promise.resolve();
  const doneQueue: Extract<Request, { kind: 'D' }>[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    flushTimer = undefined;
    const batch = doneQueue.splice(0);
    auditChain = auditChain
      .then(async () => {
        const recs = batch.map((d) => recordOf(d.id, d)).filter((x): x is Record<string, unknown> => x !== null);
        if (recs.length) await auditBatch(recs, env, settings);
      })
      .catch((e: unknown) => log(`audit: ${(e as Error).message}`));
  };
  const scheduleFlush = (): void => {
    if (flushTimer) clearTimeout(flushTimer);
    // Bounded: a long burst still gets written (every 64 records).
    flushTimer = doneQueue.length >= 64 ? (flush(), undefined) : setTimeout(flush, 40);
  };
  const input = o.input ?? process.stdin;
  let buf = '';
  input.setEncoding('utf8');
  let first = true;
  input.on('data', (chunk: string) => {
    if (first) {
      first = false;
      o.onFirstRequest?.();
    }
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const raw = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const r = parseRequest(raw);
      if (!r || (queued === 0 && handleNow(r))) continue;
      queued++;
      chain = chain
        .then(() => handle(r))
        .catch((e: unknown) => log(`request: ${(e as Error).message}`))
        .then(() => {
          queued--;
        });
    }
  });

  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    input.on('end', resolve);
    input.on('close', resolve);
    input.on('error', resolve);
    if (o.shellPid) {
      // A FIFO never reports EOF (both ends are held read-write): watch the shell itself.
      timer = setInterval(() => {
        try {
          process.kill(o.shellPid!, 0);
        } catch {
          resolve();
        }
      }, 2000);
    }
  });
  await done;
  if (timer) clearInterval(timer);
  await chain.catch(() => undefined);
  if (flushTimer) clearTimeout(flushTimer);
  flush();
  await auditChain.catch(() => undefined);
  // What is still pending never got its report (the session's last line — `exit`, or the one before
  // the terminal was closed — since reports ride with the next request): recorded as run, status unknown.
  const unreported = [...pending.keys()].map((id) => recordOf(id)).filter((x): x is Record<string, unknown> => x !== null);
  if (unreported.length) await auditBatch(unreported, env, settings);
  for (const p of proxies.values()) if (p !== 'external') await p.close().catch(() => undefined);
  keepSpareCgroups(false);
  return 0;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the analyzer took longer than ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}

function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 200);
    s.on('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.on('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/**
 * Open the request/response FIFOs for `--fifo` (zsh, fish): read-write, so neither end ever sees EOF
 * or blocks on open. The request side is read as a libuv pipe (epoll, non-blocking) — an fs stream
 * would park a thread-pool thread in read(2) on the FIFO and keep the process from ever exiting.
 * Responses are non-blocking too: a shell that stopped reading 64 KiB ago is gone (EAGAIN → exit).
 */
export function openFifos(inPath: string, outPath: string): { input: Readable; outFd: number } {
  const inFd = openSync(inPath, constants.O_RDWR | constants.O_NONBLOCK);
  if (!fstatSync(inFd).isFIFO()) {
    closeSync(inFd);
    throw new Error(`${inPath} is not a FIFO`);
  }
  const outFd = openSync(outPath, constants.O_RDWR | constants.O_NONBLOCK);
  return { input: new Socket({ fd: inFd, readable: true, writable: false }), outFd };
}
