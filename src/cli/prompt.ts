// One question on the controlling terminal, answered with one key. Uses /dev/tty so it works when
// stdin/stdout are redirected, and always restores the terminal mode.
import { openSync, closeSync, readSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export type Answer = 's' | 'y' | 'r' | 'n';

/** Ask `question`; returns the answer, or 'n' for Ctrl-C, Esc, EOF or no terminal. */
export function askOnTty(question: string, allowed: readonly Answer[]): Answer {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return 'n';
  }
  const saved = stty(fd, ['-g']);
  try {
    stty(fd, ['-icanon', '-echo', 'min', '1', 'time', '0']);
    writeSync(fd, `${question} `);
    const buf = Buffer.alloc(8);
    for (;;) {
      let n = 0;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch {
        n = 0;
      }
      if (n <= 0) return finish(fd, 'n');
      const ch = buf.toString('utf8', 0, 1).toLowerCase();
      // Ctrl-C, Esc, Ctrl-D: the safe answer.
      if (ch === '\x03' || ch === '\x1b' || ch === '\x04') return finish(fd, 'n');
      if ((allowed as readonly string[]).includes(ch)) return finish(fd, ch as Answer);
      if (ch === '\r' || ch === '\n') continue;
    }
  } finally {
    if (saved) stty(fd, [saved]);
    closeSync(fd);
  }
}

function finish(fd: number, a: Answer): Answer {
  const word = { s: 'sandbox', y: 'yes', r: 'remember', n: 'no' }[a];
  writeSync(fd, `${word}\n`);
  return a;
}

function stty(fd: number, args: string[]): string {
  const r = spawnSync('stty', args, { stdio: [fd, 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.toString().trim() : '';
}
