/**
 * The shared fixture set of test/repository/doors.test.ts: five repositories that every front door migrates (YAML
 * with includes, a partial one, two whose Kaniko jobs live in TypeScript generators from fixtures/typescript/, one
 * already on BuildKit), and what a door's answer is reduced to so that the doors can be compared: per repository the
 * changed files with their output text, the finding codes (with their job) of every file reported, and the jobs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildkitJob, kanikoJob, plainJob, UNMAPPED } from '../../workloads/repos.js';

export const TS_FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'fixtures', 'typescript');

/** Every file under `dir` (relative `/` paths). */
function filesOf(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, filesOf(dir, path));
    else out[path] = readFileSync(join(dir, path), 'utf8');
  }
  return out;
}

const DOCKERFILE = 'FROM alpine:3.20\n';
/** A parent pipeline that runs a generator and triggers what it wrote (no Kaniko in the YAML itself). */
const GENERATE = `generate:
  stage: build
  image: node:20-alpine
  script:
    - npx tsx ci/generate.ts > child.yml
  artifacts:
    paths: [child.yml]
run:
  stage: test
  trigger:
    include:
      - artifact: child.yml
        job: generate
`;

/** Repository name → its files. */
export const DOORS_SET: Record<string, Record<string, string>> = {
  'yaml-includes': {
    '.gitlab-ci.yml': `include:\n  - local: ci/build.yml\n\n${plainJob}`,
    'ci/build.yml': kanikoJob('build-image'),
    Dockerfile: DOCKERFILE,
  },
  partial: {
    '.gitlab-ci.yml': `${kanikoJob('build-app')}\n${kanikoJob('build-docs', UNMAPPED)}`,
    Dockerfile: DOCKERFILE,
  },
  // job objects in a generator; the YAML has no Kaniko job
  'generator-objects': { ...filesOf(join(TS_FIXTURES, 'job-objects', 'input')), '.gitlab-ci.yml': GENERATE },
  // templates and a job left for a person in generators, next to a Kaniko job in the YAML
  'generator-templates': {
    ...filesOf(join(TS_FIXTURES, 'templates', 'input')),
    // no Dockerfile at the root: the generator's plan reads which Dockerfiles exist (fixtures/typescript/templates)
    '.gitlab-ci.yml': `${GENERATE}\n${kanikoJob('build-tools')}`,
  },
  'already-buildkit': { '.gitlab-ci.yml': buildkitJob },
};

export interface RepositoryAnswer {
  /** Changed file → its output text. */
  changed: Record<string, string>;
  /** Every file reported → its finding codes, each with its job (`KB402 build-api`), sorted. */
  findings: Record<string, string[]>;
  /** `file job status`, sorted. */
  jobs: string[];
}

/** Repository name → its answer. */
export type DoorAnswer = Record<string, RepositoryAnswer>;

/** A report's files and jobs (JSON report or library result), paths already repository-relative. */
export interface Reported {
  files: { path: string; changed: boolean; findings: { code: string; job?: string | null }[] }[];
  jobs: { file: string; name: string; status: string }[];
}

/** Reduces one repository's report; `output` gives a changed file's output text (read back where the door wrote it). */
export function answer(reported: Reported, output: (path: string) => string): RepositoryAnswer {
  const changed: Record<string, string> = {};
  const findings: Record<string, string[]> = {};
  for (const f of [...reported.files].sort((a, b) => a.path.localeCompare(b.path))) {
    if (f.changed) changed[f.path] = output(f.path);
    findings[f.path] = f.findings.map((x) => (x.job ? `${x.code} ${x.job}` : x.code)).sort();
  }
  const jobs = reported.jobs.map((j) => `${j.file} ${j.name} ${j.status}`).sort();
  return { changed, findings, jobs };
}

export interface JsonReport {
  files: { path: string; changed: boolean; written?: boolean; findings: { code: string; job: string[] }[] }[];
  jobs: { path: string; name: string; status: string }[];
}

/**
 * Splits a JSON report (`migrate`, `--recursive` or `gitlab`) whose paths are `<prefix><repository>/<path>` into one
 * Reported per repository of the set.
 */
export function splitReport(report: JsonReport, prefix = ''): Record<string, Reported> {
  const out: Record<string, Reported> = Object.fromEntries(
    Object.keys(DOORS_SET).map((name) => [name, { files: [], jobs: [] } as Reported]),
  );
  const split = (shown: string): [string, string] => {
    const rest = shown.slice(prefix.length);
    const cut = rest.indexOf('/');
    return [rest.slice(0, cut), rest.slice(cut + 1)];
  };
  for (const f of report.files) {
    const [repo, path] = split(f.path);
    // the JSON report names a finding's jobs as a list; the library, as one display string
    out[repo]!.files.push({ ...f, path, findings: f.findings.map((x) => ({ ...x, job: x.job.join(', ') })) });
  }
  for (const j of report.jobs) {
    const [repo, file] = split(j.path);
    out[repo]!.jobs.push({ ...j, file });
  }
  return out;
}
