// A classic-BPF seccomp program that makes ioctl(TIOCSTI) and ioctl(TIOCLINUX) fail with EPERM.
// Interactive sandboxed commands share the user's terminal (no `--new-session`, so sudo, ssh and
// editors can still prompt); without this filter they could push keystrokes into the shell that
// runs after them. bwrap takes the raw program (`struct sock_filter[]`) on a file descriptor.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
const OFF_NR = 0;
const OFF_ARCH = 4;
// args[1] starts at 24; on little-endian machines its low 32 bits come first, and the kernel
// compares ioctl's `unsigned int cmd`, so the low word is the whole request number.
const OFF_ARG1_LO = 24;

const BPF_LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const BPF_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const BPF_JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const BPF_RET_K = 0x06; // BPF_RET | BPF_K

const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;

export const TIOCSTI = 0x5412;
export const TIOCLINUX = 0x541c;

/** The architectures we filter, with their ioctl syscall number. Others pass unfiltered. */
export const ARCHES = [
  { name: 'x86_64', audit: 0xc000003e, ioctl: 16 },
  { name: 'i386', audit: 0x40000003, ioctl: 54 },
  { name: 'aarch64', audit: 0xc00000b7, ioctl: 29 },
  { name: 'arm', audit: 0x40000028, ioctl: 54 },
] as const;
const X32_SYSCALL_BIT = 0x40000000;

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** The filter as instructions (exposed for tests: they check the jumps as data). */
export function ttyFilterProgram(blocked: readonly number[] = [TIOCSTI, TIOCLINUX]): Insn[] {
  // Layout: [ld arch] [per arch: jeq arch → its block] [ret allow]
  //         per arch block: [ld nr] ([x86_64: jge X32 → deny]) [jeq ioctl → check, else allow]
  //         check: [ld arg1] [jeq cmd → deny]… [ret allow] [ret deny]
  // Jumps are relative and forward-only, so build from the end: fixed offsets are computed below.
  const prog: Insn[] = [];
  const ins = (code: number, k: number, jt = 0, jf = 0) => prog.push({ code, jt, jf, k });
  const n = ARCHES.length;
  // Per-arch block sizes: ld nr + (x32 guard on x86_64) + jeq ioctl.
  const blockLen = ARCHES.map((a) => (a.name === 'x86_64' ? 3 : 2));
  const checkLen = 1 + blocked.length; // ld arg1 + jeq per blocked request
  ins(BPF_LD_W_ABS, OFF_ARCH);
  // Arch dispatch: instruction i (0-based among n) jumps to its block; fall-through to the final
  // jeq's jf, which skips to "allow".
  const dispatchEnd = 1 + n; // index of the "allow (unknown arch)" instruction
  const blockStart: number[] = [];
  let at = dispatchEnd + 1;
  for (let i = 0; i < n; i++) {
    blockStart.push(at);
    at += blockLen[i];
  }
  const checkStart = at;
  const allowIdx = checkStart + checkLen;
  const denyIdx = allowIdx + 1;
  for (let i = 0; i < n; i++) {
    const idx = 1 + i;
    ins(BPF_JEQ_K, ARCHES[i].audit, blockStart[i] - idx - 1, 0);
  }
  ins(BPF_RET_K, SECCOMP_RET_ALLOW);
  for (let i = 0; i < n; i++) {
    ins(BPF_LD_W_ABS, OFF_NR);
    if (ARCHES[i].name === 'x86_64') {
      // x32 syscalls (nr | 0x40000000) would reach ioctl under another number: refuse the whole ABI.
      const idx = prog.length;
      ins(BPF_JGE_K, X32_SYSCALL_BIT, denyIdx - idx - 1, 0);
    }
    const idx = prog.length;
    ins(BPF_JEQ_K, ARCHES[i].ioctl, checkStart - idx - 1, allowIdx - idx - 1);
  }
  ins(BPF_LD_W_ABS, OFF_ARG1_LO);
  for (let j = 0; j < blocked.length; j++) {
    const idx = prog.length;
    ins(BPF_JEQ_K, blocked[j], denyIdx - idx - 1, 0);
  }
  ins(BPF_RET_K, SECCOMP_RET_ALLOW);
  ins(BPF_RET_K, SECCOMP_RET_ERRNO | EPERM);
  return prog;
}

/** The compiled program, 8 bytes per instruction, host byte order (little-endian on x86_64/aarch64). */
export function ttyFilterBytes(): Buffer {
  const prog = ttyFilterProgram();
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    buf.writeUInt16LE(p.code, i * 8);
    buf.writeUInt8(p.jt, i * 8 + 2);
    buf.writeUInt8(p.jf, i * 8 + 3);
    buf.writeUInt32LE(p.k >>> 0, i * 8 + 4);
  });
  return buf;
}

/**
 * Write the filter once at a stable path under the state dir, so the shell can pass it as
 * `9<PATH` without a Node start. Rewritten only when the bytes differ (atomic rename).
 */
export function ensureTtyFilterFile(dir: string): string {
  const path = join(dir, 'seccomp-tty.bpf');
  // The resident analyzer asks for every sandboxed line: once the file's bytes were checked, the
  // same inode, size and mtime mean the same bytes (a stat, not a read and compare each time).
  const st = statSync(path, { throwIfNoEntry: false });
  const id = st ? `${st.ino}:${st.size}:${st.mtimeMs}` : '';
  if (st && checkedFilter.get(path) === id) return path;
  const bytes = ttyFilterBytes();
  try {
    if (st && readFileSync(path).equals(bytes)) {
      checkedFilter.set(path, id);
      return path;
    }
  } catch {
    /* unreadable: write it */
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, { mode: 0o600 });
  renameSync(tmp, path);
  const w = statSync(path);
  checkedFilter.set(path, `${w.ino}:${w.size}:${w.mtimeMs}`);
  return path;
}
const checkedFilter = new Map<string, string>();

/** The fd the filter is passed on: high enough to stay clear of stdio and of what shells use. */
export const SECCOMP_FD = 9;

/** prctl(2)'s syscall number, for the perl loader below. */
const PRCTL_NR: Record<string, number> = { x64: 157, arm64: 167, ia32: 172, arm: 172 };

/**
 * argv prefix that installs the filter read from fd `fd` and execs the rest: the namespace runtime
 * has no `bwrap --seccomp`, and perl (present wherever git is) can call prctl directly. The
 * sock_fprog is `{ u16 len; pad; ptr }`; `pack("P", …)` yields the buffer's address.
 * Null when this architecture has no known prctl number.
 */
export function perlSeccompArgv(fd = SECCOMP_FD, arch: string = process.arch): string[] | null {
  const load = perlSeccompLoad(fd, arch);
  return load ? ['perl', '-e', `${load} exec { $ARGV[0] } @ARGV or die "vg: $ARGV[0]: $!\n";`] : null;
}

/** The Perl statements that read the program from `fd`, set no_new_privs and install it (dies with the start-failure message). */
export function perlSeccompLoad(fd = SECCOMP_FD, arch: string = process.arch): string | null {
  const nr = PRCTL_NR[arch];
  if (!nr) return null;
  return (
    `{ open(my $f, "<&=", ${fd}) or die "vg: sandbox could not start: seccomp fd: $!\n"; binmode $f; local $/; my $p = <$f>; close $f; ` +
    `my $n = length($p) / 8; my $fp = pack("S x6 J", $n, unpack("J", pack("P", $p))); ` +
    `syscall(${nr}, 38, 1, 0, 0, 0) == 0 && syscall(${nr}, 22, 2, $fp, 0, 0) == 0 or die "vg: sandbox could not start: seccomp: $!\n"; }`
  );
}
