import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitlab } from './cli.js';
import { MockGitLab } from './server.js';
import { kanikoJob } from '../../workloads/repos.js';

const TOKEN = 'glpat-ech0ed-by-a-proxy-77aa88bb99';
const deps = { retry: { retries: 2, baseMs: 5, maxMs: 50 } };

describe('gitlab: the token', () => {
  let s: MockGitLab;
  let url: string;
  beforeAll(async () => {
    s = new MockGitLab(TOKEN);
    s.project('team/app', { '.gitlab-ci.yml': kanikoJob('build'), Dockerfile: 'FROM scratch\n' });
    s.project('team/lib', { '.gitlab-ci.yml': kanikoJob('build'), Dockerfile: 'FROM scratch\n' });
    url = await s.start();
  });
  afterAll(() => s.stop());

  test('comes from GITLAB_TOKEN or --token-env, never from a flag', async () => {
    const none = await gitlab(['--url', url, '--group', 'team']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no token: set GITLAB_TOKEN');
    const flag = await gitlab(['--url', url, '--group', 'team', '--token', TOKEN]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--token'");
    const named = await gitlab(['--url', url, '--group', 'team', '--token-env', 'CI_BOT_TOKEN', '--format', 'json'], {
      env: { CI_BOT_TOKEN: TOKEN },
      deps,
    });
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout).outcomes.planned).toBe(2);
    const both = await gitlab(['--url', url, '--group', 'team', '--dry-run', '--apply'], {
      env: { GITLAB_TOKEN: TOKEN },
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot be used with option '--apply'/);
    for (const r of [none, flag, named, both]) expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  test('is redacted when GitLab (or a proxy) echoes it: in errors, retry logs, reports', async () => {
    const lib = s.byPath('team/lib');
    s.faults.push({
      method: 'GET',
      path: new RegExp(`^/projects/${lib.id}/repository/tree`),
      status: 502,
      body: { message: `bad gateway for PRIVATE-TOKEN ${TOKEN}` },
      times: 99,
    });
    const cwd = mkdtempSync(join(tmpdir(), 'k2b-token-'));
    const r = await gitlab(['--url', url, '--group', 'team', '--format', 'json', '--verbose', '--output', 'x.md'], {
      env: { GITLAB_TOKEN: TOKEN },
      deps,
      cwd,
    });
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    const failed = report.projects.find((p: { path: string }) => p.path === 'team/lib');
    expect(failed).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('bad gateway for PRIVATE-TOKEN [REDACTED]'),
    });
    expect(r.stderr).toMatch(/retry 1\/2/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(readFileSync(join(cwd, 'x.md'), 'utf8')).toContain('[REDACTED]');
    expect(readFileSync(join(cwd, 'x.md'), 'utf8')).not.toContain(TOKEN);
    s.faults = [];

    s.faults.push({
      method: 'GET',
      path: /^\/groups\//,
      status: 401,
      body: { message: `token ${TOKEN} revoked` },
      times: 1,
    });
    const denied = await gitlab(['--url', url, '--group', 'team'], { env: { GITLAB_TOKEN: TOKEN }, deps });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain('cannot list the projects: GET /groups/team/projects?');
    expect(denied.stderr).toContain('401 Unauthorized: token [REDACTED] revoked');
    expect(denied.stdout + denied.stderr).not.toContain(TOKEN);
  });

  test('read with stray whitespace, it is redacted as sent (trimmed), also where an error body is cut', async () => {
    const lib = s.byPath('team/lib');
    // the body is cut at 500 characters: the token straddles the cut, 10 of its characters before it
    s.faults.push({
      method: 'GET',
      path: new RegExp(`^/projects/${lib.id}/repository/tree`),
      status: 502,
      body: `${'x'.repeat(490)}${TOKEN} echoed`,
      times: 99,
    });
    const r = await gitlab(['--url', url, '--group', 'team', '--format', 'json'], {
      env: { GITLAB_TOKEN: `\t${TOKEN}\n` },
      deps,
    });
    expect(r.code).toBe(2);
    const failed = JSON.parse(r.stdout).projects.find((p: { path: string }) => p.path === 'team/lib');
    expect(failed.reason).toContain('[REDACTED]');
    expect(r.stdout + r.stderr).not.toContain(TOKEN.slice(0, 10));
    s.faults = [];
  });

  test('a progress bar on a terminal only', async () => {
    const tty = await gitlab(['--url', url, '--group', 'team'], { env: { GITLAB_TOKEN: TOKEN }, deps, isTTY: true });
    expect(tty.stderr).toContain('2/2 projects');
    const pipe = await gitlab(['--url', url, '--group', 'team'], { env: { GITLAB_TOKEN: TOKEN }, deps });
    expect(pipe.stderr).toBe('');
  });
});
