/**
 * Bad input, one test each: a clear message naming the file (and line:column where there is one), exit 2, not a
 * byte changed in the bad repository, and the next PATH argument (a good repository) still migrated.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempRepo } from '../helpers.js';
import { builtCli, DOCKERFILE, kanikoJob, plainJob, snapshot } from './helpers.js';

const MIGRATED = 'buildctl-daemonless.sh build';

function goodRepo(): string {
  return tempRepo({ '.gitlab-ci.yml': kanikoJob('build'), Dockerfile: DOCKERFILE });
}

/**
 * Runs `migrate BAD GOOD` from inside BAD and checks what every bad input must give: exit 2, BAD byte for byte as it
 * was, GOOD migrated. Returns the output for the message checks.
 */
async function migrateBad(bad: string, target = '.') {
  const good = goodRepo();
  const before = snapshot(bad);
  const r = await runCli(['migrate', target, good], { cwd: bad });
  expect(r.code).toBe(2);
  expect(snapshot(bad)).toEqual(before);
  expect(readFileSync(join(good, '.gitlab-ci.yml'), 'utf8')).toContain(MIGRATED);
  return { ...r, all: r.stdout + r.stderr };
}

/** A repository whose only pipeline file is `text` (and a Dockerfile, so a Kaniko job in it would be migrated). */
const repoWith = (text: string | Buffer, extra: Record<string, string> = {}) =>
  tempRepo({ '.gitlab-ci.yml': text, Dockerfile: DOCKERFILE, ...extra });

describe('bad input: a clear message, exit 2, nothing written, other paths still processed', () => {
  test('invalid YAML', async () => {
    const r = await migrateBad(repoWith(`${kanikoJob('build')}\ntest:\n  script: [a, b\n`));
    expect(r.stderr).toMatch(/^\.gitlab-ci\.yml:\d+:\d+ {2}KB101 {2}error {3}invalid YAML: /m);
  });

  test('a tab-indented file', async () => {
    const r = await migrateBad(repoWith(kanikoJob('build').replace(/^ {2}(?=\S)/gm, '\t')));
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml:2:1 {2}KB101 {2}error {3}invalid YAML: Tabs are not allowed as indentation/m,
    );
  });

  // GitLab rejects an empty .gitlab-ci.yml (and an empty included file), so the tool reports it as invalid input.
  test('an empty file', async () => {
    const r = await migrateBad(repoWith(''));
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml:1:1 {2}KB101 {2}error {3}the file is empty: a GitLab CI file must be a mapping of keys to jobs/m,
    );
  });

  test('a file with only comments', async () => {
    const r = await migrateBad(repoWith('# nothing here yet\n\n'));
    expect(r.stderr).toMatch(/^\.gitlab-ci\.yml:1:1 {2}KB101 {2}error {3}the file holds no keys/m);
  });

  test('a YAML list instead of a mapping', async () => {
    const r = await migrateBad(repoWith('- build\n- test\n'));
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml:1:1 {2}KB101 {2}error {3}a GitLab CI file must be a mapping of keys to jobs, not a list/m,
    );
  });

  test('a scalar instead of a mapping', async () => {
    const r = await migrateBad(repoWith('# a comment first\njust some text\n'));
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml:2:1 {2}KB101 {2}error {3}a GitLab CI file must be a mapping of keys to jobs, not a single value/m,
    );
  });

  test('a binary file', async () => {
    const binary = Buffer.concat([
      Buffer.from('build:\n  script: [x]\n\x7fELF'),
      Buffer.from([0, 1, 2, 0xff, 0xfe, 0]),
    ]);
    const r = await migrateBad(repoWith(binary));
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB106 {2}error {3}cannot read: \.gitlab-ci\.yml is not UTF-8 text: a NUL byte \(a binary file\?\) at line 3, column 5/m,
    );
  });

  test('a file that is not UTF-8 (Latin-1)', async () => {
    const latin1 = Buffer.from(`${kanikoJob('build')}# Gr\xfc\xdfe aus K\xf6ln\n`, 'latin1');
    const r = await migrateBad(repoWith(latin1));
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB106 {2}error {3}cannot read: \.gitlab-ci\.yml is not UTF-8 text: byte 0xfc at line 8, column 5/m,
    );
  });

  test('a 50 MB file (the limit is 10 MiB)', async () => {
    const bad = repoWith(kanikoJob('build'));
    truncateSync(join(bad, '.gitlab-ci.yml'), 50 * 1024 * 1024); // sparse: 50 MB without writing them
    const r = await migrateBad(bad);
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB106 {2}error {3}cannot read: \.gitlab-ci\.yml is 52428800 bytes, over the 10485760-byte \(10 MiB\) limit/m,
    );
  });

  test('an alias bomb (billion laughs) is refused quickly', async () => {
    const levels = ['lol: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i <= 9; i++)
      levels.push(
        `l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const started = Date.now();
    const r = await migrateBad(repoWith(`${levels.join('\n')}\n${kanikoJob('build')}`));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml:7:9 {2}KB109 {2}error {3}aliases expand this value to more than 1000000 values \(an alias bomb, "billion laughs"\)/m,
    );
  });

  test('an alias bomb made of merge keys', async () => {
    const levels = ['.t0: &t0 { retry: 1 }'];
    for (let i = 1; i <= 20; i++)
      levels.push(
        `.t${i}: &t${i}\n  <<: [${Array(9)
          .fill(`*t${i - 1}`)
          .join(', ')}]`,
      );
    const started = Date.now();
    const r = await migrateBad(repoWith(`${levels.join('\n')}\n${kanikoJob('build')}  <<: *t20\n`));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.stderr).toMatch(/KB109 {2}error {3}aliases expand this value to more than/);
  });

  test('a !reference bomb (ten levels of ten references)', async () => {
    let text = '.r0:\n  script: [echo]\n';
    for (let i = 1; i <= 10; i++) text += `.r${i}:\n  script:\n${`    - !reference [.r${i - 1}, script]\n`.repeat(10)}`;
    text += kanikoJob('build').replace('  script:\n', '  script:\n    - !reference [.r10, script]\n');
    const started = Date.now();
    const r = await migrateBad(repoWith(text));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml:\d+:\d+ {2}KB109 {2}error {3}!reference expands to more than 100000 script items/m,
    );
  });

  test('deep nesting: 10,000 levels of [[[[', async () => {
    const deep = `${kanikoJob('build')}deep: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    const r = await migrateBad(repoWith(deep));
    expect(r.stderr).toMatch(/^\.gitlab-ci\.yml:8:\d+ {2}KB109 {2}error {3}nesting too deep/m);
  });

  test('deep nesting: 300 levels of block mappings', async () => {
    const deep = Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
    const r = await migrateBad(repoWith(`${kanikoJob('build')}${deep} end\n`));
    expect(r.stderr).toMatch(/^\.gitlab-ci\.yml:\d+:\d+ {2}KB109 {2}error {3}nesting too deep: more than 200 levels/m);
  });

  // An include GitLab would refuse is an error (exit 2) and is not followed; nothing outside the repository is read or
  // written. The rest of the repository is still migrated, as with a missing include (the report fixture
  // fixtures/report/repo fixes that contract), so these repositories hold no Kaniko job: nothing in them may change.
  /** `migrate BAD GOOD` where BAD's include leads out; also checks that OUTSIDE (a file out there) is untouched. */
  async function migrateBadInclude(bad: string, outside: string) {
    const before = readFileSync(outside);
    const r = await migrateBad(bad);
    expect(readFileSync(outside)).toEqual(before);
    return r;
  }

  test('include: local that climbs out of the repository (../../etc/passwd)', async () => {
    const r = await migrateBadInclude(
      repoWith(`include:\n  - local: ../../etc/passwd\n${plainJob('test')}`),
      '/etc/passwd',
    );
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml:2:12 {2}KB104 {2}error {3}include \.\.\/\.\.\/etc\/passwd points outside the repository: not read$/m,
    );
  });

  test('include: an absolute path that climbs out (/../etc/passwd)', async () => {
    const r = await migrateBadInclude(repoWith(`include: /../etc/passwd\n${plainJob('test')}`), '/etc/passwd');
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml:1:10 {2}KB104 {2}error {3}include \/\.\.\/etc\/passwd points outside the repository/m,
    );
  });

  // GitLab reads an absolute local include from the repository root: `/etc/passwd` is the repository's etc/passwd.
  test('include: /etc/passwd is read inside the repository, never from the system', async () => {
    const bad = repoWith(`include: /etc/passwd\n${kanikoJob('build')}`);
    const r = await runCli(['migrate', '--dry-run', '.'], { cwd: bad });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^\.gitlab-ci\.yml:1:10 {2}KB102 {2}warning included file etc\/passwd is not in the repository/m,
    );
    expect(r.stdout).not.toMatch(/root:x:0/);
  });

  test('include: a symbolic link that leads outside the repository', async () => {
    const outside = tempRepo({ 'build.yml': kanikoJob('outside') });
    const bad = repoWith(`include: ci/build.yml\n${plainJob('test')}`);
    mkdirSync(join(bad, 'ci'));
    symlinkSync(join(outside, 'build.yml'), join(bad, 'ci', 'build.yml'));
    const r = await migrateBadInclude(bad, join(outside, 'build.yml'));
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml:1:10 {2}KB104 {2}error {3}include ci\/build\.yml: ci\/build\.yml leads outside the repository \(symbolic link to .*build\.yml\); not read/m,
    );
  });

  test('a pipeline file that is itself a symbolic link outside the repository', async () => {
    const outside = tempRepo({ 'ci.yml': kanikoJob('outside') });
    const bad = tempRepo({ '.git/HEAD': 'ref: refs/heads/main\n' });
    symlinkSync(join(outside, 'ci.yml'), join(bad, 'ci.yml'));
    const r = await migrateBad(bad, 'ci.yml');
    expect(r.stderr).toMatch(
      /^ci\.yml {2}KB104 {2}error {3}ci\.yml leads outside the repository \(symbolic link to .*ci\.yml\); not read/m,
    );
    expect(readFileSync(join(outside, 'ci.yml'), 'utf8')).toBe(kanikoJob('outside'));
  });

  test('an include cycle', async () => {
    const bad = repoWith(`include: ci/a.yml\n${plainJob('test')}`, {
      'ci/a.yml': `include: ci/b.yml\n${plainJob('test-a')}`,
      'ci/b.yml': `include:\n  - local: /ci/a.yml\n${plainJob('test-b')}`,
    });
    const r = await migrateBad(bad);
    expect(r.stderr).toMatch(
      /^ci\/b\.yml:2:12 {2}KB108 {2}error {3}include cycle: ci\/a\.yml → ci\/b\.yml → ci\/a\.yml; GitLab rejects it/m,
    );
  });

  // issue 18 item 2: a repository with an error is not written at all (it was: the root file migrated, exit 2)
  test('an include cycle is reported and keeps the whole repository as it was (KB115 on the changed file, exit 2)', async () => {
    const text = `include: ci/a.yml\n${kanikoJob('build')}`;
    const root = repoWith(text, { 'ci/a.yml': 'include: .gitlab-ci.yml\n' });
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^ci\/a\.yml:1:10 {2}KB108 {2}error {3}include cycle: \.gitlab-ci\.yml → ci\/a\.yml → \.gitlab-ci\.yml/m,
    );
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB115 {2}error {3}not written: this repository has an error \(ci\/a\.yml:1: KB108 /m,
    );
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(text);
  });

  test('a file included twice (not a cycle) is read once and migrated', async () => {
    const root = repoWith(`include: [ci/a.yml, ci/b.yml]\n${plainJob('test')}`, {
      'ci/a.yml': 'include: ci/b.yml\n',
      'ci/b.yml': kanikoJob('build'),
    });
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(readFileSync(join(root, 'ci/b.yml'), 'utf8')).toContain(MIGRATED);
  });

  // chmod 000 does not stop root: as root, the CLI runs as user 65534 (nobody) for this test.
  test('an unreadable file', async () => {
    const bad = repoWith(kanikoJob('build'));
    chmodSync(join(bad, '.gitlab-ci.yml'), 0o000);
    const before = snapshot(bad);
    const good = goodRepo();
    let code: number;
    let out: string;
    if (process.getuid?.() === 0) {
      for (const dir of [bad, good]) chmodSync(dir, 0o777);
      chmodSync(join(good, '.gitlab-ci.yml'), 0o666);
      const r = spawnSync(process.execPath, [builtCli(), 'migrate', '.', good], {
        cwd: bad,
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });
      code = r.status!;
      out = r.stdout + r.stderr;
    } else {
      const r = await runCli(['migrate', '.', good], { cwd: bad });
      code = r.code;
      out = r.stdout + r.stderr;
    }
    expect(out).toMatch(/^\.gitlab-ci\.yml {2}KB106 {2}error {3}cannot read: permission denied/m);
    expect(code).toBe(2);
    expect(snapshot(bad)).toEqual(before);
    expect(readFileSync(join(good, '.gitlab-ci.yml'), 'utf8')).toContain(MIGRATED);
  }, 60_000);

  test('a named pipe instead of a file does not block the run', async () => {
    const bad = tempRepo({ Dockerfile: DOCKERFILE });
    execFileSync('mkfifo', [join(bad, '.gitlab-ci.yml')]);
    const r = await migrateBad(bad);
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB106 {2}error {3}cannot read: \.gitlab-ci\.yml is not a regular file/m,
    );
  });

  test('a folder named .gitlab-ci.yml', async () => {
    const bad = tempRepo({ '.gitlab-ci.yml/x': 'x' });
    const r = await migrateBad(bad, '.gitlab-ci.yml');
    expect(r.stderr).toMatch(/^\.gitlab-ci\.yml {2}KB106 {2}error {3}no \.gitlab-ci\.yml in this folder/m);
  });

  test('a folder without .gitlab-ci.yml', async () => {
    const r = await migrateBad(tempRepo({ 'README.md': '# no pipeline\n', 'build.yml': kanikoJob('build') }));
    expect(r.stderr).toMatch(/^\. {2}KB106 {2}error {3}no \.gitlab-ci\.yml in this folder/m);
  });

  test('a path that does not exist', async () => {
    const r = await migrateBad(repoWith(kanikoJob('build')), 'no/such/path');
    expect(r.stderr).toMatch(/^no\/such\/path {2}KB106 {2}error {3}no such file or folder/m);
  });

  test('unknown CLI options: nothing is read or written', async () => {
    const bad = repoWith(kanikoJob('build'));
    const good = goodRepo();
    const before = [snapshot(bad), snapshot(good)];
    const r = await runCli(['migrate', '--dry-rn', '.', good], { cwd: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: unknown option '--dry-rn'\n\(Did you mean --dry-run\?\)/);
    expect([snapshot(bad), snapshot(good)]).toEqual(before);
  });

  test('a missing include is a warning: the rest is migrated (exit 0)', async () => {
    const root = repoWith(`include:\n  - local: ci/generated.yml\n${kanikoJob('build')}`);
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^\.gitlab-ci\.yml:2:12 {2}KB102 {2}warning included file ci\/generated\.yml is not in the repository; its jobs were not migrated/m,
    );
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toContain(MIGRATED);
  });

  // issue 18 item 2: a repository with an error is not written at all (it was: the root file migrated, exit 2)
  test('a broken include is reported, and no file of the repository is written (KB115 names it)', async () => {
    const text = `include: [ci/broken.yml]\n${kanikoJob('build')}`;
    const root = repoWith(text, { 'ci/broken.yml': 'x: [\n' });
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ci\/broken\.yml:\d+:\d+ {2}KB101 {2}error {3}invalid YAML/m);
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB115 {2}error {3}not written: this repository has an error \(ci\/broken\.yml:\d+:\d+: KB101 /m,
    );
    expect(readFileSync(join(root, 'ci/broken.yml'), 'utf8')).toBe('x: [\n');
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(text);
  });

  test('several bad inputs in one run: each reported, the good one in the middle migrated', async () => {
    const empty = repoWith('');
    const list = repoWith('- a\n');
    const good = goodRepo();
    const bad = [snapshot(empty), snapshot(list)];
    const r = await runCli(['migrate', empty, good, list, '/no/such/path']);
    expect(r.code).toBe(2);
    expect(r.stderr.match(/ KB10[16] {2}error /g)).toHaveLength(3);
    expect([snapshot(empty), snapshot(list)]).toEqual(bad);
    expect(readFileSync(join(good, '.gitlab-ci.yml'), 'utf8')).toContain(MIGRATED);
  });
});

// Not bad input after all: GitLab accepts a key given twice, keeping its last value (Ruby's Psych).
describe('keys given twice: read as GitLab reads them', () => {
  test('a job given twice: the last definition is the job, a warning, exit 0', async () => {
    const root = repoWith(`${kanikoJob('build')}${plainJob('test')}${plainJob('build')}`);
    const before = snapshot(root);
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^\.gitlab-ci\.yml:14:1 {2}KB110 {2}warning key "build" is given twice in one mapping, at lines 1 and 14: GitLab keeps the last \(line 14\)/m,
    );
    // the `build` GitLab runs is the plain one: nothing to migrate, nothing written
    expect(snapshot(root)).toEqual(before);
  });

  test('a key given twice inside a job: the last one is read, a warning, the job migrated', async () => {
    const root = repoWith(kanikoJob('build').replace('  stage: build\n', '  stage: build\n  stage: test\n'));
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^\.gitlab-ci\.yml:3:3 {2}KB110 {2}warning key "stage" is given twice in one mapping, at lines 2 and 3/m,
    );
    const out = readFileSync(join(root, '.gitlab-ci.yml'), 'utf8');
    expect(out).toContain(MIGRATED);
    expect(out).toContain('  stage: build\n  stage: test\n');
  });
});
