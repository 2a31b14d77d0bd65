// A stand-in for judge() (VG_TEST=1 VG_TEST_JUDGE=this file): decisions keyed on words in the line,
// so the shell tests exercise every path without depending on the analyzer's rules.
//   FAKE_SANDBOX → sandbox (runs /bin/sh -c LINE, env kept), FAKE_HIGH → prompt, FAKE_BLOCK → block,
//   FAKE_SLOW → sleeps 3 s, FAKE_NOSANDBOX → sandbox that cannot start, FAKE_DIE[tag] → the analyzer
//   exits while judging it (once per tag and HOME: the next analyzer judges it host), else host.
const analysis = (line, risk) => ({ line, risk, reasons: risk === 'low' ? [] : [{ rule: 'fake', risk, message: `fake ${risk}` }], parse: 'ok', commands: [], stateOnly: false });
const inv = (line) => ({ argv: ['/bin/sh', '-c', `echo "[fake-sandbox]" >&2; ${line}`], env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/', FAKE_SANDBOXED: '1' } });
'use strict';
// CommonJS: the analyzer require()s it. A computed import() from vg's bundle fails once V8's code
// cache is in use (the cached functions lose Node's dynamic-import hook).
const { existsSync, writeFileSync } = require('node:fs');
async function judge(line, ctx) {
  const die = /FAKE_DIE(\w*)/.exec(line);
  if (die) {
    const mark = `${process.env.HOME}/.fake-died${die[1]}`;
    if (!existsSync(mark)) {
      writeFileSync(mark, '');
      process.exit(1);
    }
  }
  const base = { line, notices: [], reason: 'fake' };
  if (line.includes('FAKE_SLOW')) await new Promise((r) => setTimeout(r, 3000));
  if (line.includes('FAKE_BLOCK')) return { ...base, risk: 'critical', decision: 'block', analysis: analysis(line, 'critical'), notice: '⛔ vg blocked this line — critical: fake' };
  if (line.includes('FAKE_HIGH'))
    return { ...base, risk: 'high', decision: ctx.agent ? 'sandbox' : 'prompt', analysis: analysis(line, 'high'), notice: ctx.agent ? '📦 sandbox · fake' : '⚠ high: fake — [s]andbox [y]es on host [r]emember [n]o', sandbox: { runtime: 'fake', plan: {}, invocation: inv(line), cached: false } };
  if (line.includes('FAKE_NOSANDBOX')) return { ...base, risk: 'medium', decision: 'sandbox', analysis: analysis(line, 'medium'), notice: '', sandboxError: 'vg: no sandbox runtime (fake) — install bubblewrap' };
  if (line.includes('FAKE_SANDBOX')) return { ...base, risk: 'medium', decision: 'sandbox', analysis: analysis(line, 'medium'), notice: '📦 sandbox · fake — medium: fake', sandbox: { runtime: 'fake', plan: {}, invocation: inv(line), cached: false } };
  return { ...base, risk: 'low', decision: 'host', analysis: analysis(line, 'low'), notice: '' };
}
module.exports = { judge };
