/**
 * Issue 18, item 5: one repository must not stall the others. Each repository of a run over several is migrated in a
 * worker thread (src/bulk/isolation.ts) under a time limit; the main thread keeps the reads (but a folder on disk is
 * read by its worker) and stays free.
 *
 * - A worker gives the same result as the main thread (every fixture: results, findings, failures with their
 *   classes and places), so isolation changes nothing but where the work runs.
 * - A repository over the limit (a 3 MB pipeline, seconds of work, given 1 s) is a KB116 error naming it, while
 *   five small repositories beside it finish first, on the other worker and on the same one after it.
 * - `cancel()` (a signal) ends the planning at once: what was being planned is not processed.
 *
 * The workers run the compiled worker of the current sources (test/stress/helpers.ts builds it).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isolation } from '../../src/bulk/isolation.js';
import { checkoutResolver } from '../../src/bulk/checkouts.js';
import { InputError } from '../../src/pipeline/source.js';
import { migrateRepository } from '../../src/repository/migrate.js';
import type { RepositoryResult } from '../../src/repository/migrate.js';
import { diskRepository, memoryRepository } from '../../src/repository/source.js';
import { slowPipeline } from '../support/slow-pipeline.js';
import { builtCli } from '../stress/helpers.js';
import { KANIKO_JOB, kanikoRepo, tempRepo } from '../helpers.js';

const script = () => join(dirname(dirname(builtCli())), 'dist', 'bulk', 'worker.js');
const FIXTURES = join(process.cwd(), 'fixtures');

/** A pipeline that takes seconds to migrate: 20,000 jobs, 5,000 of them Kaniko builds (about 3 MB). */
const SLOW = slowPipeline();

test('a worker migrates every fixture exactly as the main thread does', async () => {
  const workers = isolation({ workers: 2, timeLimitMs: 60_000, script: script() });
  try {
    const names = readdirSync(FIXTURES).filter((n) => existsSync(join(FIXTURES, n, 'input')));
    expect(names.length).toBeGreaterThan(50);
    await Promise.all(
      names.map(async (name) => {
        const root = join(FIXTURES, name, 'input');
        const here = await migrateRepository(diskRepository(root), { sources: '**/*.{ts,mts,js,mjs}' });
        const there = await workers.migrate(diskRepository(root), { sources: '**/*.{ts,mts,js,mjs}' });
        expect(there).toEqual(here);
        for (const f of there!.failed) expect(f.error).toBeInstanceOf(InputError);
      }),
    );
  } finally {
    await workers.close();
  }
}, 180_000);

test('a folder on disk is read by the worker itself, not file by file through the main thread', async () => {
  const root = tempRepo({
    '.gitlab-ci.yml': `include: ci/more.yml\n${KANIKO_JOB}`,
    'ci/more.yml': 'x:\n  script: [a]\n',
  });
  const asked: string[] = [];
  const ask = (what: string) => () => {
    asked.push(what);
    throw new Error(`${what} asked of the main thread`);
  };
  // the folder the worker opens, with every method of this thread refusing
  const folder = { ...diskRepository(root), read: ask('read'), exists: ask('exists'), list: ask('list') };
  const workers = isolation({ workers: 1, timeLimitMs: 60_000, script: script() });
  try {
    const there = await workers.migrate(folder);
    expect(asked).toEqual([]);
    expect(there).toEqual(await migrateRepository(diskRepository(root)));
    expect(there!.files.map((f) => [f.path, f.changed])).toEqual([
      ['.gitlab-ci.yml', true],
      ['ci/more.yml', false],
    ]);
  } finally {
    await workers.close();
  }
}, 60_000);

test('reads, existence checks and other projects go through the main thread', async () => {
  const template = tempRepo({ 'templates/kaniko.yml': KANIKO_JOB.replace('build:', '.kaniko-build:') });
  const texts = new Map([
    [
      '.gitlab-ci.yml',
      'include:\n  - project: group/templates\n    file: templates/kaniko.yml\n  - local: ci/*.yml\n' +
        'app:\n  extends: .kaniko-build\n',
    ],
    ['ci/more.yml', KANIKO_JOB.replace('build:', 'more:')],
    ['Dockerfile', 'FROM scratch\n'],
  ]);
  const resolver = checkoutResolver(new Map([['group/templates', template]]));
  const opts = { resolver, templateRuns: new Map() };
  const here = await migrateRepository(memoryRepository(texts), { resolver, templateRuns: new Map() });
  const workers = isolation({ workers: 1, timeLimitMs: 60_000, script: script() });
  try {
    const there = await workers.migrate(memoryRepository(texts), opts);
    expect(there).toEqual(here);
    // ci/more.yml came through the wildcard (list), app builds through the other project's template (resolver)
    const label = 'group/templates:templates/kaniko.yml@working tree';
    expect(there!.jobs.map((j) => [j.name, j.status, j.template])).toEqual([
      ['more', 'migrated', undefined],
      ['app', 'unchanged', label],
    ]);
    // the other project's file, migrated on its own in the worker, is in the run's own map
    expect([...opts.templateRuns.keys()]).toEqual([label]);
  } finally {
    await workers.close();
  }
}, 60_000);

test('a repository over the time limit is a KB116 error; the others finish beside it', async () => {
  const slow = tempRepo({ '.gitlab-ci.yml': SLOW, Dockerfile: 'FROM scratch\n' });
  const small = Array.from({ length: 5 }, () =>
    tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' }),
  );
  const workers = isolation({ workers: 2, timeLimitMs: 1_000, script: script() });
  const order: string[] = [];
  try {
    const all = [slow, ...small].map(async (root) => {
      const r = await workers.migrate(diskRepository(root));
      order.push(root);
      return r;
    });
    const [gaveUp, ...done] = await Promise.all(all);
    expect(gaveUp!.files).toEqual([]);
    expect(gaveUp!.failed).toHaveLength(1);
    const error = gaveUp!.failed[0]!.error;
    expect(error).toBeInstanceOf(InputError);
    expect([error.code, error.file, error.message]).toEqual([
      'KB116',
      '.gitlab-ci.yml',
      'gave up after 1 s (the time limit of one repository, --time-limit): not migrated',
    ]);
    for (const r of done) expect(r!.jobs.map((j) => j.status)).toEqual(['migrated']);
    expect(order.at(-1)).toBe(slow);
    // and the pool goes on with a new worker
    const after = await workers.migrate(diskRepository(small[0]!));
    expect(after!.jobs.map((j) => j.status)).toEqual(['migrated']);
  } finally {
    await workers.close();
  }
}, 60_000);

test('cancel() ends the planning at once: what was planned or waiting is not processed', async () => {
  const slow = tempRepo({ '.gitlab-ci.yml': SLOW, Dockerfile: 'FROM scratch\n' });
  const small = tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });
  const workers = isolation({ workers: 1, timeLimitMs: 600_000, script: script() });
  try {
    const planning = workers.migrate(diskRepository(slow));
    const waiting = workers.migrate(diskRepository(small));
    await new Promise((r) => setTimeout(r, 500));
    workers.cancel();
    // a jest timeout far below the slow repository's own time would fail this if cancel() waited for it
    expect(await planning).toBeUndefined();
    expect(await waiting).toBeUndefined();
    expect(await workers.migrate(diskRepository(small))).toBeUndefined();
  } finally {
    await workers.close();
  }
}, 20_000);

test('a worker that cannot start fails each repository with the reason, also one that comes while it fails', async () => {
  const root = kanikoRepo();
  const workers = isolation({ workers: 1, timeLimitMs: 60_000, script: join(root, 'no-such-worker.js') });
  /** The repository's result, or 'stalled': a repository queued while the worker was failing once waited forever. */
  const within = async (p: Promise<unknown>) => {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise((r) => (timer = setTimeout(() => r('stalled'), 10_000)));
    try {
      return await Promise.race([p, stalled]);
    } finally {
      clearTimeout(timer);
    }
  };
  const reason = (r: unknown) => {
    const failed = (r as RepositoryResult | undefined)?.failed ?? [];
    return failed.map((f) => [f.error.code, /^cannot migrate: cannot start a worker: /.test(f.error.message)]);
  };
  try {
    // the second comes at once after the first failed: its worker's failure to start is not over yet
    const first = await within(workers.migrate(diskRepository(root)));
    const second = await within(workers.migrate(diskRepository(root)));
    expect(reason(first)).toEqual([['KB106', true]]);
    expect(reason(second)).toEqual([['KB106', true]]);
    const more = await within(Promise.all([1, 2, 3].map(() => workers.migrate(diskRepository(root)))));
    expect((more as unknown[]).map(reason)).toEqual([1, 2, 3].map(() => [['KB106', true]]));
  } finally {
    await workers.close();
  }
}, 60_000);
