// What the CLI sandboxes cost. Part 1: `true` on the host, `bash -c true`, minimal bwrap, and the
// exact invocation vg builds (what `vg exec --dry-run --security-level L` prints) for every level,
// for bwrap and for the namespace runtime — medians, cases interleaved round by round, with the
// time added over host `true` and over `bash -c true`.
// Part 2: `npm ci` of a small real project: host with a warm cache, bwrap with the cache bound in
// (also with its CPU cap raised to the machine's cores: balanced allows 1), bwrap without it
// (restricted network through vg's proxy, as balanced runs it).
//
//   node bench/sandbox.mjs [--runs 50] [--npm-runs 5] [--no-npm] [--baseline DIR]
//
// --baseline DIR: also time the invocations another source tree builds (DIR/src, e.g. an older
// commit unpacked with `git archive COMMIT src | tar -x -C DIR`), interleaved in the same rounds,
// so before/after numbers share the machine's load.
//
// Runs as whoever calls it; HOME, the npm cache and vg's state live in a throwaway temp dir.
// The machine's load average is printed with the results: on a shared 2-core box it dominates.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, loadavg, cpus } from 'node:os';
import { register } from 'tsx/esm/api';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', '50'));
const NPM_RUNS = Number(opt('--npm-runs', '5'));
const NPM = !args.includes('--no-npm');
const BASELINE = opt('--baseline', null);

const TMP = mkdtempSync(join(tmpdir(), 'vg-bench-'));
// Not under /tmp for the project: the sandbox's /tmp is private, but the workspace bind shows it anyway;
// keeping HOME outside /tmp matches a real home more closely (caches resolved through it).
const HOME = mkdtempSync('/var/tmp/vg-bench-home-');
process.env.VG_STATE_DIR = join(TMP, 'state');
register();
const { planSandbox } = await import('../src/sandbox/plan.ts');
const { defaultConfig } = await import('../src/store/config/types.ts');
const { bwrapArgv } = await import('../src/runtimes/bwrap.ts');
const { namespaceArgv } = await import('../src/runtimes/namespace.ts');
const { hostOptions, prepareHost, hostMountPoints } = await import('../src/runtimes/host.ts');
const { removeCgroups } = await import('../src/runtimes/limits.ts');
const { startProxy } = await import('../src/runtimes/proxy.ts');
const { invocationStdio } = await import('../src/runtimes/run.ts');
/** The same runtime entry points from the baseline tree (own module instances, own probe caches). */
const baseline = BASELINE
  ? await (async () => {
      const u = (p) => new URL(`file://${BASELINE.replace(/\/$/, '')}/src/${p}`).href;
      return {
        bwrapArgv: (await import(u('runtimes/bwrap.ts'))).bwrapArgv,
        namespaceArgv: (await import(u('runtimes/namespace.ts'))).namespaceArgv,
        ...(await import(u('runtimes/host.ts'))),
        removeCgroups: (await import(u('runtimes/limits.ts'))).removeCgroups,
      };
    })()
  : null;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

/** One run of an Invocation; its cgroups (if any) are removed afterwards, as the shell would. */
function runOnce(inv, cwd) {
  const { stdio, opened } = invocationStdio(inv, ['ignore', 'ignore', 'pipe']);
  const t0 = performance.now();
  const r = spawnSync(inv.argv[0], inv.argv.slice(1), { env: inv.env ?? process.env, cwd, stdio, encoding: 'utf8' });
  const ms = performance.now() - t0;
  for (const fd of opened) closeSync(fd);
  if (inv.cleanup) removeCgroups(inv.cleanup);
  if (r.status !== 0) throw new Error(`${inv.argv.slice(0, 3).join(' ')}… exited ${r.status}: ${r.stderr}`);
  return ms;
}

/**
 * Round-robin: every case once per round, so load that comes and goes on a shared machine hits all
 * cases alike. `make()` builds a fresh Invocation per run (a new cgroup id, as a real line gets);
 * building it (Node) is not timed — the resident analyzer does that before the shell runs the argv.
 */
function timeCases(cases, cwd, runs, warm = 3) {
  const xs = cases.map(() => []);
  for (let i = 0; i < warm + runs; i++)
    cases.forEach(([, make], k) => {
      const ms = runOnce(make(), cwd);
      if (i >= warm) xs[k].push(ms);
    });
  return xs;
}

// Async for the npm runs: the proxy lives in this process, and spawnSync would block its event loop.
async function timeInvAsync(inv, cwd) {
  // The invocation's files (the cgroup join's `tasks` fds, the seccomp program) on their fd numbers.
  const { stdio, opened } = invocationStdio(inv, ['ignore', 'ignore', 'pipe']);
  const t0 = performance.now();
  const c = spawn(inv.argv[0], inv.argv.slice(1), { env: inv.env ?? process.env, cwd, stdio });
  for (const fd of opened) closeSync(fd);
  let err = '';
  c.stderr.on('data', (d) => (err += d));
  const status = await new Promise((r) => c.on('close', r));
  const ms = performance.now() - t0;
  if (inv.cleanup) removeCgroups(inv.cleanup);
  if (status !== 0) throw new Error(`${inv.argv.slice(0, 3).join(' ')}… exited ${status}: ${err.slice(-400)}`);
  return ms;
}

const proj = join(HOME, 'proj');
mkdirSync(join(proj, '.git'), { recursive: true });
const proxySock = join(TMP, 'net', 'proxy.sock');
mkdirSync(join(TMP, 'net'), { recursive: true, mode: 0o700 });
const proxy = await startProxy({ socketPath: proxySock, allowedDomains: defaultConfig().sandbox.allowed_domains });

function plan(level, command, over = {}) {
  const cfg = defaultConfig();
  cfg.sandbox.security_level = level;
  Object.assign(cfg.sandbox, over);
  const env = { ...process.env, HOME, npm_config_cache: join(HOME, '.npm') };
  return planSandbox({ config: cfg, cwd: proj, command, interactive: false, env, home: HOME, runtime: 'bubblewrap' });
}
const bw = (p) => (prepareHost(p), bwrapArgv(p, hostOptions(p, { proxySocket: proxySock })));
const ns = (p) => {
  prepareHost(p);
  const o = hostOptions(p, { proxySocket: proxySock });
  const scratch = o.overlay?.dir ?? join(process.env.VG_STATE_DIR, 'ns');
  mkdirSync(scratch, { recursive: true });
  return namespaceArgv(p, { ...o, root: process.getuid() === 0, scratch, mountPoints: hostMountPoints() });
};
const bwBase = (p) => (baseline.prepareHost(p), baseline.bwrapArgv(p, baseline.hostOptions(p, { proxySocket: proxySock })));
const nsBase = (p) => {
  baseline.prepareHost(p);
  const o = baseline.hostOptions(p, { proxySocket: proxySock });
  const scratch = o.overlay?.dir ?? join(process.env.VG_STATE_DIR, 'ns');
  mkdirSync(scratch, { recursive: true });
  return baseline.namespaceArgv(p, { ...o, root: process.getuid() === 0, scratch, mountPoints: baseline.hostMountPoints() });
};

const rows = [];
const load0 = loadavg()[0];
try {
  const T = { argv: ['true'] };
  const fixed = (argv) => () => ({ argv });
  const cases = [
    ['host: true', fixed(['true'])],
    ['host: bash -c true (the shell runs a line)', fixed(['bash', '-c', 'true'])],
    ['bwrap minimal (--ro-bind / / --dev --proc)', fixed(['bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true'])],
  ];
  // Exactly what `vg exec --dry-run --security-level L` prints for the runtime (default config).
  for (const level of ['paranoid', 'strict', 'balanced', 'permissive']) cases.push([`bwrap ${level}`, () => bw(plan(level, T))]);
  for (const level of ['paranoid', 'strict', 'balanced', 'permissive']) cases.push([`namespace ${level}`, () => ns(plan(level, T))]);
  if (baseline) {
    for (const level of ['paranoid', 'strict', 'balanced', 'permissive']) cases.push([`baseline: bwrap ${level}`, () => bwBase(plan(level, T))]);
    for (const level of ['paranoid', 'strict', 'balanced', 'permissive']) cases.push([`baseline: namespace ${level}`, () => nsBase(plan(level, T))]);
  }
  const xs = timeCases(cases, proj, RUNS);
  cases.forEach(([name], k) => rows.push([name, median(xs[k]), p90(xs[k])]));
  const base = rows[0][1];
  const sh = rows[1][1];
  console.log(`\`true\`, ${RUNS} rounds (ms) — ${cpus().length} CPUs, load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
  console.log(`${'case'.padEnd(44)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'+true'.padStart(8)} ${'+bash'.padStart(8)}`);
  for (const [name, med, p] of rows) console.log(`${name.padEnd(44)} ${med.toFixed(1).padStart(8)} ${p.toFixed(1).padStart(8)} ${(med - base).toFixed(1).padStart(8)} ${(med - sh).toFixed(1).padStart(8)}`);

  if (NPM) {
    // A small real project: three tiny dependencies, lockfile made once on the host.
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'vg-bench', version: '1.0.0', private: true, dependencies: { 'is-number': '7.0.0', 'left-pad': '1.3.0', 'kind-of': '6.0.3' } }, null, 2));
    const hostEnv = { ...process.env, HOME, npm_config_cache: join(HOME, '.npm'), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    const lock = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts'], { cwd: proj, env: hostEnv, encoding: 'utf8' });
    if (lock.status !== 0) {
      console.log(`\nnpm ci: skipped — cannot reach the registry from the host (${(lock.stderr || '').trim().split('\n').pop()})`);
    } else {
      const ci = { argv: ['npm', 'ci', '--ignore-scripts', '--no-audit', '--no-fund'] };
      const clean = () => rmSync(join(proj, 'node_modules'), { recursive: true, force: true });
      const timeNpm = async (make) => {
        const xs = [];
        for (let i = 0; i < NPM_RUNS; i++) {
          clean();
          const inv = make();
          xs.push(await timeInvAsync({ ...inv, env: { ...inv.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } }, proj));
        }
        return xs;
      };
      await timeNpm(() => ({ argv: ci.argv, env: hostEnv })); // warms the cache
      // Balanced caps the sandbox at 1 CPU (the level's limit); the host run may use every core. The
      // same run with the cap at this machine's cores shows what the cap itself costs.
      const allCpus = (p) => ({ ...p, limits: { ...p.limits, cpus: cpus().length } });
      const nrows = [
        ['host, warm cache', await timeNpm(() => ({ argv: ci.argv, env: hostEnv }))],
        ['bwrap balanced, warm cache bound in', await timeNpm(() => bw(plan('balanced', ci)))],
        [`  the same, CPU cap ${cpus().length} (not 1)`, await timeNpm(() => bw(allCpus(plan('balanced', ci))))],
        ['bwrap balanced, no cache (enable_cache: false)', await timeNpm(() => bw(plan('balanced', ci, { enable_cache: false })))],
        ['bwrap balanced + --prefer-offline, warm cache', await timeNpm(() => bw(plan('balanced', { argv: [...ci.argv, '--prefer-offline'] })))],
        ['host + --prefer-offline, warm cache', await timeNpm(() => ({ argv: [...ci.argv, '--prefer-offline'], env: hostEnv }))],
      ];
      console.log(`\nnpm ci (3 small deps), ${NPM_RUNS} runs each (ms); sandboxed runs use restricted network through vg's proxy — load average ${loadavg()[0].toFixed(2)}`);
      const nb = median(nrows[0][1]);
      for (const [name, xs] of nrows) console.log(`${name.padEnd(52)} ${median(xs).toFixed(0).padStart(8)} ${p90(xs).toFixed(0).padStart(8)} ${(median(xs) - nb).toFixed(0).padStart(8)}`);
    }
  }
} finally {
  await proxy.close();
  rmSync(TMP, { recursive: true, force: true });
  rmSync(HOME, { recursive: true, force: true });
}
