import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration, parseSince } from '../../src/store/duration.ts';
import { VgError } from '../../src/cli/errors.ts';

test('parses every unit and combinations', () => {
  assert.equal(parseDuration('45s'), 45_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('12h'), 43_200_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('2w'), 1_209_600_000);
  assert.equal(parseDuration('1d12h'), 129_600_000);
  assert.equal(parseDuration(' 1.5h '), 5_400_000);
  assert.equal(parseDuration('7D'), 604_800_000);
});

test('rejects anything else with a one-line usage error naming the flag', () => {
  for (const bad of ['', '7', 'd', '7x', '7 days', '-1d', '0s', '1d garbage', 'h1']) {
    assert.throws(
      () => parseDuration(bad, '--expires'),
      (e: unknown) => e instanceof VgError && e.status === 2 && e.message.startsWith('--expires:') && e.message.includes(' — ') && !e.message.includes('\n'),
      bad,
    );
  }
});

test('since: a duration ago, or an ISO date', () => {
  const now = Date.parse('2026-01-10T00:00:00Z');
  assert.equal(parseSince('1h', now).toISOString(), '2026-01-09T23:00:00.000Z');
  assert.equal(parseSince('2026-01-01', now).toISOString(), '2026-01-01T00:00:00.000Z');
});

test('formats compactly', () => {
  assert.equal(formatDuration(950), '950ms');
  assert.equal(formatDuration(1_234), '1.2s');
  assert.equal(formatDuration(184_000), '3m 4s');
  assert.equal(formatDuration(7_200_000), '2h');
  assert.equal(formatDuration(6 * 86_400_000 + 23 * 3_600_000), '6d 23h');
});
