/**
 * The findings of a `gitlab --format json` report: each project's record writes them as the JSON report does (`job`
 * a list of names, no position null), and `report merge` / `--only-failed` read them back to the same findings.
 */
import { finding } from '../../src/findings/finding.js';
import { mergeFindings } from '../../src/findings/merge.js';
import { MergeError, readReport } from '../../src/gitlab/merge.js';
import { combinedReport, gitlabJson, projectRecord, type RunInfo } from '../../src/gitlab/report.js';
import type { ProjectOutcome } from '../../src/gitlab/run.js';
import { allFindings } from '../../src/report/model.js';

const info: RunInfo = {
  url: 'https://gitlab.example.com',
  group: 'g',
  mode: 'dry-run',
  branch: 'kaniko2buildkit/migrate',
};

// a template's finding about two jobs, one of them named with a comma; a finding about the whole file
const findings = mergeFindings([
  finding('KB302', '--cache-copy-layers dropped', { file: 'ci/kaniko.yml', line: 4, column: 7, job: 'build, amd64' }),
  finding('KB302', '--cache-copy-layers dropped', { file: 'ci/kaniko.yml', line: 4, column: 7, job: 'test' }),
  finding('KB102', 'included file ci/missing.yml is not in the repository', { file: 'ci/kaniko.yml', line: 0 }),
]);
const outcome: ProjectOutcome = {
  id: 7,
  path: 'g/app',
  status: 'migrated',
  outcome: 'planned',
  result: {
    files: [{ path: 'ci/kaniko.yml', original: 'a: 1\n', output: 'a: 2\n', changed: true, findings, edits: [] }],
    jobs: [],
    failed: [],
  },
};

interface JsonBody {
  files: { findings: { job: string[]; line: number | null; column: number | null }[] }[];
  projects: { files: { findings: { path: string; job: string[]; line: number | null }[] }[] }[];
}

test('jobs as a list of names, no position as null, in the files and in the project records', () => {
  const text = gitlabJson(info, [projectRecord(outcome)]);
  const body = JSON.parse(text) as JsonBody;
  for (const list of [body.files[0]!.findings, body.projects[0]!.files[0]!.findings]) {
    expect(list.map((f) => f.job)).toEqual([['build, amd64', 'test'], []]);
    expect(list.map((f) => f.line)).toEqual([4, null]);
  }
  expect(body.files[0]!.findings[1]!.column).toBeNull();
  expect(body.projects[0]!.files[0]!.findings[0]!.path).toBe('g/app/ci/kaniko.yml');
});

test('read back (report merge), the records give the same findings as the run that wrote them', () => {
  const record = projectRecord(outcome);
  const read = readReport({ file: 'r.json', text: gitlabJson(info, [record]) });
  const again = allFindings(combinedReport(read.projects));
  expect(again).toEqual(allFindings(combinedReport([record])));
  expect(again[0]).toEqual(
    expect.objectContaining({ file: 'g/app/ci/kaniko.yml', job: 'build, amd64, test', jobs: ['build, amd64', 'test'] }),
  );
  expect(again[1]).toEqual(expect.objectContaining({ line: 0 }));
  expect(again[1]!.job).toBeUndefined();
});

test('a record whose findings hold a joined job string (an older report) is refused, with what to do', () => {
  const body = JSON.parse(gitlabJson(info, [projectRecord(outcome)])) as {
    projects: { files: { findings: Record<string, unknown>[] }[] }[];
  };
  body.projects[0]!.files[0]!.findings[0]!.job = 'build, amd64, test';
  expect(() => readReport({ file: 'old.json', text: JSON.stringify(body) })).toThrow(MergeError);
  expect(() => readReport({ file: 'old.json', text: JSON.stringify(body) })).toThrow(/older kaniko2buildkit/);
});
