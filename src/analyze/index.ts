// Interim entry point (replaced by the real analyzer): parses nothing, judges everything low.
import type { Analysis, AnalyzeContext } from './types.ts';
export type { Analysis, AnalyzeContext, CommandFact, Reason, Risk } from './types.ts';
export function analyze(line: string, _ctx: AnalyzeContext): Analysis {
  return { line, risk: 'low', reasons: [], parse: 'ok', commands: [], stateOnly: false };
}
