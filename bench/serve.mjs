// What one typed line costs on the analyzer's side of the pipe, and the two machine facts the
// shell figures (bench/shell.mjs) rest on. In one run:
//   1. `vg serve` answering a host and a sandboxed line the way bash asks (the report of the line
//      before rides along, one line every 4 ms): answer latency and the server's CPU per line,
//      next to a trivial Node responder on the same pipe (the floor for "a Node process answers");
//      a retyped line (the analysis memo applies) and a new line each time (it does not).
//   2. bash reading one answer with `read -t -u` from a pipe — 20 bytes, and the ~5 KB of a
//      sandboxed line — and the same 5 KB from a regular file (why long answers go through one).
//   3. Writing one page after a fork (perl): what every page a shell touches after starting a
//      command costs on this machine.
// `node bench/serve.mjs [lines=600]` — needs `npm run build` first. Prints numbers; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const N = Number(process.argv[2] || 600);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)];
const load0 = loadavg()[0];

/** CPU time (ms) of a process so far, from /proc (utime + stime, in clock ticks of 10 ms). */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

const ECHO = `const { writeSync } = require('fs'); writeSync(1, 'V\\x1f0\\n'); let b = '';
process.stdin.setEncoding('utf8'); process.stdin.on('data', (c) => { b += c; let i; while ((i = b.indexOf('\\n')) >= 0) {
const f = b.slice(0, i).split('\\t'); b = b.slice(i + 1); if (f[0] === 'J') writeSync(1, 'H\\x1f' + f[1] + '\\n'); } });`;

/**
 * Drive a server on stdin/stdout as bash does; resolves with latency quantiles and CPU per line.
 * `vary`: a different line each time (`env true 1`, `env true 2`…), so the analyzer's memo of
 * retyped lines never applies.
 */
async function drive(argv, mode, vary = false) {
  const home = mkdtempSync(join(tmpdir(), 'vg-bench-serve-'));
  const ws = join(home, 'ws');
  mkdirSync(join(home, '.config', 'vg'), { recursive: true });
  mkdirSync(ws);
  writeFileSync(join(home, '.config', 'vg', 'config.yaml'), `sandbox:\n  mode: ${mode}\n`);
  const env = { HOME: home, PATH: process.env.PATH, PWD: ws, XDG_RUNTIME_DIR: home };
  const p = spawn(process.execPath, argv, { env, cwd: ws, stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const waiters = [];
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiters.shift()?.(l);
    }
  });
  const next = () => new Promise((r) => waiters.push(r));
  await next(); // hello: warmed up
  const lat = [];
  let report = '';
  for (let i = 1; i <= 50; i++) {
    p.stdin.write(`${report}J\t${i}\t${ws}\tenv true\n`);
    await next();
    report = `D\t${i}\t0\t\thost\t1.0\t1.003\n`;
  }
  const c0 = cpuMs(p.pid);
  for (let i = 51; i <= 50 + N; i++) {
    const t = performance.now();
    p.stdin.write(`${report}J\t${i}\t${ws}\tenv true${vary ? ` ${i}` : ''}\n`);
    await next();
    lat.push(performance.now() - t);
    report = `D\t${i}\t0\t\t${mode === 'always' ? 'sandbox' : 'host'}\t1.0\t1.003\n`;
    await sleep(4);
  }
  const cpu = (cpuMs(p.pid) - c0) / N;
  p.stdin.end();
  await new Promise((r) => p.on('exit', r));
  rmSync(home, { recursive: true, force: true });
  return { p50: q(lat, 0.5), p90: q(lat, 0.9), cpu };
}

const vg = join(root, 'dist', 'vg.js');
const serve = [vg, 'serve', '--shell', 'bash', '--session', 'bench', '--pid', String(process.pid)];
// VG_BENCH_BASE=DIR (a built checkout of another commit): its `vg serve` too, alternating with this one.
const BASE = process.env.VG_BENCH_BASE;
const baseServe = BASE ? [join(BASE, 'dist', 'vg.js'), ...serve.slice(1)] : null;
const ab = [];
if (baseServe)
  for (let i = 0; i < 2; i++) {
    ab.push([`base build (${BASE}), host line, run ${i + 1}`, await drive(baseServe, 'auto')]);
    ab.push([`this build, host line, run ${i + 1}`, await drive(serve, 'auto')]);
  }
const rows = [
  ['trivial Node responder (answers H at once)', await drive(['-e', ECHO], 'auto')],
  ...ab,
  ['vg serve, host line (mode auto)', await drive(serve, 'auto')],
  ['vg serve, host line, each one new (no memo)', await drive(serve, 'auto', true)],
  ['vg serve, sandboxed line (mode always, bwrap plan)', await drive(serve, 'always')],
];
console.log(`\nAnalyzer per typed line (\`env true\`, ${N} lines, one every 4 ms, the last line's report riding along), ms`);
console.log('case                                                  p50     p90   CPU/line');
for (const [name, r] of rows) console.log(`${name.padEnd(50)} ${r.p50.toFixed(3).padStart(7)} ${r.p90.toFixed(3).padStart(7)} ${r.cpu.toFixed(2).padStart(8)}`);

// 2. bash's read: a byte per read(2) (with a select(2) before each) from a pipe, buffered from a file.
const readCost = spawnSync(
  'bash',
  [
    '-c',
    `coproc C { exec cat; }
big=$(printf 'x%.0s' {1..5000}); f=$(mktemp); printf '%s\\n' "$big" > "$f"
t() { local s=$EPOCHREALTIME; for ((i = 0; i < $2; i++)); do "$1"; done; local e=$EPOCHREALTIME; echo $(( (\${e/[.,]/} - \${s/[.,]/}) / $2 )); }
small_pipe() { printf '%s\\n' "R_20_bytes_answer__" >&"\${C[1]}"; IFS= read -r -t 1 -u "\${C[0]}" r; }
big_pipe() { printf '%s\\n' "$big" >&"\${C[1]}"; IFS= read -r -t 1 -u "\${C[0]}" r; }
big_file() { IFS= read -r r < "$f"; }
echo "$(t small_pipe 200) $(t big_pipe 10) $(t big_file 200)"; rm -f "$f"`,
  ],
  { encoding: 'utf8' },
);
const [small, bigPipe, bigFile] = readCost.stdout.trim().split(' ').map((x) => Number(x) / 1000);
console.log('\nbash `read` of one answer (ms): 20 B from a pipe, 5 KB from a pipe, 5 KB from a file');
console.log(`${small.toFixed(3)}   ${bigPipe.toFixed(2)}   ${bigFile.toFixed(3)}`);

// 3. A page written after a fork (the child gone): copy-on-write bookkeeping, and on a
// paravirtualised VM a trip through the hypervisor's page tables.
const fault = spawnSync(
  'perl',
  [
    '-MTime::HiRes=time',
    '-e',
    `my $n = 2000; my $s = "x" x (4096 * $n); my @r;
for (1 .. 5) { my $pid = fork(); exit 0 unless $pid; waitpid($pid, 0);
  my $t = time; substr($s, $_ * 4096, 1) = "y" for 0 .. $n - 1; push @r, (time - $t) / $n * 1e6; }
@r = sort { $a <=> $b } @r; printf "%.2f", $r[2];`,
  ],
  { encoding: 'utf8' },
);
console.log(`\nwriting one page after a fork: ${fault.stdout.trim()} µs (median of 5 × 2000 pages)`);
console.log(`load average at start: ${load0.toFixed(2)}; at end: ${loadavg()[0].toFixed(2)}`);
