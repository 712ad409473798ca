/**
 * The dense pipeline of bench/generate.mjs (test/ does not import bench/): `n` jobs, every 4th a Kaniko build with
 * `--cache=true` that the migration rewrites, the others test jobs merging an anchor, about 145 bytes a job. At the
 * default 20,000 jobs (about 3 MB) it takes seconds to migrate: the tests of time limits and signals use that.
 */
export function slowPipeline(n = 20_000): string {
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
