// vg's entry point. Kept tiny on purpose: every command lives in its own module and is imported
// only when invoked, so `vg --version` costs a bare Node start.
import { errorLine } from './errors.ts';

declare const __VG_VERSION__: string;
export const VERSION = typeof __VG_VERSION__ === 'string' ? __VG_VERSION__ : '0.0.0-dev';

type CommandModule = { run(argv: string[]): Promise<number> | number };
const commands: Record<string, { load: () => Promise<CommandModule>; summary: string }> = {
  exec: { load: () => import('./commands/exec.ts'), summary: 'judge a line and run it: host, sandbox, ask, or block' },
  analyze: { load: () => import('./commands/analyze.ts'), summary: 'explain how a line is judged (no execution)' },
  init: { load: () => import('./commands/init.ts'), summary: 'print the shell integration: eval "$(vg init zsh)"' },
  rules: { load: () => import('./commands/rules.ts'), summary: 'list the risk rules (built-in and yours)' },
  trust: { load: () => import('./commands/trust.ts'), summary: 'remember lines that may run on the host' },
  audit: { load: () => import('./commands/audit.ts'), summary: 'show or verify the audit log' },
  metrics: { load: () => import('./commands/metrics.ts'), summary: 'what ran where, how long it took' },
  config: { load: () => import('./commands/config.ts'), summary: 'show, validate, or create the config' },
  doctor: { load: () => import('./commands/doctor.ts'), summary: 'which sandbox runtimes and limits work here' },
  hook: { load: () => import('./commands/hook.ts'), summary: 'pre-execution hooks for AI agents (Claude Code, generic JSON)' },
  shim: { load: () => import('./commands/shim.ts'), summary: 'PATH-level guard for agents without hooks' },
  serve: { load: () => import('./commands/serve.ts'), summary: 'the resident analyzer the shell talks to (internal)' },
  status: { load: () => import('./commands/status.ts'), summary: 'is vg guarding this shell?' },
};
// `vg on` / `vg off` act on the current shell; the shell function handles them. Run directly, explain.
const shellOnly = new Set(['on', 'off']);

function help(): string {
  const w = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands)
    .filter(([k]) => k !== 'serve')
    .map(([k, c]) => `  ${k.padEnd(w)}  ${c.summary}`);
  return [
    `vg ${VERSION} — Vectra Guard: every shell line judged, then run on the host, sandboxed, asked, or blocked`,
    '',
    'Usage: vg <command> [options]',
    '',
    'Commands:',
    ...lines,
    `  ${'on|off'.padEnd(w)}  resume / suspend guarding in the current shell (needs vg init)`,
    '',
    'Run `vg <command> --help` for a command\'s options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    if (cmd === 'help' && rest[0] && commands[rest[0]]) return (await commands[rest[0]].load()).run(['--help']);
    process.stdout.write(help() + '\n');
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    process.stdout.write(`vg ${VERSION}\n`);
    return 0;
  }
  if (shellOnly.has(cmd)) {
    process.stderr.write(
      `vg: \`vg ${cmd}\` acts on your current shell — add the integration first: eval "$(vg init bash)" (or zsh; fish: vg init fish | source)\n`,
    );
    return 2;
  }
  const entry = commands[cmd];
  if (!entry) {
    process.stderr.write(`vg: unknown command '${cmd}' — run \`vg --help\` for the list\n`);
    return 2;
  }
  const mod = await entry.load();
  return await mod.run(rest);
}

// `vg audit | head` closes our stdout early: that is the reader's choice, not an error to report.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(errorLine(err) + '\n');
    if (process.env.VG_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    const status = (err as { status?: unknown }).status;
    process.exitCode = typeof status === 'number' ? status : 1;
  },
);
