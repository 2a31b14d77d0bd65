// What the analyzer judges and what a sandbox runs when a line uses the shell's own aliases and
// functions (src/intercept/definitions.ts), as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeLine, fishAsPosix } from '../../src/intercept/definitions.ts';
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
