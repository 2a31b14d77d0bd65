// Shared fixtures for the runtime tests: a plan builder and engine probes.
import { spawnSync } from 'node:child_process';
import type { SandboxPlan } from '../../src/sandbox/types.ts';
import type { SecurityLevel } from '../../src/store/config/types.ts';
import { DEFAULT_IMAGE } from '../../src/store/config/types.ts';
import { createEngineRuntime, engineApi, type EngineRuntime } from '../../src/runtimes/engine.ts';
import type { EngineName } from '../../src/runtimes/container-args.ts';

export function makePlan(over: Partial<SandboxPlan> & { level?: SecurityLevel } = {}): SandboxPlan {
  const level = over.level ?? 'balanced';
  const ws = over.workspace === undefined ? '/home/u/proj' : over.workspace;
  return {
    command: { line: 'true' },
    cwd: ws ?? '/tmp',
    workspace: ws,
    level,
    rootfs: level === 'strict' || level === 'paranoid' ? 'ro' : 'overlay',
    mounts: ws ? [{ source: ws, target: ws, mode: 'rw', kind: 'workspace' }] : [],
    hidden: [],
    env: {},
    droppedEnv: [],
    network: level === 'permissive' ? 'full' : level === 'paranoid' ? 'none' : 'restricted',
    allowedDomains: ['registry.npmjs.org'],
    limits: { memoryBytes: 1024 * 1024 * 1024, cpus: 1, pids: 512 },
    timeout: 0,
    interactive: false,
    caches: [],
    image: DEFAULT_IMAGE,
    runtime: 'docker',
    ...over,
  };
}

/** Why an engine cannot run the tests here, or null when it can (engine up and image present). */
export async function engineSkipReason(engine: EngineName): Promise<string | null> {
  const rt: EngineRuntime = createEngineRuntime(engine);
  const a = await rt.available();
  if (!a.ok) return `${engine} unavailable here: ${a.reason} (CI runs scripts/ci-engines.sh first)`;
  return null;
}

export function containerExists(engine: EngineName, name: string): boolean {
  const r = spawnSync(engine, ['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Names}}'], { encoding: 'utf8' });
  return r.stdout.split('\n').some((l) => l.trim() === name);
}

export async function dockerContainerExists(name: string): Promise<boolean> {
  const r = await engineApi('/var/run/docker.sock', 'GET', `/containers/${name}/json`);
  return r.status === 200;
}
