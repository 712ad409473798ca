/**
 * Generated repositories for the bulk tests and the bench: a mix of the cases a platform team meets, in a cycle of 10,
 * with the group summary they must give. Here, outside test/ and bench/, so that both import it and neither imports
 * the other.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GroupSummary } from '../src/bulk/outcome.js';

export const kanikoJob = (name: string, extra = '') => `${name}:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" --destination "$CI_REGISTRY_IMAGE/${name}:$CI_COMMIT_SHORT_SHA"${extra}
`;

/** A flag BuildKit has no equivalent for: the job is left for a person (KB311). */
export const UNMAPPED = ' --skip-default-registry-fallback';

export const buildkitJob = `build:
  stage: build
  image:
    name: moby/buildkit:rootless
    entrypoint: [""]
  variables:
    BUILDKITD_FLAGS: --oci-worker-no-process-sandbox
  script:
    - buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --output type=image,name=$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA,push=true
`;

export const plainJob = `test:
  stage: test
  image: node:20-alpine
  script:
    - npm ci
    - npm test
`;

export const INVALID_YAML = 'build:\n  image: x\n  script: [a, b\n';

export type Kind = 'kaniko' | 'include' | 'partial' | 'manual' | 'buildkit' | 'plain' | 'nested';

/** The cycle: 4 migrated (kaniko ×3, include), partial, manual, buildkit, plain ×2, nested (migrated). */
const CYCLE: Kind[] = [
  'kaniko',
  'kaniko',
  'kaniko',
  'include',
  'partial',
  'manual',
  'buildkit',
  'plain',
  'plain',
  'nested',
];

export function repoFiles(kind: Kind, i: number): Record<string, string> {
  const dockerfile = { Dockerfile: `FROM alpine:3.20\nRUN echo ${i}\n` };
  switch (kind) {
    case 'kaniko':
      return { '.gitlab-ci.yml': `# repo ${i}\n${plainJob}\n${kanikoJob('build')}`, ...dockerfile };
    case 'include':
      return {
        '.gitlab-ci.yml': `# repo ${i}\ninclude:\n  - local: ci/build.yml\n\n${plainJob}`,
        'ci/build.yml': kanikoJob('build'),
        ...dockerfile,
      };
    case 'partial':
      return { '.gitlab-ci.yml': `${kanikoJob('build-app')}\n${kanikoJob('build-docs', UNMAPPED)}`, ...dockerfile };
    case 'manual':
      return { '.gitlab-ci.yml': kanikoJob('build', UNMAPPED), ...dockerfile };
    case 'buildkit':
      return { '.gitlab-ci.yml': buildkitJob, ...dockerfile };
    case 'plain':
      return { '.gitlab-ci.yml': plainJob };
    case 'nested':
      // a repository with its git folder and pipeline files where no pipeline runs: none of them is a project
      return {
        '.gitlab-ci.yml': kanikoJob('build'),
        ...dockerfile,
        '.git/HEAD': 'ref: refs/heads/main\n',
        '.git/.gitlab-ci.yml': kanikoJob('in-git'),
        'node_modules/pkg/.gitlab-ci.yml': kanikoJob('in-node-modules'),
        'vendor/lib/.gitlab-ci.yml': kanikoJob('vendored'),
        'dist/.gitlab-ci.yml': kanikoJob('built'),
        'templates/example/.gitlab-ci.yml': kanikoJob('example'),
      };
  }
}

export interface Generated {
  root: string;
  /** Absolute repository folders, in index order. */
  repos: string[];
  expected: GroupSummary;
  /** Index of the repository with invalid YAML, and of the unreadable one, when asked for. */
  invalid?: number;
  unreadable?: number;
  /** How the unreadable file was made unreadable (running as root, file modes do not stop reads). */
  unreadableBy?: 'chmod 000' | 'a folder where the file should be';
}

export function writeRepo(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/**
 * `n` repositories under a new temp folder, in subfolders (`team-K/repo-I`). With `faults`, repository 0 has
 * invalid YAML and repository 3 (Kaniko in an include) an unreadable include.
 */
export function generateRepos(n: number, faults = false): Generated {
  const root = mkdtempSync(join(tmpdir(), 'k2b-bulk-'));
  const expected: GroupSummary = {
    scanned: n,
    withKaniko: 0,
    migrated: 0,
    partial: 0,
    manual: 0,
    failed: 0,
    unchanged: 0,
  };
  const repos: string[] = [];
  const out: Generated = { root, repos, expected };
  for (let i = 0; i < n; i++) {
    const kind = CYCLE[i % CYCLE.length]!;
    const dir = join(root, `team-${i % 7}`, `repo-${String(i).padStart(4, '0')}`);
    repos.push(dir);
    const files = repoFiles(kind, i);
    if (faults && i === 0) {
      writeRepo(dir, { ...files, '.gitlab-ci.yml': INVALID_YAML });
      out.invalid = i;
      expected.failed++;
      continue;
    }
    if (faults && i === 3) {
      const { 'ci/build.yml': included, ...rest } = files;
      writeRepo(dir, rest);
      if (process.getuid?.() === 0) {
        mkdirSync(join(dir, 'ci', 'build.yml'), { recursive: true });
        out.unreadableBy = 'a folder where the file should be';
      } else {
        writeRepo(dir, { 'ci/build.yml': included! });
        chmodSync(join(dir, 'ci', 'build.yml'), 0o000);
        out.unreadableBy = 'chmod 000';
      }
      out.unreadable = i;
      expected.failed++;
      continue;
    }
    writeRepo(dir, files);
    if (kind !== 'buildkit' && kind !== 'plain') expected.withKaniko++;
    const status = (
      {
        kaniko: 'migrated',
        include: 'migrated',
        nested: 'migrated',
        partial: 'partial',
        manual: 'manual',
        buildkit: 'unchanged',
        plain: 'unchanged',
      } as const
    )[kind];
    expected[status]++;
  }
  return out;
}
