import { readFileSync, statSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { KANIKO_JOB, runCli, tempRepo } from '../helpers.js';

describe('migrate command', () => {
  test('invalid YAML: file:line:column, exit 2, nothing written', async () => {
    const bad = 'build:\n  image: x\n  script: [a, b\n';
    const root = tempRepo({ '.gitlab-ci.yml': bad });
    const r = await runCli(['migrate', root], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.gitlab-ci\.yml:\d+:\d+ {2}KB101 {2}error/);
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(bad);
  });

  test('writes in place, keeps the file mode, and a second run changes nothing', async () => {
    const root = tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });
    chmodSync(join(root, '.gitlab-ci.yml'), 0o640);
    const first = await runCli(['migrate'], { cwd: root });
    expect(first.code).toBe(0);
    const after = readFileSync(join(root, '.gitlab-ci.yml'), 'utf8');
    expect(after).toContain('buildctl-daemonless.sh build');
    expect(after).toContain('name: moby/buildkit:rootless');
    expect(statSync(join(root, '.gitlab-ci.yml')).mode & 0o777).toBe(0o640);
    const second = await runCli(['migrate', '--check'], { cwd: root });
    expect(second.code).toBe(0);
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(after);
  });

  test('--dry-run prints a diff and writes nothing; --check exits 1 when a change is pending', async () => {
    const root = tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });
    const dry = await runCli(['migrate', '--dry-run', '.'], { cwd: root });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('-    - /kaniko/executor');
    expect(dry.stdout).toContain('+    - buildctl-daemonless.sh build');
    expect(dry.stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(KANIKO_JOB);
    const check = await runCli(['migrate', '--check', '.'], { cwd: root });
    expect(check.code).toBe(1);
  });

  test('--check: manual findings fail unless --fail-on never', async () => {
    const job = KANIKO_JOB.replace('--destination', '$(cat extra.args) --destination');
    const root = tempRepo({ '.gitlab-ci.yml': job });
    expect((await runCli(['migrate', '--check'], { cwd: root })).code).toBe(1);
    expect((await runCli(['migrate', '--check', '--fail-on', 'never'], { cwd: root })).code).toBe(0);
  });

  test('--format json follows the report contract', async () => {
    const root = tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });
    const r = await runCli(['migrate', '--dry-run', '--format', 'json'], { cwd: root });
    const report = JSON.parse(r.stdout);
    expect(report.files).toEqual([
      expect.objectContaining({ path: '.gitlab-ci.yml', changed: true, findings: expect.any(Array) }),
    ]);
    expect(report.summary).toEqual(expect.objectContaining({ files: 1, changed: 1, kanikoJobs: 1, migrated: 1 }));
  });

  test.each([
    [['migrate', 'no/such/path'], /no such file or folder/],
    [['migrate', '--no-such-option'], /unknown option/],
  ])('usage and input errors exit 2: %j', async (args, message) => {
    const root = tempRepo({ 'README.md': 'x' });
    const r = await runCli(args, { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(message);
  });

  test('a folder without .gitlab-ci.yml is an input error', async () => {
    const root = tempRepo({ 'README.md': 'x' });
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no .gitlab-ci.yml in this folder');
  });
});

describe('a path with nothing to migrate is an input error, naming what was looked for', () => {
  test.each([
    [[], 'none of the 1 generator source(s) matching'],
    [['--sources', 'ci/**/*.ts'], "and no generator source matches --sources 'ci/**/*.ts'"],
    [['--no-sources'], 'and generator sources are not read (--no-sources)'],
  ])('a folder of unrelated .js files %j: exit 2', async (args, message) => {
    const root = tempRepo({ 'lib/index.js': 'console.log("hello");\n' });
    const r = await runCli(['migrate', '--check', ...args, '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no .gitlab-ci.yml in this folder');
    expect(r.stderr).toContain(message);
  });

  test('a generator-only folder already migrated to BuildKit still passes --check', async () => {
    const root = tempRepo({
      'ci/generate.ts':
        'export const job = { image: "moby/buildkit:rootless", script: ["buildctl-daemonless.sh build"] };\n',
    });
    const r = await runCli(['migrate', '--check', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  test('--recursive over a folder with no repository: exit 2, saying what it looked for', async () => {
    const root = tempRepo({ 'a/README.md': 'x', 'node_modules/x/.gitlab-ci.yml': KANIKO_JOB });
    const r = await runCli(['migrate', '--recursive', '--check', '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'kaniko2buildkit: no repository under .: looked for folders with a .gitlab-ci.yml (.git, node_modules, vendor, dist not entered)\n',
    );
  });
});
