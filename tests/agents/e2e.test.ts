// End to end, for real: Claude Code PreToolUse payloads → `vg hook claude-code` → the answer is
// carried out the way Claude Code would (the rewritten command run through bash, the original run
// for "no opinion"), in a throwaway HOME and workspace with canaries. Blocked commands never run:
// even fed straight to `vg exec` (an agent ignoring the deny), they are refused and the canaries live.
// Then the same through `vg hook json` and the PATH/BASH_ENV shim, and the session in `vg audit`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fixture, sh, vg, VG, world, type World } from './helpers.ts';
import { rewriteLine } from '../../src/agents/adapter.ts';
import { readMarker } from '../../src/agents/shim.ts';

const SESSION = '5c1e9a52-7f3b-4d0e-9b8a-2f6d4c1a0e77'; // the fixtures' session_id

function safe(w: World): void {
  // Belt and braces before anything destructive: HOME and cwd are ours, under the temp dir.
  assert.ok(w.home.startsWith(tmpdir() + '/') && w.env.HOME === w.home && w.work.startsWith(w.home + '/'), 'throwaway HOME');
}

function mode(w: World, m: string): void {
  mkdirSync(join(w.env.XDG_CONFIG_HOME!, 'vg'), { recursive: true });
  writeFileSync(join(w.env.XDG_CONFIG_HOME!, 'vg', 'config.yaml'), `sandbox:\n  mode: ${m}\n`);
}

interface Hso {
  permissionDecision?: string;
  permissionDecisionReason?: string;
  updatedInput?: Record<string, unknown> & { command: string };
}

function hook(w: World, name: string, extra: string[] = []): { status: number | null; hso: Hso | null; stdout: string; stderr: string; input: Record<string, unknown> } {
  const payload = fixture(name);
  payload.cwd = w.work;
  const r = vg(['hook', 'claude-code', ...extra], { env: w.env, cwd: w.work, input: JSON.stringify(payload) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, hso: r.stdout ? JSON.parse(r.stdout).hookSpecificOutput : null, input: payload.tool_input };
}

/** What Claude Code's Bash tool does with the (possibly rewritten) command: bash -c in the project. */
const runAsClaude = (w: World, command: string) => sh(command, { env: w.env, cwd: w.work, timeout: 120_000 });

const audit = (w: World, session = SESSION) => {
  const r = vg(['audit', '--session', session, '--json'], { env: w.env, cwd: w.work });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
};

test('claude-code, default mode (always): sandboxed rewrites run for real; rm -rf ~ is denied and never runs', async () => {
  const w = world();
  safe(w);

  // ls -la → rewritten, runs in the sandbox, sees the workspace.
  const ls = hook(w, 'ls-la');
  assert.equal(ls.status, 0, ls.stderr);
  assert.equal(ls.hso!.permissionDecision, 'allow');
  assert.deepEqual({ ...ls.hso!.updatedInput, command: undefined }, { ...ls.input, command: undefined }, 'every other field kept');
  assert.match(ls.hso!.updatedInput!.command, /^env VG_SESSION=5c1e9a52-\S+ \S+ \S+vg\.js exec --agent claude-code -- bash -c 'ls -la'$/);
  const lsRun = runAsClaude(w, ls.hso!.updatedInput!.command);
  assert.equal(lsRun.status, 0, lsRun.stderr);
  assert.match(lsRun.stdout, /CANARY/);
  assert.match(lsRun.stderr, /sandbox/);

  // A heredoc with quotes, backticks and $(…) in the body: written byte for byte.
  const hd = hook(w, 'heredoc');
  const hdRun = runAsClaude(w, hd.hso!.updatedInput!.command);
  assert.equal(hdRun.status, 0, hdRun.stderr);
  assert.equal(hdRun.stdout, '3 notes.txt\n');
  assert.equal(readFileSync(join(w.work, 'notes.txt'), 'utf8'), 'Release notes\n- fixed $HOME handling in `setup`\n- it\'s "quoted" and $(not expanded)\n');

  // Single quotes every which way.
  const sq = hook(w, 'single-quotes');
  const sqRun = runAsClaude(w, sq.hso!.updatedInput!.command);
  assert.equal(sqRun.stdout, "it's here\ndon't\n", sqRun.stderr);

  // run_in_background and timeout survive the rewrite.
  assert.equal(hook(w, 'background').hso!.updatedInput!.run_in_background, true);
  const npm = hook(w, 'npm-install-lodash');
  assert.equal(npm.hso!.updatedInput!.timeout, 120000);
  assert.match(npm.hso!.permissionDecisionReason!, /medium/);

  // rm -rf ~ → deny with the reason; nothing to run.
  const rm = hook(w, 'rm-rf-home');
  assert.equal(rm.status, 0);
  assert.equal(rm.hso!.permissionDecision, 'deny');
  assert.equal(rm.hso!.updatedInput, undefined);
  assert.match(rm.hso!.permissionDecisionReason!, /blocked .*critical/);
  // An agent that ignores the deny and wraps it itself gets nowhere: the hook denies the wrapped
  // form, and vg exec refuses it if it runs anyway.
  const wrapped = rewriteLine('rm -rf ~', { self: [process.execPath, realpathSync(VG)], agent: 'claude-code', session: SESSION });
  const again = vg(['hook', 'claude-code'], { env: w.env, cwd: w.work, input: JSON.stringify({ ...fixture('rm-rf-home'), cwd: w.work, tool_input: { command: wrapped } }) });
  assert.equal(JSON.parse(again.stdout).hookSpecificOutput.permissionDecision, 'deny');
  safe(w);
  const forced = runAsClaude(w, wrapped);
  assert.equal(forced.status, 126, forced.stderr);
  assert.ok(w.intact(), 'canaries survive');

  // curl … | sh (high) → sandboxed through vg exec; whatever it fetches runs inside.
  const curl = hook(w, 'curl-pipe-sh');
  assert.equal(curl.hso!.permissionDecision, 'allow');
  assert.match(curl.hso!.permissionDecisionReason!, /high/);
  const curlRun = runAsClaude(w, curl.hso!.updatedInput!.command);
  assert.match(curlRun.stderr, /sandbox/);
  assert.ok(w.intact());

  // Other tools: no opinion.
  const read = hook(w, 'read-tool');
  assert.deepEqual([read.status, read.stdout], [0, '']);

  // The session in the audit log: what ran (sandboxed, by vg exec), what was blocked and why.
  const recs = audit(w);
  assert.ok(recs.every((r) => r.agent === 'claude-code'), 'every record names the agent');
  const blocked = recs.filter((r) => r.line === 'rm -rf ~' && r.decision === 'block');
  assert.ok(blocked.some((r) => r.source === 'hook' && r.reasons.some((x: { risk: string; message: string }) => x.risk === 'critical' && /home/.test(x.message))), JSON.stringify(recs));
  const ran = recs.filter((r) => r.kind === 'execution' && r.decision === 'sandbox');
  assert.ok(ran.some((r) => /ls -la/.test(r.line) && r.status === 0 && r.runtime && r.runtime !== 'host'));
  assert.ok(ran.some((r) => /notes\.txt/.test(r.line)));
  const human = vg(['audit', '--session', SESSION], { env: w.env, cwd: w.work });
  assert.match(human.stdout, /judged +block +critical .*rm -rf ~/);
  assert.match(human.stdout, /ran +(?!host)\S+ +low +0 .*ls -la/);
});

test('claude-code as Claude Code would: the installed settings entry is run through a shell with the payload', async () => {
  const w = world();
  safe(w);
  const i = vg(['hook', 'install', 'claude-code'], { env: w.env, cwd: w.work });
  assert.equal(i.status, 0, i.stderr);
  const settings = JSON.parse(readFileSync(join(w.home, '.claude', 'settings.json'), 'utf8'));
  const group = settings.hooks.PreToolUse.find((g: { matcher: string }) => g.matcher === 'Bash');
  const hookCmd: string = group.hooks[0].command;
  const callHook = (name: string) => {
    const payload = { ...fixture(name), cwd: w.work };
    return spawnSync('bash', ['-c', hookCmd], { env: w.env, cwd: w.work, input: JSON.stringify(payload), encoding: 'utf8', timeout: group.hooks[0].timeout * 1000 });
  };
  const rm = callHook('rm-rf-home');
  assert.equal(rm.status, 0, rm.stderr);
  assert.equal(JSON.parse(rm.stdout).hookSpecificOutput.permissionDecision, 'deny');
  const sq = callHook('single-quotes');
  const cmd = JSON.parse(sq.stdout).hookSpecificOutput.updatedInput.command;
  assert.equal(runAsClaude(w, cmd).stdout, "it's here\ndon't\n");
  // A broken payload through the installed command: blocked with exit 2.
  const junk = spawnSync('bash', ['-c', hookCmd], { env: w.env, cwd: w.work, input: '{"tool_name": "Bash"', encoding: 'utf8' });
  assert.equal(junk.status, 2);
  assert.match(junk.stderr, /could not judge/);
  assert.ok(w.intact());
});

test('claude-code, mode auto: low risk is left to Claude Code (and runs as is), medium is sandboxed', async () => {
  const w = world();
  safe(w);
  mode(w, 'auto');
  const sq = hook(w, 'single-quotes');
  assert.deepEqual([sq.status, sq.stdout], [0, '']);
  const run = runAsClaude(w, sq.input.command as string);
  assert.equal(run.stdout, "it's here\ndon't\n");
  const allowHost = hook(w, 'ls-la', ['--allow-host']);
  assert.equal(allowHost.hso!.permissionDecision, 'allow');
  assert.equal(allowHost.hso!.updatedInput, undefined);
  const npm = hook(w, 'npm-install-lodash');
  assert.match(npm.hso!.updatedInput!.command, /exec --agent claude-code -- bash -c 'npm install lodash'$/);
  const npmRun = runAsClaude(w, npm.hso!.updatedInput!.command);
  assert.equal(npmRun.status, 0, npmRun.stderr);
  assert.ok(existsSync(join(w.work, 'node_modules', 'lodash', 'package.json')), 'installed into the workspace from the sandbox');
  // Host-allowed lines are in the audit log from the hook (Claude Code runs them itself).
  assert.ok(audit(w).some((r) => r.source === 'hook' && r.decision === 'host' && r.line.startsWith('printf')));
});

test('claude-code --no-rewrite: deny naming the vg exec command; that command resubmitted is allowed and runs', async () => {
  const w = world();
  safe(w);
  const first = hook(w, 'heredoc', ['--no-rewrite']);
  assert.equal(first.hso!.permissionDecision, 'deny');
  const cmd = /run exactly this instead, it runs the same command in vg's sandbox: ([\s\S]*)$/.exec(first.hso!.permissionDecisionReason!)![1];
  const payload = { ...fixture('heredoc'), cwd: w.work, tool_input: { ...fixture('heredoc').tool_input, command: cmd } };
  const second = vg(['hook', 'claude-code', '--no-rewrite'], { env: w.env, cwd: w.work, input: JSON.stringify(payload) });
  const hso = JSON.parse(second.stdout).hookSpecificOutput;
  assert.equal(hso.permissionDecision, 'allow');
  assert.equal(hso.updatedInput, undefined);
  const run = runAsClaude(w, cmd);
  assert.equal(run.stdout, '3 notes.txt\n', run.stderr);
});

test('no sandbox can start: the rewritten command is refused (125) and never runs on the host', async () => {
  const w = world();
  safe(w);
  mkdirSync(join(w.env.XDG_CONFIG_HOME!, 'vg'), { recursive: true });
  writeFileSync(join(w.env.XDG_CONFIG_HOME!, 'vg', 'config.yaml'), 'sandbox:\n  runtime: bubblewrap\n');
  // A PATH with the shell tools the command needs, and no bwrap.
  const bin = join(w.root, 'bin');
  mkdirSync(bin);
  for (const b of ['env', 'bash', 'touch']) symlinkSync(spawnSync('sh', ['-c', `command -v ${b}`], { encoding: 'utf8' }).stdout.trim(), join(bin, b));
  const payload = { ...fixture('npm-install-lodash'), cwd: w.work, tool_input: { command: 'touch ~/pwned; npm install lodash' } };
  const r = vg(['hook', 'claude-code'], { env: w.env, cwd: w.work, input: JSON.stringify(payload) });
  const cmd = JSON.parse(r.stdout).hookSpecificOutput.updatedInput.command;
  const run = sh(cmd, { env: { ...w.env, PATH: bin }, cwd: w.work });
  assert.equal(run.status, 125, run.stderr);
  assert.match(run.stderr, /sandbox could not start: .*bubblewrap/);
  assert.ok(!existsSync(join(w.home, 'pwned')), 'not run on the host instead');
  assert.ok(w.intact());
});

test('vg hook json: deny (exit 2) for rm -rf ~, a runnable argv otherwise', async () => {
  const w = world();
  safe(w);
  const ask = (command: string) => {
    const r = vg(['hook', 'json'], { env: w.env, cwd: w.work, input: JSON.stringify({ command, cwd: w.work, agent: 'py-agent', session: 'py-1' }) });
    return { status: r.status, body: JSON.parse(r.stdout) };
  };
  const rm = ask('rm -rf ~');
  assert.equal(rm.status, 2);
  assert.equal(rm.body.decision, 'deny');
  assert.equal(rm.body.risk, 'critical');
  assert.equal(rm.body.argv, undefined);
  const echo = ask("echo 'hello from' \"$0\"");
  assert.equal(echo.status, 0);
  assert.ok(['allow', 'rewrite'].includes(echo.body.decision));
  const p = spawnSync(echo.body.argv[0], echo.body.argv.slice(1), { env: w.env, cwd: w.work, encoding: 'utf8' });
  assert.equal(p.stdout, 'hello from bash\n', p.stderr);
  const bad = vg(['hook', 'json'], { env: w.env, cwd: w.work, input: '{"cmd":"ls"}' });
  assert.equal(bad.status, 2);
  assert.equal(JSON.parse(bad.stdout).decision, 'deny');
  const recs = audit(w, 'py-1');
  assert.ok(recs.some((r) => r.agent === 'py-agent' && r.line === 'rm -rf ~' && r.decision === 'block'));
  assert.ok(w.intact());
});

test('shim, for real: rm -rf ~ inside an agent\'s bash -c is blocked; echo works; status passes; no loop', async () => {
  const w = world();
  safe(w);
  const dir = join(w.root, 'shim');
  const i = vg(['shim', 'install', dir], { env: w.env, cwd: w.work });
  assert.equal(i.status, 0, i.stderr);
  const envOut = vg(['shim', 'env', dir, '--agent', 'test-agent', '--session', 'shim-1'], { env: w.env, cwd: w.work }).stdout;
  // The agent's environment: exactly what `eval "$(vg shim env)"` gives.
  const agentEnv: Record<string, string | undefined> = { ...w.env };
  for (const m of envOut.matchAll(/^export (\w+)=(.*)$/gm)) agentEnv[m[1]] = m[2].replace(/:"\$PATH"$/, `:${w.env.PATH}`).replace(/^'(.*)'$/, '$1');
  const agent = (argv: string[]) => spawnSync(argv[0], argv.slice(1), { env: agentEnv, cwd: w.work, encoding: 'utf8', timeout: 60_000, input: '' });

  safe(w);
  const rm = agent(['bash', '-c', 'rm -rf ~']);
  assert.equal(rm.status, 126, rm.stderr);
  assert.match(rm.stderr, /blocked/);
  const rmSh = agent(['sh', '-c', 'rm -rf "$HOME"']);
  assert.equal(rmSh.status, 126, rmSh.stderr);
  const rmAbs = agent([readMarker(dir)!.real.bash, '-c', 'rm -rf ~/']); // absolute path: caught by BASH_ENV
  assert.equal(rmAbs.status, 126, rmAbs.stderr);
  assert.ok(w.intact(), 'canaries survive');

  const ok = agent(['bash', '-c', 'echo ok']);
  assert.equal(ok.stdout, 'ok\n', ok.stderr);
  assert.equal(agent(['bash', '-c', 'exit 3']).status, 3);
  // vg exec runs the real shell and nested shells skip vg: one judgement, and it terminates.
  const nested = agent(['bash', '-c', 'bash -c "sh -c \\"echo nested\\""']);
  assert.equal(nested.status, 0, nested.stderr);
  assert.equal(nested.stdout, 'nested\n');

  const recs = audit(w, 'shim-1');
  assert.ok(recs.every((r) => r.agent === 'test-agent'));
  assert.equal(recs.filter((r) => r.kind === 'execution' && /echo nested/.test(r.line)).length, 1, 'judged once');
  assert.ok(recs.filter((r) => r.decision === 'block' && r.kind === 'execution').length >= 3);
});
