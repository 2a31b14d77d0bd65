import { resolve } from 'node:path';

/** `/home/u/.config/vg/config.yaml` → `~/.config/vg/config.yaml`, as users see it in messages. */
export function tildify(path: string, home: string): string {
  const h = resolve(home);
  if (h !== '/' && (path === h || path.startsWith(h + '/'))) return '~' + path.slice(h.length);
  return path;
}
