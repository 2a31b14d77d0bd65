// Rules from the user's config (`rules.add`, `rules.levels`), compiled once per config object:
// analyze() runs for every line, so a regex must not be rebuilt each time.
import type { Risk } from './types.ts';
import { riskRank } from './types.ts';
import type { Rule, RuleConfig, UserRuleSpec } from './rules/types.ts';

export interface CompiledRules {
  rules: readonly Rule[];
  /** Rule id → effective risk after user levels (critical never lowered). */
  level: (rule: Rule) => Risk;
}

const cache = new WeakMap<RuleConfig, CompiledRules>();

function compileSpec(s: UserRuleSpec): Rule | undefined {
  let re: RegExp | undefined;
  if (s.pattern !== undefined) {
    try {
      re = new RegExp(s.pattern);
    } catch {
      return undefined; // an invalid pattern in config is reported by `vg config`, not here
    }
  }
  const names = s.commands && s.commands.length > 0 ? s.commands : undefined;
  if (!re && !names) return undefined;
  return {
    id: s.id.includes('.') ? s.id : `user.${s.id}`,
    group: 'user',
    risk: s.risk,
    message: s.message,
    why: s.why ?? 'matches a rule from your configuration',
    ...(names ? { commands: names } : {}),
    match: (i) => {
      if (!re) return true;
      // Bound the text a user regex sees so a pathological pattern cannot stall the prompt.
      const text = i.fact.argv.join(' ').slice(0, 4096);
      return re.test(text) ? text : false;
    },
    examples: { match: [], noMatch: [] },
  };
}

export function compile(builtin: readonly Rule[], cfg: RuleConfig | undefined): CompiledRules {
  if (!cfg) return { rules: builtin, level: (r) => r.risk };
  const hit = cache.get(cfg);
  if (hit) return hit;
  const added = (cfg.add ?? []).map(compileSpec).filter((r): r is Rule => r !== undefined);
  const levels = new Map(Object.entries(cfg.levels ?? {}));
  const floors = new Map(Object.entries(cfg.raise ?? {}));
  const valid = (x: string | undefined): x is Risk => x !== undefined && ['low', 'medium', 'high', 'critical'].includes(x);
  const compiled: CompiledRules = {
    rules: [...builtin, ...added],
    level: (r) => {
      const want = levels.get(r.id);
      let out: Risk = valid(want) ? want : r.risk;
      // Critical rules are the product's promise: they can never be lowered.
      if (r.risk === 'critical') out = 'critical';
      const floor = floors.get(r.id);
      if (valid(floor) && riskRank(floor) > riskRank(out)) out = floor;
      return out;
    },
  };
  cache.set(cfg, compiled);
  return compiled;
}
