/**
 * A component's version as GitLab resolves it: `~latest` is the highest semantic version released, `1` the highest
 * `1.x.y`, `1.2` the highest `1.2.y`, pre-releases only when named in full; a full tag, a branch or a commit is itself.
 * Through the stand-in's releases API, the component file is read at that release (the graph's label names it).
 */
import { componentRelease } from '../../src/pipeline/includes.js';
import { gitlab } from '../gitlab/cli.js';
import { MockGitLab } from '../gitlab/server.js';
import { KANIKO_TEMPLATE, TEMPLATE_PROJECT, templateFiles } from '../../workloads/group.js';

describe('component versions', () => {
  const releases = ['2.0.0-rc1', '1.2.0', '1.10.1', '1.2.3', 'v0.9.0', 'nightly'];
  test.each([
    ['~latest', '1.10.1'],
    ['1', '1.10.1'],
    ['1.2', '1.2.3'],
    ['0', 'v0.9.0'],
    ['3', undefined],
    ['1.2.0', null],
    ['2.0.0-rc1', null],
    ['main', null],
  ])('%s → %s', (version, want) => {
    expect(componentRelease(version, releases)).toBe(want);
  });

  test('read through the releases API at the release the version names', async () => {
    const TOKEN = 'glpat-component-version';
    const s = new MockGitLab(TOKEN);
    const t = s.project(TEMPLATE_PROJECT, templateFiles);
    s.release(t, '1.0.0');
    s.release(t, '1.1.0');
    s.release(t, '2.0.0-rc1');
    const app = (path: string, version: string) =>
      s.project(path, {
        '.gitlab-ci.yml': `include:\n  - component: $CI_SERVER_FQDN/${TEMPLATE_PROJECT}/kaniko@${version}\nbuild:\n  extends: .kaniko-build\n`,
      });
    app('group/latest', '~latest');
    app('group/one', '1');
    app('group/nine', '9');
    const url = await s.start();
    try {
      const r = await gitlab(['--url', url, '--group', 'group', '--format', 'json'], { env: { GITLAB_TOKEN: TOKEN } });
      const body = JSON.parse(r.stdout);
      const graph = body.templateGraph as { template: string; consumers: { project: string }[] }[];
      expect(graph.map((g) => [g.template, g.consumers.map((c) => c.project)])).toEqual([
        [`${TEMPLATE_PROJECT}:${KANIKO_TEMPLATE}@1.1.0`, ['group/latest', 'group/one']],
      ]);
      const nine = body.files.find((f: { path: string }) => f.path === 'group/nine/.gitlab-ci.yml');
      expect(nine.findings).toContainEqual(
        expect.objectContaining({
          code: 'KB602',
          message: expect.stringContaining('no release of group/ci-templates matches version 9'),
        }),
      );
      // the rollout: a moving version switches once a release holds the BuildKit version
      const apply = async () =>
        new Map(
          (
            JSON.parse(
              (
                await gitlab(['--url', url, '--group', 'group', '--format', 'json', '--apply'], {
                  env: { GITLAB_TOKEN: TOKEN },
                })
              ).stdout,
            ).projects as { path: string; outcome: string; reason: string | null }[]
          ).map((p) => [p.path, p]),
        );
      let by = await apply();
      expect(by.get(TEMPLATE_PROJECT)!.outcome).toBe('opened');
      s.merge(t, 1);
      by = await apply();
      for (const p of ['group/latest', 'group/one']) {
        expect(by.get(p)).toMatchObject({ outcome: 'waiting', reason: expect.stringContaining('reads release 1.1.0') });
      }
      s.release(t, '1.2.0');
      by = await apply();
      for (const [p, v] of [
        ['group/latest', '~latest'],
        ['group/one', '1'],
      ]) {
        expect(by.get(p!)!.outcome).toBe('opened');
        const mock = s.byPath(p!);
        expect(mock.branches.get(mock.mrs[0]!.source_branch)!.files.get('.gitlab-ci.yml')!.content).toContain(
          `/${TEMPLATE_PROJECT}/kaniko-buildkit@${v}\n`,
        );
      }
    } finally {
      await s.stop();
    }
  });
});
