// Alias expansion (src/analyze/aliases.ts) against real bash: bash prints a function body with the
// aliases it expanded at definition, so `f() { LINE; }` under the aliases and `f() { EXPANDED; }`
// without them must print the same text. Then the callees the analyzer names for the shell hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { expandAliases } from '../../src/analyze/aliases.ts';
import { analyze } from '../../src/analyze/index.ts';

const ALIASES = new Map<string, string>([
  ['ll', 'ls -la'],
  ['ls', 'ls --color=auto'],
  ['sud', 'sudo '],
  ['nuke', 'rm -rf ~/canary'],
  ['loop', 'll; loop'],
  ['chain', 'nuke'],
  ['g', 'git'],
  ['pre', 'FOO=1 '],
]);

const LINES = [
  'make && ll',
  'make || nuke',
  'make; nuke',
  'FOO=1 ll a',
  'time ll',
  '! nuke',
  'sud ll',
  'sud sud nuke',
  "'ll' k",
  '\\ll l',
  'echo ll nuke',
  'loop',
  'chain && chain',
  'if ll; then nuke; fi',
  'while nuke; do ll; done',
  'for i in 1; do nuke; done',
  'case x in x) nuke;; esac',
  '(ll)',
  '{ ll; }',
  'll | nuke',
  'll & nuke',
  'g status && g push',
  'bash -c ll',
  'xargs nuke',
  'sudo ll',
  'pre ll',
  'f() { nuke; }',
  'echo $((1+2)) && ll',
  '[[ -n x ]] && nuke',
];

function bashBody(line: string, aliases: ReadonlyMap<string, string> | null): string {
  const defs = aliases ? [...aliases].map(([k, v]) => `alias ${k}=${shq(v)}`).join('\n') : '';
  const script = `shopt -s expand_aliases\n${defs}\n__t() {\n${line}\n}\ndeclare -f __t\n`;
  const r = spawnSync('bash', ['--norc', '--noprofile'], { input: script, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

test('aliases: expanded exactly where bash expands them', () => {
  for (const line of LINES) {
    const ex = expandAliases(line, ALIASES);
    assert.equal(ex.unparsed, undefined, line);
    assert.equal(bashBody(ex.text, null), bashBody(line, ALIASES), `${line} → ${ex.text}`);
  }
});

test('aliases: inside $(…) and <(…) too (bash expands them when the substitution runs)', () => {
  // bash keeps a substitution's text unexpanded in `declare -f` and expands it when it runs: a
  // script with the aliases shows which (every marked one ran as the alias).
  const r = spawnSync('bash', ['--norc', '--noprofile'], {
    input: "shopt -s expand_aliases\nalias m='echo RAN'\nx=$(m a); echo \"$x\"\ncat <(m b)\necho \"$(echo $(m c))\"\n",
    encoding: 'utf8',
  });
  assert.equal(r.stdout, 'RAN a\nRAN b\nRAN c\n');
  const m = new Map([['m', 'echo RAN']]);
  assert.equal(expandAliases('x=$(m a); echo "$x"', m).text, 'x=$(echo RAN a); echo "$x"');
  assert.equal(expandAliases('cat <(m b)', m).text, 'cat <(echo RAN b)');
  assert.equal(expandAliases('echo "$(echo $(m c))"', m).text, 'echo "$(echo $(echo RAN c))"');
  assert.equal(expandAliases('echo "$(nuke)"', ALIASES).text, 'echo "$(rm -rf ~/canary)"');
});

test('aliases: nothing to expand leaves the line as it is; an unparseable line is reported, not guessed', () => {
  assert.deepEqual(expandAliases('make && ll', new Map()), { text: 'make && ll', expanded: [] });
  assert.deepEqual(expandAliases('echo ll', ALIASES), { text: 'echo ll', expanded: [] });
  const bad = expandAliases('ll && (', ALIASES);
  assert.equal(bad.unparsed, true);
  assert.equal(bad.text, 'll && (');
});

test('aliases: a dangerous alias later in the line is judged as what it runs', () => {
  const ctx = { cwd: '/home/u/p', home: '/home/u' };
  const plain = analyze('make && nuke', ctx);
  assert.equal(plain.risk, 'low', 'unexpanded, `nuke` is just a name');
  const ex = expandAliases('make && nuke', new Map([['nuke', 'rm -rf ~']]));
  assert.equal(analyze(ex.text, ctx).risk, 'critical');
});

test('callees: the names the line calls that the shell may hold as alias or function', () => {
  const ctx = { cwd: '/home/u/p', home: '/home/u' };
  assert.deepEqual(analyze('make && ll -a', ctx).callees, ['make', 'll']);
  assert.deepEqual(analyze('x=$(ll2) ; "q" ; \\l3', ctx).callees, ['ll2', 'q', 'l3'], 'substitutions and quoted names (a function is called quoted)');
  assert.deepEqual(analyze('f() { g; }; f', ctx).callees, ['g'], 'a function defined on the line is not asked about; its body is');
  // A function is looked up by the name after expansion: `~/x` calls a function named /home/u/x.
  assert.deepEqual(analyze('~/x; "$(echo a)"; x=vgt; $x', ctx).callees, ['/home/u/x', 'echo', 'a', 'vgt'], 'names as the shell looks them up, after expansion');
  assert.equal(analyze('$UNKNOWN', ctx).callees, undefined, 'an unresolved name is none');
  assert.deepEqual(analyze('make && a/b; ./run.sh; /bin/true', ctx).callees, ['make', 'a/b', './run.sh', '/bin/true'], 'bash calls a function named ./run.sh or /bin/true before the file');
  const sudo = analyze('sudo h; time t; env -i e', ctx);
  assert.deepEqual(sudo.callees, ['sudo', 't', 'env'], 'a wrapper is a callee; so is what a shell keyword (time) runs');
  assert.deepEqual(sudo.calleesWrapped, ['h', 'e'], 'what a program runs, apart: only an alias ending in a blank makes it one');
});
