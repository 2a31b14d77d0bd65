// Docker as a vg runtime. All the work is shared with podman in engine.ts / container-args.ts.
import { createEngineRuntime, type EngineRuntime, type EngineRuntimeOptions } from './engine.ts';

export function createDockerRuntime(opts: EngineRuntimeOptions = {}): EngineRuntime {
  return createEngineRuntime('docker', opts);
}

export const dockerRuntime: EngineRuntime = createDockerRuntime();
