// A line that uses the shell's own aliases and functions, as judged and as run in a sandbox.
//
// bash and zsh: aliases are expanded where the shell would expand them, and function definitions
// go in front — both to judge the body and because a sandbox's fresh `bash -c` has neither.
// fish: a function is fish code; it is judged as the POSIX code with the same commands
// (analyze/fish.ts; if that fails, its body in a POSIX frame), but the sandbox runs the line as typed under `fish -c`, which loads the
// user's functions itself (an unparseable body is judged at least medium, like any unparseable line).
import type { Definitions, ShellKind } from './protocol.ts';
import { expandAliases } from '../analyze/aliases.ts';
import { fishToPosix } from '../analyze/fish.ts';

export interface Composed {
  /** What the analyzer judges. */
  judged: string;
  /** What a sandbox runs. */
  run: string;
  /** Aliases that were sent but could not be placed (the line did not parse). */
  unplaced: string[];
}

export function composeLine(line: string, defs: Definitions, shell: ShellKind | undefined): Composed {
  const aliases = new Map(defs.aliases);
  if (shell === 'fish') {
    const fns = defs.functions.map(([name, text]) => fishToPosix(text) ?? fishAsPosix(name, text));
    return { judged: [...fns, fishToPosix(line) ?? line].join('\n'), run: line, unplaced: [] };
  }
  const ex = expandAliases(line, aliases);
  const unplaced = ex.unparsed ? [...aliases.keys()] : [];
  const fns = defs.functions.map(([name, text]) => posixDefinition(name, text));
  const text = [...fns, ex.text].join('\n');
  return { judged: text, run: text, unplaced };
}


/** bash's `declare -f` and zsh's `functions` print a whole definition; a bare body gets its frame. */
function posixDefinition(name: string, text: string): string {
  const t = text.trim();
  return /^[^\s(){}]+\s*\(\)/.test(t) || /^function\s/.test(t) ? t : `${name} () {\n${t}\n}`;
}

/**
 * `functions --no-details NAME` output: `function NAME [options]`, the body, `end`. The body is kept
 * line for line; fish's `$argv` reads as an unknown variable, which is what it is.
 */
export function fishAsPosix(name: string, text: string): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  while (lines.length && /^\s*(#.*)?$/.test(lines[0]!)) lines.shift();
  if (lines.length && /^\s*function\s/.test(lines[0]!)) lines.shift();
  if (lines.length && /^\s*end\s*$/.test(lines[lines.length - 1]!)) lines.pop();
  const body = lines.join('\n').trim();
  return `${name} () {\n${body || ':'}\n}`;
}
