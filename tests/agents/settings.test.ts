// `vg hook install/uninstall claude-code`: the settings file is someone else's — keep their hooks,
// add ours once, back up, write atomically, refuse what we cannot parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, lstatSync, symlinkSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { addHook, editSettings, hookCommand, isOurs, removeHook, detectIndent } from '../../src/agents/settings.ts';
import { sh, vg, world } from './helpers.ts';

const CMD = hookCommand(['/usr/bin/node', '/opt/vg/dist/vg.js']);
const theirs = {
  model: 'opus',
  permissions: { allow: ['Bash(npm test)'], deny: ['Read(./.env)'] },
  hooks: {
    PreToolUse: [
      { matcher: 'Bash', hooks: [{ type: 'command', command: 'python3 ~/.claude/hooks/log.py', timeout: 5 }] },
      { matcher: 'Write|Edit', hooks: [{ type: 'command', command: 'prettier --check' }] },
    ],
    PostToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'echo done' }] }],
  },
};

test('isOurs finds our entry whatever the install path or quoting', () => {
  assert.ok(isOurs(CMD));
  assert.ok(isOurs('vg hook claude-code'));
  assert.ok(isOurs("'/home/u/my vg/dist/vg.js' hook claude-code --confirm || exit 2"));
  assert.ok(!isOurs('python3 hook.py'));
  assert.ok(!isOurs('vg hook json'));
  assert.ok(!isOurs(undefined));
});

test('addHook keeps every existing hook and setting, appends ours once', () => {
  const { doc, change } = addHook(theirs, CMD);
  assert.equal(change, 'added');
  const pre = (doc.hooks as any).PreToolUse;
  assert.equal(pre.length, 3);
  assert.deepEqual(pre.slice(0, 2), theirs.hooks.PreToolUse);
  assert.deepEqual(pre[2], { matcher: 'Bash', hooks: [{ type: 'command', command: CMD, timeout: 30, onFailure: 'block' }] });
  assert.deepEqual((doc.hooks as any).PostToolUse, theirs.hooks.PostToolUse);
  assert.deepEqual(doc.permissions, theirs.permissions);
  assert.equal(doc.model, 'opus');
  assert.equal(theirs.hooks.PreToolUse.length, 2, 'input not mutated');
  // Again: nothing to do.
  const again = addHook(doc, CMD);
  assert.equal(again.change, 'unchanged');
  assert.deepEqual(again.doc, doc);
});

test('an entry from before onFailure existed is brought up to date', () => {
  const old = { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: CMD, timeout: 30 }] }] } };
  const { doc, change } = addHook(old, CMD);
  assert.equal(change, 'updated');
  assert.equal((doc.hooks as any).PreToolUse[0].hooks[0].onFailure, 'block');
});

test('addHook updates an older entry in place and drops duplicates', () => {
  const old = addHook(theirs, hookCommand(['/old/node', '/old/vg.js'])).doc;
  const dup = structuredClone(old) as any;
  dup.hooks.PreToolUse.push({ matcher: 'Bash', hooks: [{ type: 'command', command: 'vg hook claude-code' }] });
  const { doc, change } = addHook(dup, CMD);
  assert.equal(change, 'updated');
  const ours = (doc.hooks as any).PreToolUse.flatMap((g: any) => g.hooks).filter((h: any) => isOurs(h.command));
  assert.equal(ours.length, 1);
  assert.equal(ours[0].command, CMD);
  assert.equal((doc.hooks as any).PreToolUse.length, 3);
});

test('removeHook takes out only ours; a file without it is left alone', () => {
  const withOurs = addHook(theirs, CMD).doc;
  const { doc, change } = removeHook(withOurs);
  assert.equal(change, 'removed');
  assert.deepEqual(doc, theirs);
  assert.equal(removeHook(theirs).change, 'absent');
  const onlyOurs = addHook({}, CMD).doc;
  assert.deepEqual(removeHook(onlyOurs).doc, {});
  // Our hook sharing a group with someone else's: the group stays with theirs.
  const shared = { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'other' }, { type: 'command', command: CMD }] }] } };
  assert.deepEqual(removeHook(shared).doc, { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'other' }] }] } });
});

test('odd shapes are refused, not "fixed"', () => {
  assert.throws(() => addHook([], CMD), /top level is not a JSON object/);
  assert.throws(() => addHook({ hooks: [] }, CMD), /"hooks" is not an object/);
  assert.throws(() => addHook({ hooks: { PreToolUse: {} } }, CMD), /"hooks.PreToolUse" is not a list/);
});

test('detectIndent keeps the file\'s style', () => {
  assert.equal(detectIndent('{\n    "a": 1\n}'), '    ');
  assert.equal(detectIndent('{\n\t"a": 1\n}'), '\t');
  assert.equal(detectIndent('{"a":1}'), 2);
});

test('editSettings: missing file created; backup on change; atomic; mode kept; no temp files left', () => {
  const w = world();
  const file = join(w.home, '.claude', 'settings.json');
  const r1 = editSettings(file, (d) => addHook(d, CMD));
  assert.equal(r1.change, 'added');
  assert.equal(r1.existed, false);
  assert.equal(r1.backup, undefined);
  assert.ok(!existsSync(`${file}.bak`));
  const first = readFileSync(file, 'utf8');
  assert.equal(JSON.parse(first).hooks.PreToolUse[0].hooks[0].command, CMD);

  chmodSync(file, 0o600);
  const r2 = editSettings(file, (d) => addHook(d, CMD));
  assert.equal(r2.change, 'unchanged');
  assert.equal(readFileSync(file, 'utf8'), first);

  const r3 = editSettings(file, (d) => removeHook(d));
  assert.equal(r3.change, 'removed');
  assert.equal(readFileSync(`${file}.bak`, 'utf8'), first);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(w.home, '.claude')).sort(), ['settings.json', 'settings.json.bak']);
});

test('editSettings: invalid JSON is refused and the file is untouched', () => {
  const w = world();
  const file = join(w.work, '.claude', 'settings.json');
  mkdirSync(join(w.work, '.claude'));
  const broken = '{\n  "hooks": { "PreToolUse": [ }\n  // comments are not JSON\n';
  writeFileSync(file, broken);
  assert.throws(() => editSettings(file, (d) => addHook(d, CMD)), /is not valid JSON .* nothing was changed/);
  assert.equal(readFileSync(file, 'utf8'), broken);
  assert.deepEqual(readdirSync(join(w.work, '.claude')), ['settings.json']);
});

test('editSettings: a symlinked settings file is edited at its target, the link kept', () => {
  const w = world();
  const dots = join(w.home, 'dotfiles');
  mkdirSync(dots);
  mkdirSync(join(w.home, '.claude'));
  writeFileSync(join(dots, 'claude.json'), JSON.stringify(theirs, null, 4) + '\n');
  const link = join(w.home, '.claude', 'settings.json');
  symlinkSync(join(dots, 'claude.json'), link);
  editSettings(link, (d) => addHook(d, CMD));
  assert.ok(lstatSync(link).isSymbolicLink());
  const text = readFileSync(join(dots, 'claude.json'), 'utf8');
  assert.match(text, /^\{\n {4}"model"/, 'indentation kept');
  assert.equal(JSON.parse(text).hooks.PreToolUse.length, 3);
});

test('vg hook install/uninstall claude-code: user, --project, --local, --dry-run, idempotent', () => {
  const w = world();
  const userFile = join(w.home, '.claude', 'settings.json');
  mkdirSync(join(w.home, '.claude'));
  writeFileSync(userFile, JSON.stringify(theirs, null, 2) + '\n');

  const dry = vg(['hook', 'install', 'claude-code', '--dry-run'], { env: w.env, cwd: w.work });
  assert.equal(dry.status, 0, dry.stderr);
  assert.equal(JSON.parse(dry.stdout).hooks.PreToolUse.length, 3);
  assert.deepEqual(JSON.parse(readFileSync(userFile, 'utf8')), theirs, '--dry-run changes nothing');

  const i1 = vg(['hook', 'install', 'claude-code'], { env: w.env, cwd: w.work });
  assert.equal(i1.status, 0, i1.stderr);
  assert.match(i1.stderr, /added the vg PreToolUse hook .*settings\.json \(previous version: .*settings\.json\.bak\)/);
  const after1 = readFileSync(userFile, 'utf8');
  const i2 = vg(['hook', 'install', 'claude-code'], { env: w.env, cwd: w.work });
  assert.equal(i2.status, 0, i2.stderr);
  assert.match(i2.stderr, /already in .* nothing changed/);
  assert.equal(readFileSync(userFile, 'utf8'), after1);
  assert.deepEqual(JSON.parse(readFileSync(`${userFile}.bak`, 'utf8')), theirs);

  const ours = JSON.parse(after1).hooks.PreToolUse[2].hooks[0];
  assert.equal(ours.type, 'command');
  assert.equal(ours.onFailure, 'block');
  assert.ok(ours.command.includes(process.execPath), 'user scope names this node');
  assert.match(ours.command, /dist\/vg\.js hook claude-code \|\| \{/);

  const p = vg(['hook', 'install', 'claude-code', '--project', '--confirm'], { env: w.env, cwd: w.work });
  assert.equal(p.status, 0, p.stderr);
  const proj = JSON.parse(readFileSync(join(w.work, '.claude', 'settings.json'), 'utf8'));
  assert.match(proj.hooks.PreToolUse[0].hooks[0].command, /^vg hook claude-code --confirm \|\| \{/);
  assert.match(p.stderr, /needs vg installed/);

  const l = vg(['hook', 'install', 'claude-code', '--local'], { env: w.env, cwd: w.work });
  assert.equal(l.status, 0, l.stderr);
  assert.ok(existsSync(join(w.work, '.claude', 'settings.local.json')));

  const u = vg(['hook', 'uninstall', 'claude-code'], { env: w.env, cwd: w.work });
  assert.equal(u.status, 0, u.stderr);
  assert.deepEqual(JSON.parse(readFileSync(userFile, 'utf8')), theirs, 'uninstall restores the original content');
  const u2 = vg(['hook', 'uninstall', 'claude-code'], { env: w.env, cwd: w.work });
  assert.match(u2.stderr, /no vg hook .* nothing changed/);

  const bad = vg(['hook', 'install', 'claude-code', '--project', '--local'], { env: w.env, cwd: w.work });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^vg: .* — /);
});

test('vg hook install refuses invalid JSON with one line and exit 1, file untouched', () => {
  const w = world();
  mkdirSync(join(w.home, '.claude'));
  const file = join(w.home, '.claude', 'settings.json');
  writeFileSync(file, '{ "hooks": ');
  const r = vg(['hook', 'install', 'claude-code'], { env: w.env, cwd: w.work });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^vg: .*settings\.json is not valid JSON .* — fix it or move it aside; nothing was changed\n$/);
  assert.equal(readFileSync(file, 'utf8'), '{ "hooks": ');
});

test('the installed command blocks (exit 2) when vg itself cannot run', () => {
  const w = world();
  const cmd = hookCommand([process.execPath, join(w.root, 'no-such-vg.js')]);
  const r = sh(cmd, { env: w.env, cwd: w.work });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /vg hook failed, so the command was blocked/);
});
