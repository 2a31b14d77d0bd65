// A thin layer over node:util.parseArgs: strict options, `--` ends vg's options (everything after
// belongs to the command), and errors become one-line usage messages.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usage } from './errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<V> {
  values: V;
  positionals: string[];
  /** Words after a literal `--`, untouched. */
  rest: string[] | null;
}

export function parse<V = Record<string, string | boolean | string[] | undefined>>(
  cmd: string,
  argv: string[],
  options: Options,
  opts: { stopAtFirstPositional?: boolean } = {},
): Parsed<V> {
  let mine = argv;
  let rest: string[] | null = null;
  const dd = argv.indexOf('--');
  if (dd >= 0) {
    mine = argv.slice(0, dd);
    rest = argv.slice(dd + 1);
  }
  if (opts.stopAtFirstPositional) {
    // Options are only recognised before the first positional word (`vg exec --mode auto LINE`).
    const i = firstPositional(mine, options);
    if (i >= 0 && rest === null) {
      rest = null;
      const tail = mine.slice(i);
      mine = mine.slice(0, i);
      return finish(cmd, mine, options, tail, rest);
    }
  }
  return finish(cmd, mine, options, [], rest);
}

function finish<V>(cmd: string, mine: string[], options: Options, tail: string[], rest: string[] | null): Parsed<V> {
  try {
    const r = parseArgs({ args: mine, options, allowPositionals: true, strict: true });
    return { values: r.values as V, positionals: [...r.positionals, ...tail], rest };
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0].replace(/^Unknown option '(.*?)'.*$/, "unknown option '$1'");
    throw usage(`${cmd}: ${msg} — run \`vg ${cmd} --help\` for the options`);
  }
}

function firstPositional(argv: string[], options: Options): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') return i;
    if (a.includes('=')) continue;
    const long = a.startsWith('--') ? a.slice(2) : null;
    const def = long !== null ? options[long] : Object.values(options).find((o) => o.short === a.slice(1));
    if (def && def.type === 'string') i++;
  }
  return -1;
}
