// Shared by `vg trust`, `vg audit` and `vg metrics`: colour only on a terminal (and never with
// NO_COLOR or TERM=dumb), compact aligned columns, times people can read at a glance.
import pc from 'picocolors';
type Colors = ReturnType<typeof pc.createColors>;
import { formatDuration } from './duration.ts';
import type { Env } from './jsonl.ts';

export function colors(stream: { isTTY?: boolean } = process.stdout, env: Env = process.env): Colors {
  const on = Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
  return pc.createColors(on);
}

const ANSI = /\x1b\[[0-9;]*m/g;
export const visibleWidth = (s: string): number => [...s.replace(ANSI, '')].length;

/** Rows as aligned columns; `right` lists the columns aligned right (numbers). The last column is not padded. */
export function table(rows: string[][], right: number[] = [], gap = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(c))));
  return rows.map((r) =>
    r
      .map((c, i) => {
        if (i === r.length - 1 && !right.includes(i)) return c;
        const pad = ' '.repeat(widths[i] - visibleWidth(c));
        return right.includes(i) ? pad + c : c + pad;
      })
      .join(gap)
      .trimEnd(),
  );
}

/** A line shown in one row: control characters made visible, long ones cut. */
export function oneLine(s: string, max = 100): string {
  const flat = s.replace(/\r?\n/g, '⏎').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '·');
  return [...flat].length > max ? [...flat].slice(0, max - 1).join('') + '…' : flat;
}

export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '?';
  const d = now - t;
  if (d < 0) return `in ${formatDuration(-d)}`;
  if (d < 1_000) return 'just now';
  return `${formatDuration(d)} ago`;
}

/** Local time, second precision: `2026-11-28 06:15:02`. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
