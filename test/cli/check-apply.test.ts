/** `--check` ends its text report with the command that applies the change, as prettier does. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellWord } from '../../src/cli/migrate.js';
import { KANIKO_JOB, kanikoRepo, runCli, tempRepo } from '../helpers.js';

const lastLine = (s: string) => s.trimEnd().split('\n').pop();

describe('migrate --check: the closing line', () => {
  test('the same paths, and running that command applies the change', async () => {
    const root = kanikoRepo();
    const check = await runCli(['migrate', '--check', '.'], { cwd: root });
    expect(check.code).toBe(1);
    expect(lastLine(check.stdout)).toBe('Run `kaniko2buildkit migrate .` to apply.');
    const [, command] = /`kaniko2buildkit (.*)`/.exec(check.stdout)!;
    expect((await runCli(command!.split(' '), { cwd: root })).code).toBe(0);
    const again = await runCli(['migrate', '--check', '.'], { cwd: root });
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('to apply');
  });

  test('no path given: none in the command either', async () => {
    const r = await runCli(['migrate', '--check'], { cwd: kanikoRepo() });
    expect(lastLine(r.stdout)).toBe('Run `kaniko2buildkit migrate` to apply.');
  });

  test('the options that change the migration come along, quoted for the shell; the report options do not', async () => {
    const root = tempRepo({ 'ci dir/.gitlab-ci.yml': KANIKO_JOB, 'ci dir/Dockerfile': 'FROM scratch\n' });
    const r = await runCli(
      [
        'migrate',
        '--check',
        '--fail-on',
        'never',
        '--sources',
        'ci/**/*.ts',
        '--buildkit-image',
        'moby/buildkit:v0.32.2-rootless',
        'ci dir',
      ],
      { cwd: root },
    );
    expect(lastLine(r.stdout)).toBe(
      "Run `kaniko2buildkit migrate --sources 'ci/**/*.ts' --buildkit-image moby/buildkit:v0.32.2-rootless 'ci dir'` to apply.",
    );
    const none = await runCli(['migrate', '--check', '--no-sources', '.'], { cwd: kanikoRepo() });
    expect(lastLine(none.stdout)).toBe('Run `kaniko2buildkit migrate --no-sources .` to apply.');
  });

  test('--output FILE: the line ends the text report in the file; JSON and the other formats have none', async () => {
    const root = kanikoRepo();
    await runCli(['migrate', '--check', '--output', 'report.txt', '.'], { cwd: root });
    expect(lastLine(readFileSync(join(root, 'report.txt'), 'utf8'))).toBe('Run `kaniko2buildkit migrate .` to apply.');
    for (const format of ['json', 'markdown', 'codequality'])
      expect((await runCli(['migrate', '--check', '--format', format, '.'], { cwd: root })).stdout).not.toContain(
        'to apply',
      );
  });

  test('--dry-run and a write have none', async () => {
    expect((await runCli(['migrate', '--dry-run', '.'], { cwd: kanikoRepo() })).stdout).not.toContain('to apply');
    expect((await runCli(['migrate', '.'], { cwd: kanikoRepo() })).stdout).not.toContain('to apply');
  });

  test('--recursive: the same folder, with --recursive', async () => {
    const root = tempRepo({ 'a/.gitlab-ci.yml': KANIKO_JOB, 'a/Dockerfile': 'FROM scratch\n' });
    const r = await runCli(['migrate', '--recursive', '--check', '--no-progress', '.'], { cwd: root });
    expect(r.code).toBe(1);
    expect(lastLine(r.stdout)).toBe('Run `kaniko2buildkit migrate --recursive .` to apply.');
  });

  test.each([
    ['plain', 'plain'],
    ['ci/**/*.ts', "'ci/**/*.ts'"],
    ["it's", "'it'\\''s'"],
    ['a b', "'a b'"],
  ])('shellWord(%j) = %s', (word, quoted) => {
    expect(shellWord(word)).toBe(quoted);
  });
});
