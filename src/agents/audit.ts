// Agent decisions that never reach `vg exec` (allowed as is, denied) still belong in the audit log,
// so `vg audit --session ID` shows everything an agent session tried: what ran on the host, what was
// blocked and why. Rewritten commands are recorded by `vg exec` when they run (with their status).
import { appendAudit } from '../store/audit.ts';
import { loadConfig } from '../store/config/index.ts';
import type { AgentAnswer } from './adapter.ts';
import type { AgentRequest } from './run.ts';

export async function recordAgentAnswer(a: AgentAnswer, req: AgentRequest): Promise<void> {
  let o = {};
  try {
    const { config } = await loadConfig({ cwd: req.cwd, env: req.env });
    o = { enabled: config.audit.enabled, maxSizeMb: config.audit.max_size_mb, keep: config.audit.keep };
  } catch {
    // an unreadable config must not cost the record: defaults
  }
  const failed = a.decision === 'error';
  appendAudit(
    {
      kind: 'decision',
      session: req.session,
      cwd: req.cwd,
      line: a.line,
      // No verdict: recorded as a block (that is what happened), the reason says it was vg failing.
      risk: a.risk === 'unknown' ? 'high' : a.risk,
      // Only allow and deny come here: allowed runs on the host; a deny never runs anywhere.
      decision: a.action === 'allow' ? 'host' : 'block',
      reasons: failed ? [{ rule: 'vg-error', risk: 'high', message: a.reason }] : a.rules,
      runtime: a.action === 'allow' ? 'host' : a.runtime,
      agent: req.agent,
      source: req.source,
    },
    req.env,
    o,
  );
}
