// When the shell's not-found handler would run (src/intercept/not-found.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath, unknownCommand } from '../../src/intercept/not-found.ts';
import { calleesToAsk } from '../../src/intercept/server.ts';

test('a name that is no builtin and on no PATH directory is unknown; paths and builtins never are', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vg-nf-'));
  try {
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool'), 0o755);
    writeFileSync(join(dir, 'data'), 'not a program');
    const path = `/nonexistent:${dir}`;
    assert.equal(onPath('tool', path), true);
    assert.equal(onPath('data', path), false, 'not executable');
    for (const known of ['tool', 'cd', 'echo', './x', '/no/such']) assert.equal(unknownCommand(known, path), false, known);
    assert.equal(unknownCommand('gti', path), true);
    // In the answer: marked `?`; an unknown first word is kept (its handler may run), a known one dropped.
    assert.equal(calleesToAsk(['tool', 'gti'], 'tool && gti', false, [], path), '?gti');
    assert.equal(calleesToAsk(['gti'], 'gti status', false, [], path), '?gti');
    assert.equal(calleesToAsk(['tool'], 'tool x', false, [], path), '');
    // A program installed a moment later is found after the short negative cache.
    assert.equal(onPath('later', path, 1_000), false);
    writeFileSync(join(dir, 'later'), '#!/bin/sh\n');
    chmodSync(join(dir, 'later'), 0o755);
    assert.equal(onPath('later', path, 1_500), false, 'still the cached answer');
    assert.equal(onPath('later', path, 2_100), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
