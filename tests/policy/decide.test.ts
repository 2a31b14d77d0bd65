import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/policy/decide.ts';
import type { PolicyInput, Mode, Decision } from '../../src/policy/types.ts';
import type { Risk } from '../../src/analyze/types.ts';

const base: PolicyInput = {
  risk: 'low',
  stateOnly: false,
  mode: 'auto',
  enabled: true,
  trusted: false,
  interactive: true,
  agent: false,
};
const d = (p: Partial<PolicyInput>): Decision => decide({ ...base, ...p }).decision;

// DESIGN.md §1: the table, interactive person at a prompt.
const table: Record<Mode, Record<Risk, Decision>> = {
  always: { low: 'sandbox', medium: 'sandbox', high: 'prompt', critical: 'block' },
  auto: { low: 'host', medium: 'sandbox', high: 'prompt', critical: 'block' },
  risky: { low: 'host', medium: 'host', high: 'prompt', critical: 'block' },
  never: { low: 'host', medium: 'host', high: 'host', critical: 'block' },
};

for (const [mode, row] of Object.entries(table) as [Mode, Record<Risk, Decision>][]) {
  for (const [risk, want] of Object.entries(row) as [Risk, Decision][]) {
    test(`mode ${mode}, ${risk}, interactive → ${want}`, () => {
      assert.equal(d({ mode, risk }), want);
    });
  }
}

test('without a terminal, high risk is sandboxed instead of asked (always/auto/risky)', () => {
  for (const mode of ['always', 'auto', 'risky'] as Mode[]) assert.equal(d({ mode, risk: 'high', interactive: false }), 'sandbox');
});

test('an agent is never asked, even on a terminal', () => {
  for (const mode of ['always', 'auto', 'risky'] as Mode[]) assert.equal(d({ mode, risk: 'high', agent: true }), 'sandbox');
});

test('critical is blocked in every mode, trusted or not, enabled or not', () => {
  for (const mode of ['always', 'auto', 'risky', 'never'] as Mode[])
    for (const trusted of [true, false])
      for (const enabled of [true, false])
        for (const stateOnly of [true, false]) assert.equal(d({ mode, trusted, enabled, stateOnly, risk: 'critical' }), 'block');
});

test('trust sends high and medium to the host', () => {
  assert.equal(d({ mode: 'always', risk: 'high', trusted: true }), 'host');
  assert.equal(d({ mode: 'auto', risk: 'medium', trusted: true }), 'host');
});

test('shell-state builtins are never sandboxed, even in mode always', () => {
  assert.equal(d({ mode: 'always', risk: 'low', stateOnly: true }), 'host');
  assert.equal(d({ mode: 'always', risk: 'medium', stateOnly: true }), 'host');
});

test('a high-risk shell builtin (code for later, a preload) is asked, refused for an agent, and host only when trusted or off', () => {
  for (const mode of ['always', 'auto', 'risky'] as Mode[]) {
    assert.equal(d({ mode, risk: 'high', stateOnly: true }), 'prompt');
    assert.equal(d({ mode, risk: 'high', stateOnly: true, agent: true }), 'block');
    assert.equal(d({ mode, risk: 'high', stateOnly: true, interactive: false }), 'sandbox');
    assert.equal(d({ mode, risk: 'high', stateOnly: true, trusted: true }), 'host');
  }
  assert.equal(d({ mode: 'never', risk: 'high', stateOnly: true }), 'host');
  assert.equal(d({ mode: 'auto', enabled: false, risk: 'high', stateOnly: true }), 'host');
});

test('enabled: false is validation only (like never) but still blocks critical', () => {
  assert.equal(d({ mode: 'always', enabled: false, risk: 'medium' }), 'host');
  assert.equal(d({ mode: 'always', enabled: false, risk: 'high' }), 'host');
  assert.equal(d({ mode: 'always', enabled: false, risk: 'critical' }), 'block');
});

test('every decision carries a reason sentence', () => {
  for (const mode of ['always', 'auto', 'risky', 'never'] as Mode[])
    for (const risk of ['low', 'medium', 'high', 'critical'] as Risk[]) {
      const r = decide({ ...base, mode, risk });
      assert.ok(r.reason.length > 5, `${mode}/${risk}`);
    }
});

test('a low line that reads shell state (history | grep) runs in the shell; a riskier one does not', () => {
  assert.equal(d({ mode: 'always', risk: 'low', readsShellState: true }), 'host');
  assert.equal(d({ mode: 'always', risk: 'medium', readsShellState: true }), 'sandbox');
});
