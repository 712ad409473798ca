/**
 * benchGitLab (the bench's GitLab measure, in workloads/ so that no test imports bench/) gives sane numbers on a small
 * group: the CLI as a process audits every project, the calls and the bound add up, and a project's pipeline file and
 * tree are asked for at once.
 */
import { benchGitLab } from '../../workloads/gitlab-bench.js';
import { builtCli } from '../stress/helpers.js';

test('benchGitLab audits the stand-in group through the CLI and measures the share of the bound', async () => {
  const r = await benchGitLab({ cli: builtCli(), projects: 42, latencyMs: 5, concurrency: 2 });
  expect(r.audited).toBe(42);
  expect(r.statuses.failed).toBeUndefined();
  expect(Object.keys(r.statuses).sort()).toEqual(['manual', 'migrated', 'partial', 'unchanged']);
  expect(r.calls).toBe(Object.values(r.callsBy).reduce((a, b) => a + b, 0));
  expect(r.callsBy['group pages']).toBe(1);
  expect(r.callsBy.trees).toBeGreaterThan(30);
  expect(r.boundMs).toBeCloseTo((r.calls * 5) / 2);
  expect(r.share).toBeCloseTo(r.boundMs / r.wallMs);
  expect(r.share).toBeGreaterThan(0);
  expect(r.maxInFlight).toBeGreaterThanOrEqual(2);
}, 120_000);
