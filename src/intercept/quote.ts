// Shell code for "run this Invocation", as the shell hook evals it: no Node on the path of a
// sandboxed command. The output never contains a control character (newlines in an argument are
// written as $'\n' for bash/zsh and \n for fish), so it fits on one protocol line.
import { basename } from 'node:path';
import { ENV_NAME, type Invocation } from '../runtimes/types.ts';
import { PLAIN_WORD } from '../sandbox/direct.ts';
import type { ShellKind } from './protocol.ts';

// eslint-disable-next-line no-control-regex
const CTRL = /[\x00-\x1f\x7f]/;

const hex = (c: string): string => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');

/** Quote one word for bash/zsh: '…' with control characters as $'\xHH' pieces. */
export function quotePosix(w: string): string {
  if (w === '') return "''";
  if (PLAIN_WORD.test(w)) return w;
  let out = '';
  let buf = '';
  const flush = (): void => {
    if (buf) out += "'" + buf.replace(/'/g, "'\\''") + "'";
    buf = '';
  };
  for (const c of w) {
    if (CTRL.test(c)) {
      flush();
      out += "$'" + hex(c) + "'";
    } else buf += c;
  }
  flush();
  return out;
}

/** Quote one word for fish: inside '…' only \\ and \' are escapes; control characters go outside as \xHH. */
export function quoteFish(w: string): string {
  if (w === '') return "''";
  if (PLAIN_WORD.test(w)) return w;
  let out = '';
  let buf = '';
  const flush = (): void => {
    if (buf) out += "'" + buf.replace(/[\\']/g, (c) => '\\' + c) + "'";
    buf = '';
  };
  for (const c of w) {
    if (CTRL.test(c)) {
      flush();
      out += hex(c);
    } else buf += c;
  }
  flush();
  return out;
}

export function quoteFor(shell: ShellKind): (w: string) => string {
  return shell === 'fish' ? quoteFish : quotePosix;
}

/**
 * The command line that runs `inv` from the shell: `command env -i K=V … ARGV… 9<'file'`.
 * Invocation.env is the complete environment of the runtime process (as spawn({ env }) would use it),
 * hence `env -i`; an empty env inherits the shell's; with envByWrapper, `K=V … command ARGV…`.
 * Extra fds are redirections on the same command.
 */
export function invocationCommand(inv: Invocation, shell: ShellKind): string {
  const q = quoteFor(shell);
  const words: string[] = ['command'];
  const env = Object.entries(inv.env ?? {}).filter(([k]) => ENV_NAME.test(k));
  if (inv.argv.length === 0) throw new Error('empty invocation argv');
  let argv = inv.argv;
  if (inv.envByWrapper) {
    // The wrapper sets the command's environment from its argv: its own few variables ride on the
    // shell's as assignments (no exec for them). Values quoted, names checked above.
    words.unshift(...env.map(([k, v]) => `${k}=${q(v)}`));
  } else if (env.length) {
    // An invocation that starts with env itself (`env --ignore-signal=INT,QUIT …`) shares this env:
    // one exec fewer per sandboxed line (GNU env takes its options before the assignments).
    const head = basename(argv[0]!) === 'env' && argv[0]!.startsWith('/') ? argv[0]! : 'env';
    words.push(q(head), '-i');
    if (basename(argv[0]!) === 'env') {
      let n = 1;
      while (n < argv.length && /^--?[a-z]/.test(argv[n]!) && argv[n] !== '--') n++;
      for (const o of argv.slice(1, n)) words.push(q(o));
      argv = argv.slice(n);
      if (argv.length === 0) throw new Error('empty invocation argv');
    }
    for (const [k, v] of env) words.push(q(`${k}=${v}`));
  }
  // argv[0] containing '=' would be read by env as an assignment; go through a path-qualified form.
  for (const [i, a] of argv.entries()) words.push(i === 0 && env.length && a.includes('=') ? q('./' + a) : q(a));
  for (const f of inv.files ?? []) {
    if (!Number.isInteger(f.fd) || f.fd < 3 || f.fd > 9) throw new Error(`cannot pass fd ${f.fd} from the shell (3–9 only)`);
    words.push(`${f.fd}<${q(f.path)}`);
  }
  return words.join(' ');
}
