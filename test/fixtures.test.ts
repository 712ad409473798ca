/**
 * Table-driven over fixtures/<case>/input: migrateProject's output must equal fixtures/<case>/expected/<path> byte for
 * byte (UPDATE_FIXTURES=1 rewrites expected/ instead), migration must be idempotent, and nothing outside Kaniko jobs
 * may change: non-Kaniko top-level keys stay deep-equal as data, every comment stays, line endings and BOM stay,
 * and there is no `error` finding unless the case is listed in EXPECT_ERROR.
 *
 * Whether a job is a Kaniko job is decided independently of src/: the effective pipeline from gitlab-ci-local
 * (test/support/effective-jobs.ts) and a call to the executor in its before_script/script.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { migrateProject } from '../src/index.js';
import { isKanikoJob, readEffectivePipeline } from './support/effective-jobs.js';
import {
  FIXTURES,
  commentsOf,
  fixtureCases,
  fixtureOptions,
  lineEndingProblems,
  listFiles,
  missingFrom,
  topLevelData,
} from './support/fixtures.js';

type ProjectResult = Awaited<ReturnType<typeof migrateProject>>;

const UPDATE = process.env.UPDATE_FIXTURES === '1';
/** cases whose migration must report at least one `error` finding (none so far) */
const EXPECT_ERROR = new Set<string>([]);
/** top-level keys that may change even when they are not Kaniko jobs: templates and defaults feed Kaniko jobs;
 *  a component's `spec:` header may carry the image input. Their effect on real jobs is checked in same-build.test.ts. */
const mayChange = (key: string): boolean => key.startsWith('.') || key === 'default' || key === 'spec';

const cases = fixtureCases();

describe.each(cases)('fixture %s', (name) => {
  const input = path.join(FIXTURES, name, 'input');
  const expectedDir = path.join(FIXTURES, name, 'expected');
  // a case migrates as its options.json says (`mode`: transition, cut-over), else directly
  const options = fixtureOptions(name);
  let result: ProjectResult;

  beforeAll(async () => {
    result = await migrateProject({ root: input, ...options });
  }, 60000);

  test('output equals expected/ byte for byte', () => {
    const paths = result.files.map((f) => f.path).sort();
    if (UPDATE) {
      for (const stale of listFiles(expectedDir)) if (!paths.includes(stale)) fs.rmSync(path.join(expectedDir, stale));
      for (const f of result.files) {
        const dest = path.join(expectedDir, f.path);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, f.output, 'utf8');
      }
      return;
    }
    expect(
      fs.existsSync(expectedDir)
        ? listFiles(expectedDir)
        : `no ${path.relative(process.cwd(), expectedDir)}: run with UPDATE_FIXTURES=1 and review`,
    ).toEqual(paths);
    for (const f of result.files) {
      const want = fs.readFileSync(path.join(expectedDir, f.path));
      const got = Buffer.from(f.output, 'utf8');
      if (!want.equals(got))
        expect({ path: f.path, output: f.output }).toEqual({ path: f.path, output: want.toString('utf8') });
    }
  });

  test('each file reports its original text, and `changed` is right', () => {
    for (const f of result.files) {
      expect({ path: f.path, original: f.original }).toEqual({
        path: f.path,
        original: fs.readFileSync(path.join(input, f.path), 'utf8'),
      });
      expect({ path: f.path, changed: f.changed }).toEqual({ path: f.path, changed: f.output !== f.original });
    }
  });

  test('migrating the output again changes nothing', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `k2b-idem-${name}-`));
    try {
      fs.cpSync(input, tmp, { recursive: true });
      for (const f of result.files) fs.writeFileSync(path.join(tmp, f.path), f.output, 'utf8');
      const again = await migrateProject({ root: tmp, ...options });
      for (const f of again.files) {
        expect({ path: f.path, changed: f.changed }).toEqual({ path: f.path, changed: false });
        expect({ path: f.path, output: f.output }).toEqual({ path: f.path, output: f.original });
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 60000);

  test('nothing outside Kaniko jobs changed; comments, line endings and BOM kept', async () => {
    const pipeline = await readEffectivePipeline(input, { validate: false });
    const kanikoJobs = new Set(
      Object.values(pipeline.jobs)
        .filter(isKanikoJob)
        .map((j) => j.name),
    );
    const problems: string[] = [];
    // the jobs a transition adds beside a Kaniko job, and those its cut-over removes (checked in same-build.test.ts)
    const added = new Set<string>();
    const removed = new Set<string>();
    for (const j of result.jobs)
      if (j.transition)
        for (const n of [j.transition.twin, j.transition.compare])
          (j.transition.state === 'cut-over' ? removed : added).add(n);
    if (options.mode === 'transition') expect(added.size).toBeGreaterThan(0);
    if (options.mode === 'cut-over') expect(removed.size).toBeGreaterThan(0);
    for (const f of result.files) {
      const before = topLevelData(f.original);
      const after = topLevelData(f.output);
      for (const [key, value] of before) {
        if (!after.has(key)) {
          if (!removed.has(key)) problems.push(`${f.path}: top-level key ${key} disappeared`);
        } else if (
          !kanikoJobs.has(key) &&
          !mayChange(key) &&
          !isDeepStrictEqual(withoutInputs(key, value), withoutInputs(key, after.get(key)))
        )
          problems.push(
            `${f.path}: ${key} is not a Kaniko job but changed:\n  before ${JSON.stringify(value)}\n  after  ${JSON.stringify(after.get(key))}`,
          );
      }
      for (const key of after.keys())
        if (!before.has(key) && !key.startsWith('.') && !added.has(key))
          problems.push(`${f.path}: new top-level key ${key}`);
      // a cut-over removes the marker comments of the blocks it removes, and no other comment
      const kept = commentsOf(f.original).filter(
        (c) => !(removed.size && c.includes('# kaniko2buildkit transition: ')),
      );
      for (const c of missingFrom(kept, commentsOf(f.output))) problems.push(`${f.path}: comment lost: ${c}`);
      // against the bytes on disk, not f.original (which may have been decoded without its BOM)
      for (const p of lineEndingProblems(fs.readFileSync(path.join(input, f.path), 'utf8'), f.output))
        problems.push(`${f.path}: ${p}`);
    }
    expect(problems).toEqual([]);
  }, 60000);

  test(EXPECT_ERROR.has(name) ? 'reports an error finding' : 'reports no error finding', () => {
    const errors = result.files.flatMap((f) =>
      f.findings.filter((x) => x.severity === 'error').map((x) => `${f.path}:${x.line} ${x.code} ${x.message}`),
    );
    if (EXPECT_ERROR.has(name)) expect(errors.length).toBeGreaterThan(0);
    else expect(errors).toEqual([]);
  });
});

/**
 * A component's image input is passed by the including file (`include: [{ local, inputs: { image } }]`): migrating the
 * component changes that value too. Other include data must not change.
 */
function withoutInputs(key: string, value: unknown): unknown {
  if (key !== 'include' || !Array.isArray(value)) return value;
  return value.map((e) =>
    e && typeof e === 'object' && 'inputs' in e ? { ...(e as object), inputs: '(component inputs)' } : e,
  );
}
