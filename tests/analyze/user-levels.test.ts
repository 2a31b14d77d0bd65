import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/analyze/index.ts';

const ctx = { cwd: '/home/dev/project', home: '/home/dev', workspace: '/home/dev/project' };

test('rules.levels lowers or raises a non-critical rule; a critical rule is never lowered', () => {
  assert.equal(analyze('npm install', ctx).risk, 'medium');
  assert.equal(analyze('npm install', { ...ctx, rules: { levels: { 'packages.install': 'low' } } }).risk, 'low');
  assert.equal(analyze('npm install', { ...ctx, rules: { levels: { 'packages.install': 'high' } } }).risk, 'high');
  assert.equal(analyze('rm -rf /', { ...ctx, rules: { levels: { 'filesystem.rm-system': 'low' } } }).risk, 'critical');
});

test('rules.raise (project floors) wins over a lower user level but never lowers', () => {
  const lowered = { levels: { 'packages.install': 'low' as const }, raise: { 'packages.install': 'high' as const } };
  assert.equal(analyze('npm install', { ...ctx, rules: lowered }).risk, 'high');
  const floorBelow = { raise: { 'packages.install': 'low' as const } };
  assert.equal(analyze('npm install', { ...ctx, rules: floorBelow }).risk, 'medium');
});

test('a user rule fires on its command and pattern only', () => {
  const rules = { add: [{ id: 'corp.prod', risk: 'high' as const, message: 'touches prod', commands: ['psql'], pattern: 'prod-db' }] };
  const hit = analyze('psql -h prod-db.internal -c "select 1"', { ...ctx, rules });
  assert.equal(hit.risk, 'high');
  assert.ok(hit.reasons.some((r) => r.rule === 'corp.prod'));
  assert.equal(analyze('psql -h staging-db -c "select 1"', { ...ctx, rules }).risk, 'low');
  assert.equal(analyze('echo prod-db', { ...ctx, rules }).risk, 'low');
});
