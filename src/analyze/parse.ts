// The only module that imports unbash: the parser is young, so it stays behind this wall.
import { parse } from 'unbash';
import type { Script } from 'unbash';

export type { Script };
export type * from 'unbash';

export interface Parsed {
  script: Script | null;
  error?: string;
  /** Not handed to the parser: too many operators/heredocs to parse within a keystroke budget. */
  tooComplex?: boolean;
}

/**
 * unbash is fast on real lines but superlinear on adversarial operator soup (1,000 heredoc
 * operators ≈ 30 ms, 16,000 ≈ 900 ms on this machine kind). Lines past these counts go to the
 * tokenizer instead; no interactive line comes near them.
 */
export const MAX_OPERATORS = 2_000;
export const MAX_HEREDOCS = 32;
/** Each nested `$(…)` is re-scanned when its script is read: cost grows with the square of depth. */
export const MAX_NESTING = 48;

function tooComplex(line: string): boolean {
  let ops = 0;
  let heredocs = 0;
  let depth = 0;
  let maxDepth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 40 || c === 123) {
      depth++;
      if (depth > maxDepth) maxDepth = depth;
    } else if ((c === 41 || c === 125) && depth > 0) depth--;
    // | ; & ( { ` " [ <
    if (c === 124 || c === 59 || c === 38 || c === 40 || c === 123 || c === 96 || c === 34 || c === 91) ops++;
    else if (c === 60 && line.charCodeAt(i + 1) === 60 && line.charCodeAt(i + 2) !== 60) {
      heredocs++;
      i++;
    }
  }
  return ops > MAX_OPERATORS || heredocs > MAX_HEREDOCS || maxDepth > MAX_NESTING;
}

// The resident analyzer asks twice per line (is it complete? then analyze it); nothing downstream
// modifies the tree, so the last result is handed out again.
let last: { line: string; parsed: Parsed } | undefined;

/** Parse a line; never throws. `error` is set when bash itself would reject the line. */
export function parseLine(line: string): Parsed {
  if (last?.line === line) return last.parsed;
  const parsed = parseUncached(line);
  last = { line, parsed };
  return parsed;
}

function parseUncached(line: string): Parsed {
  if (tooComplex(line)) return { script: null, tooComplex: true };
  let script: ReturnType<typeof parse>;
  try {
    script = parse(line);
  } catch (e) {
    return { script: null, error: `parser failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const errs = script.errors;
  if (errs && errs.length > 0) {
    const e = errs[0]!;
    return { script, error: `${e.message} (at ${e.pos})` };
  }
  const extra = bashRejects(line);
  if (extra) return { script, error: extra };
  return { script };
}

/**
 * Lines unbash recovers from but bash rejects. unbash 6.0.4 reports all of the known ones itself;
 * this is a belt-and-braces check on the raw text for the shapes that matter most (a line that
 * starts or ends with an operator), cheap enough to run on every line.
 */
function bashRejects(line: string): string | undefined {
  const raw = line.trim();
  // Fast exit: only a line that starts or ends with an operator character can be one of these.
  if (raw === '' || (!/^[|&;]/.test(raw) && !/[|&]$/.test(raw) && !raw.includes('#'))) return undefined;
  const t = line.replace(/(^|\s)#[^\n]*/g, '$1').trim();
  if (t === '') return undefined;
  if (/^(\|\|?|&&|;;?|&)(?!&)/.test(t) && !t.startsWith('&>')) return `syntax error near unexpected token '${t.slice(0, 2).trim()}'`;
  if (/(\|\||&&|\|)$/.test(t) && !/\\\|$/.test(t)) return 'syntax error: unexpected end of line after an operator';
  return undefined;
}
