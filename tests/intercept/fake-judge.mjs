// A stand-in for judge() (VG_TEST=1 VG_TEST_JUDGE=this file): decisions keyed on words in the line,
// so the shell tests exercise every path without depending on the analyzer's rules.
//   FAKE_SANDBOX → sandbox (runs /bin/sh -c LINE, env kept), FAKE_HIGH → prompt, FAKE_BLOCK → block,
//   FAKE_SLOW → sleeps 3 s, FAKE_NOSANDBOX → sandbox that cannot start, else host.
const analysis = (line, risk) => ({ line, risk, reasons: risk === 'low' ? [] : [{ rule: 'fake', risk, message: `fake ${risk}` }], parse: 'ok', commands: [], stateOnly: false });
const inv = (line) => ({ argv: ['/bin/sh', '-c', `echo "[fake-sandbox]" >&2; ${line}`], env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/', FAKE_SANDBOXED: '1' } });
export async function judge(line, ctx) {
  const base = { line, notices: [], reason: 'fake' };
  if (line.includes('FAKE_SLOW')) await new Promise((r) => setTimeout(r, 3000));
  if (line.includes('FAKE_BLOCK')) return { ...base, risk: 'critical', decision: 'block', analysis: analysis(line, 'critical'), notice: '⛔ vg blocked this line — critical: fake' };
  if (line.includes('FAKE_HIGH'))
    return { ...base, risk: 'high', decision: ctx.agent ? 'sandbox' : 'prompt', analysis: analysis(line, 'high'), notice: ctx.agent ? '📦 sandbox · fake' : '⚠ high: fake — [s]andbox [y]es on host [r]emember [n]o', sandbox: { runtime: 'fake', plan: {}, invocation: inv(line), cached: false } };
  if (line.includes('FAKE_NOSANDBOX')) return { ...base, risk: 'medium', decision: 'sandbox', analysis: analysis(line, 'medium'), notice: '', sandboxError: 'vg: no sandbox runtime (fake) — install bubblewrap' };
  if (line.includes('FAKE_SANDBOX')) return { ...base, risk: 'medium', decision: 'sandbox', analysis: analysis(line, 'medium'), notice: '📦 sandbox · fake — medium: fake', sandbox: { runtime: 'fake', plan: {}, invocation: inv(line), cached: false } };
  return { ...base, risk: 'low', decision: 'host', analysis: analysis(line, 'low'), notice: '' };
}
