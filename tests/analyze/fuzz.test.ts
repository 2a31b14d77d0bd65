// Seeded fuzz: random bytes, metacharacter soup, mutated and spliced corpus lines, deep nesting and
// huge lines. The analyzer must never throw, always return a well-formed Analysis, and stay fast
// per line (it runs on every Enter key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../src/analyze/index.ts';
import { RISKS, type Analysis } from '../../src/analyze/types.ts';
import { CTX, records } from './helpers.ts';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = mulberry32(0x5eed_0001);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const META = '$(){}[]<>|&;\'"`\\ \n\t*?~!#=-:%@^+,./0123456789';
const WORDS = ['rm', '-rf', '/', '~', 'sudo', 'bash', '-c', 'eval', 'curl', '|', 'sh', '$(', ')', '`', '<<EOF', 'EOF', '<(', '${x:-', '}', '&&', '||', ';', '&', 'f(){', 'f|f&', '};', 'cd', 'xargs', 'find', '-exec', '{}', '\\;', 'python3', '-c', "'", '"', 'dd', 'of=/dev/sda', '>', '>>', '2>&1', 'case', 'in', 'esac', 'if', 'then', 'fi', 'for', 'do', 'done', '((', '))', '[[', ']]'];

const corpus = records('parse-corpus.txt').map((r) => r.text);

function randomBytes(): string {
  const n = int(200);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(int(256));
  return s;
}
function soup(): string {
  const n = int(120);
  let s = '';
  for (let i = 0; i < n; i++) s += rnd() < 0.6 ? META[int(META.length)] : String.fromCharCode(97 + int(26));
  return s;
}
function wordSoup(): string {
  const n = 1 + int(30);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(pick(WORDS));
  return out.join(rnd() < 0.8 ? ' ' : '');
}
function mutate(s: string): string {
  let t = s;
  const k = 1 + int(6);
  for (let i = 0; i < k; i++) {
    const p = int(t.length + 1);
    switch (int(4)) {
      case 0:
        t = t.slice(0, p) + META[int(META.length)] + t.slice(p);
        break;
      case 1:
        t = t.slice(0, p) + t.slice(p + 1 + int(3));
        break;
      case 2:
        t = t.slice(0, p) + t.slice(p, p + 1 + int(8)).repeat(1 + int(4)) + t.slice(p);
        break;
      default:
        t = t.slice(0, p) + pick(WORDS) + t.slice(p);
    }
  }
  return t;
}
function splice(): string {
  const a = pick(corpus);
  const b = pick(corpus);
  return a.slice(0, int(a.length + 1)) + b.slice(int(b.length + 1));
}
function wrap(): string {
  let s = pick(corpus);
  const n = 1 + int(300);
  const style = int(4);
  for (let i = 0; i < n; i++) {
    if (style === 0) s = `$( ${s} )`;
    else if (style === 1) s = `bash -c ${JSON.stringify(s)}`.slice(0, 16_000);
    else if (style === 2) s = `eval "${s.replace(/"/g, '\\"')}"`.slice(0, 16_000);
    else s = `{ ${s}; }`;
  }
  return s;
}

const SPECIAL: string[] = [
  '$('.repeat(5000),
  '$('.repeat(5000) + 'rm -rf /' + ')'.repeat(5000),
  '`'.repeat(5001),
  '('.repeat(10_000),
  '{ '.repeat(10_000),
  '${'.repeat(10_000),
  '$(('.repeat(5000),
  '"'.repeat(100_001),
  "'".repeat(100_001),
  'echo ' + 'a'.repeat(100_000),
  'a'.repeat(100_000),
  'rm -rf / ' + '# '.repeat(50_000),
  ('echo x; ').repeat(12_000),
  ('a | ').repeat(20_000) + 'a',
  ('<<EOF ').repeat(3000),
  'cat <<EOF\n' + 'x\n'.repeat(30_000) + 'EOF',
  'eval '.repeat(5000) + 'ls',
  'bash -c '.repeat(3000) + 'ls',
  'f(){ f|f& }; '.repeat(2000) + 'f',
  'echo "' + '$(echo "'.repeat(2000),
  '\\'.repeat(100_001),
  'x=' + '$x'.repeat(30_000),
  'echo ' + '{a,b}'.repeat(200),
  'for i in ' + 'a '.repeat(30_000) + '; do rm -rf $i; done',
  'find / ' + '-exec rm {} ; '.repeat(3000),
  "python3 -c '" + 'os.system("x");'.repeat(5000) + "'",
  'echo ' + 'YWJj'.repeat(20_000) + ' | base64 -d | sh',
  'printf "%s%s%s%s" ' + '%s '.repeat(5000) + '| sh',
  'xargs rm <<< "' + '/ '.repeat(20_000) + '"',
  '\u0000\u0001\u0002\uffff\ud800',
];

function checkShape(a: Analysis, line: string): void {
  assert.equal(a.line, line);
  assert.ok(RISKS.includes(a.risk));
  assert.ok(a.parse === 'ok' || a.parse === 'error');
  assert.ok(Array.isArray(a.reasons) && Array.isArray(a.commands));
  assert.equal(typeof a.stateOnly, 'boolean');
  for (const r of a.reasons) assert.ok(typeof r.rule === 'string' && RISKS.includes(r.risk));
  for (const c of a.commands) assert.ok(Array.isArray(c.argv) && typeof c.name === 'string');
}

/**
 * CPU milliseconds this process spent: the test machines are shared (load average above 10 on 2
 * cores was seen), so wall-clock per line measures the neighbours, not the analyzer.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Best of three: a GC pause, a JIT deopt or a busy neighbour is not a hang; a real hang repeats. */
function timed(line: string): number {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const s = cpuMs();
    analyze(line, CTX);
    best = Math.min(best, cpuMs() - s);
  }
  return best;
}

/** Per-line bound (lines up to 4 KiB; longer ones get the huge-line bound); generous so a loaded CI machine does not flake, tight enough to catch a hang. */
const PER_LINE_MS = 50;
const HUGE_LINE_MS = 500;

test('fuzz: ≥ 20,000 inputs, no throw, valid shape, bounded time per line', () => {
  const gens: [string, () => string, number][] = [
    ['bytes', randomBytes, 4000],
    ['soup', soup, 4000],
    ['words', wordSoup, 4000],
    ['mutate', () => mutate(pick(corpus)), 6000],
    ['splice', splice, 1500],
    ['wrap', wrap, 500],
  ];
  // Warm the JIT first: the bound is about the resident analyzer, not the first call after start.
  for (let k = 0; k < 3; k++) for (const l of corpus) analyze(l, CTX);
  let total = 0;
  let worst = { ms: 0, line: '' };
  const t0 = cpuMs();
  const perGen: string[] = [];
  for (const [name, gen, n] of gens) {
    const g0 = cpuMs();
    for (let i = 0; i < n; i++) {
      const line = gen();
      const s = cpuMs();
      let a: Analysis;
      try {
        a = analyze(line, CTX);
      } catch (e) {
        assert.fail(`${name} threw on ${JSON.stringify(line.slice(0, 200))}: ${String(e)}`);
      }
      let ms = cpuMs() - s;
      checkShape(a, line);
      const bound = line.length > 4096 ? HUGE_LINE_MS : PER_LINE_MS;
      if (ms >= bound) ms = timed(line); // a GC pause or JIT deopt is not a hang: the retry tells
      if (ms > worst.ms) worst = { ms, line };
      assert.ok(ms < bound, `${name}: ${ms.toFixed(1)} ms on ${JSON.stringify(line.slice(0, 200))}`);
      total++;
    }
    perGen.push(`${name} ${(cpuMs() - g0).toFixed(0)} ms`);
  }
  const s0 = cpuMs();
  for (const line of SPECIAL) {
    const s = cpuMs();
    const a = analyze(line, CTX);
    let ms = cpuMs() - s;
    checkShape(a, line);
    if (ms >= HUGE_LINE_MS) ms = timed(line);
    assert.ok(ms < HUGE_LINE_MS, `special: ${ms.toFixed(1)} ms on ${JSON.stringify(line.slice(0, 80))}…`);
    total++;
  }
  perGen.push(`special ${(cpuMs() - s0).toFixed(0)} ms`);
  const wall = cpuMs() - t0;
  assert.ok(total >= 20_000, String(total));
  // ~6 s CPU on a quiet 2-core machine; the bound leaves room for a loaded CI box, not for a hang.
  assert.ok(wall < 20_000, `total ${wall.toFixed(0)} ms CPU`);
  console.log(`fuzz: ${total} lines in ${wall.toFixed(0)} ms CPU; slowest ${worst.ms.toFixed(2)} ms; ${perGen.join(', ')}`);
});

test('fuzz: dangerous cores stay dangerous inside deep wrappers', () => {
  // Beyond the depth limit the risk must not silently drop to low.
  for (let n = 1; n <= 12; n++) {
    let s = 'rm -rf /';
    for (let i = 0; i < n; i++) s = `bash -c ${JSON.stringify(s)}`;
    const a = analyze(s, CTX);
    assert.ok(a.risk === 'critical' || (n > 8 && a.risk !== 'low'), `${n}: ${a.risk}`);
  }
  const deep = '$('.repeat(5000) + 'rm -rf /' + ')'.repeat(5000);
  assert.notEqual(analyze(deep, CTX).risk, 'low');
});
