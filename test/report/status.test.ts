/** The summary rows: per-file status (migrated, partial, manual, unchanged) and per-job counts. */
import type { Finding } from '../../src/findings/types.js';
import type { ReportFile, ReportJob, RunReport } from '../../src/report/model.js';
import { fileStatus, summaryRows } from '../../src/report/status.js';

const job = (name: string, status: ReportJob['status'], over: Partial<ReportJob> = {}): ReportJob => ({
  name,
  status,
  file: 'a.yml',
  path: 'a.yml',
  calls: 1,
  flags: [],
  ...over,
});
const finding = (over: Partial<Finding>): Finding => ({
  code: 'KB204',
  severity: 'manual',
  file: 'a.yml',
  line: 1,
  message: 'm',
  ...over,
});
const file = (over: Partial<ReportFile>): ReportFile => ({
  path: 'a.yml',
  changed: false,
  written: false,
  findings: [],
  original: '',
  output: '',
  ...over,
});

test.each([
  ['migrated', true, ['migrated'], []],
  ['partial', true, ['migrated', 'manual'], []],
  ['partial', true, [], ['manual']],
  ['manual', false, ['manual', 'unchanged'], []],
  ['manual', false, [], ['manual']],
  ['unchanged', false, ['unchanged'], ['warning', 'info', 'error']],
  ['migrated', false, ['migrated'], []],
] as const)('fileStatus → %s (changed %s, jobs %j, findings %j)', (want, changed, jobs, severities) => {
  expect(
    fileStatus(
      changed,
      jobs.map((s) => ({ status: s })),
      severities.map((severity) => finding({ severity })),
    ),
  ).toBe(want);
});

test('rows: a file row, then its jobs; job counts follow the job into other files of its project only', () => {
  const report: RunReport = {
    files: [
      file({ changed: true, project: 'p', findings: [finding({ job: 'build', severity: 'info' })] }),
      file({
        path: 't.yml',
        project: 'p',
        changed: true,
        findings: [finding({ file: 't.yml', job: 'build, test', jobs: ['build', 'test'], severity: 'warning' })],
      }),
      file({ path: 'quiet.yml', project: 'p' }),
      file({ path: 'b.yml', project: 'q', findings: [finding({ file: 'b.yml', job: 'build' })] }),
    ],
    jobs: [
      job('build', 'migrated', { project: 'p' }),
      job('build', 'manual', { path: 'b.yml', file: 'b.yml', project: 'q' }),
    ],
    errors: [finding({ code: 'KB101', severity: 'error', file: 'bad.yml' })],
  };
  expect(summaryRows(report)).toEqual([
    {
      file: 'a.yml',
      job: null,
      status: 'migrated',
      pending: true,
      findings: { error: 0, manual: 0, warning: 0, info: 1 },
    },
    {
      file: 'a.yml',
      job: 'build',
      status: 'migrated',
      pending: true,
      findings: { error: 0, manual: 0, warning: 1, info: 1 },
    },
    {
      file: 't.yml',
      job: null,
      status: 'migrated',
      pending: true,
      findings: { error: 0, manual: 0, warning: 1, info: 0 },
    },
    {
      file: 'b.yml',
      job: null,
      status: 'manual',
      pending: false,
      findings: { error: 0, manual: 1, warning: 0, info: 0 },
    },
    {
      file: 'b.yml',
      job: 'build',
      status: 'manual',
      pending: false,
      findings: { error: 0, manual: 1, warning: 0, info: 0 },
    },
    {
      file: 'bad.yml',
      job: null,
      status: 'unchanged',
      pending: false,
      findings: { error: 1, manual: 0, warning: 0, info: 0 },
    },
  ]);
});

test('a job whose name holds a comma is one job: its findings are not counted for the names around the comma', () => {
  const report: RunReport = {
    files: [file({ changed: true, findings: [finding({ job: 'build, amd64', severity: 'warning' })] })],
    jobs: [job('build, amd64', 'migrated'), job('build', 'migrated'), job('amd64', 'migrated')],
    errors: [],
  };
  const counts = summaryRows(report)
    .filter((r) => r.job !== null)
    .map((r) => [r.job, r.findings.warning]);
  expect(counts).toEqual([
    ['build, amd64', 1],
    ['build', 0],
    ['amd64', 0],
  ]);
});
