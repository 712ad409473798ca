/**
 * Issue 18, item 5, in `gitlab` mode: each project is migrated in a worker under `--time-limit`, its files read
 * through the API by the main thread; a project over the limit fails with KB116 while the others are planned.
 */
import { slowPipeline } from '../support/slow-pipeline.js';
import { kanikoJob } from '../../workloads/repos.js';
import { gitlab } from './cli.js';
import { MockGitLab } from './server.js';

const TOKEN = 'glpat-TimeLimitT0k3n-0123456789';

test('a project over --time-limit fails with KB116; the others are planned', async () => {
  const s = new MockGitLab(TOKEN);
  s.project('g/slow', { '.gitlab-ci.yml': slowPipeline() });
  for (let i = 0; i < 3; i++)
    s.project(`g/small-${i}`, { '.gitlab-ci.yml': kanikoJob('build'), Dockerfile: 'FROM scratch\n' });
  const url = await s.start();
  try {
    const r = await gitlab(
      ['--url', url, '--group', 'g', '--time-limit', '1', '--format', 'json', '--no-progress', '--concurrency', '2'],
      { env: { GITLAB_TOKEN: TOKEN } },
    );
    expect(r.code).toBe(2);
    const projects = (JSON.parse(r.stdout) as { projects: { path: string; outcome: string; reason: string | null }[] })
      .projects;
    const byPath = new Map(projects.map((p) => [p.path, p]));
    expect(byPath.get('g/slow')).toMatchObject({
      outcome: 'failed',
      reason: '.gitlab-ci.yml: gave up after 1 s (the time limit of one repository, --time-limit): not migrated',
    });
    for (let i = 0; i < 3; i++) expect(byPath.get(`g/small-${i}`)?.outcome).toBe('planned');
  } finally {
    await s.stop();
  }
}, 60_000);
