// Code a command runs that is visible on the line: `sh -c` strings, eval, trap and alias bodies,
// `su -c`, `watch`, `vg exec`, heredocs and piped text fed to a shell, interpreter one-liners.
// Each is parsed and walked as if typed, one level deeper.
import type { CommandFact } from './types.ts';
import { bindPositional, type Env, type Scope, type Walker } from './facts.ts';
import { type EWord, literalWord } from './words.ts';
import { SHELLS, STDIN_FILES, readsStdinAsCode } from './names.ts';
import { inlineCodeFlags, languageOf, scanCode, type Language } from './interp.ts';
import { runnerInvocation } from './runners.ts';
import { EMBEDDING, embeddedCode, gitConfigCode, type Embedded } from './option-code.ts';

const PACKAGE_RUNNERS: ReadonlySet<string> = new Set(['npx', 'bunx', 'pnpx', 'npm', 'pnpm', 'yarn', 'bun']);

/** The command a package runner executes, or [] when this invocation runs none. */
function runnerCommand(name: string, args: EWord[]): EWord[] {
  let rest = args;
  if (name === 'npm' || name === 'pnpm' || name === 'yarn' || name === 'bun') {
    const k = rest.findIndex((w) => !w.value.startsWith('-'));
    if (k < 0 || !/^(exec|x|dlx)$/.test(rest[k]!.value)) return [];
    rest = rest.slice(k + 1);
  }
  let i = 0;
  while (i < rest.length && rest[i]!.value.startsWith('-') && rest[i]!.value !== '--') i += /^(-p|--package|-c|--call)$/.test(rest[i]!.value) ? 2 : 1;
  if (rest[i]?.value === '--') i++;
  const cmd = rest.slice(i);
  if (cmd.length === 0) return [];
  // Package names carry versions (`rimraf@5`); the binary is the name.
  const bin = cmd[0]!.value.replace(/^(@[^/]+\/)?([^@]+)(@.*)?$/, '$2');
  return [{ ...cmd[0]!, value: bin }, ...cmd.slice(1)];
}

/**
 * What a program runs through its options or its own little language (option-code.ts), judged as
 * the same thing typed: shell text, a program with its words, another language's code, a write.
 */
function judgeEmbedded(wk: Walker, fact: CommandFact, found: Embedded[], scope: Scope, env: Env): void {
  const deeper: Env = { ...env, origin: 'wrapper', depth: env.depth + 1 };
  const dyn = (value: string): EWord => ({ value, ifEmpty: '', dynamic: true, glob: false, quoted: true });
  for (const e of found) {
    if (!wk.tick()) return;
    switch (e.kind) {
      case 'shell':
        wk.nestedCode(e.code, e.dynamic, scope, e.deferred ? { ...env, deferred: true } : env, 'shell-string', fact);
        break;
      case 'argv':
        if (e.argv.length) wk.run(e.argv.map((w, k) => (e.dynamic && k > 0 ? dyn(w) : literalWord(wk.tilde(w, scope), true))), [], scope.clone(), deeper, undefined, { network: false, decoder: false });
        break;
      case 'lang':
        interpreterCode(wk, e.code, e.lang, scope, env, fact);
        break;
      case 'write':
        wk.run([literalWord('tee'), literalWord('-a'), e.dynamic || !e.path ? dyn(e.path || '$FILE') : literalWord(wk.tilde(e.path, scope), true)], [], scope.clone(), deeper, undefined, { network: false, decoder: false });
        break;
      case 'unseen':
        wk.emit([literalWord('sh'), literalWord('-c'), dyn('$CODE'), literalWord(e.what)], [], scope, deeper, { wrappers: [] });
        break;
    }
  }
}

/** Options of git subcommands whose value git runs through the shell. */
const GIT_CODE_OPTS: Record<string, RegExp> = {
  rebase: /^(-x|--exec)$/,
  'filter-branch': /^--(tree|index|msg|env|commit|parent|tag-name)-filter$/,
  difftool: /^(-x|--extcmd)$/,
  grep: /^(-O|--open-files-in-pager)$/,
  clone: /^(-u|--upload-pack)$/,
  fetch: /^--upload-pack$/,
  pull: /^--upload-pack$/,
  'ls-remote': /^--upload-pack$/,
  archive: /^--exec$/,
  push: /^(--receive-pack|--exec)$/,
  'send-email': /^--(to-cmd|cc-cmd|header-cmd|sendmail-cmd)$/,
};

/**
 * `git rebase -x CMD`, `git bisect run CMD…`, `git submodule foreach CMD`, `git filter-branch
 * --tree-filter CMD`, `git clone -u CMD` (a local clone runs it here) …: commands git runs for you.
 */
function gitSubcommandCode(wk: Walker, fact: CommandFact, args: EWord[], scope: Scope, env: Env): void {
  let i = 0;
  while (i < args.length && args[i]!.value.startsWith('-')) i += /^(-C|-c|--git-dir|--work-tree|--namespace|--exec-path|--config-env)$/.test(args[i]!.value) ? 2 : 1;
  const sub = args[i]?.value ?? '';
  const rest = args.slice(i + 1);
  const deeper: Env = { ...env, origin: 'wrapper', depth: env.depth + 1 };
  if (sub === 'bisect' && rest[0]?.value === 'run' && rest.length > 1) {
    wk.run(rest.slice(1), [], scope.clone(), deeper, undefined, { network: false, decoder: false });
    return;
  }
  if (sub === 'submodule') {
    const k = rest.findIndex((w) => w.value === 'foreach');
    const cmd = k >= 0 ? rest.slice(k + 1).filter((w, n, all) => !(w.value.startsWith('--') && all.slice(0, n).every((x) => x.value.startsWith('--')))) : [];
    if (cmd.length) wk.nestedCode(cmd.map((w) => w.value).join(' '), cmd.some((w) => w.dynamic), scope, env, 'shell-string', fact);
    return;
  }
  if (sub === 'clone') {
    // `git clone -c KEY=VALUE`: written into the new repository's config — as `git config KEY VALUE` there.
    for (let k = 0; k < rest.length; k++) {
      const v = rest[k]!.value;
      const kv = v === '-c' || v === '--config' ? rest[k + 1] : v.startsWith('--config=') ? { ...rest[k]!, value: v.slice(9) } : undefined;
      const eq = kv ? kv.value.indexOf('=') : -1;
      if (!kv || eq <= 0) continue;
      const words = ['git', 'config', kv.value.slice(0, eq), kv.value.slice(eq + 1)].map((w, n) => (n === 3 && kv.dynamic ? { value: w, ifEmpty: '', dynamic: true, glob: false, quoted: true } : literalWord(w, true)));
      wk.run(words, [], scope.clone(), { ...deeper, deferred: true }, undefined, { network: false, decoder: false });
    }
  }
  const re = GIT_CODE_OPTS[sub];
  if (!re) return;
  for (let k = 0; k < rest.length; k++) {
    const v = rest[k]!.value;
    const eq = v.indexOf('=');
    const flag = eq > 0 && v.startsWith('--') ? v.slice(0, eq) : v;
    // -O / --open-files-in-pager take their value attached only; the others either way.
    const attached = sub === 'grep' ? (v.startsWith('-O') && v.length > 2 ? v.slice(2) : eq > 0 && re.test(flag) ? v.slice(eq + 1) : undefined) : eq > 0 && re.test(flag) ? v.slice(eq + 1) : undefined;
    const code = attached !== undefined ? { value: attached, dynamic: rest[k]!.dynamic } : sub !== 'grep' && re.test(v) && rest[k + 1] ? rest[k + 1]! : undefined;
    if (code?.value.trim()) wk.nestedCode(code.value, code.dynamic, scope, env, 'shell-string', fact);
  }
}

/** Code the command runs that is visible on the line: `-c` strings, eval, heredocs, one-liners. */
export function descend(wk: Walker, fact: CommandFact, words: EWord[], scope: Scope, env: Env, stdinText: string | undefined): void {
  const name = fact.name;
  const args = words.slice(1);
  if (name === 'source' || name === '.') {
    // `source /dev/stdin <<< CODE`, `… | source /dev/stdin`, `source <(echo CODE)`: the code is on
    // the line. (A file's content is read by the judge: intercept/scripts.ts.)
    const file = args.find((w) => w.value !== '--');
    if (file && STDIN_FILES.has(file.value) && stdinText !== undefined) wk.nestedCode(stdinText, false, scope, env, 'heredoc', fact);
    else if (file?.procOut !== undefined) wk.nestedCode(file.procOut, false, scope, env, 'shell-string', fact);
    return;
  }
  if (SHELLS.has(name)) {
    // `bash <(echo CODE)`: the first operand is the script.
    const operand = args.find((w) => !w.value.startsWith('-'));
    if (operand?.procOut !== undefined) wk.nestedCode(operand.procOut, false, scope, env, 'shell-string', fact);
    const ci = args.findIndex((w) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w.value) && !w.value.startsWith('--'));
    if (ci >= 0) {
      const rest = args.slice(ci + 1);
      const k = rest.findIndex((w) => !w.value.startsWith('-') || w.value.includes(' '));
      if (k < 0) return;
      const code = rest[k]!;
      // `sh -c 'rm -rf "$1"' _ /`: the words after the code are $0, $1, … inside it.
      const pos = rest.slice(k + 1);
      const inner = scope.clone();
      if (pos[0]) inner.vars.set('0', pos[0].dynamic ? null : pos[0].value);
      bindPositional(inner, pos.slice(1));
      wk.nestedCode(code.value, code.dynamic, inner, env, 'shell-string', fact);
      return;
    }
    if (readsStdinAsCode(args.map((w) => w.value)) && stdinText !== undefined) {
      wk.nestedCode(stdinText, false, scope, env, env.pipe?.text !== undefined && stdinText === env.pipe.text ? 'shell-string' : 'heredoc', fact);
    }
    return;
  }
  // Code a key or a completion runs later: `bind -x 'KEYSEQ: CODE'`, `complete -C CODE name`.
  if (name === 'bind' && args.some((w) => /^-[a-zA-Z]*x/.test(w.value))) {
    for (const w of args) {
      const m = /^\s*(?:"(?:[^"\\]|\\.)*"|[^\s:"]+)\s*:\s*(.*)$/s.exec(w.value);
      if (!m || w.value.startsWith('-')) continue;
      const code = m[1]!.replace(/^(["'])([\s\S]*)\1$/, '$2');
      if (code.trim()) wk.nestedCode(code, w.dynamic, scope, { ...env, deferred: true }, 'shell-string', fact);
    }
    return;
  }
  if (name === 'complete' || name === 'compgen') {
    const i = args.findIndex((w) => w.value === '-C');
    const code = i >= 0 ? args[i + 1] : undefined;
    if (code) wk.nestedCode(code.value, code.dynamic, scope, { ...env, deferred: true }, 'shell-string', fact);
    return;
  }
  if (name === 'eval' || name === 'trap' || name === 'alias') {
    if (name === 'eval') {
      const code = args.filter((w) => w.value !== '--');
      if (code.length > 0) wk.nestedCode(code.map((w) => w.value).join(' '), code.some((w) => w.dynamic), scope, env, 'shell-string', fact);
    } else if (name === 'trap') {
      const code = args.find((w) => !w.value.startsWith('-'));
      if (code && args.length >= 2) wk.nestedCode(code.value, code.dynamic, scope, { ...env, deferred: true }, 'shell-string', fact);
    } else {
      for (const w of args) {
        const eq = w.value.indexOf('=');
        if (eq > 0) wk.nestedCode(w.value.slice(eq + 1), w.dynamic, scope, { ...env, deferred: true }, 'shell-string', fact);
      }
    }
    return;
  }
  if (name === 'su' || name === 'script' || name === 'watch' || name === 'runuser') {
    let code: EWord | undefined;
    if (name === 'watch') {
      const rest: EWord[] = [];
      for (let i = 0; i < args.length; i++) {
        const v = args[i]!.value;
        if (rest.length === 0 && v.startsWith('-')) {
          if (/^-[nqs]$|^--(interval|differences)$/.test(v)) i++;
          continue;
        }
        rest.push(args[i]!);
      }
      if (rest.length > 0) code = { ...rest[0]!, value: rest.map((w) => w.value).join(' '), dynamic: rest.some((w) => w.dynamic) };
    } else {
      const ci = args.findIndex((w) => /^-[a-zA-Z]*c$/.test(w.value) || w.value === '--command' || w.value.startsWith('--command='));
      if (ci >= 0) code = args[ci]!.value.startsWith('--command=') ? { ...args[ci]!, value: args[ci]!.value.slice(10) } : args[ci + 1];
    }
    if (code) wk.nestedCode(code.value, code.dynamic, scope, env, 'shell-string', fact);
    return;
  }
  if (name === 'rake' || name === 'just') {
    // `rake -e CODE` runs Ruby; `just --command CMD` runs CMD (the project file: intercept/scripts.ts).
    const inline = runnerInvocation(fact)?.inline;
    if (inline?.lang === 'ruby') interpreterCode(wk, inline.code, 'ruby', scope, env, fact);
    else if (inline) wk.nestedCode(inline.code, false, scope, env, 'shell-string', fact);
    return;
  }
  if (name === 'sg') {
    // `sg GROUP -c CMD` / `sg GROUP CMD`: CMD goes to /bin/sh -c.
    const rest = args.filter((w) => w.value !== '-');
    const cmd = rest[1]?.value === '-c' ? rest.slice(2, 3) : rest.slice(1);
    if (cmd.length) wk.nestedCode(cmd.map((w) => w.value).join(' '), cmd.some((w) => w.dynamic), scope, env, 'shell-string', fact);
    return;
  }
  if (name === 'find') {
    wk.findActions(fact, words, scope, env);
    return;
  }
  if (name === 'tmux' && args.some((w) => /^(new|new-session|new-window|neww|split-window|splitw|respawn-pane|run-shell|run)$/.test(w.value))) {
    // tmux runs its last argument through the shell.
    const last = args[args.length - 1];
    if (last && !last.value.startsWith('-') && !/^(new|new-session|new-window|neww|split-window|splitw|respawn-pane|run-shell|run)$/.test(last.value)) {
      wk.nestedCode(last.value, last.dynamic, scope, env, 'shell-string', fact);
    }
    return;
  }
  if (name === 'git') {
    // `git -c core.pager='…'`, `alias.x='!…'`: the config values git runs as shell commands, for
    // this run (the same keys as `git config` sets for later: option-code.ts gitConfigCode).
    for (let k = 0; k + 1 < args.length && args[k]!.value.startsWith('-'); k++) {
      if (args[k]!.value !== '-c') continue;
      const kv = args[k + 1]!;
      const eq = kv.value.indexOf('=');
      if (eq > 0) judgeEmbedded(wk, fact, gitConfigCode(kv.value.slice(0, eq), kv.value.slice(eq + 1), kv.dynamic).map((e) => (e.kind === 'shell' ? { ...e, deferred: false } : e)), scope, env);
    }
    gitSubcommandCode(wk, fact, args, scope, env);
    judgeEmbedded(wk, fact, embeddedCode('git', args), scope, env);
    return;
  }
  if (EMBEDDING.has(name)) {
    judgeEmbedded(wk, fact, embeddedCode(name, args), scope, env);
    return;
  }
  if (PACKAGE_RUNNERS.has(name)) {
    // `npx rimraf /`, `npm exec -- rm -rf /`, `pnpm dlx x`: the package's binary runs with these args.
    const inner = runnerCommand(name, args);
    if (inner.length > 0) {
      wk.run(inner, [], scope.clone(), { ...env, origin: 'wrapper', depth: env.depth + 1 }, stdinText, { network: fact.stdinFromNetwork, decoder: fact.stdinFromDecoder });
      return;
    }
  }
  if (name === 'vg' && args[0]?.value === 'exec') {
    // `vg exec -- CMD ARGS…` runs CMD; `vg exec "LINE"` runs LINE: judge what vg would run.
    const dd = args.findIndex((w) => w.value === '--');
    if (dd >= 0) wk.run(args.slice(dd + 1), [], scope.clone(), { ...env, origin: 'wrapper', depth: env.depth + 1 }, stdinText, { network: fact.stdinFromNetwork, decoder: fact.stdinFromDecoder });
    else {
      const code = args.slice(1).filter((w) => !w.value.startsWith('-'));
      if (code.length > 0) wk.nestedCode(code.map((w) => w.value).join(' '), code.some((w) => w.dynamic), scope, env, 'shell-string', fact);
    }
    return;
  }
  const lang = languageOf(name);
  if (lang) {
    const flags = inlineCodeFlags(lang);
    let code: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!.value;
      if (flags.includes(v)) {
        code = args[i + 1]?.value;
        break;
      }
      const eq = v.indexOf('=');
      if (eq > 0 && flags.includes(v.slice(0, eq))) {
        code = v.slice(eq + 1);
        break;
      }
      // Clusters like perl's `-ne`, ruby's `-pe`, python's `-Bc`: the code follows the cluster.
      if (/^-[a-zA-Z]+$/.test(v) && flags.some((f) => /^-[a-zA-Z]$/.test(f) && v.endsWith(f[1]!))) {
        code = args[i + 1]?.value;
        break;
      }
      if (!v.startsWith('-')) break;
    }
    if (code === undefined && stdinText !== undefined && readsStdinAsCode(args.map((w) => w.value))) code = stdinText;
    if (code !== undefined) interpreterCode(wk, code, lang, scope, env, fact);
  }
}

export function interpreterCode(wk: Walker, code: string, lang: Language, scope: Scope, env: Env, parent: CommandFact): void {
  for (const f of scanCode(code, lang)) {
    if (!wk.tick()) return;
    const e2: Env = { origin: 'interpreter-code', depth: env.depth + 1, deferred: env.deferred, inPipe: false, background: false };
    if (f.kind === 'shell') wk.nestedCode(f.code, false, scope, env, 'interpreter-code', parent);
    else if (f.kind === 'argv') {
      const ws = f.argv.map((s) => {
        if (s === '$DYNAMIC') return { value: s, ifEmpty: '', dynamic: true, glob: false, quoted: true };
        return literalWord(wk.tilde(s, scope), true);
      });
      wk.run(ws, [], scope.clone(), e2, undefined, { network: false, decoder: false });
    } else if (f.kind === 'dynamic-shell') {
      wk.emit([literalWord('sh'), literalWord('-c'), { value: '$CODE', ifEmpty: '', dynamic: true, glob: false, quoted: true }], [], scope, e2, { wrappers: [] });
    } else {
      const fact = wk.emit([literalWord('fork')], [], scope, e2, { wrappers: [] });
      if (fact) fact.recursion = 'fanout';
    }
  }
}

