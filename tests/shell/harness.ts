// Drives a real interactive bash/zsh/fish through tmux: a throwaway HOME and workspace per shell,
// a minimal rc that sources `vg init`, keys typed with send-keys, the screen read with capture-pane.
// Every line's exit status is appended to $HOME/.status by the test's own prompt hook (installed
// before vg's, so it also proves vg keeps $? intact); waiting for a new entry is how a test knows the
// line finished.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const VG = join(ROOT, 'dist', 'vg.js');
export type ShellName = 'bash' | 'zsh' | 'fish';

export function ensureBuilt(): void {
  if (!existsSync(VG)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}

export function have(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;

export interface StartOptions {
  /** Extra lines of config.yaml (default: mode auto). */
  config?: string;
  /** rc lines before `vg init` is sourced. */
  pre?: string;
  /** rc lines after. */
  post?: string;
  env?: Record<string, string>;
  /** Source the integration twice (the duplicate-eval case). */
  twice?: boolean;
  /**
   * Keep the shell's config ($XDG_CONFIG_HOME, with fish's config.fish) and the integration file in
   * the workspace: the sandbox replaces /tmp with its own, so a `fish -c` inside sees only files
   * in the workspace (bound in) of this throwaway tree.
   */
  configInWorkspace?: boolean;
}

export class Term {
  readonly dir: string;
  readonly home: string;
  readonly ws: string;
  private readonly sock: string;
  private statusCount = 0;

  private constructor(readonly shell: ShellName, dir: string) {
    this.dir = dir;
    this.home = join(dir, 'home');
    this.ws = join(dir, 'ws');
    this.sock = `vgt-${process.pid}-${++seq}`;
  }

  /** The shell's pid (the pane's), to find its analyzer at stop. */
  shellPid = 0;

  static async start(shell: ShellName, o: StartOptions = {}): Promise<Term> {
    ensureBuilt();
    const t = new Term(shell, mkdtempSync(join(tmpdir(), `vg-shell-${shell}-`)));
    const config = o.configInWorkspace ? join(t.ws, '.config') : join(t.home, '.config');
    mkdirSync(join(config, 'vg'), { recursive: true });
    mkdirSync(join(config, 'fish'), { recursive: true });
    // fish generates man-page completions in the background on first start unless this exists.
    mkdirSync(join(t.home, '.local', 'share', 'fish', 'generated_completions'), { recursive: true });
    mkdirSync(join(t.ws, 'src'), { recursive: true });
    writeFileSync(join(t.home, 'CANARY'), 'still here\n');
    writeFileSync(join(t.ws, 'CANARY'), 'still here\n');
    writeFileSync(join(t.ws, 'src', 'a.txt'), 'a\n');
    writeFileSync(join(config, 'vg', 'config.yaml'), o.config ?? 'sandbox:\n  mode: auto\n');
    const init = execFileSync(process.execPath, [VG, 'init', shell], { encoding: 'utf8' });
    const initFile = join(o.configInWorkspace ? config : t.dir, `vg.${shell}`);
    writeFileSync(initFile, init);
    const status = join(t.home, '.status');
    const src = o.twice ? `source ${initFile}\nsource ${initFile}\n` : `source ${initFile}\n`;
    if (shell === 'bash') {
      writeFileSync(
        join(t.home, '.bashrc'),
        `PS1='B$ '\nHISTFILE=$HOME/.bash_history\n__t_pc() { echo "$?" >> ${status}; }\nPROMPT_COMMAND=__t_pc\n${o.pre ?? ''}\n${src}${o.post ?? ''}\n`,
      );
    } else if (shell === 'zsh') {
      writeFileSync(
        join(t.home, '.zshrc'),
        `PS1='Z%% '\nHISTFILE=$HOME/.zsh_history\nHISTSIZE=200\nSAVEHIST=200\n__t_pc() { echo "$?" >> ${status}; }\nprecmd_functions+=(__t_pc)\n${o.pre ?? ''}\n${src}${o.post ?? ''}\n`,
      );
    } else {
      writeFileSync(
        join(config, 'fish', 'config.fish'),
        `set -g fish_greeting ''\nfunction fish_prompt; echo -n 'F> '; end\nfunction __t_pc --on-event fish_postexec; echo $status >> ${status}; end\n${o.pre ?? ''}\n${src}${o.post ?? ''}\n`,
      );
    }
    const env: Record<string, string> = {
      HOME: t.home,
      TERM: 'xterm-256color',
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'C.UTF-8',
      XDG_CONFIG_HOME: config,
      XDG_STATE_HOME: join(t.home, '.local', 'state'),
      XDG_DATA_HOME: join(t.home, '.local', 'share'),
      ...(o.env ?? {}),
    };
    const argv = shell === 'bash' ? ['bash', '-i'] : shell === 'zsh' ? ['zsh', '-i'] : ['fish', '-i'];
    const cmd = ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
    execFileSync('tmux', ['-L', t.sock, '-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '50', '-c', t.ws, ...cmd]);
    t.shellPid = Number(t.tmux('display', '-p', '#{pane_pid}').trim());
    // Ready when the analyzer has said hello: vg status prints its pid.
    await t.waitFor(() => t.screen().trimEnd().length > 0, 10000, 'a prompt');
    return t;
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.sock, ...args], { encoding: 'utf8' });
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-300');
  }

  statuses(): number[] {
    const f = join(this.home, '.status');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  }

  async waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (cond()) return;
      await sleep(25);
    }
    throw new Error(`timed out waiting for ${what} (${this.shell})\n----- screen -----\n${this.screen()}\n------------------`);
  }

  /** Type text literally (no Enter). */
  type(text: string): void {
    this.tmux('send-keys', '-l', text);
  }

  keys(...k: string[]): void {
    this.tmux('send-keys', ...k);
  }

  /** Paste with bracketed paste, like a terminal does. */
  paste(text: string): void {
    const buf = `b${seq}`;
    spawnSync('tmux', ['-L', this.sock, 'load-buffer', '-b', buf, '-'], { input: text });
    this.tmux('paste-buffer', '-p', '-d', '-b', buf);
  }

  /** Baseline for the next wait: statuses seen so far. */
  mark(): void {
    this.statusCount = this.statuses().length;
  }

  /** Wait until one more line finished; its exit status. */
  async done(ms = 15000): Promise<number> {
    const want = this.statusCount + 1;
    await this.waitFor(() => this.statuses().length >= want, ms, 'the line to finish');
    this.statusCount = want;
    return this.statuses()[want - 1]!;
  }

  /** Type a line, press Enter, wait for it to finish. */
  async run(line: string, ms?: number): Promise<number> {
    this.mark();
    this.type(line);
    this.keys('Enter');
    return this.done(ms);
  }

  /** Type a line whose answer is asked; wait for the question, press `key`, wait for the end. */
  async answer(line: string, key: string[]): Promise<number> {
    this.mark();
    const before = this.screen().split('[n]o').length;
    this.type(line);
    this.keys('Enter');
    await this.waitFor(() => this.screen().split('[n]o').length > before, 10000, 'the question');
    this.keys(...key);
    return this.done();
  }

  file(rel: string): string | null {
    const p = rel.startsWith('/') ? rel : join(this.ws, rel);
    return existsSync(p) ? readFileSync(p, 'utf8') : null;
  }

  /** The analyzer's pid (from `vg status --json`, as the shell function passes it). */
  async serverPid(): Promise<number> {
    await this.run('vg status --json > .vgstatus.json');
    const j = JSON.parse(this.file('.vgstatus.json') ?? '{}') as { server?: { pid?: number } };
    return j.server?.pid ?? 0;
  }

  stop(): void {
    try {
      this.tmux('kill-server');
    } catch {
      /* already gone */
    }
    // The shell's analyzer outlives it by up to its 2 s liveness check, and then writes the
    // session's last audit record into HOME: wait for it, or it makes the tree again.
    // (A FIFO-fed analyzer, zsh's and fish's, would wait out that check: it is told to stop now.)
    const gone = Date.now() + 4000;
    let pid = this.shellPid ? analyzerOf(this.shellPid) : 0;
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone already */
      }
    }
    while (pid && Date.now() < gone) {
      spawnSync('sleep', ['0.05']);
      pid = analyzerOf(this.shellPid);
    }
    // The throwaway tree goes; nothing outside it was ever the shell's HOME or cwd. The shell may
    // still be writing its history as it exits: retry.
    const end = Date.now() + 3000;
    for (;;) {
      try {
        rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
        return;
      } catch (e) {
        if (Date.now() > end) throw e;
        spawnSync('sleep', ['0.1']);
      }
    }
  }
}

/** What `vg analyze --json` says about a line, for the shell's HOME and cwd (a guard before typing it). */
export function analyzeLine(line: string, home: string, cwd: string): { risk: string; decision: string } {
  const out = execFileSync(process.execPath, [VG, 'analyze', '--json', line], {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.local', 'state') },
  });
  return JSON.parse(out) as { risk: string; decision: string };
}

/** The pid of `vg serve --pid <shellPid>`, or 0 (also where there is no /proc). A zombie counts as gone. */
function analyzerOf(shellPid: number): number {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  for (const p of pids) {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv.includes('serve') && argv[argv.indexOf('--pid') + 1] === String(shellPid)) return Number(p);
    } catch {
      /* gone meanwhile */
    }
  }
  return 0;
}
