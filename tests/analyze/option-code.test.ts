// Commands programs run through their own options and little languages (analyze/option-code.ts),
// as data: each program's option grammar, the bypass spellings, and the everyday uses that run nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMBEDDING, awkProgram, embeddedCode, exCommand, gdbCommand, gitConfigCode, sedScript, vimExpression, type Arg, type Embedded } from '../../src/analyze/option-code.ts';

const words = (...values: string[]): Arg[] => values.map((value) => ({ value, dynamic: false }));
const run = (name: string, ...values: string[]): Embedded[] => embeddedCode(name, words(...values));
const sh = (code: string, dynamic = false): Embedded => ({ kind: 'shell', code, dynamic });
const later = (code: string, dynamic = false): Embedded => ({ kind: 'shell', code, dynamic, deferred: true });
const un = (what: string): Embedded => ({ kind: 'unseen', what });
const wr = (path: string, dynamic = false): Embedded => ({ kind: 'write', path, dynamic });
const argv = (...a: string[]): Embedded => ({ kind: 'argv', argv: a, dynamic: false });
const py = (code: string): Embedded => ({ kind: 'lang', lang: 'python', code });

const SED_E = un('sed s///e runs the pattern space as a command');
const SED_BAD = un('sed script vg cannot read');
const RM = 'rm -rf ~';

// ---- sed

test('sed: the s///e flag runs the replacement, reported with the pattern space it also runs', () => {
  assert.deepEqual(run('sed', 's/x/rm -rf ~/e'), [sh(RM), SED_E]);
  assert.deepEqual(run('sed', 's|x|rm -rf ~|e'), [sh(RM), SED_E]);
  assert.deepEqual(run('sed', 's,x,rm -rf ~,e'), [sh(RM), SED_E]);
  assert.deepEqual(run('sed', 'sxaxrm -rf ~xe'), [sh(RM), SED_E]);
  assert.deepEqual(run('sed', 's x rm\\ -rf\\ ~ e'), [sh(RM), SED_E]);
  assert.deepEqual(run('sed', 's/x/y/ge'), [sh('y'), SED_E]);
  assert.deepEqual(run('sed', 's/x/y/ e'), [sh('y'), SED_E]);
  assert.deepEqual(run('sed', 's/x/y/2pe'), [sh('y'), SED_E]);
});

test('sed: the replacement is read with its escapes: an escaped delimiter, \\n as a new line, & and \\1 as typed', () => {
  assert.deepEqual(run('sed', 's/x/rm -rf \\/home/e'), [sh('rm -rf /home'), SED_E]);
  assert.deepEqual(run('sed', 's/x/true\\nrm -rf ~/e'), [sh('true\nrm -rf ~'), SED_E]);
  assert.deepEqual(run('sed', 's/x/echo 1\\\necho 2/e'), [sh('echo 1\necho 2'), SED_E]);
  assert.deepEqual(run('sed', 's/\\(.*\\)/rm -rf \\1 &/e'), [sh('rm -rf \\1 &'), SED_E]);
  assert.deepEqual(run('sed', 's&x&a\\&b&e'), [sh('a\\&b'), SED_E]);
});

test('sed: a delimiter inside a regex bracket expression does not end the regex', () => {
  assert.deepEqual(run('sed', 's/[/]/rm -rf ~/e'), [sh(RM), SED_E]);
  assert.deepEqual(run('sed', 's/[]/]x/y/'), []);
  assert.deepEqual(run('sed', 's/[[:alpha:]/]x/y/'), []);
  assert.deepEqual(run('sed', 's[x[y['), []);
});

test('sed: the e command runs its text; a bare e runs the pattern space', () => {
  assert.deepEqual(run('sed', '1e rm -rf ~'), [sh(RM)]);
  assert.deepEqual(run('sed', 'e rm -rf ~; echo done'), [sh('rm -rf ~; echo done')]);
  assert.deepEqual(run('sed', '$!e id'), [sh('id')]);
  assert.deepEqual(run('sed', 'e'), [un('sed e runs its input as commands')]);
  assert.deepEqual(run('sed', 'p;e\np'), [un('sed e runs its input as commands')]);
  assert.deepEqual(run('sed', '\\%x%e date'), [sh('date')]);
});

test('sed: every address form is skipped before the command', () => {
  assert.deepEqual(run('sed', '/x/I,+3 !e id'), [sh('id')]);
  assert.deepEqual(run('sed', '/a\\/b/M,~4e id'), [sh('id')]);
  assert.deepEqual(run('sed', '0,/re/{//e id\n}'), [sh('id')]);
  assert.deepEqual(run('sed', '1~2e id'), [sh('id')]);
  assert.deepEqual(run('sed', '1 ~ 2,$ e id'), [sh('id')]);
  assert.deepEqual(run('sed', '$!{N;e id\n}'), [sh('id')]);
});

test('sed: the commands that take text, labels or files keep what follows from being read as commands', () => {
  assert.deepEqual(run('sed', 'a hello; e rm -rf ~'), []);
  assert.deepEqual(run('sed', '$a\\\nfoo; e rm\\\nbar'), []);
  assert.deepEqual(run('sed', 'i\\  e id'), []);
  assert.deepEqual(run('sed', 'c\\\ne id'), []);
  assert.deepEqual(run('sed', 'r /etc/e;e id'), []);
  assert.deepEqual(run('sed', 'R in.txt'), []);
  assert.deepEqual(run('sed', '# e id\np'), []);
  assert.deepEqual(run('sed', ':a;N;$!ba;s/\\n/ /g'), []);
  assert.deepEqual(run('sed', ':a e id'), [sh('id')]);
  assert.deepEqual(run('sed', 'b end;e id\n:end'), [sh('id')]);
  assert.deepEqual(run('sed', 'y/abc/xyz/'), []);
  assert.deepEqual(run('sed', 'y/e/E/;e id'), [sh('id')]);
  assert.deepEqual(run('sed', 'q5'), []);
  assert.deepEqual(run('sed', 'l 3;Q'), []);
  assert.deepEqual(run('sed', 'v 4.2;p'), []);
  assert.deepEqual(run('sed', '=;d;D;g;G;h;H;n;N;p;P;x;z;F'), []);
});

test('sed: w, W and the s///w flag write files; standard output and error are not files', () => {
  assert.deepEqual(run('sed', 'w /tmp/out'), [wr('/tmp/out')]);
  assert.deepEqual(run('sed', '/x/W ~/.bashrc'), [wr('~/.bashrc')]);
  assert.deepEqual(run('sed', 's/a/b/gw out.txt'), [wr('out.txt')]);
  assert.deepEqual(run('sed', 's/a/b/w out.txt;e id'), [wr('out.txt;e id')]);
  assert.deepEqual(run('sed', 's/a/b/w /dev/stdout'), []);
  assert.deepEqual(run('sed', 'w /dev/stderr'), []);
  assert.deepEqual(run('sed', 's/a/b/ew log'), [sh('b'), SED_E, wr('log')]);
});

test('sed: a command it cannot read stops the reading and says so, keeping what was found', () => {
  assert.deepEqual(run('sed', 'k'), [SED_BAD]);
  assert.deepEqual(run('sed', 'e id\nk;e rm'), [sh('id'), SED_BAD]);
  assert.deepEqual(run('sed', 's/a/b/Z'), [SED_BAD]);
  assert.deepEqual(run('sed', 's/a/b'), [SED_BAD]);
  assert.deepEqual(run('sed', '1{p'), [SED_BAD]);
  assert.deepEqual(run('sed', 'p}'), [SED_BAD]);
  assert.deepEqual(run('sed', '1!!p'), [SED_BAD]);
  assert.deepEqual(run('sed', 'pp'), [SED_BAD]);
});

test('sed: the script comes from -e, --expression (any spelling), clusters ending in e, or the first operand', () => {
  assert.deepEqual(run('sed', '-e', 's/x/rm -rf ~/e', 'f'), [sh(RM), SED_E]);
  assert.deepEqual(run('sed', '-ne', 's/x/rm -rf ~/e'), [sh(RM), SED_E]);
  assert.deepEqual(run('sed', '-nes/x/y/e'), [sh('y'), SED_E]);
  assert.deepEqual(run('sed', '--expression=s/x/rm -rf ~/e'), [sh(RM), SED_E]);
  assert.deepEqual(run('sed', '--expression', '1e id'), [sh('id')]);
  assert.deepEqual(run('sed', '--expr=e id'), [sh('id')]);
  assert.deepEqual(run('sed', '-e', 'p', '-e', 'e id', '-e', 'p'), [sh('id')]);
  assert.deepEqual(run('sed', '-n', '-e', '1{', '-e', 'e id', '-e', '}'), [sh('id')]);
  assert.deepEqual(run('sed', 'p', '-n', 'e id'), [], 'GNU sed permutes: the first operand is the script, the rest are files');
  assert.deepEqual(run('sed', '-n', '--', 's/x/y/e'), [sh('y'), SED_E]);
});

test('sed: option values are never the script; -i takes an attached suffix only', () => {
  assert.deepEqual(run('sed', '-l', '5', 's/x/y/e'), [sh('y'), SED_E]);
  assert.deepEqual(run('sed', '--line-length', '5', 'e id'), [sh('id')]);
  assert.deepEqual(run('sed', '-i', 's/a/b/g', 'f'), []);
  assert.deepEqual(run('sed', '-ie', 's/a/b/', 'f'), [], '-ie is in-place with suffix "e", not -e');
  assert.deepEqual(run('sed', '-i.bak', 'e id', 'f'), [sh('id')]);
  assert.deepEqual(run('sed', '--in-place=.bak', 's/a/b/e', 'f'), [sh('b'), SED_E]);
  assert.deepEqual(run('sed', '-s', '-u', '-z', '-E', '-r', '--posix', '--debug', '--follow-symlinks', 'e id'), [sh('id')]);
});

test('sed: -f reads a script vg cannot see; --sandbox refuses e and w', () => {
  assert.deepEqual(run('sed', '-f', 'x.sed', 'f'), [un('sed runs a script file')]);
  assert.deepEqual(run('sed', '--file=x.sed'), [un('sed runs a script file')]);
  assert.deepEqual(run('sed', '-f', 'x.sed', '-e', 'e id'), [un('sed runs a script file'), sh('id')]);
  assert.deepEqual(run('sed', '--sandbox', 's/x/y/e'), []);
  assert.deepEqual(run('gsed', '-e', 'e id'), [sh('id')]);
});

test('sed: everyday scripts run and write nothing', () => {
  for (const script of ['1p', 's/a/b/g', 's/e/E/g', '/exec/d', 's/exec/run/', '1!G;h;$!d', '$!N;P;D', '/^#/d;s/#.*//', 's/\\(e\\)/\\1/g', 'y/e/f/', '1~3d', 's/x/y/;:l;n;bl']) {
    assert.deepEqual(run('sed', '-n', script, 'f'), [], script);
  }
  assert.deepEqual(run('sed', '-E', 's/(e)+/x/g', 'f'), []);
  assert.deepEqual(run('sed'), []);
});

test('sed: a script with a variable in it is read as far as known; only a script that is a variable as a whole is unknown', () => {
  assert.deepEqual(embeddedCode('sed', [{ value: 's/x/$y/e', dynamic: true }]), [sh('$y', true), SED_E]);
  assert.deepEqual(embeddedCode('sed', [{ value: '-e', dynamic: false }, { value: 'w $f', dynamic: true }]), [wr('$f', true)]);
  assert.deepEqual(embeddedCode('sed', [{ value: 's/$a/$b/g', dynamic: true }]), [], 'data: nothing to say');
  assert.deepEqual(embeddedCode('sed', [{ value: '$SCRIPT', dynamic: true }]), [SED_BAD, un('sed script only known at run time')]);
  assert.deepEqual(embeddedCode('sed', [{ value: '${S}', dynamic: true }]), [SED_BAD, un('sed script only known at run time')]);
});

test('sed: sedScript is usable on its own', () => {
  assert.deepEqual(sedScript('s/a/b/e'), [sh('b'), SED_E]);
  assert.deepEqual(sedScript(''), []);
});

// ---- awk

test('awk: system() with a literal runs it; anything else is a command built at run time', () => {
  const built = un('awk system() runs a command built at run time');
  assert.deepEqual(run('awk', 'BEGIN{system("rm -rf ~")}'), [sh(RM)]);
  assert.deepEqual(run('awk', 'BEGIN { system ("rm -rf ~") }'), [sh(RM)]);
  assert.deepEqual(run('awk', 'BEGIN{system("rm " "-rf ~")}'), [sh(RM)]);
  assert.deepEqual(run('awk', 'BEGIN{system("echo \\"x\\"\\trm")}'), [sh('echo "x"\trm')]);
  assert.deepEqual(run('awk', '{system($0)}'), [built]);
  assert.deepEqual(run('awk', 'BEGIN{system("rm " dir)}'), [built]);
  assert.deepEqual(run('awk', 'BEGIN{system("")}'), []);
  assert.deepEqual(run('awk', '-v', 'c=rm -rf ~', 'BEGIN{system(c)}'), [sh(RM), built]);
});

test('awk: print into a command runs it; printed into a shell, what is printed is code too', () => {
  assert.deepEqual(run('awk', '{print | "sort -u"}'), [sh('sort -u')]);
  assert.deepEqual(run('awk', '{print | "sh"}'), [sh('sh'), un('awk prints commands into a shell')]);
  assert.deepEqual(run('awk', '{print $0 |& "bash -s"}'), [sh('bash -s'), un('awk prints commands into a shell')]);
  assert.deepEqual(run('awk', 'BEGIN{print "rm -rf ~" | "/bin/sh"}'), [sh('/bin/sh'), sh(RM)]);
  assert.deepEqual(run('awk', 'BEGIN{ printf "%s\\n", "id" | "sh" }'), [sh('sh'), un('awk prints commands into a shell')]);
  assert.deepEqual(run('awk', '{ print | "python3" }'), [sh('python3'), un('awk prints code into an interpreter')]);
  assert.deepEqual(run('awk', '{print | cmd}'), [un('awk pipes into a command built at run time')]);
  assert.deepEqual(run('awk', '{print $1 || $2}'), []);
});

test('awk: a command read with getline runs; a literal one is known', () => {
  assert.deepEqual(run('awk', 'BEGIN{"id" | getline x}'), [sh('id')]);
  assert.deepEqual(run('awk', 'BEGIN{"id" |& getline}'), [sh('id')]);
  assert.deepEqual(run('awk', 'BEGIN{while (("ls" | getline f) > 0) print f}'), [sh('ls')]);
  assert.deepEqual(run('awk', 'BEGIN{"da" "te" | getline}'), [sh('date')]);
  assert.deepEqual(run('awk', 'BEGIN{print "x"\n"date" | getline}'), [sh('date')]);
  assert.deepEqual(run('awk', 'BEGIN { cmd = "date"; cmd | getline d }'), [un('awk reads from a command built at run time')]);
  assert.deepEqual(run('awk', 'BEGIN{x "date" | getline}'), [un('awk reads from a command built at run time')]);
  assert.deepEqual(run('awk', '{getline line < "file"}'), []);
});

test('awk: > and >> inside print write files; elsewhere > compares', () => {
  assert.deepEqual(run('awk', '{print >> "log.txt"}'), [wr('log.txt')]);
  assert.deepEqual(run('awk', '{print $1 > "/home/u/.bashrc"}'), [wr('/home/u/.bashrc')]);
  assert.deepEqual(run('awk', '{printf("%s", $1) > "out"}'), [wr('out')]);
  assert.deepEqual(run('awk', '{ print $1 > $2 }'), [wr('', true)]);
  assert.deepEqual(run('awk', '{print > "/dev/stderr"}'), []);
  assert.deepEqual(run('awk', 'BEGIN{print "a" > "/dev/null"; print "b" > "/dev/stdout"}'), []);
  assert.deepEqual(run('awk', '-F:', '$3 > 1000 {print $1}', '/etc/passwd'), []);
  assert.deepEqual(run('awk', '$1 > 5 || $2 >= 3 {n++} END{if (n > 2) print n}'), []);
  assert.deepEqual(run('awk', '{print (a > b)}'), []);
});

test('awk: strings, regex literals and comments are not code', () => {
  assert.deepEqual(run('awk', '/system\\(/ {print "system(\\"x\\") | getline"} # system("rm")'), []);
  assert.deepEqual(run('awk', '$0 ~ /a|b/ {print}'), []);
  assert.deepEqual(run('awk', 'BEGIN{x = 4 / 2; y = a / b / c; system("date")}'), [sh('date')]);
  assert.deepEqual(run('awk', '{print $1}'), []);
});

test('awk: the program is the first operand unless -f, -e or --source; option values are skipped', () => {
  assert.deepEqual(run('awk', '-F', 'system("x")', '-v', 'a=system("y")', '{print}'), []);
  assert.deepEqual(run('awk', '-F:', '-v', 'OFS=\t', 'BEGIN{system("id")}'), [sh('id')]);
  assert.deepEqual(run('gawk', '-e', 'BEGIN{system("id")}', '-e', 'END{}'), [sh('id')]);
  assert.deepEqual(run('gawk', '--source=BEGIN{system("id")}'), [sh('id')]);
  assert.deepEqual(run('gawk', '--source', 'BEGIN{system("id")}'), [sh('id')]);
  assert.deepEqual(run('gawk', '-f', 'prog.awk', 'BEGIN{system("id")}'), [un('awk runs a program file')]);
  assert.deepEqual(run('gawk', '--file=prog.awk'), [un('awk runs a program file')]);
  assert.deepEqual(run('gawk', '-E', 'prog.awk'), [un('awk runs a program file')]);
  assert.deepEqual(run('mawk', '-W', 'exec', 'x.awk', 'a'), [un('awk runs a program file')]);
  assert.deepEqual(run('nawk', '--', 'BEGIN{system("id")}'), [sh('id')]);
  assert.deepEqual(run('awk', '{print}', '-v', 'x=1'), []);
});

test('awk: gawk --sandbox refuses commands; includes and extensions outside gawk\'s own are code from elsewhere', () => {
  assert.deepEqual(run('gawk', '--sandbox', 'BEGIN{system("id")}'), []);
  assert.deepEqual(run('gawk', '-W', 'sandbox', 'BEGIN{system("id")}'), []);
  assert.deepEqual(run('gawk', '-i', 'inplace', '{print}', 'f'), []);
  assert.deepEqual(run('gawk', '-i', './evil.awk', '{print}'), [un('gawk includes awk code from a file')]);
  assert.deepEqual(run('gawk', '-l', 'evil', '{}'), [un('gawk loads a compiled extension')]);
  assert.deepEqual(run('gawk', '-l', 'filefuncs', '{}'), []);
  assert.deepEqual(run('awk', '@include "x.awk"\nBEGIN{}'), [un('gawk includes awk code from a file')]);
  assert.deepEqual(run('gawk', '-o/home/u/.bashrc', 'BEGIN{}'), [wr('/home/u/.bashrc')]);
});

test('awk: a program only known at run time is said to be unknown', () => {
  assert.deepEqual(embeddedCode('awk', [{ value: '$PROG', dynamic: true }]), [un('awk program only known at run time')]);
  assert.deepEqual(embeddedCode('awk', [{ value: 'BEGIN{system("$c")}', dynamic: true }]), [sh('$c', true)]);
  assert.deepEqual(embeddedCode('awk', [{ value: '$1 == "$want" {print}', dynamic: true }]), [], 'a variable inside is data');
});

test('awk: awkProgram is usable on its own, with -v values', () => {
  assert.deepEqual(awkProgram('BEGIN{system("id")}'), [sh('id')]);
  assert.deepEqual(awkProgram('BEGIN{system(x)}', new Map([['x', 'id']])), [sh('id'), un('awk system() runs a command built at run time')]);
});

// ---- vim

test('vim: -c, +, and --cmd commands are Ex commands', () => {
  assert.deepEqual(run('vim', '-c', '!rm -rf ~'), [sh(RM)]);
  assert.deepEqual(run('vim', '+!rm -rf ~'), [sh(RM)]);
  assert.deepEqual(run('vim', '--cmd', '!rm -rf ~', 'f'), [sh(RM)]);
  assert.deepEqual(run('vim', '-c', ':silent !rm -rf ~'), [sh(RM)]);
  assert.deepEqual(run('vim', '-c', 'sil! !id'), [sh('id')]);
  assert.deepEqual(run('vim', '-c', 'q|!rm -rf ~'), [sh(RM)]);
  assert.deepEqual(run('vim', '-c', '%!rm -rf ~'), [sh(RM)]);
  assert.deepEqual(run('vim', '-c', "'<,'>!sort"), [sh('sort')]);
  assert.deepEqual(run('vim', '-c', '1,$!sort'), [sh('sort')]);
  assert.deepEqual(run('vim', '+/x/!id', 'f'), [sh('id')], 'a + position that is a range and a filter');
  for (const name of ['vi', 'nvim', 'ex', 'view', 'vimdiff', 'gvim', 'evim', 'rvim', 'vim.basic']) assert.deepEqual(run(name, '-c', '!id'), [sh('id')], name);
});

test('vim: opening, moving and setting run nothing', () => {
  assert.deepEqual(run('vim', 'file'), []);
  assert.deepEqual(run('vim', '+10', 'file'), []);
  assert.deepEqual(run('vim', '+', 'file'), []);
  assert.deepEqual(run('vim', '+/pattern', 'file'), []);
  assert.deepEqual(run('vim', '-c', 'set nu', 'f'), []);
  assert.deepEqual(run('vim', '-c', 'vert topleft new'), []);
  assert.deepEqual(run('vim', '-c', 'r /etc/passwd'), []);
  assert.deepEqual(run('vim', '-c', 'norm! gg=G'), []);
  assert.deepEqual(run('vim', '-c', 'x'), []);
  assert.deepEqual(run('vim', '-c', 'wq'), []);
  assert.deepEqual(run('vim', '-d', 'a', 'b'), []);
  assert.deepEqual(run('vim', '-c', 'echo "system(\'id\')"'), []);
  assert.deepEqual(run('vim', '--', '+!id'), [], 'after -- every word is a file');
});

test('vim: option values are skipped, so a value is never a command', () => {
  assert.deepEqual(run('vim', '-T', 'xterm', '-c', '!id'), [sh('id')]);
  assert.deepEqual(run('vim', '-i', 'NONE', '-c', 'r !id'), [sh('id')]);
  assert.deepEqual(run('vim', '-t', 'main', '+', 'x'), []);
  assert.deepEqual(run('vim', '-q', 'errs', '-c', 'w !sh'), [sh('sh')]);
  assert.deepEqual(run('vim', '-w10', 'f'), []);
  assert.deepEqual(run('vim', '--startuptime', '+!id', 'f'), []);
  assert.deepEqual(run('gvim', '-geometry', '80x25', '-c', '!id'), [sh('id')]);
  assert.deepEqual(run('nvim', '--listen', '/tmp/s', '--headless', '-c', '!id'), [sh('id')]);
});

test('vim: scripts, vimrcs and typed-key files are code vg cannot see', () => {
  assert.deepEqual(run('vim', '-S', 'sess.vim'), [un('vim runs a script file')]);
  assert.deepEqual(run('vim', '-S'), [un('vim runs a script file')]);
  assert.deepEqual(run('vim', '-u', 'evil.vim'), [un('vim runs a script file')]);
  assert.deepEqual(run('vim', '-u', 'NONE', 'f'), []);
  assert.deepEqual(run('vim', '-u', 'DEFAULTS', 'f'), []);
  assert.deepEqual(run('vim', '-s', 'keys'), [un('vim types the keys in a file')]);
  assert.deepEqual(run('vim', '-W', 'keylog', 'f'), [wr('keylog')]);
  assert.deepEqual(run('nvim', '-l', 'x.lua', '-c', '!id'), [un('nvim runs a Lua script file')]);
  assert.deepEqual(run('vim', '-l', 'f.lisp'), [], 'vim -l is lisp mode');
});

test('vim: silent Ex mode reads commands from its input unless the given ones quit', () => {
  const reads = un('vim in silent Ex mode runs the commands it reads');
  assert.deepEqual(run('vim', '-es', 'f'), [reads]);
  assert.deepEqual(run('ex', '-s', 'f'), [reads]);
  assert.deepEqual(run('vim', '-e', '-s', '-c', '%s/a/b/', 'f'), [reads]);
  assert.deepEqual(run('vim', '-es', '-c', '%s/a/b/', '-c', 'wq', 'f'), []);
  assert.deepEqual(run('ex', '-sc', '%s/a/b/|x', 'f'), []);
  assert.deepEqual(run('vim', '-es', '-c', 'q|!id'), [sh('id')]);
});

test('vim: :read, :write and their ! forms: a command only with !, a forced write is a file', () => {
  assert.deepEqual(exCommand('r !id'), [sh('id')]);
  assert.deepEqual(exCommand('r!id'), [sh('id')]);
  assert.deepEqual(exCommand('read !id'), [sh('id')]);
  assert.deepEqual(exCommand('w !sh'), [sh('sh')]);
  assert.deepEqual(exCommand('write !sh'), [sh('sh')]);
  assert.deepEqual(exCommand('w! !sh'), [sh('sh')]);
  assert.deepEqual(exCommand('w!id'), [wr('id')]);
  assert.deepEqual(exCommand('w! /etc/x'), [wr('/etc/x')]);
  assert.deepEqual(exCommand('w >> log'), [wr('log')]);
  assert.deepEqual(exCommand('w ++enc=utf-8 out'), [wr('out')]);
  assert.deepEqual(exCommand('wq out.txt'), [wr('out.txt')]);
  assert.deepEqual(exCommand('x ~/.profile'), [wr('~/.profile')]);
  assert.deepEqual(exCommand('sav ~/.bashrc'), [wr('~/.bashrc')]);
  assert.deepEqual(exCommand('saveas my\\ file'), [wr('my file')]);
  assert.deepEqual(exCommand('w'), []);
  assert.deepEqual(exCommand('redir! > ~/.profile'), [wr('~/.profile')]);
  assert.deepEqual(exCommand('mkvimrc'), [wr('.vimrc')]);
});

test('vim: ranges and modifiers before a command are skipped', () => {
  assert.deepEqual(exCommand('keepalt keepjumps r !id'), [sh('id')]);
  assert.deepEqual(exCommand('silent! noautocmd .!id'), [sh('id')]);
  assert.deepEqual(exCommand('tab 3 !id'), [sh('id')]);
  assert.deepEqual(exCommand('vim9cmd !id'), [sh('id')]);
  assert.deepEqual(exCommand('filter /x/ !id'), [sh('id')]);
  assert.deepEqual(exCommand('3verbose !id'), [sh('id')]);
  assert.deepEqual(exCommand(':::  /a\\/b/,?c?+2 !id'), [sh('id')]);
  assert.deepEqual(exCommand('\\/,$!id'), [sh('id')]);
});

test('vim: :terminal and :shell start commands; :make and :grep go through the shell', () => {
  assert.deepEqual(exCommand('ter rm -rf ~'), [sh(RM)]);
  assert.deepEqual(exCommand('terminal ++close id'), [sh('id')]);
  assert.deepEqual(exCommand('term'), [un('vim opens an interactive shell')]);
  assert.deepEqual(exCommand('sh'), [un('vim opens an interactive shell')]);
  assert.deepEqual(exCommand('make'), [sh('make')]);
  assert.deepEqual(exCommand('make clean; id'), [sh('make clean; id')]);
  assert.deepEqual(exCommand('grep x $(id)'), [sh('grep -n x $(id) /dev/null')]);
});

test('vim: system() and friends in expressions, with literal, list and method-call arguments', () => {
  assert.deepEqual(exCommand("call system('rm -rf ~')"), [sh(RM)]);
  assert.deepEqual(exCommand('echo systemlist("id")'), [sh('id')]);
  assert.deepEqual(exCommand('let x = system("i" . "d")'), [sh('id')]);
  assert.deepEqual(exCommand('call jobstart(["rm","-rf","~"])'), [argv('rm', '-rf', '~')]);
  assert.deepEqual(exCommand("call job_start('id')"), [sh('id')]);
  assert.deepEqual(exCommand("call term_start('id')"), [sh('id')]);
  assert.deepEqual(exCommand('call termopen("id")'), [sh('id')]);
  assert.deepEqual(exCommand("eval 'id'->system()"), [sh('id')]);
  assert.deepEqual(exCommand('call system(g:cmd)'), [un('vim system() runs a command built at run time')]);
  assert.deepEqual(exCommand("call call('system', ['id'])"), [un('vim calls a function by name')]);
  assert.deepEqual(exCommand("call libcall('/tmp/x.so', 'f', '')"), [un('vim calls a function in a library')]);
  assert.deepEqual(exCommand("call feedkeys(':!id\\<CR>')"), [un('vim feeds keys that run commands')]);
  assert.deepEqual(exCommand("call feedkeys('ihello')"), []);
  assert.deepEqual(exCommand('echo py3eval("__import__(\'os\').system(\'id\')")'), [py("__import__('os').system('id')")]);
  assert.deepEqual(exCommand('if system("id") | endif'), [sh('id')]);
});

test('vim: :execute and execute() run literal text as commands, anything else is unknown', () => {
  assert.deepEqual(exCommand('exe "!rm -rf ~"'), [sh(RM)]);
  assert.deepEqual(exCommand('execute "!" . "rm -rf ~"'), [sh(RM)]);
  assert.deepEqual(exCommand('exe "normal" "ihello"'), []);
  assert.deepEqual(exCommand('exe "r" "!id"'), [sh('id')]);
  assert.deepEqual(exCommand('exe "exe \'!id\'"'), [sh('id')]);
  assert.deepEqual(exCommand('call execute("!id")'), [sh('id')]);
  assert.deepEqual(exCommand('call execute(["set nu", "!id"])'), [sh('id')]);
  assert.deepEqual(exCommand('exe g:x'), [un('vim :execute runs a command built at run time')]);
  assert.deepEqual(exCommand('exe "echo 1" | !id'), [sh('id')]);
  assert.deepEqual(run('vim', '-c', 'sil! exe "!rm -rf ~"'), [sh(RM)]);
});

test('vim: Python, Lua, Perl and Ruby commands carry their code; script-file commands are unseen', () => {
  assert.deepEqual(exCommand('py3 import os; os.system("id")'), [py('import os; os.system("id")')]);
  assert.deepEqual(exCommand('python3 print(1) | !not-a-separator'), [py('print(1) | !not-a-separator')]);
  assert.deepEqual(exCommand('pyx print(1)'), [py('print(1)')]);
  assert.deepEqual(exCommand('py3do return line'), [py('return line')]);
  assert.deepEqual(exCommand('lua os.execute("id")'), [{ kind: 'lang', lang: 'lua', code: 'os.execute("id")' }]);
  assert.deepEqual(exCommand('perl system("id")'), [{ kind: 'lang', lang: 'perl', code: 'system("id")' }]);
  assert.deepEqual(exCommand('ruby system("id")'), [{ kind: 'lang', lang: 'ruby', code: 'system("id")' }]);
  assert.deepEqual(exCommand('py3 << EOF\nimport os\nos.system("id")\nEOF\n!date'), [py('import os\nos.system("id")'), sh('date')]);
  for (const c of ['pyfile x.py', 'py3file x.py', 'luafile x.lua', 'rubyfile x.rb', 'so x.vim', 'source x.vim', 'runtime ftplugin/man.vim', 'packadd x']) {
    assert.deepEqual(exCommand(c), [un('vim runs a script file')], c);
  }
  assert.deepEqual(exCommand('tcl exec id'), [un('vim runs Tcl or Scheme code')]);
});

test('vim: :normal keys that reach the command line are unseen', () => {
  assert.deepEqual(exCommand('norm :!id\r'), [un('vim normal-mode keys run commands')]);
  assert.deepEqual(exCommand('normal! !!sort'), [un('vim normal-mode keys run commands')]);
  assert.deepEqual(exCommand('normal @q'), [un('vim normal-mode keys run commands')]);
  assert.deepEqual(exCommand('normal gg=Gdd'), []);
  assert.deepEqual(exCommand('@a'), [un('vim runs a register as commands')]);
});

test('vim: :global, :vglobal and the *do commands run their command on each match', () => {
  assert.deepEqual(exCommand('g/x/!id'), [sh('id')]);
  assert.deepEqual(exCommand('g!/x/w !sh'), [sh('sh')]);
  assert.deepEqual(exCommand('v/x/d'), []);
  assert.deepEqual(exCommand('g/x/s//y/|!rm -rf ~'), [sh(RM)]);
  assert.deepEqual(exCommand('g#x#!id'), [sh('id')]);
  assert.deepEqual(exCommand('bufdo !id'), [sh('id')]);
  assert.deepEqual(exCommand('argdo exe "!id"'), [sh('id')]);
});

test('vim: | chains commands except after those that take the rest of the line', () => {
  assert.deepEqual(exCommand('set nu | !id'), [sh('id')]);
  assert.deepEqual(exCommand('let x = 1 | !id'), [sh('id')]);
  assert.deepEqual(exCommand('echo "a|b" | !id'), [sh('id')]);
  assert.deepEqual(exCommand('!ls | wc -l'), [sh('ls | wc -l')]);
  assert.deepEqual(exCommand('e foo\\|!id'), []);
  assert.deepEqual(exCommand('s/a/b/|!id'), [sh('id')]);
  assert.deepEqual(exCommand('||||!id'), [sh('id')]);
  assert.deepEqual(exCommand('" !id'), []);
  assert.deepEqual(exCommand('set nu\n!id'), [sh('id')]);
});

test('vim: backticks in file names run through the shell', () => {
  assert.deepEqual(exCommand('e `id`'), [sh('id')]);
  assert.deepEqual(exCommand('args `find . -delete`'), [sh('find . -delete')]);
  assert.deepEqual(exCommand('w `=system("id")`'), [sh('id'), wr('`=system("id")`', true)]);
  assert.deepEqual(exCommand('s/`x`/y/'), []);
});

test('vim: options holding commands, autocommands and user commands are code run later', () => {
  assert.deepEqual(exCommand('set shell=/tmp/evil'), [sh('/tmp/evil')]);
  assert.deepEqual(exCommand('set makeprg=rm\\ -rf\\ ~'), [sh(RM)]);
  assert.deepEqual(exCommand('setlocal nu kp=id'), [sh('id')]);
  assert.deepEqual(exCommand('set foldexpr=system("id")'), [sh('id')]);
  assert.deepEqual(exCommand('let &shell = "/tmp/evil"'), [sh('/tmp/evil')]);
  assert.deepEqual(exCommand('au BufRead * !id'), [later('id')]);
  assert.deepEqual(exCommand('autocmd mygrp VimEnter * silent !id'), [later('id')]);
  assert.deepEqual(exCommand('au VimEnter * ++once call system("id")'), [later('id')]);
  assert.deepEqual(exCommand('command! -nargs=0 X !id'), [later('id')]);
  assert.deepEqual(run('vim', '-c', 'au BufRead * !id'), [later('id')]);
});

test('vim: --remote-expr is an expression and --remote-send keys that reach the command line are unseen', () => {
  assert.deepEqual(run('vim', '--servername', 'X', '--remote-expr', 'system("id")'), [sh('id')]);
  assert.deepEqual(run('vim', '--remote-send', ':!id<CR>'), [un('vim sends keys to another vim')]);
  assert.deepEqual(run('vim', '--remote-send', 'ihello<Esc>'), []);
  assert.deepEqual(vimExpression('systemlist("id")'), [sh('id')]);
});

test('vim: commands only known at run time are said to be unknown', () => {
  assert.deepEqual(embeddedCode('vim', [{ value: '-c', dynamic: false }, { value: '$CMD', dynamic: true }]), [un('vim commands only known at run time')]);
  assert.deepEqual(embeddedCode('vim', [{ value: '-c', dynamic: false }, { value: '!$CMD', dynamic: true }]), [sh('$CMD', true), un('vim commands only known at run time')]);
});

// ---- gdb

test('gdb: -ex and its long, single-dash, = and abbreviated spellings carry gdb commands', () => {
  for (const a of [['-ex', 'shell id'], ['--ex=shell id'], ['-ex=shell id'], ['-eval-command', 'shell id'], ['--eval-command=shell id'], ['--eval', 'shell id'], ['-iex', 'shell id'], ['--init-eval-command=shell id'], ['-eiex', 'shell id']]) {
    assert.deepEqual(run('gdb', '-nx', '-batch', ...a), [sh('id')], a.join(' '));
  }
  assert.deepEqual(run('gdb-multiarch', '-ex', 'shell id'), [sh('id')]);
});

test('gdb: shell, !, pipe and | run shell commands', () => {
  assert.deepEqual(gdbCommand('shell rm -rf ~'), [sh(RM)]);
  assert.deepEqual(gdbCommand('she id'), [sh('id')]);
  assert.deepEqual(gdbCommand('!id'), [sh('id')]);
  assert.deepEqual(gdbCommand('pipe info frame | sh'), [sh('sh')]);
  assert.deepEqual(gdbCommand('| bt | rm -rf ~'), [sh(RM)]);
  assert.deepEqual(gdbCommand('pipe p 1 | grep x | rm -rf ~'), [sh('grep x | rm -rf ~')]);
  assert.deepEqual(gdbCommand('pipe -d XX bt XX wc -l'), [sh('wc -l')]);
  assert.deepEqual(gdbCommand('shell'), [un('gdb opens an interactive shell')]);
  assert.deepEqual(gdbCommand('sh id'), [], 'sh is ambiguous in gdb, so nothing runs');
});

test('gdb: python, source, make, eval, and the program\'s own system()', () => {
  assert.deepEqual(gdbCommand('python import os; os.system("id")'), [py('import os; os.system("id")')]);
  assert.deepEqual(gdbCommand('py print(1)'), [py('print(1)')]);
  assert.deepEqual(gdbCommand('pi import os'), [py('import os')]);
  assert.deepEqual(gdbCommand('python'), [un('gdb reads Python code from its input')]);
  assert.deepEqual(gdbCommand('source x.gdb'), [un('gdb runs a command file')]);
  assert.deepEqual(gdbCommand('make clean; id'), [sh('make clean; id')]);
  assert.deepEqual(gdbCommand('eval "shell id"'), [sh('id')]);
  assert.deepEqual(gdbCommand('eval "shell %s", "id"'), [un('gdb eval runs a command built at run time')]);
  assert.deepEqual(gdbCommand('call (int)system("id")'), [sh('id')]);
  assert.deepEqual(gdbCommand('guile (system "id")'), [un('gdb runs Guile code')]);
  assert.deepEqual(gdbCommand('compile code system("id");'), [un('gdb compiles code into the program')]);
  assert.deepEqual(gdbCommand('run $(id)'), [sh(': $(id)')]);
  assert.deepEqual(gdbCommand('run arg1 arg2'), []);
  assert.deepEqual(gdbCommand('info registers'), []);
  assert.deepEqual(gdbCommand('bt'), []);
});

test('gdb: command files are unseen; --args names a program that runs', () => {
  assert.deepEqual(run('gdb', '-x', 'cmds.gdb', 'prog'), [un('gdb runs a command file')]);
  assert.deepEqual(run('gdb', '--command=cmds.gdb'), [un('gdb runs a command file')]);
  assert.deepEqual(run('gdb', '-ix', 'init.gdb'), [un('gdb runs a command file')]);
  assert.deepEqual(run('gdb', '--init-command=init.gdb'), [un('gdb runs a command file')]);
  assert.deepEqual(run('gdb', '-q', '--args', 'rm', '-rf', '~'), [argv('rm', '-rf', '~')]);
  assert.deepEqual(run('gdb', '--args', 'prog', '-ex', 'shell id'), [argv('prog', '-ex', 'shell id')], 'after --args the words are the program\'s');
  assert.deepEqual(run('gdb', 'prog', '--args', 'x'), [argv('prog', 'x')]);
});

test('gdb: option values are skipped and ordinary debugging runs nothing', () => {
  assert.deepEqual(run('gdb', '-p', '1234'), []);
  assert.deepEqual(run('gdb', '--pid', '1234'), []);
  assert.deepEqual(run('gdb', '-cd', '/tmp', 'prog'), []);
  assert.deepEqual(run('gdb', '-d', '-ex', 'prog'), [], '-d takes a directory, here named -ex');
  assert.deepEqual(run('gdb', '-s', 'sym', '-e', 'exe', '-c', 'core', '-se', 'f', '-b', '9600', '-l', '5', '-D', 'dir', '-i', 'mi', '-tty', '/dev/pts/1', '--directory', 'src', '--data-directory', 'd', '--interpreter', 'mi', '--tty', 't', '--symbols', 's', '--exec', 'e', '--core', 'c'), []);
  assert.deepEqual(run('gdb', '-i=mi', '-ex', 'shell id'), [sh('id')]);
  assert.deepEqual(run('gdb', '-batch', '-ex', 'run', '-ex', 'bt', './a.out'), []);
  assert.deepEqual(embeddedCode('gdb', [{ value: '-ex', dynamic: false }, { value: '$X', dynamic: true }]), [un('gdb command only known at run time')]);
});

// ---- ssh family

test('ssh: ProxyCommand, LocalCommand and KnownHostsCommand run here, in every -o spelling', () => {
  assert.deepEqual(run('ssh', '-o', 'ProxyCommand=rm -rf ~', 'x'), [sh(RM)]);
  assert.deepEqual(run('ssh', '-oProxyCommand=id', 'h'), [sh('id')]);
  assert.deepEqual(run('ssh', '-o', 'ProxyCommand id', 'h'), [sh('id')]);
  assert.deepEqual(run('ssh', '-o', 'proxycommand=id', 'h'), [sh('id')]);
  assert.deepEqual(run('ssh', '-o', 'ProxyCommand = id', 'h'), [sh('id')]);
  assert.deepEqual(run('ssh', '-vo', 'ProxyCommand=id', 'h'), [sh('id')]);
  assert.deepEqual(run('ssh', '-voProxyCommand=id', 'h'), [sh('id')]);
  assert.deepEqual(run('ssh', '-o', 'LocalCommand=id', '-o', 'PermitLocalCommand=yes', 'h'), [sh('id')]);
  assert.deepEqual(run('ssh', '-o', 'KnownHostsCommand=/bin/id %H', 'h'), [sh('/bin/id %H')]);
  assert.deepEqual(run('ssh', 'h', '-o', 'ProxyCommand=id'), [sh('id')], 'ssh reads options again after the host');
  assert.deepEqual(run('ssh', '-o', 'ProxyCommand none', 'h'), []);
});

test('ssh: the remote command and option values run nothing here', () => {
  assert.deepEqual(run('ssh', 'host', 'rm -rf ~'), []);
  assert.deepEqual(run('ssh', 'h', 'ls', '-o', 'ProxyCommand=id'), [], 'words after the remote command are its own');
  assert.deepEqual(run('ssh', '-p', '22', '-i', 'key', 'host'), []);
  assert.deepEqual(run('ssh', '-l', '-oProxyCommand=id', 'h'), [], '-l takes the next word as the login');
  assert.deepEqual(run('ssh', '-J', 'j', '-L', '80:a:80', '-R', '1:b:2', '-D', '1080', '-W', 'h:1', '-w', '0:1', '-E', 'log', '-e', 'none', '-b', 'addr', '-c', 'aes', '-m', 'mac', '-O', 'check', '-Q', 'cipher', '-S', 'sock', '-B', 'eth0', '-F', 'cfg', 'h'), []);
  assert.deepEqual(run('ssh', '-o', 'Port=22', '-o', 'StrictHostKeyChecking=no', 'h'), []);
});

test('ssh: libraries it is told to load are code vg cannot see', () => {
  assert.deepEqual(run('ssh', '-I', '/tmp/evil.so', 'h'), [un('ssh loads a library')]);
  assert.deepEqual(run('ssh', '-o', 'PKCS11Provider=/tmp/x.so', 'h'), [un('ssh loads a library')]);
});

test('scp, sftp, autossh, sshfs: their program options and the ssh options they pass on', () => {
  assert.deepEqual(run('scp', '-S', '/tmp/x', 'a', 'h:b'), [argv('/tmp/x')]);
  assert.deepEqual(run('scp', '-o', 'ProxyCommand=id', 'a', 'h:b'), [sh('id')]);
  assert.deepEqual(run('scp', '-P', '22', '-i', 'k', 'a', 'h:b'), []);
  assert.deepEqual(run('sftp', '-S', './evil', 'h'), [argv('./evil')]);
  assert.deepEqual(run('sftp', '-D', '/usr/lib/sftp-server -l INFO'), [argv('/usr/lib/sftp-server', '-l', 'INFO')]);
  assert.deepEqual(run('sftp', '-b', 'batch', 'h'), [un('sftp runs a batch file, which can run local commands')]);
  assert.deepEqual(run('sftp', '-oProxyCommand=id', 'h'), [sh('id')]);
  assert.deepEqual(run('autossh', '-M', '0', '-o', 'ProxyCommand=id', 'h'), [sh('id')]);
  assert.deepEqual(run('sshfs', 'h:/', 'mnt', '-o', 'reconnect,ssh_command=ssh -v'), [argv('ssh', '-v')]);
  assert.deepEqual(run('sshfs', '-o', 'ProxyCommand=id', 'h:/', 'mnt'), [sh('id')]);
  assert.deepEqual(run('sshfs', '-p', '22', 'h:/', 'mnt'), []);
});

test('ssh: a command option only known at run time is still reported', () => {
  assert.deepEqual(embeddedCode('ssh', [{ value: '-o', dynamic: false }, { value: 'ProxyCommand=$P', dynamic: true }, { value: 'h', dynamic: false }]), [sh('$P', true)]);
  assert.deepEqual(embeddedCode('ssh', [{ value: '-o', dynamic: false }, { value: '$OPT', dynamic: true }, { value: 'h', dynamic: false }]), [un('ssh option only known at run time')]);
});

// ---- rsync

test('rsync: -e and --rsh name the remote shell run here; --rsync-path runs remotely', () => {
  assert.deepEqual(run('rsync', '-e', 'ssh -p 22', 'a', 'h:b'), [sh('ssh -p 22')]);
  assert.deepEqual(run('rsync', '--rsh=sh -c id', 'a', 'b'), [sh('sh -c id')]);
  assert.deepEqual(run('rsync', '--rsh', 'id', 'a', 'b'), [sh('id')]);
  assert.deepEqual(run('rsync', '-avze', 'id', 'a', 'b'), [sh('id')]);
  assert.deepEqual(run('rsync', '-avzeid', 'a', 'b'), [sh('id')]);
  assert.deepEqual(run('rsync', '-e=id', 'a', 'b'), [sh('id')]);
  assert.deepEqual(run('rsync', 'a', 'b', '-e', 'id'), [sh('id')]);
  assert.deepEqual(run('rsync', '-av', 'a', 'b'), []);
  assert.deepEqual(run('rsync', '--rsync-path=sudo rsync', 'a', 'h:b'), []);
  assert.deepEqual(run('rsync', '--exclude', '-e', 'a', 'b'), []);
  assert.deepEqual(run('rsync', '-f', '- -e', 'a', 'b'), []);
  assert.deepEqual(embeddedCode('rsync', [{ value: '-e', dynamic: false }, { value: '$RSH', dynamic: true }]), [sh('$RSH', true)]);
});

// ---- tar

test('tar: --to-command, --checkpoint-action=exec, compressors and volume scripts run through the shell', () => {
  assert.deepEqual(run('tar', '-xf', 'a.tar', '--to-command=rm -rf ~'), [sh(RM)]);
  assert.deepEqual(run('tar', '--to-command', 'id', '-xf', 'a.tar'), [sh('id')]);
  assert.deepEqual(run('tar', '--checkpoint=1', '--checkpoint-action=exec=id', '-cf', 'x.tar', 'd'), [sh('id')]);
  assert.deepEqual(run('tar', '--checkpoint-action', 'exec=id', '-cf', 'x', 'd'), [sh('id')]);
  assert.deepEqual(run('tar', '-I', 'id', '-cf', 'x', 'd'), [sh('id')]);
  assert.deepEqual(run('tar', '--use-compress-program=zstd -19', '-cf', 'x', 'd'), [sh('zstd -19')]);
  assert.deepEqual(run('tar', '--use-compress-program', 'id', '-cf', 'x'), [sh('id')]);
  assert.deepEqual(run('tar', '-F', 'id', '-M', '-cf', 'x', 'd'), [sh('id')]);
  assert.deepEqual(run('tar', '--info-script=id'), [sh('id')]);
  assert.deepEqual(run('tar', '--new-volume-script=id'), [sh('id')]);
  assert.deepEqual(run('gtar', '-xvf', 'a', '--to-command=id'), [sh('id')]);
});

test('tar: GNU abbreviations and the old-style first word are followed', () => {
  assert.deepEqual(run('tar', '--to-c=id', '-x'), [sh('id')]);
  assert.deepEqual(run('tar', '--checkpoint-a=exec=id'), [sh('id')]);
  assert.deepEqual(run('tar', '--use-c=id'), [sh('id')]);
  assert.deepEqual(run('tar', 'cfI', 'x.tar', 'id', 'd'), [sh('id')]);
  assert.deepEqual(run('tar', 'xf', 'a.tar'), []);
});

test('tar: remote shell programs run directly; other options and values run nothing', () => {
  assert.deepEqual(run('tar', '--rsh-command=/tmp/x', '-cf', 'h:x'), [argv('/tmp/x')]);
  assert.deepEqual(run('tar', '--rmt-command=/tmp/x'), [argv('/tmp/x')]);
  assert.deepEqual(run('tar', '-czf', 'x.tgz', 'dir'), []);
  assert.deepEqual(run('tar', '-xf', 'a.tar', '-C', 'out'), []);
  assert.deepEqual(run('tar', '--checkpoint-action=dot', '-cf', 'x', 'd'), []);
  assert.deepEqual(run('tar', '-cf', '--to-command=id', 'd'), [], 'the archive is named --to-command=id');
  assert.deepEqual(run('tar', '-T', '--to-command=id', '-cf', 'x'), []);
  assert.deepEqual(run('tar', '-xzf', 'a.tgz', '--', '--to-command=id'), []);
  assert.deepEqual(run('bsdtar', '-I', 'list.txt', '-cf', 'x.tar'), [], 'bsdtar -I is --files-from');
  assert.deepEqual(run('bsdtar', '--use-compress-program=id', '-cf', 'x'), [sh('id')]);
  assert.deepEqual(embeddedCode('tar', [{ value: '--to-command=$C', dynamic: true }, { value: '-x', dynamic: false }]), [sh('$C', true)]);
});

// ---- zip

test('zip: the unzip test command runs through the shell', () => {
  assert.deepEqual(run('zip', '-T', '-TT', 'rm -rf ~', 'x.zip', 'f'), [sh(RM)]);
  assert.deepEqual(run('zip', '--unzip-command', 'id', '-T', 'x.zip', 'f'), [sh('id')]);
  assert.deepEqual(run('zip', '--unzip-command=id', 'x.zip'), [sh('id')]);
  assert.deepEqual(run('zip', '-TTid', 'x.zip'), [sh('id')]);
  assert.deepEqual(run('zip', '-r', 'x.zip', 'dir'), []);
  assert.deepEqual(run('zip', 'x.zip', '--', '-TT', 'id'), []);
});

// ---- man

test('man: the pager and the HTML browser run through the shell', () => {
  assert.deepEqual(run('man', '-P', 'rm -rf ~', 'ls'), [sh(RM)]);
  assert.deepEqual(run('man', '--pager=id', 'ls'), [sh('id')]);
  assert.deepEqual(run('man', '--pager', 'id', 'ls'), [sh('id')]);
  assert.deepEqual(run('man', '--pag=id', 'ls'), [sh('id')]);
  assert.deepEqual(run('man', '-M', '/x', '-P', 'less -R', 'ls'), [sh('less -R')]);
  assert.deepEqual(run('man', '-Hfirefox', 'ls'), [sh('firefox')]);
  assert.deepEqual(run('man', '--html=id', 'ls'), [sh('id')]);
  assert.deepEqual(run('man', '-H', 'ls'), [], '-H takes its browser attached only; here ls is the page');
  assert.deepEqual(run('man', 'ls'), []);
  assert.deepEqual(run('man', '-k', 'printf'), []);
  assert.deepEqual(run('man', '-s', '3', '-P', 'x'), [sh('x')]);
});

// ---- git

test('git config: keys whose value git later runs through the shell are deferred shell code', () => {
  const keys = [
    'core.pager', 'core.sshCommand', 'CORE.SSHCOMMAND', 'core.editor', 'core.askPass', 'core.gitProxy', 'sequence.editor', 'diff.external', 'gpg.program',
    'gpg.ssh.program', 'gpg.x509.program', 'gpg.ssh.defaultKeyCommand', 'diff.foo.textconv', 'diff.foo.command', 'filter.x.clean', 'filter.x.smudge',
    'filter.x.process', 'merge.x.driver', 'mergetool.x.cmd', 'difftool.x.cmd', 'browser.x.cmd', 'man.x.cmd', 'sendemail.toCmd', 'web.browser',
    'remote.origin.uploadpack', 'interactive.diffFilter', 'imap.tunnel',
  ];
  for (const key of keys) {
    assert.deepEqual(run('git', 'config', key, 'id'), [later('id')], key);
  }
});

test('git config: values that are names or booleans run nothing; ! marks shell code', () => {
  assert.deepEqual(run('git', 'config', 'alias.x', '!rm -rf ~'), [later(RM)]);
  assert.deepEqual(run('git', 'config', 'alias.co', 'checkout'), []);
  assert.deepEqual(run('git', 'config', 'credential.helper', '!id'), [later('id')]);
  assert.deepEqual(run('git', 'config', 'credential.helper', 'store'), []);
  assert.deepEqual(run('git', 'config', 'credential.https://x.helper', '/tmp/h'), [later('/tmp/h')]);
  assert.deepEqual(run('git', 'config', 'submodule.x.update', '!id'), [later('id')]);
  assert.deepEqual(run('git', 'config', 'submodule.x.update', 'rebase'), []);
  assert.deepEqual(run('git', 'config', 'core.fsmonitor', 'true'), []);
  assert.deepEqual(run('git', 'config', 'core.fsmonitor', './fsm.sh'), [later('./fsm.sh')]);
  assert.deepEqual(run('git', 'config', 'pager.log', 'false'), []);
  assert.deepEqual(run('git', 'config', 'pager.log', 'id'), [later('id')]);
  assert.deepEqual(run('git', 'config', 'core.hooksPath', '/tmp/h'), []);
  assert.deepEqual(run('git', 'config', 'include.path', '/tmp/c'), [un('git config includes another file')]);
  assert.deepEqual(run('git', 'config', 'user.name', 'x'), []);
});

test('git config: every way of setting is read, every way of reading or removing runs nothing', () => {
  for (const pre of [[], ['--global'], ['--system'], ['--local'], ['--worktree'], ['--add'], ['--replace-all'], ['--replace'], ['--file', 'f'], ['-f', 'f'], ['--file=f'], ['--type', 'bool'], ['--type=path'], ['--bool']]) {
    assert.deepEqual(run('git', 'config', ...pre, 'core.pager', 'id'), [later('id')], pre.join(' '));
  }
  assert.deepEqual(run('git', 'config', 'set', 'core.pager', 'id'), [later('id')]);
  assert.deepEqual(run('git', 'config', 'set', '--global', 'alias.x', '!id'), [later('id')]);
  assert.deepEqual(run('git', 'config', 'core.pager', 'less', '--get'), [later('less')], 'after the key, --get is the value pattern');
  for (const a of [['--get', 'core.pager'], ['core.pager'], ['--unset', 'core.pager'], ['--unset-all', 'core.pager'], ['-l'], ['--list'], ['--get-regexp', 'alias', 'x'], ['--get-all', 'core.pager', 'x'], ['get', 'core.pager'], ['unset', 'core.pager'], ['--global', '--edit'], ['--rename-section', 'a', 'b']]) {
    assert.deepEqual(run('git', 'config', ...a), [], a.join(' '));
  }
});

test('git: global options before the subcommand are skipped; other subcommands are not config', () => {
  assert.deepEqual(run('git', '-C', 'repo', 'config', 'core.pager', 'id'), [later('id')]);
  assert.deepEqual(run('git', '-c', 'a.b=c', '--git-dir=.git', '--no-pager', 'config', 'core.pager', 'id'), [later('id')]);
  assert.deepEqual(run('git', '--git-dir', '.git', '--work-tree', '.', '-p', '-P', '--bare', 'config', 'core.pager', 'id'), [later('id')]);
  assert.deepEqual(run('git', '-C', 'config', 'log', 'core.pager', 'id'), []);
  assert.deepEqual(run('git', 'log', 'core.pager', 'id'), []);
  assert.deepEqual(run('git', 'status'), []);
});

test('git config: values and keys only known at run time', () => {
  assert.deepEqual(embeddedCode('git', [{ value: 'config', dynamic: false }, { value: 'core.pager', dynamic: false }, { value: '$P', dynamic: true }]), [later('$P', true)]);
  assert.deepEqual(embeddedCode('git', [{ value: 'config', dynamic: false }, { value: 'alias.x', dynamic: false }, { value: '$A', dynamic: true }]), [later('$A', true)]);
  assert.deepEqual(embeddedCode('git', [{ value: 'config', dynamic: false }, { value: '$K', dynamic: true }, { value: 'x', dynamic: false }]), [un('git config sets a key only known at run time')]);
  assert.deepEqual(gitConfigCode('core.pager', 'less -R'), [later('less -R')]);
  assert.deepEqual(gitConfigCode('user.email', 'a@b'), []);
});

// ---- the module as a whole

test('EMBEDDING names every program read here and nothing else is read', () => {
  for (const name of ['sed', 'awk', 'gawk', 'mawk', 'nawk', 'vi', 'vim', 'nvim', 'ex', 'view', 'vimdiff', 'gvim', 'evim', 'rvim', 'gdb', 'gdb-multiarch', 'ssh', 'scp', 'sftp', 'autossh', 'sshfs', 'rsync', 'tar', 'gtar', 'bsdtar', 'zip', 'man', 'git']) {
    assert.ok(EMBEDDING.has(name), name);
  }
  assert.deepEqual(run('python3', '-c', 'import os'), []);
  assert.deepEqual(run('ls', '-e', 'e id'), []);
});

test('findings are bounded: harmless ones cannot push a dangerous one out of sight', () => {
  const script = Array.from({ length: 100 }, (_, i) => `w /tmp/f${i}`).join('\n') + '\ne rm -rf ~';
  const found = sedScript(script);
  assert.equal(found.length, 64);
  assert.deepEqual(found[63], un('more than vg lists'));
  assert.deepEqual(found[0], wr('/tmp/f0'));
});

test('text beyond 64 KiB is not read, and that is said', () => {
  const long = 'p;'.repeat(40_000) + 'e rm -rf ~';
  assert.deepEqual(sedScript(long), [un('script too long for vg to read whole')]);
  assert.deepEqual(run('awk', ' '.repeat(70_000) + 'BEGIN{system("id")}'), [un('script too long for vg to read whole')]);
  assert.deepEqual(run('ssh', '-o', 'ProxyCommand=' + 'x'.repeat(70_000), 'h')[1], un('script too long for vg to read whole'));
});

test('random input never throws and stays within bounds', () => {
  let seed = 20240601;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = 'abcdeEfgilmnopqrstvwxyz!|&;:/\\"\'`$()[]{}<>=+-~#@%*., \n\t0123456789IMST';
  const pieces = ['-e', '-c', '-o', '-ex', '--', '+', 'system(', 'print', '|', 'getline', '"sh"', 's/', '/e', 'w ', 'exe ', '!', 'g/', 'ProxyCommand=', '--to-command=', 'config', 'alias.x', '-TT', '-P', '--args', 'py3 ', '<< EOF\n', '->system()', '`', 'norm '];
  const text = (n: number): string => {
    let t = '';
    for (let i = 0; i < n; i++) t += rnd() < 0.2 ? pieces[Math.floor(rnd() * pieces.length)]! : alphabet[Math.floor(rnd() * alphabet.length)]!;
    return t;
  };
  const wellFormed = (found: Embedded[]): void => {
    assert.ok(Array.isArray(found) && found.length <= 64);
    for (const e of found) assert.ok(['shell', 'argv', 'lang', 'unseen', 'write'].includes(e.kind));
  };
  for (let i = 0; i < 1500; i++) {
    const t = text(Math.floor(rnd() * 50));
    for (const f of [sedScript, exCommand, gdbCommand, vimExpression, (x: string) => awkProgram(x), (x: string) => gitConfigCode('a.' + x, x)]) wellFormed(f(t));
    for (const name of EMBEDDING) {
      const args = Array.from({ length: Math.floor(rnd() * 6) }, () => ({ value: text(Math.floor(rnd() * 10)), dynamic: rnd() < 0.1 }));
      wellFormed(embeddedCode(name, args));
    }
  }
});
