// Word evaluation: quote removal plus the expansions the analyzer can know statically (tilde,
// trusted and line-local variables, `${x:-default}`, simple brace lists). Everything else is
// marked dynamic so rules can be conservative.

/** `s` as one single-quoted POSIX shell word (`'` written as `'\''`): how judged and generated text is quoted. */
export const singleQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface EWord {
  /** Value after quote removal and known expansions; unknown expansions kept as their text. */
  value: string;
  /** Value with every unknown expansion replaced by the empty string. */
  ifEmpty: string;
  dynamic: boolean;
  /** Contains an unquoted glob character that the shell would expand. */
  glob: boolean;
  /** Any part was quoted (so `--` flags look-alikes or `*` are literal). */
  quoted: boolean;
  /** Produced (partly) by a substitution whose commands fetch from the network / decode data. */
  fromNetwork?: boolean;
  fromDecoder?: boolean;
  /** Contains a process substitution `<(…)` / `>(…)`. */
  procSubst?: boolean;
  /** A process substitution's output, when the analyzer knows it (`<(echo …)`): code if it is sourced. */
  procOut?: string;
  /** Contains a command substitution `$(…)` or backticks. */
  cmdSubst?: boolean;
}

export const literalWord = (value: string, quoted = false): EWord => ({
  value,
  ifEmpty: value,
  dynamic: false,
  glob: !quoted && /[*?[]/.test(value),
  quoted,
});

/** Expand a leading `~`, `~/…`, `~+`, `~user` in an unquoted leading literal. */
export function expandTilde(lit: string, home: string, cwd: string | null): { value: string; dynamic: boolean } {
  if (!lit.startsWith('~')) return { value: lit, dynamic: false };
  const slash = lit.indexOf('/');
  const user = slash < 0 ? lit.slice(1) : lit.slice(1, slash);
  const rest = slash < 0 ? '' : lit.slice(slash);
  if (user === '') return { value: home + rest, dynamic: false };
  if (user === '+' && cwd !== null) return { value: cwd + rest, dynamic: false };
  if (user === 'root') return { value: '/root' + rest, dynamic: false };
  if (/^[a-z_][a-z0-9_-]*$/i.test(user)) return { value: '/home/' + user + rest, dynamic: false };
  return { value: lit, dynamic: false };
}

/** Expand `pre{a,b,c}post` comma lists (no nesting); anything else is returned as is. */
export function braceList(text: string): string[] | null {
  if (!text.startsWith('{') || !text.endsWith('}')) return null;
  const inner = text.slice(1, -1);
  if (inner.includes('{') || !inner.includes(',')) return null;
  const items = inner.split(',');
  return items.length <= 64 ? items : null;
}
