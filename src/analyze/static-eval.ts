// What a command prints, when that is knowable from the line alone (`echo`, `printf`, `base64 -d`
// of a literal…). Lets the analyzer see through `echo cm0gLXJmIC8= | base64 -d | sh` and
// `bash -c "$(echo rm) -rf /"` instead of only flagging them as opaque.

const MAX_OUT = 16 * 1024;

/** Decode the backslash escapes `echo -e` / `printf` understand. */
export function unescapeC(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|0?[0-7]{1,3}|u[0-9a-fA-F]{1,4}|[abefnrtv\\'"])/g, (_m, e: string) => {
    const c = e[0];
    if (c === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (c === 'u') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (c !== undefined && c >= '0' && c <= '7') return String.fromCharCode(parseInt(e, 8) & 0xff);
    const map: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    return map[e] ?? e;
  });
}

/** What `printf FORMAT ARGS…` prints (also what `printf -v NAME` assigns: facts.ts). */
export function printfOutput(args: readonly string[]): string {
  const fmt = args[0] ?? '';
  const rest = args.slice(1);
  let i = 0;
  let out = '';
  // Repeat the format while arguments remain, as printf does; bounded by the argument count.
  do {
    out += unescapeC(fmt).replace(/%(%|[-+ #0]*\d*(?:\.\d+)?[sdbqiuxXoc])/g, (_m, spec: string) => {
      if (spec === '%') return '%';
      const a = rest[i++] ?? '';
      return spec.endsWith('b') ? unescapeC(a) : a;
    });
  } while (i < rest.length && i > 0 && out.length < MAX_OUT);
  return out;
}

function decodeBase64(s: string): string | undefined {
  const clean = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) return undefined;
  const text = Buffer.from(clean, 'base64').toString('utf8');
  // Binary output is not shell code; only hand back text.
  return /[\x00-\x08\x0e-\x1f]/.test(text) ? undefined : text;
}

function decodeHex(s: string): string | undefined {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) return undefined;
  return Buffer.from(clean, 'hex').toString('utf8');
}

/**
 * The static stdout of `argv` given its static stdin, or undefined when it cannot be known.
 * `dynamic` means some argv word was not resolved.
 */
export function staticOutput(argv: readonly string[], dynamic: boolean, stdin: string | undefined): string | undefined {
  if (dynamic) return undefined;
  const name = argv[0] ?? '';
  const args = argv.slice(1);
  let out: string | undefined;
  switch (name) {
    case 'echo': {
      let e = false;
      let nl = true;
      let k = 0;
      while (k < args.length && /^-[neE]+$/.test(args[k]!)) {
        if (args[k]!.includes('e')) e = true;
        if (args[k]!.includes('n')) nl = false;
        k++;
      }
      const s = args.slice(k).join(' ');
      out = (e ? unescapeC(s) : s) + (nl ? '\n' : '');
      break;
    }
    case 'printf':
      if (args[0] === '-v') return undefined;
      out = printfOutput(args);
      break;
    case 'cat':
    case 'tee':
      out = args.every((a) => a.startsWith('-')) ? stdin : undefined;
      break;
    case 'base64':
      if ((args.includes('-d') || args.includes('--decode') || args.includes('-D')) && stdin !== undefined && args.every((a) => a.startsWith('-'))) {
        out = decodeBase64(stdin);
      }
      break;
    case 'xxd':
      if (args.includes('-r') && args.includes('-p') && stdin !== undefined) out = decodeHex(stdin);
      break;
    case 'rev':
      if (stdin !== undefined && args.length === 0) out = stdin.split('\n').map((l) => [...l].reverse().join('')).join('\n');
      break;
    default:
      return undefined;
  }
  return out !== undefined && out.length <= MAX_OUT ? out : undefined;
}
