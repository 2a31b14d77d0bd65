// Bundles the CLI so `vg` starts as fast as Node can: one small entry chunk, heavy modules
// (yaml, dockerode) split into chunks that load only when a command imports them.
import { build } from 'esbuild';
import { rmSync, chmodSync, readFileSync, renameSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Build beside dist/ and swap it in, so a concurrent build or a running test never sees dist/ missing.
const out = join(root, `dist.tmp-${process.pid}`);
rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { vg: 'src/cli/main.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __vgCreateRequire } from 'node:module'; const require = __vgCreateRequire(import.meta.url);" },
  define: { __VG_VERSION__: JSON.stringify(pkg.version) },
  // dockerode pulls in ssh2/cpu-features with native bits; keep it external and load it lazily.
  external: ['dockerode', 'ssh2', 'cpu-features'],
  logLevel: 'warning',
  legalComments: 'none',
});
chmodSync(join(out, 'vg.js'), 0o755);
const old = join(root, `dist.old-${process.pid}`);
if (existsSync(join(root, 'dist'))) renameSync(join(root, 'dist'), old);
renameSync(out, join(root, 'dist'));
rmSync(old, { recursive: true, force: true });
