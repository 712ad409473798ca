/**
 * One repository core, four front doors: the shared set of test/repository/doors-set.ts (YAML with includes, a
 * partial repository, Kaniko jobs in TypeScript generators, one already on BuildKit) through `migrate PATH...`,
 * `migrate --recursive`, `gitlab --apply` (against the stand-in GitLab of test/gitlab/server.ts) and the library's
 * `migrateProject` gives one answer: the same changed files with the same output text (read back from disk, or from
 * the merge request branch), the same finding codes per file and job, the same jobs. The answer they must all give is
 * made independently of src/repository/: the YAML engine (`migrateSource`) and the generator engine
 * (`migrateTypeScriptProject`) run on their own, and pinned to the fixtures' expected/ outputs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { migrateProject } from '../../src/index.js';
import { DiskSource } from '../../src/pipeline/fs-source.js';
import { migrateSource } from '../../src/project/pipeline.js';
import { migrateTypeScriptProject } from '../../src/project/generators.js';
import { gitlab } from '../gitlab/cli.js';
import { MockGitLab } from '../gitlab/server.js';
import { runCli } from '../helpers.js';
import { answer, DOORS_SET, splitReport, TS_FIXTURES, type DoorAnswer, type JsonReport } from './doors-set.js';

const TOKEN = 'glpat-d00rs-T0k3n-0123456789';
const GROUP = 'doors';
const BRANCH = 'kaniko2buildkit/migrate';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A folder holding one subfolder per repository of the set. */
function writeSet(): string {
  const group = mkdtempSync(join(tmpdir(), 'k2b-doors-'));
  made.push(group);
  for (const [name, files] of Object.entries(DOORS_SET))
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(group, name, path)), { recursive: true });
      writeFileSync(join(group, name, path), text);
    }
  return group;
}

let expected: DoorAnswer;

/** A CLI door's answer: every changed file written, read back from disk, with the report's findings and jobs. */
function writtenAnswer(group: string, report: JsonReport): DoorAnswer {
  expect(report.files.filter((f) => f.changed && !f.written)).toEqual([]);
  const byRepo = splitReport(report);
  const got: DoorAnswer = {};
  for (const name of Object.keys(DOORS_SET))
    got[name] = answer(byRepo[name]!, (p) => readFileSync(join(group, name, p), 'utf8'));
  return got;
}

beforeAll(async () => {
  const group = writeSet();
  expected = {};
  for (const name of Object.keys(DOORS_SET)) {
    const root = join(group, name);
    const yaml = await migrateSource(new DiskSource(root));
    const generators = await migrateTypeScriptProject(root);
    const files = [...yaml.files, ...generators.files];
    expected[name] = answer(
      { files, jobs: [...yaml.jobs, ...generators.jobs] },
      (p) => files.find((f) => f.path === p)!.output,
    );
  }
}, 60_000);

test('the expected answer is the fixtures’ own, and not a trivial one', () => {
  const pinned = (fixture: string, path: string) => readFileSync(join(TS_FIXTURES, fixture, 'expected', path), 'utf8');
  expect(expected['generator-objects']!.changed).toEqual({ 'ci/generate.ts': pinned('job-objects', 'ci/generate.ts') });
  expect(expected['generator-objects']!.findings['ci/generate.ts']).toEqual([
    'KB402 build-api',
    'KB402 build-worker',
    'KB411 build-api',
    'KB411 build-web',
    'KB411 build-worker',
  ]);
  expect(expected['generator-templates']!.changed['ci/generate.ts']).toBe(pinned('templates', 'ci/generate.ts'));
  expect(Object.keys(expected['generator-templates']!.changed).sort()).toEqual(['.gitlab-ci.yml', 'ci/generate.ts']);
  expect(Object.keys(expected['yaml-includes']!.changed)).toEqual(['ci/build.yml']);
  expect(expected.partial!.jobs).toEqual(['.gitlab-ci.yml build-app migrated', '.gitlab-ci.yml build-docs manual']);
  expect(expected['already-buildkit']).toEqual({ changed: {}, findings: { '.gitlab-ci.yml': [] }, jobs: [] });
});

test('the library: migrateProject on each repository', async () => {
  const group = writeSet();
  const got: DoorAnswer = {};
  for (const name of Object.keys(DOORS_SET)) {
    const result = await migrateProject({ root: join(group, name) });
    expect({ name, failed: result.failed }).toEqual({ name, failed: [] });
    got[name] = answer(result, (p) => result.files.find((f) => f.path === p)!.output);
  }
  expect(got).toEqual(expected);
});

test('the CLI: migrate PATH... writes the set, and reports it', async () => {
  const group = writeSet();
  const r = await runCli(['migrate', '--format', 'json', ...Object.keys(DOORS_SET)], { cwd: group });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  const report = JSON.parse(r.stdout);
  expect(writtenAnswer(group, report)).toEqual(expected);
});

test('migrate --recursive writes the set, and reports it', async () => {
  const group = writeSet();
  const r = await runCli(['migrate', '--recursive', '--format', 'json', '--no-progress', '.'], { cwd: group });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  const report = JSON.parse(r.stdout);
  expect(report.projects.map((p: { path: string }) => p.path).sort()).toEqual(Object.keys(DOORS_SET).sort());
  expect(writtenAnswer(group, report)).toEqual(expected);
});

test('gitlab --apply: the set read and committed through the API, generator sources included', async () => {
  const server = new MockGitLab(TOKEN);
  for (const [name, files] of Object.entries(DOORS_SET)) server.project(`${GROUP}/${name}`, files);
  const url = await server.start();
  try {
    const r = await gitlab(['--url', url, '--group', GROUP, '--apply', '--format', 'json'], {
      env: { GITLAB_TOKEN: TOKEN },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(r.stdout);
    const byRepo = splitReport(report, `${GROUP}/`);
    const got: DoorAnswer = {};
    for (const name of Object.keys(DOORS_SET)) {
      // the output text is what the merge request branch holds
      const branch = server.byPath(`${GROUP}/${name}`).branches.get(BRANCH);
      got[name] = answer(byRepo[name]!, (p) => branch?.files.get(p)?.content ?? `(not on ${BRANCH})`);
    }
    expect(got).toEqual(expected);
  } finally {
    await server.stop();
  }
}, 60_000);
