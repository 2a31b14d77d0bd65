// Where an analyzer's private directory goes, and the directories of analyzers that died without
// cleaning up are removed by the next one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateBase, sweepDead } from '../../src/intercept/server.ts';

test('sweepDead: a dead analyzer\'s directory goes, a live one (or one without a PID) stays', () => {
  const base = mkdtempSync(join(tmpdir(), 'vg-sweep-'));
  try {
    const prefix = 'vg-serve-1000-';
    const dead = spawnSync('true').pid!; // exited: its PID names no process now
    const dirs = { dead: `${prefix}${dead}-aB3xYz`, live: `${prefix}${process.pid}-q1w2e3`, init: `${prefix}1-zzzzzz`, old: `${prefix}0Jxfk4`, other: `vg-serve-2000-${dead}-abcdef` };
    for (const d of Object.values(dirs)) {
      mkdirSync(join(base, d));
      writeFileSync(join(base, d, 'reply'), 'R\x1f1\x1fsandbox');
    }
    sweepDead(base, prefix);
    assert.equal(existsSync(join(base, dirs.dead)), false, 'dead: removed with its last answer');
    assert.equal(existsSync(join(base, dirs.live)), true, 'this process');
    assert.equal(existsSync(join(base, dirs.init)), true, 'PID 1 is alive');
    assert.equal(existsSync(join(base, dirs.old)), true, 'no PID in the name: left alone');
    assert.equal(existsSync(join(base, dirs.other)), true, 'another prefix (another user): left alone');
    sweepDead(join(base, 'missing'), prefix); // no such base: nothing to do, no throw
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('privateBase: the runtime directory, else a writable /dev/shm, else the temp directory', () => {
  const base = mkdtempSync(join(tmpdir(), 'vg-base-'));
  try {
    const shm = join(base, 'shm');
    mkdirSync(shm);
    assert.equal(privateBase({ XDG_RUNTIME_DIR: '/run/user/1000' }, shm), '/run/user/1000');
    assert.equal(privateBase({ XDG_RUNTIME_DIR: 'relative/dir' }, shm), shm, 'a relative runtime dir is ignored');
    assert.equal(privateBase({}, shm), shm);
    assert.equal(privateBase({}, join(base, 'missing')), tmpdir());
    writeFileSync(join(base, 'file'), '');
    assert.equal(privateBase({}, join(base, 'file')), tmpdir(), 'not a directory');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
