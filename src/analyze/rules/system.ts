// The machine itself: fork bombs, auth and boot files, privilege, power and process control.
import type { Rule } from './types.ts';
import { hasLong, hasShort, opts, sub, subIn, targets, writeTargets } from './helpers.ts';
import { isWithin } from '../resolve.ts';
import { PRIV } from '../names.ts';
import { VG_SHELL_VAR } from '../facts.ts';

const AUTH_FILES = /^\/etc\/(passwd|shadow|gshadow|group|sudoers|master\.passwd|pam\.d(\/.*)?|sudoers\.d(\/.*)?|security(\/.*)?|nsswitch\.conf|login\.defs)$/;

/** Groups that amount to root on a typical Linux machine. */
const PRIV_GROUP = /^(sudo|wheel|admin|root|docker|lxd|disk|shadow|adm)$/;

export const systemRules: Rule[] = [
  {
    id: 'fork-bomb.recursive-function',
    group: 'fork-bomb',
    risk: 'critical',
    message: 'a fork bomb: a function that spawns copies of itself',
    why: 'exponential process creation freezes the machine until reboot',
    match: (i) => i.fact.recursion === 'fanout',
    examples: { match: [':(){ :|:& };:', 'f(){ f|f& }; f', 'bomb() { bomb | bomb & }; bomb', 'function x { x & x; }; x', 'perl -e "fork while fork"'], noMatch: ['f() { echo hi; }; f', 'f(){ f|f& }'] },
  },
  {
    id: 'system-files.auth',
    group: 'system-files',
    risk: 'critical',
    message: 'writes or truncates the system account, password or sudo files (or /boot)',
    why: 'a damaged passwd/shadow/sudoers or boot file locks everyone out or stops the machine booting',
    match: (i) => {
      for (const t of writeTargets(i.fact)) if (AUTH_FILES.test(t) || isWithin(t, '/boot')) return t;
      const f = i.fact;
      if (/^(rm|unlink|shred|truncate|mv)$/.test(f.name)) {
        for (const p of f.paths) if (AUTH_FILES.test(p) || isWithin(p, '/boot')) return p;
      }
      return false;
    },
    examples: { match: ['> /etc/shadow', 'echo x >> /etc/passwd', 'sudo tee /etc/sudoers', 'cp evil /etc/sudoers', 'rm /etc/passwd', 'sudo truncate -s0 /etc/group', 'dd if=x of=/boot/vmlinuz'], noMatch: ['cat /etc/passwd', "awk -F: '{print $1}' /etc/passwd"] },
  },
  {
    id: 'system-files.etc-write',
    group: 'system-files',
    risk: 'high',
    message: 'writes a system file under /etc, /usr, /bin, /lib or /sbin',
    why: 'changes how the whole system behaves, for every user',
    match: (i) => writeTargets(i.fact).find((t) => /^\/(etc|usr|bin|sbin|lib\d*|opt|var\/lib)(\/|$)/.test(t)) ?? false,
    examples: { match: ['echo 127.0.0.1 x >> /etc/hosts', 'sudo tee /etc/hosts.d/x <<< y', 'cp x /usr/local/bin/x'], noMatch: ['cat /etc/hosts', 'echo hi > out.txt'] },
  },
  {
    id: 'privilege.escalation',
    group: 'privilege',
    risk: 'high',
    message: 'runs with root (or another user’s) privileges',
    why: 'a mistake as root has no limits; nothing protects the system from the command',
    match: (i) => {
      const w = i.fact.wrappers.find((x) => PRIV.has(x));
      if (w) return `${w} ${i.fact.name}`;
      if (PRIV.has(i.fact.name)) {
        // `sudo -l` / `-k` / `-v` only list, forget or refresh credentials.
        if ((i.fact.name === 'sudo' || i.fact.name === 'doas') && /^-[lkKV]+$|^--(list|reset-timestamp|remove-timestamp|version|help)$/.test(i.fact.argv[1] ?? '')) return false;
        return i.fact.name;
      }
      return false;
    },
    examples: { match: ['sudo apt-get install -y jq', "su -c 'id'", 'sudo -i', 'doas reboot', 'pkexec bash', 'sudo -u root rm x', 'sudo !!'], noMatch: ['sudo -l', 'which sudo', 'echo sudo', 'man sudo'] },
  },
  {
    id: 'privilege.setuid',
    group: 'privilege',
    risk: 'high',
    commands: ['chmod', 'setcap', 'install'],
    message: 'sets the setuid/setgid bit or file capabilities',
    why: 'a setuid binary runs as its owner (often root) for anyone who can execute it',
    match: (i) => {
      const f = i.fact;
      if (f.name === 'setcap') return true;
      const mode = f.name === 'install' ? f.argv.find((a, k) => f.argv[k - 1] === '-m' || a.startsWith('--mode=')) : opts(f).operands[0];
      if (!mode) return false;
      const m = mode.replace(/^--mode=/, '');
      return /^[2467][0-7]{3}$/.test(m) || /^[ugoa]*[+=][rwxXt]*s/.test(m) ? m : false;
    },
    examples: { match: ['chmod +s ./helper', 'chmod u+s /usr/bin/x', 'chmod 4755 tool', 'setcap cap_net_raw+ep ./ping', 'install -m 4755 a /usr/bin/a'], noMatch: ['chmod +x run.sh', 'chmod 755 x', 'chmod 0644 x'] },
  },
  {
    id: 'privilege.accounts',
    group: 'privilege',
    risk: 'high',
    commands: ['passwd', 'chpasswd', 'usermod', 'useradd', 'adduser', 'userdel', 'deluser', 'groupmod', 'gpasswd', 'chage', 'vipw', 'vigr', 'visudo', 'newusers', 'pwck'],
    message: 'changes user accounts, passwords or group memberships',
    why: 'a removed password, a new uid-0 user or a user added to sudo/docker/wheel is a standing way in',
    match: (i) => {
      const f = i.fact;
      const a = f.argv.slice(1);
      const ops = opts(f).operands;
      switch (f.name) {
        case 'passwd':
          // Changing one's own password interactively is what passwd is for; status queries read.
          if (hasShort(f, 'S') || hasLong(f, '--status')) return false;
          return a.some((x) => /^-[a-zA-Z]*[deulx]|^--(delete|expire|lock|unlock|stdin)$/.test(x)) || ops.length > 0 ? f.argv.join(' ') : false;
        case 'usermod':
        case 'useradd':
        case 'adduser':
        case 'groupmod':
        case 'gpasswd':
          if (f.name === 'adduser' && ops.length === 2 && PRIV_GROUP.test(ops[1]!)) return `${ops[0]} → ${ops[1]}`;
          if (f.name === 'gpasswd' && a.some((x) => /^(-a|--add|-M|--members|-A|--administrators)$/.test(x)) && PRIV_GROUP.test(a.at(-1) ?? '')) return `group ${a.at(-1)}`;
          // Privileged groups, uid 0, a non-unique uid: what turns an account into root.
          if (a.some((x, k) => (/^(-[a-zA-Z]*G|--groups|-g|--gid|-a|--append|-A|--administrators|-M|--members)$/.test(a[k - 1] ?? '') || /^--groups=/.test(x)) && /(^|,)(sudo|wheel|admin|root|docker|lxd|disk|shadow|adm)(,|$)/.test(x.replace(/^--groups=/, '')))) return 'privileged group';
          if (a.some((x, k) => (/^(-u|--uid)$/.test(a[k - 1] ?? '') && x === '0') || /^--uid=0$/.test(x) || /^(-o|--non-unique)$/.test(x))) return 'uid 0';
          if (f.name === 'usermod' && a.some((x) => /^(-p|--password|-U|--unlock)$/.test(x))) return 'password';
          return false;
        default:
          return f.argv.join(' ');
      }
    },
    examples: {
      match: ['passwd -d root', 'passwd root', 'echo "root:x" | chpasswd', 'usermod -aG sudo mallory', 'usermod -a -G docker,wheel me', 'useradd -o -u 0 -g 0 toor', 'gpasswd -a me docker', 'adduser me sudo', 'userdel -r bob', 'deluser bob', 'visudo', 'usermod -p "" root'],
      noMatch: ['passwd', 'passwd -S root', 'useradd -m builder', 'usermod -s /bin/zsh me', 'id -Gn', 'groups'],
    },
  },
  {
    id: 'guard.self',
    group: 'guard',
    risk: 'high',
    message: "changes vg's own configuration, trust store or audit log",
    why: 'a line that rewrites the guard (mode: never, a trust entry, a trimmed audit log) decides what every later line may do',
    match: (i) => {
      const dirs = i.vgDirs ?? [];
      if (!dirs.length) return false;
      const hit = (p: string | null): boolean => p !== null && dirs.some((d) => p === d || isWithin(p, d));
      const w = writeTargets(i.fact).find(hit);
      if (w) return w;
      // Deleting, moving or re-permissioning them (rm, mv, chmod, truncate… name them as operands).
      if (/^(rm|mv|chmod|chown|truncate|shred|unlink|ln|chattr)$/.test(i.fact.name)) return targets(i.fact).find((t) => hit(t.path))?.path ?? false;
      return false;
    },
    examples: {
      match: ["echo 'sandbox: {mode: never}' > ~/.config/vg/config.yaml", "sed -i 's/always/never/' ~/.config/vg/config.yaml", 'truncate -s0 ~/.local/state/vg/audit.jsonl', 'rm ~/.local/state/vg/trust.jsonl', 'cp evil.yaml ~/.config/vg/config.yaml', 'mv ~/.config/vg /tmp/x'],
      noMatch: ['cat ~/.config/vg/config.yaml', 'vg config show', 'ls ~/.local/state/vg', 'echo x > ~/.config/other/vg.yaml'],
    },
  },
  {
    id: 'guard.unhook',
    group: 'guard',
    risk: 'high',
    commands: ['unset', 'unfunction', 'unalias', 'export', 'declare', 'typeset', 'local', 'readonly', 'set', 'functions', 'bind', 'bindkey', 'zle', 'trap'],
    message: "takes vg's hooks out of this shell (its functions, state or Enter key binding) — `vg off` by hand",
    why: 'every later line in this shell would run unjudged; `vg off` says so, and an agent may not do it',
    match: (i) => {
      const f = i.fact;
      const a = f.argv.slice(1);
      const ours = (w: string): boolean => VG_SHELL_VAR.test(w.replace(/[=[].*$/s, '')) || /^__vg_[\w-]*$/.test(w);
      switch (f.name) {
        case 'unset':
        case 'unfunction':
        case 'export':
        case 'declare':
        case 'typeset':
        case 'local':
        case 'readonly':
          return a.find((w) => !w.startsWith('-') && ours(w)) ?? false;
        case 'set':
          // fish: `set -e __vg_x`, `set -g __VG_STATE off`.
          return i.shell === 'fish' ? (a.find((w) => !w.startsWith('-') && ours(w)) ?? false) : false;
        case 'functions':
          return a.some((w) => /^(-e|--erase)$/.test(w)) ? (a.find((w) => ours(w)) ?? false) : false;
        case 'bind':
        case 'bindkey': {
          // Enter's bindings: \C-m, \C-j, \r, ^M, ^J, Return (bash bind -r / a new binding, zsh bindkey, fish bind).
          const enter = (w: string): boolean => /^["']?(\\C-[mjMJ]|\\[rn]|\^[MJ]|\\e\[13u|\\cM|\\cJ|enter|return)["']?(:|$)/i.test(w.replace(/^"(.*)":.*$/s, '"$1":'));
          // (fish's `bind \r …` arrives as the character itself.)
          const k = a.findIndex((w) => enter(w) || /^[\r\n]$/.test(w) || /^"(\\C-[mjMJ]|\\[rn])"\s*:/.test(w));
          if (k < 0) return false;
          if (f.name === 'bindkey' && a.some((w) => /^(-r|-d|-D)$/.test(w))) return a.join(' ');
          if (f.name === 'bind' && a.some((w) => /^(-r|--erase|-e)$/.test(w))) return a.join(' ');
          // A new binding for Enter (not listing it): what the key runs is no longer vg's hook.
          return a.length > k + (f.name === 'bind' && /:/.test(a[k]!) ? 0 : 1) || /:/.test(a[k]!) ? a.join(' ') : false;
        }
        case 'zle':
          return /^-[NADC]$/.test(a[0] ?? '') && a.some((w) => /^\.?accept-line$|^__vg/.test(w)) ? a.join(' ') : false;
        default:
          return false;
      }
    },
    examples: {
      match: ['unset -f __vg_decide', 'unset __VG_STATE', '__VG_STATE=off', 'export __VG_STATE=off', "bind -r '\\C-m'", `bind '"\\C-m": accept-line'`, "bindkey -r '^M'", "bindkey '^M' .accept-line", 'zle -N accept-line .accept-line', 'zle -A .accept-line accept-line', 'unfunction __vg_w_accept-line'],
      noMatch: ['unset FOO', 'export PATH=$PATH:/x', "bind -p", "bindkey '^R' history-incremental-search-backward", 'zle -N my-widget', "bind -x '\"\\C-t\": fzf-file-widget'", 'typeset -g X=1'],
    },
  },
  {
    id: 'power-process.power',
    group: 'power-process',
    risk: 'high',
    commands: ['shutdown', 'reboot', 'halt', 'poweroff', 'kexec', 'init', 'telinit', 'systemctl', 'loginctl'],
    message: 'shuts down, reboots or changes the run level of the machine',
    why: 'everything running is stopped, other users included',
    match: (i) => {
      const f = i.fact;
      if (/^(shutdown|reboot|halt|poweroff|kexec)$/.test(f.name)) return f.name;
      if (f.name === 'init' || f.name === 'telinit') return /^[0-6sS]$/.test(f.argv[1] ?? '') ? f.argv.join(' ') : false;
      if (f.name === 'systemctl') return subIn(f, /^(reboot|poweroff|halt|kexec|suspend|hibernate|rescue|emergency|isolate|soft-reboot)$/);
      if (f.name === 'loginctl') return subIn(f, /^(poweroff|reboot|terminate-session|terminate-user|kill-session|kill-user)$/);
      return false;
    },
    examples: { match: ['reboot', 'sudo shutdown -h now', 'systemctl poweroff', 'init 0', 'init 6'], noMatch: ['echo reboot', 'systemctl status nginx'] },
  },
  {
    id: 'power-process.services',
    group: 'power-process',
    risk: 'high',
    commands: ['systemctl', 'service', 'launchctl', 'rc-service', 'sv'],
    message: 'stops, disables or masks a system service',
    why: 'services the system or other people depend on go away',
    match: (i) => {
      const f = i.fact;
      const s = f.name === 'service' || f.name === 'rc-service' ? (opts(f).operands[1] ?? '') : sub(f);
      return /^(stop|disable|mask|kill|unload|bootout|remove|delete|down)$/.test(s) ? s : false;
    },
    examples: { match: ['systemctl stop sshd', 'systemctl disable --now docker', 'sudo systemctl mask foo', 'service nginx stop'], noMatch: ['systemctl status', 'systemctl list-units'] },
  },
  {
    id: 'power-process.service-restart',
    group: 'power-process',
    risk: 'medium',
    commands: ['systemctl', 'service'],
    message: 'starts, restarts or reloads a system service',
    why: 'briefly interrupts a running service',
    match: (i) => {
      const f = i.fact;
      const s = f.name === 'service' ? (opts(f).operands[1] ?? '') : sub(f);
      return /^(start|restart|reload|try-restart|reload-or-restart|daemon-reload|set-property)$/.test(s) ? s : false;
    },
    examples: { match: ['systemctl restart nginx', 'service nginx reload'], noMatch: ['systemctl status nginx'] },
  },
  {
    id: 'power-process.kill-all',
    group: 'power-process',
    risk: 'high',
    commands: ['kill', 'killall', 'pkill', 'killall5', 'skill', 'slay'],
    message: 'kills every process, init, or processes by name',
    why: '`kill -1` signals every process you own; by-name kills hit more than intended',
    match: (i) => {
      const f = i.fact;
      if (f.name !== 'kill') return f.name;
      const pids = f.argv.slice(1).filter((a) => !/^-(\d+|[A-Z]+|s|n|-signal|SIG\w+)$/.test(a) || a === '-1');
      const sigArgs = f.argv.slice(1);
      // `kill -9 -1`: the last `-1` is a pid; `kill -1 123` is SIGHUP to 123.
      const last = sigArgs[sigArgs.length - 1];
      if (last === '-1' && sigArgs.length >= 2) return 'kill -1 (every process)';
      if (pids.some((p) => p === '1' || p === '-1' && sigArgs.length === 1)) return 'kill 1';
      return false;
    },
    examples: { match: ['kill -9 -1', 'kill -KILL -1', 'kill 1', 'killall -9 node', 'pkill -f python', 'kill -s KILL -1'], noMatch: ['kill %1', 'kill 1234', 'kill -9 4321', 'kill -1 1234'] },
  },
  {
    id: 'power-process.sysctl',
    group: 'power-process',
    risk: 'high',
    commands: ['sysctl', 'modprobe', 'rmmod', 'insmod', 'swapoff', 'umount', 'mount'],
    message: 'changes kernel settings, modules or mounts',
    why: 'affects the whole running system',
    match: (i) => {
      const f = i.fact;
      if (f.name === 'sysctl') return hasShort(f, 'w') || hasLong(f, '--write') || f.argv.slice(1).some((a) => a.includes('=')) ? true : false;
      if (f.name === 'mount') return opts(f).operands.length >= 2 || f.argv.some((a) => a.includes('remount'));
      if (f.name === 'umount') return opts(f).operands.some((a) => a === '/' || /^\/(boot|home|usr|var)$/.test(a)) || hasShort(f, 'a');
      return f.name === 'swapoff' ? hasShort(f, 'a') : f.name !== 'modprobe' || hasShort(f, 'r');
    },
    examples: { match: ['sysctl -w kernel.x=1', 'rmmod nvme', 'umount -a', 'mount -o remount,rw /'], noMatch: ['sysctl kernel.hostname', 'mount', 'modprobe -n x'] },
  },
  {
    id: 'power-process.kernel-files',
    group: 'power-process',
    risk: 'high',
    message: 'writes kernel settings or triggers through /proc or /sys (sysrq, sysctl files, devices)',
    why: '/proc/sysrq-trigger crashes or reboots the machine at once; /proc/sys and /sys change the whole running system',
    match: (i) => writeTargets(i.fact).find((t) => /^\/proc\/(sysrq-trigger|sys\/|[0-9]+\/(oom_|mem$|attr\/))|^\/sys\//.test(t)) ?? false,
    examples: {
      match: ['echo c > /proc/sysrq-trigger', 'echo 1 > /proc/sys/kernel/sysrq', 'echo 3 | sudo tee /proc/sys/vm/drop_caches', 'echo 0 > /sys/class/net/eth0/carrier'],
      noMatch: ['cat /proc/sys/kernel/hostname', 'cat /sys/class/net/eth0/address', 'echo x > /tmp/sys'],
    },
  },
  {
    id: 'power-process.network-security',
    group: 'power-process',
    risk: 'high',
    commands: ['iptables', 'ip6tables', 'iptables-legacy', 'iptables-nft', 'nft', 'ufw', 'firewall-cmd', 'ip', 'ifconfig', 'ifdown', 'nmcli', 'setenforce', 'aa-teardown', 'aa-disable', 'pfctl'],
    message: 'flushes the firewall, takes a network interface down, or turns off SELinux/AppArmor',
    why: 'the machine is left open, or cut off (a remote session with it)',
    match: (i) => {
      const f = i.fact;
      const a = f.argv.slice(1);
      const ops = opts(f).operands;
      switch (f.name) {
        case 'nft':
          return subIn(f, /^(flush|delete)$/, 2);
        case 'ufw':
          return ops[0] === 'disable' || ops[0] === 'reset' ? `ufw ${ops[0]}` : false;
        case 'firewall-cmd':
          return a.some((x) => /^--(panic-on|set-default-zone=trusted|add-port|remove-service|permanent)$/.test(x) || x === '--set-default-zone') && !a.some((x) => /^--(list|get|query|state)/.test(x)) ? a.join(' ') : false;
        case 'ip':
          return /^(link|l)$/.test(ops[0] ?? '') && ops.includes('down') ? ops.join(' ') : /^(route|r|ro)$/.test(ops[0] ?? '') && /^(flush|del|delete|replace)$/.test(ops[1] ?? '') ? ops.slice(0, 3).join(' ') : false;
        case 'ifconfig':
          return ops.includes('down') ? ops.join(' ') : false;
        case 'ifdown':
          return ops[0] ?? true;
        case 'nmcli':
          return (/^(networking|n)$/.test(ops[0] ?? '') && ops[1] === 'off') || (/^(radio|r)$/.test(ops[0] ?? '') && ops.includes('off')) || (/^(device|d|connection|c|con)$/.test(ops[0] ?? '') && /^(down|disconnect|delete|del)$/.test(ops[1] ?? '')) ? ops.join(' ') : false;
        case 'setenforce':
          return ops[0] === '0' || /^permissive$/i.test(ops[0] ?? '') ? 'setenforce 0' : false;
        case 'pfctl':
          return a.some((x) => /^-[a-zA-Z]*[dF]/.test(x)) ? a.join(' ') : false;
        case 'aa-teardown':
        case 'aa-disable':
          return true;
        default:
          // iptables: flush, delete chains, an ACCEPT policy.
          return a.some((x, k) => /^(-F|--flush|-X|--delete-chain|-Z)$/.test(x) || (/^(-P|--policy)$/.test(a[k - 2] ?? '') && x === 'ACCEPT')) ? a.join(' ') : false;
      }
    },
    examples: {
      match: ['iptables -F', 'sudo iptables -P INPUT ACCEPT', 'nft flush ruleset', 'ufw disable', 'ip link set eth0 down', 'ifconfig eth0 down', 'nmcli networking off', 'setenforce 0', 'ip route flush all'],
      noMatch: ['iptables -L', 'nft list ruleset', 'ufw status', 'ip addr', 'ip link set eth0 up', 'nmcli device status', 'getenforce', 'ip route'],
    },
  },
];
