// A line that uses the shell's own aliases and functions, as judged and as run in a sandbox.
//
// bash and zsh: aliases are expanded where the shell would expand them, and function definitions
// go in front — both to judge the body and because a sandbox's fresh `bash -c` has neither.
// fish: the definitions (`functions --no-details` output) go in front, still fish code — the analyzer
// reads fish (analyze/fish.ts) — but the sandbox runs the line as typed under `fish -c`, which loads
// the user's functions itself (untranslatable fish is judged at least medium, like any unparseable line).
import type { Definitions, ShellKind } from './protocol.ts';
import { expandAliases } from '../analyze/aliases.ts';

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
  if (shell === 'fish') return { judged: [...defs.functions.map(([, text]) => text.trim()), line].join('\n'), run: line, unplaced: [] };
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
