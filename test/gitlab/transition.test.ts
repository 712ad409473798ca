/**
 * `gitlab --apply --transition`, then `--cut-over` once the transition merge request is merged: each a merge request
 * of its own (branch and title), and the cut-over's result on main is what a direct migration gives.
 */
import { migrateText } from '../../src/index.js';
import { kanikoJob, plainJob } from '../../workloads/repos.js';
import { gitlab } from './cli.js';
import { MockGitLab } from './server.js';
import { TOKEN } from './world.js';

const env = { GITLAB_TOKEN: TOKEN };
const deps = { retry: { baseMs: 20, maxMs: 2000 } };
const PIPELINE = `${plainJob}\n${kanikoJob('build')}`;

let s: MockGitLab;
let url: string;

beforeAll(async () => {
  s = new MockGitLab(TOKEN);
  s.project('team/app', { '.gitlab-ci.yml': PIPELINE, Dockerfile: 'FROM alpine:3.20\n' });
  url = await s.start();
});
afterAll(() => s.stop());

const run = (...flags: string[]) =>
  gitlab(['--url', url, '--group', 'team', '--apply', '--format', 'json', ...flags], { env, deps });

test('a transition merge request, then a cut-over merge request, each on its own branch', async () => {
  const p = s.byPath('team/app');
  const first = await run('--transition');
  expect(first.code).toBe(0);
  const mr = p.mrs.find((m) => m.source_branch === 'kaniko2buildkit/transition')!;
  expect(mr.title).toMatch(/^Transition to rootless BuildKit/);
  expect(mr.description).toMatch(/\*\*1\*\* in transition/);
  const branch = p.branches.get('kaniko2buildkit/transition')!.files.get('.gitlab-ci.yml')!.content;
  expect(branch.startsWith(PIPELINE)).toBe(true);
  expect(branch).toContain('build-buildkit:');
  expect(branch).toContain('build-compare:');
  expect(p.branches.get('kaniko2buildkit/transition')!.commits.at(-1)!.message).toMatch(/In transition .*: build\./);

  // again before the merge: the same merge request, nothing new
  await run('--transition');
  expect(p.mrs.filter((m) => m.source_branch === 'kaniko2buildkit/transition')).toHaveLength(1);

  s.merge(p, mr.iid);
  // merged: a transition has nothing more to do
  const idle = await run('--transition');
  expect(JSON.parse(idle.stdout).projects[0].outcome).toBe('skipped');

  const cut = await run('--cut-over');
  expect(cut.code).toBe(0);
  const second = p.mrs.find((m) => m.source_branch === 'kaniko2buildkit/cut-over')!;
  expect(second.title).toBe('Cut over from Kaniko to rootless BuildKit');
  const direct = (await migrateText(PIPELINE)).files[0]!.output;
  expect(p.branches.get('kaniko2buildkit/cut-over')!.files.get('.gitlab-ci.yml')!.content).toBe(direct);
});
