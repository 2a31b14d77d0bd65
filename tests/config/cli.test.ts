// `vg config …` through the bundled CLI, as users run it (`npm test` builds dist/ first).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const VG = join(root, 'dist', 'vg.js');

before(() => {
  if (!existsSync(VG)) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
});

function vg(s: Sandbox, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(s.env as Record<string, string>), ...opts.env };
  const r = spawnSync(process.execPath, [VG, 'config', ...args], { cwd: opts.cwd ?? s.home, env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const oneLine = (err: string) => {
  assert.equal(err.trimEnd().split('\n').length, 1, `one line: ${err}`);
  assert.ok(!/\n\s+at /.test(err), 'no stack trace');
};

test('config --help and bare config', () => {
  const s = sandbox();
  const h = vg(s, ['--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /show \[--json\] \[--origin\]/);
  assert.match(h.out, /init \[--preset P\] \[--local\] \[--force\]/);
  assert.equal(vg(s, []).code, 2);
  const bad = vg(s, ['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^vg: config: unknown command 'frobnicate'/);
});

test('config path: the user file, then the project file', () => {
  const s = sandbox();
  assert.equal(vg(s, ['path']).out, `${s.userFile}\n`);
  s.dir('home/repo/.git');
  const pf = s.write('home/repo/.vg.yaml', '{}\n');
  assert.equal(vg(s, ['path'], { cwd: s.dir('home/repo/x') }).out, `${s.userFile}\n${pf}\n`);
  const other = join(s.root, 'other.yaml');
  assert.equal(vg(s, ['path'], { env: { VG_CONFIG: other } }).out, `${other}\n`);
});

test('config init writes the commented preset with a schema line, 0600 in a 0700 dir; refuses to overwrite', () => {
  const s = sandbox();
  const r = vg(s, ['init', '--preset', 'developer']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'wrote ~/.config/vg/config.yaml (preset developer)\n');
  const text = readFileSync(s.userFile, 'utf8');
  const first = text.split('\n')[0];
  assert.match(first, /^# yaml-language-server: \$schema=file:\/\/\/.*\/schema\/vg\.schema\.json$/);
  assert.ok(existsSync(new URL(first.split('$schema=')[1])), 'schema path exists');
  assert.match(text, /mode: auto/);
  const mask = process.umask();
  assert.equal(statSync(s.userFile).mode & 0o777, 0o600 & ~mask);
  assert.equal(statSync(join(s.home, '.config', 'vg')).mode & 0o777, 0o700 & ~mask);
  const again = vg(s, ['init', '--preset', 'ci']);
  assert.equal(again.code, 1);
  assert.match(again.err, /^vg: ~\/\.config\/vg\/config\.yaml already exists — edit it, or add --force to overwrite it with the ci template\n$/);
  assert.match(readFileSync(s.userFile, 'utf8'), /preset: developer/);
  assert.equal(vg(s, ['init', '--preset', 'ci', '--force']).code, 0);
  assert.match(readFileSync(s.userFile, 'utf8'), /preset: ci/);
  const badPreset = vg(s, ['init', '--preset', 'prod']);
  assert.equal(badPreset.code, 2);
  assert.match(badPreset.err, /preset 'prod' is not one of developer, ci, production/);
});

test('config init without a preset writes the all-commented defaults; --local writes ./.vg.yaml and reports loosening', () => {
  const s = sandbox();
  assert.equal(vg(s, ['init']).code, 0);
  assert.match(readFileSync(s.userFile, 'utf8'), /#\s+mode: always/);
  const proj = s.dir('home/repo');
  s.dir('home/repo/.git');
  const r = vg(s, ['init', '--local', '--preset', 'developer'], { cwd: proj });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'wrote ~/repo/.vg.yaml (preset developer)\n');
  // developer's mode: auto is looser than the user's default `always`: said at once.
  assert.match(r.err, /^vg: note: ~\/repo\/\.vg\.yaml:\d+: sandbox\.mode: 'auto' ignored — looser than 'always'/m);
  assert.equal(statSync(join(proj, '.vg.yaml')).mode & 0o777, 0o644 & ~process.umask());
});

test('config validate: ok lines, and one-line errors with exit 1', () => {
  const s = sandbox();
  const none = vg(s, ['validate']);
  assert.equal(none.code, 0);
  assert.match(none.out, /^ok: no config file/);
  s.write(s.userFile, 'sandbox: {mode: auto}\n');
  assert.equal(vg(s, ['validate']).out, 'ok: ~/.config/vg/config.yaml\n');
  const bad = s.write('bad.yaml', 'sandbox:\n  enabled: true\n  mode: sometimes\n');
  const r = vg(s, ['validate', bad]);
  assert.equal(r.code, 1);
  assert.equal(r.err, `vg: ${bad}:3: sandbox.mode: 'sometimes' is not one of always, auto, risky, never — fix the value or run \`vg config validate\`\n`);
  oneLine(r.err);
  const broken = s.write('broken.yaml', 'sandbox:\n  mode: auto\n bad indent: [\n');
  const b = vg(s, ['validate', broken]);
  assert.equal(b.code, 1);
  assert.match(b.err, /^vg: .*broken\.yaml:\d+:\d+: YAML syntax: /);
  oneLine(b.err);
  const missing = vg(s, ['validate', join(s.root, 'nope.yaml')]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.yaml: no such file/);
  const good = s.write('good.yaml', PRESET_LINE);
  assert.equal(vg(s, ['validate', good]).out, `ok: ${good}\n`);
});

const PRESET_LINE = 'sandbox: {mode: always, security_level: paranoid, network_mode: none}\n';

test('a broken user file breaks `show` with one line and no stack trace', () => {
  const s = sandbox();
  s.write(s.userFile, 'sandbox:\n  mode: "auto\n');
  const r = vg(s, ['show']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^vg: ~\/\.config\/vg\/config\.yaml:\d+:\d+: YAML syntax: /);
  oneLine(r.err);
  const e = vg(s, ['show'], { env: { VG_MODE: 'nah' } });
  assert.equal(e.code, 1);
});

test('config show: YAML, --json, --origin', () => {
  const s = sandbox();
  s.write(s.userFile, '# mine\nsandbox:\n  mode: auto\n');
  const y = vg(s, ['show']);
  assert.equal(y.code, 0, y.err);
  assert.match(y.out, /^# from ~\/\.config\/vg\/config\.yaml\nsandbox:\n  enabled: true\n  mode: auto\n/);
  const j = JSON.parse(vg(s, ['show', '--json']).out);
  assert.equal(j.sandbox.mode, 'auto');
  assert.equal(j.sandbox.enable_cache, true);
  const jo = JSON.parse(vg(s, ['show', '--json', '--origin'], { env: { VG_RUNTIME: 'podman' } }).out);
  assert.equal(jo.origins['sandbox.mode'], '~/.config/vg/config.yaml:3');
  assert.equal(jo.origins['sandbox.runtime'], 'env VG_RUNTIME');
  assert.equal(jo.origins['sandbox.timeout'], 'default');
  const o = vg(s, ['show', '--origin']).out;
  assert.match(o, /^sandbox\.mode\s+"auto"\s+# ~\/\.config\/vg\/config\.yaml:3$/m);
  assert.match(o, /^sandbox\.network_mode\s+null \(follows security_level: restricted\)\s+# default$/m);
  assert.match(o, /^audit\.keep\s+5\s+# default$/m);
  const p = vg(s, ['show', '--bogus']);
  assert.equal(p.code, 2);
  assert.match(p.err, /unknown option '--bogus'/);
});

test('config show notes a refused project setting on stderr, and keeps the user value', () => {
  const s = sandbox();
  s.dir('home/repo/.git');
  writeFileSync(s.write('home/repo/.vg.yaml', ''), 'sandbox:\n  security_level: permissive\n');
  const r = vg(s, ['show', '--json'], { cwd: join(s.home, 'repo') });
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.out).sandbox.security_level, 'balanced');
  assert.match(r.err, /^vg: note: ~\/repo\/\.vg\.yaml:2: sandbox\.security_level: 'permissive' ignored — lower than 'balanced' from the default; a project file may only tighten/);
});
