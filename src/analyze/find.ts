// `find` runs commands of its own: `-exec`/`-execdir`/`-ok` per match, and `-delete` removes every
// match. This turns a find invocation into the commands it would run, with `{}` standing for what
// it matches: the root itself, or `ROOT/**/NAME` when a name filter narrows the match.
import { type EWord, literalWord } from './words.ts';

export function findCommands(words: readonly EWord[]): EWord[][] {
  const args = words.slice(1);
  const roots: EWord[] = [];
  let i = 0;
  while (i < args.length && /^-[HLPO]/.test(args[i]!.value)) i++;
  while (i < args.length && !/^[-(!]/.test(args[i]!.value)) roots.push(args[i++]!);
  if (roots.length === 0) roots.push(literalWord('.'));
  let nameFilter: string | undefined;
  for (let k = i; k < args.length; k++) {
    const v = args[k]!.value;
    if (/^-(i?name|i?path|i?regex|i?wholename)$/.test(v) && args[k + 1]) nameFilter = args[k + 1]!.value;
  }
  const matched = (r: EWord): EWord => (nameFilter ? { ...r, value: r.value.replace(/\/$/, '') + '/**/' + nameFilter } : r);
  const out: EWord[][] = [];
  for (let k = i; k < args.length && out.length < 16; k++) {
    const v = args[k]!.value;
    if (v === '-delete') {
      out.push([literalWord('rm'), literalWord('-r'), ...roots.map(matched)]);
    } else if (v === '-exec' || v === '-execdir' || v === '-ok' || v === '-okdir') {
      const cmd: EWord[] = [];
      let j = k + 1;
      for (; j < args.length && args[j]!.value !== ';' && args[j]!.value !== '+'; j++) cmd.push(args[j]!);
      k = j;
      const expanded = cmd.flatMap((w) =>
        w.value.includes('{}')
          ? roots.map((r) => ({ ...w, value: w.value.split('{}').join(matched(r).value), dynamic: w.dynamic || r.dynamic, ifEmpty: w.ifEmpty.split('{}').join(r.ifEmpty) }))
          : [w],
      );
      if (expanded.length > 0) out.push(expanded);
    }
  }
  return out;
}
