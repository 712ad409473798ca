/** Helpers of the writer tests: walking a tree for files the tool leaves, and a generated pipeline. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_NAME, ourNameOf } from '../../src/repository/names.js';

/** Every file under `dir`, relative, folders walked (`.git` too). */
export function walk(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(dir, p) : [p];
  });
}

/** The files of the tool (temporary files, backups, journals, anything named k2b) under `dir`. */
export function leftovers(dir: string): string[] {
  return walk(dir).filter((p) => {
    const name = p.slice(p.lastIndexOf('/') + 1);
    return name === JOURNAL_NAME || ourNameOf(name) !== undefined || /k2b|kaniko2buildkit/.test(name);
  });
}

/**
 * The dense pipeline of bench/generate.mjs (`generateDensePipeline`): `n` jobs, every 4th a Kaniko build the migration
 * rewrites, about 145 bytes a job.
 */
export function densePipeline(n: number): string {
  const parts = ['stages: [test, build]\n.defaults: &defaults\n  retry: 1\n  tags: [docker]\n'];
  for (let i = 0; i < n; i++)
    parts.push(
      i % 4 === 0
        ? `build-${i}:\n  stage: build\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n` +
            `    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile Dockerfile --destination "$CI_REGISTRY_IMAGE/app-${i}:$CI_COMMIT_SHA" --cache=true\n`
        : `test-${i}:\n  <<: *defaults\n  stage: test\n  image: node:20-alpine\n  script:\n    - npm test -- --shard=${i}\n`,
    );
  return parts.join('');
}
