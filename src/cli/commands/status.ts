// `vg status`: is the current shell guarded? The `vg` shell function (vg init) passes the shell's
// state in __VG_* variables for this one call; run anywhere else, it says how to turn guarding on.
import { parse } from '../args.ts';
import { processAlive } from '../../store/lock.ts';

export async function run(argv: string[]): Promise<number> {
  const { values } = parse<{ json?: boolean; help?: boolean }>('status', argv, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write('Usage: vg status [--json]\n\nWhether vg guards the current shell, its analyzer, and the configured mode.\n');
    return 0;
  }
  const env = process.env;
  const state = env.__VG_STATE === 'on' || env.__VG_STATE === 'off' ? env.__VG_STATE : null;
  const pid = env.__VG_SERVER_PID && /^\d+$/.test(env.__VG_SERVER_PID) ? Number(env.__VG_SERVER_PID) : null;
  const alive = pid ? processAlive(pid) : false;
  let mode = 'unknown';
  let configNote = '';
  try {
    const { loadConfig } = await import('../../store/config/index.ts');
    const { config, files } = await loadConfig({ cwd: process.cwd(), env });
    mode = config.sandbox.enabled ? config.sandbox.mode : 'never (sandbox disabled)';
    configNote = files.length ? files.join(', ') : 'defaults';
  } catch (e) {
    configNote = `config error: ${(e as Error).message}`;
  }
  const agent = !!env.VG_AGENT;
  const shell = env.__VG_SHELL ?? null;
  if (values.json) {
    process.stdout.write(
      JSON.stringify({ guarded: state === 'on', state, shell, session: env.__VG_SESSION ?? null, server: { pid, alive }, mode, config: configNote, agent }) + '\n',
    );
    return state === 'on' ? 0 : 1;
  }
  const out: string[] = [];
  if (!state) {
    out.push('vg: this shell is not guarded — add the integration: eval "$(vg init bash)" (or zsh; fish: vg init fish | source)');
  } else {
    out.push(
      state === 'on'
        ? `vg: guarding this ${shell ?? ''} shell`.replace(/ +/g, ' ')
        : `vg: off in this ${shell ?? ''} shell — lines run unchecked; \`vg on\` resumes`.replace(/ +/g, ' '),
    );
    out.push(`  analyzer  ${pid ? `pid ${pid}${alive ? '' : ' (not running — restarts with the next line)'}` : 'not started yet'}`);
    if (env.__VG_SESSION) out.push(`  session   ${env.__VG_SESSION}`);
  }
  out.push(`  mode      ${mode}${agent ? ' (agent session: never asks)' : ''}`);
  out.push(`  config    ${configNote}`);
  process.stdout.write(out.join('\n') + '\n');
  return state === 'on' ? 0 : 1;
}
