// `vg init bash|zsh|fish`: print the shell integration (shell/vg.*) for the rc file to eval.
// The scripts ship next to dist/ (package.json "files"); the only thing filled in here is how to
// start vg itself — this Node and this vg.js — so the hook never depends on PATH order.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '../args.ts';
import { usage, VgError } from '../errors.ts';
import { quotePosix, quoteFish } from '../../intercept/quote.ts';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const HELP = `Usage: vg init bash|zsh|fish

Prints the shell integration. Add one line to your shell's start-up file, then open a new shell:

  bash   ~/.bashrc                    eval "$(vg init bash)"
  zsh    ~/.zshrc                     eval "$(vg init zsh)"
  fish   ~/.config/fish/config.fish   vg init fish | source

Every line you type is then judged before it runs: on the host, in the sandbox, after one question
(high risk), or not at all (critical). \`vg off\` / \`vg on\` suspend and resume it in the current
shell; \`vg status\` shows whether this shell is guarded. Non-interactive shells are left alone, and
evaluating the line twice is harmless. Details: docs/shell.md`;

/** The package root: the nearest directory above this module that holds shell/vg.bash. */
export function packageRoot(from = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'shell', 'vg.bash'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new VgError('cannot find the shell scripts (shell/vg.*) next to vg — reinstall vg (./install.sh)');
}

/** How the hook starts vg: this Node and the bundled entry point (dist/vg.js). */
function vgCommand(root: string): string[] {
  const entry = process.argv[1] ? realpathSync(process.argv[1]) : join(root, 'dist', 'vg.js');
  const js = entry.endsWith('.js') ? entry : join(root, 'dist', 'vg.js');
  return [process.execPath, js];
}

export function renderInit(shell: Shell, root = packageRoot(), cmd = vgCommand(root)): string {
  const text = readFileSync(join(root, 'shell', `vg.${shell}`), 'utf8');
  const marker = /^.*# vg-init:cmd$/m;
  if (!marker.test(text)) throw new VgError(`shell/vg.${shell} has no vg-init:cmd line — reinstall vg`);
  const line =
    shell === 'fish'
      ? `set -g __vg_cmd ${cmd.map(quoteFish).join(' ')} # vg-init:cmd`
      : `__vg_cmd=(${cmd.map(quotePosix).join(' ')}) # vg-init:cmd`;
  return text.replace(marker, () => line);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse<{ help?: boolean }>('init', argv, { help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const shell = positionals[0];
  if (!shell) throw usage('init: which shell? — run `vg init bash`, `vg init zsh` or `vg init fish`');
  if (!(SHELLS as readonly string[]).includes(shell))
    throw usage(`init: unsupported shell '${shell}' — vg supports bash, zsh and fish`);
  process.stdout.write(renderInit(shell as Shell));
  return 0;
}
