/**
 * Honest counts: a run that writes nothing (`--check`, `--dry-run`, a refused write) says what would change and
 * which jobs would migrate; a run that wrote keeps "changed" / "migrated"; a merge request's description says what
 * the merge request changes.
 */
import { Chalk } from 'chalk';
import { mergeRequestDescription } from '../../src/gitlab/run.js';
import type { ProjectAudit } from '../../src/gitlab/audit.js';
import { markdownReport } from '../../src/report/markdown.js';
import type { RunReport } from '../../src/report/model.js';
import { summaryRows } from '../../src/report/status.js';
import { textSummary } from '../../src/report/text.js';
import { memoryRepository } from '../../src/repository/source.js';
import { migrateRepository } from '../../src/repository/migrate.js';
import { KANIKO_JOB, kanikoRepo, runCli, tempRepo } from '../helpers.js';

const plain = new Chalk({ level: 0 });

describe('a run that writes nothing', () => {
  test.each([['--check'], ['--dry-run']])('%s --format markdown: would change, would migrate', async (mode) => {
    const r = await runCli(['migrate', mode, '--format', 'markdown', '.'], { cwd: kanikoRepo() });
    expect(r.stdout).toContain('**1** of 1 file(s) would change · Kaniko jobs: **1** would migrate, **0** left');
    expect(r.stdout).toContain('### What would change');
    expect(r.stdout).toContain('| `.gitlab-ci.yml` |  | would migrate |');
    expect(r.stdout).toContain('|  | `build` | would migrate |');
    expect(r.stdout).not.toMatch(/file\(s\) changed|\| migrated \||\*\* migrated/);
  });

  test.each([['--check'], ['--dry-run']])('%s text: the table and the totals', async (mode) => {
    const r = await runCli(['migrate', mode, '.'], { cwd: kanikoRepo() });
    expect(r.stdout).toMatch(/^\.gitlab-ci\.yml +would migrate +0/m);
    expect(r.stdout).toMatch(/^ +build +would migrate +0/m);
    expect(r.stdout).toContain('1 file(s) read, 1 would change; Kaniko jobs: 1 (1 would migrate, 0 left for a person)');
    expect(r.stdout).not.toMatch(/ migrated/);
  });
});

test('a run that wrote keeps its words: changed, migrated', async () => {
  const root = kanikoRepo();
  const md = await runCli(['migrate', '--format', 'markdown', '.'], { cwd: root });
  expect(md.code).toBe(0);
  expect(md.stdout).toContain('**1** of 1 file(s) changed · Kaniko jobs: **1** migrated, **0** left');
  expect(md.stdout).toContain('### What changed');
  expect(md.stdout).toContain('|  | `build` | migrated |');
  expect(md.stdout).not.toMatch(/would (change|migrate|partly)/);
  const again = tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });
  const text = await runCli(['migrate', '.'], { cwd: again });
  expect(text.stdout).toMatch(/^ +build +migrated +0/m);
  expect(text.stdout).toContain('1 file(s) read, 1 migrated; Kaniko jobs: 1 (1 migrated, 0 left for a person)');
});

test('a write that was refused: not written, would migrate', () => {
  const report: RunReport = {
    files: [{ path: '.gitlab-ci.yml', changed: true, written: false, findings: [], original: 'a', output: 'b' }],
    jobs: [{ name: 'build', file: '.gitlab-ci.yml', path: '.gitlab-ci.yml', status: 'migrated', calls: 1, flags: [] }],
    errors: [],
  };
  expect(summaryRows(report).map((r) => r.pending)).toEqual([true, true]);
  expect(textSummary(report, plain, 'write')).toContain(
    '1 file(s) read, 0 migrated, 1 not written; Kaniko jobs: 1 (1 would migrate, 0 left',
  );
  const written: RunReport = { ...report, files: [{ ...report.files[0]!, written: true }] };
  expect(summaryRows(written).map((r) => r.pending)).toEqual([false, false]);
  expect(markdownReport(written)).toContain('**1** of 1 file(s) changed · Kaniko jobs: **1** migrated');
  // two projects, one written: each says its own
  const two: RunReport = {
    files: [
      { ...report.files[0]!, project: 'a', written: true },
      { ...report.files[0]!, project: 'b' },
    ],
    jobs: [
      { ...report.jobs[0]!, project: 'a' },
      { ...report.jobs[0]!, project: 'b' },
    ],
    errors: [],
  };
  expect(summaryRows(two).map((r) => [r.job, r.pending])).toEqual([
    [null, false],
    ['build', false],
    [null, true],
    ['build', true],
  ]);
  expect(markdownReport(two)).toContain(
    '**1** of 2 file(s) changed, **1** would change (not written) · Kaniko jobs: **1** migrated, **1** would migrate',
  );
});

test("a merge request's description: what the merge request changes (committed to its branch)", async () => {
  const result = await migrateRepository(memoryRepository(new Map([['.gitlab-ci.yml', KANIKO_JOB]])));
  const audit: ProjectAudit = {
    project: { id: 1, path: 'app', path_with_namespace: 'g/app', web_url: 'https://gitlab.example.com/g/app' },
    status: 'migrated',
    result,
  };
  const md = mergeRequestDescription(audit);
  expect(md).toContain('**1** of 1 file(s) changed · Kaniko jobs: **1** migrated');
  expect(md).toContain('|  | `build` | migrated |');
  expect(md).not.toMatch(/would (change|migrate|partly)/);
});
