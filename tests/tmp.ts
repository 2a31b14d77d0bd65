// Temporary directories for tests, removed when the test process exits: a test run leaves nothing
// behind in the temp directory (a developer running the suite again and again used to collect
// thousands of them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
let hooked = false;

/** mkdtemp under the temp directory; the tree goes at process exit. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const d of made) {
        try {
          rmSync(d, { recursive: true, force: true });
        } catch {
          /* still in use, or made read-only by a test: left for the system's cleanup */
        }
      }
    });
  }
  return dir;
}
