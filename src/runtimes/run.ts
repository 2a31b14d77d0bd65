// Running an Invocation with the terminal attached, with the signal discipline of DESIGN.md §3:
// the parent ignores SIGINT (the terminal delivers it to the child's process group), forwards TERM
// and HUP, and reports the child's status as a shell would (128+n for a signal, 124 on timeout,
// 125 when the sandbox itself could not start).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { constants } from 'node:os';
import type { SandboxPlan } from '../sandbox/types.ts';
import { VgError } from '../cli/errors.ts';
import type { Invocation, RunResult, Runtime } from './types.ts';
import { removeCgroups } from './limits.ts';
import { hostOptions, prepareHost } from './host.ts';
import type { BwrapOptions } from './bwrap.ts';

const STATUS_FD = 8;

export interface RunOptions {
  /** Seconds; 0 = none. */
  timeout: number;
  /** The argv carries `--json-status-fd STATUS_FD` (bwrap): lets us tell a failed start from a failed command. */
  statusFd?: boolean;
  /** Extra environment (never printed). */
  stdin?: 'inherit' | 'ignore';
}

export interface RawResult extends RunResult {
  /** bwrap's status stream said the command actually ran (undefined when not tracked). */
  started?: boolean;
}

const signum = (name: NodeJS.Signals | null): number => (name ? ((constants.signals as Record<string, number>)[name] ?? 0) : 0);

export type StdioSlot = number | 'inherit' | 'ignore' | 'pipe';

/**
 * The stdio array for spawning an Invocation: `base` for fds 0–2, then each of `inv.files` opened
 * read-only on its fd number (e.g. the seccomp program on fd 9). The caller closes `opened` after
 * the spawn. Throws the open error (after closing what it opened).
 */
export function invocationStdio(inv: Invocation, base: StdioSlot[]): { stdio: StdioSlot[]; opened: number[] } {
  const stdio = [...base];
  const opened: number[] = [];
  try {
    for (const f of inv.files ?? []) {
      const fd = openSync(f.path, 'r');
      opened.push(fd);
      while (stdio.length <= f.fd) stdio.push('ignore');
      stdio[f.fd] = fd;
    }
  } catch (e) {
    for (const fd of opened) closeSync(fd);
    throw e;
  }
  return { stdio, opened };
}

export async function runInvocation(inv: Invocation, o: RunOptions): Promise<RawResult> {
  let stdio: StdioSlot[];
  let opened: number[];
  try {
    ({ stdio, opened } = invocationStdio(inv, [o.stdin ?? 'inherit', 'inherit', 'inherit']));
  } catch (e) {
    throw new VgError(`sandbox could not start: cannot open ${(e as NodeJS.ErrnoException).path ?? 'a sandbox file'} — run vg doctor`, 125);
  }
  if (o.statusFd) {
    while (stdio.length <= STATUS_FD) stdio.push('ignore');
    stdio[STATUS_FD] = 'pipe';
  }

  const t0 = performance.now();
  const child = spawn(inv.argv[0], inv.argv.slice(1), { stdio, env: inv.env });
  for (const fd of opened) closeSync(fd);

  let status = '';
  if (o.statusFd) {
    const s = (child.stdio as unknown as (NodeJS.ReadableStream | null)[])[STATUS_FD];
    s?.on('data', (d: Buffer) => (status += d.toString()));
  }
  let timedOut = false;
  const onInt = () => {
    /* the terminal already sent it to the child's process group */
  };
  const forward = (sig: NodeJS.Signals) => () => {
    try {
      child.kill(sig);
    } catch {
      /* already gone */
    }
  };
  const onTerm = forward('SIGTERM');
  const onHup = forward('SIGHUP');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  // Backstop only: the argv carries its own `timeout`, which normally ends the run first with 124.
  const timer =
    o.timeout > 0
      ? setTimeout(() => {
          timedOut = true;
          // SIGKILL the outermost process: bwrap/unshare then kill their pid namespace (--die-with-parent,
          // --kill-child), so nothing inside survives.
          child.kill('SIGKILL');
        }, o.timeout * 1000 + 5000)
      : undefined;

  try {
    const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    });
    const durationMs = performance.now() - t0;
    const started = o.statusFd ? /"exit-code"/.test(status) : undefined;
    if (timedOut) return { status: 124, timedOut: true, durationMs, signal: 'SIGKILL', ...(started !== undefined ? { started } : {}) };
    if (sig) return { status: 128 + signum(sig), signal: sig, durationMs, ...(started !== undefined ? { started } : {}) };
    // 124 from the argv's own `timeout` (a command exiting 124 by itself within the limit is rare; the
    // duration tells them apart).
    if (code === 124 && o.timeout > 0 && durationMs >= o.timeout * 1000) return { status: 124, timedOut: true, durationMs, started: true };
    return { status: code ?? 1, durationMs, ...(started !== undefined ? { started } : {}) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new VgError(`sandbox could not start: ${inv.argv[0]} not found — run vg doctor`, 125);
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
  }
}

/** Runtimes whose argv vg builds itself accept host-option overrides (a per-run proxy socket, the status fd). */
interface CliRuntime extends Runtime {
  invocationWith(plan: SandboxPlan, overrides: Partial<BwrapOptions>): Invocation;
}
const isCli = (r: Runtime): r is CliRuntime => typeof (r as Partial<CliRuntime>).invocationWith === 'function';

/** Re-run the sandbox setup with `true` and captured stderr: bwrap's own message for the one-line error. */
function startFailure(inv: Invocation): string {
  const i = inv.argv.lastIndexOf('--');
  let argv = i > 0 ? [...inv.argv.slice(0, i + 1), 'true'] : inv.argv;
  const s = argv.indexOf('--json-status-fd');
  if (s > 0) argv = [...argv.slice(0, s), ...argv.slice(s + 2)];
  let io: { stdio: StdioSlot[]; opened: number[] };
  try {
    io = invocationStdio(inv, ['ignore', 'ignore', 'pipe']);
  } catch (e) {
    return `cannot open ${(e as NodeJS.ErrnoException).path ?? 'a sandbox file'}`;
  }
  const r = spawnSync(argv[0], argv.slice(1), { env: inv.env, encoding: 'utf8', timeout: 10_000, stdio: io.stdio });
  for (const fd of io.opened) closeSync(fd);
  const line = (r.stderr || '').split('\n').find((l) => l.trim()) ?? `exit status ${r.status}`;
  return line.replace(/^vg: sandbox could not start: /, '').trim();
}

export async function runPlan(runtime: Runtime, plan: SandboxPlan): Promise<RunResult> {
  if (!isCli(runtime)) return runtime.run(plan);
  prepareHost(plan);
  let proxy: { close(): Promise<void> } | undefined;
  let runDir: string | undefined;
  const overrides: Partial<BwrapOptions> = {};
  if (plan.network === 'restricted') {
    // A per-run proxy on its own socket directory: never races a resident proxy or another run.
    runDir = mkdtempSync(join(tmpdir(), 'vg-net-'));
    overrides.proxySocket = join(runDir, 'proxy.sock');
  }
  const statusFd = runtime.name === 'bubblewrap';
  if (statusFd) overrides.statusFd = STATUS_FD;
  const inv = runtime.invocationWith(plan, overrides);
  try {
    if (inv.needsProxy) {
      let startProxy: (o: { socketPath: string; allowedDomains: readonly string[]; bridgeHelper?: boolean }) => Promise<{ close(): Promise<void> }>;
      try {
        ({ startProxy } = await import('./proxy.ts'));
      } catch {
        throw new VgError('restricted network needs the vg proxy, which is missing from this build — set sandbox.network_mode: none or full', 125);
      }
      proxy = await startProxy({ socketPath: inv.needsProxy.socketPath, allowedDomains: inv.needsProxy.allowedDomains, bridgeHelper: false });
    }
    const r = await runInvocation(inv, { timeout: plan.timeout, statusFd });
    if (statusFd && !r.timedOut && r.started === false && r.signal === undefined) {
      // Our wrapper already printed its own one-line error (status 125); bwrap's needs translating.
      if (r.status !== 125) process.stderr.write(`vg: sandbox could not start: ${startFailure(inv)} — check the paths in sandbox.bind_mounts, or run vg doctor\n`);
      return { status: 125, durationMs: r.durationMs };
    }
    const { started: _s, ...out } = r;
    return out;
  } finally {
    if (inv.cleanup) removeCgroups(inv.cleanup);
    if (proxy) await proxy.close().catch(() => {});
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  }
}

export { hostOptions };
