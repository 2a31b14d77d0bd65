// Which files a line runs as shell code (analyze/scripts.ts): named as data, read by the judge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/analyze/index.ts';
import { scriptRefs, shebangShell } from '../../src/analyze/scripts.ts';
import { CTX } from './helpers.ts';

// (Bare command names are refs too, kind `path`: tested on their own below.)
const refs = (line: string) => scriptRefs(analyze(line, CTX).commands).filter((r) => r.kind !== 'path').map((r) => `${r.kind}:${r.word}${r.dynamic ? ' (dynamic)' : ''}${r.searchPath ? ' (path)' : ''}`);

test('scriptRefs: source and . in every spelling, wherever they stand', () => {
  assert.deepEqual(refs('source x.sh'), ['source:x.sh (path)']);
  assert.deepEqual(refs('. ./x.sh'), ['source:./x.sh']);
  assert.deepEqual(refs('builtin source x.sh'), ['source:x.sh (path)']);
  assert.deepEqual(refs('command . /tmp/x.sh'), ['source:/tmp/x.sh']);
  assert.deepEqual(refs('true && { source a.sh; }; (. b.sh)'), ['source:a.sh (path)', 'source:b.sh (path)']);
  assert.deepEqual(refs('if true; then source a.sh; fi'), ['source:a.sh (path)']);
  assert.deepEqual(refs('f() { source a.sh; }; f'), ['source:a.sh (path)'], 'in a function the line defines');
  assert.deepEqual(refs('echo "$(source a.sh)"'), ['source:a.sh (path)'], 'in a substitution');
  assert.deepEqual(refs('source ~/x.sh'), ['source:/home/dev/x.sh'], 'tilde resolved');
  assert.deepEqual(refs('d=lib; source $d/x.sh'), ['source:lib/x.sh'], 'a variable set on the line');
  assert.deepEqual(refs('source "$UNKNOWN"'), ['source:$UNKNOWN (dynamic) (path)'], 'named as typed, marked unknown');
  assert.deepEqual(refs('source'), [], 'no operand: an error, nothing runs');
});

test('scriptRefs: a shell given a file, and a file run by its path', () => {
  assert.deepEqual(refs('bash x.sh arg'), ['run:x.sh (path)']);
  assert.deepEqual(refs('sh -e -x ./x.sh'), ['run:./x.sh']);
  assert.deepEqual(refs('bash -o pipefail x.sh'), ['run:x.sh (path)'], '-o takes the next word');
  assert.deepEqual(refs('bash --norc -- x.sh'), ['run:x.sh (path)']);
  assert.deepEqual(refs('sudo bash x.sh'), ['run:x.sh (path)'], 'behind a wrapper');
  assert.deepEqual(refs('zsh x.zsh; fish y.fish'), ['run:x.zsh (path)', 'run:y.fish (path)']);
  assert.deepEqual(refs('bash -c "echo hi"'), [], '-c: a string, judged by the facts themselves');
  assert.deepEqual(refs('bash -s < x.sh'), ['run:/home/dev/project/x.sh'], '-s: stdin, here a file');
  assert.deepEqual(refs('bash -s'), [], '-s: stdin, a terminal');
  assert.deepEqual(refs('bash'), []);
  assert.deepEqual(refs('./run.sh; scripts/build'), ['exec:./run.sh', 'exec:scripts/build']);
  assert.deepEqual(refs('ls ./x.sh; cat x.sh'), [], 'a file as an argument is not run');
  assert.deepEqual(refs('python3 x.py'), ['interp:x.py'], "an interpreter's file: see below");
});

test('shebangShell: shells vg judges, directly or through env, and nothing else', () => {
  assert.equal(shebangShell('#!/bin/sh\nrm -rf /'), 'sh');
  assert.equal(shebangShell('#!/bin/bash -e\n'), 'bash');
  assert.equal(shebangShell('#! /usr/bin/env bash\n'), 'bash');
  assert.equal(shebangShell('#!/usr/bin/env -S zsh -f\n'), 'zsh');
  assert.equal(shebangShell('#!/usr/bin/fish\n'), 'fish');
  assert.equal(shebangShell('#!/usr/bin/env python3\n'), null);
  assert.equal(shebangShell('#!/usr/bin/node\n'), null);
  assert.equal(shebangShell('echo no shebang\n'), null);
});

test('packageScripts: which package.json scripts a package manager runs', async () => {
  const { packageScripts } = await import('../../src/analyze/scripts.ts');
  const of = (line: string) => packageScripts(analyze(line, CTX).commands.at(-1)!);
  assert.deepEqual(of('npm test'), ['test']);
  assert.deepEqual(of('npm t'), ['test']);
  assert.deepEqual(of('npm run build -- --watch'), ['build']);
  assert.deepEqual(of('npm run-script lint'), ['lint']);
  assert.deepEqual(of('npm --silent run build'), ['build']);
  assert.deepEqual(of('yarn lint'), ['lint'], 'yarn runs a script by its name');
  assert.deepEqual(of('pnpm dev'), ['dev']);
  assert.deepEqual(of('bun run build'), ['build']);
  assert.ok(of('npm install')?.includes('postinstall'), 'installing the project runs its lifecycle scripts');
  assert.ok(of('npm ci')?.includes('prepare'));
  assert.ok(of('yarn')?.includes('postinstall'), 'bare yarn installs');
  for (const line of ['npm install left-pad', 'yarn add x', 'pnpm add x', 'npm view x', 'yarn why x', 'npx tsc', 'npm run', 'ls npm'])
    assert.equal(of(line), null, line);
});

test('scriptRefs: a script file an interpreter runs (not inline code, not a module, not a REPL)', () => {
  assert.deepEqual(refs('python3 tool.py --flag'), ['interp:tool.py']);
  assert.deepEqual(refs('python3 -u -W ignore tool.py'), ['interp:tool.py']);
  assert.deepEqual(refs('node scripts/build.mjs'), ['interp:scripts/build.mjs']);
  assert.deepEqual(refs('node -r ts-node/register src/x.ts'), ['interp:src/x.ts']);
  assert.deepEqual(refs('ruby x.rb; perl x.pl'), ['interp:x.rb', 'interp:x.pl']);
  for (const line of ['python3', 'python3 -c "print(1)"', 'python3 -m http.server', 'node -e 1', 'node', 'node server']) assert.deepEqual(refs(line), [], line);
});

test('scriptRefs: bare command names are looked up on PATH by the judge, apart from the rest', () => {
  const all = scriptRefs(analyze('ls -la && git status; source x.sh; "$CMD" x', CTX).commands);
  assert.deepEqual(all.map((r) => `${r.kind}:${r.word}`), ['source:x.sh', 'path:ls', 'path:git']);
  const many = scriptRefs(analyze(Array.from({ length: 40 }, (_, i) => `c${i}`).join('; ') + '; source last.sh', CTX).commands);
  assert.equal(many[0]!.word, 'last.sh', 'forty commands do not crowd out a sourced file');
});
