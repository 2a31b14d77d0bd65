// Escape tests with the real bwrap and unshare. Every destructive action runs with HOME and cwd in
// a throwaway temp tree, and each probe script is first run WITHOUT the sandbox to prove it can
// succeed (otherwise a "blocked" result would prove nothing).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, closeSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { invocationStdio } from '../../src/runtimes/run.ts';

// Not under /tmp: the sandbox gives /tmp its own tmpfs, so a home there would be invisible inside
// and the escape probes would pass without proving anything.
const ROOT = (() => {
  try {
    return mkdtempSync('/var/lib/vg-escape-');
  } catch {
    return mkdtempSync(join(process.env.HOME ?? '/tmp', '.vg-escape-'));
  }
})();
// Set before the runtimes are imported: their state (overlay dir, seccomp file) lands in the temp tree.
process.env.VG_STATE_DIR = join(ROOT, 'state');

const { planSandbox } = await import('../../src/sandbox/plan.ts');
const { defaultConfig } = await import('../../src/store/config/types.ts');
const { bwrapArgv } = await import('../../src/runtimes/bwrap.ts');
const { namespaceArgv } = await import('../../src/runtimes/namespace.ts');
const { hostOptions, prepareHost } = await import('../../src/runtimes/host.ts');
const { probeCgroups, removeCgroups } = await import('../../src/runtimes/limits.ts');
const { bubblewrapRuntime } = await import('../../src/runtimes/bwrap.ts');
const { namespaceRuntime } = await import('../../src/runtimes/namespace.ts');
const { runPlan } = await import('../../src/runtimes/run.ts');
type Plan = ReturnType<typeof planSandbox>;
type Level = 'permissive' | 'balanced' | 'strict' | 'paranoid';

const HOME = join(ROOT, 'home');
const WS = join(ROOT, 'proj');
const OUT = join(ROOT, 'outside');
const PY = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
const RAND = randomBytes(4).toString('hex');
const ETC_PROBE = `/etc/vg-escape-${RAND}`;
// Where the analyzer's private directory goes when there is no XDG_RUNTIME_DIR (server.ts
// privateBase): the shell writes its exported environment there, secrets included.
const SHM = existsSync('/dev/shm') ? `/dev/shm/vg-serve-escape-${RAND}` : null;
let port = 0;
let server: Server;
const PROXY_SOCK = join(ROOT, 'net', 'proxy.sock');
let proxy: { close(): Promise<void> } | undefined;

/** Pids whose command line holds `mark` (what a timed-out sandbox must not leave behind). */
function processesWith(mark: string): string[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(mark);
    } catch {
      return false;
    }
  });
}

function reset(): void {
  writeFileSync(join(HOME, 'canary'), 'safe\n');
  writeFileSync(join(OUT, 'canary'), 'safe\n');
  rmSync(join(WS, '.git/hooks/post-checkout'), { force: true });
}

// A controlling-terminal TIOCSTI attempt: new session, open a pty slave as controlling tty, inject.
const STI_PY = `
import os, fcntl, termios, sys
m, s = os.openpty()
pid = os.fork()
if pid == 0:
    os.setsid()
    fd = os.open(os.ttyname(s), os.O_RDWR)
    try:
        fcntl.ioctl(fd, termios.TIOCSTI, b'x'); os._exit(0)
    except OSError as e:
        os._exit(10 + e.errno)
_, st = os.waitpid(pid, 0)
print("sti", os.waitstatus_to_exitcode(st))
`;

before(async () => {
  for (const d of [HOME, join(HOME, '.ssh'), WS, join(WS, '.git/hooks'), join(WS, 'sub'), OUT]) mkdirSync(d, { recursive: true });
  writeFileSync(join(HOME, '.ssh/id_rsa'), 'SECRET-KEY\n');
  writeFileSync(join(HOME, '.npmrc'), '//registry.npmjs.org/:_authToken=SECRET\n');
  writeFileSync(join(WS, '.git/config'), '[core]\n');
  writeFileSync(join(WS, 'sti.py'), STI_PY);
  if (SHM) {
    mkdirSync(SHM, { mode: 0o700 });
    writeFileSync(join(SHM, 'env'), 'declare -x AWS_SECRET_ACCESS_KEY="SECRET"\n');
  }
  reset();
  server = createServer((s) => {
    s.on('error', () => {});
    s.end('hello\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  const { startProxy } = await import('../../src/runtimes/proxy.ts');
  mkdirSync(join(ROOT, 'net'), { recursive: true, mode: 0o700 });
  proxy = await startProxy({ socketPath: PROXY_SOCK, allowedDomains: ['registry.npmjs.org'] });
});
after(async () => {
  server?.close();
  await proxy?.close();
  if (existsSync(ETC_PROBE)) rmSync(ETC_PROBE);
  if (SHM) rmSync(SHM, { recursive: true, force: true });
  rmSync(ROOT, { recursive: true, force: true });
});

const PROBE = (sleepPid: number) => `
echo pwned > "$HOME/canary" 2>/dev/null
echo pwned > "${OUT}/canary" 2>/dev/null
cat "$HOME/.ssh/id_rsa" 2>/dev/null | grep -q SECRET && echo R_SSH
"${PY}" -c "import socket; socket.create_connection(('127.0.0.1', ${port}), 2)" 2>/dev/null && echo NET
kill -0 ${sleepPid} 2>/dev/null && echo SEE_PID
ps -eo args 2>/dev/null | grep -q '^sleep 1000$' && echo PS_SEE
kill -TERM ${sleepPid} 2>/dev/null && echo KILL
echo x > .git/hooks/post-checkout 2>/dev/null
[ -n "$FAKE_TOKEN" ] && echo ENV_TOKEN
${SHM ? `grep -q SECRET "${SHM}/env" 2>/dev/null && echo SHM` : ''}
if [ "$VG_PROBE_SANDBOX" = 1 ]; then
  touch ${ETC_PROBE} 2>/dev/null
  echo pwned > /proc/1/root${OUT}/canary 2>/dev/null
  mount -o remount,rw / 2>/dev/null && echo REMOUNT
  [ -S /run/docker.sock ] && echo DOCKER_SOCK
  [ -f "$HOME/.npmrc" ] && [ ! -s "$HOME/.npmrc" ] && cat "$HOME/.npmrc" && echo NPMRC_EMPTY_READABLE
fi
echo END
`;

function plan(level: Level, line: string, o: { interactive?: boolean; cwd?: string; timeout?: number; argv?: string[] } = {}): Plan {
  const cfg = defaultConfig();
  cfg.sandbox.security_level = level;
  cfg.sandbox.timeout = o.timeout ?? 0;
  return planSandbox({
    config: cfg,
    cwd: o.cwd ?? WS,
    command: o.argv ? { argv: o.argv } : { line },
    interactive: o.interactive ?? false,
    env: { PATH: process.env.PATH, HOME, SHELL: '/bin/sh', FAKE_TOKEN: 'tok', VG_PROBE_SANDBOX: '1', LANG: 'C' },
    home: HOME,
    runtime: 'bubblewrap',
  });
}

const RUNTIMES = {
  bubblewrap: (p: Plan) => (prepareHost(p), bwrapArgv(p, hostOptions(p, { proxySocket: PROXY_SOCK }, process.env))),
  namespace: (p: Plan) => (prepareHost(p), namespaceArgv(p, { ...hostOptions(p, { proxySocket: PROXY_SOCK }, process.env), root: process.getuid?.() === 0, scratch: hostOptions(p).overlay?.dir ?? ensureDir(join(ROOT, 'state', 'ns')) })),
} as const;
function ensureDir(d: string): string {
  mkdirSync(d, { recursive: true });
  return d;
}

/** Run an invocation asynchronously (the loopback server must keep accepting), capture output. */
async function runInv(inv: { argv: string[]; env: Record<string, string>; files?: { fd: number; path: string }[]; cleanup?: string[] }, cwd = WS): Promise<{ status: number | null; signal: string | null; out: string; err: string }> {
  const { stdio, opened: fds } = invocationStdio(inv, ['ignore', 'pipe', 'pipe']);
  const c = spawn(inv.argv[0], inv.argv.slice(1), { env: inv.env, cwd, stdio: stdio as never });
  for (const fd of fds) closeSync(fd);
  let out = '';
  let err = '';
  c.stdout!.on('data', (d) => (out += d));
  c.stderr!.on('data', (d) => (err += d));
  const [status, signal] = await new Promise<[number | null, string | null]>((r) => c.on('close', (s, g) => r([s, g])));
  if ('cleanup' in inv && Array.isArray(inv.cleanup)) removeCgroups(inv.cleanup as string[]);
  return { status, signal, out, err };
}

function hostSleep(): ChildProcess {
  return spawn('sleep', ['1000'], { stdio: 'ignore' });
}
const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

test('control: every probe succeeds WITHOUT the sandbox', async () => {
  reset();
  const sl = hostSleep();
  await new Promise((r) => setTimeout(r, 50));
  const r = await runInv({ argv: ['/bin/sh', '-c', PROBE(sl.pid!)], env: { PATH: process.env.PATH!, HOME, FAKE_TOKEN: 'tok' } });
  await new Promise((res) => setTimeout(res, 50));
  for (const m of ['R_SSH', 'NET', 'SEE_PID', 'PS_SEE', 'KILL', 'ENV_TOKEN', ...(SHM ? ['SHM'] : []), 'END']) assert.match(r.out, new RegExp(`^${m}$`, 'm'), m);
  assert.equal(readFileSync(join(HOME, 'canary'), 'utf8'), 'pwned\n');
  assert.equal(readFileSync(join(OUT, 'canary'), 'utf8'), 'pwned\n');
  assert.ok(existsSync(join(WS, '.git/hooks/post-checkout')));
  assert.ok(!alive(sl), 'the host kill worked');
  const t = spawnSync(PY, [join(WS, 'sti.py')], { encoding: 'utf8' });
  assert.match(t.stdout, /sti 0/, 'TIOCSTI works on the host');
  const m = spawnSync(PY, ['-c', "b = b'x' * (700 * 1024 * 1024); print('ALLOC')"], { encoding: 'utf8' });
  assert.match(m.stdout, /ALLOC/);
  reset();
});

for (const rt of ['bubblewrap', 'namespace'] as const) {
  describe(`${rt}: escapes`, () => {
    for (const level of ['permissive', 'balanced', 'strict', 'paranoid'] as const) {
      test(`${level}: host files, secrets, network, processes, hooks, env`, async () => {
        reset();
        const sl = hostSleep();
        try {
          const r = await runInv(RUNTIMES[rt](plan(level, PROBE(sl.pid!))));
          assert.match(r.out, /^END$/m, `ran: ${r.err}`);
          assert.equal(readFileSync(join(HOME, 'canary'), 'utf8'), 'safe\n', 'home canary survives');
          assert.equal(readFileSync(join(OUT, 'canary'), 'utf8'), 'safe\n', 'outside canary survives');
          assert.ok(!existsSync(ETC_PROBE), '/etc untouched');
          assert.ok(!existsSync(join(WS, '.git/hooks/post-checkout')), 'no planted hook');
          assert.ok(alive(sl), 'host process survives');
          for (const m of ['SEE_PID', 'PS_SEE', 'KILL', 'REMOUNT', 'DOCKER_SOCK', 'SHM']) assert.doesNotMatch(r.out, new RegExp(`^${m}$`, 'm'), m);
          const guarded = level !== 'permissive';
          assert.equal(/^R_SSH$/m.test(r.out), !guarded, 'ssh key readable only at permissive');
          assert.equal(/^ENV_TOKEN$/m.test(r.out), !guarded, 'token env only at permissive');
          assert.equal(/^NPMRC_EMPTY_READABLE$/m.test(r.out), guarded, 'a hidden file reads as empty (not EACCES)');
          assert.equal(/^NET$/m.test(r.out), level === 'permissive', 'host loopback reachable only with network full');
        } finally {
          sl.kill();
        }
      });
    }

    test('interactive: TIOCSTI into the terminal gets EPERM (seccomp)', async () => {
      const r = await runInv(RUNTIMES[rt](plan('balanced', `"${PY}" sti.py`, { interactive: true })));
      assert.match(r.out, /sti 11/, `EPERM (10+1) expected: ${r.out} ${r.err}`);
    });

    test('interactive: Ctrl-C (SIGINT to the process group) reaches the command, not the sandbox', async () => {
      const py = `import sys, time\ntry:\n    print('ready', flush=True)\n    time.sleep(20)\nexcept KeyboardInterrupt:\n    print('caught', flush=True); sys.exit(7)`;
      writeFileSync(join(WS, 'int.py'), py);
      // argv, not a line: dash (SHELL=/bin/sh here) exits on SIGINT without waiting for its child,
      // unlike bash/zsh; the sandbox layers are what this test is about.
      const inv = RUNTIMES[rt](plan('balanced', '', { interactive: true, argv: [PY, 'int.py'] }));
      const { stdio, opened: fds } = invocationStdio(inv, ['ignore', 'pipe', 'pipe']);
      // Its own process group stands in for the terminal's foreground group.
      const c = spawn(inv.argv[0], inv.argv.slice(1), { env: inv.env, cwd: WS, stdio: stdio as never, detached: true });
      for (const fd of fds) closeSync(fd);
      let out = '';
      await new Promise<void>((res) => c.stdout!.on('data', (d) => ((out += d), out.includes('ready') && res())));
      process.kill(-c.pid!, 'SIGINT');
      const code = await new Promise<number | null>((r) => c.on('close', (s) => r(s)));
      if (inv.cleanup) removeCgroups(inv.cleanup);
      assert.match(out, /caught/);
      assert.equal(code, 7);
    });

    test('memory limit: allocating past the level kills the command (cgroups)', async (t) => {
      const cg = probeCgroups();
      if (!cg.writable.memory) return t.skip('no writable memory cgroup here (rlimit fallback only)');
      const r = await runInv(RUNTIMES[rt](plan('strict', `"${PY}" -c "b = b'x' * (700 * 1024 * 1024); print('ALLOC')"`)));
      assert.doesNotMatch(r.out, /ALLOC/);
      assert.ok(r.status === 137 || r.status === 1 || r.signal === 'SIGKILL', `status ${r.status} ${r.signal} ${r.err.slice(-200)}`);
    });

    for (const level of ['balanced', 'paranoid'] as const) {
      test(`${level}: every process of the command is in the run's limit groups, whose limits it cannot change`, async (t) => {
        const cg = probeCgroups();
        if (!cg.writable.memory || !cg.writable.pids) return t.skip('no writable cgroups here (rlimit fallback only)');
        // The groups' paths are only known once planned: plan a stand-in for the probe, then the run.
        const dirsOf = (i: { cleanup?: string[] }) => i.cleanup ?? [];
        const probe = (dirs: string[]) =>
          `for f in ${dirs.map((d) => `'${d}/pids.max' '${d}/memory.limit_in_bytes' '${d}/tasks' '${d}/cgroup.procs'`).join(' ')} /tmp/tasks; do [ -e "$f" ] && { echo 1 > "$f"; } 2>/dev/null && echo "CG_WRITE $f"; done; echo END; sleep 1.5 & wait`;
        const inv0 = RUNTIMES[rt](plan(level, 'true'));
        const dirs = dirsOf(inv0);
        assert.ok(dirs.length > 0, 'a cgroup plan');
        // Same plan, its own command: reuse the planned groups by rewriting only the line.
        const inv = { ...inv0, argv: inv0.argv.map((a) => (a === 'true' ? probe(dirs) : a)) };
        const pidsMax = dirs.map((d) => join(d, 'pids.max')).find((f) => existsSync(f))!;
        const before = readFileSync(pidsMax, 'utf8');
        // Control: the limit file is writable from the host (same value: nothing changes).
        writeFileSync(pidsMax, before.trim());
        const run = runInv(inv);
        await new Promise((r) => setTimeout(r, 900));
        for (const d of dirs) {
          const procs = readFileSync(join(d, 'cgroup.procs'), 'utf8').trim().split('\n').filter(Boolean);
          assert.ok(procs.length >= 2, `${d} holds the command's processes: ${procs.join(' ')}`);
        }
        assert.equal(readFileSync(pidsMax, 'utf8'), before, 'limit unchanged');
        const r = await run;
        assert.match(r.out, /^END$/m, r.err);
        assert.doesNotMatch(r.out, /CG_WRITE/);
      });
    }

    test('restricted network: the allowed registry through the proxy, nothing else', async (t) => {
      const host = spawnSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-m', '10', 'https://registry.npmjs.org/is-number'], { encoding: 'utf8' });
      if (host.stdout !== '200') return t.skip('registry.npmjs.org not reachable from this host');
      const line = `curl -sS -o /dev/null -w '%{http_code} ' -m 15 https://registry.npmjs.org/is-number; curl -s -o /dev/null -w '%{http_code}' -m 15 https://example.com; echo`;
      const r = await runInv(RUNTIMES[rt](plan('balanced', line)));
      const [allowed, denied] = r.out.trim().split(' ');
      assert.equal(allowed, '200', r.err);
      assert.notEqual(denied, '200');
    });

    test('restricted network: the bridge helper takes the listener over and lets it go; without it the wrapper bridges', async (t) => {
      if (process.getuid?.() !== 0) return t.skip('the Perl wrapper and its helper are root-only');
      const { startProxy } = await import('../../src/runtimes/proxy.ts');
      const { bridgeControlPath } = await import('../../src/runtimes/bridge.ts');
      // Offline: a plain-HTTP request for a host not on the list gets the proxy's own 403.
      const ask = `"${PY}" -c "import socket; s = socket.create_connection(('127.0.0.1', 3128), 5); s.sendall(b'GET http://not-allowed.invalid/ HTTP/1.1\\\\r\\\\nHost: not-allowed.invalid\\\\r\\\\n\\\\r\\\\n'); print(s.recv(200).split(b'\\\\r\\\\n')[0].decode())"`;
      const helperPid = (ctl: string) =>
        readdirSync('/proc').find((p) => {
          try {
            return /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(ctl);
          } catch {
            return false;
          }
        });
      for (const helper of [true, false]) {
        const dir = join(ROOT, `net-${helper ? 'helper' : 'plain'}`);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const sock = join(dir, 'proxy.sock');
        const px = await startProxy({ socketPath: sock, allowedDomains: ['registry.npmjs.org'], bridgeHelper: helper });
        try {
          const ctl = bridgeControlPath(sock);
          for (let i = 0; helper && !existsSync(ctl) && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
          assert.equal(existsSync(ctl), helper, 'control socket');
          const hp = helper ? helperPid(ctl) : undefined;
          const fds = () => (hp ? readdirSync(`/proc/${hp}/fd`).length : 0);
          const before = fds();
          const p = plan('strict', `${ask}; sleep 0.8`);
          prepareHost(p);
          const inv = (rt === 'bubblewrap' ? bwrapArgv : namespaceArgv)(p, { ...hostOptions(p, { proxySocket: sock }, process.env), root: true, scratch: hostOptions(p).overlay?.dir ?? ensureDir(join(ROOT, 'state', 'ns')) });
          const run = runInv(inv);
          await new Promise((res) => setTimeout(res, 500));
          // While the run lasts the helper holds its listener and a pidfd (the handoff happened).
          assert.equal(fds(), before + (helper ? 2 : 0), 'listener and pidfd held by the helper during the run');
          const r = await run;
          assert.match(r.out, /^HTTP\/1\.[01] 403/m, `${helper ? 'helper' : 'own bridge'}: ${r.out} ${r.err}`);
          await new Promise((res) => setTimeout(res, 100));
          assert.equal(fds(), before, 'the helper let the listener go with the run');
        } finally {
          await px.close();
        }
        assert.ok(!existsSync(bridgeControlPath(sock)), 'helper gone with its proxy');
      }
    });

    test('cwd inside == cwd outside; workspace writes land on the host', async () => {
      const sub = join(WS, 'sub');
      const r = await runInv(RUNTIMES[rt](plan('strict', 'pwd; echo hi > written.txt', { cwd: sub })), sub);
      assert.equal(r.out.trim(), sub);
      assert.equal(readFileSync(join(sub, 'written.txt'), 'utf8'), 'hi\n');
      rmSync(join(sub, 'written.txt'));
    });

    test('overlay levels: system writes succeed inside, host untouched', async () => {
      const r = await runInv(RUNTIMES[rt](plan('balanced', `echo x > ${ETC_PROBE} && cat ${ETC_PROBE}`)));
      assert.equal(r.out.trim(), 'x', r.err);
      assert.ok(!existsSync(ETC_PROBE));
    });
  });
}

describe('runPlan: status, signals, timeout, start failures', () => {
  for (const [name, rt] of [['bubblewrap', bubblewrapRuntime], ['namespace', namespaceRuntime]] as const) {
    test(`${name}: exit status and signal pass through`, async () => {
      assert.equal((await runPlan(rt, plan('balanced', 'exit 42'))).status, 42);
      assert.equal((await runPlan(rt, plan('strict', 'kill -TERM $$'))).status, 143);
      assert.equal((await runPlan(rt, plan('strict', 'true'))).status, 0);
    });

    test(`${name}: timeout → 124 and nothing left running`, async () => {
      const mark = `3${parseInt(RAND, 16) % 1000}.${name.length}${parseInt(RAND, 16) % 9973}`;
      const t0 = Date.now();
      const r = await runPlan(rt, plan('balanced', `sleep ${mark} & sleep ${mark}`, { timeout: 1 }));
      assert.equal(r.status, 124);
      assert.ok(r.timedOut);
      assert.ok(Date.now() - t0 < 8000);
      await new Promise((res) => setTimeout(res, 300));
      const left = processesWith(mark);
      assert.deepEqual(left, [], 'no leftover processes');
    });
  }

  for (const name of ['bubblewrap', 'namespace'] as const) {
    test(`${name}: the argv alone (as the shell runs it) enforces the timeout → 124`, async () => {
      const mark = `4${parseInt(RAND, 16) % 1000}.${name.length}7`;
      const r = await runInv(RUNTIMES[name](plan('strict', `sleep ${mark} & sleep ${mark}`, { timeout: 1 })));
      assert.equal(r.status, 124, r.err);
      await new Promise((res) => setTimeout(res, 300));
      const left = processesWith(mark);
      assert.deepEqual(left, []);
    });
  }

  test('bubblewrap: a sandbox that cannot start → 125', async () => {
    const cfg = defaultConfig();
    cfg.sandbox.bind_mounts = [{ host_path: join(ROOT, 'does-not-exist'), container_path: join(ROOT, 'x'), read_only: true }];
    const p = planSandbox({ config: cfg, cwd: WS, command: { line: 'true' }, interactive: false, env: { PATH: process.env.PATH, HOME }, home: HOME, runtime: 'bubblewrap' });
    assert.equal((await runPlan(bubblewrapRuntime, p)).status, 125);
  });
});
