// The resident analyzer makes each sandboxed run's cgroups ahead (limits.ts readyLimits), and reads
// the mount table at most once a second (host.ts hostMountPoints). Real cgroups where this machine
// lets us make them (root, cgroup v1 or a delegated v2); the plans themselves are checked as data.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dropSpareCgroups, keepSpareCgroups, probeCgroups, readyLimits, removeCgroups, cgroupCleanup, type LimitPlan } from '../../src/runtimes/limits.ts';
import { hostMountPoints } from '../../src/runtimes/host.ts';

const LIMITS = { memoryBytes: 256 * 1024 * 1024, cpus: 0.5, pids: 128 };
const probe = probeCgroups();
const canMake = probe.version !== 0 && (probe.writable.memory || probe.writable.cpu || probe.writable.pids);
const skip = canMake ? false : 'this machine lets vg make no cgroup here (not root, or no delegated controllers)';
const tick = () => new Promise((r) => setImmediate(r));
const dirsOf = (p: LimitPlan) => cgroupCleanup(p);
const made: LimitPlan[] = [];
after(() => {
  keepSpareCgroups(false);
  for (const p of made) removeCgroups(dirsOf(p), 0);
});

/** The names of the groups under vg's parent now (in the first controller vg may write). */
function groups(): Set<string> {
  const c = (['memory', 'cpu', 'pids'] as const).find((k) => probe.writable[k] && probe[k]);
  return new Set(c ? readdirSync(join(probe[c]!, 'vg'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : []);
}
const idOf = (p: LimitPlan) => (p.kind === 'cgroup' ? p.id : '');
const ready = (now?: number) => {
  const r = readyLimits(LIMITS, probe, now);
  made.push(r.plan);
  return r;
};
/** The spare waiting now: the one group that is no run's. */
function spare(): string {
  const runs = new Set(made.map(idOf));
  const s = [...groups()].filter((g) => !runs.has(g) && !before0.has(g));
  assert.equal(s.length, 1, `one spare waiting: ${s.join(' ')}`);
  return s[0]!;
}
const before0 = canMake ? groups() : new Set<string>();
const dirsNamed = (id: string) => cgroupCleanup({ ...(made[0] as Extract<LimitPlan, { kind: 'cgroup' }>), dirs: Object.fromEntries(Object.entries((made[0] as Extract<LimitPlan, { kind: 'cgroup' }>).dirs).map(([k, d]) => [k, d && join(d, '..', id)])) });

test('readyLimits without spares: each run gets its groups made at once, and nothing more is made', { skip }, async () => {
  keepSpareCgroups(false);
  const a = ready();
  assert.equal(a.made, true);
  assert.equal(a.plan.kind, 'cgroup');
  assert.ok(dirsOf(a.plan).every((d) => existsSync(d)), 'the run\'s groups exist before its argv runs');
  await tick();
  const b = ready();
  assert.notEqual(idOf(b.plan), idOf(a.plan));
  await tick();
  const runs = new Set(made.map(idOf));
  assert.deepEqual([...groups()].filter((g) => !runs.has(g) && !before0.has(g)), [], 'no spare');
});

test('readyLimits with spares: the next run takes groups made after the last answer; a swept or stale spare is not used', { skip }, async () => {
  keepSpareCgroups(true);
  ready();
  await tick();
  const s1 = spare();
  const b = ready();
  assert.equal(idOf(b.plan), s1, 'the run takes the spare');
  assert.equal(b.made, true);
  await tick();
  // Other limits have spares of their own: the one waiting is not taken for them.
  const s2 = spare();
  const other = readyLimits({ ...LIMITS, pids: 64 }, probe);
  made.push(other.plan);
  assert.notEqual(idOf(other.plan), s2);
  assert.ok(other.plan.kind === 'cgroup' && other.plan.limits.pids === 64);
  await tick();
  dropSpareCgroups();
  assert.ok(dirsNamed(s2).every((x) => !existsSync(x)), 'dropped');
  // A spare whose groups were swept meanwhile: fresh groups are made instead.
  ready();
  await tick();
  const s3 = spare();
  removeCgroups(dirsNamed(s3), 0);
  const c = ready();
  assert.notEqual(idOf(c.plan), s3);
  assert.ok(dirsOf(c.plan).every((d) => existsSync(d)));
  await tick();
  // A spare older than 30 s (the sweep removes empty groups a minute old) is removed, not used.
  const s4 = spare();
  const d = ready(Date.now() + 31_000);
  assert.notEqual(idOf(d.plan), s4);
  assert.ok(dirsNamed(s4).every((x) => !existsSync(x)), 'the stale spare is gone');
  await tick();
  // Switching spares off (the analyzer exits) removes the one waiting.
  const s5 = spare();
  keepSpareCgroups(false);
  assert.ok(dirsNamed(s5).every((x) => !existsSync(x)));
});

test('hostMountPoints: a given table is parsed; this machine\'s is read at most once a second', () => {
  const table = '22 1 0:21 / / rw - ext4 /dev/vda rw\n23 22 0:5 / /dev rw - devtmpfs d rw\n24 22 0:6 / /mnt/a\\040b rw - tmpfs t rw\n';
  assert.deepEqual(hostMountPoints(table), ['/', '/dev', '/mnt/a b']);
  // Past any table an earlier call kept: the first read here is a fresh one.
  const t0 = Date.now() + 10_000;
  const first = hostMountPoints(undefined, t0);
  assert.ok(first.includes('/'));
  assert.equal(hostMountPoints(undefined, t0 + 500), first, 'within the second: the same table');
  assert.notEqual(hostMountPoints(undefined, t0 + 1500), first, 'after it: read again');
});
