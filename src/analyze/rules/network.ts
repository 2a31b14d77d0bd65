// Downloads, clones, remote sessions and package installs: third-party code and the network.
import type { CommandFact } from '../types.ts';
import type { Rule } from './types.ts';
import { hasLong, hasShort, opts } from './helpers.ts';
import { gitArgs } from './git.ts';

/** A URL (or host) on this machine's loopback. */
export const LOCAL_URL = /^(https?:\/\/)?(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\])(:\d+)?(\/|$)/;

/** Sub-command of a package manager, skipping its global options. */
function pm(f: CommandFact): string[] {
  return opts(f).operands;
}

const INSTALL: Record<string, RegExp> = {
  npm: /^(install|i|ci|add|update|up|upgrade|uninstall|un|remove|rm|r|link|ln|exec|x|audit|dedupe|rebuild|init|create|publish)$/,
  yarn: /^(install|add|upgrade|up|remove|dlx|create|global|link|import|set)$/,
  pnpm: /^(install|i|add|update|up|upgrade|remove|rm|un|uninstall|dlx|create|import|link|fetch|rebuild|publish|exec)$/,
  bun: /^(install|i|add|a|update|remove|rm|upgrade|create|link|x|publish)$/,
  deno: /^(install|add|upgrade|cache)$/,
  pip: /^(install|uninstall|download|wheel)$/,
  pip3: /^(install|uninstall|download|wheel)$/,
  pipx: /^(install|run|upgrade|upgrade-all|inject|reinstall|uninstall)$/,
  uv: /^(add|sync|remove|lock|pip|tool|run|venv|python)$/,
  uvx: /./,
  poetry: /^(install|add|update|remove|lock|self)$/,
  pdm: /^(install|add|update|remove|sync)$/,
  conda: /^(install|create|update|remove|env)$/,
  mamba: /^(install|create|update|remove)$/,
  cargo: /^(build|b|install|add|run|r|update|fetch|publish|uninstall|remove|generate-lockfile|vendor|check|c|clippy|doc)$/,
  go: /^(get|install|mod|generate|build|run)$/,
  gem: /^(install|update|uninstall)$/,
  bundle: /^(install|update|add|exec)$/,
  bundler: /^(install|update)$/,
  composer: /^(install|require|update|remove|create-project|global)$/,
  apt: /^(install|remove|purge|upgrade|full-upgrade|dist-upgrade|autoremove|update)$/,
  'apt-get': /^(install|remove|purge|upgrade|dist-upgrade|autoremove|update|build-dep)$/,
  aptitude: /^(install|remove|purge|upgrade)$/,
  dnf: /^(install|remove|upgrade|update|erase|reinstall|group)$/,
  yum: /^(install|remove|upgrade|update|erase|reinstall)$/,
  zypper: /^(install|in|remove|rm|update|up|dup)$/,
  apk: /^(add|del|upgrade|update)$/,
  pacman: /./,
  yay: /./,
  brew: /^(install|reinstall|uninstall|remove|upgrade|tap|update|bundle)$/,
  port: /^(install|uninstall|upgrade|selfupdate)$/,
  snap: /^(install|remove|refresh)$/,
  flatpak: /^(install|uninstall|update)$/,
  nix: /^(profile|shell|run|develop|build|env)$/,
  'nix-env': /./,
  mvn: /^(install|deploy|dependency:.*)$/,
  npx: /./,
  bunx: /./,
  pnpx: /./,
  dotnet: /^(add|restore|tool)$/,
  nuget: /^(install|restore)$/,
  helm: /^(repo|dependency|dep|pull)$/,
  cpan: /./,
  cpanm: /./,
  luarocks: /^(install|remove)$/,
  opam: /^(install|upgrade|remove)$/,
  stack: /^(install|build|setup)$/,
  cabal: /^(install|update|build)$/,
  mix: /^(deps\.get|archive\.install|local\.hex)$/,
  sdk: /^(install|i|uninstall)$/,
  asdf: /^(install|plugin)$/,
  mise: /^(install|use|i)$/,
  volta: /^(install|fetch)$/,
  // `nvm use` only switches to an installed version (a PATH change in the shell); install downloads.
  nvm: /^(install|reinstall-packages)$/,
  rustup: /^(install|update|toolchain|target|component|default)$/,
  // Actions are options here (see the rule): a .deb/.rpm runs its maintainer scripts as root.
  dpkg: /^(-[iAxXrP]|--(install|unpack|record-avail|extract|vextract|configure|remove|purge))$/,
  rpm: /^(-[a-zA-Z]*[iUFe][a-zA-Z]*|--(install|upgrade|freshen|erase|reinstall))$/,
};

export const networkRules: Rule[] = [
  {
    id: 'packages.install',
    group: 'packages',
    risk: 'medium',
    commands: Object.keys(INSTALL),
    message: 'installs, updates or runs third-party packages',
    why: 'packages run install scripts and arbitrary code from the registry',
    match: (i) => {
      const f = i.fact;
      const ops = pm(f);
      const re = INSTALL[f.name]!;
      if (f.name === 'yarn') return ops.length === 0 || re.test(ops[0]!) ? `yarn ${ops[0] ?? 'install'}` : false;
      if (f.name === 'npx' || f.name === 'bunx' || f.name === 'pnpx' || f.name === 'uvx' || f.name === 'cpan' || f.name === 'cpanm' || f.name === 'nix-env') return f.name;
      if (f.name === 'pacman' || f.name === 'yay') return f.argv.some((a) => /^-[A-Za-z]*[SUR]/.test(a) && !/^-Q/.test(a) && !/^-S[si]+$/.test(a)) ? f.argv.slice(0, 2).join(' ') : false;
      if (f.name === 'dpkg' || f.name === 'rpm') {
        // rpm's queries and checks (`-qi`, `-Va`) carry the same letters.
        const act = f.argv.slice(1).find((a) => re.test(a) && !(f.name === 'rpm' && /^-[a-zA-Z]*[qVK]/.test(a)));
        return act ? `${f.name} ${act}` : false;
      }
      if (f.name === 'go') {
        if (ops[0] === 'mod') return /^(download|tidy|vendor|get)$/.test(ops[1] ?? '') ? `go mod ${ops[1]}` : false;
        return ops[0] === 'get' || ops[0] === 'install' ? `go ${ops[0]}` : false;
      }
      if (f.name === 'npm' && ops[0] === 'exec') return 'npm exec';
      const s = ops[0] ?? (f.name === 'bundle' || f.name === 'composer' || f.name === 'pnpm' || f.name === 'bun' ? 'install' : '');
      return s !== '' && re.test(s) ? `${f.name} ${s}` : false;
    },
    examples: {
      match: ['npm install', 'npm ci', 'npm i lodash@4', 'yarn', 'yarn add -D typescript', 'pnpm install --frozen-lockfile', 'pip install -U pip', 'cargo build --release', 'cargo add serde', 'go mod download', 'gem install bundler', 'npx prettier --write .', 'npm uninstall react', 'apt-get install -y jq', 'brew install jq', 'uv add httpx', 'pipx run black', 'dpkg -i ./x.deb', 'dpkg --install x.deb', 'rpm -ivh x.rpm', 'rpm -Uvh x.rpm'],
      noMatch: ['dpkg -l', 'dpkg -L bash', 'rpm -qi bash', 'rpm -qa', 'npm run dev', 'npm test -- --watch', 'cargo test', 'go test ./...', 'pnpm -r build', 'pip list', 'npm ls', 'yarn test', 'brew list'],
    },
  },
  {
    id: 'packages.python-module-install',
    group: 'packages',
    risk: 'medium',
    commands: ['python', 'python3', 'python2', 'py'],
    message: 'installs Python packages',
    why: 'packages run arbitrary code at install time',
    match: (i) => {
      const a = i.fact.argv;
      const m = a.indexOf('-m');
      return m > 0 && /^(pip|pip3|ensurepip|pipx|uv|poetry)$/.test(a[m + 1] ?? '') && /^(install|uninstall|download|run)$/.test(a[m + 2] ?? '') ? `-m ${a[m + 1]} ${a[m + 2]}` : false;
    },
    examples: { match: ['python3 -m pip install black', 'python -m pip install -r req.txt'], noMatch: ['python3 -m http.server 8000', 'python3 -m venv .venv', 'python3 -m pip list'] },
  },
  {
    id: 'packages.global-install',
    group: 'packages',
    risk: 'medium',
    commands: ['npm', 'pnpm', 'yarn', 'bun'],
    message: 'installs a package globally',
    why: 'global packages land on your PATH and run outside any project',
    match: (i) => (hasShort(i.fact, 'g') || hasLong(i.fact, '--global') || i.fact.argv[1] === 'global' ? 'global install' : false),
    examples: { match: ['npm install -g pnpm', 'yarn global add x'], noMatch: ['npm install'] },
  },
  {
    id: 'network.download',
    group: 'network',
    risk: 'medium',
    commands: ['curl', 'wget', 'fetch', 'aria2c', 'http', 'https', 'xh', 'axel', 'lftp', 'ftp', 'tftp'],
    message: 'downloads files from the network',
    why: 'brings third-party content onto the machine',
    match: (i) => {
      const f = i.fact;
      const a = f.argv;
      const url = opts(f).operands.find((x) => /^[a-z]+:\/\//i.test(x) || /\.[a-z]{2,}(\/|:|$)/i.test(x)) ?? '';
      if (LOCAL_URL.test(url)) return false;
      if (f.name === 'curl') {
        const toFile = a.some((x) => /^(-o|-O|--output|--remote-name|--remote-name-all|-[a-zA-Z]*[oO])$/.test(x) || x.startsWith('--output=')) || f.redirects.some((r) => r.op === '>' || r.op === '>>');
        const upload = a.some((x) => /^(-T|--upload-file|-F|--form)$/.test(x));
        return toFile || upload ? url || 'curl' : false;
      }
      if (f.name === 'wget') {
        // wget saves to a file unless told to write stdout.
        const stdout = a.some((x, k) => (x === '-O' || x === '--output-document') && a[k + 1] === '-') || a.some((x) => /^-[a-zA-Z]*O-$|^--output-document=-$|^-qO-$/.test(x));
        return stdout && !f.redirects.some((r) => r.op === '>') ? false : url || 'wget';
      }
      if (f.name === 'http' || f.name === 'https' || f.name === 'xh') return a.includes('--download') || a.includes('-d') ? url : false;
      return url || f.name;
    },
    examples: { match: ['curl -o data.json https://api.github.com/repos/x/y', 'wget -q https://x.dev/file.zip', 'curl -L https://x/y > y.tgz', 'curl -O https://x/y.tgz'], noMatch: ['curl -X POST -d "{}" http://localhost:3000/api', 'curl -sf localhost:3000', 'wget -qO- https://x | jq .', 'curl https://api.x/y'] },
  },
  {
    id: 'network.git-remote',
    group: 'network',
    risk: 'medium',
    commands: ['git', 'gh', 'hub'],
    message: 'clones or pulls code from a remote repository',
    why: 'brings third-party code (and possibly hooks or build scripts) into the workspace',
    match: (i) => {
      const f = i.fact;
      if (f.name !== 'git') return opts(f).operands[0] === 'repo' && opts(f).operands[1] === 'clone' ? 'gh repo clone' : false;
      const { cmd, args } = gitArgs(f);
      if (cmd === 'clone' || cmd === 'pull') return cmd;
      if (cmd === 'submodule' && /^(update|add|sync)$/.test(args[0] ?? '')) return `submodule ${args[0]}`;
      return false;
    },
    examples: { match: ['git clone git@github.com:x/y.git', 'git pull', 'git pull --rebase', 'git submodule update --init'], noMatch: ['git fetch --all', 'git status', 'git push origin feature/x'] },
  },
  {
    id: 'network.remote-copy',
    group: 'network',
    risk: 'medium',
    commands: ['scp', 'rsync', 'sftp', 'rclone', 'sshfs'],
    message: 'copies files from or to a remote host',
    why: 'moves data across machines, in either direction',
    match: (i) => opts(i.fact).operands.find((x) => /^([\w.-]+@)?[\w.-]+:/.test(x) && !/^[a-z]+:\/\//.test(x)) ?? (i.fact.name === 'sftp' || i.fact.name === 'sshfs'),
    examples: { match: ['scp -r ./dist user@example.com:/var/www/', 'rsync -avz host:/srv/app/ ./app', 'scp me@host:f .'], noMatch: ['rsync -a src/ dst/', 'scp a b'] },
  },
  {
    id: 'network.remote-command',
    group: 'network',
    risk: 'medium',
    commands: ['ssh', 'mosh'],
    message: 'runs a command or opens a tunnel on a remote host',
    why: 'what runs over there is not judged here',
    match: (i) => {
      const f = i.fact;
      const a = f.argv;
      let k = 1;
      while (k < a.length && a[k]!.startsWith('-')) k += /^-[bcDEeFIiJLlmOoPpQRSWw]$/.test(a[k]!) ? 2 : 1;
      const rest = a.slice(k + 1);
      return rest.length > 0 ? rest.join(' ') : a.some((x) => /^-[a-zA-Z]*[LRDNW]/.test(x)) ? 'tunnel' : false;
    },
    examples: { match: ["ssh host 'cd /srv && git pull'", 'ssh -L 8080:localhost:80 user@host -N', 'ssh host bash -s < script.sh'], noMatch: ['ssh host', 'ssh -i key user@host'] },
  },
  {
    id: 'network.listen',
    group: 'network',
    risk: 'medium',
    commands: ['nc', 'ncat', 'netcat', 'socat'],
    message: 'opens a raw network connection or listener',
    why: 'raw sockets move data in or out with no protocol checks',
    match: (i) => i.fact.name,
    examples: { match: ['nc -l 8080', 'nc -zv host 22'], noMatch: ['echo nc'] },
  },
];
