// `vg serve`: the resident analyzer the shell hooks talk to (internal; started by shell/vg.*).
// stdin/stdout carry the line protocol (src/intercept/protocol.ts), or two FIFOs with --fifo DIR.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../args.ts';
import { usage } from '../errors.ts';
import { SHELLS, type ShellKind } from '../../intercept/protocol.ts';

declare const __VG_VERSION__: string;
const VERSION = typeof __VG_VERSION__ === 'string' ? __VG_VERSION__ : '0.0.0-dev';

const HELP = `Usage: vg serve --shell bash|zsh|fish [--session ID] [--pid SHELL_PID] [--fifo DIR]

The resident analyzer behind \`vg init\`: the shell hook starts one per interactive shell and speaks a
line protocol with it (docs/shell.md). Not meant to be run by hand.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse<{ shell?: string; session?: string; pid?: string; fifo?: string; help?: boolean }>('serve', argv, {
    shell: { type: 'string' },
    session: { type: 'string' },
    pid: { type: 'string' },
    fifo: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const shell = (values.shell ?? 'bash') as ShellKind;
  if (!SHELLS.includes(shell)) throw usage(`serve: unknown shell '${values.shell}' — use bash, zsh or fish`);
  const shellPid = values.pid ? Number.parseInt(values.pid, 10) : undefined;
  const session = values.session || process.env.VG_SESSION || `${shell}-${shellPid ?? process.ppid}-${Date.now().toString(36)}`;
  // A shell's Ctrl-C must never reach the analyzer (it shares the terminal's process group in zsh/fish).
  process.on('SIGINT', () => undefined);
  const { serve, openFifos } = await import('../../intercept/server.ts');
  let io: { input?: import('node:stream').Readable; outFd?: number; onFirstRequest?: () => void } = {};
  // The terminal closing (SIGHUP — fish's analyzer shares its process group) ends the session like
  // EOF does: the queued audit records and the session's last line get written, then exit.
  const stop = (): void => {
    setTimeout(() => process.exit(0), 2000).unref();
    (io.input ?? process.stdin).destroy();
  };
  process.on('SIGHUP', stop);
  process.on('SIGTERM', stop);
  const dir = values.fifo;
  if (dir) {
    io = openFifos(join(dir, 'in'), join(dir, 'out'));
    const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
    process.on('exit', cleanup);
    // zsh holds both FIFOs open for its lifetime: remove them once it has spoken. fish reopens them per line.
    if (shell !== 'fish') io.onFirstRequest = cleanup;
  }
  process.stdout.on('error', () => process.exit(0));
  const code = await serve({ shell, session, shellPid, version: VERSION, ...io });
  // The FIFOs are held open read-write and never report EOF: leave explicitly once the shell is gone.
  process.exit(code);
}
