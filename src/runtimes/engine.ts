// The container engines (docker, podman) as a vg Runtime: one implementation, two engines.
//
// - invocation(plan): the `docker run …` / `podman run …` argv (container-args.ts), pure apart from
//   reading uid/gid, stat'ing hidden paths and podman's host flags (cached).
// - run(plan): spawns that CLI with the terminal passed straight through (dockerode's attach corrupts
//   stdin, DESIGN §3), ignores SIGINT itself (the terminal delivers it to the CLI, which proxies it),
//   forwards TERM/HUP, kills the container on timeout (→ 124), makes sure it is gone afterwards, and
//   hosts a per-run restricted-network proxy when the plan needs one.
// - available(): docker — the Engine API over its unix socket (ping + image inspect, ~2 ms; no
//   dockerode import, which costs ~200 ms); podman — daemonless, so its CLI (`podman image inspect`).
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { StdioOptions } from 'node:child_process';
import type { SandboxPlan } from '../sandbox/types.ts';
import type { Availability, Invocation, RunResult, Runtime } from './types.ts';
import { DEFAULT_IMAGE } from '../store/config/types.ts';
import { VgError } from '../cli/errors.ts';
import { containerArgv, containerEnv, innerCommand, readOnlyRoot, type EngineName, type PathKind } from './container-args.ts';
import { createHash } from 'node:crypto';
import { defaultProxySocket, PROXY_SOCKET_NAME, startProxy, type ProxyHandle } from './proxy.ts';
import { dirname } from 'node:path';

export interface EngineRuntimeOptions {
  /** CLI to run; default the engine name, found on PATH. */
  binary?: string;
  /** Image `available()` checks (the plan's image is used by run/invocation). Default vg-sandbox:bookworm. */
  image?: string;
  /** docker only: the engine socket. Default: DOCKER_HOST (unix://…) or /var/run/docker.sock. */
  socketPath?: string;
  /** Run as this uid/gid inside instead of the invoking user's (tests). */
  user?: { uid: number; gid: number };
  /** Directory of the long-running proxy socket for invocation(); default dirname(defaultProxySocket()). */
  proxyDir?: string;
  /** Where run() writes its messages (engine down, blocked hosts). Default process.stderr. */
  messages?: (line: string) => void;
  /**
   * Opt-in warm containers (docs/containers.md, "Warm containers"): run() execs into a long-lived
   * container per workspace + plan shape, which exits by itself after `idleMinutes` without use.
   * Default: off, or VG_CONTAINER_WARM=<idle minutes> in the environment.
   */
  warm?: { idleMinutes: number } | false;
}

export interface RunOptions {
  /** Default 'inherit' (the terminal). Tests pass pipes or files. */
  stdio?: StdioOptions;
  /** Called with the container name once the CLI is spawned. */
  onStart?: (name: string) => void;
}

export interface EngineRuntime extends Runtime {
  name: EngineName;
  run(plan: SandboxPlan, opts?: RunOptions): Promise<RunResult>;
  /** Does the engine have this image? (doctor, selection with a configured sandbox.image) */
  hasImage(image: string): Promise<boolean>;
}

const FIX_IMAGE = (image: string): string =>
  `image ${image} not found — build it with \`scripts/build-image.sh\` or set sandbox.image`;

export function engineDownReason(engine: EngineName): string {
  return engine === 'docker'
    ? 'docker engine not running — start it with `sudo systemctl start docker` (or `dockerd &`)'
    : 'podman cannot reach its storage/runtime — run `podman info` to see why';
}

// ───────────────────────────── small host probes ─────────────────────────────

export function findOnPath(bin: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (bin.includes('/')) {
    try {
      accessSync(bin, constants.X_OK);
      return bin;
    } catch {
      return null;
    }
  }
  for (const d of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    if (!d) continue;
    const p = join(d, bin);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export function pathKind(p: string): PathKind {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

function dockerSocket(opts: EngineRuntimeOptions): string {
  if (opts.socketPath) return opts.socketPath;
  const h = process.env.DOCKER_HOST;
  if (h && h.startsWith('unix://')) return h.slice('unix://'.length);
  return '/var/run/docker.sock';
}

/** DOCKER_HOST=tcp://… or ssh://…: no unix socket to talk to; use the CLI like for podman. */
function dockerRemote(opts: EngineRuntimeOptions): boolean {
  const h = process.env.DOCKER_HOST;
  return !opts.socketPath && !!h && !h.startsWith('unix://');
}

/** Image names in an Engine API path: keep `/` (registry paths), escape the rest. */
const imagePath = (image: string): string => image.split('/').map(encodeURIComponent).join('/');

interface ApiAnswer {
  status: number;
  body: string;
}

/** One Engine API call over the unix socket. Rejects with the socket error (ENOENT, ECONNREFUSED…). */
export function engineApi(socketPath: string, method: string, path: string, timeoutMs = 2000): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout: timeoutMs, headers: { host: 'docker' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('engine did not answer'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Podman on this kind of host needs two workarounds (docs/containers.md):
 * - as root without CAP_SYS_RESOURCE, the runtime cannot raise RLIMIT_NOFILE/NPROC to podman's
 *   defaults → pass ulimits no higher than our own (and ≤ 20000 / 32768, which is what works here);
 * - cgroup v1 with controllers also on the v2 "unified" mount (hybrid) → crun refuses; use runc.
 */
export function podmanHostFlags(): string[] {
  const flags: string[] = [];
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const capEff = BigInt('0x' + (/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'));
    const CAP_SYS_RESOURCE = 24n;
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (isRoot && (capEff & (1n << CAP_SYS_RESOURCE)) === 0n) {
      const limits = readFileSync('/proc/self/limits', 'utf8');
      const hard = (label: string, cap: number): number => {
        const m = new RegExp(`^${label}\\s+\\S+\\s+(\\S+)`, 'm').exec(limits);
        const n = m && m[1] !== 'unlimited' ? Number(m[1]) : cap;
        return Math.min(Number.isFinite(n) ? n : cap, cap);
      };
      const nofile = hard('Max open files', 20000);
      const nproc = hard('Max processes', 32768);
      flags.push('--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`);
    }
  } catch {
    /* not Linux, or /proc unreadable: no workaround */
  }
  try {
    const unified = readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim();
    if (unified && findOnPath('runc')) flags.push('--runtime', 'runc');
  } catch {
    /* pure v1 or pure v2: crun is fine */
  }
  // Rootless podman: without keep-id, `--user UID` inside maps to one of the user's sub-uids, and
  // files created in the workspace would not belong to the user.
  if (typeof process.getuid === 'function' && process.getuid() !== 0) flags.push('--userns', 'keep-id');
  return flags;
}

/**
 * Rootless docker (dockerd-rootless, socket under /run/user/UID or $XDG_RUNTIME_DIR): container root
 * *is* the invoking user on the host, and any other uid inside maps to a sub-uid. So there vg runs
 * the command as 0:0 inside, which owns files as the user outside.
 */
export function isRootlessDockerSocket(socketPath: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (/^\/run\/user\/\d+\//.test(socketPath)) return true;
  return !!env.XDG_RUNTIME_DIR && socketPath.startsWith(env.XDG_RUNTIME_DIR.replace(/\/$/, '') + '/');
}

let podmanFlagsCache: string[] | undefined;
function cachedPodmanFlags(): string[] {
  return (podmanFlagsCache ??= podmanHostFlags());
}

const SIGNUMS = osConstants.signals as Record<string, number>;

export function newContainerName(): string {
  return `vg-${randomBytes(6).toString('hex')}`;
}

// ───────────────────────────── warm containers ─────────────────────────────

/** What a warm container is keyed on: everything about the sandbox except the command, cwd and env. */
export function warmKey(engine: EngineName, plan: SandboxPlan, uid: number, gid: number, flags: readonly string[]): string {
  const shape = {
    engine,
    image: plan.image,
    uid,
    gid,
    ro: readOnlyRoot(plan),
    network: plan.network,
    mounts: [...plan.mounts].map((m) => [m.source, m.target, m.mode, m.kind]).sort(),
    hidden: [...plan.hidden].sort(),
    limits: plan.limits,
    flags,
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

/** PID 1's child in a warm container: exits (→ --rm removes it) after `idle` minutes without an exec. */
export function idleLoop(idleMinutes: number): string {
  const m = Math.max(1, Math.floor(idleMinutes));
  return `touch /tmp/.vg-last; while sleep 15; do [ -e /tmp/.vg-last ] && [ -z "$(find /tmp/.vg-last -mmin +${m} 2>/dev/null)" ] || exit 0; done`;
}

function warmFromEnv(): { idleMinutes: number } | false {
  const v = Number(process.env.VG_CONTAINER_WARM);
  return Number.isFinite(v) && v > 0 ? { idleMinutes: v } : false;
}

// ───────────────────────────── the runtime ─────────────────────────────

export function createEngineRuntime(engine: EngineName, opts: EngineRuntimeOptions = {}): EngineRuntime {
  const binary = opts.binary ?? engine;
  const say = opts.messages ?? ((l: string) => void process.stderr.write(l + '\n'));
  const user = (): { uid: number; gid: number } => {
    if (opts.user) return opts.user;
    if (engine === 'docker' && !dockerRemote(opts) && isRootlessDockerSocket(dockerSocket(opts))) return { uid: 0, gid: 0 };
    return {
      uid: typeof process.getuid === 'function' ? process.getuid() : 0,
      gid: typeof process.getgid === 'function' ? process.getgid() : 0,
    };
  };
  const extraFlags = (): string[] => (engine === 'podman' ? cachedPodmanFlags() : []);
  /** docker with a local socket: Engine API calls (a few ms). Otherwise (podman, remote docker): the CLI. */
  const viaApi = engine === 'docker' && !dockerRemote(opts);

  const cli = (args: string[], timeoutMs = 15000): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(binary, args, { encoding: 'utf8', timeout: timeoutMs });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error.message) : '') };
  };

  /** docker: API ping → null when fine, else the one-line reason. */
  const dockerProblem = async (): Promise<string | null> => {
    const sock = dockerSocket(opts);
    try {
      const r = await engineApi(sock, 'GET', '/_ping', 1500);
      if (r.status !== 200) return `docker engine at ${sock} answered ${r.status} — check \`docker info\``;
      return null;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES') return `cannot reach the docker engine at ${sock} (permission denied) — add yourself to the docker group, or use runtime: podman`;
      return engineDownReason('docker');
    }
  };

  const hasImage = async (image: string): Promise<boolean> => {
    if (viaApi) {
      const r = await engineApi(dockerSocket(opts), 'GET', `/images/${imagePath(image)}/json`);
      return r.status === 200;
    }
    const r = cli(['image', 'inspect', '--format', '{{.Id}}', image]);
    return r.status === 0;
  };

  const available = async (): Promise<Availability> => {
    const image = opts.image ?? DEFAULT_IMAGE;
    if (!findOnPath(binary)) {
      return { ok: false, reason: engine === 'docker' ? 'docker CLI not found — install docker.io (apt) or Docker Engine' : 'podman not installed — install it with `apt-get install podman`' };
    }
    if (viaApi) {
      const problem = await dockerProblem();
      if (problem) return { ok: false, reason: problem };
      const [img, ver] = await Promise.all([
        engineApi(dockerSocket(opts), 'GET', `/images/${imagePath(image)}/json`),
        engineApi(dockerSocket(opts), 'GET', '/version').catch(() => ({ status: 0, body: '' })),
      ]);
      let version: string | undefined;
      try {
        version = (JSON.parse(ver.body) as { Version?: string }).Version;
      } catch {
        /* none */
      }
      if (img.status === 404) return { ok: false, reason: FIX_IMAGE(image), version };
      if (img.status !== 200) return { ok: false, reason: `docker engine answered ${img.status} for image ${image} — check \`docker info\``, version };
      return { ok: true, version };
    }
    // podman (and remote docker): one CLI call answers "does the engine work" and "is the image there".
    const [r, v] = await Promise.all([
      new Promise<ReturnType<typeof cli>>((res) => res(cli(['image', 'inspect', '--format', '{{.Id}}', image]))),
      new Promise<ReturnType<typeof cli>>((res) => res(cli(['--version'], 5000))),
    ]);
    const version = /(\d+\.\d+\.\d+)/.exec(v.stdout)?.[1];
    if (r.status === 0) return { ok: true, version };
    if (/image not known|no such image|unable to find/i.test(r.stderr)) return { ok: false, reason: FIX_IMAGE(image), version };
    if (engine === 'docker' && /cannot connect to the docker daemon/i.test(r.stderr)) return { ok: false, reason: engineDownReason('docker'), version };
    const first = r.stderr.trim().split('\n')[0] || `exit ${r.status}`;
    return { ok: false, reason: `${engine} cannot start: ${first.replace(/^Error:\s*/, '')} — run \`${engine} info\` to see why`, version };
  };

  const argvFor = (plan: SandboxPlan, name: string, proxyDir: string | undefined): string[] => {
    const u = user();
    return containerArgv(engine, plan, {
      name,
      uid: u.uid,
      gid: u.gid,
      binary,
      proxyDir,
      extraFlags: extraFlags(),
      pathKind,
    });
  };

  const invocation = (plan: SandboxPlan): Invocation => {
    const proxyDir = plan.network === 'restricted' ? (opts.proxyDir ?? dirname(defaultProxySocket())) : undefined;
    const inv: Invocation = { argv: argvFor(plan, newContainerName(), proxyDir), env: {} };
    if (proxyDir) inv.needsProxy = { socketPath: join(proxyDir, PROXY_SOCKET_NAME), allowedDomains: [...plan.allowedDomains] };
    return inv;
  };

  /** Make sure the container is gone (after a timeout, a signal, or a CLI that died). */
  const removeContainer = async (name: string): Promise<void> => {
    if (viaApi) {
      try {
        await engineApi(dockerSocket(opts), 'DELETE', `/containers/${name}?force=1&v=1`, 10000);
      } catch {
        /* engine gone: nothing we can do */
      }
      return;
    }
    await new Promise<void>((res) => {
      const p = spawn(binary, engine === 'podman' ? ['rm', '-f', '-t', '0', name] : ['rm', '-f', name], { stdio: 'ignore' });
      p.on('close', () => res());
      p.on('error', () => res());
    });
  };


  const warmOpt = opts.warm === undefined ? warmFromEnv() : opts.warm;

  const isRunning = async (name: string): Promise<boolean> => {
    if (viaApi) {
      try {
        const r = await engineApi(dockerSocket(opts), 'GET', `/containers/${name}/json`);
        return r.status === 200 && (JSON.parse(r.body) as { State?: { Running?: boolean } }).State?.Running === true;
      } catch {
        return false;
      }
    }
    const r = cli(['container', 'inspect', '--format', '{{.State.Running}}', name]);
    return r.status === 0 && r.stdout.trim() === 'true';
  };

  const waitExit = (argv: string[], stdio: StdioOptions): Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error; child?: ReturnType<typeof spawn> }> =>
    new Promise((res) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio });
      child.on('error', (error) => res({ code: null, signal: null, error }));
      child.on('close', (code, signal) => res({ code, signal }));
    });

  /** Start (or find) the warm container for this plan shape. Returns its name. */
  const ensureWarm = async (plan: SandboxPlan, idleMinutes: number): Promise<string> => {
    const u = user();
    const key = warmKey(engine, plan, u.uid, u.gid, extraFlags());
    const name = `vg-warm-${key}`;
    if (await isRunning(name)) return name;
    await removeContainer(name); // a stopped leftover with the name
    const argv = containerArgv(
      engine,
      { ...plan, interactive: false, env: {}, network: plan.network, command: { argv: ['/bin/sh', '-c', idleLoop(idleMinutes)] } },
      { name, uid: u.uid, gid: u.gid, binary, extraFlags: extraFlags(), pathKind, labels: { 'vg.warm': key } },
    );
    argv[argv.indexOf('-i')] = '-d';
    const r = await waitExit(argv, ['ignore', 'ignore', 'pipe']);
    if (r.code !== 0 && !(await isRunning(name))) {
      throw new VgError(`cannot start a warm ${engine} container (exit ${r.code ?? r.signal}) — unset VG_CONTAINER_WARM to run cold`, 125);
    }
    return name;
  };

  const runWarm = async (plan: SandboxPlan, idleMinutes: number, ro: RunOptions, t0: number): Promise<RunResult> => {
    const name = await ensureWarm(plan, idleMinutes);
    const u = user();
    const a: string[] = [binary, 'exec', '-i'];
    if (plan.interactive) a.push('-t');
    a.push('--user', `${u.uid}:${u.gid}`, '--workdir', plan.cwd);
    for (const [k, v] of Object.entries(containerEnv(plan))) a.push('-e', `${k}=${v}`);
    a.push(name, '/bin/sh', '-c', 'touch /tmp/.vg-last 2>/dev/null; exec "$@"', 'vg');
    // The timeout is enforced inside (coreutils timeout → 124): killing an exec's CLI does not stop
    // the process it started. Node keeps a backstop that discards the whole container.
    if (plan.timeout > 0) a.push('timeout', ...(plan.interactive ? ['--foreground'] : []), '-k', '2', String(plan.timeout));
    a.push(...innerCommand(plan));

    let discarded = false;
    const discard = (): void => {
      if (discarded) return;
      discarded = true;
      void removeContainer(name);
    };
    // `docker exec` forwards no signals: an interrupted batch command takes its container with it.
    const onInt = (): void => {
      if (!plan.interactive) discard();
    };
    process.on('SIGINT', onInt);
    process.on('SIGTERM', discard);
    process.on('SIGHUP', discard);
    let backstop: NodeJS.Timeout | undefined;
    if (plan.timeout > 0) backstop = setTimeout(discard, (plan.timeout + 10) * 1000);
    ro.onStart?.(name);
    const exit = await waitExit(a, ro.stdio ?? 'inherit');
    if (backstop) clearTimeout(backstop);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', discard);
    process.off('SIGHUP', discard);
    if (exit.error) throw new VgError(`cannot start ${binary}: ${exit.error.message} — check your ${engine} install`, 125);
    if (exit.signal) discard();
    let status = exit.signal ? 128 + (SIGNUMS[exit.signal] ?? 0) : (exit.code ?? 125);
    const timedOut = plan.timeout > 0 && (status === 124 || (discarded && !exit.signal));
    if (timedOut) status = 124;
    let signal: string | undefined = exit.signal ?? undefined;
    if (!signal && status > 128 && status < 128 + 65) signal = Object.keys(SIGNUMS).find((k) => SIGNUMS[k] === status - 128);
    return { status, signal, timedOut: timedOut || undefined, durationMs: Math.round(performance.now() - t0) };
  };

  /**
   * After the CLI died abnormally (signal, timeout) the engine may still be creating the container —
   * a create request outlives the client that sent it. Remove it, and keep looking for ~3 s until it
   * has been absent for three checks in a row.
   */
  const reap = async (name: string): Promise<void> => {
    const exists = async (): Promise<boolean> => {
      if (viaApi) {
        try {
          return (await engineApi(dockerSocket(opts), 'GET', `/containers/${name}/json`)).status !== 404;
        } catch {
          return false;
        }
      }
      return cli(['container', 'inspect', '--format', '{{.Id}}', name]).status === 0;
    };
    let absent = 0;
    for (let i = 0; i < 12 && absent < 3; i++) {
      if (await exists()) {
        absent = 0;
        await removeContainer(name);
      } else absent++;
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const run = async (plan: SandboxPlan, ro: RunOptions = {}): Promise<RunResult> => {
    const t0 = performance.now();
    if (!findOnPath(binary)) {
      throw new VgError(engine === 'docker' ? 'docker CLI not found — install docker.io (apt) or Docker Engine' : 'podman not installed — install it with `apt-get install podman`', 125);
    }
    if (viaApi) {
      const problem = await dockerProblem();
      if (problem) throw new VgError(problem, 125);
      if (!(await hasImage(plan.image))) throw new VgError(FIX_IMAGE(plan.image), 125);
    }

    // Warm containers: opt-in, and not for restricted plans (their proxy lives only as long as a run).
    if (warmOpt && plan.network !== 'restricted') return runWarm(plan, warmOpt.idleMinutes, ro, t0);

    let proxy: ProxyHandle | undefined;
    let proxyDir: string | undefined;
    if (plan.network === 'restricted') {
      proxyDir = mkdtempSync(join(tmpdir(), 'vg-net-'));
      proxy = await startProxy({
        socketPath: join(proxyDir, PROXY_SOCKET_NAME),
        allowedDomains: plan.allowedDomains,
        onDeny: (_host, message) => say(message),
        bridgeHelper: false, // containers reach the proxy socket directly
      });
    }

    const name = newContainerName();
    const argv = argvFor(plan, name, proxyDir);
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ro.stdio ?? 'inherit' });
    ro.onStart?.(name);

    // The terminal sends SIGINT to the whole foreground group: the CLI gets it and proxies it into the
    // container. We must survive it to report the status. TERM/HUP are forwarded.
    const ignoreInt = (): void => {};
    const forward = (sig: NodeJS.Signals) => (): void => {
      child.kill(sig);
    };
    const onTerm = forward('SIGTERM');
    const onHup = forward('SIGHUP');
    process.on('SIGINT', ignoreInt);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);

    if (plan.timeout > 0) {
      killTimer = setTimeout(() => {
        timedOut = true;
        void removeContainer(name).then(() => {
          // The CLI normally exits as soon as the container is gone; make sure it does.
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        });
      }, plan.timeout * 1000);
    }

    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((res) => {
      child.on('error', (error) => res({ code: null, signal: null, error }));
      child.on('close', (code, signal) => res({ code, signal }));
    });
    if (killTimer) clearTimeout(killTimer);
    process.off('SIGINT', ignoreInt);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);

    if (timedOut || exit.signal || exit.error) await reap(name);
    if (proxy) await proxy.close();
    if (proxyDir) rmSync(proxyDir, { recursive: true, force: true });
    if (exit.error) throw new VgError(`cannot start ${binary}: ${exit.error.message} — check your ${engine} install`, 125);

    let status: number;
    let signal: string | undefined;
    if (timedOut) status = 124;
    else if (exit.signal) {
      signal = exit.signal;
      status = 128 + (SIGNUMS[exit.signal] ?? 0);
    } else status = exit.code ?? 125;
    // The engine's own "cannot create the container" exit: say why in one line when we can tell.
    if (status === 125 && !timedOut && !viaApi && !(await hasImage(plan.image))) {
      throw new VgError(FIX_IMAGE(plan.image), 125);
    }
    if (!signal && status > 128 && status < 128 + 65) {
      const n = status - 128;
      signal = Object.keys(SIGNUMS).find((k) => SIGNUMS[k] === n);
    }
    return { status, signal, timedOut: timedOut || undefined, durationMs: Math.round(performance.now() - t0) };
  };

  return { name: engine, available, invocation, run, hasImage };
}
