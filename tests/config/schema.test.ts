// The shipped JSON Schema must describe exactly what the loader accepts, so editors and `vg config
// validate` never disagree. These checks fail the moment a key or an enum drifts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, RUNTIME_NAMES, SECURITY_LEVELS, NETWORK_MODES } from '../../src/store/config/types.ts';
import { MODES } from '../../src/policy/types.ts';
import { RISKS } from '../../src/analyze/types.ts';
import { SHELL_FALLBACKS, SHELL_NOTICES } from '../../src/store/config/validate.ts';
import { PRESETS, DEFAULT_TEMPLATE } from '../../src/store/config/index.ts';
import { parseYamlText } from '../../src/store/config/parse.ts';

interface Node {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, Node>;
  additionalProperties?: boolean | Node;
  items?: Node;
  required?: string[];
}
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../schema/vg.schema.json'), 'utf8')) as Node & { $schema: string };
const props = (n: Node | undefined): Record<string, Node> => n?.properties ?? {};

test('the schema is a closed draft-07 object schema', () => {
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(schema.additionalProperties, false);
  for (const s of Object.values(props(schema))) assert.equal(s.additionalProperties, false);
});

test('every key of defaultConfig() is in the schema, with its default and a description; and no extra keys', () => {
  const d = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(props(schema)).sort(), Object.keys(d).sort());
  for (const [section, values] of Object.entries(d)) {
    const sp = props(props(schema)[section]);
    assert.deepEqual(Object.keys(sp).sort(), Object.keys(values).sort(), `keys of ${section}`);
    for (const [k, v] of Object.entries(values)) {
      assert.ok(sp[k].description, `${section}.${k} has a description`);
      assert.deepEqual(sp[k].default, v, `${section}.${k} default`);
    }
  }
});

test('schema enums equal the TypeScript constants', () => {
  const sb = props(props(schema).sandbox);
  assert.deepEqual(sb.mode.enum, [...MODES]);
  assert.deepEqual(sb.runtime.enum, [...RUNTIME_NAMES]);
  assert.deepEqual(sb.security_level.enum, [...SECURITY_LEVELS]);
  assert.deepEqual(sb.network_mode.enum, [...NETWORK_MODES, null]);
  const sh = props(props(schema).shell);
  assert.deepEqual(sh.notice.enum, [...SHELL_NOTICES]);
  assert.deepEqual(sh.fallback.enum, [...SHELL_FALLBACKS]);
  const ru = props(props(schema).rules);
  assert.deepEqual(props(ru.add.items).risk.enum, [...RISKS]);
  assert.deepEqual((ru.levels.additionalProperties as Node).enum, [...RISKS]);
  assert.deepEqual((ru.raise.additionalProperties as Node).enum, [...RISKS]);
  const mount = props(sb.bind_mounts.items);
  assert.deepEqual(Object.keys(mount).sort(), ['container_path', 'host_path', 'read_only']);
  assert.equal(mount.read_only.default, true);
});

/** A small draft-07 subset checker: enough to prove the presets and the template conform. */
function conforms(v: unknown, s: Node, path = '$'): string[] {
  const errs: string[] = [];
  const t = v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  if (types.length && !types.includes(t) && !(t === 'integer' && types.includes('number'))) errs.push(`${path}: ${t} not ${types}`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${path}: ${String(v)} not in enum`);
  if (t === 'object' && v) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const sub = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (!sub && s.additionalProperties === false) errs.push(`${path}.${k}: not allowed`);
      else if (sub) errs.push(...conforms(x, sub, `${path}.${k}`));
    }
  }
  if (t === 'array' && s.items) (v as unknown[]).forEach((x, i) => errs.push(...conforms(x, s.items!, `${path}[${i}]`)));
  return errs;
}

test('the presets and the default template conform to the schema', async () => {
  for (const [name, text] of [...Object.entries(PRESETS), ['default', DEFAULT_TEMPLATE]]) {
    const { data } = await parseYamlText(text, name);
    assert.deepEqual(conforms(data ?? {}, schema), [], name);
  }
  assert.deepEqual(conforms(JSON.parse(JSON.stringify(defaultConfig())), schema), [], 'defaultConfig()');
  assert.notDeepEqual(conforms({ sandbox: { mode: 'sometimes' } }, schema), [], 'the checker does reject');
});
