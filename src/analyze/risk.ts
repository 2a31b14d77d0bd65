// Runs the rules over the facts and folds the reasons into one risk.
import type { CommandFact, Reason, Risk } from './types.ts';
import { riskRank } from './types.ts';
import type { MatchInput, Rule } from './rules/types.ts';
import type { CompiledRules } from './user-rules.ts';
import { resetCaches } from './rules/helpers.ts';

export interface LineInfo {
  cwd: string;
  home: string;
  workspace: string;
  parse: 'ok' | 'error';
  truncated: boolean;
  tooDeep: boolean;
  shell?: 'bash' | 'zsh' | 'fish';
  /** vg's own configuration and state directories. */
  vgDirs?: readonly string[];
}

const EMPTY: CommandFact = {
  argv: [], name: '', wrappers: [], paths: [], redirects: [], origin: 'top', depth: 0, cwd: '', pipedFrom: [], stdinFromNetwork: false, stdinFromDecoder: false, dynamic: false,
};

/** Index rules by command name once per rule list. */
const indexCache = new WeakMap<readonly Rule[], { byName: Map<string, Rule[]>; any: Rule[]; line: Rule[] }>();
function index(rules: readonly Rule[]): { byName: Map<string, Rule[]>; any: Rule[]; line: Rule[] } {
  let ix = indexCache.get(rules);
  if (ix) return ix;
  ix = { byName: new Map(), any: [], line: [] };
  for (const r of rules) {
    if (r.line) ix.line.push(r);
    else if (r.commands) for (const n of r.commands) (ix.byName.get(n) ?? ix.byName.set(n, []).get(n)!).push(r);
    else ix.any.push(r);
  }
  indexCache.set(rules, ix);
  return ix;
}

function safeMatch(r: Rule, input: MatchInput): string | boolean {
  try {
    return r.match(input);
  } catch {
    // A rule bug must not take the prompt down; the line is still judged by the other rules.
    return false;
  }
}

export function judge(facts: readonly CommandFact[], compiled: CompiledRules, info: LineInfo): { risk: Risk; reasons: Reason[] } {
  const ix = index(compiled.rules);
  resetCaches();
  const reasons: Reason[] = [];
  let seen: Set<string> | undefined;
  const input: MatchInput = {
    fact: facts[0] ?? EMPTY,
    all: facts,
    cwd: info.cwd,
    home: info.home,
    workspace: info.workspace,
    parse: info.parse,
    truncated: info.truncated,
    tooDeep: info.tooDeep,
    ...(info.shell ? { shell: info.shell } : {}),
    vgDirs: info.vgDirs ?? [],
  };
  const add = (r: Rule, m: string | boolean, fact: CommandFact): void => {
    const cmd = fact.argv.join(' ');
    const key = `${r.id}\0${typeof m === 'string' ? m : cmd}`;
    seen ??= new Set();
    if (seen.has(key)) return;
    seen.add(key);
    const reason: Reason = { rule: r.id, risk: compiled.level(r), message: r.message, why: r.why };
    if (cmd !== '' || typeof m === 'string') reason.command = typeof m === 'string' && m !== cmd && cmd !== '' ? `${cmd}  (${m})` : cmd || String(m);
    reasons.push(reason);
  };
  for (let k = 0; k < facts.length; k++) {
    const f = facts[k]!;
    input.fact = f;
    const any = ix.any;
    for (let j = 0; j < any.length; j++) {
      const m = safeMatch(any[j]!, input);
      if (m !== false) add(any[j]!, m, f);
    }
    const named = ix.byName.get(f.name);
    if (named) {
      for (let j = 0; j < named.length; j++) {
        const m = safeMatch(named[j]!, input);
        if (m !== false) add(named[j]!, m, f);
      }
    }
  }
  const first = facts[0] ?? EMPTY;
  input.fact = first;
  for (const r of ix.line) {
    const m = safeMatch(r, input);
    if (m !== false) add(r, m, first);
  }
  resetCaches();
  if (reasons.length > 1) reasons.sort((a, b) => riskRank(b.risk) - riskRank(a.risk));
  let risk: Risk = 'low';
  for (const r of reasons) if (riskRank(r.risk) > riskRank(risk)) risk = r.risk;
  return { risk, reasons };
}
