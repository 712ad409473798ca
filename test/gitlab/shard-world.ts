/**
 * The sharding group: 23 projects of `audit` (and subgroups) with scattered ids, some with Kaniko jobs (in the entry
 * file or an include, one partial, one manual), some without (BuildKit already, plain, no pipeline, empty), one that
 * fails (invalid YAML); and one project of another group, never listed.
 */
import { buildkitJob, INVALID_YAML, kanikoJob, plainJob, UNMAPPED } from '../../workloads/repos.js';
import { MockGitLab } from './server.js';

export const SHARD_TOKEN = 'glpat-Sh4rdT0k3nN3v3rPr1nt3d-1a2b3c';
export const SHARD_GROUP = 'audit';

/** Scattered ids: small and large, neighbours, multiples of 2..5 and primes, so every N in 1..5 splits them unevenly. */
const IDS = [3, 7, 8, 12, 15, 16, 25, 31, 40, 41, 42, 60, 97, 100, 101, 120, 256, 999, 1000, 1024, 4093, 65536, 123457];

export interface ShardWorld {
  server: MockGitLab;
  /** Full paths of the 23 listed projects. */
  paths: string[];
  failing: string;
}

export function buildShardWorld(): ShardWorld {
  const s = new MockGitLab(SHARD_TOKEN);
  s.maxPerPage = 10;
  const spaces = ['audit', 'audit/team-a', 'audit/team-b/deep'];
  const dockerfile = (i: number) => ({ Dockerfile: `FROM alpine:3.20\nRUN echo ${i}\n` });
  const files: Record<string, string>[] = [];
  for (let i = 0; i < 9; i++)
    files.push({ '.gitlab-ci.yml': `${plainJob}\n${kanikoJob(`build-${i}`)}`, ...dockerfile(i) });
  for (let i = 0; i < 3; i++)
    files.push({
      '.gitlab-ci.yml': `include:\n  - local: ci/build.yml\n\n${plainJob}`,
      'ci/build.yml': kanikoJob('build-image'),
      ...dockerfile(i),
    });
  files.push({ '.gitlab-ci.yml': `${kanikoJob('app')}\n${kanikoJob('docs', UNMAPPED)}`, ...dockerfile(1) });
  files.push({ '.gitlab-ci.yml': kanikoJob('build', UNMAPPED), ...dockerfile(2) });
  for (let i = 0; i < 3; i++) files.push({ '.gitlab-ci.yml': buildkitJob, ...dockerfile(i) });
  for (let i = 0; i < 3; i++) files.push({ '.gitlab-ci.yml': plainJob });
  files.push({ 'README.md': '# no pipeline\n' });
  files.push({ '.gitlab-ci.yml': INVALID_YAML });
  const paths: string[] = [];
  let failing = '';
  files.forEach((f, i) => {
    const path = `${spaces[i % spaces.length]}/p${String(i).padStart(2, '0')}-${f['.gitlab-ci.yml'] === INVALID_YAML ? 'broken' : 'svc'}`;
    s.project(path, f).id = IDS[i]!;
    paths.push(path);
    if (f['.gitlab-ci.yml'] === INVALID_YAML) failing = path;
  });
  s.project('audit/team-a/empty', {}, { empty: true }).id = IDS[files.length]!;
  paths.push('audit/team-a/empty');
  s.project('elsewhere/tool', { '.gitlab-ci.yml': kanikoJob('build'), ...dockerfile(9) }).id = 5;
  if (paths.length !== IDS.length) throw new Error(`${paths.length} projects for ${IDS.length} ids`);
  return { server: s, paths: paths.sort(), failing };
}
