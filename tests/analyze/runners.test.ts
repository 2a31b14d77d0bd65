// What `just`, `task` and `rake` run, as data: the invocation (analyze/runners.ts runnerInvocation)
// and the shell text of the recipes asked. The judge reading real files: tests/intercept/runners.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { justRun, parseJustfile, runnerInvocation, taskRun } from '../../src/analyze/runners.ts';
import { analyze } from '../../src/analyze/index.ts';
import { CTX } from './helpers.ts';

const inv = (line: string) => {
  const f = analyze(line, CTX).commands.find((c) => c.name === 'just' || c.name === 'task' || c.name === 'rake');
  return f ? runnerInvocation(f) : null;
};

test('the invocation: tasks, variables, file and directory options, list-only flags, code on the line', () => {
  assert.deepEqual(inv('just build test')?.tasks, ['build', 'test']);
  assert.deepEqual(inv('just -f ci.just --set MODE prod deploy')?.vars, [['MODE', 'prod']]);
  assert.equal(inv('just -f ci.just deploy')?.file, 'ci.just');
  assert.deepEqual(inv('just --justfile=ci.just deploy')?.tasks, ['deploy']);
  assert.equal(inv('just -d /srv/app deploy')?.dir, '/srv/app');
  assert.equal(inv('just --list')?.listOnly, true);
  assert.equal(inv('just --show deploy')?.listOnly, true);
  assert.deepEqual(inv('just --command rm -rf ~')?.inline, { lang: 'shell', code: 'rm -rf /home/dev' });
  assert.deepEqual(inv('task -t ci/Taskfile.yml -d ci build OUT=x -- --watch')?.tasks, ['build']);
  assert.deepEqual(inv('task build OUT=x')?.vars, [['OUT', 'x']]);
  assert.equal(inv('task --list-all')?.listOnly, true);
  assert.equal(inv('task -n build')?.listOnly, true, 'a dry run prints the commands');
  assert.deepEqual(inv('rake -f tasks.rb -C sub db:migrate')?.tasks, ['db:migrate']);
  assert.equal(inv('rake -T')?.listOnly, false, 'rake -T loads (runs) the Rakefile');
  assert.equal(inv('rake -T db')?.tasks.length, 0, "-T's pattern is no task");
  assert.equal(inv('rake --version')?.listOnly, true);
  assert.deepEqual(inv("rake -e 'puts 1'")?.inline, { lang: 'ruby', code: 'puts 1' });
  assert.equal(inv('just $RECIPE')?.dynamic, true);
  assert.equal(inv('make clean'), null);
});

const JF = [
  '# a justfile',
  'set dotenv-load',
  'out := "build"',
  'stamp := `date +%s`',
  'home := home_directory()',
  'alias b := build',
  '',
  'default: build',
  '',
  '@build: fmt',
  '    mkdir -p {{out}}',
  '    -cc -o {{out}}/app main.c',
  '',
  'fmt:',
  '  clang-format -i *.c',
  '',
  'clean dir=out:',
  '    rm -rf {{dir}}',
  '',
  'wipe:',
  '    rm -rf {{home}}',
  '',
  'deploy target: build && notify',
  '    scp {{out}}/app {{target}}:',
  '',
  'notify:',
  '    echo done',
  '',
  'py:',
  '    #!/usr/bin/env python3',
  '    import shutil',
  '    shutil.rmtree("/")',
  '',
  "[script('bash')]",
  'scripted:',
  '    echo one',
  '    echo two',
  '',
].join('\n');

test('just: the recipes asked, their dependencies first and `&&` ones after, once each; the first recipe by default', () => {
  assert.deepEqual(justRun(JF, []).lines, ['date +%s', 'clang-format -i *.c', 'mkdir -p build', 'cc -o build/app main.c'], 'load-time backticks, then default → build → fmt');
  assert.deepEqual(justRun(JF, ['b']).lines.slice(1), ['clang-format -i *.c', 'mkdir -p build', 'cc -o build/app main.c'], 'an alias runs its recipe');
  assert.deepEqual(justRun(JF, ['deploy', 'prod']).lines.slice(1), ['clang-format -i *.c', 'mkdir -p build', 'cc -o build/app main.c', 'scp build/app ${__vg_unknown}:', 'echo done']);
  assert.deepEqual(justRun(JF, ['wipe']).lines.slice(1), ['rm -rf ~'], 'home_directory() is ~');
  assert.deepEqual(justRun(JF, ['clean']).lines.slice(1), ['rm -rf ${__vg_unknown}'], 'a parameter is unknown');
  assert.deepEqual(justRun(JF, ['wipe'], [['home', '/tmp/x']]).lines.slice(1), ['rm -rf /tmp/x'], 'a variable set on the line wins');
  assert.deepEqual(justRun(JF, ['py']).lines.slice(1), [`python3 -c 'import shutil\nshutil.rmtree("/")'`], 'a shebang recipe is code in its language');
  assert.deepEqual(justRun(JF, ['scripted']).lines.slice(1), ['echo one\necho two'], '[script] recipes are one script');
  assert.deepEqual(justRun('set lazy\nx := `rm -rf ~`\na:\n  echo a\n', []).lines, ['echo a'], 'set lazy: unused backticks do not run');
  assert.deepEqual(justRun('set shell := ["ruby", "-e"]\na:\n  system("rm -rf ~")\n', []).lines, [`ruby -e 'system("rm -rf ~")'`], 'set shell: the recipe lines are that language');
  assert.deepEqual(justRun('a:\n  #!/usr/bin/env nu\n  rm -rf ~\n', []).unknown, ['runs recipe a in nu, a language vg does not read']);
});

test('just: imports are read where they are (and a missing one is said), conditionals judged in full', () => {
  const files: Record<string, string> = { '/p/more.just': 'import "deep/x.just"\nnuke:\n  rm -rf /\n', '/p/deep/x.just': 'y:\n  echo y\n' };
  const include = (name: string, from: string) => {
    const base = from ? from.slice(0, from.lastIndexOf('/')) : '/p';
    const path = `${base}/${name}`;
    return files[path] !== undefined ? { text: files[path]!, path } : null;
  };
  assert.deepEqual(justRun('import "more.just"\nimport? "gone.just"\n', ['nuke'], [], include).lines, ['rm -rf /']);
  assert.deepEqual(justRun('import "more.just"\n', ['y'], [], include).lines, ['echo y'], 'relative to the importing file');
  assert.deepEqual(justRun('import "gone.just"\na:\n  true\n', []).unknown, ['imports gone.just (not read)']);
  assert.match(justRun('x := if os() == "linux" { `rm -rf ~` } else { "y" }\na:\n  true\n', []).lines[0]!, /rm -rf ~/);
  assert.equal(parseJustfile('a b="x:y": c\n  echo\n').recipes.get('a')?.deps[0], 'c', 'a colon inside a default value is no separator');
});

const TF = {
  version: '3',
  vars: { OUT: 'build', REV: { sh: 'git rev-parse HEAD' } },
  tasks: {
    default: { deps: ['build'] },
    build: { deps: ['gen'], cmds: ['mkdir -p {{.OUT}}', { cmd: 'go build -o {{.OUT}}/app' }], preconditions: [{ sh: 'test -f go.mod' }] },
    gen: ['go generate ./...'],
    clean: { cmds: ['rm -rf {{.OUT}}', { task: 'gen' }], aliases: ['c'] },
    wipe: { vars: { D: { sh: 'echo ~' } }, cmds: ['rm -rf {{.D}}'] },
    nuke: 'rm -rf {{.HOME_DIR}}',
    later: { cmds: [{ defer: 'rm -rf /' }] },
  },
};

test('task: deps, cmds, task calls, preconditions, defer and dynamic vars; `default` by default', () => {
  assert.deepEqual(taskRun(TF, []).lines, ['git rev-parse HEAD', 'go generate ./...', 'test -f go.mod', 'mkdir -p build', 'go build -o build/app']);
  assert.deepEqual(taskRun(TF, ['c']).lines.slice(1), ['rm -rf build', 'go generate ./...'], 'an alias, a task: call');
  assert.deepEqual(taskRun(TF, ['clean'], [['OUT', '/']]).lines.slice(1, 2), ['rm -rf /'], 'OUT=/ on the line');
  assert.deepEqual(taskRun(TF, ['wipe']).lines.slice(1), ['echo ~', 'rm -rf ${__vg_unknown}'], 'a task var from sh: the command runs, its value is unknown');
  assert.deepEqual(taskRun(TF, ['nuke']).lines.slice(1), ['rm -rf ${__vg_unknown}']);
  assert.deepEqual(taskRun(TF, ['later']).lines.slice(1), ['rm -rf /']);
  const inc = { version: '3', tasks: { drop: { cmds: ['dropdb app'] } } };
  const withInc = { version: '3', includes: { db: './db', opt: { taskfile: './gone.yml', optional: true }, must: './gone2.yml' }, tasks: {} };
  const r = taskRun(withInc, ['db:drop'], [], (p) => (p === './db' ? inc : null));
  assert.deepEqual(r.lines, ['dropdb app'], 'an included Taskfile\'s tasks, namespaced');
  assert.deepEqual(r.unknown, ['includes ./gone2.yml (not read)'], 'an optional include may be missing');
  assert.deepEqual(taskRun('not a map', ['x']).lines, []);
});
