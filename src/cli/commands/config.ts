// `vg config show | validate | path | init`: read, check and create the YAML config.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from '../args.ts';
import { usage, VgError } from '../errors.ts';
import { configFile, home as homeOf, PROJECT_CONFIG_NAME } from '../../store/paths.ts';
import {
  DEFAULT_TEMPLATE,
  PRESETS,
  PRESET_NAMES,
  checkConfigFile,
  explainConfig,
  findProjectFile,
  tildify,
  type PresetName,
} from '../../store/config/index.ts';
import { effectiveNetwork } from '../../store/config/types.ts';
import { loadYaml } from '../../store/config/parse.ts';

const HELP = `Usage: vg config <command> [options]

Commands:
  show [--json] [--origin]   the effective config (defaults ← user file ← project .vg.yaml ← VG_* env);
                             --origin: which file:line, variable or default set each key
  validate [FILE]            check FILE, or the user file and the project file found from here;
                             prints "ok: FILE" or one error line (exit 1)
  path                       the user config file (line 1) and the project file in effect, if any
  init [--preset P] [--local] [--force]
                             write a commented config: P = developer | ci | production (default:
                             every key commented out at its default); --local writes ./${PROJECT_CONFIG_NAME};
                             an existing file is kept unless --force

Files: $VG_CONFIG or \${XDG_CONFIG_HOME:-~/.config}/vg/config.yaml, then the nearest ${PROJECT_CONFIG_NAME} up to the
repository root or $HOME (it may only tighten security). Every key: docs/config.md.`;

export async function run(argv: string[]): Promise<number> {
  // `vg config show | head` closes the pipe early; that is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (sub === undefined) {
    process.stderr.write(HELP + '\n');
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  switch (sub) {
    case 'show':
      return show(rest);
    case 'validate':
      return validate(rest);
    case 'path':
      return path(rest);
    case 'init':
      return init(rest);
    default:
      throw usage(`config: unknown command '${sub}' — use show, validate, path or init (\`vg config --help\`)`);
  }
}

function note(lines: string[]): void {
  for (const l of lines) process.stderr.write(`vg: note: ${l}\n`);
}

async function show(argv: string[]): Promise<number> {
  const { values, positionals } = parse<{ json?: boolean; origin?: boolean }>('config show', argv, {
    json: { type: 'boolean' },
    origin: { type: 'boolean' },
  });
  if (positionals.length) throw usage(`config show: unexpected '${positionals[0]}' — run \`vg config --help\``);
  const r = await explainConfig({ cwd: process.cwd(), env: process.env });
  note(r.notices);
  if (values.json) {
    const out = values.origin ? { config: r.config, origins: r.origins, files: r.files, notices: r.notices } : r.config;
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  if (values.origin) {
    const rows: [string, string, string][] = [];
    for (const [section, obj] of Object.entries(r.config)) {
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
        if (section === 'rules' && (k === 'levels' || k === 'raise')) {
          for (const [id, risk] of Object.entries(v as Record<string, string>))
            rows.push([`rules.${k}.${id}`, risk, r.origins[`rules.${k}.${id}`] ?? '?']);
          continue;
        }
        let shown = JSON.stringify(v);
        if (section === 'sandbox' && k === 'network_mode' && v === null) shown = `null (follows security_level: ${effectiveNetwork(r.config.sandbox)})`;
        rows.push([`${section}.${k}`, shown, r.origins[`${section}.${k}`] ?? 'default']);
      }
    }
    const w = Math.max(...rows.map((x) => x[0].length));
    for (const [k, v, o] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}  # ${o}\n`);
    return 0;
  }
  const { stringify } = await loadYaml();
  const home = homeOf();
  const head = r.files.length ? r.files.map((f) => `# from ${tildify(f, home)}`).join('\n') : '# no config file: defaults';
  process.stdout.write(`${head}\n${stringify(r.config, { lineWidth: 0 })}`);
  return 0;
}

async function validate(argv: string[]): Promise<number> {
  const { positionals } = parse('config validate', argv, {});
  if (positionals.length > 1) throw usage('config validate: give at most one FILE — run `vg config --help`');
  const home = homeOf();
  if (positionals.length === 1) {
    const file = resolve(positionals[0]);
    const r = await checkConfigFile(file, { env: process.env });
    process.stdout.write(`ok: ${tildify(file, home)}\n`);
    note(r.notices);
    return 0;
  }
  const r = await explainConfig({ cwd: process.cwd(), env: process.env });
  for (const f of r.files) process.stdout.write(`ok: ${tildify(f, home)}\n`);
  if (!r.files.length) process.stdout.write(`ok: no config file (${tildify(r.userFile, home)} does not exist) — defaults apply; \`vg config init\` creates one\n`);
  note(r.notices);
  return 0;
}

function path(argv: string[]): number {
  const { positionals } = parse('config path', argv, {});
  if (positionals.length) throw usage(`config path: unexpected '${positionals[0]}' — run \`vg config --help\``);
  const user = resolve(configFile());
  process.stdout.write(user + '\n');
  const project = findProjectFile(process.cwd(), homeOf());
  if (project && project !== user) process.stdout.write(project + '\n');
  return 0;
}

/** The shipped schema, found from this module whether it runs from src/ (tsx) or dist/chunks/. */
export function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'schema', 'vg.schema.json');
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return join(dirname(dirname(fileURLToPath(import.meta.url))), 'schema', 'vg.schema.json');
}

async function init(argv: string[]): Promise<number> {
  const { values, positionals } = parse<{ preset?: string; local?: boolean; force?: boolean }>('config init', argv, {
    preset: { type: 'string', short: 'p' },
    local: { type: 'boolean' },
    force: { type: 'boolean', short: 'f' },
  });
  if (positionals.length) throw usage(`config init: unexpected '${positionals[0]}' — run \`vg config --help\``);
  const preset = values.preset;
  if (preset !== undefined && !(PRESET_NAMES as readonly string[]).includes(preset))
    throw usage(`config init: preset '${preset}' is not one of ${PRESET_NAMES.join(', ')} — pick one, or omit --preset for the commented defaults`);
  const home = homeOf();
  const target = values.local ? resolve(PROJECT_CONFIG_NAME) : resolve(configFile());
  const shown = tildify(target, home);
  if (existsSync(target) && !values.force)
    throw new VgError(`${shown} already exists — edit it, or add --force to overwrite it with the ${preset ?? 'default'} template`);
  const body = preset ? PRESETS[preset as PresetName] : DEFAULT_TEMPLATE;
  const text = `# yaml-language-server: $schema=${pathToFileURL(schemaPath()).href}\n${body}`;
  if (!values.local) mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  // The user file is private (0600); a project file is meant to be committed and read by the team.
  writeFileSync(target, text, { mode: values.local ? 0o644 : 0o600, flag: values.force ? 'w' : 'wx' });
  process.stdout.write(`wrote ${shown}${preset ? ` (preset ${preset})` : ''}\n`);
  if (values.local || basename(target) === PROJECT_CONFIG_NAME) {
    const r = await checkConfigFile(target, { env: process.env });
    note(r.notices);
  }
  return 0;
}
