/** `migrate` reporting: colour, --format, --output, --quiet, large runs, and the --check exit codes. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { KANIKO_JOB, runCli, tempRepo, type CliRun } from '../helpers.js';

const MIGRATED = `build:
  image:
    name: moby/buildkit:rootless
    entrypoint: [""]
  variables:
    BUILDKITD_FLAGS: --oci-worker-no-process-sandbox
  script:
    - buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --output type=image,name=registry.example.com/app:1,push=true
`;
const LINT_JOB = 'lint:\n  image: alpine\n  script: [echo ok]\n';
const ANSI = /\u001b\[\d+m/;

const kanikoRepo = () => tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });

/** runCli with stdout as a terminal (runCli's never is). */
async function runTty(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => '',
    cwd,
    env,
    isTTY: true,
  };
  const code = await main(['node', 'kaniko2buildkit', ...args], io);
  return { code, stdout, stderr };
}

/** The part of the output from the summary table's header on. */
const tableOf = (out: string) => out.slice(out.search(/^(\u001b\[\d+m)?FILE/m));

describe('colour', () => {
  test('--color forces colour in the diff and the table, even off a terminal', async () => {
    const r = await runCli(['migrate', '--dry-run', '--color'], { cwd: kanikoRepo() });
    expect(r.stdout).toContain('\u001b[32m+    - buildctl-daemonless.sh build');
    expect(r.stdout).toContain('\u001b[31m-    - /kaniko/executor');
    expect(tableOf(r.stdout)).toContain('\u001b[32mwould migrate\u001b[39m');
  });

  test('a terminal gets colour; NO_COLOR=1 or --no-color turns it off; --color wins over NO_COLOR', async () => {
    const root = kanikoRepo();
    expect((await runTty(['migrate', '--dry-run'], root)).stdout).toMatch(ANSI);
    const noColor = await runTty(['migrate', '--dry-run'], root, { NO_COLOR: '1' });
    expect(noColor.stdout).toContain('+    - buildctl-daemonless.sh build');
    expect(noColor.stdout).toMatch(/^FILE {2,}JOB {2,}STATUS/m);
    expect(noColor.stdout).not.toMatch(ANSI);
    expect((await runTty(['migrate', '--dry-run', '--no-color'], root)).stdout).not.toMatch(ANSI);
    expect((await runTty(['migrate', '--dry-run', '--color'], root, { NO_COLOR: '1' })).stdout).toMatch(ANSI);
  });

  test('not a terminal: no colour', async () => {
    expect((await runCli(['migrate', '--dry-run'], { cwd: kanikoRepo() })).stdout).not.toMatch(ANSI);
  });
});

describe('--dry-run text', () => {
  test('diff, then the summary table, then the findings', async () => {
    const r = await runCli(['migrate', '--dry-run'], {
      cwd: tempRepo({
        '.gitlab-ci.yml': KANIKO_JOB.replace('--destination', '--snapshot-mode=redo --destination'),
        Dockerfile: 'x',
      }),
    });
    const diff = r.stdout.indexOf('--- a/.gitlab-ci.yml');
    const table = r.stdout.search(/^FILE/m);
    const finding = r.stdout.search(/^\.gitlab-ci\.yml:6:\d+ {2}KB302 {2}info/m);
    expect([diff >= 0, table > diff, finding > table]).toEqual([true, true, true]);
    expect(r.stdout).toMatch(
      /^FILE {12}JOB {4}STATUS {9}ERROR {2}MANUAL {2}WARNING {2}INFO\n\.gitlab-ci\.yml {9}would migrate {6}0 {7}0 {8}0 {5}3\n {16}build {2}would migrate {6}0 {7}0 {8}0 {5}3\n/m,
    );
  });

  test('more than 20 files: the summary comes first, then the diffs', async () => {
    const files: Record<string, string> = { Dockerfile: 'x' };
    const includes = Array.from({ length: 21 }, (_, i) => `ci/part-${i}.yml`);
    for (const [i, path] of includes.entries()) files[path] = LINT_JOB.replace('lint', `lint-${i}`);
    files['.gitlab-ci.yml'] = `include:\n${includes.map((p) => `  - local: ${p}\n`).join('')}${KANIKO_JOB}`;
    const r = await runCli(['migrate', '--dry-run'], { cwd: tempRepo(files) });
    expect(r.stdout).toContain('22 file(s) read, 1 would change');
    expect(r.stdout.search(/^FILE/m)).toBeGreaterThanOrEqual(0);
    expect(r.stdout.search(/^FILE/m)).toBeLessThan(r.stdout.indexOf('--- a/.gitlab-ci.yml'));
    // and with 20 files or fewer, the diff comes first
    const small = await runCli(['migrate', '--dry-run'], { cwd: kanikoRepo() });
    expect(small.stdout.indexOf('--- a/.gitlab-ci.yml')).toBeLessThan(small.stdout.search(/^FILE/m));
  });

  test('--quiet prints nothing', async () => {
    const r = await runCli(['migrate', '--dry-run', '--quiet'], { cwd: kanikoRepo() });
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('--format and --output', () => {
  test('--output: the text report goes to the file, the dry-run diff still to stdout', async () => {
    const root = kanikoRepo();
    const r = await runCli(['migrate', '--dry-run', '--output', 'report.txt'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+    - buildctl-daemonless.sh build');
    expect(r.stdout).not.toMatch(/^FILE/m);
    const report = readFileSync(join(root, 'report.txt'), 'utf8');
    expect(report).toMatch(/^FILE/m);
    expect(report).not.toContain('buildctl-daemonless.sh');
    expect(report).not.toMatch(ANSI);
  });

  test.each([
    ['codequality', (s: string) => expect(Array.isArray(JSON.parse(s))).toBe(true)],
    ['markdown', (s: string) => expect(s).toMatch(/^## Kaniko → rootless BuildKit\n/)],
    ['json', (s: string) => expect(JSON.parse(s).summary).toEqual(expect.objectContaining({ migrated: 1 }))],
  ])('--format %s --output FILE: the report in the file, nothing on stdout', async (format, check) => {
    const root = kanikoRepo();
    const r = await runCli(['migrate', '--check', '--format', format, '--output', 'out/../report'], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    check(readFileSync(join(root, 'report'), 'utf8'));
  });

  test('--quiet still writes --output', async () => {
    const root = kanikoRepo();
    const r = await runCli(
      ['migrate', '--check', '--quiet', '--format', 'codequality', '--output', 'gl-code-quality-report.json'],
      { cwd: root },
    );
    expect(r).toEqual({ code: 1, stdout: '', stderr: '' });
    expect(existsSync(join(root, 'gl-code-quality-report.json'))).toBe(true);
    const dry = await runCli(['migrate', '--dry-run', '--quiet', '--output', 'report.txt'], { cwd: root });
    expect(dry).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(join(root, 'report.txt'), 'utf8')).toMatch(/^FILE/m);
  });

  test('an --output that cannot be written: exit 2 and a message', async () => {
    const r = await runCli(['migrate', '--check', '--output', 'no/such/dir/report.txt'], { cwd: kanikoRepo() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write the report to no\/such\/dir\/report\.txt/);
  });

  test('an unknown format is a usage error', async () => {
    const r = await runCli(['migrate', '--format', 'yaml'], { cwd: kanikoRepo() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are text, json, markdown, codequality/);
  });
});

describe('--check exit codes', () => {
  const check = async (files: Record<string, string>, ...flags: string[]) => {
    const root = tempRepo(files);
    const r = await runCli(['migrate', '--check', ...flags], { cwd: root });
    // --check never writes
    for (const [path, text] of Object.entries(files)) expect(readFileSync(join(root, path), 'utf8')).toBe(text);
    return r;
  };
  const ONLY_INFO = { '.gitlab-ci.yml': `include:\n  - remote: https://example.com/ci.yml\n${LINT_JOB}` };
  const MANUAL = { '.gitlab-ci.yml': KANIKO_JOB.replace('--destination', '$(cat extra.args) --destination') };
  const WARNING = { '.gitlab-ci.yml': `include:\n  - local: ci/missing.yml\n${LINT_JOB}` };

  test('nothing to do → 0', async () => {
    expect((await check({ '.gitlab-ci.yml': MIGRATED, Dockerfile: 'x' })).code).toBe(0);
    expect((await check({ '.gitlab-ci.yml': LINT_JOB })).code).toBe(0);
  });

  test('changes pending → 1', async () => {
    expect((await check({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'x' })).code).toBe(1);
  });

  test('only info findings → 0', async () => {
    const r = await check(ONLY_INFO);
    expect(r.stdout).toMatch(/KB103 {2}info/);
    expect(r.code).toBe(0);
  });

  test('a manual finding → 1; with --fail-on never → 0', async () => {
    const r = await check(MANUAL);
    expect(r.stdout).toMatch(/KB204 {2}manual/);
    expect(r.code).toBe(1);
    expect((await check(MANUAL, '--fail-on', 'never')).code).toBe(0);
  });

  test('a warning → 0 by default, 1 with --fail-on warning', async () => {
    const r = await check(WARNING);
    expect(r.stdout).toMatch(/KB102 {2}warning/);
    expect(r.code).toBe(0);
    expect((await check(WARNING, '--fail-on', 'warning')).code).toBe(1);
  });

  test('an error finding → 2, whatever --fail-on says', async () => {
    expect((await check({ '.gitlab-ci.yml': 'build: [a\n' }, '--fail-on', 'never')).code).toBe(2);
  });
});
