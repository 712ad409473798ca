/**
 * `node bench/gitlab.js [N] [--latency=MS] [--concurrency=C]` (compiled by bench/run.mjs, run from the checkout):
 * the `gitlab` audit of workloads/gitlab-bench.ts over N projects (default 2,000) served with MS added latency per
 * API call (default 20), at concurrency C (default the CLI's), printed on one line. bench/run.mjs imports
 * `benchGitLab` from here.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_GITLAB_CONCURRENCY } from '../src/cli/gitlab.js';
import { benchGitLab } from '../workloads/gitlab-bench.js';

export { benchGitLab, type GitLabBench } from '../workloads/gitlab-bench.js';
export { DEFAULT_GITLAB_CONCURRENCY };

if (process.argv[1] && import.meta.url === pathToFileURL(join(process.argv[1])).href) {
  const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const r = await benchGitLab({
    cli: join(process.cwd(), 'bin', 'kaniko2buildkit.js'),
    projects: Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 2000),
    latencyMs: Number(flag('latency') ?? 20),
    concurrency: Number(flag('concurrency') ?? DEFAULT_GITLAB_CONCURRENCY),
  });
  console.log(
    `gitlab: ${r.audited} projects, ${r.calls} calls (${JSON.stringify(r.callsBy)}) × ${r.latencyMs} ms ÷ ${r.concurrency} = ${(r.boundMs / 1000).toFixed(2)} s bound; wall ${(r.wallMs / 1000).toFixed(2)} s: ${(100 * r.share).toFixed(1)} % of the bound; ${JSON.stringify(r.statuses)}`,
  );
}
