/**
 * Shapes from issue 18's adversarial trial (items 12 and 13) that ended in an internal error or in the self-check
 * refusing the tool's own edit: each now gets a clear error with its place, or migrates and reads back as planned.
 */
import { parse } from 'yaml';
import { migrateText } from '../../src/index.js';

/** The `build` job of the migrated text, after checking that it migrated without an error. */
async function migratedJob(text: string) {
  const r = await migrateText(text);
  const f = r.files[0]!;
  expect(f.findings.filter((x) => x.severity === 'error')).toEqual([]);
  expect(r.jobs[0]!.status).toBe('migrated');
  return parse(f.output).build;
}

test('a list, then a second document: an error at line 1, not an internal one', async () => {
  const r = await migrateText('- a\n---\n');
  expect(r.failed.map((f) => [f.error.code, f.error.line, f.error.column])).toEqual([['KB101', 1, 1]]);
  expect(r.failed[0]!.error.message).toMatch(/mapping of keys to jobs, not a list/);
});

test('an image with an empty name: and a plain-scalar script migrate (the name gets its space)', async () => {
  const text =
    'build:\n  image:\n    name:\n    entrypoint: [echo]\n  script: /kaniko/executor --destination r.example.com/a:1\n';
  const job = await migratedJob(text);
  expect(job.image).toEqual({ name: 'moby/buildkit:rootless', entrypoint: [''] });
  expect(job.script).toContain('--output type=image,name=r.example.com/a:1,push=true');
});

test('a call in a flow sequence: the rewritten item, which holds commas, is quoted and stays one item', async () => {
  const text =
    'build:\n  image: gcr.io/kaniko-project/executor:debug\n  script: [/kaniko/executor --destination r/i:0]\n';
  const script: string[] = (await migratedJob(text)).script;
  expect(script.at(-1)).toBe(
    'buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --output type=image,name=r/i:0,push=true',
  );
  expect(script).toHaveLength(4);
});
