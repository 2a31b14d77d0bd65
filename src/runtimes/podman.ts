// Podman as a vg runtime (daemonless: its CLI is the engine). Shared code in engine.ts.
import { createEngineRuntime, type EngineRuntime, type EngineRuntimeOptions } from './engine.ts';

export function createPodmanRuntime(opts: EngineRuntimeOptions = {}): EngineRuntime {
  return createEngineRuntime('podman', opts);
}

export const podmanRuntime: EngineRuntime = createPodmanRuntime();
