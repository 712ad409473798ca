/**
 * The Code Quality report against the fields GitLab documents for `artifacts:reports:codequality`
 * (docs.gitlab.com, "Code Quality" → "Code Quality report format"): a JSON array of objects with
 * `description`, `check_name`, `fingerprint`, `severity` (info, minor, major, critical, blocker),
 * `location.path` (relative to the repository root) and `location.lines.begin`.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Finding } from '../../src/findings/types.js';
import { codeQualityReport, fingerprint, withoutPositions } from '../../src/report/codequality.js';
import type { RunReport } from '../../src/report/model.js';
import { KANIKO_NO_PUSH_JOB, runCli, tempRepo } from '../helpers.js';

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

  test('fingerprint: sha256 of path, check, jobs, text and occurrence; never the line or column', () => {
    const key = { path: '.gitlab-ci.yml', check: 'KB204', jobs: ['build'], text: 'm' };
    expect(fingerprint(key, 1)).toBe(createHash('sha256').update('.gitlab-ci.yml\0KB204\0build\0m\x001').digest('hex'));
    for (const change of [{ path: 'b.yml' }, { check: 'KB205' }, { jobs: ['other'] }, { jobs: [] }, { text: 'n' }])
      expect(fingerprint({ ...key, ...change }, 1)).not.toBe(fingerprint(key, 1));
    expect(fingerprint(key, 2)).not.toBe(fingerprint(key, 1));
    // the same finding at another line or column: the same fingerprint
    const [a] = JSON.parse(codeQualityReport(reportOf([finding({ line: 3, column: 5 })]))) as { fingerprint: string }[];
    const [b] = JSON.parse(codeQualityReport(reportOf([finding({ line: 9, column: 1 })]))) as { fingerprint: string }[];
    expect(b!.fingerprint).toBe(a!.fingerprint);
    // line numbers in the text are not part of it either
    expect(withoutPositions('key "stage" is given twice, at lines 5 and 6: GitLab keeps the last (line 6)')).toBe(
      'key "stage" is given twice, at lines #: GitLab keeps the last (line #)',
    );
    expect(withoutPositions('a job class (ci/jobs.ts:12:3): use it')).toBe('a job class (ci/jobs.ts:#): use it');
  });

  test('identical findings of a file are told apart by their occurrence, in line order', () => {
    const issues = JSON.parse(
      codeQualityReport(reportOf([finding({ line: 8 }), finding({ line: 3 }), finding({ line: 3 })])),
    ) as { fingerprint: string; location: { lines: { begin: number } } }[];
    // the exact duplicate (the same place too) is one issue; the other two differ by occurrence
    expect(issues.map((i) => i.location.lines.begin)).toEqual([8, 3]);
    const key = { path: '.gitlab-ci.yml', check: 'KB204', jobs: ['build'], text: 'm' };
    expect(issues.map((i) => i.fingerprint)).toEqual([fingerprint(key, 2), fingerprint(key, 1)]);
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

interface Issue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number } };
}
const check = async (cwd: string, ...args: string[]) => {
  const r = await runCli(['migrate', '--check', '--format', 'codequality', ...args], { cwd });
  return { code: r.code, issues: JSON.parse(r.stdout) as Issue[] };
};

describe('what --check fails on', () => {
  test('each Kaniko job that would be migrated is an issue, and each other file that would change', async () => {
    const root = tempRepo({
      '.gitlab-ci.yml': `include: ci/kaniko.yml\n\n${KANIKO_NO_PUSH_JOB}\nother:\n  extends: .kaniko\n  script:\n    - /kaniko/executor --no-push\n`,
      'ci/kaniko.yml': '.kaniko:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n',
      Dockerfile: 'FROM scratch\n',
    });
    const { code, issues } = await check(root, '.');
    expect(code).toBe(1);
    expect(codeQualityProblems(issues)).toEqual([]);
    const pending = issues.filter((i) => i.check_name === 'pending-migration');
    expect(pending.map((i) => [i.description, i.severity, i.location.path, i.location.lines.begin])).toEqual([
      [
        'job build would be migrated to rootless BuildKit (`kaniko2buildkit migrate` writes it)',
        'major',
        '.gitlab-ci.yml',
        3,
      ],
      [
        'job other would be migrated to rootless BuildKit (`kaniko2buildkit migrate` writes it)',
        'major',
        '.gitlab-ci.yml',
        10,
      ],
      [
        'this file would change in the migration to rootless BuildKit (`kaniko2buildkit migrate` writes it)',
        'major',
        'ci/kaniko.yml',
        3,
      ],
    ]);
    // once written, nothing is pending: the check passes and the issues are gone
    expect((await runCli(['migrate', '.'], { cwd: root })).code).toBe(0);
    const after = await check(root, '.');
    expect(after.code).toBe(0);
    expect(after.issues.filter((i) => i.check_name === 'pending-migration')).toEqual([]);
  });

  test("a job's issue is at the line that defines it, whatever other keys start with its name", async () => {
    const web = KANIKO_NO_PUSH_JOB.replace('build:', 'build:web:');
    const root = tempRepo({
      '.gitlab-ci.yml': `${web}\n"build":\n${KANIKO_NO_PUSH_JOB.slice('build:\n'.length)}`,
      Dockerfile: '',
    });
    const { issues } = await check(root, '.');
    const pending = issues.filter((i) => i.check_name === 'pending-migration');
    expect(pending.map((i) => [i.description.split(' would')[0], i.location.lines.begin])).toEqual([
      ['job build:web', 1],
      ['job build', 8],
    ]);
  });

  test('a job with nothing to note is still an issue (the check exits 1 for it)', async () => {
    const { code, issues } = await check(
      tempRepo({ '.gitlab-ci.yml': KANIKO_NO_PUSH_JOB, Dockerfile: 'FROM scratch\n' }),
      '.',
    );
    expect(code).toBe(1);
    expect(issues.filter((i) => i.severity !== 'info').map((i) => i.check_name)).toEqual(['pending-migration']);
  });
});

describe('stable fingerprints', () => {
  test('a comment line added at the top of the file moves every issue one line and changes no fingerprint', async () => {
    const pipeline = `build:
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  stage: build
  stage: build
  script:
    - /kaniko/executor --context . --dockerfile Dockerfile --snapshot-mode=redo --no-push
    - /kaniko/executor --context . --dockerfile Dockerfile --snapshot-mode=redo --no-push
`;
    const before = await check(tempRepo({ '.gitlab-ci.yml': pipeline, Dockerfile: 'FROM scratch\n' }), '.');
    const after = await check(
      tempRepo({ '.gitlab-ci.yml': `# a comment\n${pipeline}`, Dockerfile: 'FROM scratch\n' }),
      '.',
    );
    // the file's findings: a key given twice (its text names lines), two identical KB302, the job pending
    expect(before.issues.map((i) => i.check_name).sort()).toEqual(
      ['KB110', 'KB302', 'KB302', 'KB402', 'KB411', 'pending-migration'].sort(),
    );
    expect(codeQualityProblems(before.issues)).toEqual([]);
    expect(after.issues.map((i) => i.fingerprint)).toEqual(before.issues.map((i) => i.fingerprint));
    const lines = (r: typeof before) => r.issues.map((i) => i.location.lines.begin);
    expect(lines(after)).toEqual(lines(before).map((n) => n + 1));
  });
});

describe('paths relative to the root of the git repository', () => {
  const pipelineRepo = () =>
    tempRepo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitlab-ci.yml': KANIKO_NO_PUSH_JOB,
      Dockerfile: 'FROM scratch\n',
      'sub/x': '',
    });

  test('started in a subfolder with the root as argument (cd sub && migrate ..): .gitlab-ci.yml, not an absolute path', async () => {
    const root = pipelineRepo();
    const { issues } = await check(join(root, 'sub'), '..');
    expect(issues.length).toBeGreaterThan(0);
    expect(new Set(issues.map((i) => i.location.path))).toEqual(new Set(['.gitlab-ci.yml']));
    // the same issues as from the root
    expect((await check(root, '.')).issues).toEqual(issues);
  });

  test('a pipeline in a folder of the repository: the path inside the repository', async () => {
    const root = tempRepo({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'services/api/.gitlab-ci.yml': KANIKO_NO_PUSH_JOB,
      'services/api/Dockerfile': 'FROM scratch\n',
    });
    const { issues } = await check(root, 'services/api');
    expect(new Set(issues.map((i) => i.location.path))).toEqual(new Set(['services/api/.gitlab-ci.yml']));
    const inside = await check(join(root, 'services', 'api'), '.');
    expect(inside.issues).toEqual(issues);
  });

  test('no git repository: relative to the folder given', async () => {
    const root = tempRepo({ '.gitlab-ci.yml': KANIKO_NO_PUSH_JOB, Dockerfile: 'FROM scratch\n', 'sub/x': '' });
    const { issues } = await check(join(root, 'sub'), '..');
    expect(new Set(issues.map((i) => i.location.path))).toEqual(new Set(['.gitlab-ci.yml']));
  });
});
