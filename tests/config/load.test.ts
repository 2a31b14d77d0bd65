import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig, explainConfig, validateConfigObject, findProjectFile } from '../../src/store/config/index.ts';
import { defaultConfig } from '../../src/store/config/types.ts';
import { parseYamlText } from '../../src/store/config/parse.ts';
import { sandbox, rejectsWith } from './helpers.ts';

test('no config file: the defaults, no files, no notices', async () => {
  const s = sandbox();
  const r = await loadConfig({ cwd: s.home, env: s.env });
  assert.deepEqual(r.config, defaultConfig());
  assert.deepEqual(r.files, []);
  assert.deepEqual(r.notices, []);
});

test('a partial file keeps every other default (never resets to false)', async () => {
  const s = sandbox();
  s.write(s.userFile, 'sandbox: {mode: auto}\n');
  const r = await loadConfig({ cwd: s.home, env: s.env });
  const want = defaultConfig();
  want.sandbox.mode = 'auto';
  assert.deepEqual(r.config, want);
  assert.equal(r.config.sandbox.enable_cache, true);
  assert.deepEqual(r.files, [s.userFile]);
});

test('empty sections, an empty file and a comments-only file are all defaults', async () => {
  for (const text of ['', '# nothing\n\n  # here\n', 'sandbox:\nshell:\n', '---\n']) {
    const s = sandbox();
    s.write(s.userFile, text);
    const r = await loadConfig({ cwd: s.home, env: s.env });
    assert.deepEqual(r.config, defaultConfig(), JSON.stringify(text));
  }
});

test('every key of the product docs is read and normalised', async () => {
  const s = sandbox();
  s.write(
    s.userFile,
    `sandbox:
  enabled: false
  mode: risky
  runtime: podman
  image: my/img:1
  timeout: 90
  security_level: strict
  enable_cache: false
  cache_dirs: [~/.m2/repository, /var/cache/x]
  network_mode: none
  allowed_domains: [Registry.NPMJS.org, '*.example.com']
  bind_mounts:
    - {host_path: ~/.gitconfig, container_path: /root/.gitconfig, read_only: true}
    - host_path: /srv/data
      read_only: false
  auto_detect_env: false
  prefer_fast: false
  allow_project_image: true
shell: {notice: quiet, analyzer_timeout_ms: 250, fallback: block}
audit: {enabled: false, max_size_mb: 2.5, keep: 0}
rules:
  add:
    - {id: team.prod-db, risk: high, message: touches prod, commands: [/usr/bin/psql], pattern: 'prod\\.db'}
  levels: {git.force-push: medium}
  raise: {net.curl: high}
`,
  );
  const { config: c } = await loadConfig({ cwd: s.home, env: s.env });
  assert.equal(c.sandbox.enabled, false);
  assert.equal(c.sandbox.mode, 'risky');
  assert.equal(c.sandbox.runtime, 'podman');
  assert.equal(c.sandbox.image, 'my/img:1');
  assert.equal(c.sandbox.timeout, 90);
  assert.equal(c.sandbox.security_level, 'strict');
  assert.equal(c.sandbox.enable_cache, false);
  assert.deepEqual(c.sandbox.cache_dirs, [join(s.home, '.m2/repository'), '/var/cache/x']);
  assert.equal(c.sandbox.network_mode, 'none');
  assert.deepEqual(c.sandbox.allowed_domains, ['registry.npmjs.org', '*.example.com']);
  assert.deepEqual(c.sandbox.bind_mounts, [
    { host_path: join(s.home, '.gitconfig'), container_path: '/root/.gitconfig', read_only: true },
    { host_path: '/srv/data', container_path: '/srv/data', read_only: false },
  ]);
  assert.equal(c.sandbox.auto_detect_env, false);
  assert.equal(c.sandbox.prefer_fast, false);
  assert.equal(c.sandbox.allow_project_image, true);
  assert.deepEqual(c.shell, { notice: 'quiet', analyzer_timeout_ms: 250, fallback: 'block' });
  assert.deepEqual(c.audit, { enabled: false, max_size_mb: 2.5, keep: 0 });
  assert.deepEqual(c.rules.add, [{ id: 'team.prod-db', risk: 'high', message: 'touches prod', commands: ['psql'], pattern: 'prod\\.db' }]);
  assert.deepEqual(c.rules.levels, { 'git.force-push': 'medium' });
  assert.deepEqual(c.rules.raise, { 'net.curl': 'high' });
});

test('a bind mount defaults to read-only at the same path', async () => {
  const s = sandbox();
  s.write(s.userFile, 'sandbox:\n  bind_mounts:\n    - host_path: /opt/sdk\n');
  const { config } = await loadConfig({ cwd: s.home, env: s.env });
  assert.deepEqual(config.sandbox.bind_mounts, [{ host_path: '/opt/sdk', container_path: '/opt/sdk', read_only: true }]);
});

// Each bad file → the one-line error names file:line, the key, and what is allowed.
const ERRORS: [string, string, RegExp[]][] = [
  ['enum', 'sandbox:\n  enabled: true\n  mode: sometimes\n', [/config\.yaml:3: sandbox\.mode: 'sometimes' is not one of always, auto, risky, never — fix the value or run `vg config validate`$/]],
  ['enum typo gets a suggestion', 'sandbox:\n  mode: alway\n', [/:2: sandbox\.mode: 'alway' is not one of/, /did you mean 'always'/]],
  ['on/off is not a boolean', 'sandbox:\n  enable_cache: off\n', [/:2: sandbox\.enable_cache: 'off' is not a boolean/, /write true or false/]],
  ['number as text', 'sandbox:\n  timeout: "30"\n', [/:2: sandbox\.timeout: .*not the text '30'/, /drop the quotes/]],
  ['duration is not a number', 'sandbox:\n  timeout: 30s\n', [/:2: sandbox\.timeout: must be a number of seconds/]],
  ['negative', 'audit:\n  keep: -1\n', [/:2: audit\.keep: must be a whole number of files ≥ 0, not -1/]],
  ['fraction where a whole number is needed', 'shell:\n  analyzer_timeout_ms: 1.5\n', [/:2: shell\.analyzer_timeout_ms: must be a whole number/]],
  ['empty value', 'sandbox:\n  mode:\n', [/:2: sandbox\.mode: has no value \(expected one of always, auto, risky, never\)/]],
  ['unknown key, close', 'sandbox:\n  enabled: true\n  enable_cahce: true\n', [/:3: sandbox\.enable_cahce: unknown key under sandbox — did you mean 'enable_cache'\?/]],
  ['unknown key, far', 'sandbox:\n  colour: red\n', [/:2: sandbox\.colour: unknown key under sandbox — known keys: enabled, mode/]],
  ['top-level key that belongs in sandbox', '\nmode: auto\n', [/:2: mode: unknown key at the top level — did you mean 'sandbox\.mode'\?/]],
  ['unknown section', 'sandbx:\n  mode: auto\n', [/:1: sandbx: unknown key at the top level — did you mean 'sandbox'\?/]],
  ['legacy guard_level', 'sandbox: {mode: auto}\nguard_level: paranoid\n', [/:2: guard_level is a Vectra Guard 1 key that vg does not support — use sandbox\.security_level/]],
  ['legacy cve', 'cve:\n  enabled: true\n', [/:1: cve is a Vectra Guard 1 section .* delete the `cve:` section/]],
  ['list expected', 'sandbox:\n  cache_dirs: ~/.m2\n', [/:2: sandbox\.cache_dirs: must be a list of paths/]],
  ['list of strings', 'sandbox:\n  cache_dirs: [/a, 3]\n', [/:2: sandbox\.cache_dirs\[1\]: must be a path, not 3/]],
  ['relative path in the user file', 'sandbox:\n  cache_dirs:\n    - /ok\n    - rel/dir\n', [/:4: sandbox\.cache_dirs\[1\]: 'rel\/dir' is a relative path — write an absolute path or one starting with ~\//]],
  ['~user is not expanded', 'sandbox:\n  cache_dirs: [~bob/x]\n', [/sandbox\.cache_dirs\[0\]: '~bob\/x': only ~/]],
  ['a URL is not a domain', 'sandbox:\n  allowed_domains:\n    - https://pypi.org/simple\n', [/:3: sandbox\.allowed_domains\[0\]: 'https:\/\/pypi\.org\/simple' is a URL/, /e\.g\. pypi\.org/]],
  ['mount needs a mapping', 'sandbox:\n  bind_mounts:\n    - /data:/data\n', [/:3: sandbox\.bind_mounts\[0\]: '\/data:\/data' must be a mapping/]],
  ['mount without host_path', 'sandbox:\n  bind_mounts:\n    - {container_path: /x}\n', [/:3: sandbox\.bind_mounts\[0\]: has no host_path/]],
  ['mount with relative container path', 'sandbox:\n  bind_mounts:\n    - host_path: /a\n      container_path: data\n', [/:4: sandbox\.bind_mounts\[0\]\.container_path: 'data' is not absolute/]],
  ['mount with unknown key', 'sandbox:\n  bind_mounts:\n    - host_path: /a\n      readonly: true\n', [/:4: sandbox\.bind_mounts\[0\]\.readonly: unknown key .* did you mean 'read_only'\?/]],
  ['mount read_only must be boolean', 'sandbox:\n  bind_mounts:\n    - {host_path: /a, read_only: yes}\n', [/sandbox\.bind_mounts\[0\]\.read_only: 'yes' is not a boolean/]],
  ['section must be a mapping', 'sandbox: always\n', [/:1: sandbox: must be a mapping .*, not 'always'/]],
  ['top level must be a mapping', '- a\n- b\n', [/config\.yaml: must be a mapping with sections/]],
  ['network_mode', 'sandbox:\n  network_mode: offline\n', [/:2: sandbox\.network_mode: 'offline' is not one of none, restricted, full/]],
  ['runtime', 'sandbox:\n  runtime: lxc\n', [/:2: sandbox\.runtime: 'lxc' is not one of auto, bubblewrap, namespace, docker, podman/]],
  ['security_level', 'sandbox:\n  security_level: high\n', [/:2: sandbox\.security_level: 'high' is not one of permissive, balanced, strict, paranoid/]],
  ['shell notice', 'shell:\n  notice: loud\n', [/:2: shell\.notice: 'loud' is not one of full, quiet, off/]],
  ['rule bad regex', 'rules:\n  add:\n    - id: a.b\n      risk: high\n      message: m\n      pattern: "(x"\n', [/:6: rules\.add\[0\]\.pattern: '\(x' is not a valid regular expression/]],
  ['rule bad risk', 'rules:\n  add:\n    - {id: a.b, risk: severe, message: m, commands: [x]}\n', [/:3: rules\.add\[0\]\.risk: 'severe' is not one of low, medium, high, critical/]],
  ['rule missing message', 'rules:\n  add:\n    - {id: a.b, risk: high, commands: [x]}\n', [/:3: rules\.add\[0\]: has no message/]],
  ['rule matching everything', 'rules:\n  add:\n    - {id: a.b, risk: high, message: m}\n', [/:3: rules\.add\[0\]: rule 'a\.b' has neither commands nor pattern/]],
  ['rule unknown key', 'rules:\n  add:\n    - {id: a.b, risk: high, message: m, command: [x]}\n', [/rules\.add\[0\]\.command: unknown key .* did you mean 'commands'\?/]],
  ['duplicate rule id', 'rules:\n  add:\n    - {id: a.b, risk: high, message: m, commands: [x]}\n    - {id: a.b, risk: low, message: n, commands: [y]}\n', [/:4: rules\.add\[1\]\.id: 'a\.b' is used by an earlier rule/]],
  ['level value', 'rules:\n  levels:\n    git.force-push: none\n', [/:3: rules\.levels\.git\.force-push: 'none' is not one of low, medium, high, critical/]],
  ['level id', 'rules:\n  levels:\n    "bad id": low\n', [/:3: rules\.levels\.bad id: 'bad id' is not a rule id/]],
  ['YAML syntax: file:line:col', 'sandbox:\n  mode: [always\n', [/config\.yaml:3:1: YAML syntax: Flow sequence .* — fix the file's YAML/]],
  ['YAML duplicate key', 'sandbox:\n  mode: auto\n  mode: always\n', [/config\.yaml:3:3: YAML syntax: Map keys must be unique/]],
  ['YAML tab indent', 'sandbox:\n\tmode: auto\n', [/config\.yaml:2:\d+: YAML syntax:/]],
  ['YAML unresolved alias', 'sandbox:\n  mode: *nope\n', [/config\.yaml(:\d+(:\d+)?)?: YAML/]],
  ['YAML two documents', 'sandbox: {}\n---\nshell: {}\n', [/config\.yaml:2:1: YAML syntax: Source contains multiple documents/]],
];

for (const [name, text, patterns] of ERRORS) {
  test(`error: ${name}`, async () => {
    const s = sandbox();
    s.write(s.userFile, text);
    const msg = await rejectsWith(loadConfig({ cwd: s.home, env: s.env }), /^~\/\.config\/vg\/config\.yaml/, ...patterns);
    assert.ok(!/\bat \w+ \(/.test(msg), 'no stack frames');
  });
}

test('validateConfigObject: plain objects validate; parsed YAML keeps its lines', async () => {
  const c = validateConfigObject({ sandbox: { mode: 'auto' } }, '/x/config.yaml');
  assert.equal(c.sandbox.mode, 'auto');
  assert.equal(c.sandbox.enable_cache, true);
  assert.throws(() => validateConfigObject({ sandbox: { mode: 'nah' } }, '/x/config.yaml'), /^VgError: \/x\/config\.yaml: sandbox\.mode: 'nah' is not one of/);
  const parsed = await parseYamlText('# c\nsandbox:\n  prefer_fast: maybe\n', '/y.yaml');
  assert.throws(() => validateConfigObject(parsed.data, '/y.yaml'), /\/y\.yaml:3: sandbox\.prefer_fast: 'maybe' is not a boolean/);
});

test('env overrides the files; flags override env', async () => {
  const s = sandbox();
  s.write(s.userFile, 'sandbox: {mode: auto, runtime: docker, timeout: 5}\n');
  const env = { ...s.env, VG_MODE: 'risky', VG_RUNTIME: 'podman', VG_SECURITY_LEVEL: 'strict', VG_NETWORK_MODE: 'full', VG_TIMEOUT: '12.5', VG_ENABLED: 'false', VG_IMAGE: 'x:1' };
  const r = await explainConfig({ cwd: s.home, env });
  assert.equal(r.config.sandbox.mode, 'risky');
  assert.equal(r.config.sandbox.runtime, 'podman');
  assert.equal(r.config.sandbox.security_level, 'strict');
  assert.equal(r.config.sandbox.network_mode, 'full');
  assert.equal(r.config.sandbox.timeout, 12.5);
  assert.equal(r.config.sandbox.enabled, false);
  assert.equal(r.config.sandbox.image, 'x:1');
  assert.equal(r.origins['sandbox.mode'], 'env VG_MODE');
  const f = await explainConfig({ cwd: s.home, env, flags: { mode: 'always', timeout: 3, network_mode: 'none', runtime: 'bubblewrap', security_level: 'paranoid' } });
  assert.equal(f.config.sandbox.mode, 'always');
  assert.equal(f.config.sandbox.timeout, 3);
  assert.equal(f.config.sandbox.network_mode, 'none');
  assert.equal(f.config.sandbox.runtime, 'bubblewrap');
  assert.equal(f.config.sandbox.security_level, 'paranoid');
  assert.equal(f.origins['sandbox.mode'], 'flag --mode');
  assert.equal(f.origins['sandbox.enable_cache'], 'default');
  // Empty variables are unset, as in most tools (`VG_MODE= vg …`).
  const e = await loadConfig({ cwd: s.home, env: { ...s.env, VG_MODE: '' } });
  assert.equal(e.config.sandbox.mode, 'auto');
  for (const [k, v] of [['VG_ENABLED', '1'], ['VG_ENABLED', 'TRUE']]) {
    assert.equal((await loadConfig({ cwd: s.home, env: { ...s.env, [k]: v } })).config.sandbox.enabled, true);
  }
  assert.equal((await loadConfig({ cwd: s.home, env: { ...s.env, VG_ENABLED: '0' } })).config.sandbox.enabled, false);
});

test('invalid env and flag values are errors naming the variable or flag', async () => {
  const s = sandbox();
  const bad: [Record<string, string>, RegExp][] = [
    [{ VG_MODE: 'sometimes' }, /^env VG_MODE: 'sometimes' is not one of always, auto, risky, never — fix or unset VG_MODE$/],
    [{ VG_RUNTIME: 'lxc' }, /^env VG_RUNTIME: 'lxc' is not one of/],
    [{ VG_SECURITY_LEVEL: 'stric' }, /^env VG_SECURITY_LEVEL: .*did you mean 'strict'/],
    [{ VG_NETWORK_MODE: 'off' }, /^env VG_NETWORK_MODE: 'off' is not one of none, restricted, full/],
    [{ VG_TIMEOUT: '10m' }, /^env VG_TIMEOUT: '10m' is not a number of seconds/],
    [{ VG_TIMEOUT: '-1' }, /^env VG_TIMEOUT: '-1' is not a number of seconds/],
    [{ VG_ENABLED: 'off' }, /^env VG_ENABLED: 'off' is not one of 0, 1, true, false/],
    [{ VG_IMAGE: 'a b' }, /^env VG_IMAGE: 'a b' is not an image name/],
  ];
  for (const [vars, re] of bad) await rejectsWith(loadConfig({ cwd: s.home, env: { ...s.env, ...vars } }), re);
  await rejectsWith(loadConfig({ cwd: s.home, env: s.env, flags: { mode: 'x' } }), /^flag --mode: 'x' is not one of .* — fix the --mode value$/);
  await rejectsWith(loadConfig({ cwd: s.home, env: s.env, flags: { timeout: 'soon' } }), /^flag --timeout: 'soon'/);
});

test('VG_CONFIG picks the user file, and a missing one is an error', async () => {
  const s = sandbox();
  const other = s.write('elsewhere/vg.yaml', 'sandbox: {mode: risky}\n');
  const r = await loadConfig({ cwd: s.home, env: { ...s.env, VG_CONFIG: other } });
  assert.equal(r.config.sandbox.mode, 'risky');
  assert.deepEqual(r.files, [other]);
  await rejectsWith(loadConfig({ cwd: s.home, env: { ...s.env, VG_CONFIG: join(s.root, 'nope.yaml') } }), /^VG_CONFIG: .*nope\.yaml does not exist — create it with `vg config init` or unset VG_CONFIG$/);
});

test('a config path that is a directory is a one-line error', async () => {
  const s = sandbox();
  s.dir('home/.config/vg/config.yaml');
  await rejectsWith(loadConfig({ cwd: s.home, env: s.env }), /config\.yaml: is not a regular file/);
});

test('project file: found walking up, stops at the repository root and at $HOME', async () => {
  const s = sandbox();
  // ~/.vg.yaml exists, but a repository root below it ends the walk first.
  s.write('home/.vg.yaml', 'sandbox: {mode: always}\n');
  s.dir('home/code/repo/.git');
  const deep = s.dir('home/code/repo/a/b');
  assert.equal(findProjectFile(deep, s.home), null);
  const pf = s.write('home/code/repo/a/.vg.yaml', '{}\n');
  assert.equal(findProjectFile(deep, s.home), pf);
  // Outside a repository the walk ends at $HOME (inclusive), never above it.
  const plain = s.dir('home/notes/x');
  assert.equal(findProjectFile(plain, s.home), join(s.home, '.vg.yaml'));
  s.write('.vg.yaml', '{}\n'); // above $HOME: never read
  const nested = sandbox();
  nested.write('.vg.yaml', 'sandbox: {mode: always}\n');
  assert.equal(findProjectFile(nested.dir('home/work'), nested.home), null);
  // A worktree's `.git` is a file: still a repository root.
  const wt = sandbox();
  wt.write('home/wt/.git', 'gitdir: /elsewhere\n');
  wt.write('home/.vg.yaml', '{}\n');
  assert.equal(findProjectFile(wt.dir('home/wt/src'), wt.home), null);
});

function project(user: string, proj: string) {
  const s = sandbox();
  if (user) s.write(s.userFile, user);
  s.dir('home/repo/.git');
  const pf = s.write('home/repo/.vg.yaml', proj);
  return { s, pf, cwd: s.dir('home/repo/src') };
}

test('project file may tighten: mode, security, network, domains, timeout, cache, rules', async () => {
  const { s, pf, cwd } = project(
    'sandbox: {mode: auto, security_level: balanced, timeout: 600, enable_cache: true}\nrules: {levels: {git.force-push: medium}}\n',
    `sandbox:
  mode: always
  security_level: strict
  network_mode: none
  allowed_domains: [pypi.org]
  timeout: 60
  enable_cache: false
  runtime: bubblewrap
  prefer_fast: false
  bind_mounts:
    - {host_path: /opt/sdk}
    - {host_path: ./out, read_only: false}
  cache_dirs: [./.cache/tool]
shell: {fallback: block}
audit: {enabled: true}
rules:
  add: [{id: proj.deploy, risk: high, message: deploys, commands: [deploy]}]
  levels: {git.force-push: high, net.wget: medium}
`,
  );
  const r = await explainConfig({ cwd, env: s.env });
  assert.deepEqual(r.notices, []);
  assert.deepEqual(r.files, [s.userFile, pf]);
  const c = r.config.sandbox;
  assert.equal(c.mode, 'always');
  assert.equal(c.security_level, 'strict');
  assert.equal(c.network_mode, 'none');
  assert.deepEqual(c.allowed_domains, ['pypi.org']);
  assert.equal(c.timeout, 60);
  assert.equal(c.enable_cache, false);
  assert.equal(c.runtime, 'bubblewrap');
  assert.equal(c.prefer_fast, false);
  assert.deepEqual(c.bind_mounts, [
    { host_path: '/opt/sdk', container_path: '/opt/sdk', read_only: true },
    { host_path: join(s.home, 'repo/out'), container_path: join(s.home, 'repo/out'), read_only: false },
  ]);
  assert.deepEqual(c.cache_dirs, [join(s.home, 'repo/.cache/tool')]);
  assert.equal(r.config.shell.fallback, 'block');
  assert.equal(r.config.rules.add[0].id, 'proj.deploy');
  // Project levels become floors; the user's own level stays in `levels`.
  assert.deepEqual(r.config.rules.levels, { 'git.force-push': 'medium' });
  assert.deepEqual(r.config.rules.raise, { 'git.force-push': 'high', 'net.wget': 'medium' });
  assert.equal(r.origins['sandbox.mode'], '~/repo/.vg.yaml:2');
  assert.equal(r.origins['sandbox.runtime'], '~/repo/.vg.yaml:8');
});

test('project file may not loosen: each attempt is a notice and the user value stays', async () => {
  const { s, cwd } = project(
    'sandbox:\n  mode: auto\n  security_level: strict\n  timeout: 60\n  enable_cache: false\n  prefer_fast: false\n  allowed_domains: [pypi.org, "*.corp.example"]\nshell: {fallback: block}\nrules: {levels: {git.force-push: high}}\n',
    `sandbox:
  enabled: false
  mode: never
  security_level: permissive
  network_mode: full
  allowed_domains: [pypi.org, evil.example.net, pkg.corp.example]
  timeout: 0
  enable_cache: true
  prefer_fast: true
  image: evil/image:latest
  allow_project_image: true
  bind_mounts:
    - {host_path: ~/.ssh}
    - {host_path: /srv/shared, read_only: false}
    - {host_path: "~", read_only: true}
    - {host_path: ../sibling, read_only: false}
  cache_dirs: [~/.npm]
shell: {notice: off, fallback: host, analyzer_timeout_ms: 5}
audit: {enabled: false, keep: 0}
rules:
  levels: {git.force-push: low}
`,
  );
  const before = await loadConfig({ cwd: s.home, env: s.env }); // same user file, no project
  const r = await loadConfig({ cwd, env: s.env });
  assert.deepEqual(r.config, before.config, 'nothing loosened');
  const expect: RegExp[] = [
    /^~\/repo\/\.vg\.yaml:2: sandbox\.enabled: false ignored — it would turn the sandbox off/,
    /^~\/repo\/\.vg\.yaml:3: sandbox\.mode: 'never' ignored — looser than 'auto' from your ~\/\.config\/vg\/config\.yaml:2; a project file may only tighten/,
    /:4: sandbox\.security_level: 'permissive' ignored — lower than 'strict'/,
    /:5: sandbox\.network_mode: 'full' ignored — wider than the current 'restricted' network/,
    /:6: sandbox\.allowed_domains: 'evil\.example\.net' ignored — not in your allowed_domains/,
    /:7: sandbox\.timeout: 0 ignored — longer than 60s/,
    /:8: sandbox\.enable_cache: true ignored — cache mounts are writable host directories/,
    /:9: sandbox\.prefer_fast: true ignored/,
    /:10: sandbox\.image: 'evil\/image:latest' ignored — .* set sandbox\.allow_project_image: true in your user file/,
    /:11: sandbox\.allow_project_image: true ignored — a project cannot grant itself that/,
    /:13: sandbox\.bind_mounts\[0\]: '~\/\.ssh' ignored — it would expose ~\/\.ssh \(credentials\)/,
    /:14: sandbox\.bind_mounts\[1\]: '\/srv\/shared' ignored — a writable mount outside the project \(~\/repo\); make it read_only: true/,
    /:15: sandbox\.bind_mounts\[2\]: '~' ignored — it would expose/,
    /:16: sandbox\.bind_mounts\[3\]: '~\/sibling' ignored — a writable mount outside the project/,
    /:17: sandbox\.cache_dirs\[0\]: '~\/\.npm' ignored — cache dirs are mounted writable/,
    /:18: shell\.notice: 'off' ignored — a personal shell preference/,
    /:18: shell\.fallback: 'host' ignored/,
    /:18: shell\.analyzer_timeout_ms: 5 ignored/,
    /:19: audit\.enabled: false ignored — it would stop the audit log/,
    /:19: audit\.keep: 0 ignored/,
    /:21: rules\.levels\.git\.force-push: 'low' ignored — lower than your level 'high'/,
  ];
  for (const re of expect) assert.ok(r.notices.some((n) => re.test(n)), `missing notice ${re}\n${r.notices.join('\n')}`);
  assert.equal(r.notices.length, expect.length, r.notices.join('\n'));
  for (const n of r.notices) assert.ok(!n.includes('\n'));
});

test('project: enabled false is refused against the defaults too; a symlink out of the project is judged where it lands', async () => {
  const { s, cwd } = project('', 'sandbox:\n  enabled: false\n  mode: auto\n  bind_mounts:\n    - {host_path: ./link/x, read_only: false}\n');
  const { symlinkSync, mkdirSync } = await import('node:fs');
  mkdirSync(join(s.root, 'outside'), { recursive: true });
  symlinkSync(join(s.root, 'outside'), join(s.home, 'repo/link'));
  const r = await loadConfig({ cwd, env: s.env });
  assert.equal(r.config.sandbox.enabled, true);
  assert.equal(r.config.sandbox.mode, 'always');
  assert.match(r.notices[1], /sandbox\.mode: 'auto' ignored — looser than 'always' from the default/);
  assert.match(r.notices[2], /bind_mounts\[0\]: .* a writable mount outside the project/);
});

test('project: image allowed when the user opts in; network follows a raised security level', async () => {
  const { s, cwd } = project('sandbox: {allow_project_image: true}\n', 'sandbox: {image: "proj/img:2", security_level: paranoid}\n');
  const r = await loadConfig({ cwd, env: s.env });
  assert.deepEqual(r.notices, []);
  assert.equal(r.config.sandbox.image, 'proj/img:2');
  assert.equal(r.config.sandbox.security_level, 'paranoid');
});

test('env and flags still apply over a project file (they are the user speaking)', async () => {
  const { s, cwd } = project('', 'sandbox: {mode: always}\n');
  const r = await loadConfig({ cwd, env: { ...s.env, VG_MODE: 'auto' } });
  assert.equal(r.config.sandbox.mode, 'auto');
  assert.deepEqual(r.notices, []);
});

test('project file errors name the project file and line', async () => {
  const { s, cwd } = project('', 'sandbox:\n  mode: auto\n  network_mode: wide\n');
  await rejectsWith(loadConfig({ cwd, env: s.env }), /^~\/repo\/\.vg\.yaml:3: sandbox\.network_mode: 'wide' is not one of none, restricted, full/);
});

test('a world-writable project file, or one owned by another user, is ignored with a notice', async () => {
  const { s, pf, cwd } = project('', 'sandbox: {security_level: paranoid}\n');
  chmodSync(pf, 0o666);
  const r = await loadConfig({ cwd, env: s.env });
  assert.equal(r.config.sandbox.security_level, 'balanced');
  assert.match(r.notices[0], /\.vg\.yaml: ignored — anyone can write it; run `chmod o-w/);
  if (process.getuid?.() === 0) {
    chmodSync(pf, 0o644);
    chownSync(pf, 4242, 4242);
    const o = await loadConfig({ cwd, env: s.env });
    assert.match(o.notices[0], /ignored — owned by uid 4242, not you/);
    assert.deepEqual(o.files, []);
  }
});

test('cache: an unchanged file is not re-read; a changed one is', async () => {
  const s = sandbox();
  s.write(s.userFile, 'sandbox: {mode: auto}\n');
  const a = await loadConfig({ cwd: s.home, env: s.env });
  a.config.sandbox.cache_dirs.push('/mutated'); // callers mutating their copy must not poison the cache
  const b = await loadConfig({ cwd: s.home, env: s.env });
  assert.deepEqual(b.config.sandbox.cache_dirs, []);
  writeFileSync(s.userFile, 'sandbox: {mode: risky}\n');
  const later = new Date(Date.now() + 5000);
  utimesSync(s.userFile, later, later);
  const c = await loadConfig({ cwd: s.home, env: s.env });
  assert.equal(c.config.sandbox.mode, 'risky');
});

test('no config file: yaml is never imported', () => {
  const s = sandbox();
  const code = `
    import { loadConfig } from './src/store/config/index.ts';
    import { createRequire } from 'node:module';
    const r = await loadConfig({ cwd: ${JSON.stringify(s.home)}, env: ${JSON.stringify(s.env)} });
    const cache = createRequire(import.meta.url).cache;
    const loaded = Object.keys(cache).some((k) => k.includes('/node_modules/yaml/'));
    console.log(JSON.stringify({ loaded, mode: r.config.sandbox.mode }));`;
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: join(import.meta.dirname, '../..'), encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout.trim().split('\n').pop()!), { loaded: false, mode: 'always' });
  // And the probe itself works: with a file, yaml does load.
  s.write(s.userFile, 'sandbox: {mode: auto}\n');
  const out2 = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: join(import.meta.dirname, '../..'), encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out2.stdout.trim().split('\n').pop()!), { loaded: true, mode: 'auto' });
});

test('project rules: added, but not ones that could stall the analyzer or shadow a user rule', async () => {
  const { s, cwd } = project(
    'rules:\n  add:\n    - {id: mine.x, risk: high, message: m, commands: [x]}\n',
    `rules:
  add:
    - {id: proj.ok, risk: medium, message: ok, pattern: 'deploy .*--prod'}
    - {id: proj.slow, risk: high, message: slow, pattern: '(a+)+$'}
    - {id: proj.backref, risk: high, message: br, pattern: '(a)\\1'}
    - {id: mine.x, risk: low, message: shadow, commands: [x]}
`,
  );
  const r = await loadConfig({ cwd, env: s.env });
  assert.deepEqual(r.config.rules.add.map((x) => x.id), ['mine.x', 'proj.ok']);
  assert.match(r.notices[0], /:4: rules\.add\[1\]: 'proj\.slow' ignored — its pattern could stall the analyzer \(it nests unbounded repetition/);
  assert.match(r.notices[1], /:5: rules\.add\[2\]: 'proj\.backref' ignored — .*backreference/);
  assert.match(r.notices[2], /:6: rules\.add\[3\]: 'mine\.x' ignored — your user file already has a rule with that id/);
  assert.equal(r.notices.length, 3);
});

test('YAML oddities are errors, not silently accepted: unknown tags, collection keys', async () => {
  const s = sandbox();
  s.write(s.userFile, 'sandbox:\n  mode: !custom auto\n');
  await rejectsWith(loadConfig({ cwd: s.home, env: s.env }), /config\.yaml:2:9: YAML syntax: Unresolved tag: !custom/);
  s.write(s.userFile, 'sandbox:\n  ? [a, b]\n  : 1\n');
  await rejectsWith(loadConfig({ cwd: s.home, env: s.env }), /config\.yaml:2:5: YAML: a key must be a plain name/);
  s.write(s.userFile, 'sandbox:\n  __proto__: {enabled: false}\n');
  await rejectsWith(loadConfig({ cwd: s.home, env: s.env }), /:2: sandbox\.__proto__: unknown key under sandbox/);
});

test('rules: the same frozen object while unchanged (the analyzer caches compiled rules per object)', async () => {
  const s = sandbox();
  s.write(s.userFile, 'rules:\n  add: [{id: a.b, risk: high, message: m, commands: [x]}]\n');
  const a = await loadConfig({ cwd: s.home, env: s.env });
  const b = await loadConfig({ cwd: s.home, env: { ...s.env, VG_MODE: 'auto' } });
  assert.equal(a.config.rules, b.config.rules);
  assert.ok(Object.isFrozen(a.config.rules.add[0]));
  assert.notEqual(a.config.sandbox, b.config.sandbox);
});

test('a user file anyone can write is refused', async () => {
  const s = sandbox();
  s.write(s.userFile, 'sandbox: {mode: auto}\n');
  chmodSync(s.userFile, 0o666);
  await rejectsWith(loadConfig({ cwd: s.home, env: s.env }), /^~\/\.config\/vg\/config\.yaml: anyone can write this file, so vg will not trust it — run `chmod o-w/);
});

test('flag errors use the flag names vg exec takes', async () => {
  const s = sandbox();
  await rejectsWith(loadConfig({ cwd: s.home, env: s.env, flags: { network_mode: 'wide' } }), /^flag --network: 'wide' is not one of none, restricted, full — fix the --network value$/);
  await rejectsWith(loadConfig({ cwd: s.home, env: s.env, flags: { security_level: 'max' } }), /^flag --security-level: 'max'/);
});
