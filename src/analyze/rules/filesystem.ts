// Deleting, moving and re-permissioning files. Targets are judged after resolution, so every
// disguise of `rm -rf /` (quotes, `$HOME`, `cd / && rm -rf *`, `find / -delete`) lands here.
import type { CommandFact } from '../types.ts';
import type { MatchInput, MatchResult, Rule } from './types.ts';
import { classify, hasLong, hasShort, opts, targets, type TargetClass } from './helpers.ts';
import { resolvePath } from '../resolve.ts';

const recursiveRm = (f: CommandFact): boolean => hasShort(f, 'r', 'R') || hasLong(f, '--recursive');

const CRITICAL: ReadonlySet<TargetClass> = new Set(['root', 'system', 'home']);
const HIGH: ReadonlySet<TargetClass> = new Set(['git', 'home-child', 'outside', 'workspace-root', 'system-child']);

/** First target of `f` whose class is in `set` (resolved path shown in the reason). */
function hit(i: MatchInput, set: ReadonlySet<TargetClass>): MatchResult {
  const ts = targets(i.fact);
  // chmod/chown/chgrp: the first operand is the mode or owner, not a path.
  const skip = /^(chmod|chown|chgrp)$/.test(i.fact.name) && !opts(i.fact).long.has('--reference') ? 1 : 0;
  for (const t of ts.slice(skip)) {
    if (t.path !== null && set.has(classify(t.path, i.home, i.workspace))) return t.path;
  }
  return false;
}

const WORKSPACE_MEDIUM: ReadonlySet<TargetClass> = new Set(['workspace', 'tmp-root', 'outside-regenerable']);

const RM = ['rm', 'rmdir', 'unlink', 'shred', 'srm', 'trash', 'trash-put', 'gio'];

export const filesystemRules: Rule[] = [
  {
    id: 'filesystem.rm-system',
    group: 'filesystem',
    risk: 'critical',
    commands: ['rm'],
    message: 'recursively deletes the root, a system directory, or your home',
    why: 'irreversible: wipes the system or all of your data',
    match: (i) => (recursiveRm(i.fact) || hasLong(i.fact, '--no-preserve-root') ? hit(i, CRITICAL) : false),
    examples: {
      match: ['rm -rf /', 'rm -rf ~', 'rm -fr ~/', 'rm -rf /usr/*', 'rm -rf $HOME/', 'sudo rm -rf /var', 'find /home -delete', 'cd / && rm -rf *', 'rm -rf ..'],
      noMatch: ['rm -rf ./dist', 'rm -rf /tmp/build', 'rm ~/notes.txt', 'rm -rf ~/Pictures'],
    },
  },
  {
    id: 'filesystem.no-preserve-root',
    group: 'filesystem',
    risk: 'critical',
    commands: ['rm', 'chmod', 'chown', 'chgrp'],
    message: 'disables the safety check that protects /',
    why: '--no-preserve-root only exists to let a command destroy the root filesystem',
    match: (i) => hasLong(i.fact, '--no-preserve-root'),
    examples: { match: ['rm -rf / --no-preserve-root', 'chown -R x --no-preserve-root /'], noMatch: ['rm -rf build'] },
  },
  {
    id: 'filesystem.rm-outside-workspace',
    group: 'filesystem',
    risk: 'high',
    commands: ['rm'],
    message: 'recursively deletes data outside the workspace (or the whole workspace, or a .git)',
    why: 'files outside the project (or its history) are not regenerable',
    match: (i) => (recursiveRm(i.fact) ? hit(i, HIGH) : false),
    examples: { match: ['rm -rf ~/Pictures', 'rm -rf .git', 'rm -rf /etc/nginx', 'rm -rf .', 'rm -rf ../other'], noMatch: ['rm -rf src', 'rm -rf node_modules', 'rm -r ./tmp'] },
  },
  {
    id: 'filesystem.rm-empty-var',
    group: 'filesystem',
    risk: 'high',
    commands: ['rm'],
    message: 'recursive delete whose target collapses to / (or a system dir) if a variable is empty',
    why: 'an unset or empty variable turns `rm -rf "$DIR"/*` into `rm -rf /*`',
    match: (i) => {
      if (!recursiveRm(i.fact)) return false;
      for (const t of targets(i.fact)) {
        if (t.dynamic && t.ifEmpty !== null && CRITICAL.has(classify(t.ifEmpty, i.home, i.workspace))) return `${t.raw} → ${t.ifEmpty}`;
      }
      return false;
    },
    examples: { match: ['rm -rf "$DIR"/*', 'rm -rf $PREFIX/usr', 'rm -rf -- "$dir"/*'], noMatch: ['rm -rf "$DIR"', 'rm -rf ./build'] },
  },
  {
    id: 'filesystem.rm-recursive-dynamic',
    group: 'filesystem',
    risk: 'medium',
    commands: ['rm'],
    message: 'recursive delete of a path the analyzer cannot resolve',
    why: 'the target depends on a variable or a command output known only at run time',
    match: (i) => recursiveRm(i.fact) && targets(i.fact).some((t) => t.path === null),
    examples: { match: ['rm -rf "$DIR"', 'rm -rf $(cat list)'], noMatch: ['rm -rf build', 'rm "$f"'] },
  },
  {
    id: 'filesystem.rm-recursive-workspace',
    group: 'filesystem',
    risk: 'medium',
    commands: ['rm'],
    message: 'recursively deletes source inside the workspace, or caches and build output outside it',
    why: 'uncommitted work there cannot be recovered',
    match: (i) => (recursiveRm(i.fact) ? hit(i, WORKSPACE_MEDIUM) : false),
    examples: { match: ['rm -rf src', 'rm -r docs/', 'rm -rf /tmp/*', 'find / -name "*.log" -delete'], noMatch: ['rm -rf dist', 'rm -rf ./node_modules/.cache', 'rm src/a.ts', 'rm -rf /tmp/x*'] },
  },
  {
    id: 'filesystem.rm-files-outside',
    group: 'filesystem',
    risk: 'medium',
    commands: RM,
    message: 'deletes files outside the workspace',
    why: 'files outside the project are not tracked by its version control',
    match: (i) => (recursiveRm(i.fact) && i.fact.name === 'rm' ? false : hit(i, new Set(['home-child', 'outside', 'system-child', 'git']))),
    examples: { match: ['rm ~/notes.txt', 'unlink /etc/foo.conf'], noMatch: ['rm notes.txt', 'rm /tmp/x'] },
  },
  {
    id: 'filesystem.rm-system-files',
    group: 'filesystem',
    risk: 'high',
    commands: RM,
    message: 'deletes files in the root or a system directory',
    why: 'the system may not boot or run without them',
    match: (i) => (recursiveRm(i.fact) && i.fact.name === 'rm' ? false : hit(i, new Set(['root', 'system', 'home']))),
    examples: { match: ['rm -f /*', 'rm /etc/*', 'shred -u ~/*'], noMatch: ['rm -f ./*.o', 'rm /tmp/x'] },
  },
  {
    id: 'filesystem.mv-system',
    group: 'filesystem',
    risk: 'critical',
    commands: ['mv'],
    message: 'moves the root, a system directory, or your home away',
    why: 'the system or your session breaks at once, and putting it back may be impossible',
    match: (i) => {
      const ts = targets(i.fact);
      for (const t of ts.slice(0, -1)) if (t.path !== null && CRITICAL.has(classify(t.path, i.home, i.workspace))) return t.path;
      return false;
    },
    examples: { match: ['mv ~ /tmp/x', 'mv /etc /tmp/', 'sudo mv /usr/bin /x'], noMatch: ['mv a.txt b.txt', 'mv ~/notes.txt ~/old.txt'] },
  },
  {
    id: 'filesystem.mv-system-files',
    group: 'filesystem',
    risk: 'high',
    commands: ['mv'],
    message: 'moves system files away',
    why: 'programs and the system stop finding what they need',
    match: (i) => {
      const ts = targets(i.fact);
      for (const t of ts.slice(0, -1)) if (t.path !== null && classify(t.path, i.home, i.workspace) === 'system-child') return t.path;
      return false;
    },
    examples: { match: ['mv /bin/bash /tmp/', 'sudo mv /etc/ssh/sshd_config x'], noMatch: ['mv a b', 'mv x /usr/local/bin/'] },
  },
  {
    id: 'filesystem.mv-to-null',
    group: 'filesystem',
    risk: 'high',
    commands: ['mv'],
    message: 'moves files onto /dev/null (deletes them)',
    why: 'the data is gone',
    match: (i) => targets(i.fact).at(-1)?.path === '/dev/null' && targets(i.fact).length >= 2,
    examples: { match: ['mv ~/.bashrc /dev/null'], noMatch: ['mv a b'] },
  },
  {
    id: 'filesystem.mv-outside',
    group: 'filesystem',
    risk: 'medium',
    commands: ['mv', 'cp'],
    message: 'moves or overwrites files outside the workspace',
    why: 'files outside the project are not tracked by its version control',
    match: (i) => {
      if (i.fact.name === 'cp') {
        const last = targets(i.fact).at(-1);
        return last?.path != null && targets(i.fact).length >= 2 && ['home-child', 'outside', 'system-child'].includes(classify(last.path, i.home, i.workspace)) ? last.path : false;
      }
      for (const t of targets(i.fact)) if (t.path !== null && ['home-child', 'outside', 'system-child', 'git'].includes(classify(t.path, i.home, i.workspace))) return t.path;
      return false;
    },
    examples: { match: ['mv ~/notes.txt /tmp/', 'cp x.conf ~/.config/app/'], noMatch: ['mv a.txt b.txt', 'cp a b'] },
  },
  {
    id: 'filesystem.chmod-system',
    group: 'filesystem',
    risk: 'critical',
    commands: ['chmod', 'chown', 'chgrp', 'setfacl'],
    message: 'recursively changes permissions or ownership of the root, a system directory, or home',
    why: 'breaks sudo, ssh and the system in ways that are very hard to undo',
    match: (i) => (hasShort(i.fact, 'R') || hasLong(i.fact, '--recursive') ? hit(i, CRITICAL) : false),
    examples: { match: ['chmod -R 777 /', 'chmod -R 777 /etc', 'sudo chown -R me /usr', 'chown -R nobody ~'], noMatch: ['chmod -R 755 .', 'chmod +x run.sh'] },
  },
  {
    id: 'filesystem.chmod-outside',
    group: 'filesystem',
    risk: 'high',
    commands: ['chmod', 'chown', 'chgrp'],
    message: 'recursively changes permissions outside the workspace',
    why: 'can expose private files (ssh keys) or break programs',
    match: (i) => (hasShort(i.fact, 'R') || hasLong(i.fact, '--recursive') ? hit(i, new Set(['home-child', 'outside', 'system-child', 'git'])) : false),
    examples: { match: ['chmod -R 777 ~/.ssh', 'chown -R x /var/www/site'], noMatch: ['chmod -R 755 .'] },
  },
  {
    id: 'filesystem.chmod-recursive',
    group: 'filesystem',
    risk: 'medium',
    commands: ['chmod', 'chown', 'chgrp'],
    message: 'recursively changes permissions in the workspace',
    why: 'mass permission changes are hard to review and undo',
    match: (i) => (hasShort(i.fact, 'R') || hasLong(i.fact, '--recursive') ? hit(i, new Set(['workspace', 'workspace-root', 'regenerable'])) || targets(i.fact).some((t) => t.path === null) : false),
    examples: { match: ['chmod -R 755 .', 'chown -R me src'], noMatch: ['chmod +x a.sh', 'chmod 600 key'] },
  },
  {
    id: 'filesystem.rsync-delete',
    group: 'filesystem',
    risk: 'critical',
    commands: ['rsync'],
    message: 'mirrors onto the root, a system directory or home with --delete',
    why: 'everything at the destination that is not in the source is deleted',
    match: (i) => {
      if (!i.fact.argv.some((a) => a.startsWith('--delete'))) return false;
      const dest = targets(i.fact).at(-1);
      return dest?.path != null && /^[^:]*$/.test(dest.raw) && CRITICAL.has(classify(dest.path, i.home, i.workspace)) ? dest.path : false;
    },
    examples: { match: ['rsync -a --delete empty/ ~/', 'rsync -a --delete-after x/ /'], noMatch: ['rsync -a --delete src/ backup/', 'rsync -a --delete ./ host:/srv/app/'] },
  },
  {
    id: 'filesystem.chmod-system-dir',
    group: 'filesystem',
    risk: 'high',
    commands: ['chmod', 'chown', 'chgrp'],
    message: 'changes permissions or ownership of the root, a system directory, or home',
    why: 'a wrong mode on / or /etc breaks logins, sudo and ssh',
    match: (i) => (hasShort(i.fact, 'R') || hasLong(i.fact, '--recursive') ? false : hit(i, CRITICAL)),
    examples: { match: ['chmod 000 /', 'chmod 777 /etc', 'sudo chown nobody /usr'], noMatch: ['chmod 600 ~/.ssh/id_ed25519', 'chmod +x run.sh'] },
  },
  {
    id: 'filesystem.chmod-world-writable',
    group: 'filesystem',
    risk: 'medium',
    commands: ['chmod'],
    message: 'makes files writable by every user',
    why: 'anyone on the machine can then change them',
    match: (i) => opts(i.fact).operands.some((a, k) => k === 0 && (/^[0-7]?[0-7][0-7][2367]$/.test(a) || /^(a|o|ugo)?\+[rwx]*w/.test(a))),
    examples: { match: ['chmod 777 run.sh', 'chmod o+w file'], noMatch: ['chmod 755 run.sh', 'chmod +x run.sh'] },
  },
  {
    id: 'filesystem.extract-over',
    group: 'filesystem',
    risk: 'high',
    commands: ['tar', 'gtar', 'bsdtar', 'unzip', '7z', '7za', 'cpio'],
    message: 'unpacks an archive over your home directory or a system directory (or with absolute paths)',
    why: 'whatever the archive holds lands there — it can replace ~/.bashrc, ~/.ssh/authorized_keys or files under /etc',
    match: (i) => {
      const f = i.fact;
      const a = f.argv.slice(1);
      let dir: string | undefined;
      let dynamic = false;
      const take = (k: number, v: string | undefined): void => {
        dir = v;
        dynamic = f.argDynamic?.[k] ?? false;
      };
      if (f.name === 'unzip') {
        const k = a.indexOf('-d');
        if (k >= 0) take(k + 2, a[k + 1]);
        else if (a.some((x) => /^-[a-zA-Z]*[lptvz]/.test(x))) return false; // lists, tests, comments: nothing written
      } else if (f.name === '7z' || f.name === '7za') {
        if (!/^(x|e)$/.test(a[0] ?? '')) return false;
        const k = a.findIndex((x) => x.startsWith('-o'));
        if (k >= 0) take(k + 1, a[k]!.slice(2));
      } else if (f.name === 'cpio') {
        if (!hasShort(f, 'i') && !hasLong(f, '--extract')) return false;
        const k = a.findIndex((x) => x === '-D' || x.startsWith('--directory'));
        if (k >= 0) take(k + 2, a[k]!.includes('=') ? a[k]!.slice(a[k]!.indexOf('=') + 1) : a[k + 1]);
      } else {
        // tar: -x / x (old style) / --extract / --get.
        const old = a[0] !== undefined && /^[a-zA-Z]+$/.test(a[0]) && a[0].includes('x');
        if (!old && !a.some((x) => /^-[a-zA-Z]*x/.test(x) || x === '--extract' || x === '--get')) return false;
        if (a.some((x) => x === '-P' || x === '--absolute-names' || (/^-[a-zA-Z]*P/.test(x) && !x.startsWith('--')))) return 'absolute names (-P)';
        for (let k = 0; k < a.length; k++) {
          if (a[k] === '-C' || a[k] === '--directory') take(k + 2, a[k + 1]);
          else if (a[k]!.startsWith('--directory=')) take(k + 1, a[k]!.slice(12));
          else if (/^-C./.test(a[k]!)) take(k + 1, a[k]!.slice(2));
        }
      }
      // Without a target directory the archive lands in the working directory: a system one counts
      // (unpacking downloads in HOME is what people do).
      const path = dir === undefined ? (f.cwd || null) : dynamic ? null : resolvePath(dir, f.cwd || null);
      if (path === null) return false;
      const c = classify(path, i.home, i.workspace);
      if (c === 'root' || c === 'system' || c === 'system-child' || (dir !== undefined && c === 'home') || (dir !== undefined && c === 'home-child' && /\/\.(ssh|config|local|gnupg)(\/|$)/.test(path))) return path;
      return false;
    },
    examples: {
      match: ['tar -xf x.tar -C ~', 'tar xzf x.tgz -C /', 'tar --extract --file=x.tar --directory=/etc', 'tar -C /usr/local -xf x.tar', 'tar -xPf x.tar', 'unzip -o x.zip -d ~', 'unzip x.zip -d /etc/cron.d', '7z x a.7z -o/usr', 'cpio -idm -D / < a.cpio', 'cd / && tar xf /tmp/x.tar', 'tar -xf x.tar -C ~/.ssh'],
      noMatch: ['tar -xf x.tar', 'tar -xzf x.tgz -C build', 'tar -czf x.tgz ~', 'tar -tf x.tar', 'unzip -l x.zip', 'unzip x.zip -d out', 'tar -xf x.tar -C ~/src', 'cd ~ && tar xf x.tar', '7z l a.7z'],
    },
  },
];
