// Reads a config file into plain data plus a map of where each key sits. `yaml` (~40 ms to import)
// is loaded only when a file with real content exists, and parsed files are cached by
// path + mtime + ctime + size + inode so a resident analyzer re-reads nothing until the file changes.
import { readFileSync, statSync, type Stats } from 'node:fs';
import { VgError } from '../../cli/errors.ts';
import { pathKey, validateLayer, type Layer, type LocMap, type Path, type ValidateContext } from './validate.ts';

export interface ParsedFile {
  data: unknown;
  locs: LocMap;
}

/** Parsed data objects → their positions, so validateConfigObject can still report lines. */
export const locsOf = new WeakMap<object, LocMap>();

/** True for text that holds nothing but comments and blank lines (e.g. the commented default template). */
export function onlyComments(text: string): boolean {
  return /^(?:[ \t]*(?:#[^\n]*)?\r?\n?)*$/.test(text.replace(/^\uFEFF/, ''));
}

/**
 * `await import('yaml')`, normalised: bundled by esbuild, the CommonJS package arrives as
 * `{ default: exports }`; under tsx/Node the named exports are there directly.
 */
export async function loadYaml(): Promise<typeof import('yaml')> {
  const mod = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  return mod.default && typeof mod.default.parseDocument === 'function' ? mod.default : mod;
}

export async function parseYamlText(text: string, display: string): Promise<ParsedFile> {
  if (onlyComments(text)) return { data: null, locs: new Map() };
  const { parseDocument, LineCounter, isMap, isSeq, isScalar } = await loadYaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  // Warnings (an unknown `!tag`, …) would otherwise be dropped silently and the value kept as text.
  const err = doc.errors[0] ?? doc.warnings[0];
  if (err) {
    const pos = err.linePos?.[0];
    const where = pos ? `${display}:${pos.line}:${pos.col}` : display;
    const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new VgError(`${where}: YAML syntax: ${msg} — fix the file's YAML (indent with spaces, quote values that contain ': ' or start with special characters)`);
  }
  const locs: LocMap = new Map();
  const at = (offset: number | undefined) => (offset === undefined ? undefined : lc.linePos(offset));
  const walk = (node: unknown, p: Path): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) {
          // toJS would stringify it and print a process warning; name the line instead.
          const pos = at((pair.key as { range?: [number, number, number] } | null)?.range?.[0]);
          throw new VgError(`${display}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML: a key must be a plain name, not a list or mapping — fix the key`);
        }
        const k = String(pair.key.value);
        const kp = [...p, k];
        const keyNode = pair.key as { range?: [number, number, number] } | null;
        const valNode = pair.value as { range?: [number, number, number] } | null;
        locs.set(pathKey(kp), { key: at(keyNode?.range?.[0]), value: at(valNode?.range?.[0]) ?? at(keyNode?.range?.[0]) });
        walk(pair.value, kp);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const r = (item as { range?: [number, number, number] } | null)?.range;
        locs.set(pathKey([...p, i]), { value: at(r?.[0]) });
        walk(item, [...p, i]);
      });
    }
  };
  walk(doc.contents, []);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Unresolved or exploding aliases surface here, not in doc.errors.
    throw new VgError(`${display}: YAML: ${(e as Error).message.split('\n')[0]} — fix the anchors/aliases (*name) in the file`);
  }
  if (data && typeof data === 'object') locsOf.set(data, locs);
  return { data, locs };
}

interface CacheEntry {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
  parsed?: ParsedFile;
  error?: unknown;
  layers: Map<string, Layer>;
}
const cache = new Map<string, CacheEntry>();

/** stat, or null when there is no such file. Anything else (EACCES, a directory) is a one-line error. */
export function statFile(path: string, display: string): Stats | null {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new VgError(`${display}: cannot read the config file (${code}) — check the file's owner and mode`);
  }
  if (!st.isFile()) throw new VgError(`${display}: is not a regular file — point it at a YAML file`);
  return st;
}

/** Parse and validate one file as a layer, from cache when the file is unchanged. */
export async function loadLayerFile(path: string, st: Stats, ctx: ValidateContext): Promise<Layer> {
  let e = cache.get(path);
  // ctime too: an editor that rewrites in place within the same mtime tick still bumps it.
  if (!e || e.mtimeMs !== st.mtimeMs || e.ctimeMs !== st.ctimeMs || e.size !== st.size || e.ino !== st.ino) {
    e = { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, ino: st.ino, layers: new Map() };
    try {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        throw new VgError(`${ctx.display}: cannot read the config file (${(err as NodeJS.ErrnoException).code}) — check the file's owner and mode`);
      }
      e.parsed = await parseYamlText(text, ctx.display);
    } catch (err) {
      e.error = err;
    }
    cache.set(path, e);
  }
  if (e.error) throw e.error;
  const key = [ctx.kind, ctx.home, ctx.baseDir ?? '', ctx.display].join('\u0000');
  let layer = e.layers.get(key);
  if (!layer) {
    layer = validateLayer(e.parsed!.data, { ...ctx, locs: e.parsed!.locs });
    e.layers.set(key, layer);
  }
  return layer;
}

/** For tests: forget cached files. */
export function clearConfigCache(): void {
  cache.clear();
}
