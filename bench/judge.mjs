// What the resident analyzer pays per typed line: judge() = config (cached) + analysis + trust +
// policy, and for a sandboxed line also the plan and the runtime argv. Bundled with esbuild like the
// CLI. `node bench/judge.mjs [--lines N]`. Prints numbers; asserts nothing.
import { build } from 'esbuild';
import { mkdtempSync, mkdirSync, rmSync, realpathSync, readdirSync, rmdirSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = process.argv.indexOf('--lines');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 3000;

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'vg-bench-judge-')));
const out = join(dir, 'judge.mjs');
await build({ absWorkingDir: root, entryPoints: ['src/intercept/judge.ts'], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning', external: ['dockerode'] });
const { judge } = await import(pathToFileURL(out).href);

const home = join(dir, 'home');
const ws = join(home, 'project');
mkdirSync(join(ws, '.git'), { recursive: true });
const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state') };
const lines = ['ls -la', 'git status', 'npm test', 'make -j4', 'grep -rn TODO src', 'docker ps'];

async function measure(mode) {
  const ctx = { cwd: ws, env, interactive: true, session: 'bench', source: 'shell', flags: { mode } };
  for (let i = 0; i < 200; i++) await judge(lines[i % lines.length], ctx);
  const xs = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await judge(lines[i % lines.length], ctx);
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  const q = (p) => (xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] * 1000).toFixed(0);
  return { mode, decision: (await judge(lines[0], ctx)).decision, p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

const rows = [await measure('auto'), await measure('always')];
console.log(`\njudge() per line, ${N} lines each, load average ${loadavg()[0].toFixed(2)} (µs)`);
console.log('mode'.padEnd(8) + 'decision'.padEnd(10) + 'p50'.padStart(8) + 'p90'.padStart(8) + 'p99'.padStart(8));
for (const r of rows) console.log(r.mode.padEnd(8) + r.decision.padEnd(10) + r.p50.padStart(8) + r.p90.padStart(8) + r.p99.padStart(8));
console.log('(auto: host lines — analysis, trust, policy; always: the same lines sandboxed — plus plan and bwrap argv)');
rmSync(dir, { recursive: true, force: true });
// Planning a sandboxed line pre-creates its cgroups (root, cgroup v1); these lines never ran, so
// remove the empty groups now instead of leaving them to vg's next sweep. rmdir fails on a busy one.
for (const c of ['memory', 'cpu', 'pids']) {
  const parent = `/sys/fs/cgroup/${c}/vg`;
  let names = [];
  try {
    names = readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    continue;
  }
  for (const n of names) {
    try {
      rmdirSync(join(parent, n));
    } catch {
      /* in use by a running sandbox */
    }
  }
}
