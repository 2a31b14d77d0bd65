import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, PRESETS, DEFAULT_TEMPLATE, PRESET_NAMES } from '../../src/store/config/index.ts';
import { defaultConfig, effectiveNetwork } from '../../src/store/config/types.ts';
import { sandbox } from './helpers.ts';

// The product docs' three examples.
const EXPECT = {
  developer: { enabled: true, mode: 'auto', security_level: 'balanced', enable_cache: true, network: 'restricted' },
  ci: { enabled: true, mode: 'always', security_level: 'strict', enable_cache: true, network: 'restricted' },
  production: { enabled: true, mode: 'always', security_level: 'paranoid', enable_cache: true, network: 'none' },
} as const;

test('PRESETS has exactly developer, ci, production', () => {
  assert.deepEqual(Object.keys(PRESETS).sort(), [...PRESET_NAMES].sort());
});

for (const name of PRESET_NAMES) {
  test(`preset ${name} loads, validates and matches the product docs`, async () => {
    const s = sandbox();
    s.write(s.userFile, PRESETS[name]);
    const r = await loadConfig({ cwd: s.home, env: s.env });
    const e = EXPECT[name];
    const c = r.config.sandbox;
    assert.equal(c.enabled, e.enabled);
    assert.equal(c.mode, e.mode);
    assert.equal(c.security_level, e.security_level);
    assert.equal(c.enable_cache, e.enable_cache);
    assert.equal(effectiveNetwork(c), e.network);
    if (name === 'production') assert.equal(c.network_mode, 'none');
    assert.deepEqual(r.notices, []);
    assert.match(PRESETS[name], /^# vg preset: /, 'commented');
  });
}

test('the default template (all commented) loads to exactly the defaults', async () => {
  const s = sandbox();
  s.write(s.userFile, DEFAULT_TEMPLATE);
  assert.deepEqual((await loadConfig({ cwd: s.home, env: s.env })).config, defaultConfig());
});

test('the default template, uncommented, is a valid file with the default values', async () => {
  const s = sandbox();
  // Uncomment `# key: value` lines (not the prose comments, which have no `key:` shape).
  const text = DEFAULT_TEMPLATE.split('\n')
    .map((l) => l.replace(/^(\s*)# ((?:[a-z_.-]+:|- |  - |\s+[a-z_.-]+:).*)$/, '$1$2'))
    .join('\n');
  s.write(s.userFile, text);
  const { config } = await loadConfig({ cwd: s.home, env: s.env });
  const d = defaultConfig();
  assert.equal(config.sandbox.mode, d.sandbox.mode);
  assert.equal(config.sandbox.image, d.sandbox.image);
  assert.equal(config.shell.analyzer_timeout_ms, d.shell.analyzer_timeout_ms);
  assert.equal(config.rules.add[0].id, 'team.prod-db');
  assert.deepEqual(config.rules.levels, { 'git.force-push': 'medium' });
});
