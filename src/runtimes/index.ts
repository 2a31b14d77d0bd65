// The runtimes' public surface. Importing this module loads no engine client (dockerode): the
// engines are reached through select.ts's lazy loaders.
import type { SandboxPlan } from '../sandbox/types.ts';
import { describeEnforcement as describeLimits, planLimits, probeCgroups } from './limits.ts';
import { overlaySupported } from './host.ts';
import { stateDir } from '../store/paths.ts';
import { join } from 'node:path';

export { bubblewrapRuntime, bwrapArgv, type BwrapOptions } from './bwrap.ts';
export { namespaceRuntime, namespaceArgv, namespaceScript } from './namespace.ts';
export { runPlan, runInvocation } from './run.ts';
export { resolveRuntime, autoOrder, detectCI, registerRuntime, loadRuntime, probeAll } from './select.ts';
export { hostOptions, prepareHost } from './host.ts';
export { ensureTtyFilterFile, ttyFilterBytes } from './seccomp.ts';
export { planLimits, probeCgroups, describeEnforcement as describeLimitPlan, type LimitPlan } from './limits.ts';

export interface Enforcement {
  rootfs: string;
  network: string;
  memory: string;
  cpu: string;
  pids: string;
  tty: string;
  /** One short phrase for the notice line. */
  summary: string;
}

/**
 * What a bubblewrap/namespace run of this plan actually enforces on this host — not what the level
 * promises. Used by the sandbox notice and `vg doctor`.
 */
export function describeEnforcement(plan: SandboxPlan): Enforcement {
  const lim = describeLimits(planLimits(plan.limits, probeCgroups(), 'probe'));
  const overlayOk = plan.rootfs === 'overlay' ? overlaySupported(join(stateDir(), 'overlay')) : false;
  const rootfs =
    plan.rootfs === 'ro' ? 'read-only' : overlayOk ? 'writable overlay, changes discarded' : 'read-only (overlay unavailable here)';
  const network =
    plan.network === 'none' ? 'none (own network namespace)' : plan.network === 'restricted' ? `restricted: proxy to ${plan.allowedDomains.length} allowed domains` : 'full (host network)';
  const tty = plan.interactive ? 'TIOCSTI/TIOCLINUX blocked (seccomp filter)' : 'new session (no controlling terminal)';
  return { rootfs, network, ...lim, tty, summary: `${rootfs}; network ${plan.network}; ${lim.summary}` };
}
