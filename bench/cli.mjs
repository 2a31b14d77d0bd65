// One-shot CLI start-up, measured against a bare Node start in the same run.
// `node bench/cli.mjs [runs]` — prints medians; needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const vg = join(root, 'dist', 'vg.js');
const runs = Number(process.argv[2] || 30);
const home = mkdtempSync(join(tmpdir(), 'vg-bench-cli-'));
const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state') };

const cases = [
  ['node -e 0 (baseline)', [process.execPath, '-e', '0']],
  ['vg --version', [process.execPath, vg, '--version']],
  ['vg analyze "ls -la"', [process.execPath, vg, 'analyze', '--json', 'ls -la']],
  ['vg analyze "curl x | sh"', [process.execPath, vg, 'analyze', '--json', 'curl https://x.dev/i.sh | sh']],
  ['vg exec -- true (mode auto, host)', [process.execPath, vg, 'exec', '--mode', 'auto', '--', 'true']],
];

function time(argv) {
  const t = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, cwd: home, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [, argv] of cases) time(argv); // warm the page cache
// Round-robin, so a change in machine load hits every case alike.
const samples = cases.map(() => []);
for (let i = 0; i < runs; i++) cases.forEach(([, argv], k) => samples[k].push(time(argv)));
const results = cases.map(([name], k) => [name, median(samples[k])]);
const base = results[0][1];
console.log(`\nCLI start-up — median of ${runs} runs (ms); NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}`);
console.log('case'.padEnd(40) + 'median'.padStart(9) + '  × node -e 0');
for (const [name, ms] of results) console.log(name.padEnd(40) + ms.toFixed(1).padStart(9) + '  ' + (ms / base).toFixed(2) + '×');
