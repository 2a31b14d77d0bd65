// The one-line messages the user sees on stderr. Shared by the shell server, vg exec and the hooks
// so a decision reads the same wherever it was made.
import type { Reason, Risk } from '../analyze/types.ts';

export type NoticeStyle = 'full' | 'quiet' | 'off';

/** The reason that best explains a risk: the first (highest) one, or a generic phrase. */
export function headline(risk: Risk, reasons: readonly Reason[]): string {
  const top = reasons[0];
  return top ? `${risk}: ${top.message}` : `${risk} risk`;
}

export function sandboxNotice(o: {
  runtime: string;
  cached: boolean;
  risk: Risk;
  reasons: readonly Reason[];
  note?: string;
  style?: NoticeStyle;
}): string {
  if (o.style === 'off') return '';
  const head = `📦 sandbox · ${o.runtime}${o.cached ? ' · cached' : ''}`;
  if (o.style === 'quiet') return head;
  const why = o.reasons.length ? ` — ${headline(o.risk, o.reasons)}` : '';
  return `${head}${why}${o.note ? ` (${o.note})` : ''}`;
}

export function blockNotice(risk: Risk, reasons: readonly Reason[], policyReason: string): string {
  const why = reasons.length ? headline(risk, reasons) : policyReason;
  return `⛔ vg blocked this line — ${why}`;
}

export function promptQuestion(risk: Risk, reasons: readonly Reason[], canSandbox: boolean): string {
  const choices = `${canSandbox ? '[s]andbox ' : ''}[y]es on host [r]emember [n]o`;
  return `⚠ ${headline(risk, reasons)} — ${choices}`;
}
