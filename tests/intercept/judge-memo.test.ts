// The resident analyzer's memo of analyses: a retyped line is not analysed again, and anything the
// analysis depends on (environment, config, cwd, caches dropped after a `vg` line) makes it analyse anew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judge, forgetCaches, type JudgeContext } from '../../src/intercept/judge.ts';

test('judge: a resident analyzer reuses the analysis of a retyped line until what it depends on changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vg-memo-'));
  try {
    const ws = join(dir, 'ws');
    mkdirSync(ws);
    const env: Record<string, string> = { HOME: '/home/alice', PATH: '/usr/bin:/bin', XDG_CONFIG_HOME: join(dir, 'cfg'), VG_STATE_DIR: join(dir, 'state') };
    const ctx: JudgeContext = { cwd: ws, env, interactive: false, session: 's', source: 'shell', resident: true, envVersion: 0, planSandbox: false };
    const line = 'rm -rf /home/$USER';
    const a = await judge(line, ctx);
    const b = await judge(line, ctx);
    assert.equal(b.analysis, a.analysis, 'the same line, nothing changed: the same analysis');
    assert.notEqual(a.risk, 'critical', '$USER unknown: not known to be the home');
    // The shell exports USER (an E request changes env in place and bumps the version).
    env.USER = 'alice';
    const stale = await judge(line, ctx);
    assert.equal(stale.analysis, a.analysis, 'same env object, same version: memo (what the version is for)');
    const c = await judge(line, { ...ctx, envVersion: 1 });
    assert.notEqual(c.analysis, a.analysis);
    assert.equal(c.risk, 'critical', 'now it is the home directory');
    // Another cwd, another analysis; caches dropped (after a `vg` line): analysed anew.
    assert.notEqual((await judge(line, { ...ctx, envVersion: 1, cwd: dir })).analysis, c.analysis);
    forgetCaches();
    assert.notEqual((await judge(line, { ...ctx, envVersion: 1 })).analysis, c.analysis);
    // Not resident (vg exec, vg analyze): never memoized.
    const once = { ...ctx, resident: false };
    assert.notEqual((await judge('ls', once)).analysis, (await judge('ls', once)).analysis);
    // The config is reloaded once a second (a new object); people type slower than that. Same rules:
    // still the memo. A rule added to the config file: analysed anew, and the rule applies.
    const cx = { ...ctx, envVersion: 1 };
    const d = await judge('psql -h prod.db', cx);
    assert.equal(d.risk, 'low');
    await new Promise((r) => setTimeout(r, 1100));
    const e = await judge('psql -h prod.db', cx);
    assert.notEqual(e.config, d.config, 'the config was reloaded');
    assert.equal(e.analysis, d.analysis, 'same rules: the same analysis');
    mkdirSync(join(dir, 'cfg', 'vg'), { recursive: true });
    writeFileSync(join(dir, 'cfg', 'vg', 'config.yaml'), "rules:\n  add:\n    - {id: team.prod-db, risk: high, message: touches prod, commands: [psql], pattern: 'prod\\.db'}\n");
    await new Promise((r) => setTimeout(r, 1100));
    const f = await judge('psql -h prod.db', cx);
    assert.notEqual(f.analysis, d.analysis);
    assert.equal(f.risk, 'high', 'the new rule applies');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
