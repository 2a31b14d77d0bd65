// Start-up cost of running `true`: on the host, bwrap, `docker run --rm`, `podman run --rm`, and
// `docker exec` / `podman exec` into a warm container. Medians (and p90) of N runs each (default 20).
//
//   node bench/containers.mjs [--runs 20] [--image vg-sandbox:bookworm]
//
// The docker/podman flags are the ones vg's runtime uses (--init, --cap-drop ALL, --network none, …),
// taken from containerArgv so the numbers are for what vg actually runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', '20'));
const IMAGE = opt('--image', 'vg-sandbox:bookworm');

const have = (bin, probe) => spawnSync(bin, probe, { stdio: 'ignore' }).status === 0;

function podmanFlags() {
  const f = [];
  try {
    const cap = BigInt('0x' + /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
    if (process.getuid() === 0 && (cap & (1n << 24n)) === 0n) f.push('--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768');
  } catch {}
  try {
    if (readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim()) f.push('--runtime', 'runc');
  } catch {}
  return f;
}

// The same flag set containerArgv produces for a permissive plan with network none (see src/runtimes).
const runFlags = (engine) => [
  'run', '--rm', '-i', '--init', '--pull', 'never', '--log-driver', 'none', '--user', `${process.getuid()}:${process.getgid()}`,
  '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--network', 'none',
  '--memory', String(1 << 30), '--memory-swap', String(1 << 30), '--cpus', '1', '--pids-limit', '512',
  ...(engine === 'podman' ? podmanFlags() : []),
  '--workdir', '/tmp', IMAGE, 'true',
];

function time(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} → ${r.status}: ${String(r.stderr).trim().split('\n')[0]}`);
  return ms;
}

function measure(label, argv, runs = RUNS) {
  time(argv); // warm-up (page cache, engine caches)
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(time(argv));
  xs.sort((a, b) => a - b);
  const q = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  return { label, runs, median: q(0.5), p90: q(0.9), min: xs[0] };
}

const rows = [];
const skipped = [];
rows.push(measure('host: true', ['true']));
if (have('bwrap', ['--version'])) {
  rows.push(measure('bwrap (ro /, unshare-all)', ['bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--unshare-all', '--die-with-parent', 'true']));
} else skipped.push('bwrap: not installed');

for (const engine of ['docker', 'podman']) {
  const extra = engine === 'podman' ? podmanFlags() : [];
  if (!have(engine, ['image', 'inspect', IMAGE])) {
    skipped.push(`${engine}: engine down or image ${IMAGE} missing (scripts/ci-engines.sh)`);
    continue;
  }
  rows.push(measure(`${engine} run --rm (vg flags)`, [engine, ...runFlags(engine)]));
  const name = `vg-bench-warm-${process.pid}`;
  const up = spawnSync(engine, ['run', '-d', '--rm', '--name', name, '--init', '--pull', 'never', '--network', 'none', ...extra, IMAGE, 'sleep', 'infinity'], { encoding: 'utf8' });
  if (up.status !== 0) {
    skipped.push(`${engine} warm: ${up.stderr.trim().split('\n')[0]}`);
    continue;
  }
  try {
    rows.push(measure(`${engine} exec (warm container)`, [engine, 'exec', '-i', '--user', `${process.getuid()}:${process.getgid()}`, '--workdir', '/tmp', name, 'true']));
  } finally {
    spawnSync(engine, ['rm', '-f', name], { stdio: 'ignore' });
  }
}

const pad = (s, n) => String(s).padEnd(n);
const num = (x) => x.toFixed(1).padStart(8);
console.log(`vg container bench — ${RUNS} runs each, ${cpus().length} CPUs, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`${pad('what', 34)}${'median ms'.padStart(10)}${'p90 ms'.padStart(9)}${'min ms'.padStart(9)}`);
for (const r of rows) console.log(`${pad(r.label, 34)}${num(r.median)}  ${num(r.p90)} ${num(r.min)}`);
for (const s of skipped) console.log(`skipped — ${s}`);
