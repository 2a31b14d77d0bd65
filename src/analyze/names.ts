// Command-name sets and fact classifiers shared by the fact builder and the rules. One place so a
// new fetcher or shell is recognised everywhere at once.
import type { CommandFact } from './types.ts';

export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'yash', 'tcsh', 'csh']);
export const INTERPRETERS: ReadonlySet<string> = new Set([
  'python', 'python2', 'python3', 'pypy', 'pypy3', 'node', 'nodejs', 'deno', 'bun', 'perl', 'ruby', 'php', 'lua', 'Rscript', 'osascript',
]);
export const FETCHERS: ReadonlySet<string> = new Set([
  'curl', 'wget', 'fetch', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'http', 'https', 'xh', 'aria2c', 'lynx', 'links', 'w3m', 'ftp', 'tftp', 'ssh', 'gh', 'httpie', 'lwp-request', 'GET',
]);
export const PRIV: ReadonlySet<string> = new Set(['sudo', 'doas', 'pkexec', 'run0', 'su', 'sudoedit', 'sux']);

/** Builtins that only change the shell's own state: running them on the host is the only option. */
export const STATE_BUILTINS: ReadonlySet<string> = new Set([
  'cd', 'pushd', 'popd', 'dirs', 'export', 'unset', 'alias', 'unalias', 'source', '.', 'set', 'shopt', 'setopt', 'unsetopt',
  'declare', 'typeset', 'local', 'readonly', 'hash', 'ulimit', 'umask', 'bind', 'complete', 'compdef', 'trap', 'shift',
  'rehash', 'emulate', 'zle', 'bindkey', 'autoload', 'enable', 'disable', 'functions', 'abbr', 'bg', 'fg', 'jobs', 'disown', 'wait', 'true', 'false', ':',
  'read', 'mapfile', 'readarray', 'getopts', 'let', 'exit', 'return', 'logout', 'history', 'fc', 'type', 'dirs', 'suspend',
]);

export const basename = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i >= 0 && i < p.length - 1 ? p.slice(i + 1) : p;
};

/** Downloads (or remote output): what flows out of these is someone else's content. */
export const isFetcher = (f: CommandFact): boolean => FETCHERS.has(f.name);

/** Decoders: base64 -d and friends hide what a payload says until it runs. */
export const isDecoder = (f: CommandFact): boolean => {
  const a = f.argv;
  switch (f.name) {
    case 'base64':
    case 'base32':
      return a.includes('-d') || a.includes('--decode') || a.includes('-D');
    case 'xxd':
      return a.includes('-r');
    case 'openssl':
      return a.includes('-d') || a.includes('base64');
    case 'gunzip':
    case 'zcat':
    case 'uudecode':
    case 'bunzip2':
    case 'unxz':
      return true;
    case 'gzip':
    case 'bzip2':
    case 'xz':
    case 'zstd':
      return a.includes('-d') || a.includes('--decompress');
    default:
      return false;
  }
};

/** A shell or interpreter invocation that takes its program from stdin. */
/** Paths that name the command's own stdin. */
export const STDIN_FILES: ReadonlySet<string> = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

export function readsStdinAsCode(args: readonly string[]): boolean {
  let sawS = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-' || STDIN_FILES.has(a)) return true;
    if (a === '--') return sawS || i === args.length - 1;
    if (a.startsWith('-')) {
      if (/^-[a-zA-Z]*s[a-zA-Z]*$/.test(a)) sawS = true;
      if (/^-[a-zA-Z]*[cemr]$/.test(a) || a === '--eval' || a === '--print' || a === '--command') return false;
      if (a === '-o' || a === '-O' || a === '--rcfile' || a === '--init-file' || a === '-W' || a === '-X' || a === '-m' || a === '-I' || a === '-r') {
        if (a === '-m') return false;
        i++;
      }
      continue;
    }
    // A first operand is the script file: stdin is then the script's input, not its code.
    return sawS;
  }
  return true;
}

/**
 * Variables whose value the shell or a program later runs as code (facts.ts, codeVar): shell code
 * (PROMPT_COMMAND; commands git, man, less, sudo, ssh… run through a shell), prompt strings (their
 * `$(…)` and backquotes run each time the prompt is drawn), files a later shell sources, and what
 * every later `make` reads (MAKEFILES) or is told (MAKEFLAGS).
 */
export const CODE_VARS: ReadonlyMap<string, 'code' | 'prompt' | 'file' | 'makefiles' | 'makeflags' | 'library'> = new Map([
  ...(
    [
      'PROMPT_COMMAND', 'GIT_SSH_COMMAND', 'GIT_SSH', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'GIT_PAGER', 'GIT_ASKPASS', 'SSH_ASKPASS',
      'SUDO_ASKPASS', 'EDITOR', 'VISUAL', 'PAGER', 'MANPAGER', 'SYSTEMD_PAGER', 'BROWSER', 'FCEDIT', 'GIT_EXTERNAL_DIFF',
      'GIT_PROXY_COMMAND', 'RSYNC_RSH', 'CVS_RSH', 'LESSOPEN', 'LESSCLOSE',
    ] as const
  ).map((n) => [n, 'code'] as const),
  ...(['PS0', 'PS1', 'PS2', 'PS3', 'PS4', 'PROMPT', 'PROMPT2', 'PROMPT3', 'PROMPT4', 'RPROMPT', 'RPROMPT2', 'RPS1', 'RPS2', 'SPROMPT'] as const).map(
    (n) => [n, 'prompt'] as const,
  ),
  ...(['BASH_ENV', 'ENV'] as const).map((n) => [n, 'file'] as const),
  // make reads the makefiles MAKEFILES names before its own, and takes options (--eval) from MAKEFLAGS.
  ['MAKEFILES', 'makefiles'],
  ['MAKEFLAGS', 'makeflags'],
  ['GNUMAKEFLAGS', 'makeflags'],
  // The dynamic loader maps these libraries into every program started with them (compiled code).
  ['LD_PRELOAD', 'library'],
  ['LD_AUDIT', 'library'],
]);

/** The commands a prompt string runs when drawn: its `$(…)` and `…` (backquoted) parts. Pure. */
export function promptCode(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length && out.length < 16; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === '(' && text[i + 2] !== '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) break;
      }
      out.push(text.slice(i + 2, j));
      i = j;
    } else if (c === '`') {
      const j = text.indexOf('`', i + 1);
      if (j < 0) break;
      out.push(text.slice(i + 1, j));
      i = j;
    }
  }
  return out;
}
