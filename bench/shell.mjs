// What the shell integration costs per command, through a real pty (tmux), per shell, in one run:
//   plain shell vs the same shell with vg for a host-decided line (`env true`, mode auto),
//   a sandboxed `env true` (mode always) vs a host one (`env true`: the analyzer treats a bare
//   `true`, even `/bin/true`, as a shell builtin and never sandboxes it),
//   the hook's own time per line (bash, zsh: Enter → verdict, measured in the shell — in a session of
//   its own, since the timing wrapper is one more function call per line),
//   and the resident analyzer's RSS after 1,000 lines.
// Method: the lines are typed ahead in batches of 200 (`env true⏎` × 200, then a marker line), so the
// shell runs them back to back; per-line cost = batch wall time / lines. Reported: the median batch.
// Plain and guarded shells run side by side with their batches interleaved; "added" is the median of
// the paired differences (VG_BENCH_SANDBOX=0: host lines only).
// "stand-in": the same shell with vg, its analyzer replaced by bench/standin.pl, which answers every
// line "host" at once — what vg's shell side costs; "added" minus this is the analyzer's share.
// VG_BENCH_BASE=DIR (a built checkout of another commit, e.g. `git worktree add DIR REV`, then
// `npm run build` there): one more interleaved shell with that build's vg, for an old-vs-new row.
// "floor": the same shell with the least any Enter hook that asks another process can do — the same
// key binding mechanism vg uses, one request and one answer to a trivial responder (perl), nothing
// else. What vg adds beyond the floor is vg's own code; the floor itself is this machine's price of
// an Enter hook plus a process round trip (on a paravirtualised VM every page the shell writes after
// a fork is a ~16 µs fault).
// `node bench/shell.mjs [batches=5] [shells=bash,zsh,fish]` — needs `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const vg = join(root, 'dist', 'vg.js');
const BATCHES = Number(process.argv[2] || 5);
const PER = 200;
const shells = (process.argv[3] || 'bash,zsh,fish').split(',').filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status === 0);
// VG_BENCH_SANDBOX=0 skips the sandboxed rows (the host-line figures alone take a fraction of the time).
const haveBwrap = process.env.VG_BENCH_SANDBOX !== '0' && spawnSync('sh', ['-c', 'command -v bwrap']).status === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let n = 0;

// One answer per request line, as vg serve would give for a host line.
const RESPONDER = `perl -e '$|=1; while (<STDIN>) { print "R\\x1f1\\x1fhost\\x1flow\\x1f\\x1f\\n" }'`;
const FLOOR = {
  bash: `coproc __F { exec ${RESPONDER}; }
__f() { builtin printf 'J\\t1\\t%s\\t%s\\n' "$PWD" "$READLINE_LINE" >&"\${__F[1]}"; IFS=$'\\x1f' builtin read -r -t 1 -u "\${__F[0]}" a b c d; }
bind -x '"\\e[9999;1~": __f'
bind '"\\e[9999;2~": accept-line'
bind '"\\C-m": "\\e[9999;1~\\e[9999;2~"'
`,
  zsh: `coproc ${RESPONDER}
__f() { builtin print -r -p -- "J"$'\\t'"1"$'\\t'"$PWD"$'\\t'"$BUFFER"; IFS= builtin read -r -t 1 -p __r; zle .accept-line; }
zle -N accept-line __f
`,
  fish: `set -g __fd (mktemp -d)
mkfifo $__fd/in $__fd/out
sh -c "exec ${RESPONDER.replaceAll('"', '\\"').replaceAll('$', '\\$')} <>$__fd/in 3<>$__fd/out >$__fd/out" &
disown
function __f; echo J\\t1\\t$PWD\\t(commandline) >$__fd/in; read -l r <$__fd/out; commandline -f execute; end
bind \\r __f
bind -M insert \\r __f 2>/dev/null
`,
};

// The user's own alias and function, for the rows that call one after `&&` (their definitions are
// sent and the line judged again with them: docs/shell.md, "Aliases and functions").
const OWN = {
  bash: `alias vgb_a='env true'\nvgb_f() { env true; }\n`,
  zsh: `alias vgb_a='env true'\nvgb_f() { env true }\n`,
  fish: `alias vgb_a 'env true'\nfunction vgb_f; env true; end\n`,
};

const STANDIN = join(root, 'bench', 'standin.pl');
const standinCmd = (shell) => (shell === 'fish' ? `set -g __vg_cmd perl ${STANDIN} # vg-init:cmd` : `__vg_cmd=(perl ${STANDIN}) # vg-init:cmd`);

const BASE = process.env.VG_BENCH_BASE;

function session(shell, { vg: withVg, mode, floor, timed, standin, base }) {
  const dir = mkdtempSync(join(tmpdir(), `vg-bench-${shell}-`));
  const home = join(dir, 'home');
  const ws = join(dir, 'ws');
  mkdirSync(join(home, '.config', 'vg'), { recursive: true });
  mkdirSync(join(home, '.config', 'fish'), { recursive: true });
  mkdirSync(join(home, '.local', 'share', 'fish', 'generated_completions'), { recursive: true });
  mkdirSync(ws, { recursive: true });
  writeFileSync(join(home, '.config', 'vg', 'config.yaml'), `sandbox:\n  mode: ${mode ?? 'auto'}\n`);
  let src = floor ? FLOOR[shell] : '';
  if (withVg) {
    const f = join(dir, `vg.${shell}`);
    const init = execFileSync(process.execPath, [base ? join(base, 'dist', 'vg.js') : vg, 'init', shell], { encoding: 'utf8' });
    writeFileSync(f, standin ? init.replace(/^.*# vg-init:cmd$/m, standinCmd(shell)) : init);
    src = `source ${f}\n${OWN[shell]}`;
    // Time the hook's round trip (escape, write, analyzer, read) inside the shell itself.
    // (The Enter hook itself: bash's bind -x function, also listed in PROMPT_COMMAND where it returns
    // at once — those calls are not timed; zsh's accept-line decision.) Only in a session of its own:
    // the timing wrapper is one more function call per line, which the "added" column must not pay.
    if (timed && shell === 'bash')
      src += `eval "$(declare -f __vg_accept | sed '1s/__vg_accept/__vg_accept_real/')"\n__vg_js=()\n__vg_accept() { [[ \${READLINE_LINE+set} ]] || return 0; local t=$EPOCHREALTIME; __vg_accept_real "$@"; local r=$?; __vg_js+=("$t $EPOCHREALTIME"); return $r; }\n`;
    if (timed && shell === 'zsh')
      src += `functions -c __vg_decide __vg_decide_real\n__vg_js=()\n__vg_decide() { local t=$EPOCHREALTIME; __vg_decide_real "$@"; local r=$?; __vg_js+=("$t $EPOCHREALTIME"); return $r; }\n`;
  }
  if (shell === 'bash') writeFileSync(join(home, '.bashrc'), `PS1='$ '\nHISTFILE=/dev/null\n${src}`);
  if (shell === 'zsh') writeFileSync(join(home, '.zshrc'), `PS1='%% '\nHISTFILE=/dev/null\n${src}`);
  if (shell === 'fish') writeFileSync(join(home, '.config', 'fish', 'config.fish'), `set -g fish_greeting ''\nfunction fish_prompt; echo -n '> '; end\nset -g fish_history ''\n${src}`);
  const sock = `vgb-${process.pid}-${++n}`;
  const env = { HOME: home, TERM: 'xterm-256color', PATH: process.env.PATH, LANG: 'C.UTF-8', XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.local', 'state'), XDG_DATA_HOME: join(home, '.local', 'share') };
  execFileSync('tmux', ['-L', sock, '-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '30', '-c', ws, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), shell, '-i']);
  const tmux = (...a) => execFileSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });
  let marks = 0;
  return {
    ws,
    shellPid: () => Number(tmux('display', '-p', '#{pane_pid}').trim()),
    /** Type `count` lines of `line` ahead, then a marker; resolves with ms per line. */
    async batch(line, count) {
      const mark = `m${++marks}`;
      const t0 = performance.now();
      // In chunks: a tty's input queue holds 4 KiB.
      const text = `${line}\r`.repeat(count);
      for (let i = 0; i < text.length; i += 2000) tmux('send-keys', '-l', text.slice(i, i + 2000));
      tmux('send-keys', '-l', `touch ${mark}\r`);
      const end = Date.now() + 120000;
      while (!existsSync(join(ws, mark))) {
        if (Date.now() > end) throw new Error(`${shell}: batch did not finish\n${tmux('capture-pane', '-p')}`);
        await sleep(2);
      }
      return (performance.now() - t0) / (count + 1);
    },
    /** Median of the in-shell hook timings (ms), dumped by a last line. */
    async hookMs() {
      if (shell === 'fish') return null;
      const out = join(ws, 'hook.txt');
      tmux('send-keys', '-l', `printf '%s\\n' "\${__vg_js[@]}" > ${out}\r`);
      const end = Date.now() + 20000;
      while (!existsSync(out) || !readFileSync(out, 'utf8').endsWith('\n')) {
        if (Date.now() > end) return null;
        await sleep(20);
      }
      await sleep(100);
      const ds = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number)).filter((x) => x.length === 2).map(([a, b]) => (b - a) * 1000);
      return ds.length ? median(ds.slice(30)) : null;
    },
    stop() {
      try {
        tmux('kill-server');
      } catch {}
      spawnSync('sleep', ['0.3']);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

function serverOf(shellPid) {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (cmd.includes('serve') && cmd[cmd.indexOf('--pid') + 1] === String(shellPid)) return Number(p);
    } catch {}
  }
  return 0;
}
/** The process's minor page faults so far (/proc/PID/stat, field 10). */
const minorFaults = (pid) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[7]);
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function measure(shell, opts, line = 'env true') {
  const s = session(shell, opts);
  try {
    await sleep(opts.vg ? 2500 : 800); // shell up; the analyzer has warmed up
    await s.batch(line, opts.mode === 'always' ? 5 : 30); // warm
    // Sandboxed lines cost far more: smaller batches, same ≥ 200 commands in total.
    const per = opts.mode === 'always' ? 50 : PER;
    const batches = opts.mode === 'always' ? Math.max(4, BATCHES) : BATCHES;
    const xs = [];
    for (let i = 0; i < batches; i++) xs.push(await s.batch(line, per));
    return { ms: median(xs) };
  } finally {
    s.stop();
  }
}

/**
 * Plain vs vg for a host line, interleaved: both shells are up at once and their batches alternate
 * (plain, vg, vg, plain, …), so a change in machine load hits both columns alike. "added" is the
 * median of the per-pair differences. Also: the hook's in-shell time and the analyzer's RSS.
 */
async function measureHost(shell, line = 'env true') {
  const plain = session(shell, { vg: false });
  const floor = session(shell, { vg: false, floor: true });
  const guarded = session(shell, { vg: true, mode: 'auto' });
  const standin = session(shell, { vg: true, standin: true });
  const based = BASE ? session(shell, { vg: true, mode: 'auto', base: BASE }) : null;
  try {
    await sleep(2500);
    await plain.batch(line, 30);
    await floor.batch(line, 30);
    await guarded.batch(line, 30);
    await standin.batch(line, 30);
    await based?.batch(line, 30);
    const ps = [];
    const fs = [];
    const vs = [];
    const ss = [];
    const bs = [];
    // Page faults the shell process itself takes per line (plain vs vg): on this kind of VM each
    // copy-on-write fault after a fork costs ~17 µs (bench/serve), so they are part of "added".
    const faults = new Map([[plain, []], [guarded, []]]);
    for (let i = 0; i < BATCHES; i++) {
      const order = i % 2 ? [[guarded, vs], [standin, ss], [floor, fs], [plain, ps]] : [[plain, ps], [floor, fs], [standin, ss], [guarded, vs]];
      if (based) order.splice(i % 2 ? 0 : order.length, 0, [based, bs]);
      for (const [s, xs] of order) {
        const f0 = minorFaults(s.shellPid());
        xs.push(await s.batch(line, PER));
        faults.get(s)?.push((minorFaults(s.shellPid()) - f0) / (PER + 1));
      }
    }
    const pid = serverOf(guarded.shellPid());
    const done = 30 + BATCHES * PER;
    if (done < 1000) await guarded.batch(line, 1000 - done);
    const rss = pid ? rssMb(pid) : null;
    // A line of two commands: the answer names the second, which the hook looks up (none of the
    // shell's own) — vs. the same line calling the shell's alias or function (asked again with its
    // definition). Interleaved, 3 batches of 100 each.
    const own = { plain: [], alias: [], fn: [] };
    for (let i = 0; i < 3; i++) {
      own.plain.push(await guarded.batch('true && env true', 100));
      own.alias.push(await guarded.batch(shell === 'fish' ? 'true; and vgb_a' : 'true && vgb_a', 100));
      own.fn.push(await guarded.batch(shell === 'fish' ? 'true; and vgb_f' : 'true && vgb_f', 100));
    }
    let hook = null;
    if (shell !== 'fish') {
      const timed = session(shell, { vg: true, mode: 'auto', timed: true });
      try {
        await sleep(2500);
        await timed.batch(line, 30);
        for (let i = 0; i < 2; i++) await timed.batch(line, PER);
        hook = await timed.hookMs();
      } finally {
        timed.stop();
      }
    }
    return {
      plain: median(ps),
      host: median(vs),
      faults: { plain: median(faults.get(plain)), vg: median(faults.get(guarded)) },
      added: median(vs.map((v, i) => v - ps[i])),
      floor: median(fs.map((v, i) => v - ps[i])),
      standin: median(ss.map((v, i) => v - ps[i])),
      base: based ? median(bs.map((v, i) => v - ps[i])) : null,
      rss,
      hook,
      own: { plain: median(own.plain), alias: median(own.alias.map((v, i) => v - own.plain[i])), fn: median(own.fn.map((v, i) => v - own.plain[i])) },
    };
  } finally {
    plain.stop();
    floor.stop();
    guarded.stop();
    standin.stop();
    based?.stop();
  }
}

const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const rows = [];
for (const shell of shells) {
  const h = await measureHost(shell);
  const box = haveBwrap ? await measure(shell, { vg: true, mode: 'always' }) : null;
  rows.push({ shell, ...h, box: box?.ms ?? null });
}

const f = (x) => (x === null ? '   n/a' : x.toFixed(2).padStart(6));
console.log(`\nShell integration — ms per line through tmux, median of ${BATCHES} batches of ${PER} typed-ahead lines (sandboxed: ${Math.max(4, BATCHES)} × 50)`);
console.log('shell  plain   floor added   vg: host  added   stand-in added   hook (in shell)  vg: sandboxed  added vs host  analyzer RSS after 1000 lines');
// added: median of the paired (interleaved) batch differences, not the difference of the medians.
for (const r of rows)
  console.log(
    `${r.shell.padEnd(5)}  ${f(r.plain)}   ${f(r.floor)}      ${f(r.host)}   ${f(r.added)}   ${f(r.standin)}           ${r.hook == null ? '   n/a' : f(r.hook)}           ${f(r.box)}         ${r.box === null ? '   n/a' : f(r.box - r.host)}         ${r.rss === null ? 'n/a' : r.rss.toFixed(1) + ' MB'}`,
  );
if (BASE) {
  console.log(`\nHost line added (ms), the build in ${BASE} against this one, batches interleaved`);
  console.log('shell  base build   this build');
  for (const r of rows) console.log(`${r.shell.padEnd(5)}  ${f(r.base)}       ${f(r.added)}`);
}
console.log('\nPage faults the shell itself takes per host line (median per batch)');
console.log('shell  plain   with vg');
for (const r of rows) console.log(`${r.shell.padEnd(5)}  ${r.faults.plain.toFixed(0).padStart(5)}   ${r.faults.vg.toFixed(0).padStart(7)}`);
console.log('\nWith vg, a host line of two commands (ms per line), and what calling your own alias or function there adds (its definition is sent, the line judged again)');
console.log('shell  true && env true   alias added   function added');
for (const r of rows) console.log(`${r.shell.padEnd(5)}  ${f(r.own.plain)}              ${f(r.own.alias)}        ${f(r.own.fn)}`);
console.log(`load average at start: ${load0}; at end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores) — a busy machine inflates every column`);
console.log('targets: host line ≤ 1 ms added (bash, zsh), ≤ 2 ms (fish); sandboxed true ≤ 10 ms added (bubblewrap)');
