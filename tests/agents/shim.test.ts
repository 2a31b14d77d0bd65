// `vg shim`: the wrappers' routing, tested with a stand-in for vg that records its argv and then runs
// the command after `--` (what `vg exec` does for a host decision). The real end-to-end runs (rm -rf ~
// blocked through real `vg exec`) are in e2e.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { installShim, readMarker, uninstallShim, findReal, wrapperScript } from '../../src/agents/shim.ts';
import { vg, world, type World } from './helpers.ts';

const REAL_BASH = realpathSync('/bin/bash');

interface Rig extends World {
  shim: string;
  log: string;
  calls(): string[][];
  run(argv: string[], extra?: Record<string, string>): ReturnType<typeof spawnSync>;
}

/** A shim whose "vg" is a recorder: appends its argv (NUL-separated) and execs what follows `--`. */
function rig(o: { bashEnv?: boolean } = {}): Rig {
  const w = world('vg-shim-');
  const fake = join(w.root, 'fakevg');
  const log = join(w.root, 'calls.log');
  writeFileSync(
    fake,
    `#!/bin/sh
for a do printf '%s\\0' "$a" >> ${log}; done
printf '\\n--END--\\0' >> ${log}
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift
exec "$@"
`,
  );
  chmodSync(fake, 0o755);
  const shim = join(w.root, 'shim');
  installShim(shim, [fake], w.env);
  const env = { ...w.env, PATH: `${shim}:${w.env.PATH}` } as Record<string, string>;
  if (o.bashEnv) env.BASH_ENV = join(shim, 'bash_env');
  return {
    ...w,
    shim,
    log,
    calls() {
      if (!existsSync(log)) return [];
      const parts = readFileSync(log, 'utf8').split('\0');
      const out: string[][] = [];
      let cur: string[] = [];
      for (const p of parts) {
        if (p === '\n--END--') {
          out.push(cur);
          cur = [];
        } else if (p !== '') cur.push(p);
      }
      return out;
    },
    run(argv, extra = {}) {
      return spawnSync(argv[0], argv.slice(1), { env: { ...env, ...extra }, cwd: w.work, encoding: 'utf8', input: '' });
    },
  };
}

test('install writes bash, sh, bash_env and a marker; real shells resolved outside the shim', () => {
  const r = rig();
  assert.deepEqual(readdirSync(r.shim).sort(), ['.vg-shim.json', 'bash', 'bash_env', 'sh']);
  const info = readMarker(r.shim)!;
  assert.ok(!info.real.bash.startsWith(r.shim) && !info.real.sh.startsWith(r.shim));
  // With the shim first on PATH, the real shell is still found past it.
  assert.equal(findReal('bash', { PATH: `${r.shim}:/usr/bin:/bin` }, r.shim), '/usr/bin/bash');
  // Re-install over our own directory is fine; a foreign non-empty directory is refused.
  installShim(r.shim, ['/bin/true'], r.env);
  const foreign = join(r.root, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'x'), '');
  assert.throws(() => installShim(foreign, ['/bin/true'], r.env), /not empty and is not a vg shim/);
  assert.ok(uninstallShim(r.shim));
  assert.ok(!existsSync(r.shim));
  assert.equal(uninstallShim(r.shim), false);
});

test('wrapper scripts are valid POSIX sh (dash -n)', () => {
  const r = spawnSync('dash', ['-n'], { input: wrapperScript('bash', '/bin/bash', ['/usr/bin/node', '/x y/vg.js']), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const b = spawnSync('bash', ['-n', join(rig().shim, 'bash_env')], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
});

test('bash -c / sh -c go through vg exec --agent, output and exit status pass through', () => {
  const r = rig();
  const ok = r.run(['bash', '-c', 'echo ok']);
  assert.equal(ok.stdout, 'ok\n');
  assert.equal(ok.status, 0);
  assert.deepEqual(r.calls(), [['exec', '--agent', 'shim', '--', REAL_BASH === '/usr/bin/bash' ? readMarker(r.shim)!.real.bash : readMarker(r.shim)!.real.bash, '-c', 'echo ok']]);
  assert.equal(r.run(['bash', '-c', 'exit 7']).status, 7);
  assert.equal(r.run(['sh', '-c', 'exit 3']).status, 3);
  const args = r.run(['bash', '-c', 'echo "$0|$1|$2"', 'name', 'one', 'two words']);
  assert.equal(args.stdout, 'name|one|two words\n');
  const named = r.run(['bash', '-c', 'echo hi'], { VG_AGENT: 'aider' });
  assert.equal(named.stdout, 'hi\n');
  assert.equal(r.calls().at(-1)![2], 'aider');
  r.run(['bash', '-c', 'true'], { VG_AGENT: '1' });
  assert.equal(r.calls().at(-1)![2], 'agent', 'VG_AGENT=1 means an unnamed agent');
  assert.equal(r.calls().length, 6);
  // Inside vg's sandbox the wrappers step aside.
  assert.equal(r.run(['bash', '-c', 'echo in-sandbox'], { VG_SANDBOX: '1' }).stdout, 'in-sandbox\n');
  assert.equal(r.calls().length, 6);
});

test('option clusters and option values before -c are recognised', () => {
  const r = rig();
  const cases: string[][] = [
    ['bash', '-lc', 'echo x'],
    ['bash', '-e', '-c', 'echo x'],
    ['bash', '-o', 'pipefail', '-c', 'echo x'],
    ['bash', '--norc', '--noprofile', '-c', 'echo x'],
    ['bash', '-xec', 'echo x'],
    ['sh', '-ec', 'echo x'],
  ];
  for (const c of cases) {
    const n = r.calls().length;
    const p = r.run(c);
    assert.equal(p.stdout, 'x\n', c.join(' '));
    assert.equal(r.calls().length, n + 1, `${c.join(' ')} was routed`);
  }
});

test('scripts, stdin, --version and interactive-style starts run the real shell without vg', () => {
  const r = rig();
  writeFileSync(join(r.work, 'script.sh'), 'echo from-script "$1"\n');
  assert.equal(r.run(['bash', 'script.sh', '-c']).stdout, 'from-script -c\n', 'a -c after the script name is the script\'s');
  assert.match(String(r.run(['bash', '--version']).stdout), /GNU bash/);
  const piped = spawnSync('bash', [], { env: { ...r.env, PATH: `${r.shim}:${r.env.PATH}` }, cwd: r.work, input: 'echo from-stdin\n', encoding: 'utf8' });
  assert.equal(piped.stdout, 'from-stdin\n');
  assert.equal(r.run(['bash', '-O', 'extglob', 'script.sh']).stdout, 'from-script \n', '-O takes a value');
  assert.equal(r.run(['bash', '--rcfile', '/dev/null', 'script.sh']).stdout, 'from-script \n', '--rcfile takes a value');
  assert.deepEqual(r.calls(), []);
});

test('no recursion: a command run by vg exec starts nested shells without vg', () => {
  const r = rig();
  const p = r.run(['bash', '-c', 'bash -c "sh -c \\"echo deep\\""; echo "inside=$VG_SHIM_INSIDE"']);
  assert.equal(p.stdout, 'deep\ninside=1\n');
  assert.equal(r.calls().length, 1);
});

test('BASH_ENV catches bash -c by absolute path, keeps -e / pipefail, args and status', () => {
  const r = rig({ bashEnv: true });
  const abs = readMarker(r.shim)!.real.bash;
  const p = r.run([abs, '-c', 'echo "abs $0 $1"', 'me', 'arg']);
  assert.equal(p.stdout, 'abs me arg\n');
  assert.equal(r.calls().length, 1);
  assert.deepEqual(r.calls()[0].slice(0, 4), ['exec', '--agent', 'shim', '--']);
  const e = r.run([abs, '-e', '-c', 'false; echo should-not-print']);
  assert.equal(e.status, 1);
  assert.equal(e.stdout, '');
  const pf = r.run([abs, '-o', 'pipefail', '-c', 'false | true']);
  assert.equal(pf.status, 1);
  assert.equal(r.run([abs, '-c', 'exit 9']).status, 9);
  // Through the PATH wrapper too: judged once, not twice.
  const n = r.calls().length;
  r.run(['bash', '-c', 'true']);
  assert.equal(r.calls().length, n + 1);
  // Scripts are not -c strings: left alone.
  writeFileSync(join(r.work, 's.sh'), 'echo script\n');
  const m = r.calls().length;
  assert.equal(r.run([abs, 's.sh']).stdout, 'script\n');
  assert.equal(r.calls().length, m);
});

test('vg missing → the -c line is refused (126) and never runs', () => {
  const r = rig();
  installShim(r.shim, [join(r.root, 'gone', 'vg')], r.env);
  const p = r.run(['bash', '-c', `rm -f ${r.workCanary}`]);
  assert.equal(p.status, 126);
  assert.match(String(p.stderr), /vg shim: vg is missing/);
  assert.ok(r.intact());
});

test('vg shim install / env / status / uninstall (CLI)', () => {
  const w = world('vg-shim-cli-');
  const dir = join(w.root, 'myshim');
  const i = vg(['shim', 'install', dir], { env: w.env, cwd: w.work });
  assert.equal(i.status, 0, i.stderr);
  assert.match(i.stderr, /opt-in/);
  const e = vg(['shim', 'env', dir, '--agent', 'aider', '--session', 'a-1'], { env: w.env, cwd: w.work });
  assert.equal(e.status, 0, e.stderr);
  assert.equal(e.stdout, `export PATH=${dir}:"$PATH"\nexport BASH_ENV=${dir}/bash_env\nexport VG_AGENT=aider\nexport VG_SESSION=a-1\n`);
  assert.match(e.stderr, /vg audit --session a-1/);
  const n = vg(['shim', 'env', dir, '--no-bash-env'], { env: w.env, cwd: w.work }).stdout;
  assert.match(n, /^export PATH=\S+:"\$PATH"\nexport VG_SESSION=shim-\d{8}T\d{4}-[0-9a-f]{6}\n$/);
  const st = vg(['shim', 'status', dir], { env: { ...w.env, PATH: `${dir}:${w.env.PATH}` }, cwd: w.work });
  assert.match(st.stdout, /PATH wrappers: active/, JSON.stringify(st));
  // Default directory lives under XDG_DATA_HOME.
  const d = vg(['shim', 'install'], { env: w.env, cwd: w.work });
  assert.equal(d.status, 0, d.stderr);
  assert.ok(existsSync(join(w.env.XDG_DATA_HOME!, 'vg', 'shim', 'bash')));
  const u = vg(['shim', 'uninstall', dir], { env: w.env, cwd: w.work });
  assert.equal(u.status, 0);
  assert.ok(!existsSync(dir));
  const none = vg(['shim', 'env', dir], { env: w.env, cwd: w.work });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^vg: shim: no shim in .* — run `vg shim install/);
});

test('the wrapper costs no Node start when there is no -c (timing)', () => {
  const r = rig();
  writeFileSync(join(r.work, 'n.sh'), 'true\n');
  const env = { ...r.env, PATH: `${r.shim}:${r.env.PATH}` };
  const median = (argv: string[]): number => {
    const t: number[] = [];
    for (let i = 0; i < 21; i++) {
      const s = process.hrtime.bigint();
      spawnSync(argv[0], argv.slice(1), { env, cwd: r.work });
      t.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    return t.sort((a, b) => a - b)[10];
  };
  const via = median([join(r.shim, 'bash'), 'n.sh']);
  const direct = median([readMarker(r.shim)!.real.bash, 'n.sh']);
  const node = median([process.execPath, '-e', '0']);
  process.stdout.write(`# bash n.sh: direct ${direct.toFixed(1)} ms, through the shim ${via.toFixed(1)} ms; a bare node start ${node.toFixed(1)} ms\n`);
  // Medians, against a Node start measured at the same moment, so a loaded machine does not flake it.
  assert.ok(via - direct < node / 2, `wrapper overhead ${(via - direct).toFixed(1)} ms vs node start ${node.toFixed(1)} ms`);
});
