// Alias expansion as bash and zsh do it, for judging: an alias lives only in the user's shell, so
// the shell hook sends the definitions of the aliases a line uses and the line is judged — and run
// in a sandbox, where a fresh `bash -c` has no aliases — as what the shell would execute.
//
// The rules (bash manual, "Aliases"; zsh behaves the same for regular aliases): the first word of
// each simple command is replaced when it is unquoted and names an alias; a word equal to an alias
// being expanded is not expanded again inside that expansion; an alias whose text ends in a blank
// makes the next word a candidate too. Expansion is textual, so the result is parsed again and its
// first words looked at in turn, up to a bound.
import { parseLine } from './parse.ts';

export interface AliasExpansion {
  /** The line with every alias in command position replaced by its text. */
  text: string;
  /** Names that were expanded (at least once). */
  expanded: string[];
  /** The line could not be parsed: nothing was expanded (the analyzer judges an unparseable line ≥ medium). */
  unparsed?: boolean;
}

const MAX_ROUNDS = 16;
/** A word bash would look up as an alias: no quoting, no expansion, nothing but name characters. */
const ALIASABLE = /^[^\s'"\\$`=;&|<>()]+$/;

interface JsonNode {
  type?: string;
  pos?: number;
  end?: number;
  text?: string;
  value?: string;
  name?: JsonNode;
  suffix?: JsonNode[];
  [k: string]: unknown;
}

/** A stretch of the text produced by expanding the aliases in `from` (none: typed by the user). */
interface Region {
  start: number;
  end: number;
  from: ReadonlySet<string>;
}

interface Candidate {
  pos: number;
  end: number;
  name: string;
}

export function expandAliases(line: string, aliases: ReadonlyMap<string, string>): AliasExpansion {
  let text = line;
  const expanded = new Set<string>();
  if (aliases.size === 0) return { text, expanded: [] };
  let regions: Region[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const parsed = parseLine(text);
    if (!parsed.script || parsed.error !== undefined) {
      return round === 0 ? { text, expanded: [], unparsed: true } : { text, expanded: [...expanded] };
    }
    const found: Candidate[] = [];
    // The first word of an expansion is looked up again wherever it stands (`sudo ll` after
    // `alias sudo='sudo '` and `alias ll='ls -la'`: `ls` is a candidate though no command's name).
    const starts = new Set(regions.map((r) => r.start + (/^\s*/.exec(text.slice(r.start, r.end))?.[0].length ?? 0)));
    collect(JSON.parse(JSON.stringify(parsed.script)) as JsonNode, aliases, found, starts);
    const todo = dedupe(found).filter((c) => !originOf(regions, c.pos).has(c.name));
    if (todo.length === 0) break;
    // Right to left, so earlier positions stay valid; regions move with the text.
    todo.sort((a, b) => b.pos - a.pos);
    for (const c of todo) {
      const value = aliases.get(c.name)!;
      const from = new Set(originOf(regions, c.pos));
      from.add(c.name);
      const delta = value.length - (c.end - c.pos);
      text = text.slice(0, c.pos) + value + text.slice(c.end);
      regions = regions
        .filter((r) => r.end <= c.pos || r.start >= c.end || r.start < c.pos || r.end > c.end)
        .map((r) => (r.start >= c.end ? { ...r, start: r.start + delta, end: r.end + delta } : r.end > c.pos ? { ...r, end: r.end + delta } : r));
      regions.push({ start: c.pos, end: c.pos + value.length, from });
      expanded.add(c.name);
    }
  }
  return { text, expanded: [...expanded] };
}

function dedupe(cs: Candidate[]): Candidate[] {
  const seen = new Set<number>();
  return cs.filter((c) => !seen.has(c.pos) && (seen.add(c.pos), true));
}

/** The aliases the text at `pos` came from (the innermost region holding it). */
function originOf(regions: readonly Region[], pos: number): ReadonlySet<string> {
  let best: Region | undefined;
  for (const r of regions) if (pos >= r.start && pos < r.end && (!best || r.end - r.start <= best.end - best.start)) best = r;
  return best?.from ?? EMPTY;
}
const EMPTY: ReadonlySet<string> = new Set();

function collect(node: unknown, aliases: ReadonlyMap<string, string>, out: Candidate[], starts: ReadonlySet<number>): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, aliases, out, starts);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as JsonNode;
  if (n.type === 'Word' && starts.has(n.pos!) && isAlias(n, aliases)) out.push({ pos: n.pos!, end: n.end!, name: n.text! });
  if (n.type === 'Command' && n.name) {
    let w: JsonNode | undefined = n.name;
    let i = 0;
    // An alias ending in a blank makes the next word a candidate too (`alias sudo='sudo '`).
    while (w && isAlias(w, aliases)) {
      out.push({ pos: w.pos!, end: w.end!, name: w.text! });
      if (!/[ \t]$/.test(aliases.get(w.text!)!)) break;
      w = n.suffix?.[i++];
      if (w?.type !== 'Word') break;
    }
  }
  for (const k in n) {
    if (k === 'name' && n.type === 'Command') continue;
    const v = n[k];
    if (v && typeof v === 'object') collect(v, aliases, out, starts);
  }
}

function isAlias(w: JsonNode, aliases: ReadonlyMap<string, string>): boolean {
  return (
    w.type === 'Word' &&
    typeof w.text === 'string' &&
    w.text === w.value &&
    ALIASABLE.test(w.text) &&
    aliases.has(w.text) &&
    typeof w.pos === 'number' &&
    typeof w.end === 'number'
  );
}
