// `vg doctor`: what actually works on this machine — not what is installed, what runs. Each CLI
// runtime runs `true` through its real argv; limits, TIOCSTI and caches are probed the same way the
// runtimes use them, so doctor and the sandbox notice can never disagree.
import { readFileSync, mkdtempSync, rmSync, closeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from '../args.ts';
import type { Config } from '../../store/config/types.ts';
import { defaultConfig } from '../../store/config/types.ts';
import type { Availability, ConcreteRuntime, Invocation } from '../../runtimes/types.ts';
import { invocationStdio } from '../../runtimes/run.ts';

const HELP = `Usage: vg doctor [--json]

Which sandbox runtimes exist and actually work here (each runs \`true\`), user namespaces, cgroups
and which limits each runtime can enforce, TIOCSTI, the package caches found, CI detection, and the
runtime \`auto\` would pick.

Options:
  --json   machine-readable report
  --help   this text`;

interface RuntimeReport {
  name: ConcreteRuntime;
  installed: boolean;
  works: boolean;
  version?: string;
  ms?: number;
  detail: string;
  limits: string;
}

export interface DoctorReport {
  runtimes: RuntimeReport[];
  auto: { runtime: string | null; note?: string; error?: string; ci: string | null };
  userns: { ok: boolean; max_user_namespaces: number | null; unprivileged_userns_clone: string | null; root: boolean };
  cgroups: { version: number; memory: boolean; cpu: boolean; pids: boolean };
  overlay: boolean;
  tiocsti: { legacy_tiocsti: string | null; blocked: boolean; detail: string };
  caches: { label: string; path: string }[];
}

const readTrim = (p: string): string | null => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
};

function runTrue(inv: Invocation): { ok: boolean; ms: number; err: string } {
  const { stdio, opened } = invocationStdio(inv, ['ignore', 'ignore', 'pipe']);
  const t0 = performance.now();
  const r = spawnSync(inv.argv[0], inv.argv.slice(1), { env: inv.env, stdio, encoding: 'utf8', timeout: 20_000 });
  const ms = performance.now() - t0;
  for (const fd of opened) closeSync(fd);
  const err = (r.stderr || (r.error ? String(r.error.message) : '') || (r.status !== 0 ? `exit ${r.status}` : '')).trim().split('\n')[0];
  return { ok: r.status === 0, ms, err };
}

async function loadCfg(): Promise<Config> {
  try {
    const { loadConfig } = await import('../../store/config/index.ts');
    return (await loadConfig({ cwd: process.cwd(), env: process.env })).config;
  } catch {
    return defaultConfig();
  }
}

export async function collect(): Promise<DoctorReport> {
  const config = await loadCfg();
  const { planSandbox } = await import('../../sandbox/plan.ts');
  const { detectCaches } = await import('../../sandbox/caches.ts');
  const rt = await import('../../runtimes/index.ts');
  const { overlaySupported } = await import('../../runtimes/host.ts');
  const { stateDir, home: homeOf } = await import('../../store/paths.ts');
  const { describeLimitPlan, planLimits, probeCgroups } = rt;
  const home = homeOf();
  const scratch = mkdtempSync(join(tmpdir(), 'vg-doctor-'));
  const runtimes: RuntimeReport[] = [];
  try {
    const cg = probeCgroups();
    const lim = describeLimitPlan(planLimits(defaultConfig().sandbox.security_level === 'balanced' ? { memoryBytes: 1 << 30, cpus: 1, pids: 512 } : { memoryBytes: 1 << 30, cpus: 1, pids: 512 }, cg, 'probe'));
    const cliLimits = `memory: ${lim.memory}; cpu: ${lim.cpu}; pids: ${lim.pids}`;
    const avail = await rt.probeAll();
    for (const name of ['bubblewrap', 'namespace', 'docker', 'podman'] as ConcreteRuntime[]) {
      const a: Availability = avail[name];
      const rep: RuntimeReport = { name, installed: a.ok, works: false, detail: a.ok ? '' : (a.reason ?? 'not available'), limits: '' };
      if (a.version) rep.version = a.version;
      if (a.ok && (name === 'bubblewrap' || name === 'namespace')) {
        // The strict plan exercises the read-only root, hides and limits; balanced adds the overlay.
        const cfg = defaultConfig();
        cfg.sandbox.security_level = 'strict';
        cfg.sandbox.network_mode = 'none';
        const plan = planSandbox({ config: cfg, cwd: scratch, command: { argv: ['true'] }, interactive: false, env: process.env, home, runtime: name });
        const runtime = await rt.loadRuntime(name);
        try {
          rt.prepareHost(plan);
          const inv = runtime.invocation(plan);
          const r = runTrue(inv);
          if (inv.cleanup) (await import('../../runtimes/limits.ts')).removeCgroups(inv.cleanup);
          rep.works = r.ok;
          rep.ms = Math.round(r.ms * 10) / 10;
          rep.detail = r.ok ? `runs \`true\` in ${rep.ms} ms` : `fails: ${r.err}`;
        } catch (e) {
          rep.detail = `fails: ${(e as Error).message}`;
        }
        rep.limits = cliLimits;
      } else if (a.ok) {
        // Engines: availability is their own probe (engine reachable, image present); running a
        // container is left to `vg exec` so doctor stays fast.
        rep.works = true;
        rep.detail = 'engine reachable';
        rep.limits = 'memory, cpu, pids: enforced by the engine';
      }
      runtimes.push(rep);
    }

    let auto: DoctorReport['auto'];
    const ci = config.sandbox.auto_detect_env ? rt.detectCI(process.env) : null;
    try {
      const autoCfg = structuredClone(config);
      autoCfg.sandbox.runtime = 'auto';
      const r = await rt.resolveRuntime(autoCfg, process.env);
      const works = runtimes.find((x) => x.name === r.runtime.name)?.works ?? false;
      auto = { runtime: r.runtime.name, ci, ...(r.note ? { note: r.note } : {}), ...(works ? {} : { error: `${r.runtime.name} is installed but failed to run \`true\`` }) };
    } catch (e) {
      auto = { runtime: null, ci, error: (e as Error).message };
    }

    const maxNs = readTrim('/proc/sys/user/max_user_namespaces');
    const clone = readTrim('/proc/sys/kernel/unprivileged_userns_clone');
    const root = process.getuid?.() === 0;
    const legacy = readTrim('/proc/sys/dev/tty/legacy_tiocsti');
    const bw = runtimes.find((r) => r.name === 'bubblewrap')?.works || runtimes.find((r) => r.name === 'namespace')?.works;
    const tiocsti = {
      legacy_tiocsti: legacy,
      blocked: legacy === '0' || Boolean(bw),
      detail:
        legacy === '0'
          ? 'disabled by the kernel (dev.tty.legacy_tiocsti=0)'
          : `allowed by the kernel${legacy === null ? '' : ' (dev.tty.legacy_tiocsti=1)'}; interactive sandboxed commands get a seccomp filter that blocks it${bw ? '' : ' — needs bubblewrap or namespace'}`,
    };
    return {
      runtimes,
      auto,
      userns: { ok: maxNs !== null && Number(maxNs) > 0 && clone !== '0', max_user_namespaces: maxNs === null ? null : Number(maxNs), unprivileged_userns_clone: clone, root },
      cgroups: { version: cg.version, memory: cg.writable.memory, cpu: cg.writable.cpu, pids: cg.writable.pids },
      overlay: overlaySupported(join(stateDir(), 'overlay')),
      tiocsti,
      caches: config.sandbox.enable_cache ? detectCaches({ home, env: process.env, extra: config.sandbox.cache_dirs }).map((c) => ({ label: c.label, path: c.path })) : [],
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function format(r: DoctorReport): string {
  const ok = (b: boolean) => (b ? '✓' : '✗');
  const L: string[] = [];
  const row = (k: string, v: string) => L.push(`${k.padEnd(16)}${v}`);
  L.push('runtimes');
  for (const x of r.runtimes) L.push(`  ${ok(x.works)} ${x.name.padEnd(11)} ${(x.version ?? '').padEnd(8)} ${x.detail}`);
  const pick = r.auto.runtime ? `${r.auto.runtime}${r.auto.ci ? ` (CI detected: ${r.auto.ci})` : ' (developer machine)'}` : 'none';
  L.push(`  auto → ${pick}${r.auto.note ? ` — ${r.auto.note}` : ''}${r.auto.error ? ` — ${r.auto.error}` : ''}`);
  L.push('');
  row('user namespaces', `${ok(r.userns.ok)} max_user_namespaces=${r.userns.max_user_namespaces ?? '?'}${r.userns.unprivileged_userns_clone !== null ? ` unprivileged_userns_clone=${r.userns.unprivileged_userns_clone}` : ''}${r.userns.root ? ' (running as root)' : ''}`);
  row('cgroups', r.cgroups.version === 0 ? '✗ none mounted' : `v${r.cgroups.version}: memory ${ok(r.cgroups.memory)} cpu ${ok(r.cgroups.cpu)} pids ${ok(r.cgroups.pids)} (writable by vg)`);
  const cli = r.runtimes.find((x) => x.name === 'bubblewrap' && x.limits) ?? r.runtimes.find((x) => x.limits);
  if (cli) row('limits', `bubblewrap/namespace — ${cli.limits}`);
  const eng = r.runtimes.filter((x) => (x.name === 'docker' || x.name === 'podman') && x.works);
  if (eng.length) row('', `${eng.map((x) => x.name).join('/')} — ${eng[0].limits}`);
  row('overlay root', r.overlay ? '✓ permissive/balanced get a writable overlay (changes discarded)' : '✗ unavailable: permissive/balanced fall back to a read-only root');
  row('TIOCSTI', `${ok(r.tiocsti.blocked)} ${r.tiocsti.detail}`);
  row('caches', r.caches.length ? r.caches.map((c) => `${c.label} ${tildeish(c.path)}`).join(', ') : 'none found');
  row('CI', r.auto.ci ? `detected (${r.auto.ci})` : 'not detected');
  return L.join('\n');
}

function tildeish(p: string): string {
  const h = process.env.HOME;
  return h && p.startsWith(h + '/') ? '~' + p.slice(h.length) : p;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse<{ json?: boolean; help?: boolean }>('doctor', argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const r = await collect();
  process.stdout.write((values.json ? JSON.stringify(r, null, 2) : format(r)) + '\n');
  return r.auto.runtime && !r.auto.error ? 0 : 1;
}
