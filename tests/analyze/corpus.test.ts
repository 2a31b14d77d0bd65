import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/analyze/index.ts';
import { riskRank } from '../../src/analyze/types.ts';
import { CTX, jsonl, records } from './helpers.ts';

const corpus = records('parse-corpus.txt');
const invalid = records('parse-invalid.txt');

test('corpus sizes', () => {
  assert.equal(corpus.length, 232);
  assert.equal(invalid.length, 12);
});

for (const [i, r] of corpus.entries()) {
  test(`parse-corpus #${i + 1} [${r.category}] parses: ${JSON.stringify(r.text).slice(0, 80)}`, () => {
    const a = analyze(r.text, CTX);
    assert.equal(a.parse, 'ok', a.parseError);
  });
}

for (const [i, r] of invalid.entries()) {
  test(`parse-invalid #${i + 1} is an error, still judged ≥ medium: ${JSON.stringify(r.text)}`, () => {
    const a = analyze(r.text, CTX);
    assert.equal(a.parse, 'error');
    assert.ok(a.parseError && a.parseError.length > 0);
    assert.ok(riskRank(a.risk) >= riskRank('medium'), a.risk);
    assert.equal(a.stateOnly, false);
  });
}

for (const [i, row] of jsonl('risk-public.jsonl').entries()) {
  const bound = row.min !== undefined ? `min ${row.min}` : `max ${row.max}`;
  test(`risk-public line ${i + 1} (${bound}): ${row.cmd}`, () => {
    const a = analyze(row.cmd!, CTX);
    const why = `got ${a.risk}: ${a.reasons.map((r) => `${r.rule}=${r.risk}`).join(', ')}`;
    if (row.min !== undefined) assert.ok(riskRank(a.risk) >= riskRank(row.min as never), why);
    if (row.max !== undefined) assert.ok(riskRank(a.risk) <= riskRank(row.max as never), why);
  });
}
