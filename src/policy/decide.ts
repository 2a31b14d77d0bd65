// Risk × mode × trust × interactivity → what to do with a line. Pure; DESIGN.md §1 is the spec.
import type { PolicyInput, PolicyResult } from './types.ts';

export function decide(p: PolicyInput): PolicyResult {
  // Critical is blocked everywhere: no mode, trust entry or `enabled: false` lets it run.
  if (p.risk === 'critical') return { decision: 'block', reason: 'critical risk is blocked in every mode' };
  // An agent that starts `bash --norc`, `sh` or `python3` gets a prompt vg does not guard: whatever it
  // types next would run unjudged. So the shell or REPL itself runs in the sandbox (unless the user
  // turned sandboxing off).
  if (p.agent && p.startsInteractive && p.enabled && p.mode !== 'never')
    return { decision: 'sandbox', reason: "an agent's interactive shell or REPL runs in the sandbox: what it reads next is not judged line by line" };
  // Shell-state builtins (cd, export, alias, source…) must change *this* shell; a sandbox would lose it.
  // High risk there is code set to run later or loaded into what runs next (`export PROMPT_COMMAND=…`,
  // `trap '…' EXIT`, `export LD_PRELOAD=./x.so`): a person is asked; an agent is refused, since a
  // sandbox would only lose the change and it cannot be asked.
  if (p.stateOnly) {
    if (p.risk === 'high' && !p.trusted && p.enabled && p.mode !== 'never') {
      if (p.interactive && !p.agent) return { decision: 'prompt', reason: 'high risk in a shell builtin (code for later, a preloaded library…): asking before it changes this shell' };
      if (p.agent) return { decision: 'block', reason: "high risk in a shell builtin (code for later, a preloaded library…): not run for an agent, which cannot be asked" };
      return { decision: 'sandbox', reason: 'high risk: sandboxed (the change it makes to the shell stays there)' };
    }
    return { decision: 'host', reason: 'shell builtins only (cd, export, read, true…): they act on this shell, so they run in it' };
  }
  // `nvm use 18`, `conda activate x`, `eval "$(ssh-agent -s)"`: in a sandbox the change would be
  // lost and the command would seem to do nothing. The caller sets changesShell only when nothing
  // else in the line calls for a sandbox (judge.ts, changesShellOnly); high still asks (an agent's
  // high line still goes to the sandbox, where it cannot harm the shell).
  // Not for an agent: its lines rarely rely on shell state (each often runs in a fresh shell), and
  // `export _=$(cmd)` or `eval "$(cmd)"` must not be its way to run cmd outside the mode's sandbox.
  if (p.changesShell && !p.agent && (p.risk === 'low' || p.risk === 'medium'))
    return { decision: 'host', reason: `${p.risk} risk and changes this shell (eval, or a function that cds, exports or evals): runs in the shell` };
  // `history | grep x` in a fresh sandboxed shell would search an empty history.
  if (p.readsShellState && p.risk === 'low') return { decision: 'host', reason: 'low risk and reads this shell\'s state (history, jobs, aliases…): runs in the shell' };
  if (p.trusted) return { decision: 'host', reason: 'trusted: matches an entry in your trust store' };
  const mode = p.enabled ? p.mode : 'never';
  const canAsk = p.interactive && !p.agent;
  switch (mode) {
    case 'never':
      return {
        decision: 'host',
        reason: p.enabled ? 'mode never: validation only' : 'sandbox disabled (enabled: false): validation only',
      };
    case 'always':
      if (p.risk === 'high' && canAsk) return { decision: 'prompt', reason: 'high risk: asking before it runs' };
      return { decision: 'sandbox', reason: 'mode always: everything but shell-state builtins is sandboxed' };
    case 'auto':
      if (p.risk === 'low') return { decision: 'host', reason: 'low risk: runs on the host' };
      if (p.risk === 'high' && canAsk) return { decision: 'prompt', reason: 'high risk: asking before it runs' };
      return { decision: 'sandbox', reason: `${p.risk} risk: sandboxed (mode auto)` };
    case 'risky':
      if (p.risk !== 'high') return { decision: 'host', reason: `${p.risk} risk: runs on the host (mode risky handles high only)` };
      if (canAsk) return { decision: 'prompt', reason: 'high risk: asking before it runs' };
      return { decision: 'sandbox', reason: 'high risk: sandboxed (mode risky)' };
  }
}
