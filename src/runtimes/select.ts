// Which runtime runs a sandboxed command. `auto`: on a developer machine the fastest isolation
// first (bubblewrap ~ms, namespace, then the engines at ~100–350 ms); in CI, when not told to prefer
// speed, the container engines first (they give the job the same image everywhere).
// Engines load lazily (dynamic import): a bubblewrap run never imports dockerode.
import type { Config } from '../store/config/types.ts';
import { VgError } from '../cli/errors.ts';
import type { Availability, ConcreteRuntime, Runtime } from './types.ts';

type Env = Record<string, string | undefined>;
export type RuntimeLoader = () => Promise<Runtime>;

/** A runtime this build cannot provide (kept for registerRuntime callers and platforms without engines). */
export const unavailable = (name: ConcreteRuntime): RuntimeLoader => async () => ({
  name,
  async available(): Promise<Availability> {
    return { ok: false, reason: `${name} runtime unavailable in this build — use runtime: bubblewrap or namespace` };
  },
  invocation() {
    throw new VgError(`${name} runtime unavailable in this build — use runtime: bubblewrap or namespace`, 125);
  },
  async run() {
    throw new VgError(`${name} runtime unavailable in this build — use runtime: bubblewrap or namespace`, 125);
  },
});

const loaders: Record<ConcreteRuntime, RuntimeLoader> = {
  bubblewrap: async () => (await import('./bwrap.ts')).bubblewrapRuntime,
  namespace: async () => (await import('./namespace.ts')).namespaceRuntime,
  docker: async () => (await import('./docker.ts')).dockerRuntime,
  podman: async () => (await import('./podman.ts')).podmanRuntime,
};

/** Replace a runtime's loader (tests register fakes). */
export function registerRuntime(name: ConcreteRuntime, loader: RuntimeLoader): void {
  loaders[name] = loader;
  availability.delete(name);
}

export async function loadRuntime(name: ConcreteRuntime): Promise<Runtime> {
  return loaders[name]();
}

const CI_VARS = ['CI', 'GITHUB_ACTIONS', 'GITLAB_CI', 'BUILDKITE', 'CIRCLECI', 'JENKINS_URL', 'TF_BUILD', 'TRAVIS', 'TEAMCITY_VERSION', 'BITBUCKET_BUILD_NUMBER', 'DRONE', 'CODEBUILD_BUILD_ID', 'APPVEYOR', 'SEMAPHORE', 'WOODPECKER_CI'];

/** The CI variable that is set (a value of "false"/"0" does not count), or null. */
export function detectCI(env: Env): string | null {
  for (const k of CI_VARS) {
    const v = env[k];
    if (v !== undefined && v !== '' && v !== 'false' && v !== '0') return k;
  }
  return null;
}

const INSTALL: Record<ConcreteRuntime, string> = {
  bubblewrap: 'apt-get install bubblewrap',
  namespace: 'apt-get install util-linux, and allow user namespaces (sysctl kernel.unprivileged_userns_clone=1)',
  docker: 'install Docker (apt-get install docker.io) and start dockerd',
  podman: 'apt-get install podman',
};

/** The order `auto` tries runtimes in. Pure. */
export function autoOrder(config: Config, env: Env): ConcreteRuntime[] {
  const ci = config.sandbox.auto_detect_env && detectCI(env) !== null;
  if (ci && !config.sandbox.prefer_fast) return ['docker', 'podman', 'bubblewrap', 'namespace'];
  return ['bubblewrap', 'namespace', 'docker', 'podman'];
}

const availability = new Map<ConcreteRuntime, Promise<{ runtime: Runtime; a: Availability }>>();
function probe(name: ConcreteRuntime): Promise<{ runtime: Runtime; a: Availability }> {
  let p = availability.get(name);
  if (!p) {
    p = (async () => {
      const runtime = await loaders[name]();
      const a = await runtime.available().catch((e: unknown) => ({ ok: false, reason: String((e as Error)?.message ?? e) }));
      return { runtime, a };
    })();
    availability.set(name, p);
  }
  return p;
}

export async function resolveRuntime(config: Config, env: Env = process.env): Promise<{ runtime: Runtime; note?: string }> {
  const want = config.sandbox.runtime;
  if (want !== 'auto') {
    const { runtime, a } = await probe(want);
    if (a.ok) return { runtime };
    throw new VgError(`sandbox runtime ${want} is not usable here: ${firstClause(a.reason)} — ${INSTALL[want]}, or set sandbox.runtime: auto`, 125);
  }
  const order = autoOrder(config, env);
  const missed: string[] = [];
  for (const name of order) {
    const { runtime, a } = await probe(name);
    if (a.ok) {
      const note = missed.length && order[0] !== name ? `${order[0]} unavailable, using ${name} (${INSTALL[order[0]]} for the preferred runtime)` : undefined;
      return { runtime, ...(note ? { note } : {}) };
    }
    missed.push(name);
  }
  throw new VgError(`no sandbox runtime works here (tried ${order.join(', ')}) — ${INSTALL.bubblewrap}, then run vg doctor`, 125);
}

function firstClause(reason: string | undefined): string {
  return (reason ?? 'not available').split(' — ')[0];
}

/** For doctor: every runtime's availability, probed in parallel. */
export async function probeAll(): Promise<Record<ConcreteRuntime, Availability>> {
  const names: ConcreteRuntime[] = ['bubblewrap', 'namespace', 'docker', 'podman'];
  const res = await Promise.all(names.map((n) => probe(n).then((r) => r.a)));
  return Object.fromEntries(names.map((n, i) => [n, res[i]])) as Record<ConcreteRuntime, Availability>;
}
