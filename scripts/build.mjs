// Bundles the CLI so `vg` starts as fast as Node can. One CommonJS file, measured faster than ESM
// chunks here (ESM linking of a dozen chunks cost ~15 ms per start; V8 only pre-parses the code a
// command does not run). Heavy modules stay lazy: `import()` becomes a deferred require, so yaml
// and dockerode are evaluated only when a command needs them. dist/vg.js is a small launcher
// (scripts/launcher.cjs) that loads the bundle through V8's code cache.
import { build } from 'esbuild';
import { rmSync, chmodSync, readFileSync, renameSync, existsSync, writeFileSync, copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Build beside dist/ and swap it in, so a concurrent build or a running test never sees dist/ missing.
const out = join(root, `dist.tmp-${process.pid}`);
rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'vg-main': 'src/cli/main.ts' },
  outdir: out,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.cjs' },
  banner: { js: "const __vg_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  define: { __VG_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__vg_import_meta_url' },
  // dockerode pulls in ssh2/cpu-features with native bits; keep it external and load it lazily.
  external: ['dockerode', 'ssh2', 'cpu-features'],
  logLevel: 'warning',
  legalComments: 'none',
  minify: true,
});
copyFileSync(join(root, 'scripts', 'launcher.cjs'), join(out, 'vg.js'));
chmodSync(join(out, 'vg.js'), 0o755);
// The package is "type": "module"; the bundle is CommonJS.
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
const old = join(root, `dist.old-${process.pid}`);
if (existsSync(join(root, 'dist'))) renameSync(join(root, 'dist'), old);
renameSync(out, join(root, 'dist'));
rmSync(old, { recursive: true, force: true });
