/**
 * Bugs the fuzzers found in the migration core, reduced to a few lines each, kept as regression tests now that they are
 * fixed. A new one goes in as `test.failing` (it passes while the bug is there); drop `.failing` with the fix.
 */
import { parseDocument } from 'yaml';
import { migrateText } from '../../src/index.js';

const KANIKO_TEMPLATE = `.kaniko:
  image: gcr.io/kaniko-project/executor:debug
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:1"
`;

/** A job as GitLab sees it after `extends` (deep merge of mappings, the job's own values last). */
function extended(text: string, name: string): unknown {
  const data = parseDocument(text, { merge: true }).toJS() as Record<string, Record<string, unknown>>;
  const merge = (a: unknown, b: unknown): unknown =>
    a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)
      ? Object.fromEntries(
          [...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [
            k,
            k in b ? merge((a as never)[k], (b as never)[k]) : (a as never)[k],
          ]),
        )
      : b;
  const job = data[name]!;
  const parent = typeof job.extends === 'string' ? (extended(text, job.extends) as object) : {};
  const { extends: _, ...own } = merge(parent, job) as Record<string, unknown>;
  return own;
}

describe('known bugs (found by test/fuzz)', () => {
  // `extends` deep-merges mappings: the template's image becomes a mapping with `entrypoint: [""]`, and gains
  // `variables: BUILDKITD_FLAGS`; a non-Kaniko job that extends the template with an image mapping of its own
  // inherits both. settleSharing does not see it (the job "reads" neither node); verify compares own data only.
  test('a non-Kaniko job extending a migrated template keeps its data (image entrypoint, variables)', async () => {
    const text = `${KANIKO_TEMPLATE}build:\n  extends: .kaniko\ntest:\n  extends: .kaniko\n  image:\n    name: node:20-alpine\n  script:\n    - npm test\n`;
    const r = await migrateText(text);
    expect(extended(r.files[0]!.output, 'test')).toEqual(extended(text, 'test'));
    // the template cannot change without changing "test": the Kaniko job gets an image of its own instead (KB215)
    expect(r.jobs.find((j) => j.name === 'build')?.status).toBe('migrated');
    expect(r.files[0]!.findings.find((f) => f.code === 'KB215')?.message).toMatch(/its own image/);
    expect(extended(r.files[0]!.output, 'build')).toMatchObject({
      image: { name: 'moby/buildkit:rootless', entrypoint: [''] },
    });
  });

  test('a non-Kaniko job merging a migrated template with <<: keeps its data (the variables it would gain)', async () => {
    const text = `.kaniko: &k\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\nbuild:\n  <<: *k\n  script:\n    - /kaniko/executor --context . --destination x\ntest:\n  <<: *k\n  image: node:20-alpine\n  script:\n    - npm test\n`;
    const r = await migrateText(text);
    const data = (t: string) => (parseDocument(t, { merge: true }).toJS() as Record<string, unknown>).test;
    expect(data(r.files[0]!.output)).toEqual(data(text));
    // the Kaniko job is migrated all the same: BUILDKITD_FLAGS goes in its own mapping, not in the shared template
    expect(r.jobs.find((j) => j.name === 'build')?.status).toBe('migrated');
    expect(r.files[0]!.output).toContain(
      'build:\n  <<: *k\n  variables:\n    BUILDKITD_FLAGS: --oci-worker-no-process-sandbox\n',
    );
  });

  test('a non-Kaniko job extending the template with an image of its own (name and entrypoint) does not stop the migration', async () => {
    const text = `.kaniko:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\nbuild:\n  extends: .kaniko\n  script:\n    - /kaniko/executor --context . --destination x\nrealm:\n  extends: .kaniko\n  image:\n    name: python:3\n    entrypoint: [""]\n  script:\n    - python main.py\n`;
    const r = await migrateText(text);
    expect(r.jobs.find((j) => j.name === 'build')?.status).toBe('migrated');
    expect(extended(r.files[0]!.output, 'realm')).toEqual(extended(text, 'realm'));
    expect(extended(r.files[0]!.output, 'build')).toMatchObject({
      image: { name: 'moby/buildkit:rootless' },
      variables: { BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' },
    });
  });

  // KB211 (overlapping edits) makes a job manual after settleSharing ran, so the shared template it reads through
  // `!reference` is still rewritten for the other job: the job "left for a person" changes anyway.
  // The fuzz input had the registry-mirror toml and the login as two insertions before the template's item; they are
  // one insertion now (one per place), so the overlap is built here: job-2 writes its own config (only the unset is
  // added before the template's item), job-0 relies on the GitLab helper (mkdir, login and unset at the same point).
  test('a job left manual by KB211 is unchanged as data', async () => {
    const text = `.tpl: &a0
  image:
    name: martizih/kaniko:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --insecure-registry app/Dockerfile
job-0:
  <<: *a0
  script:
    - !reference [.tpl, script]
job-2:
  image:
    name: node:20-alpine
  script:
    - echo "{}" > /kaniko/.docker/config.json
    - !reference [.tpl, script]
`;
    const r = await migrateText(text);
    const job2 = r.jobs.find((j) => j.name === 'job-2');
    expect(job2?.status).toBe('manual');
    expect(r.files[0]!.findings.filter((f) => f.code === 'KB211').map((f) => f.job)).toEqual(['job-2']);
    const resolve = (t: string) => {
      const d = parseDocument(t, {
        merge: true,
        customTags: [{ tag: '!reference', collection: 'seq', resolve: (s) => s }],
      }).toJS() as Record<string, { script: unknown[] }>;
      return d['job-2']!.script.map((s) => (Array.isArray(s) ? d[s[0] as string]!.script : s));
    };
    expect(resolve(r.files[0]!.output)).toEqual(resolve(text));
  });

  // The fuzz input of the test above: the mirror toml and the login added before the template's item by both jobs were
  // two insertions at one point, told apart from a clash by no one (KB211); one insertion per place migrates both.
  test('lines two jobs add before one shared template item are one insertion, not a KB211', async () => {
    const text = `.tpl: &a0
  image:
    name: martizih/kaniko:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --insecure-registry app/Dockerfile
job-0:
  <<: *a0
  script:
    - !reference [.tpl, script]
job-2:
  image:
    name: node:20-alpine
  script:
    - echo hello
    - !reference [.tpl, script]
`;
    const r = await migrateText(text);
    expect(r.jobs.map((j) => [j.name, j.status])).toEqual([
      ['job-0', 'migrated'],
      ['job-2', 'migrated'],
    ]);
    expect(r.files[0]!.findings.map((f) => f.code)).not.toContain('KB211');
  });

  // The `/kaniko/.docker` path rewrite edits a range inside the executor call that the call rewrite replaces too:
  // applyEdits throws "overlapping edits" out of migrateText (the CLI reports KB106 "cannot migrate").
  test('an executor call that mentions /kaniko/.docker in a flag value is migrated, the value kept as it was', async () => {
    const text =
      'build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n    - /kaniko/executor --context . --destination x --build-arg "CFG=/kaniko/.docker/config.json"\n';
    const r = await migrateText(text);
    expect(r.jobs[0]?.status).toBe('migrated');
    expect(r.files[0]!.output).toMatch(
      /buildctl-daemonless\.sh build .*--opt build-arg:"?CFG=\/kaniko\/\.docker\/config\.json"?( |$)/m,
    );
  });
});
