// The one PATH lookup: what a shell would exec for a bare command name.
import { statSync } from 'node:fs';
import { join } from 'node:path';

/** The first executable regular file `name` names in PATH's absolute entries, or null. Uncached: callers cache as they need. */
export function findOnPath(name: string, path: string | undefined): string | null {
  for (const dir of (path || '/usr/bin:/bin').split(':')) {
    if (!dir.startsWith('/')) continue;
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isFile() && (st.mode & 0o111) !== 0) return p;
  }
  return null;
}
