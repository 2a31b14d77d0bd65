// docker and podman for real: exit codes, signals, timeouts, ownership, isolation, error messages.
// Each engine's tests skip (with the reason) only when that engine cannot run here at all; CI runs
// scripts/ci-engines.sh first, so there they run.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createEngineRuntime, findOnPath, type EngineRuntime } from '../../src/runtimes/engine.ts';
import type { EngineName } from '../../src/runtimes/container-args.ts';
import type { SandboxPlan } from '../../src/sandbox/types.ts';
import { VgError } from '../../src/cli/errors.ts';
import { makePlan, engineSkipReason, containerExists } from './helpers.ts';

for (const engine of ['docker', 'podman'] as EngineName[]) {
  describe(engine, async () => {
    const skip = await engineSkipReason(engine);
    const rt: EngineRuntime = createEngineRuntime(engine);
    let ws: string;

    before(() => {
      ws = mkdtempSync(join(tmpdir(), `vg-${engine}-ws-`));
    });
    after(() => {
      if (ws) rmSync(ws, { recursive: true, force: true });
    });

    const plan = (over: Partial<SandboxPlan> = {}): SandboxPlan =>
      makePlan({
        level: 'permissive',
        network: 'none',
        workspace: ws,
        cwd: ws,
        mounts: [{ source: ws, target: ws, mode: 'rw', kind: 'workspace' }],
        runtime: engine,
        ...over,
      });

    /** Run with stdout/stderr captured to files. */
    const runCaptured = async (p: SandboxPlan, r: EngineRuntime = rt) => {
      const out = join(ws, `.out-${Math.random().toString(36).slice(2)}`);
      const err = out + '.err';
      const fo = openSync(out, 'w');
      const fe = openSync(err, 'w');
      let name = '';
      try {
        const res = await r.run(p, { stdio: ['ignore', fo, fe], onStart: (n) => (name = n) });
        return { ...res, name, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
      } finally {
        closeSync(fo);
        closeSync(fe);
        rmSync(out, { force: true });
        rmSync(err, { force: true });
      }
    };

    test('available() reports ok and a version', { skip: skip ?? false }, async () => {
      const a = await rt.available();
      assert.equal(a.ok, true, a.reason);
      assert.match(a.version ?? '', /^\d+\.\d+/);
    });

    test('true → 0, exit code passes through, stdout reaches us', { skip: skip ?? false }, async () => {
      assert.equal((await runCaptured(plan({ command: { argv: ['true'] } }))).status, 0);
      const r = await runCaptured(plan({ command: { line: "echo out; echo err >&2; sh -c 'exit 7'" } }));
      assert.equal(r.status, 7);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /err/);
    });

    test('killed by a signal → 128+n', { skip: skip ?? false }, async () => {
      const r = await runCaptured(plan({ command: { line: 'kill -TERM $$; sleep 5' } }));
      assert.equal(r.status, 143);
      assert.equal(r.signal, 'SIGTERM');
    });

    test('timeout → 124 and the container is gone', { skip: skip ?? false }, async () => {
      const t0 = Date.now();
      const r = await runCaptured(plan({ command: { argv: ['sleep', '60'] }, timeout: 1 }));
      assert.equal(r.status, 124);
      assert.equal(r.timedOut, true);
      assert.ok(Date.now() - t0 < 30000, 'returned promptly');
      assert.ok(r.name.startsWith('vg-'));
      assert.equal(containerExists(engine, r.name), false);
    });

    test('files created in the workspace belong to the invoking uid/gid (non-root owner)', { skip: skip ?? false }, async () => {
      const own = join(ws, 'owned');
      mkdirSync(own);
      chownSync(own, 4321, 4322);
      const asUser = createEngineRuntime(engine, { user: { uid: 4321, gid: 4322 } });
      const r = await runCaptured(
        plan({ cwd: own, command: { line: 'echo hi > made.txt && mkdir sub && id -u && id -g' } }),
        asUser,
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '4321\n4322\n');
      const st = statSync(join(own, 'made.txt'));
      assert.equal(st.uid, 4321);
      assert.equal(st.gid, 4322);
      assert.equal(statSync(join(own, 'sub')).uid, 4321);
      // And as ourselves (root in CI): the file is ours.
      const me = await runCaptured(plan({ command: { line: 'touch mine' } }));
      assert.equal(me.status, 0);
      assert.equal(statSync(join(ws, 'mine')).uid, process.getuid!());
    });

    test('writes outside the workspace never reach the host; strict makes them fail', { skip: skip ?? false }, async () => {
      const outside = mkdtempSync(join(tmpdir(), 'vg-outside-'));
      try {
        const r = await runCaptured(plan({ command: { line: `mkdir -p ${outside} && echo x > ${outside}/leak && echo x > /etc/leak && echo ok` } }));
        assert.equal(r.status, 0, 'balanced/permissive: the container layer is writable and discarded');
        assert.equal(existsSync(join(outside, 'leak')), false);
        assert.equal(existsSync('/etc/leak'), false);
        const s = await runCaptured(plan({ level: 'strict', command: { line: 'echo x > /etc/leak' } }));
        assert.notEqual(s.status, 0);
        assert.match(s.stderr, /Read-only file system/);
        const tmp = await runCaptured(plan({ level: 'strict', command: { line: 'echo x > /tmp/ok && cat /tmp/ok && echo y > in-ws' } }));
        assert.equal(tmp.status, 0, tmp.stderr);
        assert.equal(readFileSync(join(ws, 'in-ws'), 'utf8'), 'y\n');
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });

    test('hidden ~/.ssh is empty and unreadable, hidden files read as empty', { skip: skip ?? false }, async () => {
      const home = join(ws, 'home');
      mkdirSync(join(home, '.ssh'), { recursive: true });
      writeFileSync(join(home, '.ssh', 'id_ed25519'), 'SECRET-KEY');
      writeFileSync(join(home, '.netrc'), 'SECRET-NETRC');
      const r = await runCaptured(
        plan({
          env: { HOME: home },
          mounts: [
            { source: ws, target: ws, mode: 'rw', kind: 'workspace' },
            { source: home, target: home, mode: 'ro', kind: 'bind' },
          ],
          hidden: [join(home, '.ssh'), join(home, '.netrc')],
          command: { line: 'ls -A ~/.ssh; cat ~/.ssh/id_ed25519; cat ~/.netrc; echo end' },
        }),
      );
      assert.doesNotMatch(r.stdout + r.stderr, /SECRET/);
      assert.match(r.stdout, /end/);
      assert.match(r.stderr, /No such file/);
    });

    test('network none: only loopback', { skip: skip ?? false }, async () => {
      const r = await runCaptured(plan({ network: 'none', command: { line: 'ls /sys/class/net; curl -sS -m 3 http://1.1.1.1/ || echo blocked' } }));
      assert.equal(r.stdout.trim().split('\n')[0], 'lo');
      assert.match(r.stdout, /blocked/);
    });

    test('limits reach the container (pids, memory)', { skip: skip ?? false }, async () => {
      const r = await runCaptured(
        plan({
          limits: { memoryBytes: 128 * 1024 * 1024, cpus: 0.5, pids: 40 },
          command: { line: 'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max' },
        }),
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), ['40', String(128 * 1024 * 1024)]);
    });

    test('a command the image lacks: 127 and one line saying so', { skip: skip ?? false }, async () => {
      const line = await runCaptured(plan({ command: { line: 'definitely-not-here --flag' } }));
      assert.equal(line.status, 127);
      assert.match(line.stderr, /^vg: `definitely-not-here` is not in the sandbox image vg-sandbox:bookworm — /m);
      const argv = await runCaptured(plan({ command: { argv: ['nope-cmd', 'a'] } }));
      assert.equal(argv.status, 127);
      assert.match(argv.stderr, /`nope-cmd` is not in the sandbox image/);
    });

    test('image missing: available() and run() say how to build it', { skip: skip ?? false }, async () => {
      const r2 = createEngineRuntime(engine, { image: 'vg-sandbox:missing' });
      const a = await r2.available();
      assert.equal(a.ok, false);
      assert.equal(a.reason, 'image vg-sandbox:missing not found — build it with `scripts/build-image.sh` or set sandbox.image');
      await assert.rejects(
        rt.run(plan({ image: 'vg-sandbox:missing', command: { argv: ['true'] } }), { stdio: 'ignore' }),
        (e: unknown) => e instanceof VgError && e.status === 125 && /image vg-sandbox:missing not found/.test(e.message),
      );
    });

    test('warm mode (opt-in): repeat runs exec into one container; status, timeout; state persists', { skip: skip ?? false }, async () => {
      const warm = createEngineRuntime(engine, { warm: { idleMinutes: 1 } });
      const p = plan({ command: { argv: ['true'] } });
      const first = await runCaptured(p, warm);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.name, /^vg-warm-[0-9a-f]{16}$/);
      try {
        const again = await runCaptured(plan({ command: { line: 'echo state > /tmp/left-behind; exit 7' } }), warm);
        assert.equal(again.name, first.name);
        assert.equal(again.status, 7);
        // The isolation trade-off, made explicit: what one command leaves in the container, the next sees.
        const next = await runCaptured(plan({ command: { line: 'cat /tmp/left-behind' } }), warm);
        assert.equal(next.stdout, 'state\n');
        const t = await runCaptured(plan({ command: { argv: ['sleep', '30'] }, timeout: 1 }), warm);
        assert.equal(t.status, 124);
        const sig = await runCaptured(plan({ command: { line: 'kill -TERM $$' } }), warm);
        assert.equal(sig.status, 143);
        // A different plan shape (read-only root) gets its own container.
        const other = await runCaptured(plan({ level: 'strict', command: { argv: ['true'] } }), warm);
        assert.notEqual(other.name, first.name);
        spawnSync(engine, ['rm', '-f', other.name], { stdio: 'ignore' });
      } finally {
        spawnSync(engine, ['rm', '-f', first.name], { stdio: 'ignore' });
      }
    });

    test('interactive: -t gives the command a terminal (through a pty made by `script`)', { skip: skip ?? (findOnPath('script') ? false : 'script (util-linux) not installed') }, () => {
      const child = join(import.meta.dirname, 'tty-child.ts');
      const r = spawnSync('script', ['-qec', `${process.execPath} --import tsx ${child} ${engine} ${ws}`, '/dev/null'], {
        encoding: 'utf8',
        timeout: 60000,
        cwd: join(import.meta.dirname, '..', '..'),
      });
      const out = r.stdout.replace(/\r/g, '');
      assert.match(out, /TTY-OK/, out + r.stderr);
      assert.match(out, /RESULT \{"status":3/, out);
    });

    test('invocation() is the argv run() uses, and restricted plans ask for the proxy', () => {
      const inv = rt.invocation(plan({ network: 'restricted', allowedDomains: ['registry.npmjs.org'], command: { line: 'npm ci' } }));
      assert.equal(inv.argv[0], engine);
      assert.equal(inv.argv[1], 'run');
      assert.ok(inv.needsProxy);
      assert.match(inv.needsProxy.socketPath, /\/proxy\.sock$/);
      assert.deepEqual(inv.needsProxy.allowedDomains, ['registry.npmjs.org']);
      assert.ok(inv.argv.includes(`type=bind,source=${inv.needsProxy.socketPath.replace(/\/proxy\.sock$/, '')},target=/run/vg`));
    });
  });
}

describe('engine down / not installed', () => {
  test('docker: socket not answering → the start-it message', async () => {
    const rt = createEngineRuntime('docker', { socketPath: '/nonexistent/docker.sock' });
    const a = await rt.available();
    assert.equal(a.ok, false);
    assert.equal(a.reason, 'docker engine not running — start it with `sudo systemctl start docker` (or `dockerd &`)');
    await assert.rejects(
      rt.run(makePlan({ level: 'permissive' }), { stdio: 'ignore' }),
      (e: unknown) => e instanceof VgError && e.status === 125 && /docker engine not running/.test(e.message),
    );
  });
  test('podman / docker CLI missing', async () => {
    const p = await createEngineRuntime('podman', { binary: '/nonexistent/podman' }).available();
    assert.equal(p.ok, false);
    assert.match(p.reason!, /^podman not installed — /);
    const d = await createEngineRuntime('docker', { binary: '/nonexistent/docker' }).available();
    assert.match(d.reason!, /^docker CLI not found — /);
  });
});
