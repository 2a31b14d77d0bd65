// `just`, `task` and `rake` are judged by what their project file runs (intercept/scripts.ts with
// analyze/runners.ts): real files on disk, the real judge. Nothing here runs the tools.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judge, type JudgeContext } from '../../src/intercept/judge.ts';
import { judgeContext } from './context.ts';
import { tempDir } from '../tmp.ts';

let ws = '';
let ctx: JudgeContext;
const put = (name: string, text: string): void => {
  mkdirSync(join(ws, name, '..'), { recursive: true });
  writeFileSync(join(ws, name), text);
};
const j = (line: string, more: Partial<JudgeContext> = {}) => judge(line, { ...ctx, ...more });

before(() => {
  const dir = tempDir('vg-runners-');
  ws = join(dir, 'ws');
  mkdirSync(join(ws, 'deep', 'er'), { recursive: true });
  mkdirSync(join(dir, 'home'));
  ctx = judgeContext(dir, { flags: { mode: 'auto' } });
  put('justfile', ['import? "extra.just"', 'build:', '    cc -o app main.c', '', 'clean:', '    rm -rf build', '', 'wipe:', '    rm -rf ~', '', 'py:', '    #!/usr/bin/env python3', '    import shutil, os', '    shutil.rmtree(os.path.expanduser("~"))', ''].join('\n'));
  put('extra.just', 'nuke:\n    rm -rf /\n');
  put('Taskfile.yml', ['version: "3"', 'tasks:', '  build:', '    cmds:', '      - go build ./...', '  wipe:', '    cmds:', '      - task: inner', '  inner:', '    cmds:', '      - rm -rf {{.HOME_DIR}}/', '  reset:', '    cmds:', '      - rm -rf ~', ''].join('\n'));
  put('Rakefile', 'task :build do\n  sh "cc -o app main.c"\nend\n');
  put('evil/Rakefile', 'task :default do\n  rm_rf Dir.home\nend\n');
  put('evil/justfile', 'x := `rm -rf ~`\nok:\n  echo ok\n');
  put('broken/Taskfile.yml', 'tasks: [unclosed\n');
});

test('just: the recipe asked is judged as what it runs; the justfile is found from a subdirectory', async () => {
  assert.equal((await j('just build')).risk, 'low');
  assert.equal((await j('just clean')).risk, 'low');
  for (const line of ['just wipe', 'just nuke', 'just py', 'cd deep/er && just wipe', 'just -f justfile wipe']) assert.equal((await j(line)).decision, 'block', line);
  assert.match((await j('just wipe')).notice, /justfile \(just wipe\): recursively deletes/);
  assert.equal((await j('just --list')).risk, 'low', 'listing runs nothing');
  assert.equal((await j('just', { cwd: join(ws, 'evil') })).decision, 'block', 'load-time backticks run whatever recipe is asked');
  assert.equal((await j('just --command rm -rf ~')).decision, 'block');
});

test('task: tasks it calls count; a Taskfile vg cannot parse is said, not ignored', async () => {
  assert.equal((await j('task build')).risk, 'low');
  assert.equal((await j('task reset')).decision, 'block');
  assert.notEqual((await j('task wipe')).risk, 'low', 'a task: call whose path is unknown still counts');
  const broken = await j('task build', { cwd: join(ws, 'broken') });
  assert.equal(broken.risk, 'medium');
  assert.match(broken.analysis.reasons.map((r) => r.message).join('\n'), /not YAML vg can read/);
});

test('task: an included Taskfile is read, also when the include names its directory', async () => {
  put('withinc/Taskfile.yml', 'version: "3"\nincludes:\n  lib: ./lib\n  one: ./one.yml\ntasks: {}\n');
  put('withinc/lib/Taskfile.yml', 'version: "3"\ntasks:\n  wipe:\n    cmds:\n      - rm -rf ~\n  ok:\n    cmds:\n      - echo ok\n');
  put('withinc/one.yml', 'version: "3"\ntasks:\n  wipe:\n    cmds:\n      - rm -rf /\n');
  const cwd = join(ws, 'withinc');
  assert.equal((await j('task lib:wipe', { cwd })).decision, 'block');
  assert.equal((await j('task one:wipe', { cwd })).decision, 'block');
  assert.equal((await j('task lib:ok', { cwd })).risk, 'low');
});

test('rake: the Rakefile is Ruby it loads whole, sh and FileUtils calls included; -e code too', async () => {
  assert.equal((await j('rake build')).risk, 'low');
  assert.equal((await j('rake -T', { cwd: join(ws, 'evil') })).decision, 'block', 'even listing loads the file');
  assert.equal((await j('rake', { cwd: join(ws, 'evil') })).decision, 'block');
  assert.equal((await j('rake -f evil/Rakefile build')).decision, 'block');
  assert.equal((await j("rake -e 'system(\"rm -rf ~\")'")).decision, 'block');
  assert.equal((await j('rake --version', { cwd: join(ws, 'evil') })).risk, 'low');
});

test('a file of SQL a database client runs is judged as those statements; one vg cannot read is left to the line', async () => {
  put('db/drop.sql', '-- cleanup\nDROP TABLE users;\n');
  put('db/seed.sql', "INSERT INTO users VALUES (1, 'a');\nSELECT 1;\n");
  put('db/big.sql', 'DROP TABLE t;\n' + '-- filler\n'.repeat(40_000));
  for (const line of ['psql -f db/drop.sql', 'psql --file=db/drop.sql app', 'mysql app < db/drop.sql', 'cat db/drop.sql | sqlite3 app.db', "sqlite3 app.db '.read db/drop.sql'", 'sqlcmd -i db/drop.sql']) {
    const v = await j(line);
    assert.equal(v.risk, 'high', line);
    assert.ok(v.analysis.reasons.some((r) => r.rule === 'database.destroy'), line);
  }
  assert.equal((await j('psql -f db/seed.sql')).risk, 'low');
  assert.equal((await j('mysql -f app < db/seed.sql')).risk, 'low', "mysql's -f is --force");
  assert.equal((await j('psql -f db/big.sql')).risk, 'low', 'over the size vg reads: the line alone decides');
  assert.equal((await j('psql -f "$F"')).risk, 'low');
  assert.equal((await j('psql -f db/missing.sql')).risk, 'low');
});
