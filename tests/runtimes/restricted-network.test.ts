// The key test: in restricted mode `npm install` of a real package works through the proxy,
// while a request to a host not on the list is refused with vg's message. Run through docker (the
// real runtime) and, when bwrap is installed, through a minimal bwrap argv built here (the bubblewrap
// runtime integrates the same pieces: --unshare-net, the socket dir bound at /run/vg, the bridge).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngineRuntime } from '../../src/runtimes/engine.ts';
import { findOnPath } from '../../src/runtimes/engine.ts';
import {
  PROXY_ENV, PROXY_SOCKET_DIR_INSIDE, PROXY_SOCKET_NAME, startProxy, wrapWithBridge,
} from '../../src/runtimes/proxy.ts';
import { makePlan, engineSkipReason } from './helpers.ts';

const ALLOWED = ['registry.npmjs.org'];
// Installs a real package, uses it, then tries a host that is not on the list.
const SCRIPT =
  'npm install is-number@7 --no-audit --no-fund --no-update-notifier --loglevel=error && ' +
  'node -e "console.log(\'is-number:\', require(\'is-number\')(5))" && ' +
  'curl -sS -m 20 https://example.com/ ; echo "curl-exit=$?"';

/** Proxy-relevant env from the host that the sandbox needs (TLS interception CA on these machines). */
function caEnv(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const k of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE']) if (process.env[k]) e[k] = process.env[k]!;
  return e;
}

async function registryReachable(): Promise<string | null> {
  try {
    const r = await fetch('https://registry.npmjs.org/is-number', { signal: AbortSignal.timeout(10000) });
    return r.ok ? null : `npm registry answered ${r.status}`;
  } catch (e) {
    return `npm registry not reachable from here: ${(e as Error).message}`;
  }
}

describe('restricted network: npm install works, other hosts refused', async () => {
  const regSkip = await registryReachable();
  const dockerSkip = regSkip ?? (await engineSkipReason('docker'));
  const podmanSkip = regSkip ?? (await engineSkipReason('podman'));
  const bwrapSkip = regSkip ?? (findOnPath('bwrap') ? null : 'bwrap not installed (apt-get install bubblewrap)');
  let ws: string;
  before(() => {
    ws = mkdtempSync(join(tmpdir(), 'vg-restricted-'));
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  for (const engine of ['docker', 'podman'] as const) {
    test(engine, { skip: (engine === 'docker' ? dockerSkip : podmanSkip) ?? false, timeout: 180000 }, async () => {
      const proj = join(ws, `${engine}-proj`);
      mkdirSync(proj);
      const messages: string[] = [];
      const rt = createEngineRuntime(engine, { messages: (l) => messages.push(l) });
      const out = join(ws, `${engine}.out`);
      const fo = openSync(out, 'w');
      const res = await rt.run(
        makePlan({
          level: 'balanced',
          network: 'restricted',
          allowedDomains: ALLOWED,
          workspace: proj,
          cwd: proj,
          mounts: [{ source: proj, target: proj, mode: 'rw', kind: 'workspace' }],
          env: { HOME: proj, ...caEnv() },
          command: { line: SCRIPT },
          timeout: 170,
          runtime: engine,
        }),
        { stdio: ['ignore', fo, fo] },
      );
      closeSync(fo);
      const text = readFileSync(out, 'utf8');
      assert.equal(res.status, 0, text);
      assert.ok(existsSync(join(proj, 'node_modules', 'is-number', 'package.json')), text);
      assert.match(text, /is-number: true/);
      assert.match(text, /curl: \(56\) CONNECT tunnel failed, response 403/);
      assert.match(text, /curl-exit=56/);
      assert.ok(messages.includes('vg: example.com is not in sandbox.allowed_domains — add it to your config or use network_mode: full'), messages.join('\n'));
    });
  }

  test('bwrap (minimal argv)', { skip: bwrapSkip ?? false, timeout: 180000 }, async () => {
    const proj = join(ws, 'bwrap-proj');
    mkdirSync(proj);
    const sockDir = join(ws, 'net');
    const denied: string[] = [];
    const proxy = await startProxy({
      socketPath: join(sockDir, PROXY_SOCKET_NAME),
      allowedDomains: ALLOWED,
      onDeny: (_h, m) => denied.push(m),
    });
    try {
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: proj,
        ...caEnv(),
        ...PROXY_ENV,
      };
      const argv = [
        'bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run',
        '--bind', proj, proj, '--bind', sockDir, PROXY_SOCKET_DIR_INSIDE,
        '--unshare-net', '--unshare-pid', '--die-with-parent', '--chdir', proj, '--clearenv',
        ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
        '--', ...wrapWithBridge(['/bin/sh', '-c', SCRIPT]),
      ];
      const text = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('close', (code) => resolve({ code, out }));
      });
      assert.equal(text.code, 0, text.out);
      assert.ok(existsSync(join(proj, 'node_modules', 'is-number', 'package.json')), text.out);
      assert.match(text.out, /is-number: true/);
      assert.match(text.out, /CONNECT tunnel failed, response 403/);
      assert.ok(denied.some((m) => m.startsWith('vg: example.com is not in sandbox.allowed_domains')), denied.join('\n'));
    } finally {
      await proxy.close();
    }
  });
});
