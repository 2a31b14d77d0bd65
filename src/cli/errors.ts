// Every failure the user sees is one line: `vg: <what went wrong> — <how to fix it>`.
export class VgError extends Error {
  constructor(
    message: string,
    /** Exit status to leave with (2 = usage, 1 = failure, 125 = sandbox could not start, 126 = refused). */
    readonly status = 1,
  ) {
    super(message);
    this.name = 'VgError';
  }
}

export const usage = (message: string): VgError => new VgError(message, 2);

/** Turn any thrown value into the one line we print. Unknown errors keep their message, never a stack. */
export function errorLine(err: unknown): string {
  if (err instanceof VgError) return `vg: ${err.message}`;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.message === 'string') {
    const where = e.path ? ` (${e.path})` : '';
    if (e.code === 'EACCES' || e.code === 'EPERM') return `vg: permission denied${where} — check the file's owner and mode`;
    if (e.code === 'ENOSPC') return `vg: no space left on device${where} — free some disk space and retry`;
    return `vg: ${e.message.split('\n')[0]}${process.env.VG_DEBUG ? '' : ' — set VG_DEBUG=1 for details'}`;
  }
  return `vg: ${String(err)}`;
}
