// Git operations that rewrite or destroy history, or throw away work.
import type { CommandFact } from '../types.ts';
import type { Rule } from './types.ts';

/** The git sub-command and its arguments, skipping git's own global options (`-C dir`, `-c k=v`). */
export function gitArgs(f: CommandFact): { cmd: string; args: string[] } {
  const a = f.argv;
  let i = 1;
  while (i < a.length && a[i]!.startsWith('-')) i += /^(-C|-c|--git-dir|--work-tree|--namespace|--exec-path)$/.test(a[i]!) ? 2 : 1;
  return { cmd: a[i] ?? '', args: a.slice(i + 1) };
}

const has = (args: string[], re: RegExp): string | undefined => args.find((x) => re.test(x));

export const gitRules: Rule[] = [
  {
    id: 'git.force-push',
    group: 'git',
    risk: 'high',
    commands: ['git'],
    message: 'force-pushes or deletes remote branches',
    why: 'overwrites published history other people have built on',
    match: (i) => {
      const { cmd, args } = gitArgs(i.fact);
      if (cmd !== 'push') return false;
      const flag = has(args, /^(--force|--force-with-lease(=.*)?|--force-if-includes|--mirror|--delete|--prune|-[a-zA-Z]*[fd][a-zA-Z]*)$/);
      if (flag) return flag;
      const positional = args.filter((x) => !x.startsWith('-'));
      return positional.slice(1).find((r) => r.startsWith('+') || r.startsWith(':')) ?? false;
    },
    examples: {
      match: ['git push origin main --force', 'git push -f', 'git push --force-with-lease=main:abc origin main --force', 'git push origin +main', 'git push origin :main', 'git push --delete origin x', 'git -C repo push -f'],
      noMatch: ['git push origin feature/x', 'git push', 'git push -u origin HEAD', 'git commit -m "--force"'],
    },
  },
  {
    id: 'git.rewrite-history',
    group: 'git',
    risk: 'high',
    commands: ['git', 'git-filter-repo', 'bfg'],
    message: 'rewrites or prunes repository history, or discards work irreversibly',
    why: 'commits, stashes or uncommitted changes can be lost for good',
    match: (i) => {
      if (i.fact.name !== 'git') return i.fact.name;
      const { cmd, args } = gitArgs(i.fact);
      switch (cmd) {
        case 'reset':
          return has(args, /^--(hard|merge|keep)$/) ?? false;
        case 'filter-branch':
        case 'filter-repo':
          return cmd;
        case 'reflog':
          return args[0] === 'expire' || args[0] === 'delete' ? `reflog ${args[0]}` : false;
        case 'gc':
          return has(args, /^--prune=(now|all)$|^--aggressive$/) ?? false;
        case 'prune':
          return 'prune';
        case 'update-ref':
          return args.includes('-d') ? 'update-ref -d' : false;
        case 'stash':
          return args[0] === 'clear' ? 'stash clear' : false;
        case 'replace':
          return 'replace';
        default:
          return false;
      }
    },
    examples: {
      match: ['git reset --hard origin/main', 'git reset --hard', 'git filter-repo --path secrets --invert-paths', 'git filter-branch --tree-filter x', 'git reflog expire --expire=now --all', 'git gc --prune=now', 'git stash clear'],
      noMatch: ['git reset HEAD~1', 'git reset --soft HEAD~1', 'git log', 'git gc'],
    },
  },
  {
    id: 'git.discard-changes',
    group: 'git',
    risk: 'medium',
    commands: ['git'],
    message: 'discards uncommitted changes, untracked files or a branch',
    why: 'work that was never committed cannot be recovered',
    match: (i) => {
      const { cmd, args } = gitArgs(i.fact);
      switch (cmd) {
        case 'clean':
          return has(args, /^-[a-zA-Z]*f|^--force$/) ?? false;
        case 'checkout':
          return args.includes('--') && args.some((x) => x === '.' || x === ':/' || x === '*') ? 'checkout -- .' : args[0] === '.' || has(args, /^(-f|--force)$/) ? `checkout ${args.join(' ')}` : false;
        case 'restore':
          return args.some((x) => x === '.' || x === ':/' || x === '*') && !args.includes('--staged') ? 'restore .' : false;
        case 'branch':
          return has(args, /^(-D|--delete|-d|-[a-zA-Z]*D)$/) && has(args, /^(-D|-[a-zA-Z]*D|--force)$/) ? 'branch -D' : false;
        case 'stash':
          return args[0] === 'drop' ? 'stash drop' : false;
        case 'rebase':
          return 'rebase';
        case 'commit':
          return args.includes('--amend') ? 'commit --amend' : false;
        default:
          return false;
      }
    },
    examples: { match: ['git clean -fdx', 'git checkout -- .', 'git restore .', 'git branch -D old', 'git stash drop', 'git rebase -i HEAD~3'], noMatch: ['git checkout -b feature/login-page', 'git branch -d merged', 'git restore --staged a.ts', 'git status'] },
  },
];

