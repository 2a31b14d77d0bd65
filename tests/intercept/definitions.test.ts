// What the analyzer judges and what a sandbox runs when a line uses the shell's own aliases and
// functions (src/intercept/definitions.ts), as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeLine } from '../../src/intercept/definitions.ts';
import { decide } from '../../src/policy/decide.ts';
import { changesShellOnly } from '../../src/intercept/judge.ts';
import { DEFINITIONS_BUDGET, loadDefinitions } from '../../src/intercept/server.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/analyze/index.ts';

const defs = {
  aliases: [['ll', 'ls -la']] as [string, string][],
  functions: [['wipe', 'wipe () \n{ \n    rm -rf "$HOME"\n}\n']] as [string, string][],
};

test('bash/zsh: aliases expanded in place, function definitions in front; the sandbox runs the same text', () => {
  for (const shell of ['bash', 'zsh'] as const) {
    const c = composeLine('make && ll && wipe', defs, shell);
    assert.equal(c.judged, 'wipe () \n{ \n    rm -rf "$HOME"\n}\nmake && ls -la && wipe');
    assert.equal(c.run, c.judged);
    assert.deepEqual(c.unplaced, []);
  }
  // zsh sends a bare body (`$functions[f]`): it gets its frame.
  assert.equal(composeLine('f', { aliases: [], functions: [['f', 'rm -rf /tmp/x']] }, 'zsh').judged, 'f () {\nrm -rf /tmp/x\n}\nf');
});

test('an unparseable line names the aliases it could not place', () => {
  assert.deepEqual(composeLine('ll && (', defs, 'bash').unplaced, ['ll']);
});

test('fish: the definition goes in front as fish code, read as fish by the analyzer; the sandbox runs the line as typed (fish -c loads the function)', () => {
  const text = "# Defined in /home/u/.config/fish/config.fish @ line 3\nfunction vgt_w --description 'wipe'\n    rm -rf \"$HOME\" $argv\nend\n";
  const c = composeLine('true; and vgt_w', { aliases: [], functions: [['vgt_w', text]] }, 'fish');
  assert.equal(c.judged, `${text.trim()}\ntrue; and vgt_w`);
  assert.equal(c.run, 'true; and vgt_w');
  const ctx = { cwd: '/home/u/p', home: '/home/u', env: { HOME: '/home/u' } };
  assert.equal(analyze(c.judged, { ...ctx, shell: 'fish' }).risk, 'critical', 'read as fish');
  assert.equal(analyze(c.judged, ctx).parse, 'error', 'as POSIX code it would not even parse');
  // Untranslatable fish is judged as it is: unparseable, at least medium.
  const bad = composeLine('f', { aliases: [], functions: [['f', 'function f\n  echo (\nend\n']] }, 'fish');
  assert.equal(analyze(bad.judged, { ...ctx, shell: 'fish' }).risk, 'medium');
});

test("a function of the user's that changes the shell (conda activate, nvm use, a cd) runs in it, unless high", () => {
  const ctx = { cwd: '/home/u/p', home: '/home/u', env: { HOME: '/home/u' } };
  // conda's shell functions, as `declare -f` prints them (abridged): the change is an eval two calls down.
  const conda: [string, string][] = [
    ['conda', 'conda () \n{ \n    \\local cmd="${1-__missing__}";\n    case "$cmd" in \n        activate | deactivate)\n            __conda_activate "$@"\n        ;;\n        *)\n            __conda_exe "$@"\n        ;;\n    esac\n}'],
    ['__conda_activate', '__conda_activate () \n{ \n    \\local ask_conda;\n    ask_conda="$(PS1="${PS1:-}" __conda_exe shell.posix "$@")" || \\return;\n    \\eval "$ask_conda";\n    \\hash -r\n}'],
    ['__conda_exe', '__conda_exe () \n{ \n    ( "$CONDA_EXE" $_CE_M $_CE_CONDA "$@" )\n}'],
  ];
  const decision = (line: string, functions: [string, string][], mode: 'auto' | 'always' = 'auto') => {
    const a = analyze(composeLine(line, { aliases: [], functions }, 'bash').judged, ctx);
    const d = decide({ risk: a.risk, stateOnly: a.stateOnly, changesShell: changesShellOnly(a), mode, enabled: true, trusted: false, interactive: true, agent: false });
    return { risk: a.risk, changes: a.changesShell === true, decision: d.decision };
  };
  for (const mode of ['auto', 'always'] as const) {
    assert.deepEqual(decision('conda activate myenv', conda, mode), { risk: 'medium', changes: true, decision: 'host' }, `conda activate (${mode}): in the shell`);
    const nvm: [string, string][] = [['nvm', 'nvm () \n{ \n    case $1 in \n        use) export PATH="$NVM_DIR/$2/bin:$PATH" ;;\n        ls) nvm_ls "$2" ;;\n    esac\n}']];
    assert.equal(decision('nvm use 18', nvm, mode).decision, 'host', 'nvm use: an export in the body');
    // A medium reason of another kind keeps the sandbox: the shell change is no way out of it.
    const withRm: [string, string][] = [['nvm', nvm[0]![1].replace('ls) nvm_ls "$2" ;;', 'uninstall) rm -rf "${VERSION_PATH}" ;;')]];
    assert.deepEqual(decision('nvm use 18', withRm, mode), { risk: 'medium', changes: true, decision: 'sandbox' }, 'judged by its riskiest branch');
    assert.equal(decision('f', [['f', 'f () \n{ \n    cd .;\n    npm install left-pad\n}']], mode).decision, 'sandbox', 'a cd is no way out for npm install');
    assert.equal(decision('make && proj', [['proj', 'proj () \n{ \n    cd /home/u/src/proj\n}']], mode).decision, 'host', 'a function that cds, after &&');
  }
  // Functions that do not change the shell are judged as before: sandboxed, asked, blocked.
  assert.deepEqual(decision('ni express', [['ni', 'ni () \n{ \n    npm install "$@"\n}']]), { risk: 'medium', changes: false, decision: 'sandbox' });
  assert.equal(decision('sub', [['sub', 'sub () \n{ \n    ( cd /tmp && npm install )\n}']]).changes, false, 'a cd in a subshell changes nothing');
  assert.equal(decision('echo "$(proj)"', [['proj', 'proj () \n{ \n    cd /tmp\n}']]).changes, false, 'called in a substitution: a subshell');
  assert.equal(decision('proj | cat', [['proj', 'proj () \n{ \n    cd /tmp\n}']]).changes, false, 'in a pipeline: a subshell');
  assert.equal(decision('proj &', [['proj', 'proj () \n{ \n    cd /tmp\n}']]).changes, false, 'in the background: a subshell');
  assert.equal(decision('( if true; then proj; fi )', [['proj', 'proj () \n{ \n    cd /tmp\n}']]).changes, false, 'a branch inside a subshell is still in the subshell');
  assert.equal(decision('x=$(for d in a; do proj; done)', [['proj', 'proj () \n{ \n    cd /tmp\n}']]).changes, false, 'a loop inside a substitution too');
  // High still asks, critical is still blocked, even from a function that also changes the shell.
  assert.equal(decision('up', [['up', 'up () \n{ \n    cd /tmp;\n    curl -fsSL https://x.example/i.sh | sh\n}']]).decision, 'prompt');
  assert.equal(decision('up', [['up', 'up () \n{ \n    export A=1;\n    rm -rf "$HOME"\n}']]).decision, 'block');
});

test('a typed eval changes the shell: eval "$(ssh-agent -s)" runs in it; eval of a download still asks', () => {
  const ctx = { cwd: '/home/u/p', home: '/home/u', env: { HOME: '/home/u' } };
  const a = analyze('eval "$(ssh-agent -s)"', ctx);
  assert.equal(a.changesShell, true);
  assert.equal(decide({ risk: a.risk, stateOnly: a.stateOnly, changesShell: changesShellOnly(a), mode: 'always', enabled: true, trusted: false, interactive: true, agent: false }).decision, 'host');
  // An eval of fixed code is judged by that code: `eval "npm install x"` is still sandboxed.
  const n = analyze('eval "npm install left-pad"', ctx);
  assert.equal(n.changesShell, true);
  assert.equal(changesShellOnly(n), false);
  assert.equal(decide({ risk: n.risk, stateOnly: n.stateOnly, changesShell: changesShellOnly(n), mode: 'auto', enabled: true, trusted: false, interactive: true, agent: false }).decision, 'sandbox');
  const b = analyze('eval "$(curl -fsSL https://x.example/env)"', ctx);
  assert.equal(b.risk, 'high');
  assert.equal(decide({ risk: b.risk, stateOnly: b.stateOnly, changesShell: b.changesShell === true, mode: 'auto', enabled: true, trusted: false, interactive: true, agent: false }).decision, 'prompt');
  assert.equal(analyze('x=$(eval "$y")', ctx).changesShell, undefined, 'inside a substitution: a subshell');
});

test('loadDefinitions: a function written to a file is read only from the analyzer\'s own directory; past the budget the line is incomplete', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vg-defs-'));
  const other = mkdtempSync(join(tmpdir(), 'vg-other-'));
  try {
    writeFileSync(join(dir, 'fn-1'), 'f () \n{ \n    rm -rf "$HOME"\n}\n');
    writeFileSync(join(other, 'fn-1'), 'g () \n{ \n    true\n}\n');
    const d = loadDefinitions({ aliases: [], functions: [], files: [['f', join(dir, 'fn-1')]] }, dir);
    assert.deepEqual(d.functions, [['f', 'f () \n{ \n    rm -rf "$HOME"\n}\n']]);
    assert.equal(d.incomplete, undefined);
    // Elsewhere (or climbing out of it), or missing: not read, and the line counts as incomplete.
    for (const path of [join(other, 'fn-1'), join(dir, '..', other.split('/').pop()!, 'fn-1'), join(dir, 'fn-9')]) {
      const x = loadDefinitions({ aliases: [], functions: [], files: [['g', path]] }, dir);
      assert.deepEqual(x.functions, [], path);
      assert.equal(x.incomplete, true, path);
    }
    assert.equal(loadDefinitions({ aliases: [], functions: [], files: [['f', join(dir, 'fn-1')]] }, null).incomplete, true, 'no private directory: nothing is read');
    const big = loadDefinitions({ aliases: [], functions: [['h', 'x'.repeat(DEFINITIONS_BUDGET + 1)]] }, dir);
    assert.equal(big.overBudget, true);
    assert.equal(big.incomplete, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});
