// Durations as people type them: `45s`, `30m`, `12h`, `7d`, `2w`, or combined (`1d12h`).
// Shared by `vg trust add --expires` and `--since` on audit/metrics, so both read the same way.
import { usage } from '../cli/errors.ts';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds in `text`. Throws a usage VgError naming `flag` on anything else. */
export function parseDuration(text: string, flag = 'duration'): number {
  const s = String(text).trim().toLowerCase();
  const part = /(\d+(?:\.\d+)?)\s*([smhdw])/y;
  let total = 0;
  let pos = 0;
  let parts = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m) break;
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = part.lastIndex;
    parts++;
  }
  if (parts === 0 || pos !== s.length || !Number.isFinite(total) || total <= 0) {
    throw usage(`${flag}: '${text}' is not a duration — use a number and a unit: 45s, 30m, 12h, 7d, 2w (or 1d12h)`);
  }
  return Math.round(total);
}

/** `since` as an absolute time: a duration ago, or an ISO date/time. */
export function parseSince(text: string, now = Date.now(), flag = '--since'): Date {
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const d = new Date(text.trim());
    if (!Number.isNaN(d.getTime())) return d;
  }
  return new Date(now - parseDuration(text, flag));
}

/** Compact, for humans: 950ms, 1.2s, 3m 4s, 2h 5m, 6d 23h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const neg = ms < 0;
  let v = Math.abs(ms);
  let out: string;
  if (v < 1_000) out = `${Math.round(v)}ms`;
  else if (v < 60_000) out = `${(v / 1_000).toFixed(v < 10_000 ? 1 : 0)}s`;
  else {
    const units: [string, number][] = [['w', UNIT_MS.w], ['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s]];
    // The largest unit and the one after it; a zero second part is dropped (`2h`, not `2h 0m`).
    const i = units.findIndex(([, size]) => v >= size);
    const [u1, s1] = units[i];
    const parts = [`${Math.floor(v / s1)}${u1}`];
    const next = units[i + 1];
    if (next && Math.floor((v % s1) / next[1]) > 0) parts.push(`${Math.floor((v % s1) / next[1])}${next[0]}`);
    out = parts.join(' ');
  }
  return neg ? `-${out}` : out;
}
