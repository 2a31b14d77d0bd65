// Variables whose value runs later as code (names.ts CODE_VARS, facts.ts codeVar). Setting one is
// "shell state" — before, `export PROMPT_COMMAND='rm -rf ~'` ran in the shell, and the next prompt
// deleted the home directory without the line ever being judged as code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/analyze/index.ts';
import { promptCode } from '../../src/analyze/names.ts';
import { CTX } from './helpers.ts';

const risk = (line: string): string => analyze(line, CTX).risk;

test('code-bearing variables are judged as the code they hold, however they are set', () => {
  for (const line of [
    "PROMPT_COMMAND='rm -rf ~'",
    "export PROMPT_COMMAND='rm -rf ~'",
    "declare PROMPT_COMMAND='rm -rf ~'",
    "export 'PROMPT_COMMAND=rm -rf ~'",
    "PROMPT_COMMAND+=('rm -rf ~')",
    "PROMPT_COMMAND=(history 'rm -rf ~')",
    'X="rm -rf ~"; export PROMPT_COMMAND="$X"',
    "PS1='$(rm -rf ~) $ '",
    "PS1='`rm -rf ~` $ '",
    "export PS0='\\u $(echo; rm -rf ~)'",
    "RPROMPT='$(rm -rf ~)'",
    "export EDITOR='rm -rf ~'",
    "GIT_SSH_COMMAND='rm -rf ~' git fetch",
    "env GIT_SSH_COMMAND='rm -rf ~' git fetch",
    "export LESSOPEN='| rm -rf ~ %s'",
    "export PAGER='sh -c \"rm -rf ~\"'",
  ])
    assert.equal(risk(line), 'critical', line);
  assert.equal(analyze("set -gx EDITOR 'rm -rf ~'", { ...CTX, shell: 'fish' }).risk, 'critical', 'fish: set -gx');
});

test('everyday values stay low, and the line stays shell state (it runs in the shell)', () => {
  for (const line of [
    'export EDITOR=vim',
    "export PS1='\\u@\\h:\\w\\$ '",
    "PS1='$(git branch --show-current 2>/dev/null) \\w $ '",
    'export PROMPT_COMMAND="history -a; $PROMPT_COMMAND"',
    "export LESSOPEN='| /usr/bin/lesspipe %s'",
    'export GIT_SSH_COMMAND="ssh -i ~/.ssh/id_work"',
    'export PAGER=less MANPAGER="less -R"',
  ]) {
    const a = analyze(line, CTX);
    assert.equal(a.risk, 'low', line);
    assert.equal(a.stateOnly, true, line);
  }
});

test('a file a later shell sources is named like a sourced file (the judge reads it)', () => {
  const a = analyze('export BASH_ENV=./setup.sh', CTX);
  assert.ok(a.commands.some((f) => f.name === 'source' && f.argv[1] === './setup.sh' && f.deferred === true));
});

test('promptCode: the $(…) and backquoted parts of a prompt string', () => {
  assert.deepEqual(promptCode('\\u $(git branch) `date` $((1+2)) \\$(not) $(a $(b))'), ['git branch', 'date', 'a $(b)']);
  assert.deepEqual(promptCode('plain \\w $ '), []);
});

test('code a key or a completion runs later is judged; fc and enable -f are no longer "shell state only"', () => {
  for (const line of ["bind -x '\"\\C-a\": rm -rf ~'", "bind -m emacs -x '\"\\C-a\": \"rm -rf ~\"'", "complete -C 'rm -rf ~' foo", "compgen -C 'rm -rf ~' x"])
    assert.equal(risk(line), 'critical', line);
  for (const line of ["bind -x '\"\\C-l\": clear'", 'complete -F _git git', "bind '\"\\C-a\": beginning-of-line'", 'fc -l -5']) {
    const a = analyze(line, CTX);
    assert.equal(a.risk, 'low', line);
    assert.equal(a.stateOnly, true, line);
  }
  // `echo rm -rf ~` typed (harmless), then `fc -s 'echo '=` ran `rm -rf ~` without passing the hook.
  for (const line of ["fc -s 'echo '=", 'fc', 'fc -e vim 10 12', 'enable -f ./mod.so mod']) {
    const a = analyze(line, CTX);
    assert.equal(a.risk, 'high', line);
    assert.equal(a.stateOnly, false, `${line}: asked, not run in the shell unasked`);
  }
});

test("an array subscript's $(…) in text that reaches arithmetic is judged as code", () => {
  // Measured in bash: x='a[$(echo PWNED >&2)]'; echo $((x)) prints PWNED — the single quotes do not help.
  for (const line of ["x='a[$(rm -rf ~)]'; echo $((x))", "declare -i y; y='a[$(rm -rf ~)]'", "test -v 'a[$(rm -rf ~)]'", "printf -v 'a[$(rm -rf ~)]' x", "read 'a[`rm -rf ~`]' <<< x", "(( a['$(rm -rf ~)'] ))"])
    assert.equal(risk(line), 'critical', line);
  for (const line of ["echo 'a[$(date)]'", "awk '{ a[$(NF)]++ }' f", 'echo "${a[1]}"']) assert.equal(risk(line), 'low', line);
});

test('the arithmetic injection is real: bash runs the subscript of a single-quoted value', { skip: process.platform === 'win32' }, async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('bash', ['-c', "x='a[$(echo RAN >&2)]'; echo $((x))"], { encoding: 'utf8' });
  assert.match(r.stderr, /RAN/, 'if this fails, bash no longer does it and the rule above is only caution');
});

test('builtins that assign (printf -v, read, mapfile) are assignments to a code variable too', () => {
  for (const line of ["printf -v PROMPT_COMMAND 'rm -rf ~'", "printf -v PROMPT_COMMAND '%s' 'rm -rf ~'", "printf -v PROMPT_COMMAND '%s %s' rm '-rf ~'", "read PROMPT_COMMAND <<< 'rm -rf ~'", "mapfile -t PROMPT_COMMAND <<< 'rm -rf ~'", "echo 'rm -rf ~' | { read -r EDITOR; export EDITOR; }"])
    assert.equal(risk(line), 'critical', line);
  for (const line of ["printf -v x '%s' 'rm -rf ~'", "read -r line <<< 'rm -rf ~'", "declare -n r=x; r='rm -rf ~'"]) assert.equal(risk(line), 'low', `${line}: not a code variable`);
  for (const line of ["declare -n r=PROMPT_COMMAND; r='rm -rf ~'", "local -n r=EDITOR; read r <<< 'rm -rf ~'"]) assert.equal(risk(line), 'critical', `${line}: through a nameref`);
});
