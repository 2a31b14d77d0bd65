import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, RULES, ruleById } from '../../src/analyze/index.ts';
import { CTX } from './helpers.ts';

test('rule ids are unique, grouped and documented', () => {
  const ids = new Set<string>();
  for (const r of RULES) {
    assert.ok(!ids.has(r.id), `duplicate ${r.id}`);
    ids.add(r.id);
    assert.ok(r.id.startsWith(r.group + '.') || (r.group === 'remote-code' && r.id.startsWith('remote-code.')), r.id);
    assert.ok(r.message.length > 0 && r.why.length > 0, r.id);
    assert.ok(r.examples.match.length > 0, `${r.id} has no match example`);
    assert.equal(ruleById(r.id), r);
  }
});

for (const r of RULES) {
  for (const ex of r.examples.match) {
    test(`${r.id} matches: ${ex.slice(0, 100)}`, () => {
      const a = analyze(ex, CTX);
      assert.ok(a.reasons.some((x) => x.rule === r.id), `fired: ${a.reasons.map((x) => x.rule).join(', ') || 'nothing'}`);
    });
  }
  for (const ex of r.examples.noMatch) {
    test(`${r.id} does not match: ${ex.slice(0, 100)}`, () => {
      const a = analyze(ex, CTX);
      assert.ok(!a.reasons.some((x) => x.rule === r.id), `fired on ${ex}`);
    });
  }
}
