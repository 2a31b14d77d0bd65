// `vg rules`: the built-in rule set (and your config's additions and level changes), as data.
import pc from 'picocolors';
import { parse } from '../args.ts';
import { RULES } from '../../analyze/index.ts';
import { loadConfig } from '../../store/config/index.ts';
import type { Risk } from '../../analyze/types.ts';

const HELP = `Usage: vg rules [--json] [--group G] [--examples]

List the rules vg judges lines with: id, level, group and what each one catches. Levels include the
changes from your config (rules.levels); rules you added (rules.add) are listed in group "user".

Options:
  --json         one JSON array with every field, examples included
  --group G      only this group (filesystem, disk, remote-code, git, …)
  --examples     show each rule's must-match / must-not-match examples (they run as tests)
  -h, --help     this help`;

const OPTIONS = {
  json: { type: 'boolean' },
  group: { type: 'string' },
  examples: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const paint: Record<Risk, (s: string) => string> = { low: pc.green, medium: pc.yellow, high: pc.red, critical: pc.magenta };

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse<{ json?: boolean; group?: string; examples?: boolean; help?: boolean }>('rules', argv, OPTIONS);
  if (v.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const { config } = await loadConfig({ cwd: process.cwd(), env: process.env });
  const levels = config.rules.levels;
  const rows = [
    ...RULES.map((r) => ({
      id: r.id,
      group: r.group as string,
      // A critical rule cannot be lowered (the analyzer ignores such overrides); show what applies.
      risk: r.risk === 'critical' ? r.risk : (levels[r.id] ?? r.risk),
      message: r.message,
      why: r.why,
      examples: r.examples,
    })),
    ...config.rules.add.map((u) => ({
      id: u.id,
      group: 'user',
      risk: u.risk,
      message: u.message,
      why: u.why ?? '',
      examples: { match: [] as string[], noMatch: [] as string[] },
    })),
  ].filter((r) => !v.group || r.group === v.group);
  if (v.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const w = Math.max(...rows.map((r) => r.id.length), 4);
  for (const r of rows) {
    process.stdout.write(`${r.id.padEnd(w)}  ${paint[r.risk](r.risk.padEnd(8))}  ${r.message}\n`);
    if (v.examples) {
      for (const m of r.examples.match) process.stdout.write(`${' '.repeat(w + 12)}${pc.red('✓')} ${m}\n`);
      for (const m of r.examples.noMatch) process.stdout.write(`${' '.repeat(w + 12)}${pc.green('✗')} ${m}\n`);
    }
  }
  process.stdout.write(pc.dim(`${rows.length} rules\n`));
  return 0;
}
