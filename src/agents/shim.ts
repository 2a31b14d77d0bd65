// `vg shim`: a guard for agents that have no pre-execution hook. Agents run their commands as
// `bash -c '<command>'` (or `sh -c`); the shim directory holds `bash` and `sh` wrappers that route
// exactly those invocations through `vg exec`, and a BASH_ENV file that catches `bash -c` even when
// it is called by absolute path. Everything else (`bash script.sh`, an interactive bash) goes
// straight to the real shell without starting Node.
//
// Recursion: the wrappers call `vg exec … -- <real shell> …` with the real shell's absolute path,
// resolved once at install time, and export VG_SHIM_INSIDE=1 first; a wrapper or the BASH_ENV file
// that finds VG_SHIM_INSIDE set execs the real shell at once. So the command vg judged runs its own
// nested shells (npm's `sh -c`, make's recipes…) without being judged again — the outer judgement
// already covered the whole line, nested `bash -c` strings included. Inside vg's sandbox (VG_SANDBOX
// set) the wrappers step aside too: what runs there is contained already.
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { VgError } from '../cli/errors.ts';
import { home } from '../store/paths.ts';
import { shjoin, shq } from './quote.ts';
import type { Env } from '../intercept/judge.ts';

export const MARKER = '.vg-shim.json';
export const SHELLS = ['bash', 'sh'] as const;
export const BASH_ENV_FILE = 'bash_env';

export function defaultShimDir(env: Env = process.env): string {
  return join(env.XDG_DATA_HOME || join(home(env), '.local', 'share'), 'vg', 'shim');
}

/** First executable `name` on PATH that is not inside `exclude` (the shim dir itself), resolved. */
export function findReal(name: string, env: Env, exclude: string): string | null {
  const ex = safeReal(exclude);
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const d of [...dirs, '/bin', '/usr/bin']) {
    if (safeReal(d) === ex) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
    } catch {
      continue;
    }
    const real = safeReal(p);
    // A PATH entry that is some other vg shim dir (or a symlink back into ours) would loop.
    if (real.startsWith(ex + '/') || existsSync(join(d, MARKER))) continue;
    return p;
  }
  return null;
}

function safeReal(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/**
 * A wrapper for one shell, in POSIX sh. It scans the leading options the way bash and dash do
 * (clusters like `-lc`, `-ec`; `-o opt` / `-O opt` / `--rcfile f` take a value; `--` or the first
 * word ends them) and only a `-c` among them goes to vg.
 */
export function wrapperScript(name: string, real: string, vg: string[]): string {
  return `#!/bin/sh
# vg shim for ${name}: \`${name} -c LINE\` is judged by vg before it runs; anything else runs the real
# ${name} directly. Written by \`vg shim install\`; remove with \`vg shim uninstall\`.
real=${shq(real)}
# Inside a command vg already judged (or inside vg's sandbox): the real shell, at once.
if [ -n "\${VG_SHIM_INSIDE:-}" ] || [ -n "\${VG_SANDBOX:-}" ]; then exec "$real" "$@"; fi
c=0; skip=0
for a do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  case $a in
    --rcfile|--init-file) skip=1 ;;
    --) break ;;
    --*) ;;
    -o|+o|-O|+O) skip=1 ;;
    -*c*) c=1; break ;;
    -|+) break ;;
    -*|+*) ;;
    *) break ;;
  esac
done
if [ "$c" = 0 ]; then exec "$real" "$@"; fi
VG_SHIM_INSIDE=1; export VG_SHIM_INSIDE
if [ ! -x ${shq(vg[0])} ]; then
  echo "vg shim: vg is missing, so this ${name} -c was refused — reinstall vg, or leave the shim: vg shim uninstall" >&2
  exit 126
fi
agent=\${VG_AGENT:-shim}; [ "$agent" = 1 ] && agent=agent
exec ${shjoin(vg)} exec --agent "$agent" -- "$real" "$@"
`;
}

/**
 * BASH_ENV is read by every non-interactive bash before it runs its -c string or script, whatever
 * path bash was started by. When there is a -c string (BASH_EXECUTION_STRING), hand it to vg exec
 * instead — `exec` replaces this bash, so the unjudged string never runs here. Options given on the
 * command line that matter to the string's behaviour (-e -u -x -v -f -a -C, pipefail) are carried.
 */
export function bashEnvScript(real: string, vg: string[]): string {
  return `# vg shim BASH_ENV: a non-interactive \`bash -c LINE\` is judged by vg before LINE runs.
# Written by \`vg shim install\`; remove with \`vg shim uninstall\`.
if [ -n "\${BASH_EXECUTION_STRING+x}" ] && [ -z "\${VG_SHIM_INSIDE:-}" ] && [ -z "\${VG_SANDBOX:-}" ]; then
  export VG_SHIM_INSIDE=1
  __vg_o=-c
  case $- in *e*) __vg_o="-e $__vg_o" ;; esac
  case $- in *u*) __vg_o="-u $__vg_o" ;; esac
  case $- in *x*) __vg_o="-x $__vg_o" ;; esac
  case $- in *v*) __vg_o="-v $__vg_o" ;; esac
  case $- in *f*) __vg_o="-f $__vg_o" ;; esac
  case $- in *a*) __vg_o="-a $__vg_o" ;; esac
  case $- in *C*) __vg_o="-C $__vg_o" ;; esac
  case :$SHELLOPTS: in *:pipefail:*) __vg_o="-o pipefail $__vg_o" ;; esac
  if [ ! -x ${shq(vg[0])} ]; then
    echo "vg shim: vg is missing, so this bash -c was refused — reinstall vg, or drop BASH_ENV (vg shim uninstall)" >&2
    exit 126
  fi
  # $__vg_o is unquoted on purpose: it is a list of options made above, never user text.
  __vg_a=\${VG_AGENT:-shim}; [ "$__vg_a" = 1 ] && __vg_a=agent
  exec ${shjoin(vg)} exec --agent "$__vg_a" -- ${shq(real)} $__vg_o "$BASH_EXECUTION_STRING" "$0" "$@"
fi
`;
}

export interface ShimInfo {
  dir: string;
  real: Record<string, string>;
  vg: string[];
  files: string[];
}

export function readMarker(dir: string): ShimInfo | null {
  try {
    return JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as ShimInfo;
  } catch {
    return null;
  }
}

function writeExec(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** Create (or refresh) the shim directory. Refuses a non-empty directory that is not a vg shim. */
export function installShim(dir: string, vg: string[], env: Env): ShimInfo {
  dir = resolve(dir);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !readMarker(dir)) {
    throw new VgError(`${dir} is not empty and is not a vg shim directory — pick an empty or new directory`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const real: Record<string, string> = {};
  for (const name of SHELLS) {
    const r = findReal(name, env, dir);
    if (!r) throw new VgError(`no real ${name} found on PATH (outside ${dir}) — install ${name} or fix PATH`);
    real[name] = r;
  }
  const files: string[] = [];
  for (const name of SHELLS) {
    writeExec(join(dir, name), wrapperScript(name, real[name], vg), 0o755);
    files.push(name);
  }
  writeExec(join(dir, BASH_ENV_FILE), bashEnvScript(real.bash, vg), 0o644);
  files.push(BASH_ENV_FILE);
  const info: ShimInfo = { dir, real, vg, files };
  writeExec(join(dir, MARKER), JSON.stringify(info, null, 2) + '\n', 0o644);
  return info;
}

export function uninstallShim(dir: string): boolean {
  dir = resolve(dir);
  const info = readMarker(dir);
  if (!info) return false;
  for (const f of [...info.files, MARKER]) {
    try {
      unlinkSync(join(dir, f));
    } catch {
      // already gone
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // not empty: the user put something else there; leave it
  }
  return true;
}

/** The lines to put in the agent's environment. */
export function envLines(dir: string, o: { agent?: string; bashEnv?: boolean; session?: string } = {}): string[] {
  const lines = [`export PATH=${shq(dir)}:"$PATH"`];
  if (o.bashEnv !== false) lines.push(`export BASH_ENV=${shq(join(dir, BASH_ENV_FILE))}`);
  if (o.agent) lines.push(`export VG_AGENT=${shq(o.agent)}`);
  // One session id for everything the agent runs from this environment: `vg audit --session ID`.
  if (o.session) lines.push(`export VG_SESSION=${shq(o.session)}`);
  return lines;
}
