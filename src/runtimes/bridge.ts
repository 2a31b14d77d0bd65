// The restricted network's bridge helper: one resident Perl process next to a long-running proxy
// that takes over each sandbox's 127.0.0.1:3128 listener, so the wrapper does not have to fork a
// bridge of its own (a fork of a Perl process costs ~4 ms on this machine: copy-on-write faults;
// handing the listener over costs ~0.1 ms). Measured here: bwrap strict 33.7 → 30.1 ms median.
//
// Protocol: the wrapper makes the network namespace and the listener as before, connects to the
// helper's unix socket (next to the proxy's, in the same 0700 directory) and sends one message:
// its pid as data, the listener as SCM_RIGHTS. The helper accepts on the listener — connections
// queue in its backlog meanwhile, so the command can never race it — and forks one relay per
// connection to the proxy's socket. pidfd_open(pid) tells it when the sandbox is over (the wrapper
// execs bwrap or waits for the namespace's PID 1, so that pid lives exactly as long as the run):
// the listener is closed then and the network namespace goes with it. When the helper is not
// there (not started yet, gone), the wrapper forks its own bridge as before. Started only next to
// long-running proxies (the resident analyzer's): a per-run proxy would not have it up in time.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';

/** Syscall numbers, per Node `process.arch` (x86_64 and aarch64, as the Perl wrapper). */
export const BRIDGE_SYSCALLS: Record<string, { sendmsg: number; recvmsg: number; pidfd_open: number; prctl: number }> = {
  x64: { sendmsg: 46, recvmsg: 47, pidfd_open: 434, prctl: 157 },
  arm64: { sendmsg: 211, recvmsg: 212, pidfd_open: 434, prctl: 167 },
};

const pq = (s: string) => `'${s.replace(/[\\']/g, (c) => '\\' + c)}'`;

/**
 * The helper's socket for a proxy socket: beside the proxy's directory, not in it — container
 * engines bind that directory into containers, and nothing inside a sandbox may reach the helper.
 * Mode 0600: only its owner (root) can connect.
 */
export function bridgeControlPath(proxySocket: string): string {
  return `${dirname(proxySocket)}.bridge.sock`;
}

/**
 * Perl for one accepted connection `$c`: connect to the proxy (`$sun`, a packed sockaddr_un) and
 * copy bytes both ways; after the first EOF the other direction gets 0.5 s (as socat does).
 */
export const PERL_RELAY =
  `my $u; socket($u, 1, 1, 0) && connect($u, $sun) or exit 1; ` +
  `my @p = ([$c, $u], [$u, $c]); my $rin = ''; vec($rin, fileno($_), 1) = 1 for $c, $u; my $t; ` +
  `while (1) { my $n = select(my $r = $rin, undef, undef, $t); exit 0 if $n == 0; next if $n < 0; ` +
  `for (@p) { my ($a, $b) = @$_; next unless vec($r, fileno($a), 1); my $got = sysread($a, my $buf, 65536); ` +
  `if (!$got) { vec($rin, fileno($a), 1) = 0; shutdown($b, 1); exit 0 if defined $t; $t = 0.5; next } ` +
  `my $o = 0; while ($o < $got) { my $w = syswrite($b, $buf, $got - $o, $o); exit 0 unless $w; $o += $w } } }`;

/**
 * Wrapper side (needs `$vg_l`, the listening socket): hand it to the helper. Sets `$vg_ho` to 1 on
 * success; on any failure it stays 0 and the caller forks its own bridge. pack 'P' needs live
 * variables, never temporaries. LP64 `struct msghdr` / `cmsghdr` (SOL_SOCKET 1, SCM_RIGHTS 1).
 */
export function perlHandoff(arch: string, controlPath: string): string {
  const nr = BRIDGE_SYSCALLS[arch];
  if (!nr) return 'my $vg_ho = 0;';
  return (
    `my $vg_ho = 0; { my $h; if (socket($h, 1, 1, 0) && connect($h, pack('S a108', 1, ${pq(controlPath)}))) { ` +
    `my $d = pack('L', $$); my $iov = pack('P J', $d, 4); my $cm = pack('J i i i x4', 20, 1, 1, fileno($vg_l)); ` +
    `my $mh = pack('J L x4 P J P J i x4', 0, 0, $iov, 1, $cm, 24, 0); $vg_ho = syscall(${nr.sendmsg}, fileno($h), $mh, 0) == 4 ? 1 : 0; } close $h if $h; }`
  );
}

/** The helper program: `perl -e SCRIPT CONTROL_PATH PROXY_SOCKET`. Dies with its parent (the proxy's process). */
export function bridgeHelperScript(arch: string): string | null {
  const nr = BRIDGE_SYSCALLS[arch];
  if (!nr) return null;
  return [
    `my ($ctl, $proxy) = @ARGV; my $pp = getppid(); syscall(${nr.prctl}, 1, 9); exit 0 if getppid() != $pp;`,
    `$SIG{CHLD} = 'IGNORE'; $SIG{PIPE} = 'IGNORE'; unlink $ctl;`,
    `umask 077; my $cs; socket($cs, 1, 1, 0) && bind($cs, pack('S a108', 1, $ctl)) && listen($cs, 128) or exit 1;`,
    `my $sun = pack('S a108', 1, $proxy); my %l;`,
    `while (1) { my $rin = ''; vec($rin, fileno($cs), 1) = 1; for (values %l) { vec($rin, fileno($_->[0]), 1) = 1; vec($rin, fileno($_->[1]), 1) = 1 }`,
    `  my $n = select(my $r = $rin, undef, undef, undef); next if $n <= 0;`,
    // A new sandbox: its pid and listener. A message that is not exactly that is dropped.
    `  if (vec($r, fileno($cs), 1) && accept(my $c, $cs)) { my $buf = "\\0" x 4; my $cb = "\\0" x 24; my $iov = pack('P J', $buf, 4); ` +
      `my $mh = pack('J L x4 P J P J i x4', 0, 0, $iov, 1, $cb, 24, 0); my $got = syscall(${nr.recvmsg}, fileno($c), $mh, 0); close $c; ` +
      `my (undef, $lv, $ty, $fd) = unpack('J i i i', $cb); ` +
      `if ($got == 4 && $lv == 1 && $ty == 1 && $fd > 2 && open(my $lh, '+<&=', $fd)) { my $pf = syscall(${nr.pidfd_open}, unpack('L', $buf), 0); ` +
      `if ($pf >= 0 && open(my $ph, '<&=', $pf)) { $l{fileno $lh} = [$lh, $ph] } else { close $lh } } }`,
    // The sandbox is over: its listener goes (and with it the network namespace).
    `  for my $k (keys %l) { my ($lh, $ph) = @{$l{$k}}; if (vec($r, fileno($ph), 1)) { close $ph; close $lh; delete $l{$k}; next }`,
    `    next unless vec($r, fileno($lh), 1); accept(my $c, $lh) or next; my $kid = fork;`,
    `    if (defined $kid && !$kid) { close $cs; for (values %l) { close $_->[0]; close $_->[1] } ${PERL_RELAY} }`,
    `    close $c; } }`,
  ].join('\n');
}

export interface BridgeHelper {
  close(): void;
}

/**
 * Start the helper next to a long-running proxy (root only: only the root Perl wrapper uses it).
 * Best effort: without perl, or while it starts, wrappers fork their own bridge.
 */
export function startBridgeHelper(proxySocket: string, arch: string = process.arch): BridgeHelper | null {
  const script = bridgeHelperScript(arch);
  if (!script || process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const ctl = bridgeControlPath(proxySocket);
  let child: ChildProcess;
  try {
    child = spawn('perl', ['-e', script, ctl, proxySocket], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
  } catch {
    return null;
  }
  child.on('error', () => {});
  child.unref();
  return {
    close() {
      child.kill('SIGKILL');
      rmSync(ctl, { force: true });
    },
  };
}
