// The only module that imports unbash: the parser is young, so it stays behind this wall.
import { parse } from 'unbash';
import type { Script } from 'unbash';

export type { Script };
export type * from 'unbash';

export interface Parsed {
  script: Script | null;
  error?: string;
}

/** Parse a line; never throws. `error` is set when bash itself would reject the line. */
export function parseLine(line: string): Parsed {
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
  const t = line.replace(/(^|\s)#[^\n]*/g, '$1').trim();
  if (t === '') return undefined;
  if (/^(\|\|?|&&|;;?|&)(?!&)/.test(t) && !t.startsWith('&>')) return `syntax error near unexpected token '${t.slice(0, 2).trim()}'`;
  if (/(\|\||&&|\|)$/.test(t) && !/\\\|$/.test(t)) return 'syntax error: unexpected end of line after an operator';
  return undefined;
}
