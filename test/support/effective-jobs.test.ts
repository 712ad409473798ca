import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isKanikoJob, isRootlessBuildkitImage, readEffectivePipeline, scriptHasKanikoCall } from './effective-jobs.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const read = (c: string) => readEffectivePipeline(path.join(FIXTURES, c, 'input'));
const KANIKO_IMAGE = { name: 'gcr.io/kaniko-project/executor:debug', entrypoint: [''] };

describe('effective jobs through gitlab-ci-local --preview', () => {
  test('anchors and merge keys', async () => {
    const p = await read('anchors');
    expect(Object.keys(p.jobs).sort()).toEqual(['build-api', 'build-web', 'test']);
    expect(p.jobs['build-api']!.image).toEqual({
      name: 'gcr.io/kaniko-project/executor:v1.23.2-debug',
      entrypoint: [''],
    });
    expect(p.jobs['build-web']!.variables).toEqual({ COMPONENT: { value: 'web', expand: true } });
    expect(isKanikoJob(p.jobs['build-web']!)).toBe(true);
    expect(isKanikoJob(p.jobs.test!)).toBe(false);
  });

  test('extends: multi-level, arrays, across an included file', async () => {
    const p = await read('extends');
    expect(p.jobs.build!.image).toEqual(KANIKO_IMAGE);
    expect(p.jobs['build-release']!.variables).toEqual({
      IMAGE_NAME: { value: '${CI_REGISTRY_IMAGE}/release', expand: true },
      DOCKERFILE: { value: 'Dockerfile', expand: true },
      IMAGE_TAG: { value: '${CI_COMMIT_REF_SLUG}', expand: true },
    });
    expect(p.jobs.build!.raw.rules).toHaveLength(2);
    expect(p.jobs.build!.script.join('\n')).toMatch(/^\/kaniko\/executor --context/);
  });

  test('!reference, flattened', async () => {
    const p = await read('reference');
    expect(p.jobs.build!.image).toEqual(KANIKO_IMAGE);
    expect(p.jobs.build!.before_script).toHaveLength(2);
    expect(p.jobs.build!.script).toEqual([
      'echo "building ${CI_COMMIT_SHORT_SHA}"',
      expect.stringMatching(/^\/kaniko\/executor /),
    ]);
  });

  test('nested include: local, global variables from an included file', async () => {
    const p = await read('include-local');
    expect(Object.keys(p.jobs).sort()).toEqual(['build-app', 'lint']);
    expect(p.variables).toEqual({ IMAGE: { value: '${CI_REGISTRY_IMAGE}/app', expand: true } });
  });

  test('component header and $[[ inputs ]]', async () => {
    const p = await read('component');
    expect(p.jobs['kaniko-build']!.image).toEqual({
      name: 'gcr.io/kaniko-project/executor:v1.23.2-debug',
      entrypoint: [''],
    });
    expect(p.jobs['kaniko-build']!.script[0]).toContain('--destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA}"');
  });

  test('default: image', async () => {
    const p = await read('default');
    expect(p.jobs.build!.image).toEqual(KANIKO_IMAGE);
    expect(p.jobs['unit-tests']!.image).toEqual({ name: 'python:3.12-slim', entrypoint: null });
  });

  test('CRLF and BOM', async () => {
    const p = await read('crlf-bom');
    expect(p.jobs.build!.script).toEqual([
      '/kaniko/executor --context "${CI_PROJECT_DIR}" --dockerfile "${CI_PROJECT_DIR}/Dockerfile" --destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA}"',
    ]);
  });

  test('an overlay replaces a file', async () => {
    const p = await readEffectivePipeline(path.join(FIXTURES, 'auth-none', 'input'), {
      overlay: { '.gitlab-ci.yml': 'other:\n  script: [ls]\n' },
    });
    expect(Object.keys(p.jobs)).toEqual(['other']);
  });

  test('an invalid pipeline is an error, not an empty pipeline', async () => {
    await expect(
      readEffectivePipeline(path.join(FIXTURES, 'auth-none', 'input'), {
        overlay: { '.gitlab-ci.yml': 'job:\n  script: [ls\n' },
        noCache: true,
      }),
    ).rejects.toThrow(/gitlab-ci-local --preview failed/);
  });
});

describe('Kaniko call detection', () => {
  test.each([
    ['/kaniko/executor --no-push', true],
    ['echo hi\n  /kaniko/executor \\\n --no-push', true],
    ['executor --context .', true],
    ['set -x; executor -d x', true],
    ['if true; then exec /kaniko/executor; fi', true],
    ['echo "the executor is done"', false],
    ['docker build .', false],
    ['buildctl-daemonless.sh build', false],
    ['ls /kaniko-project/executor-x', false],
  ])('%j → %s', (line, expected) => {
    expect(scriptHasKanikoCall([line])).toBe(expected);
  });
});

test.each([
  ['moby/buildkit:rootless', true],
  ['moby/buildkit:v0.32.2-rootless', true],
  ['docker.io/moby/buildkit:master-rootless', true],
  ['moby/buildkit:latest', false],
  ['moby/buildkit:v0.32.2', false],
  ['gcr.io/kaniko-project/executor:debug', false],
])('isRootlessBuildkitImage(%j) = %s', (name, expected) => {
  expect(isRootlessBuildkitImage(name)).toBe(expected);
});
