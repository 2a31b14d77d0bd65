// SandboxPlan → the exact `docker run` / `podman run` argv. Pure: everything it would need to look up
// on the machine (uid, which paths are files, the proxy directory, podman's host-specific flags)
// comes in through `ContainerArgOptions`, so `vg exec --dry-run` and the tests see exactly what runs.
import type { SandboxPlan } from '../sandbox/types.ts';
import { VgError } from '../cli/errors.ts';
import { PROXY_ENV, PROXY_SOCKET_DIR_INSIDE, wrapWithBridge } from './proxy.ts';
import { singleQuote } from '../analyze/words.ts';

export type EngineName = 'docker' | 'podman';
export type PathKind = 'dir' | 'file' | 'missing';

export interface ContainerArgOptions {
  /** Container name (`vg-<random>`); the runtime uses it to kill and clean up. */
  name: string;
  /** Who the command runs as inside: the invoking user, so files in the workspace stay theirs. */
  uid: number;
  gid: number;
  /** argv[0]; default the engine name. */
  binary?: string;
  /** Host directory holding the restricted-network proxy socket; bound at /run/vg. */
  proxyDir?: string;
  /** Host-specific flags placed before the image (podman's ulimit/runtime workarounds). */
  extraFlags?: readonly string[];
  /** What a host path is; unknown paths are treated as directories. Used for hidden paths, CA files. */
  pathKind?: (hostPath: string) => PathKind;
  /** Extra labels (e.g. vg.plan hash). */
  labels?: Record<string, string>;
}

/** Environment variables naming a CA bundle file: the file is bound read-only at the same path. */
export const CA_ENV_VARS: readonly string[] = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'PIP_CERT',
  'GIT_SSL_CAINFO',
  'npm_config_cafile',
];

/** Host variables that make no sense inside the image (its own PATH, no host display/session). */
const DROP_ENV = new Set(['PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH']);

/** sh's reserved words and special builtins: never "missing from the image". */
const SHELL_WORDS = new Set(
  ('if then else elif fi case esac for while until do done in function select time ! { } [[ ]] ' +
    'cd export unset set exec eval trap . : true false test [ echo printf read alias unalias return exit shift ' +
    'wait command type hash ulimit umask getopts break continue local readonly kill pwd').split(' '),
);

export function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : singleQuote(s);
}

function notInImage(image: string): string {
  return (
    `{ printf 'vg: \`%s\` is not in the sandbox image %s — use an image that has it (sandbox.image, see docs/containers.md) or runtime: bubblewrap\\n' ` +
    `"$vg_cmd" ${shQuote(image)} >&2; exit 127; }`
  );
}

/** The first command word of a simple line (after `VAR=value` prefixes), when it is a plain name. */
export function firstCommandWord(line: string): string | null {
  const m = /^\s*(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|[^\s'"]*)\s+)*([A-Za-z0-9_][A-Za-z0-9._+-]*)(?=\s|$|;|&|\|)/.exec(line);
  if (!m) return null;
  const w = m[1]!;
  return SHELL_WORDS.has(w) ? null : w;
}

/**
 * The command as run inside: a line goes to `/bin/sh -c`, an argv is exec'd. Either way, when the
 * command is a bare name, a `command -v` guard turns "not found" into vg's one-line explanation
 * (exit 127) — it costs one shell builtin and works when the shell runs the argv without Node.
 */
export function innerCommand(plan: Pick<SandboxPlan, 'command' | 'image'>): string[] {
  if ('line' in plan.command) {
    const line = plan.command.line;
    const w = firstCommandWord(line);
    if (!w) return ['/bin/sh', '-c', line];
    return ['/bin/sh', '-c', `vg_cmd=${w}; command -v "$vg_cmd" >/dev/null 2>&1 || ${notInImage(plan.image)}; unset vg_cmd; ${line}`];
  }
  const argv = plan.command.argv;
  if (argv.length === 0) throw new VgError('nothing to run — give a command', 2);
  if (argv[0]!.includes('/')) return [...argv];
  return ['/bin/sh', '-c', `vg_cmd=$1; command -v "$vg_cmd" >/dev/null 2>&1 || ${notInImage(plan.image)}; unset vg_cmd; exec "$@"`, 'vg', ...argv];
}

function checkPath(p: string, what: string): string {
  if (!p.startsWith('/')) throw new VgError(`${what} ${p} is not an absolute path — fix the sandbox config`, 125);
  if (/[,\n\r\0]/.test(p)) {
    throw new VgError(`${what} ${JSON.stringify(p)} contains a comma or newline, which docker/podman cannot mount — rename it or use runtime: bubblewrap`, 125);
  }
  return p;
}

const depth = (p: string): number => p.split('/').filter(Boolean).length;
const under = (p: string, root: string): boolean => p === root || p.startsWith(root.endsWith('/') ? root : root + '/');

/** Uses a read-only root filesystem (with a tmpfs /tmp): strict and paranoid, or rootfs 'ro'. */
export function readOnlyRoot(plan: Pick<SandboxPlan, 'rootfs' | 'level'>): boolean {
  return plan.rootfs === 'ro' || plan.level === 'strict' || plan.level === 'paranoid';
}

/** The environment inside: the plan's, minus what only makes sense on the host; HOME falls back to /tmp. */
export function containerEnv(plan: Pick<SandboxPlan, 'env' | 'network'>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(plan.env)) {
    if (DROP_ENV.has(k) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || v.includes('\0')) continue;
    env[k] = v;
  }
  if (!env.HOME) env.HOME = '/tmp';
  if (plan.network === 'restricted') Object.assign(env, PROXY_ENV);
  return env;
}

export function containerArgv(engine: EngineName, plan: SandboxPlan, opts: ContainerArgOptions): string[] {
  const kind = opts.pathKind ?? ((): PathKind => 'dir');
  const a: string[] = [opts.binary ?? engine, 'run', '--rm', '--name', opts.name, '-i'];
  if (plan.interactive) a.push('-t');
  // --init: a tiny init as PID 1 forwards signals and reaps, so Ctrl-C and `kill` behave as on the host.
  // --pull never: no registry round trip (and a fast, clear failure when the image is missing).
  // --log-driver none: the output streams through the attach; nothing is kept on the engine's disk.
  a.push('--init', '--pull', 'never', '--log-driver', 'none');
  a.push('--label', 'vg.sandbox=1');
  if (plan.workspace) a.push('--label', `vg.workspace=${plan.workspace}`);
  for (const [k, v] of Object.entries(opts.labels ?? {})) a.push('--label', `${k}=${v}`);
  a.push('--user', `${opts.uid}:${opts.gid}`);
  a.push('--cap-drop', 'ALL', '--security-opt', 'no-new-privileges');

  const restricted = plan.network === 'restricted';
  a.push('--network', plan.network === 'full' ? 'host' : 'none');

  const ro = readOnlyRoot(plan);
  if (ro) a.push('--read-only', '--tmpfs', '/tmp:rw,nosuid,nodev,mode=1777');

  const { memoryBytes, cpus, pids } = plan.limits;
  if (memoryBytes > 0) a.push('--memory', String(Math.floor(memoryBytes)), '--memory-swap', String(Math.floor(memoryBytes)));
  if (cpus > 0) a.push('--cpus', String(cpus));
  if (pids > 0) a.push('--pids-limit', String(Math.floor(pids)));
  if (opts.extraFlags) a.push(...opts.extraFlags);

  // Mounts. The image provides the OS, so 'system' mounts (host /usr etc., for bwrap) are not used.
  // Parents before children so a protect (ro) mount lands on top of the rw tree that contains it.
  const mounts = plan.mounts
    .filter((m) => m.kind !== 'system')
    .filter((m) => kind(m.source) !== 'missing')
    .sort((x, y) => depth(x.target) - depth(y.target));
  const mountArgs = (source: string, target: string, readonly: boolean): string[] => [
    '--mount',
    `type=bind,source=${checkPath(source, 'mount source')},target=${checkPath(target, 'mount target')}${readonly ? ',readonly' : ''}`,
  ];
  const targets: string[] = [];
  for (const m of mounts) {
    a.push(...mountArgs(m.source, m.target, m.mode === 'ro'));
    targets.push(m.target);
  }
  // A CA bundle named by the environment (corporate TLS interception, NODE_EXTRA_CA_CERTS) must exist
  // inside too, or every TLS client in the sandbox fails while the same command works on the host.
  for (const k of CA_ENV_VARS) {
    const v = plan.env[k];
    if (!v || !v.startsWith('/') || kind(v) !== 'file') continue;
    if (mounts.some((m) => under(v, m.target)) || targets.includes(v)) continue;
    a.push(...mountArgs(v, v, true));
    targets.push(v);
  }

  // Hidden paths: only reachable through a mount; covered with an empty read-only tmpfs (directories)
  // or /dev/null (files). Deeper than the mount, so they land on top of it.
  for (const h of plan.hidden) {
    // The deepest mount that contains it is the one that decides where it appears inside.
    const m = [...mounts].reverse().find((x) => under(h, x.source));
    if (!m) continue;
    const k = kind(h);
    if (k === 'missing') continue;
    const inside = m.target + h.slice(m.source.length);
    if (k === 'file') a.push(...mountArgs('/dev/null', inside, true));
    else if (inside.includes(':')) {
      // `--tmpfs PATH:OPTS` cannot carry a colon in PATH; fail closed rather than leave a secret visible.
      throw new VgError(`hidden path ${inside} contains a colon, which docker/podman cannot cover — rename it or use runtime: bubblewrap`, 125);
    } else {
      // podman copies what lies underneath into a new tmpfs unless told not to ("tmpcopyup").
      a.push('--tmpfs', `${checkPath(inside, 'hidden path')}:ro,nosuid,nodev,noexec,size=4k,mode=0500${engine === 'podman' ? ',notmpcopyup' : ''}`);
    }
  }

  if (restricted) {
    if (!opts.proxyDir) throw new VgError('restricted network needs the proxy directory — internal error', 125);
    a.push(...mountArgs(opts.proxyDir, PROXY_SOCKET_DIR_INSIDE, false));
  }

  for (const [k, v] of Object.entries(containerEnv(plan))) a.push('-e', `${k}=${v}`);

  a.push('--workdir', checkPath(plan.cwd, 'working directory'));
  a.push(plan.image);
  const inner = innerCommand(plan);
  a.push(...(restricted ? wrapWithBridge(inner) : inner));
  return a;
}
