// The one pipeline every entry point shares (shell server, vg exec, agent hooks):
// line → analyze → trust → policy → sandbox plan → runtime invocation. No execution happens here.
import { homedir } from 'node:os';
import { maxRisk, riskRank, type Analysis, type Reason, type Risk } from '../analyze/types.ts';
import type { Decision } from '../policy/types.ts';
import type { SandboxPlan } from '../sandbox/types.ts';
import type { Invocation } from '../runtimes/types.ts';
import type { Config } from '../store/config/types.ts';
import { analyze } from '../analyze/index.ts';
import { decide } from '../policy/decide.ts';
import { loadConfig } from '../store/config/index.ts';
import { recheckTrust, trustStore } from '../store/trust.ts';
import { errorLine } from '../cli/errors.ts';
import { findGitRoot } from '../sandbox/plan.ts';
import { blockNotice, promptQuestion, sandboxNotice } from './notice.ts';
import type { Definitions } from './protocol.ts';
import { composeLine } from './definitions.ts';
import { findOnPath } from '../runtimes/which.ts';
import { withScripts } from './scripts.ts';

/** A script's content gets 4× a typed line's budgets (256 KiB to parse): it is judged once per version. */
const SCRIPT_SCALE = 4;

export type Env = Record<string, string | undefined>;

export interface JudgeContext {
  cwd: string;
  env: Env;
  /** A person can answer a question on /dev/tty now. */
  interactive: boolean;
  /** AI agent session (VG_AGENT=1 or a hook): never prompt; name for the audit log. */
  agent?: string;
  session: string;
  source: 'shell' | 'exec' | 'hook' | 'shim';
  flags?: { mode?: string; runtime?: string; security_level?: string; network_mode?: string; timeout?: string | number };
  /** `vg exec -- CMD ARGS…`: run this argv rather than a shell line (the line is its quoted form). */
  argv?: string[];
  /** The interactive shell the line was typed in: a sandboxed line runs under the same shell. */
  shell?: 'bash' | 'zsh' | 'fish';
  /** The shell checked that the line's first word is none of its functions (see PlanInput). */
  noShellFunction?: boolean;
  /** The shell's aliases and functions the line uses (definitions.ts): judged and run with them. */
  defs?: Definitions;
  /** Skip sandbox planning (vg analyze only needs the decision). */
  planSandbox?: boolean;
  /**
   * The resident analyzer (a line every few ms while a paste or a script is typed): the trust file
   * is looked at once a second like the config, rather than stat'ed per line; forgetCaches() after
   * a `vg …` line that may have changed either.
   */
  resident?: boolean;
  /** Bumped by the resident analyzer whenever the shell changes `env` in place (E, U requests). */
  envVersion?: number;
}

export interface Verdict {
  line: string;
  risk: Risk;
  decision: Decision;
  /** Policy's reason (why this decision). */
  reason: string;
  analysis: Analysis;
  trustedId?: string;
  /** One line for stderr: the sandbox notice, the block reason, or the question for a prompt. */
  notice: string;
  /** For sandbox decisions (and prompts, for the `s` answer): how to run it. */
  sandbox?: { runtime: string; plan: SandboxPlan; invocation: Invocation; note?: string; cached: boolean };
  /** The sandbox was chosen but cannot start (runtime missing…): one line; callers exit 125. */
  sandboxError?: string;
  /** Config notices (a project file tried to loosen security…), to show once. */
  notices: string[];
  config?: Config;
}

const shellPaths = new Map<string, string>();
/** Absolute path of a shell by name (the plan only accepts absolute shells); cached per process. */
function shellPath(name: string, env: Env): string {
  const hit = shellPaths.get(name);
  if (hit) return hit;
  const found = findOnPath(name, env.PATH) ?? '';
  if (found) shellPaths.set(name, found);
  return found;
}

// The resident analyzer judges every typed line; re-walking the directory tree for config files on
// each one costs more than the analysis itself. A change to a config file takes effect within this.
const CONFIG_TTL_MS = 1000;
const configCache = new Map<string, { at: number; env: Env; loaded: Loaded }>();

type Loaded = Awaited<ReturnType<typeof loadConfig>>;
const configKey = (ctx: JudgeContext): string => (ctx.flags ? `${ctx.cwd}\0${JSON.stringify(ctx.flags)}` : ctx.cwd);

/** The config configFor() loaded for this directory, while it is fresh (undefined: due a reload). */
function configCached(ctx: JudgeContext): Loaded | undefined {
  const hit = configCache.get(configKey(ctx));
  return hit && hit.env === ctx.env && Date.now() - hit.at < CONFIG_TTL_MS ? hit.loaded : undefined;
}

async function configFor(ctx: JudgeContext): Promise<Loaded> {
  const hit = configCached(ctx);
  if (hit) return hit;
  const key = configKey(ctx);
  const now = Date.now();
  const loaded = await loadConfig({ cwd: ctx.cwd, env: ctx.env, flags: ctx.flags });
  if (configCache.size > 64) configCache.clear();
  configCache.set(key, { at: now, env: ctx.env, loaded });
  return loaded;
}

const workspaceCache = new Map<string, { at: number; root: string }>();
/** The git root (else cwd), looked up at most once a second per directory: it is a stat per level. */
function workspaceFor(cwd: string): string {
  const now = Date.now();
  const hit = workspaceCache.get(cwd);
  if (hit && now - hit.at < CONFIG_TTL_MS) return hit.root;
  const root = findGitRoot(cwd) ?? cwd;
  if (workspaceCache.size > 64) workspaceCache.clear();
  workspaceCache.set(cwd, { at: now, root });
  return root;
}

/**
 * The resident analyzer's memo of analyses: people retype the same lines (`git status`, `ls`, a
 * test command) and the analysis is a pure function of the line, cwd, home, workspace, rules and
 * environment — so a line is analysed again only when one of those changed. Trust and policy are
 * still looked up on every line.
 */
const MEMO_MAX = 256;
const analysisMemo = new Map<string, { rules: string; env: Env; envVersion: number; analysis: Analysis }>();
// The config is reloaded (a new object) once a second, while someone types a line every few: the
// memo compares what the analysis reads of it, the rules, by content.
const rulesKeys = new WeakMap<Config, string>();
function rulesKey(config: Config): string {
  let k = rulesKeys.get(config);
  if (k === undefined) {
    k = JSON.stringify(config.rules ?? null);
    rulesKeys.set(config, k);
  }
  return k;
}
function analyzeMemo(line: string, ctx: JudgeContext, o: { config: Config; home: string; workspace: string }): Analysis {
  const run = () => analyze(line, { cwd: ctx.cwd, home: o.home, env: ctx.env, rules: o.config.rules, workspace: o.workspace, ...(ctx.shell ? { shell: ctx.shell } : {}) });
  if (!ctx.resident) return run();
  const key = `${line}\0${ctx.cwd}\0${o.home}\0${o.workspace}\0${ctx.shell ?? ''}`;
  const hit = analysisMemo.get(key);
  const envVersion = ctx.envVersion ?? 0;
  const rules = rulesKey(o.config);
  if (hit && hit.rules === rules && hit.env === ctx.env && hit.envVersion === envVersion) {
    // Most recently used last: the oldest entry is the one to drop.
    analysisMemo.delete(key);
    analysisMemo.set(key, hit);
    return hit.analysis;
  }
  const analysis = run();
  analysisMemo.delete(key);
  if (analysisMemo.size >= MEMO_MAX) analysisMemo.delete(analysisMemo.keys().next().value as string);
  analysisMemo.set(key, { rules, env: ctx.env, envVersion, analysis });
  return analysis;
}

/**
 * The line changes the shell (Analysis.changesShell) and nothing else in it calls for a sandbox: its
 * medium reasons, if any, are all the eval of a command's output — how env-setup tools work
 * (`eval "$(ssh-agent -s)"`, conda's `__conda_activate`). A medium reason of any other kind keeps the
 * sandbox: `eval "npm install x"` or a function that cds and installs must not use the shell change
 * as a way out of it.
 */
export function changesShellOnly(a: Analysis): boolean {
  return a.changesShell === true && a.reasons.every((r) => r.risk !== 'medium' || r.rule === 'remote-code.dynamic-code');
}

/**
 * The shell stopped following the functions the line calls (nested more than 8 deep, or over 64 KB
 * of definitions: a whole library such as nvm's): what the rest does was not judged, so the line is
 * at least medium — sandboxed in modes auto and always, never waved through on the host.
 */
const INCOMPLETE_DEFINITIONS: Reason = {
  rule: 'shell.definitions-incomplete',
  risk: 'medium',
  message: 'calls more of your shell functions than vg follows (8 levels, 64 KB of definitions)',
  why: 'the functions it did not judge run too; in the sandbox they cannot harm the host',
};

/** Aliases vg could not place in a line it cannot parse: what the shell runs was not judged. */
const unplacedAliases = (names: string[]): Reason => ({
  rule: 'shell.alias-unplaced',
  risk: 'high',
  message: `uses your alias${names.length > 1 ? 'es' : ''} ${names.join(', ')} in a line vg cannot parse, so what they stand for was not judged`,
  why: 'the shell expands aliases before running the line; spell the alias out or fix the syntax',
});

/** The analysis with one more reason: risk raised to it, reasons kept highest first. */
function withReason(a: Analysis, r: Reason): Analysis {
  return { ...a, risk: maxRisk(a.risk, r.risk), reasons: [...a.reasons, r].sort((x, y) => riskRank(y.risk) - riskRank(x.risk)) };
}

/** Drop the cached config, workspace roots, analyses and trust check: the next line sees the files as they are now. */
export function forgetCaches(): void {
  configCache.clear();
  workspaceCache.clear();
  analysisMemo.clear();
  recheckTrust();
}

/** Everything judge() does before sandbox planning — all of it synchronous, given the config. */
function judgeCore(typed: string, ctx: JudgeContext, { config, notices }: Loaded): { verdict: Verdict; composed: ReturnType<typeof composeLine> | undefined; home: string } {
  const home = ctx.env.HOME || homedir();
  // The workspace (git root, else cwd) decides what counts as "inside the project" for deletes.
  const workspace = workspaceFor(ctx.cwd);
  const composed = ctx.defs ? composeLine(typed, ctx.defs, ctx.shell) : undefined;
  const line = composed?.judged ?? typed;
  let analysis = analyzeMemo(line, ctx, { config, home, workspace });
  if (composed?.unplaced.length) analysis = withReason(analysis, unplacedAliases(composed.unplaced));
  if (ctx.defs?.incomplete) analysis = withReason(analysis, INCOMPLETE_DEFINITIONS);
  // Files the line runs as shell code (`source x`, `bash x`, `./x`) are judged by their content.
  analysis = withScripts(analysis, {
    env: ctx.env,
    ...(ctx.shell ? { shell: ctx.shell } : {}),
    analyze: (text, cwd, shell) => analyze(text, { cwd, home, env: ctx.env, rules: config.rules, workspace, scale: SCRIPT_SCALE, ...(shell ? { shell } : {}) }),
    key: `${home}\0${workspace}\0${rulesKey(config)}`,
  });
  const risk = analysis.risk;
  // A critical line is never looked up: trust cannot apply to it.
  const trusted = risk === 'critical' ? null : trustStore(ctx.env).match(line, ctx.resident ? { maxAgeMs: CONFIG_TTL_MS } : undefined);
  const policy = decide({
    risk,
    stateOnly: analysis.stateOnly,
    readsShellState: analysis.readsShellState === true,
    changesShell: changesShellOnly(analysis),
    mode: config.sandbox.mode,
    enabled: config.sandbox.enabled,
    trusted: trusted !== null,
    interactive: ctx.interactive && !ctx.agent,
    agent: Boolean(ctx.agent),
    ...(analysis.startsInteractive ? { startsInteractive: true } : {}),
  });
  const verdict: Verdict = {
    line,
    risk,
    decision: policy.decision,
    reason: policy.reason,
    analysis,
    notice: '',
    notices,
    config,
  };
  if (trusted) verdict.trustedId = trusted.id;
  return { verdict, composed, home };
}

/**
 * judge() for the resident analyzer's common case, without waiting on anything: the verdict when the
 * config is loaded and fresh and the line goes to the host as typed; null when judge() has more to do
 * (load the config, plan a sandbox, word a notice). The server answers such a line in the same turn
 * of the event loop its request arrived in — no promise or timer in between.
 */
export function judgeNow(typed: string, ctx: JudgeContext): Verdict | null {
  const loaded = configCached(ctx);
  if (!loaded) return null;
  const { verdict } = judgeCore(typed, ctx, loaded);
  return verdict.decision === 'host' ? verdict : null;
}

export async function judge(typed: string, ctx: JudgeContext): Promise<Verdict> {
  const loaded = await configFor(ctx);
  const { config } = loaded;
  const { verdict, composed, home } = judgeCore(typed, ctx, loaded);
  const { line, risk, analysis } = verdict;

  const wantsSandbox = verdict.decision === 'sandbox' || verdict.decision === 'prompt';
  if (wantsSandbox && ctx.planSandbox !== false) {
    try {
      // Planning and runtime code load only when a line is actually sandboxed.
      const [{ planSandbox }, { resolveRuntime }] = await Promise.all([
        import('../sandbox/plan.ts'),
        import('../runtimes/select.ts'),
      ]);
      const { runtime, note } = await resolveRuntime(config, ctx.env);
      const plan = planSandbox({
        config,
        cwd: ctx.cwd,
        command: ctx.argv ? { argv: ctx.argv } : { line: composed?.run ?? line },
        interactive: ctx.interactive && !ctx.agent,
        env: ctx.shell ? { ...ctx.env, SHELL: shellPath(ctx.shell, ctx.env) } : ctx.env,
        home,
        runtime: runtime.name,
        ...(ctx.noShellFunction ? { noShellFunction: true } : {}),
      });
      verdict.sandbox = { runtime: runtime.name, plan, invocation: runtime.invocation(plan), cached: plan.caches.length > 0 };
      if (note) verdict.sandbox.note = note;
    } catch (err) {
      verdict.sandboxError = errorLine(err).replace(/^vg: /, '');
      // Mode `always` sandboxes low-risk lines too; when no sandbox can start, a low line must not
      // break the shell: it runs on the host and the notice says why. Medium and up stay refused (125).
      if (risk === 'low' && verdict.decision === 'sandbox') {
        verdict.decision = 'host';
        verdict.reason = `low risk: runs on the host because the sandbox is unavailable (${verdict.sandboxError})`;
        verdict.notice = `vg: sandbox unavailable, running low-risk line on the host — ${verdict.sandboxError}`;
        return verdict;
      }
    }
  }

  const reasons = analysis.reasons;
  switch (verdict.decision) {
    case 'block':
      verdict.notice = blockNotice(risk, reasons, verdict.reason);
      break;
    case 'prompt':
      verdict.notice = promptQuestion(risk, reasons, verdict.sandbox !== undefined);
      break;
    case 'sandbox':
      verdict.notice = verdict.sandbox
        ? sandboxNotice({
            runtime: verdict.sandbox.runtime,
            cached: verdict.sandbox.cached,
            risk,
            reasons,
            note: verdict.sandbox.note,
            style: config.shell.notice,
          })
        : `vg: sandbox could not start: ${verdict.sandboxError ?? 'not planned'}`;
      break;
    case 'host':
      break;
  }
  return verdict;
}
