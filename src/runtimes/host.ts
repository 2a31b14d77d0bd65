// The host-facing half of the CLI runtimes: everything bwrapArgv/namespaceArgv need to know about
// this machine, and what must exist before a run (cache dirs, the compiled seccomp filter).
// Probes are cached per process, so the resident analyzer pays for them once.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { SandboxPlan } from '../sandbox/types.ts';
import { stateDir } from '../store/paths.ts';
import { precreateCgroups, probeCgroups, readyLimits, sweepCgroups } from './limits.ts';
import { ensureTtyFilterFile } from './seccomp.ts';
import { defaultProxySocket } from './proxy.ts';
import type { BwrapOptions } from './bwrap.ts';
import { findOnPath } from './which.ts';
import { singleQuote } from '../analyze/words.ts';

export function hostOptions(plan: SandboxPlan, overrides: Partial<BwrapOptions> = {}, env: NodeJS.ProcessEnv = process.env): BwrapOptions {
  const state = stateDir(env);
  const root = process.getuid?.() === 0;
  const ovlDir = join(state, 'overlay');
  const perl = root ? findPerl(env) : null;
  const envBin = cachedBin('env', env);
  const ready = 'limits' in overrides ? null : readyLimits(plan.limits, probeCgroups());
  const bwrap = cachedBin('bwrap', env);
  const o: BwrapOptions = {
    ...(envBin ? { envBin } : {}),
    ...(bwrap ? { bwrap } : {}),
    overlay: plan.rootfs === 'overlay' && overlaySupported(ovlDir) ? { dir: ovlDir, userns: !root } : null,
    ...(perl ? { perl: { bin: perl, arch: process.arch } } : {}),
    ...(ready ? { limits: ready.plan } : {}),
    submounts: plan.rootfs === 'overlay' ? hostSubmounts() : [],
    ...(root ? {} : { ids: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 } }),
    ...(plan.interactive ? { seccompPath: ensureTtyFilterFile(state) } : {}),
    ...(plan.network === 'restricted' ? { proxySocket: defaultProxySocket(env) } : {}),
    ...(plan.hidden.length ? { emptyFile: ensureEmptyFile(state) } : {}),
    ...overrides,
  };
  // The run's cgroups exist, limited, before the argv runs. As root (cgroup v1) bwrap then joins
  // them itself and no wrapper process runs for them; otherwise the wrapper skips its `mkdir` exec.
  const made = ready ? ready.made : !!o.limits && precreateCgroups(o.limits);
  if (made && root && !('cgroupJoinFile' in overrides)) o.cgroupJoinFile = ensureZeroFile(state);
  return o;
}

/** A 0444 file holding "0", written into a cgroup v1 `tasks` file by bwrap (pid 0 = the writer). */
export function ensureZeroFile(dir: string): string {
  const p = join(dir, 'cgroup-self');
  try {
    if (readFileSync(p, 'utf8') === '0') return p;
  } catch {
    /* create it */
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, '0', { mode: 0o444 });
  renameSync(tmp, p);
  return p;
}

const binPaths = new Map<string, string | null>();
/** The absolute path of `name` on PATH (absolute PATH entries only), or null. Cached per process. */
function cachedBin(name: string, env: NodeJS.ProcessEnv): string | null {
  const hit = binPaths.get(name);
  if (hit !== undefined) return hit;
  const found = findOnPath(name, env.PATH);
  binPaths.set(name, found);
  return found;
}

/** perl (perl-base, essential on Debian/Ubuntu) on PATH, for the one-process wrapper. Cached. */
export function findPerl(env: NodeJS.ProcessEnv = process.env): string | null {
  return cachedBin('perl', env);
}

/** A 0444 empty file under the state dir, bound over hidden secret files. */
export function ensureEmptyFile(dir: string): string {
  const p = join(dir, 'empty');
  try {
    if (statSync(p).size === 0) return p;
  } catch {
    /* create it */
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(p, '', { mode: 0o444 });
  return p;
}

/** Before a run: create the caches a tool would otherwise fail to create, sweep stale cgroups. */
export function prepareHost(plan: SandboxPlan): void {
  for (const m of plan.mounts) {
    // Usually there already (the resident analyzer plans every sandboxed line): a stat, not a mkdir.
    if (!m.create || statSync(m.source, { throwIfNoEntry: false })?.isDirectory()) continue;
    try {
      mkdirSync(m.source, { recursive: true, mode: 0o755 });
    } catch {
      /* the runtime reports the missing source */
    }
  }
  // Leftovers are only swept once they are a minute old, so once per half minute is enough; the
  // resident analyzer plans every sandboxed line, and a sweep (a readdir and a stat per leftover
  // group, per controller) cost ~0.5 ms of each plan here.
  const now = Date.now();
  if (now - lastSweep >= 30_000) {
    lastSweep = now;
    sweepCgroups();
  }
}
let lastSweep = 0;

const sq = singleQuote;
const under = (p: string, dir: string) => p === dir || p.startsWith(dir + '/');


/** Host mount points from /proc/self/mountinfo (the overlay covers only the root filesystem). */
export function hostSubmounts(mountinfo?: string): string[] {
  const all = hostMountPoints(mountinfo).filter((m) => m !== '/');
  // Parents before children, and a child under an already-listed parent comes along with it (rbind).
  return all.filter((m, i) => !all.slice(0, i).some((p) => under(m, p)));
}

let overlayProbe: boolean | undefined;
/** Can we mount an overlay of / here? (root, or a kernel allowing overlayfs in a user namespace). */
export function overlaySupported(dir: string): boolean {
  if (overlayProbe !== undefined) return overlayProbe;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const userns = process.getuid?.() !== 0;
  const r = spawnSync(
    'unshare',
    [...(userns ? ['--user', '--map-root-user'] : []), '--mount', '--propagation', 'private', '/bin/sh', '-c', `mount -t tmpfs x ${sq(dir)} && mkdir ${sq(dir)}/u ${sq(dir)}/w ${sq(dir)}/r && mount -t overlay x -o lowerdir=/,upperdir=${sq(dir)}/u,workdir=${sq(dir)}/w ${sq(dir)}/r`],
    { stdio: 'ignore', timeout: 5000 },
  );
  overlayProbe = r.status === 0;
  return overlayProbe;
}


let mounts: { at: number; points: string[] } | undefined;
/**
 * Every mount point, unfolded, parents first. This machine's table is read at most once a second
 * (the resident analyzer plans every sandboxed line; reading and parsing it cost ~0.2 ms of each):
 * a mount made within that second is missing from the sandbox, which then shows the directory under it.
 */
export function hostMountPoints(mountinfo?: string, now = Date.now()): string[] {
  if (mountinfo !== undefined) return parseMountPoints(mountinfo);
  if (mounts && now - mounts.at < 1000) return mounts.points;
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  mounts = { at: now, points: parseMountPoints(text) };
  return mounts.points;
}

function parseMountPoints(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const mp = line.split(' ')[4];
    if (mp) out.add(mp.replace(/\\040/g, ' '));
  }
  return [...out].sort();
}
