// `vg trust`: lines that may run on the host from now on. Thin: the store does the work.
import { createInterface } from 'node:readline';
import { parse } from '../args.ts';
import { VgError, usage } from '../errors.ts';
import { trustStore, type TrustEntry } from '../../store/trust.ts';
import { ago, colors, oneLine, table } from '../../store/present.ts';
import { home } from '../../store/paths.ts';
import { analyze } from '../../analyze/index.ts';

const HELP = `Usage: vg trust <command>

Lines you trust run on the host, in every mode (a critical line can never be trusted).

Commands:
  add LINE [--prefix] [--expires 7d] [--note TEXT]
                 trust LINE exactly (leading/trailing spaces ignored); with --prefix, trust every
                 line that starts with LINE on a word boundary and chains nothing after it
                 (\`npm test\` covers \`npm test -- --watch\`, never \`npm test; rm …\`)
  list [--json]  show entries with their use counts, last use and expiry
  remove ID|LINE forget an entry (by its id, or every entry for an exact line)
  clear [--yes]  forget everything

--expires takes 45s, 30m, 12h, 7d, 2w (or an ISO date). Words after \`--\` are part of LINE.`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(HELP + '\n');
    return sub === undefined ? 2 : 0;
  }
  switch (sub) {
    case 'add':
      return add(rest);
    case 'list':
    case 'ls':
      return list(rest);
    case 'remove':
    case 'rm':
      return remove(rest);
    case 'clear':
      return clear(rest);
    default:
      throw usage(`trust: unknown command '${sub}' — use add, list, remove or clear (vg trust --help)`);
  }
}

function wantsHelp(argv: string[]): boolean {
  const dd = argv.indexOf('--');
  return (dd < 0 ? argv : argv.slice(0, dd)).some((a) => a === '--help' || a === '-h');
}

async function add(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) return (process.stdout.write(HELP + '\n'), 0);
  const { values, positionals, rest } = parse<{ prefix?: boolean; expires?: string; note?: string }>('trust add', argv, {
    prefix: { type: 'boolean' },
    expires: { type: 'string' },
    note: { type: 'string' },
  });
  const agent = process.env.VG_AGENT;
  if (agent && agent !== '0') {
    throw new VgError(
      'trust add: refused in an AI agent session (VG_AGENT is set): an agent must not whitelist its own commands — ask the user to run `vg trust add` in their own terminal',
      126,
    );
  }
  const line = [...positionals, ...(rest ?? [])].join(' ').trim();
  if (!line) throw usage('trust add: no line given — e.g. vg trust add "npm test" (or --prefix "npm test")');
  const e = trustStore().add(line, { prefix: values.prefix, expires: values.expires, note: values.note, cwd: process.cwd() });
  const c = colors();
  // Allowed, but the person should know what they just waved through.
  const a = analyze(e.line, { cwd: process.cwd(), home: home(), env: process.env });
  if (a.risk === 'high') {
    const why = a.reasons.find((r) => r.risk === 'high')?.message ?? 'judged high risk';
    process.stderr.write(colors(process.stderr).yellow(`vg: note: this line is high risk (${why}) — it now runs on the host without asking; undo with vg trust remove ${e.id}\n`));
  }
  const scope = e.prefix ? `lines starting with ${c.bold(e.line)}` : c.bold(e.line);
  const until = e.expires ? ` until ${e.expires.slice(0, 16).replace('T', ' ')} UTC` : '';
  process.stdout.write(`${c.green('✓')} trusted ${scope}${until} ${c.dim(`(id ${e.id})`)}\n`);
  return 0;
}

function list(argv: string[]): number {
  if (wantsHelp(argv)) return (process.stdout.write(HELP + '\n'), 0);
  const { values, positionals } = parse<{ json?: boolean }>('trust list', argv, { json: { type: 'boolean' } });
  if (positionals.length) throw usage(`trust list: unexpected '${positionals[0]}' — it takes only --json`);
  const entries = trustStore().list();
  const now = Date.now();
  if (values.json) {
    const out = entries.map((e) => ({ ...e, expired: e.expires !== undefined && Date.parse(e.expires) <= now }));
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  if (entries.length === 0) {
    process.stdout.write('no trusted lines — add one with: vg trust add "npm test"\n');
    return 0;
  }
  const c = colors();
  const rows = [[c.dim('ID'), c.dim('USES'), c.dim('LAST USED'), c.dim('EXPIRES'), c.dim('LINE')]];
  for (const e of entries as TrustEntry[]) {
    const expired = e.expires !== undefined && Date.parse(e.expires) <= now;
    const expires = e.expires ? (expired ? c.red('expired') : ago(e.expires, now)) : c.dim('never');
    const line = oneLine(e.line, 80) + (e.prefix ? c.cyan(' …') : '') + (e.note ? c.dim(`  # ${oneLine(e.note, 60)}`) : '');
    rows.push([e.id, String(e.uses), e.lastUsed ? ago(e.lastUsed, now) : c.dim('never'), expires, line]);
  }
  process.stdout.write(table(rows, [1]).join('\n') + '\n');
  const prefixes = entries.filter((e) => e.prefix).length;
  if (prefixes) process.stdout.write(c.dim(`… = prefix: also covers the line with more arguments\n`));
  return 0;
}

function remove(argv: string[]): number {
  if (wantsHelp(argv)) return (process.stdout.write(HELP + '\n'), 0);
  const { positionals, rest } = parse('trust remove', argv, {});
  const key = [...positionals, ...(rest ?? [])].join(' ').trim();
  if (!key) throw usage('trust remove: give an id or the exact line — see them with vg trust list');
  if (!trustStore().remove(key)) throw new VgError(`trust remove: no entry with id or line '${oneLine(key, 60)}' — see them with vg trust list`);
  process.stdout.write(`${colors().green('✓')} removed ${oneLine(key, 80)}\n`);
  return 0;
}

async function clear(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) return (process.stdout.write(HELP + '\n'), 0);
  const { values, positionals } = parse<{ yes?: boolean }>('trust clear', argv, { yes: { type: 'boolean', short: 'y' } });
  if (positionals.length) throw usage(`trust clear: unexpected '${positionals[0]}' — it takes only --yes`);
  const store = trustStore();
  const n = store.list().length;
  if (n === 0) {
    process.stdout.write('no trusted lines to clear\n');
    return 0;
  }
  if (!values.yes) {
    if (!process.stdin.isTTY) throw usage(`trust clear: this forgets all ${n} trusted lines — add --yes to confirm`);
    const answer = await ask(`forget all ${n} trusted line${n === 1 ? '' : 's'}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stdout.write('nothing changed\n');
      return 1;
    }
  }
  const removed = store.clear();
  process.stdout.write(`${colors().green('✓')} forgot ${removed} trusted line${removed === 1 ? '' : 's'}\n`);
  return 0;
}

function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) =>
    rl.question(question, (a) => {
      rl.close();
      resolve(a);
    }),
  );
}
