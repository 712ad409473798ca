/**
 * The Code Quality report against the fields GitLab documents for `artifacts:reports:codequality`
 * (docs.gitlab.com, "Code Quality" → "Code Quality report format"): a JSON array of objects with
 * `description`, `check_name`, `fingerprint`, `severity` (info, minor, major, critical, blocker),
 * `location.path` (relative to the repository root) and `location.lines.begin`.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Finding } from '../../src/findings/types.js';
import { codeQualityReport, fingerprint } from '../../src/report/codequality.js';
import type { RunReport } from '../../src/report/model.js';
import { runCli } from '../helpers.js';

const GITLAB_SEVERITIES = ['info', 'minor', 'major', 'critical', 'blocker'];

/** A small schema check: every problem found, as `[index].field: what is wrong`. */
function codeQualityProblems(value: unknown): string[] {
  if (!Array.isArray(value)) return ['report: not a JSON array'];
  const problems: string[] = [];
  const prints = new Set<string>();
  value.forEach((issue: unknown, i) => {
    const at = (field: string, what: string) => problems.push(`[${i}].${field}: ${what}`);
    if (typeof issue !== 'object' || issue === null || Array.isArray(issue)) return void at('', 'not an object');
    const o = issue as Record<string, unknown>;
    for (const field of ['description', 'check_name', 'fingerprint'])
      if (typeof o[field] !== 'string' || !(o[field] as string).length) at(field, 'not a non-empty string');
    if (typeof o.fingerprint === 'string') {
      if (prints.has(o.fingerprint)) at('fingerprint', 'not unique');
      prints.add(o.fingerprint);
    }
    if (!GITLAB_SEVERITIES.includes(o.severity as string)) at('severity', `not one of ${GITLAB_SEVERITIES.join(', ')}`);
    const loc = o.location as Record<string, unknown> | undefined;
    if (typeof loc !== 'object' || loc === null) return void at('location', 'missing');
    if (typeof loc.path !== 'string' || !loc.path.length) at('location.path', 'not a non-empty string');
    else if (loc.path.startsWith('/') || loc.path.startsWith('./') || loc.path.includes('\\'))
      at('location.path', 'not relative to the repository root');
    const lines = loc.lines as Record<string, unknown> | undefined;
    if (typeof lines !== 'object' || lines === null) return void at('location.lines', 'missing');
    if (!Number.isInteger(lines.begin) || (lines.begin as number) < 1)
      at('location.lines.begin', 'not a line number (integer ≥ 1)');
  });
  return problems;
}

const finding = (over: Partial<Finding>): Finding => ({
  code: 'KB204',
  severity: 'manual',
  file: '.gitlab-ci.yml',
  line: 3,
  column: 5,
  job: 'build',
  message: 'm',
  ...over,
});
const reportOf = (findings: Finding[], errors: Finding[] = []): RunReport => ({
  files: [{ path: '.gitlab-ci.yml', changed: false, written: false, findings, original: '', output: '' }],
  jobs: [],
  errors,
});

describe('the schema check itself', () => {
  test('finds what GitLab would reject', () => {
    expect(codeQualityProblems({})).toEqual(['report: not a JSON array']);
    const good = {
      description: 'd',
      check_name: 'KB1',
      fingerprint: 'f',
      severity: 'major',
      location: { path: 'a.yml', lines: { begin: 1 } },
    };
    expect(codeQualityProblems([good])).toEqual([]);
    expect(codeQualityProblems([{ ...good, severity: 'warning' }])).toEqual([
      '[0].severity: not one of info, minor, major, critical, blocker',
    ]);
    expect(codeQualityProblems([{ ...good, location: { path: './a.yml', lines: { begin: 0 } } }])).toEqual([
      '[0].location.path: not relative to the repository root',
      '[0].location.lines.begin: not a line number (integer ≥ 1)',
    ]);
    expect(codeQualityProblems([good, good])).toEqual(['[1].fingerprint: not unique']);
    const { check_name: _, ...noName } = good;
    expect(codeQualityProblems([noName])).toEqual(['[0].check_name: not a non-empty string']);
  });
});

describe('codeQualityReport', () => {
  test('the report of the fixture passes the schema check, with every GitLab severity this tool maps to', async () => {
    const r = await runCli(['migrate', '--check', '--format', 'codequality', '.'], {
      cwd: join(process.cwd(), 'fixtures', 'report', 'repo'),
    });
    const issues = JSON.parse(r.stdout) as { severity: string; check_name: string }[];
    expect(codeQualityProblems(issues)).toEqual([]);
    expect(new Set(issues.map((i) => i.severity))).toEqual(new Set(['info', 'minor', 'major', 'critical']));
  });

  test('maps severities info→info, warning→minor, manual→major, error→critical', () => {
    const issues = JSON.parse(
      codeQualityReport(
        reportOf(
          [
            finding({ severity: 'info', message: 'a' }),
            finding({ severity: 'warning', message: 'b' }),
            finding({ severity: 'manual', message: 'c' }),
          ],
          [finding({ severity: 'error', message: 'd' })],
        ),
      ),
    ) as { severity: string }[];
    expect(issues.map((i) => i.severity)).toEqual(['info', 'minor', 'major', 'critical']);
  });

  test('line 0 becomes line 1; ./ and backslashes leave the path', () => {
    const [issue] = JSON.parse(
      codeQualityReport(reportOf([finding({ line: 0, column: undefined, file: '.\\ci\\build.yml' })])),
    ) as { location: unknown }[];
    expect(issue!.location).toEqual({ path: 'ci/build.yml', lines: { begin: 1 } });
  });

  test('fingerprint: sha256 of code, path, line and message; stable, and different when any of them differs', () => {
    const f = finding({});
    expect(fingerprint(f)).toBe(createHash('sha256').update('KB204\0.gitlab-ci.yml\x003\0m').digest('hex'));
    const otherJobAndColumn: Finding = { ...f, job: 'other', column: 9 };
    expect(fingerprint(otherJobAndColumn)).toBe(fingerprint(f));
    for (const change of [{ code: 'KB205' as const }, { file: 'b.yml' }, { line: 4 }, { message: 'n' }])
      expect(fingerprint({ ...f, ...change })).not.toBe(fingerprint(f));
  });

  test('names the job in the description; nothing to report is an empty array', () => {
    const [issue] = JSON.parse(codeQualityReport(reportOf([finding({})]))) as {
      description: string;
      check_name: string;
    }[];
    expect(issue).toEqual(expect.objectContaining({ description: 'm (job build)', check_name: 'KB204' }));
    expect(codeQualityReport(reportOf([]))).toBe('[]\n');
  });
});
