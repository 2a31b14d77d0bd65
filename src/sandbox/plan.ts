// decision + config + cwd → SandboxPlan. Pure: the only filesystem questions (is there a `.git`
// here, does this path exist) go through an injectable probe so tests can describe a fake machine.
import { accessSync, closeSync, constants, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Config, SecurityLevel } from '../store/config/types.ts';
import { effectiveNetwork } from '../store/config/types.ts';
import type { ConcreteRuntime } from '../runtimes/types.ts';
import type { Limits, Mount, SandboxPlan } from './types.ts';
import { detectCaches, expandHome } from './caches.ts';
import { directArgv } from './direct.ts';

type Env = Record<string, string | undefined>;

export interface FsProbe {
  /** 'dir' | 'file' for something that exists (symlinks followed), null otherwise. */
  kind(path: string): 'dir' | 'file' | null;
  /** Canonical path (symlinks resolved); the path itself when it cannot be resolved. */
  real?(path: string): string;
  /** An executable regular file the kernel runs itself (ELF or #!). Without it, lines keep their shell. */
  program?(path: string): boolean;
}

export const realFs: FsProbe = {
  kind(p) {
    try {
      // No exception for the common "absent" answer: planning asks about ~50 paths, most absent
      // (secrets, caches), and a thrown ENOENT costs Node ~20 µs each.
      const s = statSync(p, { throwIfNoEntry: false });
      if (!s) return null;
      return s.isDirectory() ? 'dir' : 'file';
    } catch {
      return existsSync(p) ? 'file' : null;
    }
  },
  real(p) {
    try {
      // realpath(3) in one call; Node's JS version lstats each component (~22 against ~9 µs here).
      return realpathSync.native(p);
    } catch {
      return p;
    }
  },
  program(p) {
    // Most PATH entries do not have the name: ask without an exception first (a thrown ENOENT costs
    // Node ~20 µs, and a PATH is searched entry by entry).
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st?.isFile()) return false;
    let fd: number | undefined;
    try {
      accessSync(p, constants.X_OK);
      fd = openSync(p, 'r');
      const b = Buffer.alloc(4);
      const n = readSync(fd, b, 0, 4, 0);
      return (n >= 2 && b[0] === 0x23 && b[1] === 0x21) || (n === 4 && b.readUInt32BE(0) === 0x7f454c46);
    } catch {
      return false;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  },
};

export interface PlanInput {
  config: Config;
  cwd: string;
  command: { line: string } | { argv: string[] };
  interactive: boolean;
  env: Env;
  home: string;
  runtime: ConcreteRuntime;
  fs?: FsProbe;
  /**
   * The caller checked that the line's first word is none of the shell's functions. Needed for a
   * plain line to skip fish inside (fish -c loads the user's functions: `ls`, an alias); bash -c
   * and zsh -c load none, and their hooks send aliases and functions spelled out.
   */
  noShellFunction?: boolean;
}

const MB = 1024 * 1024;
export const LEVEL_LIMITS: Record<SecurityLevel, Limits> = {
  permissive: { memoryBytes: 2048 * MB, cpus: 2, pids: 512 },
  balanced: { memoryBytes: 1024 * MB, cpus: 1, pids: 512 },
  strict: { memoryBytes: 512 * MB, cpus: 0.5, pids: 256 },
  paranoid: { memoryBytes: 256 * MB, cpus: 0.25, pids: 128 },
};

/**
 * Secrets in the home directory, hidden from balanced up. `~/.npmrc` and `~/.yarnrc.yml` are here
 * although they also carry registry settings: they are where npm/yarn keep auth tokens. A project's
 * own `.npmrc` (in the workspace) stays visible; registry settings that matter belong there or in
 * `npm_config_registry`.
 */
export const SECRET_HOME_PATHS: readonly string[] = [
  '.ssh',
  '.aws',
  '.gnupg',
  '.config/gh',
  '.config/hub',
  '.netrc',
  '.docker/config.json',
  '.kube',
  '.config/gcloud',
  '.azure',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.git-credentials',
  '.config/git/credentials',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.gem/credentials',
  '.m2/settings.xml',
  '.gradle/gradle.properties',
  '.password-store',
  '.local/share/keyrings',
  '.vault-token',
  '.terraform.d/credentials.tfrc.json',
  '.bash_history',
  '.zsh_history',
  '.local/share/fish/fish_history',
  '.python_history',
  '.node_repl_history',
];

/**
 * Sockets that hand out host control (a root shell via the Docker API, the user's session bus, the
 * agent sockets) and vg's own state (the trust store must not be editable from inside). A read-only
 * mount does not stop connect() on a socket, so these are covered at every level.
 */
export const ESCAPE_PATHS: readonly string[] = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/run/containerd',
  '/run/podman',
  '/var/run/podman',
  '/run/dbus',
  '/var/run/dbus',
  '/run/user',
  '/run/snapd.socket',
  '/run/libvirt',
  '/var/run/libvirt',
];

/** Files that run later on the host; kept read-only even inside the writable workspace. */
export const PROTECT_WORKSPACE_PATHS: readonly string[] = [
  '.git/hooks',
  '.git/config',
  '.envrc',
  '.vg.yaml',
  '.vscode/tasks.json',
  '.vscode/settings.json',
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.bash_logout',
  '.profile',
  '.zshrc',
  '.zshenv',
  '.zprofile',
  '.zlogin',
  '.config/fish',
];

const SECRET_ENV: readonly RegExp[] = [
  /TOKEN/i,
  /SECRET/i,
  /PASSWORD/i,
  /PASSWD/i,
  /_KEY$/i,
  /_KEY_ID$/i,
  /API_?KEY/i,
  /ACCESS_KEY/i,
  /PRIVATE_KEY/i,
  /CREDENTIAL/i,
  /_AUTH$/i,
  /_AUTH_/i,
  /^AWS_/i,
  /^AZURE_/i,
  /^VAULT_/,
  /^DOCKER_/,
  /^CI_JOB_JWT/,
  /^SSH_AUTH_SOCK$/,
  /^SSH_AGENT_PID$/,
  /^GPG_AGENT_INFO$/,
  /^KUBECONFIG$/,
  /^DATABASE_URL$/,
  /^DBUS_SESSION_BUS_ADDRESS$/,
];

/** vg's own variables that only make sense on the host side. */
const HOST_ONLY_ENV = /^VG_(SESSION|SOCKET|SERVER)/;

export function isSecretEnv(name: string): boolean {
  return SECRET_ENV.some((r) => r.test(name));
}

/** Walk up from cwd to the directory containing `.git`; null when there is none. */
export function findGitRoot(cwd: string, fs: FsProbe = realFs): string | null {
  let dir = resolve(cwd);
  for (;;) {
    if (fs.kind(join(dir, '.git')) !== null) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** Directories that must never become the writable workspace: they hold the system or the user's home. */
const SYSTEM_DIRS = new Set(['/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/usr', '/var', '/home', '/mnt', '/media']);

export function chooseWorkspace(cwd: string, home: string, fs: FsProbe = realFs): { workspace: string | null; note?: string } {
  const root = findGitRoot(cwd, fs) ?? resolve(cwd);
  const h = resolve(home);
  if (root === h) return { workspace: null, note: `workspace would be your home (${h}): nothing is writable — cd into a project` };
  if (root === '/') return { workspace: null, note: 'workspace would be / : nothing is writable — cd into a project' };
  if (h.startsWith(root + '/')) return { workspace: null, note: `workspace ${root} contains your home: nothing is writable — cd into a project` };
  if (SYSTEM_DIRS.has(root) || root.startsWith('/usr/') || root.startsWith('/etc/') || root.startsWith('/proc/') || root.startsWith('/sys/') || root.startsWith('/dev/'))
    return { workspace: null, note: `workspace ${root} is a system directory: nothing is writable — cd into a project` };
  return { workspace: root };
}

function pickShell(env: Env, fs: FsProbe): string {
  const sh = env.SHELL;
  if (sh && sh.startsWith('/') && /^(bash|zsh|dash|ksh|mksh|sh|fish)$/.test(basename(sh)) && fs.kind(sh) === 'file') return sh;
  return '/bin/sh';
}

const within = (p: string, dir: string) => p === dir || p.startsWith(dir + '/');

export function planSandbox(input: PlanInput): SandboxPlan {
  const fs = input.fs ?? realFs;
  const s = input.config.sandbox;
  const level = s.security_level;
  const guarded = level !== 'permissive';
  const home = resolve(input.home);
  const cwd = resolve(input.cwd);
  const { workspace, note } = chooseWorkspace(cwd, home, fs);

  const mounts: Mount[] = [];
  if (workspace) mounts.push({ source: workspace, target: workspace, mode: 'rw', kind: 'workspace', label: 'workspace' });

  const caches: string[] = [];
  if (s.enable_cache && level !== 'paranoid') {
    const found = detectCaches({ home, env: input.env, extra: s.cache_dirs, isDir: (p) => fs.kind(p) === 'dir' });
    for (const c of found) {
      // A cache inside the workspace is already writable; mounting it again would only shadow it.
      if (workspace && within(c.path, workspace)) continue;
      mounts.push({ source: c.path, target: c.path, mode: 'rw', kind: 'cache', label: `cache:${c.label}`, ...(c.create ? { create: true } : {}) });
      if (!caches.includes(c.label)) caches.push(c.label);
    }
  }

  for (const b of s.bind_mounts) {
    const source = resolve(expandHome(b.host_path, home));
    const target = resolve(expandHome(b.container_path || b.host_path, home));
    mounts.push({ source, target, mode: b.read_only ? 'ro' : 'rw', kind: 'bind', label: 'bind' });
  }

  // Protect mounts go last so they land on top of the writable workspace.
  if (workspace) {
    for (const rel of PROTECT_WORKSPACE_PATHS) {
      const p = join(workspace, rel);
      if (fs.kind(p) !== null) mounts.push({ source: p, target: p, mode: 'ro', kind: 'protect', label: rel });
    }
  }

  const hidden: string[] = [...ESCAPE_PATHS];
  const xdgRuntime = input.env.XDG_RUNTIME_DIR;
  if (xdgRuntime && xdgRuntime.startsWith('/') && !hidden.some((h) => within(xdgRuntime, h))) hidden.push(xdgRuntime);
  const vgState = input.env.VG_STATE_DIR || join(input.env.XDG_STATE_HOME || join(home, '.local', 'state'), 'vg');
  hidden.push(vgState);
  if (guarded) for (const rel of SECRET_HOME_PATHS) hidden.push(join(home, rel));
  // Runtimes apply hides before mounts, so a mount inside a hidden directory (a bind of
  // ~/.ssh/known_hosts) still shows through; a hide inside a mount would be re-exposed by it, so drop it.
  const visible = mounts.filter((m) => m.kind !== 'protect').map((m) => m.target);
  const hiddenFinal = [...new Set(hidden)].filter((h) => !visible.some((v) => within(h, v)));

  const env: Record<string, string> = {};
  const droppedEnv: string[] = [];
  for (const [k, v] of Object.entries(input.env)) {
    if (v === undefined) continue;
    if (HOST_ONLY_ENV.test(k) || (guarded && isSecretEnv(k))) {
      droppedEnv.push(k);
      continue;
    }
    env[k] = v;
  }
  droppedEnv.sort();
  if (!env.PATH) env.PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  env.HOME = home;
  env.VG_SANDBOX = '1';

  const network = effectiveNetwork(s);
  const shell = pickShell(input.env, fs);
  // Only the host runtimes: a container image has its own PATH and programs.
  const direct =
    'line' in input.command && fs.program && (input.runtime === 'bubblewrap' || input.runtime === 'namespace')
      ? directArgv(input.command.line, { shell, path: env.PATH, cwd, hidden: hiddenFinal, probe: { program: fs.program }, functionsChecked: input.noShellFunction === true, bashEnv: env.BASH_ENV })
      : null;
  return {
    command: input.command,
    cwd,
    workspace,
    ...(note ? { workspaceNote: note } : {}),
    level,
    rootfs: level === 'permissive' || level === 'balanced' ? 'overlay' : 'ro',
    mounts,
    hidden: hiddenFinal,
    env,
    droppedEnv,
    network,
    allowedDomains: network === 'restricted' ? [...s.allowed_domains] : [],
    limits: { ...LEVEL_LIMITS[level] },
    timeout: s.timeout,
    interactive: input.interactive,
    caches,
    image: s.image,
    runtime: input.runtime,
    shell,
    ...(direct ? { direct } : {}),
  };
}
