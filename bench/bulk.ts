/**
 * `node bench/bulk.js [N]` (compiled by bench/run.mjs): the local bulk throughput of workloads/bulk.ts `benchBulk` over
 * N generated repositories (default 500), printed on one line. bench/run.mjs imports `benchBulk` from here.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultConcurrency } from '../src/bulk/pool.js';
import { benchBulk } from '../workloads/bulk.js';

export { benchBulk, type BulkBench } from '../workloads/bulk.js';

if (process.argv[1] && import.meta.url === pathToFileURL(join(process.argv[1])).href) {
  const n = Number(process.argv[2] ?? 500);
  const r = await benchBulk(n);
  console.log(
    `bulk: ${n} repositories, ${r.reposPerSecond.toFixed(0)} repositories/s (concurrency ${defaultConcurrency()}); single file: ${r.singleFileMs.toFixed(2)} ms`,
  );
}
