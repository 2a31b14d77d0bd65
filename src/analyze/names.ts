// Command-name sets shared by the fact builder and the rules. One place so a new fetcher or shell
// is recognised everywhere at once.

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
