/**
 * A consumer's variable that feeds Kaniko flags into another project's template call, translated through the flag
 * table for the template's migrated call (src/project/feeds.ts): build args and a target become `--opt`s, and
 * `--cache=true` becomes the registry cache the template's own `--cache` would use (its first destination's repository
 * + `/cache`, as Kaniko derives it) — or adds nothing when the template's call already caches.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateSource, MemorySource, type IncludeResolver } from '../../src/index.js';
import { gitlabCiLocalVersion } from '../support/effective-jobs.js';
import { compareProject } from '../support/same-build.js';

const TEMPLATE = (extra = '') => `.kaniko-build:
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA"${extra} $KANIKO_EXTRA_ARGS
`;

function resolverOf(files: Record<string, string>): IncludeResolver {
  return {
    project: async (path, ref) =>
      path === 'group/t'
        ? { source: new MemorySource(new Map(Object.entries(files))), ref: ref ?? 'main' }
        : `no project ${path}`,
  };
}

async function consumer(value: string, template = TEMPLATE()) {
  const text = `include:\n  - project: group/t\n    file: kaniko.yml\nbuild:\n  extends: .kaniko-build\n  variables:\n    KANIKO_EXTRA_ARGS: "${value}"\n`;
  const result = await migrateSource(
    new MemorySource(new Map(Object.entries({ '.gitlab-ci.yml': text, Dockerfile: 'FROM alpine\n' }))),
    {
      resolver: resolverOf({ 'kaniko.yml': template }),
    },
  );
  const file = result.files[0]!;
  const line = file.output.split('\n').find((l) => l.includes('KANIKO_EXTRA_ARGS'))!;
  return { result, file, value: JSON.parse(line.slice(line.indexOf('"'))) as string };
}

describe('feeds into a template call', () => {
  test('--cache=true becomes the cache the template call derives from its destination', async () => {
    const { value, file } = await consumer('--cache=true --build-arg A=1');
    expect(value).toBe(
      '--opt build-arg:A=1 --import-cache type=registry,ref=$CI_REGISTRY_IMAGE/cache:buildkit --export-cache type=registry,ref=$CI_REGISTRY_IMAGE/cache:buildkit,mode=max,ignore-error=true',
    );
    expect(file.findings.map((f) => f.code)).toContain('KB603');
    // a second run leaves buildctl arguments as they are
    const again = await migrateSource(
      new MemorySource(new Map(Object.entries({ '.gitlab-ci.yml': file.output, Dockerfile: 'FROM alpine\n' }))),
      {
        resolver: resolverOf({ 'kaniko.yml': TEMPLATE() }),
      },
    );
    expect(again.files[0]!.changed).toBe(false);
  });

  test('--cache-repo and --no-push-cache as Kaniko reads them', async () => {
    expect((await consumer('--cache --cache-repo=registry.example.com/app/cache')).value).toBe(
      '--import-cache type=registry,ref=registry.example.com/app/cache:buildkit --export-cache type=registry,ref=registry.example.com/app/cache:buildkit,mode=max,ignore-error=true',
    );
    expect((await consumer('--cache=true --no-push-cache')).value).toBe(
      '--import-cache type=registry,ref=$CI_REGISTRY_IMAGE/cache:buildkit',
    );
    expect((await consumer('--cache=false --target runtime')).value).toBe('--opt target=runtime');
  });

  test('a template call that caches already: a bare --cache adds nothing, another cache repository is refused', async () => {
    const caching = TEMPLATE(' --cache=true');
    expect((await consumer('--cache=true --target t', caching)).value).toBe('--opt target=t');
    const refused = await consumer('--cache-repo=other/cache', caching);
    expect(refused.file.changed).toBe(false);
    expect(refused.file.findings).toContainEqual(
      expect.objectContaining({ code: 'KB604', message: expect.stringContaining('registry cache of its own') }),
    );
  });

  // GitLab reads `include: project` as that file's text: the harness reads the same text as a local include
  (gitlabCiLocalVersion() ? test : test.skip)(
    'the consumer builds what it built, with the same cache (stub executor vs stub buildctl)',
    async () => {
      const { file } = await consumer('--cache=true --build-arg A=1 --target runtime');
      const alone = await migrateSource(new MemorySource(new Map([['kaniko.yml', TEMPLATE()]])), {
        entry: 'kaniko.yml',
      });
      const local = (text: string) => text.replace('- project: group/t\n    file: kaniko.yml', '- local: kaniko.yml');
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-feeds-'));
      try {
        fs.writeFileSync(path.join(root, '.gitlab-ci.yml'), local(file.original));
        fs.writeFileSync(path.join(root, 'kaniko.yml'), TEMPLATE());
        fs.writeFileSync(path.join(root, 'Dockerfile'), 'FROM alpine\n');
        const r = await compareProject({
          inputRoot: root,
          outputFiles: { '.gitlab-ci.yml': local(file.output), 'kaniko.yml': alone.files[0]!.output },
          findings: [],
          shell: 'sh',
        });
        expect(r.problems).toEqual([]);
        const pair = r.jobs.find((j) => j.job === 'build')!.pairs[0]!;
        expect(pair.before.cacheImport).toHaveLength(1);
        expect(pair.after.cacheImport).toEqual(pair.before.cacheImport);
        expect(pair.after.cacheExport).toEqual(pair.before.cacheExport);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  );
});
