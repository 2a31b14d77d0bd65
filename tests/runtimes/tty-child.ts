// Helper for engines.test.ts: runs an interactive plan on whatever terminal it was given (a pty made by
// `script`), printing the RunResult as JSON. Not a test file itself.
import { createEngineRuntime } from '../../src/runtimes/engine.ts';
import { makePlan } from './helpers.ts';

const [engine, ws] = process.argv.slice(2) as ['docker' | 'podman', string];
const rt = createEngineRuntime(engine);
const r = await rt.run(
  makePlan({
    level: 'permissive',
    network: 'none',
    workspace: ws,
    cwd: ws,
    mounts: [{ source: ws, target: ws, mode: 'rw', kind: 'workspace' }],
    interactive: process.stdin.isTTY === true,
    env: { TERM: 'xterm' },
    command: { line: 'test -t 0 && test -t 1 && echo TTY-OK; exit 3' },
  }),
);
console.log('RESULT ' + JSON.stringify(r));
