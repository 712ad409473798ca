/** stdout carries the report, stderr the errors; --quiet hides the report, never an error. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KANIKO_JOB, runCli, tempRepo } from '../helpers.js';

const good = () => tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });
const invalid = () => tempRepo({ '.gitlab-ci.yml': 'build:\n  script: [a, b\n' });

describe('migrate: errors on stderr, the report on stdout', () => {
  test('a mistyped path: the error on stderr, nothing on stdout (no table row for it), exit 2', async () => {
    const r = await runCli(['migrate', '--dry-run', './typo'], { cwd: good() });
    expect(r).toEqual({ code: 2, stdout: '', stderr: './typo  KB106  error   no such file or folder\n' });
  });

  test('a mistyped path next to a good repository: its diff and summary on stdout, no row for the typo', async () => {
    const root = good();
    const r = await runCli(['migrate', '--dry-run', '.', './typo'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('+    - buildctl-daemonless.sh build');
    expect(r.stdout).not.toContain('typo');
    expect(r.stderr).toBe('./typo  KB106  error   no such file or folder\n');
  });

  test('invalid YAML: file:line:column on stderr; the table on stdout still counts it', async () => {
    const r = await runCli(['migrate', '--dry-run', '.'], { cwd: invalid() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\.gitlab-ci\.yml:\d+:\d+ {2}KB101 {2}error {3}invalid YAML: /);
    expect(r.stdout).not.toMatch(/KB101/);
    expect(r.stdout).toMatch(/^\.gitlab-ci\.yml +unchanged +1 +0 +0 +0$/m);
    expect(r.stdout).toContain('findings: 1 error,');
  });

  test.each([['-q'], ['--quiet']])('%s hides the report, never an error', async (quiet) => {
    const typo = await runCli(['migrate', quiet, './typo'], { cwd: good() });
    expect(typo).toEqual({ code: 2, stdout: '', stderr: './typo  KB106  error   no such file or folder\n' });
    const bad = await runCli(['migrate', quiet, '--check', '.'], { cwd: invalid() });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^\.gitlab-ci\.yml:\d+:\d+ {2}KB101 {2}error /);
    const ok = await runCli(['migrate', quiet, '--check', '.'], { cwd: good() });
    expect(ok).toEqual({ code: 1, stdout: '', stderr: '' });
  });

  test('--format json: stdout is the JSON report alone (errors in it too), the errors also on stderr', async () => {
    const root = good();
    const r = await runCli(['migrate', '--dry-run', '--format', 'json', '.', './typo'], { cwd: root });
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as { errors: { code: string; path: string }[] };
    expect(report.errors).toEqual([expect.objectContaining({ code: 'KB106', path: './typo' })]);
    expect(r.stderr).toBe('./typo  KB106  error   no such file or folder\n');
  });

  test('--output FILE: the errors on stderr, the file keeps every line', async () => {
    const root = invalid();
    const r = await runCli(['migrate', '--check', '--output', 'report.txt', '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/KB101 {2}error /);
    expect(readFileSync(join(root, 'report.txt'), 'utf8')).toMatch(/KB101 {2}error /);
  });
});
