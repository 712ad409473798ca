/**
 * The bulk measure of the bench (run by bench/bulk.ts, and its smoke test in test/bulk/bench.test.ts). Local bulk
 * throughput: `n` generated repositories (the test mix: Kaniko in the pipeline and in includes, partial,
 * manual, already migrated, no Kaniko) migrated as `migrate --recursive --dry-run` does (discovery included, default
 * concurrency), in repositories per second; next to the time of one single-file repository on its own.
 */
import { rmSync } from 'node:fs';
import { findRepositories } from '../src/bulk/discover.js';
import { migrateRepositories } from '../src/bulk/local.js';
import { defaultConcurrency } from '../src/bulk/pool.js';
import { migrateSource } from '../src/project/pipeline.js';
import { DiskSource } from '../src/pipeline/fs-source.js';
import { generateRepos } from './repos.js';

export interface BulkBench {
  /** Repositories per second over the whole run (finding them included). */
  reposPerSecond: number;
  /** Median time of migrating one single-file Kaniko repository, in ms. */
  singleFileMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchBulk(n: number): Promise<BulkBench> {
  const gen = generateRepos(Math.max(1, n));
  try {
    const single = gen.repos[1]!; // a plain Kaniko job in .gitlab-ci.yml
    for (let i = 0; i < 5; i++) await migrateSource(new DiskSource(single)); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await migrateSource(new DiskSource(single));
      times.push(performance.now() - t);
    }
    const start = performance.now();
    const found = await findRepositories(gen.root);
    const outcomes = await migrateRepositories(found.repositories, {
      mode: 'dry-run',
      concurrency: defaultConcurrency(),
    });
    const seconds = (performance.now() - start) / 1000;
    if (outcomes.length !== gen.repos.length)
      throw new Error(`found ${outcomes.length} of ${gen.repos.length} repositories`);
    // a run whose workers could not start fails every repository at once: no throughput to report
    const worker = outcomes.find((o) => /cannot start a worker/.test(o.reason ?? ''));
    if (worker) throw new Error(`${worker.root}: ${worker.reason}`);
    return { reposPerSecond: outcomes.length / seconds, singleFileMs: median(times) };
  } finally {
    rmSync(gen.root, { recursive: true, force: true });
  }
}
