// The restricted-network proxy: allowlist matching, bypass attempts, and real traffic through the
// unix socket to a fake upstream on loopback (an injectable resolver maps allowlisted names to it).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, connect, type Server as NetServer } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkHost, isLocalAddress, isPrivateAddress, normalizeHost, startProxy, denyMessage, bridgeScript, wrapWithBridge,
  PROXY_ENV, PROXY_PORT_INSIDE, PROXY_SOCKET_INSIDE, defaultProxySocket, type ProxyHandle,
} from '../../src/runtimes/proxy.ts';

const ALLOW = ['registry.npmjs.org', '*.example.org', '.pypi.test', 'internal.test:8443'];

test('allowlist: exact names, wildcard subdomains, dot-prefixed (apex + subdomains), case, trailing dot', () => {
  const ok = (h: string, port = 443, kind: 'connect' | 'http' = 'connect') => checkHost(ALLOW, h, port, kind).allowed;
  assert.ok(ok('registry.npmjs.org'));
  assert.ok(ok('REGISTRY.NPMJS.ORG'));
  assert.ok(ok('registry.npmjs.org.'));
  assert.ok(ok('registry.npmjs.org', 80, 'http'));
  assert.ok(!ok('www.registry.npmjs.org'), 'an exact entry does not cover subdomains');
  assert.ok(ok('a.example.org'));
  assert.ok(ok('a.b.example.org'));
  assert.ok(!ok('example.org'), '*.x covers subdomains only');
  assert.ok(ok('pypi.test'));
  assert.ok(ok('files.pypi.test'));
  assert.ok(ok('internal.test', 8443));
  assert.ok(!ok('internal.test', 443), 'an entry with a port allows that port only');
});

test('bypass attempts are refused', () => {
  const refused = [
    'evil.com.registry.npmjs.org.attacker.net',
    'registry.npmjs.org.evil.com',
    'registry.npmjs.org@evil.com',
    'evil.com#registry.npmjs.org',
    'evil.com/registry.npmjs.org',
    'registryXnpmjs.org',
    'registry.npmjs.org..',
    '.registry.npmjs.org',
    'xexample.org',
    'evil-example.org',
    'registry.npmjs.org%2eevil.com',
    '104.16.0.35',
    '127.0.0.1',
    '2130706433',
    '0x7f000001',
    '127.1',
    '::1',
    '[::1]',
    '2606:4700::6810:1',
    '::ffff:127.0.0.1',
    '',
    ' ',
    'registry.npmjs.org\u0000.evil.com',
    'régistry.npmjs.org',
  ];
  for (const h of refused) assert.equal(checkHost(ALLOW, h, 443, 'connect').allowed, false, JSON.stringify(h));
  assert.equal(checkHost(ALLOW, 'registry.npmjs.org', 22, 'connect').allowed, false, 'ssh port through an allowed name');
  assert.equal(checkHost(ALLOW, 'registry.npmjs.org', 8080, 'http').allowed, false);
  // Allowlist entries that are IPs or junk never match.
  assert.equal(checkHost(['127.0.0.1', '*', '*.'], '127.0.0.1', 443, 'connect').allowed, false);
  assert.equal(checkHost(['*'], 'anything.com', 443, 'connect').allowed, false);
});

test('refusal message names the host and the fix', () => {
  const r = checkHost(ALLOW, 'Evil.COM.', 443, 'connect');
  assert.equal(r.reason, 'vg: evil.com is not in sandbox.allowed_domains — add it to your config or use network_mode: full');
  assert.equal(checkHost(ALLOW, 'evil.com', 8443, 'connect').reason, denyMessage('evil.com:8443'));
  assert.equal(normalizeHost('A.B.'), 'a.b');
  assert.equal(normalizeHost('1.2.3.4'), null);
});

test('local addresses are refused, private ranges allowed', () => {
  for (const a of ['127.0.0.1', '127.8.9.1', '169.254.169.254', '0.0.0.0', '::1', '::', 'fe80::1', '::ffff:127.0.0.1', '224.0.0.1', '255.255.255.255', 'not-an-ip']) {
    assert.ok(isLocalAddress(a), a);
  }
  for (const a of ['8.8.8.8', '203.0.113.80', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', 'fd00::1', '2606:4700::6810:1']) assert.ok(!isLocalAddress(a), a);
  for (const a of ['10.1.2.3', '172.31.255.255', '192.168.1.1', '100.64.0.1', 'fd00::1']) assert.ok(isPrivateAddress(a), a);
  assert.ok(!isPrivateAddress('172.32.0.1'));
});

test('shared constants for the bwrap runtime', () => {
  assert.equal(PROXY_SOCKET_INSIDE, '/run/vg/proxy.sock');
  assert.equal(PROXY_PORT_INSIDE, 3128);
  for (const k of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'npm_config_proxy', 'npm_config_https_proxy', 'no_proxy']) {
    assert.ok(k in PROXY_ENV, k);
  }
  assert.equal(PROXY_ENV.https_proxy, 'http://127.0.0.1:3128');
  assert.match(bridgeScript(), /0C38/); // 3128 in /proc/net/tcp
  assert.deepEqual(wrapWithBridge(['npm', 'i']).slice(3), ['vg-bridge', 'npm', 'i']);
  assert.match(defaultProxySocket({ XDG_RUNTIME_DIR: '/run/user/7' }), /^\/run\/user\/7\/vg\/net\/proxy\.sock$/);
});

// ───────────── live proxy against fake upstreams ─────────────

let dir: string;
let proxy: ProxyHandle;
let tlsLike: NetServer; // stands in for an HTTPS origin: echoes what it gets, prefixed
let http: Server;
const denied: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vg-proxy-test-'));
  tlsLike = createNetServer((s) => {
    s.on('data', (d) => s.write('echo:' + d.toString()));
  });
  http = createHttpServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': 'yes' });
    res.end(`hello ${req.method} ${req.url} host=${req.headers.host}`);
  });
  await new Promise<void>((r) => tlsLike.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const tport = (tlsLike.address() as { port: number }).port;
  const hport = (http.address() as { port: number }).port;
  proxy = await startProxy({
    socketPath: join(dir, 'net', 'proxy.sock'),
    allowedDomains: ['registry.npmjs.org', '*.example.org'],
    allowLocalAddresses: true,
    resolve: async (host, port) => ({ address: '127.0.0.1', port: port === 443 ? tport : port === 80 ? hport : 1 }),
    onDeny: (host) => denied.push(host),
  });
});

after(async () => {
  await proxy.close();
  tlsLike.close();
  http.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Send raw bytes to the proxy socket; resolve with everything read until close or `until` matches. */
function raw(payload: string, until?: RegExp, socketPath = proxy.socketPath): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let got = '';
    const done = (): void => {
      s.destroy();
      resolve(got);
    };
    s.on('data', (d) => {
      got += d.toString();
      if (until && until.test(got)) done();
    });
    s.on('end', done);
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.write(payload);
    setTimeout(done, 3000);
  });
}

test('socket is 0600 in a 0700 directory', () => {
  assert.equal(statSync(proxy.socketPath).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'net')).mode & 0o777, 0o700);
});

test('CONNECT to an allowed host tunnels bytes both ways', async () => {
  const out = await raw('CONNECT registry.npmjs.org:443 HTTP/1.1\r\nHost: registry.npmjs.org:443\r\n\r\nping', /echo:ping/);
  assert.match(out, /^HTTP\/1\.1 200 Connection Established\r\n\r\n/);
  assert.match(out, /echo:ping/);
});

test('CONNECT to a wildcard-allowed subdomain, uppercase with trailing dot', async () => {
  const out = await raw('CONNECT CDN.Example.ORG.:443 HTTP/1.1\r\n\r\nx', /echo:x/);
  assert.match(out, /^HTTP\/1\.1 200/);
});

test('CONNECT to a host not on the list: 403 with the vg message in status, header and body', async () => {
  const out = await raw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  assert.match(out, /^HTTP\/1\.1 403 Forbidden \(vg: example\.com is not in sandbox\.allowed_domains/);
  assert.match(out, /\r\nX-Vg-Denied: example\.com\r\n/);
  assert.match(out, /\r\n\r\nvg: example\.com is not in sandbox\.allowed_domains — add it to your config or use network_mode: full\n$/);
  assert.ok(denied.includes('example.com'));
  assert.ok(proxy.denied().includes('example.com'));
});

test('CONNECT bypasses: suffix/prefix tricks, userinfo, IP literals, IPv6, other ports', async () => {
  const cases: [string, RegExp][] = [
    ['evil.com.registry.npmjs.org.attacker.net:443', / 403 /],
    ['registry.npmjs.org.evil.com:443', / 403 /],
    ['registry.npmjs.org@evil.com:443', / 400 /],
    ['127.0.0.1:443', / 403 /],
    ['[::1]:443', / 403 /],
    ['[2606:4700::6810:1]:443', / 403 /],
    ['registry.npmjs.org:22', / 403 /],
    ['registry.npmjs.org', / 400 /],
    ['registry.npmjs.org:99999', / 400 /],
  ];
  for (const [target, want] of cases) {
    const out = await raw(`CONNECT ${target} HTTP/1.1\r\n\r\n`);
    assert.match(out.split('\r\n')[0]!, want, target);
    assert.doesNotMatch(out, /echo:/, target);
  }
});

test('CONNECT whose Host header names another host is refused', async () => {
  const a = await raw('CONNECT registry.npmjs.org:443 HTTP/1.1\r\nHost: evil.com\r\n\r\nx');
  assert.match(a, /^HTTP\/1\.1 400 /);
  assert.doesNotMatch(a, /echo:/);
  const b = await raw('CONNECT evil.com:443 HTTP/1.1\r\nHost: registry.npmjs.org\r\n\r\n');
  assert.match(b, /^HTTP\/1\.1 (400|403) /);
});

test('plain HTTP: absolute URI to an allowed host is forwarded in origin form', async () => {
  const out = await raw('GET http://registry.npmjs.org/is-number?x=1 HTTP/1.1\r\nHost: registry.npmjs.org\r\nProxy-Connection: keep-alive\r\n\r\n', /hello/);
  assert.match(out, /^HTTP\/1\.1 200 /);
  assert.match(out, /x-upstream: yes/i);
  assert.match(out, /hello GET \/is-number\?x=1 host=registry\.npmjs\.org/);
});

test('plain HTTP bypasses: other host, Host mismatch, userinfo, origin-form, IP', async () => {
  const cases: [string, RegExp][] = [
    ['GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n', /^HTTP\/1\.1 403 Forbidden \(vg: example\.com is not in/],
    ['GET http://registry.npmjs.org/ HTTP/1.1\r\nHost: evil.com\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['GET http://evil.com/ HTTP/1.1\r\nHost: registry.npmjs.org\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['GET http://registry.npmjs.org@evil.com/ HTTP/1.1\r\nHost: evil.com\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['GET / HTTP/1.1\r\nHost: registry.npmjs.org\r\n\r\n', /^HTTP\/1\.1 400 /],
    ['GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', /^HTTP\/1\.1 403 /],
    ['GET http://[::1]/ HTTP/1.1\r\nHost: [::1]\r\n\r\n', /^HTTP\/1\.1 403 /],
    ['GET http://registry.npmjs.org:8080/ HTTP/1.1\r\nHost: registry.npmjs.org:8080\r\n\r\n', /^HTTP\/1\.1 403 /],
    ['GET https://registry.npmjs.org/ HTTP/1.1\r\nHost: registry.npmjs.org\r\n\r\n', /^HTTP\/1\.1 400 /],
  ];
  for (const [req, want] of cases) {
    const out = await raw(req);
    assert.match(out, want, req.split('\r\n')[0]);
    assert.doesNotMatch(out, /hello/, req.split('\r\n')[0]);
  }
});

test('an allowed name that resolves to a loopback address is refused (no door into the host)', async () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-proxy-priv-'));
  const p = await startProxy({
    socketPath: join(d, 'proxy.sock'),
    allowedDomains: ['registry.npmjs.org'],
    resolve: async (_h, port) => ({ address: '127.0.0.1', port }),
  });
  try {
    const out = await raw('CONNECT registry.npmjs.org:443 HTTP/1.1\r\n\r\n', undefined, p.socketPath);
    assert.match(out, /^HTTP\/1\.1 502 .*local address/);
  } finally {
    await p.close();
    rmSync(d, { recursive: true, force: true });
  }
});

test('setAllowedDomains takes effect without a restart; close removes the socket', async () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-proxy-reload-'));
  const p = await startProxy({ socketPath: join(d, 'proxy.sock'), allowedDomains: [] });
  try {
    assert.match(await raw('CONNECT registry.npmjs.org:443 HTTP/1.1\r\n\r\n', undefined, p.socketPath), / 403 /);
    p.setAllowedDomains(['evil.test']);
    assert.match(await raw('CONNECT evil.test:443 HTTP/1.1\r\n\r\n', undefined, p.socketPath), / 50[0-9] /); // allowed; DNS fails
  } finally {
    await p.close();
  }
  assert.throws(() => statSync(join(d, 'proxy.sock')));
  rmSync(d, { recursive: true, force: true });
});

test('refuses a socket directory inside a directory others can write', async () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-proxy-perm-'));
  const { chmodSync } = await import('node:fs');
  chmodSync(d, 0o777);
  try {
    await assert.rejects(startProxy({ socketPath: join(d, 'net', 'proxy.sock'), allowedDomains: [] }), /another user can change/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
