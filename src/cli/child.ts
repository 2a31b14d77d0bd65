// Run a child with the terminal attached and the shell's exit-status conventions:
// the child's status, 128+n when a signal killed it. The parent ignores SIGINT while the child
// runs (the terminal delivers it to the child's process group) and forwards TERM and HUP.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface ChildResult {
  status: number;
  signal?: NodeJS.Signals;
  durationMs: number;
  /** The child could not be started at all (ENOENT, EACCES). */
  spawnError?: NodeJS.ErrnoException;
}

export function runChild(
  argv: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdio?: 'inherit' | ('inherit' | 'pipe' | 'ignore' | number)[] } = {},
): Promise<ChildResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: opts.stdio ?? 'inherit' });
    const ignore = () => {};
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onTerm = forward('SIGTERM');
    const onHup = forward('SIGHUP');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    const done = (r: ChildResult) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      resolve(r);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      const status = err.code === 'ENOENT' ? 127 : 126;
      done({ status, durationMs: performance.now() - started, spawnError: err });
    });
    child.on('exit', (code, signal) => {
      const durationMs = performance.now() - started;
      if (signal) done({ status: 128 + (constants.signals[signal] ?? 0), signal, durationMs });
      else done({ status: code ?? 0, durationMs });
    });
  });
}
