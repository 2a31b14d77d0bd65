// fish code → POSIX code with the same commands, for judging (analyze/fish.ts). Checked three ways:
// as data, against bash's own parser (every translation must parse), and adversarially — a
// translation must never hide a command fish would run, nor invent one fish would not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fishToPosix } from '../../src/analyze/fish.ts';
import { analyze } from '../../src/analyze/index.ts';
import { parseLine } from '../../src/analyze/parse.ts';
import { CTX } from './helpers.ts';

// Through the analyzer's own path for fish lines (AnalyzeContext.shell).
const risk = (fish: string): string => analyze(fish, { ...CTX, shell: 'fish' }).risk;

test("fishToPosix: fish's character escapes outside quotes stand for the character", () => {
  assert.equal(fishToPosix('bind \\r execute'), "bind $'\\r' execute");
  assert.equal(fishToPosix('bind \\cm x'), "bind $'\\cm' x");
  assert.equal(fishToPosix('echo \\x41\\101 \\u00e9 \\e'), "echo $'\\x41'$'\\101' $'\\u00e9' $'\\e'");
  assert.equal(fishToPosix('echo a\\ b \\$x \\('), 'echo a\\ b \\$x \\(', 'other escapes are POSIX escapes already');
  // Each must read in bash as the character fish means.
  for (const [fish, want] of [['echo \\x41\\101', 'AA'], ['echo \\t', '\t'], ['echo \\u00e9', 'é']] as const) {
    const out = spawnSync('bash', ['-c', fishToPosix(fish)!], { encoding: 'utf8' }).stdout;
    assert.equal(out, want + '\n', fish);
  }
});

test('fish: lists, set and $argv are followed as fish expands them', () => {
  assert.equal(risk('set -l c rm; $c -rf ~'), 'critical');
  assert.equal(risk('set -l args -rf ~; rm $args'), 'critical');
  assert.equal(risk('function f; $argv; end; f rm -rf ~'), 'critical');
  assert.equal(risk('function f; rm -rf $argv[1]; end; f ~'), 'critical');
  assert.equal(risk('set c "rm -rf ~"; $c'), 'low', 'fish does not split a variable on spaces: a command named "rm -rf ~"');
  assert.equal(risk('set -gx __VG_STATE off'), 'high');
  assert.equal(risk('bind \\r execute'), 'high');
  assert.equal(risk('bind \\ct fzf-file-widget'), 'low');
});

test('fishToPosix: substitutions, quoting, variables, redirections', () => {
  assert.equal(fishToPosix('set -l x (pwd)'), 'set -l x $(pwd)');
  assert.equal(fishToPosix('cd (git rev-parse --show-toplevel)'), 'cd $(git rev-parse --show-toplevel)');
  assert.equal(fishToPosix('echo (echo (echo nested))'), 'echo $(echo $(echo nested))');
  assert.equal(fishToPosix('echo "$(date) and (literal)"'), 'echo "$(date) and (literal)"', 'fish ≥ 3.4: $(…) in double quotes; (…) there is text');
  assert.equal(fishToPosix("echo 'it\\'s' '\\\\'"), "echo 'it'\\''s' '\\'", "fish's \\' and \\\\ in single quotes");
  assert.equal(fishToPosix('echo `x` "`y`"'), 'echo \\`x\\` "\\`y\\`"', 'a backtick is text in fish');
  assert.equal(fishToPosix('echo $PATH[1] "$argv[2..3]"'), 'echo ${PATH} "${argv}"');
  assert.equal(fishToPosix('cat a &| less; echo hi >? f; cmd 2>&1 >>log'), 'cat a |& less; echo hi > f; cmd 2>&1 >>log');
  assert.equal(fishToPosix('echo a # (a comment'), 'echo a ');
  assert.equal(fishToPosix('echo a#b'), 'echo a#b', 'inside a word, # is text');
});

test('fishToPosix: blocks at command position become their POSIX frames', () => {
  assert.equal(fishToPosix('if test -n "$X"; echo hi; end'), 'if test -n "${X}"; then echo hi;  fi');
  assert.equal(fishToPosix('if a\nelse if b\n  echo b\nelse\n  echo c\nend'), 'if a\n then :;elif b\n then  echo b\nelse\n  echo c\n fi');
  assert.equal(fishToPosix('for f in (ls); echo $f; end'), 'for f in $(ls); do echo ${f};  done');
  assert.equal(fishToPosix('begin echo hi; end'), '{ echo hi;  }');
  assert.equal(fishToPosix('begin; end'), '{  :; }', 'an empty block is still valid');
  assert.equal(fishToPosix('function f --on-variable PWD; echo $argv; end'), 'f ()   { echo ${argv};  }');
  assert.equal(fishToPosix('switch $x; case a b; echo 1; case "*"; echo 2; end'), 'case ${x} in    a|b) echo 1; ;;  "*") echo 2; ;; esac');
  assert.equal(fishToPosix('if a\n    and b\n    or c\n  echo d\nend'), 'if a\n    and b\n    or c\n then  echo d\n fi', 'and/or lines continue the condition');
  assert.equal(fishToPosix('true; and not begin; false; end'), 'true;  ! { false;  }');
  for (const bad of ['if true', 'end', 'echo (unclosed', "echo 'unclosed", 'echo "unclosed', 'function', 'switch x; echo; end'])
    assert.equal(fishToPosix(bad), null, JSON.stringify(bad));
});

test('fishToPosix: every translation of the tests above parses as POSIX shell (bash -n)', { skip: spawnSync('bash', ['--version']).status === 0 ? false : 'bash is not installed' }, () => {
  for (const fish of ['set -l x (pwd)', 'if test -n "$X"; echo hi; end', 'if a\nelse if b\n  echo b\nelse\n  echo c\nend', 'for f in (ls); echo $f; end', 'begin; end', 'switch $x; case a b; echo 1; case "*"; echo 2; end', "echo 'it\\'s' \"a\\\"b\" `x`", 'true; and not begin; false; end', 'if a\n    and b\n  echo d\nend']) {
    const r = spawnSync('bash', ['-n', '-c', fishToPosix(fish)!], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${JSON.stringify(fish)}: ${r.stderr}`);
  }
});

const FISH_FUNCTIONS = '/usr/share/fish/functions';
test("fishToPosix: fish's own shipped functions (200+ files of real fish code) all translate to code vg's parser reads", { skip: existsSync(FISH_FUNCTIONS) ? false : 'fish is not installed' }, () => {
  const files = readdirSync(FISH_FUNCTIONS).filter((f) => f.endsWith('.fish'));
  assert.ok(files.length > 100);
  const failed: string[] = [];
  for (const f of files) {
    const t = fishToPosix(readFileSync(join(FISH_FUNCTIONS, f), 'utf8'));
    if (t === null) failed.push(`${f}: untranslated`);
    else if (parseLine(t).error) failed.push(`${f}: ${parseLine(t).error}`);
  }
  assert.deepEqual(failed, []);
});

test('fishToPosix: no fish spelling hides a command fish runs', () => {
  for (const line of [
    'echo (rm -rf ~)',
    'echo "$(rm -rf ~)"',
    'begin rm -rf ~; end',
    'if true; rm -rf ~; end',
    'if rm -rf ~; end',
    'while rm -rf ~; end',
    'for x in (rm -rf ~); end',
    'function f; rm -rf ~; end',
    'switch x; case "*"; rm -rf ~; end',
    'true; and begin; rm -rf ~; end',
    'not if true; rm -rf ~; end',
    'true &| rm -rf ~',
    'echo `x`; rm -rf ~',
    "echo '\\\\'; rm -rf ~; echo '\\\\'",
    'echo "\\\\"; rm -rf ~',
    'echo a#b; rm -rf ~',
    'echo $x[1]; rm -rf ~',
    'echo hi >? x; rm -rf ~',
    'echo hi 2>| rm -rf ~',
    'set x (echo (rm -rf ~))',
  ])
    assert.equal(risk(line), 'critical', line);
});

test('fishToPosix: no fish string becomes a command', () => {
  for (const line of ['echo "a\\"; rm -rf ~; echo \\""', "echo 'a\\'; rm -rf ~; echo \\''", 'echo "(rm -rf ~)"', "echo '$(rm -rf ~)'", 'echo "`rm -rf ~`"', 'echo \\(rm -rf ~\\)', 'echo \\; rm -rf ~', 'echo x # ; rm -rf ~'])
    assert.equal(risk(line), 'low', line);
});
