// Line-level rules: what the analyzer could not fully see.
import type { Rule } from './types.ts';

export const parseRules: Rule[] = [
  {
    id: 'parse.unparseable',
    group: 'parse',
    risk: 'medium',
    line: true,
    message: 'the line is not valid shell syntax',
    why: 'bash would reject it, so what it does is judged from a rough tokenization only',
    match: (i) => i.parse === 'error',
    examples: { match: ['echo "unterminated', 'fi', '| grep foo'], noMatch: ['echo ok'] },
  },
  {
    id: 'parse.too-complex',
    group: 'parse',
    risk: 'medium',
    line: true,
    message: 'the line is too long or too complex to analyze fully',
    why: 'parts of it were not inspected',
    match: (i) => i.truncated === true,
    examples: { match: ['echo ' + 'a '.repeat(40_000)], noMatch: ['echo ok'] },
  },
];
