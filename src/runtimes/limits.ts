// Resource limits for the CLI runtimes (bubblewrap, namespace). Neither enforces limits itself, so
// the argv starts with a tiny /bin/sh step that moves itself into a per-run cgroup and then execs
// the sandbox: that way the limits hold whether Node or the user's shell runs the argv.
// cgroup v1 (what this machine kind has) and v2 are both handled; without a writable cgroup tree
// we fall back to rlimits via `prlimit`, and say exactly what that does and does not cover.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Limits } from '../sandbox/types.ts';
import { singleQuote } from '../analyze/words.ts';

export interface CgroupProbe {
  version: 1 | 2 | 0;
  /** v1: mount point per controller; v2: the unified mount for all three. */
  memory?: string;
  cpu?: string;
  pids?: string;
  /** Controllers where vg can create its own group (mkdir under `<mount>/vg` works). */
  writable: { memory: boolean; cpu: boolean; pids: boolean };
}

export type LimitPlan =
  | { kind: 'cgroup'; version: 1 | 2; id: string; dirs: { memory?: string; cpu?: string; pids?: string }; limits: Limits }
  | { kind: 'rlimit'; limits: Limits }
  | { kind: 'none' };

const CG_PARENT = 'vg';

/** Parse /proc/self/mountinfo text for the cgroup controllers vg uses. Pure. */
export function parseCgroupMounts(mountinfo: string): Pick<CgroupProbe, 'version' | 'memory' | 'cpu' | 'pids'> {
  const out: Pick<CgroupProbe, 'version' | 'memory' | 'cpu' | 'pids'> = { version: 0 };
  let unified: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    const mountPoint = left[4];
    const fstype = right[0];
    const superOpts = (right[2] ?? '').split(',');
    if (fstype === 'cgroup2') unified = mountPoint;
    if (fstype !== 'cgroup') continue;
    for (const c of ['memory', 'cpu', 'pids'] as const) if (superOpts.includes(c) && !out[c]) out[c] = mountPoint;
  }
  if (out.memory || out.cpu || out.pids) out.version = 1;
  else if (unified) {
    out.version = 2;
    out.memory = out.cpu = out.pids = unified;
  }
  return out;
}

function canCreate(mount: string | undefined): boolean {
  if (!mount) return false;
  try {
    mkdirSync(join(mount, CG_PARENT), { recursive: true });
    accessSync(join(mount, CG_PARENT), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

let cached: CgroupProbe | undefined;
/** Edge: read the mount table and try to create vg's parent group once per process. */
export function probeCgroups(fresh = false): CgroupProbe {
  if (cached && !fresh) return cached;
  let info = '';
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    /* not Linux */
  }
  const m = parseCgroupMounts(info);
  let writable = { memory: canCreate(m.memory), cpu: canCreate(m.cpu), pids: canCreate(m.pids) };
  if (m.version === 2 && writable.memory) {
    // v2 needs the controllers delegated to vg's subtree; if enabling fails, the files will be missing.
    const ctl = (() => {
      try {
        return readFileSync(join(m.memory!, CG_PARENT, 'cgroup.controllers'), 'utf8');
      } catch {
        return '';
      }
    })();
    writable = { memory: ctl.includes('memory'), cpu: ctl.includes('cpu'), pids: ctl.includes('pids') };
  }
  cached = { ...m, writable };
  return cached;
}

/** Decide how limits are enforced for one run. Pure given the probe; `id` is injectable for tests. */
export function planLimits(limits: Limits, probe: CgroupProbe, id = randomBytes(6).toString('hex'), prlimitAvailable = true): LimitPlan {
  if (probe.version !== 0 && (probe.writable.memory || probe.writable.cpu || probe.writable.pids)) {
    const dirs: { memory?: string; cpu?: string; pids?: string } = {};
    for (const c of ['memory', 'cpu', 'pids'] as const) if (probe.writable[c] && probe[c]) dirs[c] = join(probe[c]!, CG_PARENT, id);
    if (probe.version === 2) {
      // One directory holds all three controllers in v2.
      const d = join(probe.memory!, CG_PARENT, id);
      return { kind: 'cgroup', version: 2, id, dirs: { memory: probe.writable.memory ? d : undefined, cpu: probe.writable.cpu ? d : undefined, pids: probe.writable.pids ? d : undefined }, limits };
    }
    return { kind: 'cgroup', version: 1, id, dirs, limits };
  }
  return prlimitAvailable ? { kind: 'rlimit', limits } : { kind: 'none' };
}

const sq = singleQuote;

/**
 * The shell fragment that creates the run's cgroup, writes the limits and moves the current shell
 * (`$$`, which then execs the sandbox) into it. Fails closed: a limit that cannot be applied stops
 * the run with status 125 rather than running unlimited while the notice says "limited".
 */
export function cgroupScript(p: Extract<LimitPlan, { kind: 'cgroup' }>): string {
  const parts: string[] = [];
  const uniq = [...new Set(Object.values(p.dirs).filter(Boolean) as string[])];
  // The directories are normally made beforehand by `precreateCgroups` (Node, no exec); the `mkdir`
  // exec (~2–5 ms here) only runs when they are missing (a --dry-run argv run by hand, a swept group).
  // The limit writes are builtins and always run: the argv alone sets every limit.
  parts.push(`{ ${uniq.map((d) => `[ -d ${sq(d)} ]`).join(' && ')} || mkdir -p ${uniq.map(sq).join(' ')}; }`);
  const quota = Math.max(1000, Math.round(p.limits.cpus * 100000));
  if (p.version === 1) {
    if (p.dirs.memory) {
      parts.push(`echo ${p.limits.memoryBytes} > ${sq(join(p.dirs.memory, 'memory.limit_in_bytes'))}`);
      // Without swap accounting the limit could be dodged by swapping; set it when the knob exists.
      parts.push(`{ [ ! -e ${sq(join(p.dirs.memory, 'memory.memsw.limit_in_bytes'))} ] || echo ${p.limits.memoryBytes} > ${sq(join(p.dirs.memory, 'memory.memsw.limit_in_bytes'))}; }`);
    }
    if (p.dirs.cpu) {
      parts.push(`echo 100000 > ${sq(join(p.dirs.cpu, 'cpu.cfs_period_us'))}`);
      parts.push(`echo ${quota} > ${sq(join(p.dirs.cpu, 'cpu.cfs_quota_us'))}`);
    }
    if (p.dirs.pids) parts.push(`echo ${p.limits.pids} > ${sq(join(p.dirs.pids, 'pids.max'))}`);
    for (const d of uniq) parts.push(`echo $$ > ${sq(join(d, 'tasks'))}`);
  } else {
    const d = uniq[0];
    if (p.dirs.memory) parts.push(`echo ${p.limits.memoryBytes} > ${sq(join(d, 'memory.max'))}`, `{ [ ! -e ${sq(join(d, 'memory.swap.max'))} ] || echo 0 > ${sq(join(d, 'memory.swap.max'))}; }`);
    if (p.dirs.cpu) parts.push(`echo "${quota} 100000" > ${sq(join(d, 'cpu.max'))}`);
    if (p.dirs.pids) parts.push(`echo ${p.limits.pids} > ${sq(join(d, 'pids.max'))}`);
    parts.push(`echo $$ > ${sq(join(d, 'cgroup.procs'))}`);
  }
  return `{ ${parts.join(' && ')}; } 2>/dev/null || { echo 'vg: sandbox could not start: cannot apply the cgroup limits — run vg doctor, or set sandbox.security_level' >&2; exit 125; }`;
}

/** Perl string literal (single-quoted). */
const pq = (s: string) => `'${s.replace(/[\\']/g, (c) => '\\' + c)}'`;

/** (limit file, value) pairs in the order they are written; the same as `cgroupScript`. */
export function cgroupWrites(p: Extract<LimitPlan, { kind: 'cgroup' }>): { file: string; value: string; ifExists?: boolean }[] {
  const w: { file: string; value: string; ifExists?: boolean }[] = [];
  const uniq = [...new Set(Object.values(p.dirs).filter(Boolean) as string[])];
  const quota = Math.max(1000, Math.round(p.limits.cpus * 100000));
  if (p.version === 1) {
    if (p.dirs.memory) {
      w.push({ file: join(p.dirs.memory, 'memory.limit_in_bytes'), value: String(p.limits.memoryBytes) });
      w.push({ file: join(p.dirs.memory, 'memory.memsw.limit_in_bytes'), value: String(p.limits.memoryBytes), ifExists: true });
    }
    if (p.dirs.cpu) {
      w.push({ file: join(p.dirs.cpu, 'cpu.cfs_period_us'), value: '100000' });
      w.push({ file: join(p.dirs.cpu, 'cpu.cfs_quota_us'), value: String(quota) });
    }
    if (p.dirs.pids) w.push({ file: join(p.dirs.pids, 'pids.max'), value: String(p.limits.pids) });
  } else {
    const d = uniq[0];
    if (p.dirs.memory) w.push({ file: join(d, 'memory.max'), value: String(p.limits.memoryBytes) }, { file: join(d, 'memory.swap.max'), value: '0', ifExists: true });
    if (p.dirs.cpu) w.push({ file: join(d, 'cpu.max'), value: `${quota} 100000` });
    if (p.dirs.pids) w.push({ file: join(d, 'pids.max'), value: String(p.limits.pids) });
  }
  return w;
}

/**
 * The cgroup step as Perl statements, for the one-process Perl wrapper (bwrap.ts): mkdir, limit
 * writes and the join are syscalls in the wrapper itself. Same files, same order, same fail-closed
 * 125 as `cgroupScript`. Needs `sub vg_die` and `sub vg_w` from the wrapper.
 */
export function cgroupPerl(p: Extract<LimitPlan, { kind: 'cgroup' }>): string {
  const uniq = [...new Set(Object.values(p.dirs).filter(Boolean) as string[])];
  const msg = '$vg_cf';
  const st: string[] = [`my $vg_cf = ${pq('cannot apply the cgroup limits — run vg doctor, or set sandbox.security_level')};`];
  for (const d of uniq) st.push(`-d ${pq(d)} or mkdir ${pq(d)} or vg_die(${msg});`);
  for (const w of cgroupWrites(p)) st.push(`${w.ifExists ? `!-e ${pq(w.file)} or ` : ''}vg_w(${pq(w.file)}, ${pq(w.value)}) or vg_die(${msg});`);
  const join1 = p.version === 1 ? 'tasks' : 'cgroup.procs';
  for (const d of p.version === 1 ? uniq : uniq.slice(0, 1)) st.push(`vg_w(${pq(join(d, join1))}, $$) or vg_die(${msg});`);
  return st.join(' ');
}

/**
 * Make the run's groups and write their limits from Node, before the shell runs the argv: the
 * wrapper then needs no `mkdir` exec. Best effort: whatever fails here, the wrapper redoes (and
 * fails closed itself). Left-over groups are removed by `sweepCgroups`.
 */
export function precreateCgroups(p: LimitPlan): boolean {
  if (p.kind !== 'cgroup') return false;
  try {
    for (const d of new Set(Object.values(p.dirs).filter(Boolean) as string[])) mkdirSync(d, { recursive: true });
    for (const w of cgroupWrites(p)) {
      if (w.ifExists && !existsSync(w.file)) continue;
      writeFileSync(w.file, w.value);
    }
    return true;
  } catch {
    /* the wrapper's own mkdir/write path takes over */
    return false;
  }
}

/**
 * The resident analyzer keeps one run's groups made ahead per set of limits: making them (three
 * mkdirs and five limit writes on cgroup v1) cost ~0.5 ms of every sandboxed line's answer here, and a
 * spare made just after an answer takes that off the next one's path. Off by default: a one-shot
 * command (`vg exec`) would leave its spare behind. A spare older than 30 s is not used (the lazy
 * sweep removes empty groups a minute old), nor one whose directories are gone.
 */
const spares = new Map<string, { plan: LimitPlan; at: number }>();
let keepSpares = false;
let exitHook = false;
export function keepSpareCgroups(on: boolean): void {
  keepSpares = on;
  if (!on) dropSpareCgroups();
  else if (!exitHook) {
    // However the process ends short of a signal, its spares go with it (once, not per caller).
    exitHook = true;
    process.once('exit', () => keepSpareCgroups(false));
  }
}
export function dropSpareCgroups(): void {
  for (const s of spares.values()) removeCgroups(cgroupCleanup(s.plan), 0);
  spares.clear();
}

/** The run's limit plan with its groups made (`made`: false when making them failed — the wrapper then does). */
export function readyLimits(limits: Limits, probe: CgroupProbe, now = Date.now()): { plan: LimitPlan; made: boolean } {
  const key = JSON.stringify(limits);
  const spare = spares.get(key);
  spares.delete(key);
  let plan: LimitPlan;
  let made: boolean;
  if (spare && now - spare.at < 30_000 && cgroupCleanup(spare.plan).every((d) => existsSync(d))) {
    plan = spare.plan;
    made = true;
  } else {
    if (spare) removeCgroups(cgroupCleanup(spare.plan), 0);
    plan = planLimits(limits, probe);
    made = precreateCgroups(plan);
  }
  if (keepSpares && made && plan.kind === 'cgroup') {
    setImmediate(() => {
      if (!keepSpares || spares.has(key)) return;
      const next = planLimits(limits, probe);
      if (precreateCgroups(next)) spares.set(key, { plan: next, at: Date.now() });
    }).unref();
  }
  return { plan, made };
}

/** First fd of the cgroup join files (3, 4, 5 for v1's three controllers; 8 and 9 are the status and seccomp fds). */
export const CGROUP_JOIN_FD = 3;

/**
 * The cgroup join as bwrap setup operations, so no shell or Perl step has to run before bwrap just
 * to move itself (measured here: the /bin/sh step cost ~3 ms of a ~17 ms paranoid start; these
 * operations ~0.5 ms). For each controller: bind the run's (pre-created, already limited) group
 * read-write over the new root's /tmp, and `--file` a "0" into its `tasks` — cgroup v1 reads pid 0
 * as "the writer", which is bwrap's setup process, the parent of everything the command starts.
 * `--tmpfs /tmp` must follow: it covers the binds, so nothing inside can write a limit file
 * (no capabilities are left to unmount it). Fails closed: a missing group fails the bind, a
 * refused write fails bwrap — the command never runs. v1 and root only: v2 refuses a move out of
 * the cgroup namespace bwrap makes at clone time, and a user namespace's root cannot write there.
 */
export function cgroupBwrapJoin(p: Extract<LimitPlan, { kind: 'cgroup' }>, zeroFile: string): { args: string[]; files: { fd: number; path: string }[] } {
  const args: string[] = [];
  const files: { fd: number; path: string }[] = [];
  const uniq = [...new Set(Object.values(p.dirs).filter(Boolean) as string[])];
  uniq.forEach((d, i) => {
    const fd = CGROUP_JOIN_FD + i;
    args.push('--bind', d, '/tmp', '--file', String(fd), '/tmp/tasks');
    files.push({ fd, path: zeroFile });
  });
  return { args, files };
}

/**
 * prlimit fallback: RLIMIT_DATA caps each process's heap (node and python fail their allocation;
 * measured here), not the sandbox as a whole. CPU share and process count are not enforced:
 * RLIMIT_NPROC counts every process of the user, not the sandbox's.
 */
export function prlimitArgv(limits: Limits): string[] {
  return ['prlimit', `--data=${limits.memoryBytes}`, '--'];
}

/** The cgroup directories to remove after the run (children first). */
export function cgroupCleanup(p: LimitPlan): string[] {
  return p.kind === 'cgroup' ? [...new Set(Object.values(p.dirs).filter(Boolean) as string[])] : [];
}

/** Remove a run's cgroups once empty. EBUSY (still has tasks) is fine: the lazy sweep gets it later. */
export function removeCgroups(dirs: string[], retries = 3): void {
  const busy: string[] = [];
  for (const d of dirs) {
    try {
      rmdirSync(d);
    } catch (e) {
      // The last tasks can take a moment to leave after the sandbox's parent has been reaped.
      if ((e as NodeJS.ErrnoException).code === 'EBUSY') busy.push(d);
    }
  }
  if (busy.length && retries > 0) setTimeout(() => removeCgroups(busy, retries - 1), 100 * (4 - retries)).unref();
}

/** Lazy sweep of leftovers from runs whose wrapper never got to clean up (older than a minute). */
export function sweepCgroups(probe: CgroupProbe = probeCgroups()): number {
  let removed = 0;
  const now = Date.now();
  for (const c of ['memory', 'cpu', 'pids'] as const) {
    if (!probe.writable[c] || !probe[c]) continue;
    const parent = join(probe[c]!, CG_PARENT);
    let names: string[] = [];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const n of names) {
      const d = join(parent, n);
      try {
        const st = statSync(d);
        if (!st.isDirectory() || now - st.mtimeMs < 60_000) continue;
        rmdirSync(d);
        removed++;
      } catch {
        /* busy: a sandbox is still running in it */
      }
    }
  }
  return removed;
}

/** One line per limit saying how (or whether) it is enforced; used by the notice and `vg doctor`. */
export function describeEnforcement(p: LimitPlan): { memory: string; cpu: string; pids: string; summary: string } {
  if (p.kind === 'cgroup') {
    const v = `cgroup v${p.version}`;
    const memory = p.dirs.memory ? `${v} (${Math.round(p.limits.memoryBytes / 1048576)} MB, sandbox-wide)` : 'not enforced (memory controller not writable)';
    const cpu = p.dirs.cpu ? `${v} (${p.limits.cpus} CPU)` : 'not enforced (cpu controller not writable)';
    const pids = p.dirs.pids ? `${v} (${p.limits.pids} processes)` : 'not enforced (pids controller not writable)';
    const on = (['memory', 'cpu', 'pids'] as const).filter((c) => p.dirs[c]);
    return { memory, cpu, pids, summary: `${v}: ${on.join(', ')}` };
  }
  if (p.kind === 'rlimit') {
    return {
      memory: `rlimit (${Math.round(p.limits.memoryBytes / 1048576)} MB heap per process, not sandbox-wide)`,
      cpu: 'not enforced (needs a writable cgroup)',
      pids: 'not enforced (needs a writable cgroup)',
      summary: 'rlimit: memory per process only',
    };
  }
  return { memory: 'not enforced', cpu: 'not enforced', pids: 'not enforced', summary: 'no limits enforced' };
}
