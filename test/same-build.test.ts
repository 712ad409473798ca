/**
 * "The migrated job builds the same thing as the original", for every fixture in fixtures/<case>/input.
 *
 * migrateProject's output (the same text fixtures.test.ts pins in expected/) is read back with gitlab-ci-local; for
 * each job with a Kaniko call, the original script runs with a stub /kaniko/executor and the migrated one with a stub
 * buildctl-daemonless.sh (test/support/stub-run.ts); the calls must pair up and describe the same build
 * (test/support/build-description.ts), with the same registry credentials and the rootless BuildKit job shape.
 * Jobs reported `manual` must be byte-identical; jobs without a Kaniko call must not change at all. A case run in
 * transition (fixtures/<case>/options.json) keeps its Kaniko jobs byte-identical, and each twin must build what its
 * Kaniko job builds, pushed to the verification tag; after a cut-over the twins are gone and the jobs migrated.
 * See test/support/same-build.ts. Runs with dash always, and with busybox sh when it is installed.
 */
import path from 'node:path';
import { migrateProject } from '../src/index.js';
import type { DiffOptions } from './support/build-description.js';
import { FIXTURES, fixtureCases, fixtureOptions } from './support/fixtures.js';
import { compareProject } from './support/same-build.js';
import { findBusybox } from './support/stub-run.js';

/**
 * Cache location: by default the BuildKit cache must live in the repository Kaniko used (`--cache-repo`, or the
 * inferred `<first destination repo>/cache`). Set inferredCacheMayUseImageRepo to also accept the GitLab-docs
 * convention `ref=$CI_REGISTRY_IMAGE:cache` for an inferred cache repo.
 */
const DIFF_OPTIONS: DiffOptions = { inferredCacheMayUseImageRepo: false };

const busybox = findBusybox();
if (!busybox)
  console.warn(
    'same-build: busybox is not installed, so the busybox sh runs are SKIPPED; only dash runs (apt-get install busybox to add them)',
  );
const shells: ('sh' | 'busybox')[] = busybox ? ['sh', 'busybox'] : ['sh'];

describe.each(fixtureCases())('fixture %s', (name) => {
  const inputRoot = path.join(FIXTURES, name, 'input');
  let result: Awaited<ReturnType<typeof migrateProject>>;

  beforeAll(async () => {
    result = await migrateProject({ root: inputRoot, ...fixtureOptions(name) });
  }, 60000);

  test.each(shells)(
    'migrated jobs build the same thing (%s)',
    async (shell) => {
      const outputFiles = Object.fromEntries(result.files.filter((f) => f.changed).map((f) => [f.path, f.output]));
      const findings = result.files.flatMap((f) => f.findings);
      const transition = result.jobs.flatMap((j) => (j.transition ? [{ job: j.name, ...j.transition }] : []));
      const r = await compareProject({
        inputRoot,
        outputFiles,
        findings,
        shell,
        diffOptions: DIFF_OPTIONS,
        transition,
        unchanged: result.jobs.filter((j) => j.status === 'unchanged').map((j) => j.name),
      });
      expect(r.problems).toEqual([]);
    },
    180000,
  );

  if (!busybox) test.skip('migrated jobs build the same thing (busybox: not installed)', () => undefined);
});
