// The restricted-network proxy. A sandbox with `network: restricted` gets no network of its own
// (docker/podman `--network none`, bwrap `--unshare-net`); the only way out is this HTTP proxy on a
// unix socket, bound into the sandbox at /run/vg/proxy.sock, with `socat` inside bridging
// 127.0.0.1:3128 to it and the usual proxy variables pointing there.
//
// Policy (docs/containers.md, "Restricted network"):
// - Only CONNECT (HTTPS tunnels) and absolute-URI plain HTTP requests; anything else is 400.
// - The host must be a DNS name in the allowlist: an entry `example.com` matches exactly that name,
//   `*.example.com` matches any subdomain (not the apex), `.example.com` matches both. Matching is
//   case-insensitive and ignores one trailing dot. IP literals (v4, v6, decimal/hex forms) are never
//   allowed: the allowlist names hosts, not addresses.
// - Ports: CONNECT only to 443 and plain HTTP only to 80, unless the entry names a port (`host:8443`).
// - A CONNECT whose Host header names a different host, or an absolute URI whose Host header differs
//   from the URI's host, is refused (400): the target is judged on what we actually connect to, and a
//   mismatch only ever means someone is trying to confuse a filter.
// - After DNS, loopback/link-local/unspecified/multicast addresses are refused (an allowlisted name
//   that resolves to 127.0.0.1 must not become a door into the host's own services). Private ranges
//   are allowed (internal registries).
// - Refusals are `403` with the reason in the status line, an `X-Vg-Denied` header and the body:
//   `vg: <host> is not in sandbox.allowed_domains — add it to your config or use network_mode: full`.
//   Clients rarely print proxy bodies (curl says "CONNECT tunnel failed, response 403"), so the caller
//   also gets every refusal through `onDeny` and prints it on the host after the command.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Duplex } from 'node:stream';
import { startBridgeHelper } from './bridge.ts';

/** Where the proxy socket appears inside every sandbox (the directory is bound at /run/vg). */
export const PROXY_SOCKET_DIR_INSIDE = '/run/vg';
export const PROXY_SOCKET_NAME = 'proxy.sock';
export const PROXY_SOCKET_INSIDE = `${PROXY_SOCKET_DIR_INSIDE}/${PROXY_SOCKET_NAME}`;
export const PROXY_PORT_INSIDE = 3128;
const PROXY_URL_INSIDE = `http://127.0.0.1:${PROXY_PORT_INSIDE}`;

/** Environment for a restricted sandbox: every common client's proxy variable points at the bridge. */
export const PROXY_ENV: Readonly<Record<string, string>> = Object.freeze({
  http_proxy: PROXY_URL_INSIDE,
  https_proxy: PROXY_URL_INSIDE,
  HTTP_PROXY: PROXY_URL_INSIDE,
  HTTPS_PROXY: PROXY_URL_INSIDE,
  ALL_PROXY: PROXY_URL_INSIDE,
  all_proxy: PROXY_URL_INSIDE,
  npm_config_proxy: PROXY_URL_INSIDE,
  npm_config_https_proxy: PROXY_URL_INSIDE,
  YARN_HTTP_PROXY: PROXY_URL_INSIDE,
  YARN_HTTPS_PROXY: PROXY_URL_INSIDE,
  PIP_PROXY: PROXY_URL_INSIDE,
  // Node ≥ 22.21/24: make fetch/http honour the variables above (older Nodes ignore it).
  NODE_USE_ENV_PROXY: '1',
  // Loopback stays direct (it is the sandbox's own loopback; nothing else is reachable anyway).
  no_proxy: 'localhost,127.0.0.1,::1',
  NO_PROXY: 'localhost,127.0.0.1,::1',
});

/** The bridge command, as argv (run in the background before the user's command). */
export const BRIDGE_ARGV: readonly string[] = Object.freeze([
  'socat',
  `TCP-LISTEN:${PROXY_PORT_INSIDE},bind=127.0.0.1,fork,reuseaddr`,
  `UNIX-CONNECT:${PROXY_SOCKET_INSIDE}`,
]);

/**
 * POSIX sh that starts the bridge and waits (≤ 2 s) until it listens, so the command's first request
 * cannot race it. Append your command: `bridgeScript() + 'exec "$@"'`. Needs `socat` in the sandbox;
 * without it the command runs with no network and a one-line warning.
 */
export function bridgeScript(): string {
  const port = PROXY_PORT_INSIDE.toString(16).toUpperCase().padStart(4, '0');
  return (
    `if command -v socat >/dev/null 2>&1; then ${BRIDGE_ARGV.join(' ')} 2>/dev/null & ` +
    `vg_i=0; while [ "$vg_i" -lt 200 ] && ! grep -q ' 0100007F:${port} 00000000:0000 0A' /proc/net/tcp 2>/dev/null; ` +
    `do vg_i=$((vg_i+1)); sleep 0.01 2>/dev/null || sleep 1; done; unset vg_i; ` +
    `else echo 'vg: socat is not in the sandbox — restricted network unavailable, running with no network' >&2; fi; `
  );
}

/** argv that runs `argv` behind the bridge: `sh -c '<bridge>; exec "$@"' vg-bridge argv…`. */
export function wrapWithBridge(argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', `${bridgeScript()}exec "$@"`, 'vg-bridge', ...argv];
}

export function denyMessage(host: string): string {
  return `vg: ${host} is not in sandbox.allowed_domains — add it to your config or use network_mode: full`;
}

// ───────────────────────────── host matching ─────────────────────────────

interface Rule {
  /** Lower-case name without trailing dot. */
  name: string;
  exact: boolean;
  subdomains: boolean;
  port?: number;
}

function parseRules(domains: readonly string[]): Rule[] {
  const out: Rule[] = [];
  for (const raw of domains) {
    let d = raw.trim().toLowerCase();
    if (!d) continue;
    let port: number | undefined;
    const m = /^(.*):(\d{1,5})$/.exec(d);
    if (m && !d.includes(']')) {
      d = m[1]!;
      port = Number(m[2]);
    }
    let exact = true;
    let subdomains = false;
    if (d.startsWith('*.')) {
      d = d.slice(2);
      exact = false;
      subdomains = true;
    } else if (d.startsWith('.')) {
      d = d.slice(1);
      subdomains = true;
    }
    d = d.replace(/\.$/, '');
    if (!isHostname(d)) continue; // IP literals and junk never match anything
    out.push({ name: d, exact, subdomains, port });
  }
  return out;
}

/** A DNS name we are willing to judge: LDH labels, at least one dot-free label, not an IP in disguise. */
function isHostname(h: string): boolean {
  if (h.length === 0 || h.length > 253) return false;
  if (isIP(h)) return false;
  const labels = h.split('.');
  if (labels.some((l) => !/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))) return false;
  // All-numeric last label: 127.1, 0x7f.1, 2130706433 — addresses written so a resolver accepts them.
  if (/^(0x[0-9a-f]*|[0-9]+)$/.test(labels[labels.length - 1]!)) return false;
  return true;
}

/** Normalise a requested host: lower-case, one trailing dot removed; null when it is not a DNS name. */
export function normalizeHost(host: string): string | null {
  let h = host.trim().toLowerCase();
  if (h.endsWith('.')) h = h.slice(0, -1);
  return isHostname(h) ? h : null;
}

export interface HostCheck {
  allowed: boolean;
  /** Normalised host (or the raw one when it is not a name). */
  host: string;
  reason?: string;
}

/** Judge host:port against the allowlist. `kind` picks the default port (CONNECT 443, HTTP 80). */
export function checkHost(allowedDomains: readonly string[], host: string, port: number, kind: 'connect' | 'http'): HostCheck {
  const h = normalizeHost(host);
  if (!h) return { allowed: false, host, reason: denyMessage(host) + ' (IP addresses are never allowed)' };
  const defaultPort = kind === 'connect' ? 443 : 80;
  for (const r of parseRules(allowedDomains)) {
    const nameOk = (r.exact && h === r.name) || (r.subdomains && h.endsWith('.' + r.name));
    if (!nameOk) continue;
    if ((r.port ?? defaultPort) === port) return { allowed: true, host: h };
  }
  const shown = port === defaultPort ? h : `${h}:${port}`;
  return { allowed: false, host: h, reason: denyMessage(shown) };
}

// ───────────────────────────── address checks ─────────────────────────────

/**
 * Addresses that mean "this machine" or its link: loopback, link-local (incl. cloud metadata at
 * 169.254.169.254), unspecified, multicast/broadcast. Never reachable through the proxy, whatever
 * name resolved to them — the sandbox has no network precisely so it cannot reach the host's own
 * services. Private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) are allowed: an
 * allowlisted internal registry (artifactory.corp → 10.x) is a legitimate target.
 */
export function isLocalAddress(addr: string): boolean {
  const fam = isIP(addr);
  if (fam === 4) {
    const [a, b] = addr.split('.').map(Number) as [number, number];
    return a === 0 || a === 127 || (a === 169 && b === 254) || a >= 224;
  }
  if (fam === 6) {
    const x = addr.toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(x);
    if (mapped) return isLocalAddress(mapped[1]!);
    return x === '::' || x === '::1' || /^fe[89ab]/.test(x) || /^ff/.test(x);
  }
  return true;
}

/** RFC 1918 / CGNAT / ULA (informational: these are allowed, see isLocalAddress). */
export function isPrivateAddress(addr: string): boolean {
  const fam = isIP(addr);
  if (fam === 4) {
    const [a, b] = addr.split('.').map(Number) as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (fam === 6) return /^f[cd]/i.test(addr);
  return false;
}

// ───────────────────────────── the server ─────────────────────────────

export interface ProxyOptions {
  socketPath: string;
  allowedDomains: readonly string[];
  /** Test seam / custom DNS: where to connect for an allowed host. Default: dns.lookup, same port. */
  resolve?: (host: string, port: number) => Promise<{ address: string; port: number }>;
  /** Allow loopback/link-local targets (tests with a loopback upstream). Default false. */
  allowLocalAddresses?: boolean;
  /** Called for every refusal (the runtime prints these on the host after the command). */
  onDeny?: (host: string, message: string) => void;
  /** Upstream connect timeout, ms (default 15000). */
  connectTimeoutMs?: number;
  /**
   * Start the bridge helper beside the socket (bridge.ts; root only). Default true: for proxies that
   * outlive many runs. Per-run proxies pass false — the helper would not be up before their run.
   */
  bridgeHelper?: boolean;
}

export interface ProxyHandle {
  socketPath: string;
  close(): Promise<void>;
  /** Replace the allowlist (config reload) without restarting. */
  setAllowedDomains(domains: readonly string[]): void;
  /** Hosts refused so far (deduplicated, in order). */
  denied(): string[];
}

async function defaultResolve(host: string, port: number): Promise<{ address: string; port: number }> {
  const r = await dnsLookup(host);
  return { address: r.address, port };
}

function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.isSymbolicLink()) throw new Error(`proxy socket directory ${dir} is not a directory`);
  if (st.uid !== uid) throw new Error(`proxy socket directory ${dir} belongs to another user`);
  chmodSync(dir, 0o700);
  // Up to the first root-owned or sticky (/tmp-like) ancestor, every directory must be ours and
  // writable by nobody else — or someone else could swap the socket's directory (/tmp/vg-<uid>).
  for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) {
    const a = lstatSync(d);
    if (a.uid === 0 && uid !== 0) break;
    if (a.mode & 0o1000) break;
    if (a.uid !== uid || a.isSymbolicLink() || a.mode & 0o022) {
      throw new Error(`proxy socket directory ${dir} sits in ${d}, which another user can change — remove it or set XDG_RUNTIME_DIR`);
    }
    if (a.uid === 0) break;
  }
}

function refuse(sock: Duplex, status: number, text: string, host?: string): void {
  const body = text + '\n';
  const reason = status === 403 ? 'Forbidden' : 'Bad Request';
  // The status line carries the message too: some clients print nothing else.
  const line = text.replace(/[\r\n]/g, ' ').replace(/[^\x20-\x7e]/g, '-');
  sock.end(
    `HTTP/1.1 ${status} ${reason} (${line})\r\n` +
      (host ? `X-Vg-Denied: ${host.replace(/[^\x21-\x7e]/g, '?')}\r\n` : '') +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Parse a CONNECT authority `host:port` / `[v6]:port`. Null on anything else (userinfo, paths, …). */
function parseAuthority(a: string): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:@/[\]?#]+):(\d{1,5})$/.exec(a);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function hostHeaderName(h: string | undefined): string | undefined {
  if (h === undefined) return undefined;
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(h.trim());
  return (m ? m[1]! : h).replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
}

export async function startProxy(opts: ProxyOptions): Promise<ProxyHandle> {
  let allowed = [...opts.allowedDomains];
  const resolve = opts.resolve ?? defaultResolve;
  const deniedHosts: string[] = [];
  const open = new Set<Socket | Duplex>();
  const timeoutMs = opts.connectTimeoutMs ?? 15000;

  const deny = (sock: Duplex, host: string, message: string): void => {
    if (!deniedHosts.includes(host)) deniedHosts.push(host);
    try {
      opts.onDeny?.(host, message);
    } catch {
      /* a reporting hook must never break the proxy */
    }
    refuse(sock, 403, message, host);
  };

  /** Resolve and vet the address; returns a connected upstream socket or throws a one-line reason. */
  const dial = async (host: string, port: number): Promise<Socket> => {
    const target = await resolve(host, port);
    if (!opts.allowLocalAddresses && isLocalAddress(target.address)) {
      throw new Error(`vg: ${host} resolves to a local address (${target.address}) — refused`);
    }
    return await new Promise<Socket>((res, rej) => {
      const up = netConnect({ host: target.address, port: target.port });
      const timer = setTimeout(() => up.destroy(new Error(`vg: ${host}:${port} did not answer`)), timeoutMs);
      up.once('connect', () => {
        clearTimeout(timer);
        res(up);
      });
      up.once('error', (e) => {
        clearTimeout(timer);
        rej(e);
      });
    });
  };

  const track = (s: Socket | Duplex): void => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };

  const server = createServer();
  server.on('connection', track);

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    client.on('error', () => {});
    const auth = parseAuthority(req.url ?? '');
    if (!auth) return refuse(client, 400, `vg: bad CONNECT target ${JSON.stringify(req.url ?? '')}`);
    const hh = hostHeaderName(req.headers.host);
    if (hh !== undefined && hh !== auth.host.toLowerCase().replace(/\.$/, '')) {
      return refuse(client, 400, `vg: CONNECT target ${auth.host} does not match Host header ${hh}`, auth.host);
    }
    const verdict = checkHost(allowed, auth.host, auth.port, 'connect');
    if (!verdict.allowed) return deny(client, verdict.host, verdict.reason!);
    dial(verdict.host, auth.port).then(
      (up) => {
        track(up);
        up.on('error', () => client.destroy());
        client.on('close', () => up.destroy());
        up.on('close', () => client.destroy());
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) up.write(head);
        up.pipe(client);
        client.pipe(up);
      },
      (e: Error) => refuse(client, 502, e.message.startsWith('vg:') ? e.message : `vg: cannot reach ${verdict.host}:${auth.port} — ${e.message}`),
    );
  });

  const respond = (res: ServerResponse, status: number, text: string, host?: string): void => {
    const body = text + '\n';
    const line = text.replace(/[\r\n]/g, ' ').replace(/[^\x20-\x7e]/g, '-');
    const headers: Record<string, string | number> = {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    };
    if (host) headers['x-vg-denied'] = host.replace(/[^\x21-\x7e]/g, '?');
    res.writeHead(status, `${status === 403 ? 'Forbidden' : status === 502 ? 'Bad Gateway' : 'Bad Request'} (${line})`, headers);
    res.end(body);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      if (!/^http:\/\//i.test(req.url ?? '')) throw new Error('not absolute');
      url = new URL(req.url!);
    } catch {
      return respond(res, 400, 'vg: this is a proxy — send absolute-URI requests (http://host/…) or CONNECT');
    }
    if (url.username || url.password) return respond(res, 400, 'vg: credentials in a proxied URL are refused', url.hostname);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port ? Number(url.port) : 80;
    const hh = hostHeaderName(req.headers.host);
    if (hh !== undefined && hh !== host.toLowerCase().replace(/\.$/, '')) {
      return respond(res, 400, `vg: request for ${host} does not match Host header ${hh}`, host);
    }
    const verdict = checkHost(allowed, host, port, 'http');
    if (!verdict.allowed) {
      if (!deniedHosts.includes(verdict.host)) deniedHosts.push(verdict.host);
      try {
        opts.onDeny?.(verdict.host, verdict.reason!);
      } catch {
        /* never break the proxy */
      }
      return respond(res, 403, verdict.reason!, verdict.host);
    }
    dial(verdict.host, port).then(
      (up) => {
        track(up);
        const headers = { ...req.headers };
        for (const h of ['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade']) delete headers[h];
        headers.host = url.host;
        const upReq = httpRequest({
          createConnection: () => up,
          method: req.method,
          path: `${url.pathname}${url.search}`,
          headers,
        });
        upReq.on('response', (upRes) => {
          const raw = upRes.rawHeaders;
          const out: string[] = [];
          for (let i = 0; i < raw.length; i += 2) {
            if (!/^(connection|keep-alive|transfer-encoding|proxy-.*)$/i.test(raw[i]!)) out.push(raw[i]!, raw[i + 1]!);
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, out);
          upRes.pipe(res);
        });
        upReq.on('error', (e) => {
          if (!res.headersSent) respond(res, 502, `vg: ${verdict.host}:${port} failed — ${e.message}`);
          else res.destroy();
        });
        req.pipe(upReq);
      },
      (e: Error) => respond(res, 502, e.message.startsWith('vg:') ? e.message : `vg: cannot reach ${verdict.host}:${port} — ${e.message}`),
    );
  });
  server.on('clientError', (_e, sock) => {
    if (sock.writable) refuse(sock, 400, 'vg: malformed proxy request');
    else sock.destroy();
  });

  ensurePrivateDir(dirname(opts.socketPath));
  try {
    unlinkSync(opts.socketPath); // a stale socket from a dead proxy
  } catch {
    /* none */
  }
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    // Created 0600 (umask) so only the user (and the sandbox, running as the user) can connect.
    const old = process.umask(0o177);
    try {
      server.listen(opts.socketPath, () => res());
    } finally {
      process.umask(old);
    }
  });
  chmodSync(opts.socketPath, 0o600);
  const helper = opts.bridgeHelper === false ? null : startBridgeHelper(opts.socketPath);

  return {
    socketPath: opts.socketPath,
    setAllowedDomains(d) {
      allowed = [...d];
    },
    denied: () => [...deniedHosts],
    close: () =>
      new Promise<void>((res) => {
        helper?.close();
        for (const s of open) s.destroy();
        server.close(() => {
          try {
            unlinkSync(opts.socketPath);
          } catch {
            /* gone */
          }
          res();
        });
      }),
  };
}

/** Default directory for the long-running proxy: $XDG_RUNTIME_DIR/vg, else /tmp/vg-<uid>. */
export function defaultProxyDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'vg') : join(tmpdir(), `vg-${uid}`);
}

/** The socket the long-running proxy listens on (bind its directory at PROXY_SOCKET_DIR_INSIDE). */
export function defaultProxySocket(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultProxyDir(env), 'net', PROXY_SOCKET_NAME);
}

/**
 * Long-running mode for the resident analyzer: one proxy per user, socket at `defaultProxySocket()`
 * (its own 0700 directory, so binding the directory into a sandbox exposes nothing else).
 * Restarts cleanly over a stale socket; `setAllowedDomains` follows config reloads.
 */
export async function runProxyServer(opts: Partial<ProxyOptions> & { allowedDomains: readonly string[] }): Promise<ProxyHandle> {
  return startProxy({ ...opts, socketPath: opts.socketPath ?? defaultProxySocket() });
}
