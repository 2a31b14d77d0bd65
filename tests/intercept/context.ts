// The judge context the intercept tests start from: a throwaway HOME, config and state under `dir`,
// the workspace `dir/ws`, a non-interactive bash line from the shell, no sandbox planning.
import { join } from 'node:path';
import type { JudgeContext } from '../../src/intercept/judge.ts';

export function judgeContext(dir: string, more: Partial<JudgeContext> = {}): JudgeContext {
  return {
    cwd: join(dir, 'ws'),
    env: { HOME: join(dir, 'home'), PATH: '/usr/bin:/bin', XDG_CONFIG_HOME: join(dir, 'cfg'), VG_STATE_DIR: join(dir, 'state') },
    interactive: false,
    session: 's',
    source: 'shell',
    shell: 'bash',
    planSandbox: false,
    ...more,
  };
}
