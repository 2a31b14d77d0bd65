// Runs every benchmark in bench/ in one go (each prints its own table). `npm run bench`.
// Pass names to run a subset: `npm run bench -- cli analyze`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const all = ['cli', 'analyze', 'judge', 'serve', 'sandbox', 'shell', 'containers'];
const pick = process.argv.slice(2);
let failed = 0;
for (const name of pick.length ? pick : all) {
  const file = join(here, `${name}.mjs`);
  if (!existsSync(file)) {
    console.log(`\n[${name}] skipped: ${file} not present`);
    continue;
  }
  console.log(`\n===== ${name} =====`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
