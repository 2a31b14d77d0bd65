import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { shq, shjoin, splitQuoted } from '../../src/agents/quote.ts';
import { rewriteLine, unwrapRewrite } from '../../src/agents/adapter.ts';

// Lines agents really send, and the ones that break naive quoting.
export const NASTY = [
  'ls -la',
  '',
  ' ',
  "echo 'single'",
  `printf '%s\\n' 'it'\\''s' "don't"`,
  'echo "$HOME" $(whoami) `id -u` ${PATH:0:3}',
  'a\nb\n\nc',
  "cat > f.txt <<'EOF'\n$x `y` 'z' \"w\"\nEOF\ncat f.txt",
  'cat <<EOF\n$(echo nested)\nEOF',
  'echo \\ back\\\\slash \\',
  "''''",
  "'",
  '!!; echo !$ ; history',
  'x=1; echo ${x}; (echo sub); { echo grp; }',
  'echo tab\there * ? [a] ~ # comment',
  'echo ünïcødé 🚀 \u0001ctl',
  "-c 'starts with dash'",
  'it\'s "both" \'kinds\'',
];

test('shq: safe words stay bare, the rest is single-quoted', () => {
  assert.equal(shq('ls'), 'ls');
  assert.equal(shq('/usr/bin/node'), '/usr/bin/node');
  assert.equal(shq('--agent=x'), '--agent=x');
  assert.equal(shq(''), "''");
  assert.equal(shq('a b'), "'a b'");
  assert.equal(shq("it's"), `'it'\\''s'`);
});

test('shq round-trips through real bash and sh, byte for byte', () => {
  for (const shell of ['bash', 'sh']) {
    for (const s of NASTY) {
      const r = spawnSync(shell, ['-c', `printf %s ${shq(s)}`], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${shell}: ${JSON.stringify(s)}: ${r.stderr}`);
      assert.equal(r.stdout, s, `${shell} round trip of ${JSON.stringify(s)}`);
    }
  }
});

test('shjoin argv reaches a program unchanged', () => {
  const argv = ['-c', ...NASTY];
  const line = `node -e 'process.stdout.write(JSON.stringify(process.argv.slice(1)))' -- ${shjoin(argv)}`;
  const r = spawnSync('bash', ['-c', line], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), argv);
});

test('splitQuoted inverts shjoin, and refuses anything else', () => {
  for (const s of NASTY) {
    const argv = ['vg', 'exec', '--', 'bash', '-c', s];
    assert.deepEqual(splitQuoted(shjoin(argv)), argv, JSON.stringify(s));
  }
  assert.equal(splitQuoted('echo "double"'), null);
  assert.equal(splitQuoted('a  b'), null);
  assert.equal(splitQuoted('a b '), null);
  assert.equal(splitQuoted("a 'unterminated"), null);
  assert.equal(splitQuoted('a;b'), null);
  assert.equal(splitQuoted('a $(b)'), null);
});

test('the rewrite runs bash -c with the original line as one argument (fake vg prints its argv)', () => {
  const fake = ['node', '-e', 'process.stdout.write(JSON.stringify([process.env.VG_SESSION, ...process.argv.slice(1)]))'];
  for (const s of NASTY.filter((x) => x.trim() !== '')) {
    for (const session of ['sess-1', "it's a 'session' $(id)"]) {
      const line = rewriteLine(s, { self: fake, agent: 'claude-code', session });
      const r = spawnSync('bash', ['-c', line], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), [session, 'exec', '--agent', 'claude-code', '--', 'bash', '-c', s]);
    }
  }
});

test('unwrapRewrite recognises only vg\'s own rewrite', () => {
  const self = ['/usr/bin/node', '/opt/vg/dist/vg.js'];
  for (const s of NASTY) {
    assert.equal(unwrapRewrite(rewriteLine(s, { self, agent: 'a', session: 's' }), self), s);
    assert.equal(unwrapRewrite(rewriteLine(s, { self: ['vg'], agent: 'a', session: 's' }), self), s);
  }
  const xf = ['--mode', 'auto'];
  assert.equal(unwrapRewrite(rewriteLine('ls', { self, agent: 'a', session: 's', execFlags: xf }), self, xf), 'ls');
  // Extra or different flags, other programs, trailing commands: not ours, judged as typed.
  assert.equal(unwrapRewrite(rewriteLine('ls', { self, agent: 'a', session: 's', execFlags: ['--mode', 'never'] }), self), null);
  assert.equal(unwrapRewrite("vg exec --mode never -- bash -c 'rm -rf ~'", self), null);
  assert.equal(unwrapRewrite("env VG_SESSION=s vg exec --agent a -- bash -c ls; rm -rf ~", self), null);
  assert.equal(unwrapRewrite("env VG_SESSION=s vg exec --agent a -- bash -c ls 'rm -rf ~'", self), null);
  assert.equal(unwrapRewrite("env VG_SESSION=s vg exec --agent a -- python3 -c ls", self), null);
  assert.equal(unwrapRewrite("env VG_SESSION=s evil exec --agent a -- bash -c ls", self), null);
  assert.equal(unwrapRewrite("env VG_SESSION=s VG_MODE=never vg exec --agent a -- bash -c ls", self), null);
  assert.equal(unwrapRewrite("env LD_PRELOAD=x.so vg exec --agent a -- bash -c ls", self), null);
  assert.equal(unwrapRewrite("vg exec --agent a -- bash -c ls", self), null);
  assert.equal(unwrapRewrite("env VG_SESSION=s vg exec --agent a -- bash -c", self), null);
  assert.equal(unwrapRewrite('ls -la', self), null);
});
