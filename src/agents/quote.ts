// Shell quoting for the commands vg hands back to agents. One rule, easy to check: a word that is
// not plainly safe goes in single quotes, and a single quote inside becomes '\''. Single quotes make
// bash take every byte literally — `$()`, backticks, `\`, newlines, heredoc markers, `!` (history
// expansion is off in non-interactive shells) — so the round trip is exact.
// Not shell-quote's quote(): it is correct too, but mixes styles (`\$\(x\)`, `"it's"`, `'a b'`), and
// vg must recognise its own rewrites when an agent resubmits them (adapter.ts parseRewrite). One
// style keeps that recogniser small and strict.
import { singleQuote } from '../analyze/words.ts';

const SAFE = /^[A-Za-z0-9_\/.,:=@%+-]+$/;

/** Quote one word for bash/sh. */
export function shq(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return singleQuote(word);
}

/** Quote an argv into one command line. */
export function shjoin(argv: readonly string[]): string {
  return argv.map(shq).join(' ');
}

/**
 * Read back words produced by `shjoin` (and only that grammar: bare safe words, '…' runs, and the
 * `\'` between them), separated by single spaces. Returns null for anything else, so a line that
 * merely resembles ours is never mistaken for it.
 */
export function splitQuoted(line: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    let word = '';
    let any = false;
    while (i < line.length && line[i] !== ' ') {
      const c = line[i];
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return null;
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '\\' && line[i + 1] === "'") {
        word += "'";
        i += 2;
      } else if (SAFE.test(c)) {
        word += c;
        i++;
      } else {
        return null;
      }
      any = true;
    }
    if (!any) return null; // empty word from a double space, or a trailing space
    words.push(word);
    if (i < line.length) i++; // the single separating space
    if (i === line.length && line[i - 1] === ' ') return null;
  }
  return words;
}
