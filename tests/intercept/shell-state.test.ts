// Lines that change the shell and are fed by a command: `cd $(git rev-parse --show-toplevel)`,
// `export P=$(pwd)/bin`, fish's `set x (pwd)`. A sandbox would lose the change, so they run in the
// shell when low risk — in every mode, for a person; an agent gets what the mode says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judge, type JudgeContext } from '../../src/intercept/judge.ts';

let dir = '';
let ctx: JudgeContext;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vg-state-'));
  mkdirSync(join(dir, 'ws'));
  ctx = {
    cwd: join(dir, 'ws'),
    env: { HOME: join(dir, 'home'), PATH: '/usr/bin:/bin', XDG_CONFIG_HOME: join(dir, 'cfg'), VG_STATE_DIR: join(dir, 'state') },
    interactive: true,
    session: 's',
    source: 'shell',
    planSandbox: false,
    flags: { mode: 'always' },
  };
});
after(() => rmSync(dir, { recursive: true, force: true }));
const d = async (line: string, more: Partial<JudgeContext> = {}) => (await judge(line, { ...ctx, ...more })).decision;

test('bash/zsh: a shell builtin fed by a command substitution runs in the shell (mode always)', async () => {
  assert.equal(await d('cd $(git rev-parse --show-toplevel)'), 'host');
  assert.equal(await d('export PATH=$(pwd)/bin:$PATH'), 'host');
  assert.equal(await d('cd "$(dirname "$(command -v node)")"'), 'host');
  // Before this, these went to the sandbox and the cd or the variable was lost.
  assert.equal(await d('for f in $(ls); do echo $f; done'), 'sandbox', 'no state changed: the mode decides');
  assert.equal(await d('x=1; echo "$(npm install left-pad)"'), 'sandbox', 'medium: the shell change is no way out of the sandbox');
  assert.equal(await d('export X=$(rm -rf ~)'), 'block');
});

test('fish: the same lines in fish syntax are judged, not called unparseable', async () => {
  const fish = { shell: 'fish' as const };
  assert.equal(await d('set -gx PATH (pwd)/bin $PATH', fish), 'host');
  assert.equal(await d('cd (git rev-parse --show-toplevel)', fish), 'host');
  assert.equal(await d('set -l x (pwd); and echo $x', fish), 'host');
  assert.equal(await d('if test -d src; cd src; end', fish), 'host', 'a block of builtins');
  assert.equal(await d('for f in (ls); echo $f; end', fish), 'sandbox');
  assert.equal(await d('echo (rm -rf ~)', fish), 'block');
  const v = await judge('set x (pwd)', { ...ctx, shell: 'fish' });
  assert.equal(v.analysis.reasons.length, 0, 'no "not valid shell syntax"');
});

test('an agent gets no such exemption: `export _=$(cmd)` is not a way to run cmd outside the sandbox', async () => {
  const agent = { agent: 'test', interactive: false };
  assert.equal(await d('export _=$(python3 tool.py)', agent), 'sandbox');
  assert.equal(await d('eval "$(python3 tool.py)"', agent), 'sandbox');
  assert.equal(await d('export _=$(python3 tool.py)'), 'host', 'a person: their shell keeps the variable');
  assert.equal(await d('cd src', agent), 'host', 'builtins alone still run in the shell');
});

test("an agent's interactive shell or REPL runs in the sandbox: what it types next would not pass vg", async () => {
  const agent = { agent: 'test', interactive: false, flags: { mode: 'auto' } };
  for (const line of ['bash --norc', 'sh', 'zsh -f -i', 'python3', 'node -i', 'env -i bash --noprofile --norc']) {
    const v = await judge(line, { ...ctx, ...agent });
    assert.equal(v.decision, 'sandbox', line);
    assert.match(v.reason, /interactive shell or REPL/);
  }
  // Not interactive: a script, a string, piped or redirected input — judged as before.
  for (const line of ['bash -c "ls"', 'python3 -m http.server', 'echo ls | sh', 'sh < /dev/null', 'python3 -c "print(1)"'])
    assert.equal(await d(line, agent), 'host', line);
  // A person starting a shell is not an escape: it is theirs (and it loads vg again from the rc file).
  assert.equal(await d('bash --norc', { flags: { mode: 'auto' } }), 'host');
  assert.equal(await d('bash --norc', { ...agent, flags: { mode: 'never' } }), 'host', 'sandboxing turned off: validation only');
});

test("zsh's `r` (fc -e -) re-runs history without passing the hook: asked, like fc", async () => {
  const zsh = { shell: 'zsh' as const, flags: { mode: 'auto' } };
  const v = await judge('r echo=rm', { ...ctx, ...zsh });
  assert.equal(v.risk, 'high');
  assert.equal(v.decision, 'prompt');
  assert.equal((await judge('r', { ...ctx, ...zsh, agent: 'a', interactive: false })).decision, 'sandbox');
  assert.equal((await judge('r echo=rm', { ...ctx, shell: 'bash', flags: { mode: 'auto' } })).risk, 'low', 'bash has no such builtin: a program named r');
});
