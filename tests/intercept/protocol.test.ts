// The shell ↔ analyzer protocol, the invocation quoting the shells eval, the completeness check,
// and the server's request handling with a stand-in judge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, readFileSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import { tempDir } from '../tmp.ts';
import { escape, unescape, parseRequest, formatRequest, formatResponse, formatHost, parseResponse, US } from '../../src/intercept/protocol.ts';
import { quotePosix, quoteFish, invocationCommand } from '../../src/intercept/quote.ts';
import { isIncomplete } from '../../src/intercept/complete.ts';
import { serve, calleesToAsk, type ShellSettings } from '../../src/intercept/server.ts';
import type { Verdict } from '../../src/intercept/judge.ts';
import { envArgv, PERL_ENV_FROM_ARGV } from '../../src/runtimes/bwrap.ts';

const NASTY = ['', 'plain', 'a b', "it's", 'tab\there', 'nl\nthere', 'cr\rx', 'back\\slash\\', '$HOME `id` $(id) "q"', 'ünï €', '\x01\x1f\x7f', '--', "'", '\\n'];

test('escape/unescape round-trips every byte the shell can hold', () => {
  for (const s of [...NASTY, 'nul\0byte']) {
    const e = escape(s);
    assert.doesNotMatch(e, /[\t\n\r\0]/);
    assert.equal(unescape(e), s);
  }
});

test('requests parse back to what was formatted', () => {
  const reqs = [
    { kind: 'J', id: '7', cwd: '/tmp/a b', line: 'for i in 1; do\n\techo "$i"\ndone' },
    { kind: 'J', id: '8', cwd: '/tmp', line: 'ls -la', noFn: true },
    { kind: 'A', id: '7', answer: 'r' },
    { kind: 'D', id: '7', status: 130, ms: 12.5, how: 'sandbox' },
    { kind: 'E', name: 'PATH', value: '/bin:/usr/bin' },
    { kind: 'U', name: 'VG_AGENT' },
    { kind: 'P', id: '1' },
  ] as const;
  for (const r of reqs) assert.deepEqual(parseRequest(formatRequest(r).replace(/\n$/, '')), r);
  assert.equal(parseRequest('X\tjunk'), null);
  assert.equal(parseRequest('J\t\t/tmp\tls'), null);
  // fish's raw form: field 5 carries the flags ('n': the first word is no fish function), or nothing.
  assert.deepEqual(parseRequest('J\t3\t/w\tls -la\tn'), { kind: 'J', id: '3', cwd: '/w', line: 'ls -la', noFn: true });
  assert.deepEqual(parseRequest('J\t3\t/w\tll\t'), { kind: 'J', id: '3', cwd: '/w', line: 'll' });
  // Definitions of the shell's aliases and functions ride after the flags, as name/text pairs.
  const withDefs = {
    kind: 'J',
    id: '9',
    cwd: '/w',
    line: 'make && ll',
    allCallees: true,
    defs: { aliases: [['ll', "ls -la\t'x'"]], functions: [['f', 'f () \n{ \n    rm -rf \\ ~\n}']], files: [['g', '/run/vg-serve-0-x/fn-1']] },
  } as const;
  const wire = formatRequest(withDefs as never);
  assert.equal(wire.split('\t').length, 11, 'J id cwd line flags a:ll text f:f text p:g path');
  assert.deepEqual(parseRequest(wire.replace(/\n$/, '')), withDefs);
  assert.deepEqual(parseRequest('J\t3\t/w\tf1\ti'), { kind: 'J', id: '3', cwd: '/w', line: 'f1', defs: { aliases: [], functions: [], incomplete: true } }, 'i: the shell stopped following callees');
  assert.deepEqual(parseRequest('J\t3\t/w\tll\t\ta:ll\tls -la\tjunk'), { kind: 'J', id: '3', cwd: '/w', line: 'll', defs: { aliases: [['ll', 'ls -la']], functions: [] } }, 'an odd field and unknown kinds are dropped');
});

test('responses: the callees ride at the end of H and R, and older readers see the same first fields', () => {
  assert.equal(formatHost('4'), `H${US}4\n`, 'nothing to ask: the short answer stays short');
  assert.equal(formatHost('4', 'make ll'), `H${US}4${US}make ll\n`);
  assert.deepEqual(parseResponse(formatHost('4', 'make ll')), { id: '4', decision: 'host', risk: '', notice: '', cmd: '', callees: 'make ll' });
  const r = formatResponse({ id: '5', decision: 'sandbox', risk: 'medium', notice: 'n', cmd: 'c', callees: 'a\nb' });
  assert.equal(r.split(US).length, 7);
  assert.equal(parseResponse(r)?.callees, 'a b', 'a control character cannot split the field');
  assert.equal(formatResponse({ id: '5', decision: 'host', risk: 'low', notice: '', cmd: '' }).split(US).length, 6);
});

test('calleesToAsk: without definitions the first word (checked by the shell) is left out', () => {
  assert.equal(calleesToAsk(undefined, 'ls', false), '');
  assert.equal(calleesToAsk(['ls'], '  ls -la', false), '', 'one command: no list, the H answer stays short');
  assert.equal(calleesToAsk(['make', 'll'], 'make && ll', false), 'll');
  assert.equal(calleesToAsk(['make', 'll'], 'make && ll', true), 'make ll', 'with definitions (or zsh changed the text): every one');
  assert.equal(calleesToAsk(['FOO=1', 'll'].slice(1), 'FOO=1 ll', false), 'll', 'an assignment is the first word as the hook splits it');
  assert.equal(calleesToAsk(['sudo'], 'sudo ll', false, ['ll']), '', 'behind a program wrapper: not asked about at first');
  assert.equal(calleesToAsk(['sudo'], 'sudo ll', true, ['ll']), 'sudo ll', 'with definitions: asked (`alias sudo=\'sudo \'`)');
});

test('responses never carry a control character but the separator', () => {
  const line = formatResponse({ id: '3', decision: 'block', risk: 'critical', notice: 'two\nlines\tand\x07bell', cmd: '' });
  assert.doesNotMatch(line.slice(0, -1).replaceAll(US, ''), /[\x00-\x1d\x7f]/);
  assert.equal(parseResponse(line)?.notice, 'two\x1elines and bell');
});

function bashWords(code: string): string[] {
  const r = spawnSync('bash', ['-c', `set -- ${code}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  return r.stdout.split('\0').slice(0, -1);
}

test('quotePosix: bash reads back exactly the words', () => {
  assert.deepEqual(bashWords(NASTY.map(quotePosix).join(' ')), NASTY);
  assert.doesNotMatch(NASTY.map(quotePosix).join(' '), /[\x00-\x1f\x7f]/);
});

test('quotePosix: zsh reads back exactly the words', { skip: spawnSync('zsh', ['-c', 'true']).status !== 0 && 'no zsh' }, () => {
  const r = spawnSync('zsh', ['-c', `set -- ${NASTY.map(quotePosix).join(' ')}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), NASTY);
});

test('quoteFish: fish reads back exactly the words', { skip: spawnSync('fish', ['-c', 'true']).status !== 0 && 'no fish' }, () => {
  const code = NASTY.map(quoteFish).join(' ');
  assert.doesNotMatch(code, /[\x00-\x1f\x7f]/);
  const r = spawnSync('fish', ['-c', `printf '%s\\0' ${code}`], { encoding: 'utf8' });
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), NASTY);
});

test('invocationCommand: env -i, argv, and fds as redirections', () => {
  const dir = tempDir('vg-inv-');
  const f = join(dir, "seccomp 'bpf'");
  spawnSync('sh', ['-c', `printf fdok > "$1"`, 'sh', f]);
  const cmd = invocationCommand({ argv: ['/bin/sh', '-c', 'echo "$A|$B"; cat <&9', 'x'], env: { A: "it's", B: 'two\nlines', PATH: '/usr/bin:/bin' }, files: [{ fd: 9, path: f }] }, 'bash');
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, LEAK: '1' } });
  assert.equal(r.stdout, "it's|two\nlines\nfdok");
  const fishCmd = invocationCommand({ argv: ['/bin/sh', '-c', 'echo "$A"; cat <&9'], env: { A: 'x\ty' }, files: [{ fd: 9, path: f }] }, 'fish');
  const rf = spawnSync('fish', ['-c', fishCmd], { encoding: 'utf8' });
  if (rf.status !== null && !rf.error) assert.equal(rf.stdout, 'x\ty\nfdok');
  assert.throws(() => invocationCommand({ argv: ['x'], env: {}, files: [{ fd: 12, path: f }] }, 'bash'), /3–9/);
});

test('invocationCommand: an invocation that starts with env shares the env -i (one exec fewer), options first', () => {
  const inv = { argv: ['/usr/bin/env', '--ignore-signal=INT,QUIT', '/bin/sh', '-c', 'echo "$A|$LEAK"; trap - INT; kill -INT $$; echo survived'], env: { A: 'a b', PATH: '/usr/bin:/bin' } };
  const cmd = invocationCommand(inv, 'bash');
  assert.match(cmd, /^command \/usr\/bin\/env -i --ignore-signal=INT,QUIT 'A=a b' PATH=\/usr\/bin:\/bin \/bin\/sh -c /);
  assert.equal(cmd.match(/env/g)?.length, 1, 'one env');
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env: { ...process.env, LEAK: '1' } });
  // The environment is exactly the invocation's, and INT stays ignored (sh cannot reset a signal
  // ignored at entry), as with the separate `env --ignore-signal` it replaces.
  assert.equal(r.stdout, 'a b|\nsurvived\n');
  // A bare `env` first word and no environment: left as it is.
  assert.equal(invocationCommand({ argv: ['env', '--default-signal=INT', 'true'], env: {} }, 'bash'), 'command env --default-signal=INT true');
  assert.throws(() => invocationCommand({ argv: ['/usr/bin/env', '--ignore-signal=INT'], env: { A: '1' } }, 'bash'), /empty/);
});

test('invocationCommand: a wrapper that sets the environment itself rides on the shell\'s (no env exec), for real in each shell', () => {
  const words = envArgv({ A: "it's", B: 'two\nlines', C: '--', D: 'x=--=y', PATH: '/usr/bin:/bin', 'BAD NAME': 'dropped' });
  assert.ok(!words.some((w) => w.startsWith('BAD')), 'names env and the shells cannot take are dropped');
  // perl, as vg's wrapper starts: environment from its argv, then Ctrl-C ignored, then exec.
  const inv = {
    argv: ['/usr/bin/perl', '-e', `${PERL_ENV_FROM_ARGV} $SIG{INT} = 'IGNORE'; exec { $ARGV[0] } @ARGV;`, '--', ...words, '/bin/sh', '-c', 'echo "$A|$B|$C|$D|$LEAK|$LC_ALL"; kill -INT $$; echo survived'],
    env: { LC_ALL: 'C' },
    envByWrapper: true,
  };
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    if (spawnSync(shell, ['-c', 'true']).status !== 0) continue;
    const cmd = invocationCommand(inv, shell);
    assert.match(cmd, /^LC_ALL='?C'? command \/usr\/bin\/perl -e /);
    assert.ok(!/\benv\b -i/.test(cmd), 'no env -i');
    const r = spawnSync(shell, ['-c', cmd], { encoding: 'utf8', env: { ...process.env, LEAK: '1' } });
    // Exactly the invocation's environment inside (the shell's LEAK gone, LC_ALL as the words say).
    assert.equal(r.stdout, "it's|two\nlines|--|x=--=y||\nsurvived\n", shell);
  }
});

test('isIncomplete: what bash would ask more for (PS2)', () => {
  for (const l of ['for i in 1 2; do', 'echo "abc', "echo 'x", 'cat <<EOF', 'cat <<-"END"\n\tx', 'a |', 'a &&', 'echo \\', 'if true; then', '( echo', 'echo $(ls', 'case x in'])
    assert.equal(isIncomplete(l), true, l);
  for (const l of ['ls', 'cat <<EOF\nhi\nEOF', 'cat <<-EOF\n\thi\n\tEOF', 'echo "<<EOF"', 'x=$((1<<2))', 'cat <<<word', 'fi', 'echo )', 'echo \\\\', "echo 'a\\'", '# cat <<EOF', ''])
    assert.equal(isIncomplete(l), false, l);
});

function fakeVerdict(line: string, over: Partial<Verdict> = {}): Verdict {
  return {
    line,
    risk: 'low',
    decision: 'host',
    reason: 'fake',
    analysis: { line, risk: 'low', reasons: [], parse: 'ok', commands: [], stateOnly: false },
    notice: '',
    notices: [],
    ...over,
  } as Verdict;
}

/** A `vg …` line's verdict: the server treats it as vg acting on the user's own state. */
function vgVerdict(line: string, argv: string[], cwd: string, over: Partial<Verdict> = {}): Verdict {
  const cmd = { argv, name: 'vg', wrappers: [], paths: [], redirects: [], origin: 'top', depth: 0, cwd, pipedFrom: [], stdinFromNetwork: false, stdinFromDecoder: false, dynamic: false };
  return fakeVerdict(line, { analysis: { line, risk: 'low', reasons: [], parse: 'ok', stateOnly: false, commands: [cmd] } as unknown as Verdict['analysis'], ...over });
}

/** A sandbox verdict whose invocation runs `argv`. */
function sandboxVerdict(line: string, argv: string[], over: Partial<Verdict> = {}): Verdict {
  return fakeVerdict(line, { decision: 'sandbox', notice: 'n', sandbox: { runtime: 'bubblewrap', plan: { mounts: [] } as never, invocation: { argv, env: {} }, cached: false }, ...over });
}

/** `vg serve` driven as a shell drives it: requests into a stream, answers into a file. */
function testServer(o: Partial<Omit<Parameters<typeof serve>[0], 'settings'>> & { settings?: Partial<ShellSettings> } = {}) {
  const dir = tempDir('vg-serve-');
  const outPath = join(dir, 'out');
  const outFd = openSync(outPath, 'w');
  const input = new PassThrough();
  const { settings, ...rest } = o;
  const done = serve({
    shell: 'bash',
    session: 's',
    version: 't',
    env: { HOME: dir, PATH: '/bin', XDG_RUNTIME_DIR: dir },
    input,
    outFd,
    ...rest,
    settings: async () => ({ timeoutMs: 500, fallback: 'host', notice: 'full', mode: 'auto', audit: { enabled: true, maxSizeMb: 1, keep: 1 }, allowedDomains: [], ...settings }),
  });
  const out = (): string => readFileSync(outPath, 'utf8');
  const lines = (): string[] => out().split('\n').filter(Boolean);
  return {
    dir,
    input,
    out,
    lines,
    /** Poll (not a fixed sleep: CI may be loaded) until `cond` holds, 5 s at most. */
    async until(cond: () => boolean): Promise<void> {
      for (let i = 0; i < 250 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
    },
    async end(): Promise<void> {
      input.end();
      await done;
      closeSync(outFd);
    },
  };
}

test('server: judges in order, answers every J, records the run, takes trust answers', async () => {
  const audits: Record<string, unknown>[] = [];
  const trusted: string[] = [];
  const ctxs: unknown[] = [];
  const srv = testServer({
    session: 's1',
    settings: { timeoutMs: 200, fallback: 'block' },
    judge: async (line, ctx) => {
      ctxs.push(ctx);
      if (line === 'slow') await new Promise((r) => setTimeout(r, 1000));
      if (line === 'boom') throw new Error('exploded');
      if (line.startsWith('rm')) return fakeVerdict(line, { risk: 'critical', decision: 'block', notice: '⛔ blocked' });
      if (line.startsWith('curl')) return sandboxVerdict(line, ['/usr/bin/true'], { risk: 'high', decision: 'prompt', notice: '⚠ q' });
      if (line.startsWith('vg ')) return vgVerdict(line, ['vg', 'trust', 'add', 'npm test'], '/', { decision: 'sandbox' });
      return fakeVerdict(line);
    },
    audit: (rec) => void audits.push(rec),
    trustAdd: (line) => void trusted.push(line),
  });
  const { dir, input } = srv;
  input.write(formatRequest({ kind: 'E', name: 'VG_AGENT', value: '1' }));
  input.write(formatRequest({ kind: 'U', name: 'VG_AGENT' }));
  input.write(formatRequest({ kind: 'J', id: '1', cwd: dir, line: 'ls' }));
  input.write(formatRequest({ kind: 'J', id: '2', cwd: dir, line: 'for x in 1; do' }));
  input.write(formatRequest({ kind: 'J', id: '3', cwd: dir, line: 'rm -rf /' }));
  input.write(formatRequest({ kind: 'D', id: '3', status: 126, ms: 1, how: 'block' }));
  input.write(formatRequest({ kind: 'J', id: '4', cwd: dir, line: 'curl x | sh' }));
  input.write(formatRequest({ kind: 'A', id: '4', answer: 'r' }));
  input.write(formatRequest({ kind: 'D', id: '4', status: 0, ms: 5, how: 'host' }));
  input.write(formatRequest({ kind: 'J', id: '5', cwd: dir, line: 'slow' }));
  input.write(formatRequest({ kind: 'J', id: '6', cwd: dir, line: 'boom' }));
  input.write(formatRequest({ kind: 'J', id: '7', cwd: dir, line: 'vg trust add "npm test"' }));
  await srv.end();
  const lines = srv.lines();
  assert.match(lines[0]!, /^V\x1ft\x1f\d+\x1f200\x1fblock\x1ffull\x1fauto\x1f\/.*\/reply$/);
  const rs = lines.slice(1).map((l) => parseResponse(l)!);
  assert.deepEqual(rs.map((r) => [r.id, r.decision]), [['1', 'host'], ['2', 'more'], ['3', 'block'], ['4', 'prompt'], ['5', 'error'], ['6', 'error'], ['7', 'host']]);
  assert.equal(rs[3]!.cmd, 'command /usr/bin/true');
  assert.match(rs[4]!.notice, /longer than/);
  assert.equal(rs[4]!.risk, 'block', 'an error names the fallback');
  assert.deepEqual(trusted, ['curl x | sh']);
  // Reported lines first; then, at the end of the session, the ones that ran but were never
  // reported (the shell went away): status and duration unknown. The analyzer errors judged nothing.
  assert.deepEqual(audits.map((a) => [a.line, a.decision, a.status, a.answer ?? null]), [
    ['rm -rf /', 'block', 126, null],
    ['curl x | sh', 'prompt', 0, 'remember'],
    ['ls', 'host', undefined, null],
    ['vg trust add "npm test"', 'host', undefined, null],
  ]);
  assert.equal(audits[2]!.durationMs, undefined);
  assert.equal(audits[2]!.runtime, 'host');
  assert.equal((ctxs[0] as { agent?: string }).agent, undefined, 'U unset VG_AGENT');
  assert.equal((ctxs[0] as { source: string }).source, 'shell');
});

test('D: the duration from the Enter and prompt timestamps bash sends (either decimal separator)', () => {
  assert.equal(parseRequest('D\t9\t3\t\thost\t1700000000.250000\t1700000001.750500')?.kind, 'D');
  const d = parseRequest('D\t9\t3\t\thost\t1700000000.250000\t1700000001.750500') as { ms: number; status: number; how: string; end: number };
  assert.equal(Math.round(d.ms * 10) / 10, 1500.5);
  assert.equal(Math.round(d.end), 1700000001751, 'the end time: when the audit record says the line ran');
  assert.equal(d.status, 3);
  assert.equal(d.how, 'host');
  const comma = parseRequest('D\t9\t0\t\thost\t10,5\t10,75') as { ms: number };
  assert.equal(comma.ms, 250);
  // No timestamps (bash without EPOCHREALTIME) or a clock step backwards: 0, never NaN or negative.
  assert.equal((parseRequest('D\t9\t0\t\thost\t\t') as { ms: number }).ms, 0);
  assert.equal((parseRequest('D\t9\t0\t\thost\t5.0\t4.0') as { ms: number }).ms, 0);
});

test('server: a report riding along with the next request is recorded; `vg …` lines see earlier records first', async () => {
  const audits: string[] = [];
  const events: string[] = [];
  const srv: ReturnType<typeof testServer> = testServer({
    session: 's2',
    judge: async (line) => {
      events.push(`judge ${line}`);
      return line.startsWith('vg ') ? vgVerdict(line, ['vg', 'audit'], '/') : fakeVerdict(line);
    },
    audit: async (rec) => {
      await new Promise((r) => setTimeout(r, 20));
      audits.push(`${rec.line as string} ${rec.status as number} ${rec.durationMs as number} ${rec.at as number}`);
      events.push(`audit ${rec.line as string}, answer 2 sent: ${srv.out().includes('H\x1f2\n')}`);
    },
  });
  const { dir, input } = srv;
  // As bash writes them: the report of line 1 and the request for line 2 in one write.
  input.write(formatRequest({ kind: 'J', id: '1', cwd: dir, line: 'make' }));
  await new Promise((r) => setTimeout(r, 50));
  input.write('D\t1\t2\t\thost\t100.000000\t100.125000\nJ\t2\t' + dir + '\tvg audit\n');
  await srv.until(() => events.length >= 3);
  const beforeEnd = [...events];
  await srv.end();
  // `vg audit` was never reported (the session ended): recorded as run, status unknown.
  assert.deepEqual(audits, ['make 2 125 100125', 'vg audit undefined undefined undefined']);
  // The record of `make` was written before `vg audit` got its answer (and could run).
  assert.match(srv.out(), /\nH\x1f2\n/, 'a host answer with nothing to print is the short H form');
  assert.deepEqual(beforeEnd, ['judge make', 'judge vg audit', 'audit make, answer 2 sent: false']);
});

test('server: a long answer goes to a private reply file, the pipe carries F and the id', async () => {
  const long = 'x'.repeat(3000);
  const srv = testServer({
    session: 's3',
    replyFileOver: 200,
    settings: { mode: 'always', audit: { enabled: false, maxSizeMb: 1, keep: 1 } },
    judge: async (line) =>
      line === 'big' ? sandboxVerdict(line, ['/usr/bin/echo', long]) : line === 'less big' ? sandboxVerdict(line, ['/usr/bin/echo', 'y'.repeat(400)]) : fakeVerdict(line),
  });
  const { dir, input } = srv;
  input.write(formatRequest({ kind: 'J', id: '1', cwd: dir, line: 'big' }));
  input.write(formatRequest({ kind: 'J', id: '2', cwd: dir, line: 'ls' }));
  await srv.until(() => srv.lines().length >= 3);
  const lines = srv.lines();
  const file = lines[0]!.split(US)[7]!;
  assert.ok(file.startsWith(dir + '/'), `reply file under XDG_RUNTIME_DIR: ${file}`);
  assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(lines.slice(1), [`F${US}1`, `H${US}2`], 'short answers stay in the pipe');
  const r = parseResponse(readFileSync(file, 'utf8'))!;
  assert.equal(r.id, '1');
  assert.equal(r.decision, 'sandbox');
  assert.ok(r.cmd.includes(long), 'the whole command is in the file');
  // The file is rewritten in place: a shorter answer after a longer one leaves no tail of the old.
  input.write(formatRequest({ kind: 'J', id: '3', cwd: dir, line: 'less big' }));
  await srv.until(() => srv.lines().length >= 4);
  assert.equal(srv.lines()[3], `F${US}3`);
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split('\n').filter(Boolean).length, 1, 'one answer in the file');
  const r3 = parseResponse(text)!;
  assert.equal(r3.id, '3');
  assert.ok(r3.cmd.includes('y'.repeat(400)) && !text.includes('x'.repeat(100)), 'nothing of the longer answer is left');
  await srv.end();
});

test('server: fish gets no hello, the full R form and never a reply file (its read is buffered, one line per request)', async () => {
  const srv = testServer({
    shell: 'fish',
    session: 's4',
    settings: { mode: 'always', audit: { enabled: false, maxSizeMb: 1, keep: 1 } },
    judge: async (line) => (line === 'big' ? sandboxVerdict(line, ['/usr/bin/echo', 'y'.repeat(3000)]) : fakeVerdict(line)),
  });
  const { dir, input } = srv;
  input.write(formatRequest({ kind: 'J', id: '1', cwd: dir, line: 'ls' }));
  input.write(formatRequest({ kind: 'J', id: '2', cwd: dir, line: 'big' }));
  await srv.end();
  const lines = srv.lines();
  assert.deepEqual(lines.map((l) => l.split(US).slice(0, 3).join(' ')), ['R 1 host', 'R 2 sandbox']);
  assert.ok(lines[1]!.length > 3000);
});

test('server: the callees come back with the verdict; with definitions the line is judged as the shell runs it', async () => {
  // The real judge: an alias defined out of the analyzer's sight (rc file, sourced script) used after `&&`.
  const srv = testServer({ settings: { mode: 'auto', audit: { enabled: false, maxSizeMb: 1, keep: 1 } }, replyFileOver: 1 << 20 });
  const { dir, input } = srv;
  input.write(formatRequest({ kind: 'J', id: '1', cwd: dir, line: 'true && nuke' }));
  input.write(formatRequest({ kind: 'J', id: '2', cwd: dir, line: 'true && nuke', defs: { aliases: [['nuke', 'rm -rf ~']], functions: [] } }));
  input.write(formatRequest({ kind: 'J', id: '3', cwd: dir, line: 'true && wipe', defs: { aliases: [], functions: [['wipe', 'wipe () \n{ \n    rm -rf / \n}']] } }));
  input.write(formatRequest({ kind: 'J', id: '4', cwd: dir, line: 'echo hi' }));
  input.write(formatRequest({ kind: 'J', id: '5', cwd: dir, line: 'ls', defs: { aliases: [], functions: [], incomplete: true } }));
  await srv.end();
  const rs = srv.lines().slice(1).map((l) => parseResponse(l)!);
  assert.equal(rs[0]!.risk, 'low', 'unexpanded, `nuke` is just a name');
  // `nuke` is on no PATH: bash would run its not-found handler, a function the shell may have.
  assert.deepEqual(rs.map((r) => [r.id, r.decision === 'block' ? 'block' : 'runs', r.callees ?? '']), [
    ['1', 'runs', '?nuke'],
    ['2', 'block', 'true rm'],
    ['3', 'block', 'rm true'],
    ['4', 'runs', ''],
    ['5', 'runs', 'ls'],
  ]);
  assert.equal(rs[4]!.risk, 'medium', 'a line with functions vg did not follow: at least medium');
});

test('server: with the real judge, a host line is answered as its request arrives — in order behind queued ones, recorded, trust and `vg …` lines seen first', async () => {
  const audits: Record<string, unknown>[] = [];
  const srv = testServer({ settings: { mode: 'auto' }, replyFileOver: 1 << 20, audit: (rec) => void audits.push(rec) });
  const { dir, input } = srv;
  // The real judge reads the real config (the built-in default is mode always).
  mkdirSync(join(dir, '.config', 'vg'), { recursive: true });
  writeFileSync(join(dir, '.config', 'vg', 'config.yaml'), 'sandbox:\n  mode: auto\n');
  const answered = (id: string): boolean => srv.lines().some((l) => parseResponse(l)?.id === id);
  try {
    // The first line in a directory loads its config: the queued way.
    input.write(formatRequest({ kind: 'J', id: '1', cwd: dir, line: 'ls -la' }));
    await srv.until(() => answered('1'));
    assert.ok(answered('1'));
    // Now the config is fresh: the answer is out before write() returns (PassThrough delivers at once).
    input.write('D\t1\t0\t\thost\t1.0\t1.5\n' + formatRequest({ kind: 'J', id: '2', cwd: dir, line: 'ls -la' }));
    assert.ok(answered('2'), 'answered in the same turn');
    assert.equal(parseResponse(srv.lines().at(-1)!)?.decision, 'host');
    // Behind a queued request (a line that asks: its sandbox is planned) a host line waits its turn.
    input.write(formatRequest({ kind: 'J', id: '3', cwd: dir, line: 'git push --force' }) + formatRequest({ kind: 'J', id: '4', cwd: dir, line: 'ls' }));
    assert.ok(!answered('4'), 'not ahead of the queued one');
    await srv.until(() => answered('4'));
    assert.deepEqual(srv.lines().slice(-2).map((l) => [parseResponse(l)?.id, parseResponse(l)?.decision]), [['3', 'prompt'], ['4', 'host']]);
    // "remember" for line 3, then the same line: the trust entry is there for it.
    input.write(formatRequest({ kind: 'A', id: '3', answer: 'r' }) + formatRequest({ kind: 'J', id: '5', cwd: dir, line: 'git push --force' }));
    await srv.until(() => answered('5'));
    assert.equal(parseResponse(srv.lines().at(-1)!)?.decision, 'host', 'trusted by the answer before it');
    // A `vg …` line is never answered on the spot (it may change what the next line sees).
    input.write(formatRequest({ kind: 'J', id: '6', cwd: dir, line: 'vg trust list' }));
    assert.ok(!answered('6'));
    await srv.until(() => answered('6'));
  } finally {
    await srv.end();
  }
  assert.deepEqual(
    audits.map((a) => [a.line, a.status ?? null]),
    [['ls -la', 0], ['ls -la', null], ['git push --force', null], ['ls', null], ['git push --force', null], ['vg trust list', null]],
  );
});
