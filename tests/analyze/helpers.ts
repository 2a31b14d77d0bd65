// Shared test setup. Every test judges lines as if typed in /home/dev/project by a user whose
// home is /home/dev: the labelled fixtures assume that layout (e.g. `rm -rf ..` reaches home).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { AnalyzeContext } from '../../src/analyze/index.ts';

export const CTX: AnalyzeContext = { cwd: '/home/dev/project', home: '/home/dev', env: { USER: 'dev' } };

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures');

/** Records of a corpus file: separated by `=== category` header lines, may span lines. */
export function records(name: string): { category: string; text: string }[] {
  const out: { category: string; text: string }[] = [];
  let cur: { category: string; lines: string[] } | null = null;
  for (const l of readFileSync(join(fixtures, name), 'utf8').split('\n')) {
    if (l.startsWith('=== ')) {
      if (cur) out.push({ category: cur.category, text: cur.lines.join('\n').replace(/\n+$/, '') });
      cur = { category: l.slice(4).trim(), lines: [] };
    } else if (cur) cur.lines.push(l);
  }
  if (cur) out.push({ category: cur.category, text: cur.lines.join('\n').replace(/\n+$/, '') });
  return out;
}

export function jsonl(name: string): Record<string, string>[] {
  return readFileSync(join(fixtures, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, string>);
}
