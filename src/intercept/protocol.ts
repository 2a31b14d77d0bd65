// The line protocol between the shell hooks (shell/vg.{bash,zsh,fish}) and the resident analyzer
// (`vg serve`, server.ts). One request per line, one response line per request that wants one.
//
// Shell → server: fields separated by TAB, each field escaped so a field never holds a raw TAB,
// newline, CR, NUL or backslash: `\\` `\t` `\n` `\r` `\0` (escape()/unescape()). The shells do this
// with parameter expansion only (no fork).
//
//   J <id> <cwd> <line> [<flags> [<def> <text>]…]
//                                    judge a line                          → one R line
//                                    flags: n = the first word is no function (fish), c = name every
//                                    callee, the first word too (zsh changed the text), i = the shell
//                                    stopped following callees (8 rounds, or 64 KB of definitions:
//                                    judged at least medium, so sandboxed); each def is
//                                    `a:NAME` (an alias, text = its value), `f:NAME` (a function,
//                                    text = its definition as the shell prints it) or `p:NAME` (the
//                                    same, written to a file in the analyzer's private directory:
//                                    bash escapes a long text slowly), sent for the callees of an
//                                    earlier answer; with defs, every callee is reported
//   A <id> <answer>                  the answer to a prompt: s | y | r | n (r = trust the line)
//   D <id> <status> <ms> <how> [<t0> <t1>]
//                                    the line finished (fire-and-forget): how = host | sandbox |
//                                    block | cancel | fallback | error; with t0/t1 (EPOCHREALTIME at
//                                    Enter and at the next prompt) ms may be empty. bash sends it
//                                    with its next request rather than waking the analyzer at the prompt
//   E <NAME> <value>                 the shell's exported NAME changed (PATH, HOME, VG_AGENT…)
//   U <NAME>                         … was unset
//   P <id>                           ping                                   → one P line
//
// Server → shell: fields separated by US (0x1f) — a non-whitespace IFS character, so `read` keeps
// empty fields — and no field ever holds a control character (notices are sanitised; the command
// to run is shell code with every control character written as an escape), so the shells need no
// unescaping at all:
//
//   V ␟ <version> ␟ <pid> ␟ <timeout_ms> ␟ <fallback> ␟ <notice style> ␟ <mode> ␟ <reply file>
//                                    once, when ready (not for fish: its `read` swallows a second
//                                    buffered line). reply file: where F answers are (may be empty)
//   H ␟ <id> [␟ <callees>]           host, nothing to print: the common answer, short because bash
//                                    and zsh read a pipe a byte per syscall (not for fish)
//   F ␟ <id>                         the answer to <id> is the one line in the reply file (bash and
//                                    zsh read a pipe a byte per syscall: long answers go there)
//   R ␟ <id> ␟ <decision> ␟ <risk> ␟ <notice> ␟ <cmd> [␟ <callees>]
//       decision: host | sandbox | prompt | block | more (line incomplete: keep editing) |
//                 error (the analyzer failed: apply shell.fallback, which the risk field names)
//       notice:   what to print on stderr (RS 0x1e separates lines); for prompt: the question
//       cmd:      sandbox/prompt: shell code that runs the sandbox invocation (argv, env, fds) —
//                 eval'd by the shell; empty when the sandbox cannot start (notice says why)
//       callees: space-separated command names the line calls that may be the shell's own
//                 aliases or functions (Analysis.callees) — without defs in the request, less the
//                 line's first word, which the shell checked before asking. A shell that has any of
//                 them asks again with their definitions (bash and zsh expand aliases in every
//                 command position, and call functions anywhere), so what runs is what was judged.
//                 `?NAME`: on no PATH — the shell sends NAME's alias or function, else its
//                 not-found handler (which the shell runs for an unknown command)
//   P ␟ <id> ␟ <pid>
export const US = '\x1f';
export const RS = '\x1e';

export type ShellKind = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly ShellKind[] = ['bash', 'zsh', 'fish'];

export type Request =
  /** noFn: the shell checked that the line's first word is no function of its own (fish sends it). */
  /** allCallees: report the first word too (the shell changed the text: zsh's global aliases). */
  | { kind: 'J'; id: string; cwd: string; line: string; noFn?: boolean; allCallees?: boolean; defs?: Definitions }
  | { kind: 'A'; id: string; answer: string }
  | { kind: 'D'; id: string; status: number; ms: number; how: string; end?: number }
  | { kind: 'E'; name: string; value: string }
  | { kind: 'U'; name: string }
  | { kind: 'P'; id: string };

/** The shell's own aliases and functions a line uses (name, text), in the order the shell sent them. */
export interface Definitions {
  aliases: [string, string][];
  functions: [string, string][];
  /** The shell stopped following callees (too deep, or too much text): judge the line at least medium. */
  incomplete?: boolean;
  /** Functions whose definition the shell wrote to a file in the analyzer's private directory (name, path). */
  files?: [string, string][];
}

export type WireDecision = 'host' | 'sandbox' | 'prompt' | 'block' | 'more' | 'error';

export interface Response {
  id: string;
  decision: WireDecision;
  risk: string;
  notice: string;
  cmd: string;
  /** Space-separated names (see "callees" above); empty or absent: none. */
  callees?: string;
}

const ESC: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const UNESC: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r', '0': '\0' };

/** Escape one request field (what the shells do with parameter expansion). */
export function escape(s: string): string {
  return s.replace(/[\\\t\n\r\0]/g, (c) => ESC[c]!);
}

/** Undo escape(). An unknown escape keeps the character after the backslash. */
export function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.?)/gs, (_m, c: string) => (c === '' ? '\\' : (UNESC[c] ?? c)));
}

/** Parse one request line (without its newline). Null for anything malformed: the server ignores it. */
export function parseRequest(raw: string): Request | null {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const f = line.split('\t');
  switch (f[0]) {
    case 'J':
      if (f.length < 4 || !f[1]) return null;
      // The line itself holds no raw TAB (escaped, or sent only when it has none): field 5 is flags.
      return { kind: 'J', id: f[1], cwd: unescape(f[2]!), line: unescape(f[3]!), ...(f[4]?.includes('n') ? { noFn: true } : {}), ...(f[4]?.includes('c') ? { allCallees: true } : {}), ...parseDefs(f.slice(5), f[4]?.includes('i') === true) };
    case 'A':
      if (f.length < 3 || !f[1]) return null;
      return { kind: 'A', id: f[1], answer: f[2]! };
    case 'D': {
      if (f.length < 4 || !f[1]) return null;
      const status = Number.parseInt(f[2]!, 10);
      let ms = Number.parseFloat(f[3]!);
      const end = f[6] ? epochSeconds(f[6]) * 1000 : NaN;
      if (!Number.isFinite(ms) && f[5] && f[6]) ms = end - epochSeconds(f[5]) * 1000;
      const d: Request = { kind: 'D', id: f[1], status: Number.isFinite(status) ? status : -1, ms: Number.isFinite(ms) && ms >= 0 ? ms : 0, how: f[4] || 'host' };
      if (Number.isFinite(end)) d.end = end;
      return d;
    }
    case 'E':
      if (f.length < 3 || !f[1]) return null;
      return { kind: 'E', name: f[1], value: unescape(f.slice(2).join('\t')) };
    case 'U':
      if (f.length < 2 || !f[1]) return null;
      return { kind: 'U', name: f[1] };
    case 'P':
      return { kind: 'P', id: f[1] ?? '' };
    default:
      return null;
  }
}

function parseDefs(f: string[], incomplete: boolean): { defs?: Definitions } {
  if (f.length < 2 && !incomplete) return {};
  const defs: Definitions = { aliases: [], functions: [], ...(incomplete ? { incomplete } : {}) };
  for (let i = 0; i + 1 < f.length; i += 2) {
    const k = f[i]!;
    const name = k.slice(2);
    if (!name) continue;
    if (k.startsWith('a:')) defs.aliases.push([name, unescape(f[i + 1]!)]);
    else if (k.startsWith('f:')) defs.functions.push([name, unescape(f[i + 1]!)]);
    else if (k.startsWith('p:')) (defs.files ??= []).push([name, unescape(f[i + 1]!)]);
  }
  return defs.aliases.length || defs.functions.length || defs.files?.length || incomplete ? { defs } : {};
}

/** bash's EPOCHREALTIME uses the locale's decimal separator. */
function epochSeconds(s: string): number {
  return Number(s.replace(',', '.'));
}

/** A request line as a shell would write it (used by tests and the bench). */
export function formatRequest(r: Request): string {
  switch (r.kind) {
    case 'J': {
      const defs = r.defs
        ? [...r.defs.aliases.map(([n, v]) => `a:${n}\t${escape(v)}`), ...r.defs.functions.map(([n, v]) => `f:${n}\t${escape(v)}`), ...(r.defs.files ?? []).map(([n, v]) => `p:${n}\t${escape(v)}`)]
        : [];
      const flags = `${r.noFn ? 'n' : ''}${r.allCallees ? 'c' : ''}${r.defs?.incomplete ? 'i' : ''}`;
      const tail = defs.length ? `\t${flags}\t${defs.join('\t')}` : flags ? `\t${flags}` : '';
      return `J\t${r.id}\t${escape(r.cwd)}\t${escape(r.line)}${tail}\n`;
    }
    case 'A':
      return `A\t${r.id}\t${r.answer}\n`;
    case 'D':
      return `D\t${r.id}\t${r.status}\t${r.ms}\t${r.how}\n`;
    case 'E':
      return `E\t${r.name}\t${escape(r.value)}\n`;
    case 'U':
      return `U\t${r.name}\n`;
    case 'P':
      return `P\t${r.id}\n`;
  }
}

/** One display line for a response field: control characters become spaces, line breaks become RS. */
export function sanitizeNotice(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\r?\n/g, RS).replace(/[\x00-\x1d\x1f\x7f]/g, ' ');
}

export function formatResponse(r: Response): string {
  // The id is the shell's own counter; keep it free of separators whatever it sent.
  const id = r.id.replace(/[\x00-\x1f\x7f]/g, '');
  const callees = r.callees ? US + cleanCallees(r.callees) : '';
  return ['R', id, r.decision, r.risk, sanitizeNotice(r.notice), r.cmd].join(US) + callees + '\n';
}

/** Names are plain words (Analysis.callees); this keeps the field one field whatever came in. */
const cleanCallees = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, ' ');

/** The short form of a host answer with nothing to print (H). */
export function formatHost(id: string, callees = ''): string {
  return `H${US}${id.replace(/[\x00-\x1f\x7f]/g, '')}${callees ? US + cleanCallees(callees) : ''}\n`;
}

export function parseResponse(raw: string): Response | null {
  const f = raw.replace(/\n$/, '').split(US);
  if (f[0] === 'H' && (f.length === 2 || f.length === 3)) return { id: f[1]!, decision: 'host', risk: '', notice: '', cmd: '', ...(f[2] ? { callees: f[2] } : {}) };
  if (f[0] !== 'R' || f.length < 6) return null;
  return { id: f[1]!, decision: f[2] as WireDecision, risk: f[3]!, notice: f[4]!, cmd: f[5]!, ...(f[6] ? { callees: f[6] } : {}) };
}

export function formatHello(o: { version: string; pid: number; timeoutMs: number; fallback: string; notice: string; mode: string; replyFile?: string }): string {
  return ['V', o.version, String(o.pid), String(o.timeoutMs), o.fallback, o.notice, o.mode, sanitizeNotice(o.replyFile ?? '')].join(US) + '\n';
}

/** The pipe's part of an answer that went to the reply file. */
export function formatPointer(id: string): string {
  return `F${US}${id.replace(/[\x00-\x1f\x7f]/g, '')}\n`;
}
