// fish code → POSIX shell code with the same commands, for judging only (a sandbox still runs the
// fish line under `fish -c`). The analyzer's parser is bash's: fish's `(cmd)` substitutions and
// `if … end` blocks made most real fish lines unparseable, hence at least medium — so in fish,
// `cd (git rev-parse --show-toplevel)` or `set -gx PATH (pwd)/bin $PATH` went to a sandbox, and
// the cd or the variable was lost with it.
//
// Word by word, quote-aware: `(…)` and `$(…)` → `$(…)` (translated inside), fish quoting → POSIX
// quoting of the same text, `$v[1]` → `${v}` (an index is still the variable's value, unknown),
// `>?` → `>`, `&|` → `|&`; blocks at command position: `if`/`else if`/`else`/`while`/`for`/
// `begin`/`function`/`switch`/`case` … `end` → their POSIX frames. Every character outside quotes
// that is no fish syntax passes through as it is, so what the line runs stays visible. Null when
// the text is no complete fish code this understands (unbalanced quotes, parentheses or blocks):
// the caller judges the raw text, unparseable, hence at least medium, as before.
import { singleQuote } from './words.ts';

type Closer = 'fi' | 'done' | '}' | 'esac';
interface Block {
  closer: Closer;
  /** switch: a `case` was seen (the next needs `;;` before it). */
  cased?: boolean;
}

const KEYWORD_AFTER = new Set(['and', 'or', 'not', 'command', 'builtin', 'exec', 'time']);
const FN_NAME = /^[A-Za-z0-9_.:@+-]+$/;

class Unsupported extends Error {}

/** The translation, or null (see above). Pure. */
export function fishToPosix(src: string): string | null {
  try {
    const t = new Translator(src);
    const out = t.code(false);
    if (t.i < src.length || t.blocks.length) return null;
    return out;
  } catch {
    // Unsupported input, a stack overflow on absurd nesting — or a bug here: the raw text is judged
    // instead (unparseable: at least medium), never a crash of the judge.
    return null;
  }
}

class Translator {
  i = 0;
  blocks: Block[] = [];
  constructor(private s: string) {}

  /** Statements until the end, or until the `)` that closes a substitution (`inSub`). */
  code(inSub: boolean): string {
    const s = this.s;
    let out = '';
    let atCmd = true;
    // What the statement being read still needs once it ends: `then` after an if's condition…
    let pending: '' | 'then' | 'do' | 'in' = '';
    // The block depth the pending keyword belongs to: a `begin … end` inside an if's condition has its own statements.
    let pendingAt = 0;
    // `function NAME opts…` and `case PAT…`: their words up to the end of the statement are consumed here.
    let skipping: 'function' | 'case' | '' = '';
    let casePats: string[] = [];
    // Just after an opener (`then`, `do`, `{`, `else`, `in`, `PAT)`): a `;` there would be a POSIX
    // syntax error, so it is dropped. `empty`: no command since the opener (a POSIX block cannot be empty).
    let opened = false;
    let empty = false;
    let continued = false;
    const open = (text: string): void => {
      out += text;
      opened = true;
      empty = true;
    };
    const endStatement = (sep: string): void => {
      atCmd = true;
      if (skipping === 'case') {
        skipping = '';
        open(` ${casePats.join('|') || "''"})`);
        casePats = [];
        return;
      }
      if (skipping === 'function') {
        skipping = '';
        open(' {');
        return;
      }
      if (pending === 'in') {
        pending = '';
        open(' in');
        return;
      }
      if (!(opened && sep === ';')) out += sep;
      if (pending && pendingAt !== this.blocks.length) return;
      // `if a\n  and b\n  or c`: fish's condition goes on through and/or statements (POSIX: one
      // condition list, its last status decides — `and`/`or` are read as wrappers).
      if ((pending === 'then' || pending === 'do') && /^(?:\s|#[^\n]*)*(?:and|or)[ \t]/.test(s.slice(this.i))) return;
      if (pending) {
        open(` ${pending}`);
        pending = '';
      }
    };
    const fill = (): void => {
      if (empty) out += ' :;';
      empty = false;
    };
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === ')' && inSub) break;
      if (c === ' ' || c === '\t') {
        out += c;
        this.i++;
        continue;
      }
      if (c === '\\' && s[this.i + 1] === '\n') {
        out += '\\\n';
        this.i += 2;
        continue;
      }
      if (c === '\n' && continued) {
        out += c;
        this.i++;
        continue;
      }
      if (c === '\n' || c === ';') {
        this.i++;
        endStatement(c);
        continue;
      }
      if (c === '#' && (atCmd || /[\s;|&(]/.test(s[this.i - 1] ?? ' '))) {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
        continue;
      }
      opened = false;
      continued = false;
      if (c === '&' || c === '|') {
        if (skipping) throw new Unsupported();
        const two = s.slice(this.i, this.i + 2);
        if (two === '&>') {
          out += '&>';
          this.i += 2;
          continue;
        }
        if (two === '&&' || two === '||') out += two;
        else if (two === '&|') out += '|&';
        else out += c;
        this.i += two === '&&' || two === '||' || two === '&|' ? 2 : 1;
        atCmd = true;
        // A newline after `&&`, `||` or `|` continues the line (both shells).
        continued = c === '|' || two === '&&';
        continue;
      }
      if (c === '>' && s[this.i + 1] === '|') {
        // fish's `2>|`: a pipe of stderr (the `2` stays behind as a word; harmless to judging).
        out += '|';
        this.i += 2;
        atCmd = true;
        continued = true;
        continue;
      }
      if (c === '>' || c === '<') {
        out += c;
        this.i++;
        if (s[this.i] === c) out += s[this.i++]!;
        if (s[this.i] === '?') this.i++; // `>?file`: fish's noclobber, a write all the same
        if (s[this.i] === '&') out += s[this.i++]!;
        continue;
      }
      const w = this.word(inSub);
      if (skipping === 'function') continue;
      // A command in a switch before its first case: not fish; no POSIX place for it either.
      const top = this.blocks.at(-1);
      if (atCmd && !skipping && top?.closer === 'esac' && !top.cased && !(w.bare && (w.raw === 'case' || w.raw === 'end'))) throw new Unsupported();
      if (skipping === 'case') {
        casePats.push(w.text);
        continue;
      }
      if (atCmd && w.bare) {
        const kw = w.raw;
        if (kw === 'if') {
          this.blocks.push({ closer: 'fi' });
          out += 'if';
          pending = 'then';
          pendingAt = this.blocks.length;
          continue;
        }
        if (kw === 'while' || kw === 'for') {
          this.blocks.push({ closer: 'done' });
          out += kw;
          pending = 'do';
          pendingAt = this.blocks.length;
          atCmd = kw === 'while';
          continue;
        }
        if (kw === 'else') {
          if (this.blocks.at(-1)?.closer !== 'fi') throw new Unsupported();
          fill();
          this.spaces();
          if (s.startsWith('if', this.i) && /[\s;]/.test(s[this.i + 2] ?? ';')) {
            this.i += 2;
            out += 'elif';
            pending = 'then';
          pendingAt = this.blocks.length;
          } else open('else');
          continue;
        }
        if (kw === 'begin') {
          this.blocks.push({ closer: '}' });
          open('{');
          continue;
        }
        if (kw === 'function') {
          this.spaces();
          const name = this.word(inSub);
          this.blocks.push({ closer: '}' });
          out += `${FN_NAME.test(name.raw) && name.bare ? name.raw : '__vg_fish_fn'} ()`;
          skipping = 'function';
          continue;
        }
        if (kw === 'switch') {
          this.blocks.push({ closer: 'esac', cased: false });
          out += 'case';
          pending = 'in';
          pendingAt = this.blocks.length;
          atCmd = false;
          continue;
        }
        if (kw === 'case') {
          const b = this.blocks.at(-1);
          if (b?.closer !== 'esac') throw new Unsupported();
          if (b.cased) out += ';;';
          b.cased = true;
          skipping = 'case';
          continue;
        }
        if (kw === 'end') {
          const b = this.blocks.pop();
          if (!b) throw new Unsupported();
          if (b.closer === 'esac') out += b.cased ? ';; esac' : 'esac';
          else {
            fill();
            out += ` ${b.closer}`;
          }
          atCmd = false;
          continue;
        }
        empty = false;
        // `and begin … end`, `not if …`: POSIX has no command that takes a block; the block is what
        // runs (and/or only decide whether), and `not` is `!`.
        if ((kw === 'and' || kw === 'or' || kw === 'not') && /^[ \t]+(?:not[ \t]+)*(?:begin|if|while|for|switch)(?=[\s;])/.test(s.slice(this.i))) {
          if (kw === 'not') out += '!';
          continue;
        }
        out += w.text;
        atCmd = KEYWORD_AFTER.has(kw);
        continue;
      }
      if (atCmd) empty = false;
      out += w.text;
      atCmd = false;
    }
    if (inSub && s[this.i] !== ')') throw new Unsupported(); // no closing `)`
    if (skipping || pending) throw new Unsupported(); // `if` with no condition's end, `function f` alone
    return out;
  }

  /** `(…)` or `$(…)` (its opening is `skip` characters) → `$(…)`, translated inside. */
  subst(skip: number): string {
    this.i += skip;
    const code = `$(${this.substitution()})`;
    if (this.s[this.i] !== ')') throw new Unsupported();
    this.i++;
    return code;
  }

  /** The code of a `(…)`: its own statements and blocks, none left open. */
  substitution(): string {
    const outer = this.blocks;
    this.blocks = [];
    const code = this.code(true);
    if (this.blocks.length) throw new Unsupported();
    this.blocks = outer;
    return code;
  }

  spaces(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }

  /**
   * A backslash escape outside quotes. fish's character escapes (`\r`, `\n`, `\e`, `\cM`, `\x0d`,
   * `\u…`, octal) stand for the character, as in bash's `$'…'`: `bind \r …` binds Enter, not `r`.
   */
  escape(): string {
    const m = /^\\(?:[abefnrtv]|c.|[xX][0-9a-fA-F]{1,2}|[0-7]{1,3}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8})/.exec(this.s.slice(this.i, this.i + 10));
    if (m) {
      this.i += m[0].length;
      return `$'${m[0].replace(/^\\X/, '\\x')}'`;
    }
    this.i += 2;
    return this.s.slice(this.i - 2, this.i);
  }

  /** One word: its POSIX text, its raw fish text, and whether it had no quoting or expansion. */
  word(inSub: boolean): { text: string; raw: string; bare: boolean } {
    const s = this.s;
    const start = this.i;
    let text = '';
    let bare = true;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (/[\s;&|<>]/.test(c) || (c === ')' && inSub)) break;
      // Quoting and expansions: the word is no keyword any more.
      const part =
        c === '\\' ? this.escape()
        : c === "'" ? this.single()
        : c === '"' ? this.double()
        : c === '(' ? this.subst(1)
        : c === '$' && s[this.i + 1] === '(' ? this.subst(2)
        : c === '$' ? this.variable()
        : null;
      if (part !== null) {
        text += part;
        bare = false;
        continue;
      }
      if (c === '`') {
        text += '\\`'; // literal in fish
        this.i++;
        continue;
      }
      text += c;
      this.i++;
    }
    if (this.i === start) throw new Unsupported(); // a character no rule took (a stray `)`)
    return { text, raw: s.slice(start, this.i), bare };
  }

  /** `$name`, `$name[…]` (index dropped), `$$name` (indirection: unknown) → POSIX. */
  variable(): string {
    const s = this.s;
    this.i++;
    let dollars = 1;
    while (s[this.i] === '$') {
      dollars++;
      this.i++;
    }
    const m = /^[A-Za-z0-9_]+/.exec(s.slice(this.i));
    if (!m) return '$'.repeat(dollars);
    this.i += m[0].length;
    if (s[this.i] === '[') {
      const close = s.indexOf(']', this.i);
      if (close < 0) throw new Unsupported();
      this.i = close + 1;
    }
    return dollars > 1 ? '${__vg_fish_indirect}' : `\${${m[0]}}`;
  }

  /** fish '…': only \\ and \' are escapes. → the same text, POSIX single-quoted. */
  single(): string {
    const s = this.s;
    this.i++;
    let v = '';
    while (this.i < s.length && s[this.i] !== "'") {
      if (s[this.i] === '\\' && (s[this.i + 1] === '\\' || s[this.i + 1] === "'")) {
        v += s[this.i + 1];
        this.i += 2;
      } else v += s[this.i++];
    }
    if (this.i >= s.length) throw new Unsupported();
    this.i++;
    return singleQuote(v);
  }

  /** fish "…": $var and $(…) expand, \" \\ \$ and \newline are escapes; a backtick is literal. */
  double(): string {
    const s = this.s;
    this.i++;
    let out = '"';
    while (this.i < s.length && s[this.i] !== '"') {
      const c = s[this.i]!;
      if (c === '\\' && /["\\$\n]/.test(s[this.i + 1] ?? '')) {
        out += s.slice(this.i, this.i + 2);
        this.i += 2;
      } else if (c === '\\') {
        out += '\\\\'; // fish keeps this backslash; in POSIX "…" it would escape a following $ ` " \
        this.i++;
      } else if (c === '$' && s[this.i + 1] === '(') {
        out += this.subst(2);
      } else if (c === '$') {
        out += this.variable();
      } else if (c === '`') {
        out += '\\`';
        this.i++;
      } else {
        out += c;
        this.i++;
      }
    }
    if (this.i >= s.length) throw new Unsupported();
    this.i++;
    return out + '"';
  }
}
