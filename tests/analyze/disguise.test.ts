// Generic bypass tests for every rule: each `examples.match` line, disguised the ways people (and
// attackers) wrap commands, must still fire the same rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, RULES } from '../../src/analyze/index.ts';
import { CTX } from './helpers.ts';

const simpleHead = /^[A-Za-z_][\w.-]*(?=\s|$)/;
const KEYWORDS = /^(if|for|while|until|case|function|cd|export|source|\.|eval|exec|time|coproc|select|\{|\(|\[\[|!|alias|trap|builtin|command)\b/;

const DISGUISES: [string, (l: string) => string | undefined][] = [
  ["bash -c '…'", (l) => (l.includes("'") ? undefined : `bash -c '${l}'`)],
  ['sh -c "…" (escaped)', (l) => `sh -c "${l.replace(/(["\\$`])/g, '\\$1')}"`],
  ["eval '…'", (l) => (l.includes("'") ? undefined : `eval '${l}'`)],
  ['$( … )', (l) => `x=$( ${l} )`],
  ['( … )', (l) => `( ${l} )`],
  ['{ …; }', (l) => `{ ${l}; }`],
  ['true && …', (l) => `true && ${l}`],
  ['if …', (l) => `if true; then ${l}; fi`],
  ['f(){ …; }; f', (l) => `g() { ${l}; }; g`],
  ['"quoted" name', (l) => (simpleHead.test(l) && !KEYWORDS.test(l) ? l.replace(simpleHead, (m) => `"${m}"`) : undefined)],
  ['\\name', (l) => (simpleHead.test(l) && !KEYWORDS.test(l) ? '\\' + l : undefined)],
  ["na''me", (l) => { const m = simpleHead.exec(l); return m && !KEYWORDS.test(l) && m[0].length > 1 ? `${m[0][0]}''${l.slice(1)}` : undefined; }],
  ['env …', (l) => (simpleHead.test(l) && !KEYWORDS.test(l) ? `env ${l}` : undefined)],
  ['nohup timeout 5 …', (l) => (simpleHead.test(l) && !KEYWORDS.test(l) ? `nohup timeout 5 ${l}` : undefined)],
  ['/usr/bin/name', (l) => { const m = simpleHead.exec(l); return m && !KEYWORDS.test(l) && !['sudo', 'env'].includes(m[0]) ? `/usr/bin/${l}` : undefined; }],
  ['trailing comment', (l) => (l.includes('\n') ? undefined : `${l} # harmless`)],
];

// Rules whose examples are about the shape of the whole line (parse state, nesting depth).
const LINE_SHAPE = new Set(['parse.unparseable', 'parse.too-complex', 'remote-code.too-deep']);

for (const r of RULES) {
  if (LINE_SHAPE.has(r.id)) continue;
  for (const ex of r.examples.match) {
    for (const [name, f] of DISGUISES) {
      const line = f(ex);
      if (line === undefined) continue;
      test(`${r.id} survives ${name}: ${line.slice(0, 90)}`, () => {
        const a = analyze(line, CTX);
        assert.ok(a.reasons.some((x) => x.rule === r.id), `fired: ${a.reasons.map((x) => x.rule).join(', ') || 'nothing'}`);
      });
    }
  }
}
