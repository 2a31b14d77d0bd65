// `vg shim`: PATH-level (and BASH_ENV) guard for agents without hooks. docs/agents.md explains the
// trade-offs; src/agents/shim.ts writes the scripts.
import { randomBytes } from 'node:crypto';
import { parse } from '../args.ts';
import { usage } from '../errors.ts';
import { selfArgv } from '../../agents/self.ts';
import { defaultShimDir, envLines, installShim, readMarker, uninstallShim } from '../../agents/shim.ts';

const HELP = `Usage:
  vg shim install [DIR]     write bash/sh wrappers and a BASH_ENV file (default DIR: ~/.local/share/vg/shim)
  vg shim env [DIR]         print the lines that put the shim in an agent's environment
  vg shim uninstall [DIR]   remove what install wrote
  vg shim status [DIR]      is it installed, and is it active in this environment?

Opt-in: nothing changes until you start the agent with the printed environment, e.g.
  eval "$(vg shim env --agent aider)" && aider
Then every \`bash -c LINE\` / \`sh -c LINE\` the agent runs goes through \`vg exec --agent NAME\`
(critical lines are refused with status 126, risky ones are sandboxed). Other shell starts
(scripts, interactive shells) run the real shell with no Node start.

Options:
  --agent NAME     env: also export VG_AGENT=NAME (the name in the audit log; default "shim")
  --session ID     env: the session id for the audit log (default: a new one, <agent>-<time>-<random>)
  --no-bash-env    env: PATH wrappers only (BASH_ENV also catches /bin/bash -c by absolute path)

Trade-offs and gaps: docs/agents.md`;

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse<{ agent?: string; session?: string; 'no-bash-env'?: boolean; help?: boolean }>('shim', argv, {
    agent: { type: 'string' },
    session: { type: 'string' },
    'no-bash-env': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const [sub, dirArg, ...extra] = positionals;
  if (v.help || sub === 'help') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (extra.length) throw usage(`shim: unexpected '${extra[0]}' — vg shim ${sub} [DIR]`);
  const dir = dirArg ?? defaultShimDir();
  switch (sub) {
    case 'install': {
      const info = installShim(dir, selfArgv(), process.env);
      process.stderr.write(`vg: shim installed in ${info.dir} (real shells: ${Object.entries(info.real).map(([k, p]) => `${k} → ${p}`).join(', ')})\n`);
      process.stderr.write(`vg: it is opt-in — start the agent with:  eval "$(vg shim env${dirArg ? ` ${dirArg}` : ''})"\n`);
      return 0;
    }
    case 'env': {
      const info = readMarker(dir);
      if (!info) throw usage(`shim: no shim in ${dir} — run \`vg shim install${dirArg ? ` ${dirArg}` : ''}\` first`);
      const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 13);
      const session = v.session ?? `${v.agent ?? 'shim'}-${stamp}-${randomBytes(3).toString('hex')}`;
      process.stdout.write(envLines(info.dir, { agent: v.agent, bashEnv: !v['no-bash-env'], session }).join('\n') + '\n');
      process.stderr.write(`vg: session ${session} — see what the agent ran with: vg audit --session ${session}\n`);
      return 0;
    }
    case 'uninstall': {
      const ok = uninstallShim(dir);
      process.stderr.write(ok ? `vg: shim removed from ${dir} — also drop its lines from the agent's environment\n` : `vg: no shim in ${dir} — nothing changed\n`);
      return 0;
    }
    case 'status': {
      const info = readMarker(dir);
      if (!info) {
        process.stdout.write(`not installed (${dir})\n`);
        return 1;
      }
      const onPath = (process.env.PATH ?? '').split(':').includes(info.dir);
      const bashEnv = process.env.BASH_ENV === `${info.dir}/bash_env`;
      process.stdout.write(`installed in ${info.dir}\nPATH wrappers: ${onPath ? 'active' : 'not on PATH here'}\nBASH_ENV: ${bashEnv ? 'active' : 'not set here'}\n`);
      return 0;
    }
    case undefined:
      process.stdout.write(HELP + '\n');
      return 2;
    default:
      throw usage(`shim: unknown action '${sub}' — use install, env, uninstall or status`);
  }
}
