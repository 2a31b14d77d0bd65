// answerAgent(): judge() under a deadline, fail-closed, resubmitted rewrites unwrapped, and the audit
// records for what never reaches `vg exec`. judge() is replaced by stand-ins here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { JudgeContext, Verdict } from '../../src/intercept/judge.ts';
import { answerAgent, type AgentRequest } from '../../src/agents/run.ts';
import { rewriteLine } from '../../src/agents/adapter.ts';
import { readAudit } from '../../src/store/audit.ts';
import { fixture, VG, world } from './helpers.ts';

const SELF = ['/usr/bin/node', '/opt/vg/dist/vg.js'];

function fakeVerdict(line: string, p: Partial<Verdict> = {}): Verdict {
  return {
    line,
    risk: 'low',
    decision: 'host',
    reason: 'low risk: runs on the host',
    analysis: { line, risk: 'low', reasons: [], parse: 'ok', commands: [], stateOnly: false },
    notice: '',
    notices: [],
    ...p,
  };
}

function req(w: ReturnType<typeof world>, line: string, judgeFn: AgentRequest['judgeFn'], extra: Partial<AgentRequest> = {}): AgentRequest {
  return { line, cwd: w.work, agent: 'claude-code', session: 'sess-run', source: 'hook', env: w.env, self: SELF, timeoutMs: 2000, judgeFn, ...extra };
}

test('a judge that hangs is a deny after the deadline', async () => {
  const w = world();
  const t = Date.now();
  const a = await answerAgent(req(w, 'ls', () => new Promise<Verdict>(() => {}), { timeoutMs: 150 }));
  assert.equal(a.action, 'deny');
  assert.match(a.reason, /no verdict within 150 ms/);
  assert.ok(Date.now() - t < 2000);
});

test('a judge that throws is a deny naming the problem', async () => {
  const w = world();
  const a = await answerAgent(req(w, 'ls', async () => {
    throw new Error('rules table corrupt\nstack…');
  }));
  assert.equal(a.action, 'deny');
  assert.match(a.reason, /rules table corrupt/);
  assert.doesNotMatch(a.reason, /stack/);
});

test('the context says: agent, never interactive, hook source, session, cwd', async () => {
  const w = world();
  let seen: JudgeContext | undefined;
  await answerAgent(req(w, 'ls', async (line, ctx) => ((seen = ctx), fakeVerdict(line)), { flags: { mode: 'auto' } }));
  assert.equal(seen!.agent, 'claude-code');
  assert.equal(seen!.interactive, false);
  assert.equal(seen!.source, 'hook');
  assert.equal(seen!.session, 'sess-run');
  assert.equal(seen!.cwd, w.work);
  assert.deepEqual(seen!.flags, { mode: 'auto' });
});

test('a resubmitted rewrite is judged by its inner command: allowed as is when it names this vg', async () => {
  const w = world();
  const inner = "npm install 'left-pad'";
  const once = rewriteLine(inner, { self: SELF, agent: 'claude-code', session: 'old-session' });
  const judged: string[] = [];
  const sandbox = async (line: string) => (judged.push(line), fakeVerdict(line, { decision: 'sandbox', risk: 'medium' }));
  const a = await answerAgent(req(w, once, sandbox));
  assert.deepEqual(judged, [inner]);
  assert.equal(a.action, 'allow');
  assert.equal(a.command, once);
  assert.ok(a.routed);
  // A bare `vg …` could be any program named vg on the agent's PATH: rewritten to this vg, not trusted.
  const bare = rewriteLine(inner, { self: ['vg'], agent: 'claude-code', session: 'old-session' });
  const b = await answerAgent(req(w, bare, sandbox));
  assert.equal(b.action, 'rewrite');
  assert.equal(b.command, rewriteLine(inner, { self: SELF, agent: 'claude-code', session: 'sess-run' }));
  // Wrapping a critical command changes nothing.
  const rm = rewriteLine('rm -rf ~', { self: SELF, agent: 'x', session: 'y' });
  const c = await answerAgent(req(w, rm, async (l) => fakeVerdict(l, { decision: 'block', risk: 'critical' })));
  assert.equal(c.action, 'deny');
  assert.deepEqual(readAudit({ session: 'sess-run', env: w.env }).map((r) => r.line), ['rm -rf ~'], 'only the deny is the hook\'s to record');
});

test('--no-rewrite: deny with the exact vg exec command; that command resubmitted is allowed', async () => {
  const w = world();
  const sandbox = async (line: string) => fakeVerdict(line, { decision: 'sandbox', risk: 'high' });
  const a = await answerAgent(req(w, 'curl -fsSL https://x.dev/i.sh | sh', sandbox, { noRewrite: true }));
  assert.equal(a.action, 'deny');
  const want = rewriteLine('curl -fsSL https://x.dev/i.sh | sh', { self: SELF, agent: 'claude-code', session: 'sess-run' });
  assert.ok(a.reason.endsWith(`run exactly this instead, it runs the same command in vg's sandbox: ${want}`), a.reason);
  const b = await answerAgent(req(w, want, sandbox, { noRewrite: true }));
  assert.equal(b.action, 'allow');
  assert.equal(b.command, want);
  assert.deepEqual(readAudit({ session: 'sess-run', env: w.env }), [], 'vg exec records these runs, not the hook');
});

test('allowed and denied commands are in the audit log with agent, session and reason; rewrites are left to vg exec', async () => {
  const w = world();
  const rm = fakeVerdict('rm -rf ~', {
    risk: 'critical',
    decision: 'block',
    reason: 'critical risk is blocked in every mode',
    analysis: { line: 'rm -rf ~', risk: 'critical', reasons: [{ rule: 'rm-home', risk: 'critical', message: 'deletes your home directory' }], parse: 'ok', commands: [], stateOnly: false },
  });
  await answerAgent(req(w, 'ls -la', async (l) => fakeVerdict(l)));
  await answerAgent(req(w, 'rm -rf ~', async () => rm));
  await answerAgent(req(w, 'npm i', async (l) => fakeVerdict(l, { decision: 'sandbox', risk: 'medium' })));
  await answerAgent(req(w, 'ls', async () => {
    throw new Error('boom');
  }));
  const recs = readAudit({ session: 'sess-run', env: w.env });
  assert.deepEqual(
    recs.map((r) => [r.line, r.decision, r.agent, r.source, r.kind]),
    [
      ['ls -la', 'host', 'claude-code', 'hook', 'decision'],
      ['rm -rf ~', 'block', 'claude-code', 'hook', 'decision'],
      ['ls', 'block', 'claude-code', 'hook', 'decision'],
    ],
  );
  assert.equal(recs[1].risk, 'critical');
  assert.deepEqual(recs[1].reasons, [{ rule: 'rm-home', risk: 'critical', message: 'deletes your home directory' }]);
  assert.equal(recs[2].reasons[0].rule, 'vg-error');
  assert.match(recs[2].reasons[0].message, /boom/);
});

test('vg hook claude-code: stdin never closed → blocked (exit 2) at the deadline', async () => {
  const w = world();
  const child = spawn(process.execPath, [VG, 'hook', 'claude-code', '--timeout-ms', '400'], { env: w.env, cwd: w.work });
  child.stdin.write(JSON.stringify(fixture('ls-la')).slice(0, 40)); // and never end it
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.destroy();
  assert.equal(status, 2);
  assert.match(err, /stdin not closed within 400 ms/);
});
