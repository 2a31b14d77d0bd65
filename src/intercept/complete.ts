// Is a bash/zsh line complete, or would the shell ask for more (PS2)? The hooks keep the user
// editing one multi-line buffer instead of accepting a fragment, so the whole construct is judged
// at once (a `for` loop, a heredoc, a trailing `|` or `\`).
import { parseLine } from '../analyze/parse.ts';

const INCOMPLETE = /^(expected .*(?:to close|after)|expected command in|unterminated)/;

export function isIncomplete(line: string): boolean {
  if (line.trim() === '') return false;
  if (trailingBackslash(line)) return true;
  const p = parseLine(line);
  if (p.error && INCOMPLETE.test(p.error)) return true;
  if (p.error) return false;
  return openHeredoc(line);
}

function trailingBackslash(line: string): boolean {
  const m = /(\\+)$/.exec(line);
  return !!m && m[1]!.length % 2 === 1 && !insideSingleQuotes(line);
}

/** Rough: an odd number of unescaped single quotes outside double quotes. */
function insideSingleQuotes(line: string): boolean {
  let sq = false;
  let dq = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (sq) {
      if (c === "'") sq = false;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') dq = !dq;
    else if (c === "'" && !dq) sq = true;
  }
  return sq;
}

/**
 * A `<<WORD` / `<<-WORD` / `<<'WORD'` / `<<"WORD"` outside quotes and comments whose terminator line
 * has not been typed yet. unbash accepts a heredoc without its body; bash waits for it.
 */
export function openHeredoc(line: string): boolean {
  const lines = line.split('\n');
  const pending: { word: string; strip: boolean }[] = [];
  for (let li = 0; li < lines.length; li++) {
    const text = lines[li]!;
    if (pending.length) {
      const want = pending[0]!;
      const cand = want.strip ? text.replace(/^\t+/, '') : text;
      if (cand === want.word) pending.shift();
      continue;
    }
    let sq = false;
    let dq = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (sq) {
        if (c === "'") sq = false;
        continue;
      }
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '"') {
        dq = !dq;
        continue;
      }
      if (dq) continue;
      if (c === "'") {
        sq = true;
        continue;
      }
      if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) break;
      if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<' && text[i - 1] !== '<') {
        const m = /^<<(-?)[ \t]*(?:'([^']*)'|"([^"]*)"|\\?([A-Za-z_][A-Za-z0-9_.-]*))/.exec(text.slice(i));
        if (m) {
          pending.push({ word: m[2] ?? m[3] ?? m[4]!, strip: m[1] === '-' });
          i += m[0].length - 1;
        }
      }
    }
  }
  return pending.length > 0;
}
