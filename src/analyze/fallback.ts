// Judging text the parser rejects (or that is too big to parse): commands come from the forgiving
// tokenizer, then go through the same wrapper peeling, effects and rules as parsed commands.
import type { CommandFact, Redirect } from './types.ts';
import { type Env, type PipeIn, type Scope, type Walker, upstream } from './facts.ts';
import { type EWord, literalWord } from './words.ts';
import { resolvePath } from './resolve.ts';
import { tokenize } from './tokenize.ts';
import { isDecoder, isFetcher } from './names.ts';

/** Fallback for text the parser rejects: judge its commands from a plain tokenization. */
export function tokens(wk: Walker, text: string, scope: Scope, env: Env): void {
  tokenForkBomb(wk, text, scope, env);
  for (const pl of tokenize(text)) {
    let pipe: PipeIn | undefined;
    for (const stage of pl) {
      if (!wk.tick() || wk.truncated) return;
      // Leading NAME=value words: alone they set a variable for later commands; before a
      // command they only apply to it (and not to its own words), as in bash.
      let a = 0;
      while (a < stage.words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(stage.words[a]!)) a++;
      if (a === stage.words.length && a > 0 && stage.redirects.length === 0) {
        for (const t of stage.words) {
          const eq = t.indexOf('=');
          const v = tokenWord(wk, t.slice(eq + 1), scope);
          scope.vars.set(t.slice(0, eq), v.dynamic ? null : v.value);
        }
        continue;
      }
      const words = stage.words.slice(a).map((t) => tokenWord(wk, t, scope));
      const sink: CommandFact[] = [];
      const e2: Env = { ...env, pipe, sink, inPipe: pl.length > 1 };
      const redirects: Redirect[] = stage.redirects.map((r) => ({ op: r.op, target: resolvePath(tokenWord(wk, r.target, scope).value, scope.cwd) ?? r.target, dynamic: r.target.includes('$') }));
      const out = words.length > 0 ? wk.run(words, redirects, scope, e2, pipe?.text, { network: pipe?.network ?? false, decoder: pipe?.decoder ?? false }) : undefined;
      if (words.length === 0 && redirects.length > 0) wk.emit([], redirects, scope, e2, { wrappers: [] });
      pipe = {
        from: upstream(pipe?.from ?? [], sink),
        network: (pipe?.network ?? false) || sink.some((f) => isFetcher(f)),
        decoder: (pipe?.decoder ?? false) || sink.some(isDecoder),
        text: out,
      };
    }
  }
}

/** The parser is not there to see function bodies: spot `f(){ …f|f… }` / `…f&…` defs that are called. */
export function tokenForkBomb(wk: Walker, text: string, scope: Scope, env: Env): void {
  const re = /(?:^|[\s;&|])(?:function\s+)?([^\s(){}|;&<>]+)\s*\(\s*\)\s*\{([^}]{0,512})\}/g;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(text.slice(0, 64 * 1024))) !== null && n++ < 16) {
    const name = m[1]!;
    const q = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const fan = new RegExp(`(^|[\\s;&|])${q}\\s*(\\||&(?!&))`).test(m[2]!);
    const rest = text.slice(m.index + m[0].length);
    if (fan && new RegExp(`(^|[\\s;&|])${q}($|[\\s;&|])`).test(rest)) {
      const f = wk.emit([literalWord(name)], [], scope, env, { wrappers: [] });
      if (f) f.recursion = 'fanout';
    }
  }
}

export function tokenWord(wk: Walker, t: string, scope: Scope): EWord {
  let dynamic = false;
  let v = wk.tilde(t, scope);
  v = v.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, n: string) => {
    const x = wk.lookup(n, scope);
    if (x === null) {
      dynamic = true;
      return m;
    }
    return x;
  });
  if (/\$[({]|`/.test(v)) dynamic = true;
  return { value: v, ifEmpty: v.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ''), dynamic, glob: /[*?[]/.test(v), quoted: false };
}
