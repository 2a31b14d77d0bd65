// Fallback tokenizer for lines the parser rejects (or that are too long to parse): a forgiving,
// linear scan that still finds the commands, so `rm -rf / &&` is judged as `rm -rf /`.
import { unescapeC } from './static-eval.ts';

export interface TokStage {
  words: string[];
  redirects: { op: string; target: string }[];
}
export type TokPipeline = TokStage[];

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'for', 'in', 'case', 'esac', 'function', '!', 'time', 'select', 'coproc', '{', '}', '[[', ']]']);
const MAX_TOKENS = 8_000;

export function tokenize(text: string, depth = 0): TokPipeline[] {
  const out: TokPipeline[] = [];
  let pipeline: TokPipeline = [];
  let stage: TokStage = { words: [], redirects: [] };
  let cur = '';
  let inWord = false;
  let pendingRedirect: string | undefined;
  let count = 0;
  const endWord = (): void => {
    if (!inWord) return;
    if (pendingRedirect !== undefined) stage.redirects.push({ op: pendingRedirect, target: cur });
    else if (!(stage.words.length === 0 && KEYWORDS.has(cur))) stage.words.push(cur);
    pendingRedirect = undefined;
    cur = '';
    inWord = false;
    count++;
  };
  const endStage = (): void => {
    endWord();
    if (stage.words.length > 0 || stage.redirects.length > 0) pipeline.push(stage);
    stage = { words: [], redirects: [] };
  };
  const endPipeline = (): void => {
    endStage();
    if (pipeline.length > 0) out.push(pipeline);
    pipeline = [];
  };
  const n = text.length;
  for (let i = 0; i < n && count < MAX_TOKENS; i++) {
    const c = text[i]!;
    if (c === '\\') {
      if (text[i + 1] === '\n') {
        i++;
        continue;
      }
      cur += text[i + 1] ?? '';
      inWord = true;
      i++;
      continue;
    }
    if (c === "'") {
      const j = text.indexOf("'", i + 1);
      cur += j < 0 ? text.slice(i + 1) : text.slice(i + 1, j);
      inWord = true;
      i = j < 0 ? n : j;
      continue;
    }
    if (c === '$' && text[i + 1] === "'") {
      const j = text.indexOf("'", i + 2);
      cur += unescapeC(j < 0 ? text.slice(i + 2) : text.slice(i + 2, j));
      inWord = true;
      i = j < 0 ? n : j;
      continue;
    }
    if (c === '"') {
      // Keep `$(`/backticks inside double quotes visible as their own commands.
      let j = i + 1;
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\') j++;
        j++;
      }
      const inner = text.slice(i + 1, Math.min(j, n));
      if (depth < 3 && /\$\(|`/.test(inner)) for (const p of tokenize(inner.replace(/^[^`$]*?(\$\(|`)/, ''), depth + 1)) out.push(p);
      cur += inner.replace(/\\(["\\$`])/g, '$1');
      inWord = true;
      i = j;
      continue;
    }
    if (c === '#' && !inWord) {
      const j = text.indexOf('\n', i);
      i = j < 0 ? n : j - 1;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      continue;
    }
    if (c === '\n' || c === ';' || c === '(' || c === ')' || c === '`' || c === '{' && !inWord || c === '}' && !inWord) {
      endPipeline();
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      endPipeline();
      i++;
      continue;
    }
    if (c === '&') {
      if (text[i + 1] === '>') {
        endWord();
        pendingRedirect = text[i + 2] === '>' ? '&>>' : '&>';
        i += pendingRedirect.length - 1;
        continue;
      }
      endPipeline();
      if (text[i + 1] === '&') i++;
      continue;
    }
    if (c === '|') {
      if (text[i + 1] === '|') {
        endPipeline();
        i++;
        continue;
      }
      endStage();
      if (text[i + 1] === '&') i++;
      continue;
    }
    if (c === '>' || c === '<') {
      const fdOnly = /^\d+$/.test(cur);
      if (!fdOnly) endWord();
      else {
        cur = '';
        inWord = false;
      }
      let op = c;
      while (i + 1 < n && (text[i + 1] === '>' || text[i + 1] === '<' || text[i + 1] === '&' || text[i + 1] === '|') && op.length < 3) op += text[++i];
      if (op.endsWith('&') && /\d|-/.test(text[i + 1] ?? '')) {
        i++;
        while (i + 1 < n && /\d/.test(text[i + 1]!)) i++;
        continue;
      }
      if (text[i + 1] === '(') {
        endPipeline();
        i++;
        continue;
      }
      pendingRedirect = op;
      continue;
    }
    cur += c;
    inWord = true;
  }
  endPipeline();
  return out;
}
