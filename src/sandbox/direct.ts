// A sandboxed line that is one plain command runs without the user's shell inside the sandbox.
// Starting `bash -c LINE` there costs an exec and a shell start-up (~3.5 ms here; zsh and fish
// more) for nothing when the line is just words: every shell would run the same program with the
// same arguments. "Plain" is deliberately narrow — ordinary characters only, so there is no
// quoting, expansion, glob, brace, tilde, redirection, operator, comment or assignment for any of
// bash, zsh, fish or sh to read differently — and the program must be one the shell would find
// and the kernel can run (ELF or #!), else the shell keeps the line and its usual error message.
import { basename, isAbsolute, resolve } from 'node:path';

/**
 * A word every shell reads as itself: letters, digits and `_ @ % + = : , . / -`. Also what the
 * shells' quoting (intercept/quote.ts) leaves unquoted.
 */
export const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Names a shell runs itself (builtins, reserved words) in bash, zsh, fish or sh: never direct. */
const SHELL_OWN = new Set(
  (
    // bash builtins and keywords
    '. : [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable ' +
    'eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd ' +
    'read readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask unalias ' +
    'unset wait if then else elif fi case esac for select while until do done in function time coproc ' +
    // zsh builtins and reserved words not above
    'rehash disable compfiles autoload noglob pushln zle getln which unhash zparseopts comptags compdescribe compctl r ' +
    'zmodload zregexparse emulate chdir ttyctl comparguments functions float zstyle print comptry bindkey compset ' +
    'compvalues compgroups limit echotc unsetopt setopt integer bye echoti compquote unfunction where zformat unlimit ' +
    'zcompile whence log private sched end repeat nocorrect foreach ' +
    // fish builtins not above
    '_ abbr and argparse begin block breakpoint commandline complete contains count emit math not or path random ' +
    'realpath set_color status string switch'
  ).split(' '),
);


/** A builtin or reserved word of bash, zsh, fish or sh (never looked up on PATH). */
export const isShellOwn = (name: string): boolean => SHELL_OWN.has(name);

/** The words of `line` if it is one plain command (see above), else null. Pure. */
export function plainWords(line: string): string[] | null {
  const words = line.split(/[ \t]+/).filter(Boolean);
  if (words.length === 0 || !words.every((w) => PLAIN_WORD.test(w))) return null;
  const cmd = words[0]!;
  // An assignment (`A=1 cmd`), zsh's `=cmd` and `-` precommand modifier, a builtin or keyword.
  if (cmd.includes('=') || cmd.startsWith('-') || SHELL_OWN.has(cmd)) return null;
  // zsh expands a word that starts with `=` anywhere on the line.
  if (words.some((w) => w.startsWith('='))) return null;
  return words;
}

export interface ProgramProbe {
  /** An executable regular file the kernel runs itself (ELF or `#!`): what execvp would start. */
  program(path: string): boolean;
}

/**
 * The argv to exec instead of `SHELL -c line`, or null to keep the shell. The program is looked up
 * as execvp will do it inside (the sandbox's PATH; a name with a `/` against the cwd); a PATH with a
 * relative entry, or a program under a path the sandbox hides, keeps the shell. fish runs the
 * user's functions (`ls` is one, so is every alias) even for `fish -c`: under fish, only when the
 * caller checked the first word is none (`functionsChecked`, from fish's hook).
 */
export function directArgv(
  line: string,
  o: { shell?: string; path: string | undefined; cwd: string; hidden: readonly string[]; probe: ProgramProbe; functionsChecked?: boolean; bashEnv?: string },
): string[] | null {
  const sh = basename(o.shell ?? '');
  if (sh === 'fish' && !o.functionsChecked) return null;
  // `bash -c` sources $BASH_ENV first, which may define functions the interactive shell never had.
  if (sh === 'bash' && o.bashEnv) return null;
  const words = plainWords(line);
  if (!words) return null;
  const cmd = words[0]!;
  let found: string | null = null;
  if (cmd.includes('/')) {
    const p = resolve(o.cwd, cmd);
    if (o.probe.program(p)) found = p;
  } else {
    for (const dir of (o.path ?? '').split(':')) {
      if (!isAbsolute(dir)) return null;
      const p = `${dir.replace(/\/+$/, '')}/${cmd}`;
      if (o.probe.program(p)) {
        found = p;
        break;
      }
    }
  }
  if (!found) return null;
  const f = found;
  if (o.hidden.some((h) => f === h || f.startsWith(h.replace(/\/+$/, '') + '/'))) return null;
  return words;
}
