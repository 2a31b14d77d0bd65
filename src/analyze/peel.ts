// Wrapper peeling: `sudo -u x env -i FOO=1 nice -n 5 timeout 10 rm …` is judged as `rm …` with
// the wrappers remembered (privilege rules read them). Each wrapper's own options are skipped with
// its real option grammar, so an option value is never mistaken for the wrapped command.
import type { EWord } from './words.ts';
import { basename } from './names.ts';

export interface Peeled {
  wrappers: string[];
  words: EWord[];
  /** `xargs`/`parallel`: the command also receives arguments from stdin. */
  xargs?: boolean;
  /** `xargs -I R` / `-i`: stdin items replace R in the arguments instead of being appended. */
  replace?: string;
  /** `env -C DIR` / `--chdir`: the command runs elsewhere. */
  chdir?: EWord;
  /** A string the wrapper runs as code: `env -S STRING`, `flock F -c CMD`, `entr -s CMD` (Grammar.code / codeFlag). */
  code?: EWord;
  /** A wrapper with no command after it (`sudo -i`, `env`, `xargs` alone). */
  bare?: boolean;
  /** `env NAME=VALUE …` words: the variables the command gets (facts.ts judges the code-bearing ones). */
  assigned?: EWord[];
}

interface Grammar {
  /** Options that take a separate value. */
  withValue: ReadonlySet<string>;
  /** Options that take more than one (bwrap's `--bind SRC DEST`): how many words they take. */
  arity?: Readonly<Record<string, number>>;
  /** A first positional to skip before the command (timeout's duration, chroot's root). */
  positional?: number;
  /** Stop at `VAR=value` words too (env). */
  assignments?: boolean;
  /** Options whose value is code the wrapper runs (`env -S`, `flock -c`). */
  code?: ReadonlySet<string>;
  /** An option cluster that makes the command word itself code run by a shell (`entr -s`). */
  codeFlag?: RegExp;
}

const g = (opts: string, positional = 0, assignments = false, extra: Pick<Grammar, 'code' | 'codeFlag'> = {}): Grammar => ({
  withValue: new Set(opts.split(' ').filter(Boolean)),
  positional,
  assignments,
  ...extra,
});
const codeOpts = (opts: string): Pick<Grammar, 'code'> => ({ code: new Set(opts.split(' ')) });

const GRAMMARS: Record<string, Grammar> = {
  sudo: g('-u --user -g --group -C --close-from -D --chdir -h --host -p --prompt -r --role -t --type -U --other-user -T --command-timeout -R --chroot'),
  doas: g('-u -C'),
  run0: g('-u --user -g --group -D --chdir --setenv --property --unit --description --slice --nice'),
  pkexec: g('--user'),
  env: g('-u --unset -C --chdir -S --split-string -P', 0, true, codeOpts('-S --split-string')),
  nice: g('-n --adjustment'),
  ionice: g('-c --class -n --classdata -p --pid -P --pgid -u --uid'),
  timeout: g('-s --signal -k --kill-after', 1),
  nohup: g(''),
  // fish's combiners (`make; and ll`): a bash parse reads them as commands; what follows is one.
  and: g(''),
  or: g(''),
  not: g(''),
  screen: g('-S -c -e -h -L -Logfile -p -s -t -T'),
  busybox: g(''),
  toybox: g(''),
  command: g(''),
  builtin: g(''),
  exec: g('-a'),
  time: g('-f --format -o --output'),
  stdbuf: g('-i --input -o --output -e --error'),
  chroot: g('--userspec --groups', 1),
  setsid: g(''),
  chrt: g('-T -P -D', 1),
  taskset: g('', 1),
  flock: g('-w --timeout -E --conflict-exit-code -c --command', 1, false, codeOpts('-c --command')),
  unbuffer: g(''),
  caffeinate: g('-t -w'),
  torsocks: g('-u -p -a -P'),
  proxychains: g('-f'),
  proxychains4: g('-f'),
  strace: g('-e -o -p -s -u -E -a -b -I -O -P -S -X'),
  ltrace: g('-e -o -p -s -u -n -a'),
  catchsegv: g(''),
  firejail: g(''),
  xargs: g('-I -L -n -P -s -d -E -a --arg-file --delimiter --max-args --max-procs --max-lines --replace --eof --process-slot-var'),
  parallel: g('-j --jobs -S --sshlogin --joblog --results -N --delay --timeout --retries --tag --tagstring -I --colsep -a --arg-file'),
  // Namespaces, privileges and scheduling (util-linux, systemd, numactl…): the command runs as typed, on the host.
  nsenter: g('-t --target -S --setuid -G --setgroups'),
  unshare: g('--map-user --map-group --map-users --map-groups -S --setuid -G --setgid -R --root -w --wd --propagation --setgroups --monotonic --boottime --load-interp'),
  setpriv: g('--reuid --regid --ruid --euid --rgid --egid --groups --inh-caps --ambient-caps --bounding-set --securebits --pdeathsig --selinux-label --apparmor-profile --landlock-access --landlock-rule --seccomp-filter'),
  prlimit: g('-p --pid -o --output'),
  'systemd-run': g(
    '-u --unit -p --property --description --slice -E --setenv --working-directory -M --machine -H --host --uid --gid --nice --on-active --on-boot --on-startup --on-unit-active --on-unit-inactive --on-calendar --timer-property --path-property --socket-property --service-type',
  ),
  numactl: g('-N --cpunodebind -m --membind -C --physcpubind -i --interleave -p --preferred -P --preferred-many'),
  setarch: g('', 1),
  linux32: g(''),
  linux64: g(''),
  faketime: g('', 1),
  fakeroot: g('-l --lib --faked -s -i -b'),
  eatmydata: g(''),
  nocache: g(''),
  chronic: g(''),
  cpulimit: g('-l --limit -p --pid -e --exe'),
  'aa-exec': g('-p --profile -n --namespace'),
  'ssh-agent': g('-a -E -t -P -O'),
  'dbus-run-session': g('--config-file --dbus-daemon'),
  'xvfb-run': g('-n --server-num -e --error-file -f --auth-file -p --xauth-protocol -s --server-args'),
  entr: g('', 0, false, { codeFlag: /^-[a-z]*s/ }),
  bwrap: {
    withValue: new Set(
      '--args --userns --userns2 --pidns --uid --gid --hostname --chdir --unsetenv --lock-file --sync-fd --tmpfs --dev --proc --mqueue --dir --remount-ro --exec-label --file-label --seccomp --add-seccomp-fd --block-fd --userns-block-fd --info-fd --json-status-fd --cap-add --cap-drop --perms --size --argv0 --overlay-src --tmp-overlay --ro-overlay'.split(' '),
    ),
    arity: Object.fromEntries(
      [...'--bind --bind-try --dev-bind --dev-bind-try --ro-bind --ro-bind-try --symlink --setenv --bind-data --ro-bind-data --file --chmod --ro-overlay'.split(' ').map((o) => [o, 2] as const), ['--overlay', 3] as const],
    ),
  },
};

export const WRAPPERS: ReadonlySet<string> = new Set(Object.keys(GRAMMARS));

/** Options of sudo that mean "do not run a command" (list, validate, forget credentials). */
const SUDO_NO_COMMAND = /^-[lkKvV]+$|^--(list|validate|reset-timestamp|remove-timestamp|version|help)$/;

export function peel(input: EWord[]): Peeled {
  let words = input;
  const wrappers: string[] = [];
  let xargs = false;
  let replace: string | undefined;
  let chdir: EWord | undefined;
  let assigned: EWord[] | undefined;
  let code: EWord | undefined;
  let commandIsCode = false;
  for (let guard = 0; guard < 32 && words.length > 0; guard++) {
    const name = basename(words[0]!.value);
    const gram = GRAMMARS[name];
    if (!gram || words[0]!.dynamic) break;
    // `command -v x` / `command -V x` only looks a name up; `exec` with only redirects changes fds.
    if (name === 'command' && words[1] && /^-[pvV]*[vV]/.test(words[1].value)) break;
    let i = 1;
    let pos = gram.positional ?? 0;
    let stop = false;
    while (i < words.length) {
      const w = words[i]!.value;
      if (w === '--') {
        i++;
        break;
      }
      if (name === 'sudo' && SUDO_NO_COMMAND.test(w)) {
        stop = true;
        break;
      }
      if (w.startsWith('-') && w.length > 1 && !(name === 'env' && w === '-')) {
        const eq = w.indexOf('=');
        const flag = eq > 0 ? w.slice(0, eq) : w;
        if (name === 'env' && (flag === '-C' || flag === '--chdir')) chdir = eq > 0 ? { ...words[i]!, value: w.slice(eq + 1) } : words[i + 1];
        if (gram.code?.has(flag)) code = eq > 0 ? { ...words[i]!, value: w.slice(eq + 1) } : words[i + 1];
        if (gram.codeFlag?.test(flag)) commandIsCode = true;
        if (gram.arity?.[flag] !== undefined && eq < 0) i += 1 + gram.arity[flag]!;
        else if (gram.withValue.has(flag) && eq < 0) i += 2;
        else if (/^-[a-zA-Z]$/.test(flag) || flag.startsWith('--')) i += 1;
        else {
          // A cluster like `-uroot` / `-n5` / `-Eu root`: the last letter may take the next word.
          const last = '-' + flag[flag.length - 1];
          const joinedValue = gram.withValue.has('-' + flag[1]) && flag.length > 2;
          i += !joinedValue && gram.withValue.has(last) ? 2 : 1;
        }
        continue;
      }
      if (name === 'env' && w === '-') {
        i++;
        continue;
      }
      if (name === 'nice' && /^-\d+$/.test(w)) {
        i++;
        continue;
      }
      if (gram.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) {
        (assigned ??= []).push(words[i]!);
        i++;
        continue;
      }
      if (pos > 0) {
        pos--;
        i++;
        continue;
      }
      break;
    }
    if (name === 'xargs' || name === 'parallel') xargs = true;
    if (name === 'xargs') {
      for (let k = 1; k < i; k++) {
        const v = words[k]!.value;
        if (v === '-I' || v === '--replace') replace = words[k + 1]?.value ?? '{}';
        else if (v.startsWith('-I')) replace = v.slice(2);
        else if (v === '-i' || v === '--replace') replace = '{}';
        else if (v.startsWith('-i') || v.startsWith('--replace=')) replace = v.slice(v.startsWith('-i') ? 2 : 10);
      }
    }
    wrappers.push(name);
    if (stop) return { wrappers: wrappers.slice(0, -1), words, bare: true };
    if (code) return { wrappers, words: [], code, chdir };
    const rest = words.slice(i);
    if (commandIsCode && rest[0]) return { wrappers, words: [], code: rest[0], chdir };
    if (rest.length === 0) {
      // `xargs` alone runs `echo`; `env`/`sudo -i` alone is the wrapper itself acting.
      if (name === 'xargs') return { wrappers, words: [{ ...words[0]!, value: 'echo', ifEmpty: 'echo' }], xargs: true, chdir };
      return { wrappers: wrappers.slice(0, -1), words, bare: true, chdir };
    }
    if (name === 'parallel') {
      const k = rest.findIndex((w) => w.value === ':::' || w.value === '::::');
      words = k >= 0 ? rest.slice(0, k) : rest;
      continue;
    }
    words = rest;
  }
  return { wrappers, words, xargs, chdir, ...(replace !== undefined ? { replace } : {}), ...(assigned ? { assigned } : {}) };
}
