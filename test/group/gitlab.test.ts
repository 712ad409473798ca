/**
 * `gitlab` (audit) over the group of workloads/group.ts served by the GitLab stand-in: every consumer's
 * `include: project` is read through the API at its ref (a tag for one), the template graph in the JSON report names
 * the template files, their consumers and feeds, the feeding consumers are pending (a merge request would be opened),
 * a template that does not exist is said plainly, and each included file is read once for the whole run.
 */
import { gitlab } from '../gitlab/cli.js';
import { MockGitLab } from '../gitlab/server.js';
import {
  consumers,
  KANIKO_TEMPLATE,
  RELEASE_TEMPLATE,
  TEMPLATE_PROJECT,
  templateFiles,
} from '../../workloads/group.js';

const TOKEN = 'glpat-group-test-token';
const env = { GITLAB_TOKEN: TOKEN };
const group = consumers(12);
let s: MockGitLab;
let url: string;

beforeAll(async () => {
  s = new MockGitLab(TOKEN);
  const t = s.project(TEMPLATE_PROJECT, templateFiles);
  // a tag: the same files under another ref
  const main = t.branches.get('main')!;
  t.branches.set('v1.0.0', { files: new Map(main.files), commits: [...main.commits] });
  for (const c of group) s.project(c.path, c.files);
  s.project('group/old-app', group[0]!.files, { archived: true });
  url = await s.start();
});
afterAll(() => s.stop());

const name = (p: string) => p;

describe('gitlab audit of a group with a shared template project', () => {
  test('the graph, the pending consumers, the missing template; included files read once', async () => {
    const run = await gitlab(['--url', url, '--group', 'group', '--format', 'json'], { env });
    expect(run.stderr).toBe('');
    const body = JSON.parse(run.stdout);
    const status = new Map(body.projects.map((p: { path: string; status: string }) => [p.path, p.status]));
    for (const c of group) {
      const want = c.feeds.some((f) => f.outcome === 'refused') ? 'manual' : c.feeds.length ? 'migrated' : 'unchanged';
      expect([c.path, status.get(c.path)]).toEqual([c.path, want]);
    }
    expect(status.has('group/old-app')).toBe(false); // archived: left out by default
    const graph = body.templateGraph as { template: string; consumers: { project: string }[] }[];
    const through = (file: string, ref: string) =>
      group
        .filter((c) => c.through.includes(file) && (c.ref ?? 'main') === ref)
        .map((c) => name(c.path))
        .sort();
    const consumersOf = (label: string) => graph.find((g) => g.template === label)?.consumers.map((c) => c.project);
    expect(consumersOf(`${TEMPLATE_PROJECT}:${KANIKO_TEMPLATE}@main`)).toEqual(through(KANIKO_TEMPLATE, 'main'));
    expect(consumersOf(`${TEMPLATE_PROJECT}:${KANIKO_TEMPLATE}@v1.0.0`)).toEqual(through(KANIKO_TEMPLATE, 'v1.0.0'));
    expect(consumersOf(`${TEMPLATE_PROJECT}:${RELEASE_TEMPLATE}@v1.0.0`)).toEqual(through(RELEASE_TEMPLATE, 'v1.0.0'));
    const missing = group.filter((c) => c.missingFile).map((c) => c.path);
    const kb602 = body.files
      .flatMap((f: { path: string; findings: { code: string }[] }) => f.findings.map((x) => ({ ...x, path: f.path })))
      .filter((x: { code: string }) => x.code === 'KB602')
      .map((x: { path: string }) => x.path.split('/.gitlab-ci.yml')[0]);
    expect(kb602.sort()).toEqual(missing.sort());
    // each template file is read once per ref for the run, however many consumers include it
    const tid = s.byPath(TEMPLATE_PROJECT).id;
    const reads = s.requests.filter(
      (r) => r.method === 'GET' && r.path.startsWith(`/projects/${tid}/repository/files/`),
    );
    const keys = reads.map((r) => r.url.replace(/&.*$/, ''));
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('text: the summary leads with the graph', async () => {
    const run = await gitlab(['--url', url, '--group', 'group'], { env });
    const main = group.filter((c) => c.through.includes(KANIKO_TEMPLATE) && !c.ref);
    expect(run.stdout).toContain(
      `${main.length} projects build with Kaniko through ${TEMPLATE_PROJECT}:${KANIKO_TEMPLATE}@main: migrate that file (`,
    );
  });
});
