/**
 * The same-build comparison end to end, on hand-written "migrated" files (no migrator involved), so the harness
 * is known to pass good migrations and to fail bad ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareProject, topLevelEntryTexts, type FindingLike } from './same-build.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const input = (c: string) => path.join(FIXTURES, c, 'input');
const original = (c: string, f = '.gitlab-ci.yml') => fs.readFileSync(path.join(input(c), f), 'utf8');
const run = (c: string, yml: string, findings: FindingLike[] = []) =>
  compareProject({ inputRoot: input(c), outputFiles: { '.gitlab-ci.yml': yml }, findings, shell: 'sh' });

const BK_IMAGE = `  image:
    name: moby/buildkit:v0.32.2-rootless
    entrypoint: [""]`;
const AUTH = `    - mkdir -p ~/.docker
    - echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"username\\":\\"$CI_REGISTRY_USER\\",\\"password\\":\\"$CI_REGISTRY_PASSWORD\\"}}}" > ~/.docker/config.json`;

/** auth-none migrated by hand; `mutate` breaks one thing */
function authNone(mutate: (s: string) => string = (s) => s): string {
  return mutate(`# auth-none: migrated by hand
build:
  stage: build
${BK_IMAGE}
  variables:
    BUILDKITD_FLAGS: --oci-worker-no-process-sandbox
  before_script:
${AUTH}
  script:
    - buildctl-daemonless.sh build --frontend dockerfile.v0 --local context="$CI_PROJECT_DIR" --local dockerfile="$CI_PROJECT_DIR" --opt filename=Dockerfile --output type=image,name="$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA",push=true
`);
}

describe('compareProject', () => {
  test('a correct hand migration passes', async () => {
    const r = await run('auth-none', authNone());
    expect(r.problems).toEqual([]);
    expect(r.jobs.map((j) => [j.job, j.kind, j.pairs.length])).toEqual([['build', 'kaniko', 1]]);
  });

  test.each([
    [
      'no auth step (Kaniko had its built-in GitLab helper)',
      (s: string) => s.replace(/ {2}before_script:\n.*\n.*\n/, ''),
      /built-in GitLab helper/,
    ],
    [
      'wrong password variable',
      (s: string) => s.replace('$CI_REGISTRY_PASSWORD', '$CI_JOB_TOKEN_X'),
      /credentials for registry\.example\.com are not/,
    ],
    ['other tag', (s: string) => s.replace(':$CI_COMMIT_SHORT_SHA', ':latest'), /images: before/],
    ['push dropped', (s: string) => s.replace(',push=true', ''), /push: before true, after false/],
    ['BUILDKITD_FLAGS missing', (s: string) => s.replace(/ {2}variables:\n.*\n/, ''), /BUILDKITD_FLAGS is null/],
    ['entrypoint missing', (s: string) => s.replace('    entrypoint: [""]\n', ''), /entrypoint is null/],
    ['non-rootless image', (s: string) => s.replace('v0.32.2-rootless', 'v0.32.2'), /not moby\/buildkit:\*rootless/],
    [
      '--build-arg passed to buildctl',
      (s: string) => s.replace('--opt filename=Dockerfile', '--build-arg A=1'),
      /not understood in the buildctl call: --build-arg/,
    ],
    [
      'the call left out',
      (s: string) => s.replace(/ {4}- buildctl-daemonless\.sh.*\n/, '    - echo nothing\n'),
      /1 Kaniko call\(s\) before, 0 buildctl call\(s\) after/,
    ],
    [
      'still a /kaniko path',
      (s: string) => s.replace('mkdir -p ~/.docker', 'mkdir -p /kaniko/.docker'),
      /still refers to \/kaniko/,
    ],
  ])('detects: %s', async (_name, mutate, expected) => {
    const r = await run('auth-none', authNone(mutate));
    expect(r.problems.join('\n')).toMatch(expected);
  });

  test('the seed: passes with a U+3000 warning and the Kaniko-style cache repo', async () => {
    const yml = `# seed migrated by hand
build-image:
  stage: build
${BK_IMAGE}
  variables:
    BUILDKITD_FLAGS: --oci-worker-no-process-sandbox
  script:
    - mkdir -p ~/.docker
    - echo "{\\"auths\\":{\\"\${CI_REGISTRY}\\":{\\"auth\\":\\"$(printf "%s:%s" "\${CI_REGISTRY_USER}" "\${CI_REGISTRY_PASSWORD}" | base64 | tr -d '\\n')\\"}}}" > ~/.docker/config.json
    - >-
      buildctl-daemonless.sh build
      --frontend dockerfile.v0
      --local context=\${CI_PROJECT_DIR}
      --local dockerfile="\${CI_PROJECT_DIR}/dockerfiles"
      --opt filename=foo.dockerfile
      --opt build-arg:BAR=baz
      --import-cache type=registry,ref=\${CI_REGISTRY_IMAGE}/cache:buildkit
      --export-cache type=registry,ref=\${CI_REGISTRY_IMAGE}/cache:buildkit,mode=max,ignore-error=true
      --output type=image,\\"name=\${CI_REGISTRY_IMAGE}:\${CI_COMMIT_SHORT_SHA},\${CI_REGISTRY_IMAGE}:latest\\",push=true
`;
    const warning: FindingLike = {
      code: 'X',
      severity: 'warning',
      job: 'build-image',
      message: 'U+3000 after --build-arg',
    };
    const ok = await run('seed', yml, [warning]);
    expect(ok.problems).toEqual([]);
    expect(ok.jobs[0]!.pairs[0]!.lenient).toBe(true);
    // without a finding about it, the Unicode space is a problem
    const silent = await run('seed', yml);
    expect(silent.problems.join('\n')).toMatch(/Unicode spaces/);
  });

  test('the article BuildKit job as written: more-indented lines in `>-` keep their newlines, so buildctl gets only `build`', async () => {
    const article = original('already-migrated').replace('build-main-app:', 'build-image:');
    const r = await run('seed', article, [{ code: 'X', severity: 'warning', job: 'build-image', message: 'U+3000' }]);
    const text = r.problems.join('\n');
    expect(text).toMatch(/the migrated script exits 127/);
    expect(text).toMatch(/frontend is missing/);
  });

  test('a manual job must stay byte-identical', async () => {
    const same = await run('unmapped-flag', original('unmapped-flag'), [
      { code: 'M', severity: 'manual', job: 'build', message: 'registry mirror' },
    ]);
    expect(same.problems).toEqual([]);
    expect(same.jobs[0]!.kind).toBe('manual');
    const touched = await run(
      'unmapped-flag',
      original('unmapped-flag').replace('  stage: build\n', '  stage: build # touched\n'),
      [{ code: 'M', severity: 'manual', job: 'build', message: 'registry mirror' }],
    );
    expect(touched.problems).toEqual(['build: reported manual, but its text in .gitlab-ci.yml changed']);
  });

  test('an unmapped flag cannot be waved through: not reported manual, left as is → fails', async () => {
    const r = await run('unmapped-flag', original('unmapped-flag'));
    expect(r.problems.join('\n')).toMatch(/0 buildctl call/);
  });

  test('a shared template edited for the Kaniko job changes the ls job → detected', async () => {
    const yml = original('shared-template-non-kaniko')
      .replace('name: gcr.io/kaniko-project/executor:debug', 'name: moby/buildkit:rootless')
      .replace('  tags:\n', '  variables:\n    BUILDKITD_FLAGS: --oci-worker-no-process-sandbox\n  tags:\n')
      .replace(
        / {4}- \/kaniko\/executor .*\n/,
        '    - buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --output type=image,name=$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA,push=true\n',
      )
      .replace('  stage: build\n  script:', `  stage: build\n  before_script:\n${AUTH}\n  script:`);
    const r = await run('shared-template-non-kaniko', yml);
    expect(r.jobs.find((j) => j.job === 'build')!.problems).toEqual([]);
    expect(r.problems.join('\n')).toMatch(/^list-context: a job without a Kaniko call changed/);
  });
});

test('topLevelEntryTexts', () => {
  const t = 'spec:\n  inputs: {}\n---\na: 1 # c\nb:\n  x: [1, 2]\n\nc: 3\n';
  expect(topLevelEntryTexts(t, 'b')).toEqual(['b:\n  x: [1, 2]']);
  expect(topLevelEntryTexts(t, 'a')).toEqual(['a: 1 # c']);
});
