import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedLines } from '../../src/report/diff.js';
import { gitlab, outputs } from './cli.js';
import type { MockGitLab, MockProject } from './server.js';
import { buildWorld, EXPECTED_GROUP, GROUP, TOKEN, type World } from './world.js';

const BRANCH = 'kaniko2buildkit/migrate';
const deps = { retry: { baseMs: 20, maxMs: 2000 } };
const env = { GITLAB_TOKEN: TOKEN };
const dir = mkdtempSync(join(tmpdir(), 'k2b-gitlab-'));
const files: string[] = [];

let world: World;
let s: MockGitLab;
let url: string;
const id = (path: string) => s.byPath(path).id;
const base = () => ['--url', url, '--group', GROUP, '--include-subgroups'];

interface Report {
  projects: {
    id: number;
    path: string;
    status: string;
    outcome: string;
    reason: string | null;
    mergeRequest: { iid: number; url: string } | null;
    commit: string | null;
  }[];
  groupSummary: typeof EXPECTED_GROUP;
  outcomes: Record<string, number>;
  files: { path: string; changed: boolean }[];
}
const parse = (text: string) => JSON.parse(text) as Report;
const byPath = (r: Report) => new Map(r.projects.map((p) => [p.path, p]));
const openMrs = (p: MockProject) => p.mrs.filter((m) => m.state === 'opened' && m.source_branch === BRANCH);

beforeAll(async () => {
  world = buildWorld();
  s = world.server;
  url = await s.start();
});
afterAll(() => s.stop());

describe('gitlab: a group of 30 projects against a local GitLab', () => {
  test('dry run (the default): group summary, per-project outcome, diffs, Markdown report; nothing written; 429 and 5xx retried', async () => {
    s.faults.push(
      {
        method: 'GET',
        path: /^\/groups\/platform\/projects\?/,
        status: 429,
        headers: { 'Retry-After': '1' },
        times: 1,
      },
      {
        method: 'GET',
        path: new RegExp(`^/projects/${id('platform/backend/kaniko-1')}/repository/files/`),
        status: 500,
        times: 1,
      },
      {
        method: 'GET',
        path: new RegExp(`^/projects/${id('platform/frontend/include-1')}/repository/tree`),
        status: 503,
        times: 1,
      },
    );
    world.rearm();
    const md = join(dir, 'audit.md');
    files.push(md);
    const r = await gitlab([...base(), '--format', 'json', '--output', md], { env, deps });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2); // the invalid YAML project failed
    const report = parse(r.stdout);
    expect(report.groupSummary).toEqual(EXPECTED_GROUP);
    expect(report.outcomes).toEqual({ planned: 16, opened: 0, updated: 0, waiting: 0, skipped: 10, failed: 1 });
    const p = byPath(report);
    // archived and shared-in projects are not listed
    expect(p.has('platform/old-kaniko') || p.has('platform/backend/old-service') || p.has('other/shared-tool')).toBe(
      false,
    );
    expect(p.get(world.invalid)).toMatchObject({
      status: 'failed',
      outcome: 'failed',
      reason: expect.stringMatching(/^\.gitlab-ci\.yml:\d+:\d+: invalid YAML/),
    });
    expect(p.get('platform/docs')).toMatchObject({
      status: 'unchanged',
      outcome: 'skipped',
      reason: 'no .gitlab-ci.yml on main',
    });
    expect(p.get('platform/infra/empty')).toMatchObject({ outcome: 'skipped', reason: 'empty repository' });
    expect(p.get('platform/frontend/manual')).toMatchObject({
      status: 'manual',
      outcome: 'skipped',
      reason: expect.stringContaining('needs a person'),
    });
    expect(p.get('platform/buildkit-0')).toMatchObject({ status: 'unchanged', reason: 'no Kaniko job' });
    expect(p.get('platform/backend/kaniko-1')).toMatchObject({ status: 'migrated', outcome: 'planned' });
    // Kaniko in includes: the included file changes, the entry does not
    const changed = report.files.filter((f) => f.changed).map((f) => f.path);
    for (const inc of world.includes) expect(changed).toEqual(expect.arrayContaining([`${inc}/ci/build.yml`]));
    expect(changed).not.toContain(`${world.includes[0]}/.gitlab-ci.yml`);
    expect(changed).toContain('platform/infra/deep/custom-path/ci/pipeline.yml');
    // nothing written, only reads
    expect(s.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    // the 429: one retry after Retry-After (1 s); the listing took three pages (10 per page)
    const listing = s.requests.filter((q) => q.path.startsWith('/groups/platform/projects'));
    expect(listing.map((q) => q.status)).toEqual([429, 200, 200, 200]);
    expect(listing[1]!.at - listing[0]!.at).toBeGreaterThanOrEqual(950);
    expect(
      listing.every(
        (q) =>
          /with_shared=false/.test(q.path) && /archived=false/.test(q.path) && /include_subgroups=true/.test(q.path),
      ),
    ).toBe(true);
    // the tree of a project with 20+ paths came in pages (Link header only)
    expect(s.count('GET', new RegExp(`^/projects/${id(world.includes[0]!)}/repository/tree`))).toBeGreaterThan(1);
    expect(s.faults.map((f) => f.times)).toEqual([0, 0, 0]); // every injected fault was met, and retried past
    expect(p.get('platform/frontend/include-1')).toMatchObject({ outcome: 'planned' });
    const audit = readFileSync(md, 'utf8');
    expect(audit).toMatch(/^# kaniko2buildkit audit: platform on `127\.0\.0\.1:\d+`/);
    expect(audit).toContain('| 27 | 17 | 15 | 1 | 1 | 1 | 9 |');
    expect(audit).toContain('## Kaniko → rootless BuildKit');
  });

  test('dry run, text: the diff per project and the summary lines', async () => {
    const r = await gitlab([...base(), '--project', 'platform/kaniko-0', '--project', 'platform/backend/*'], {
      env,
      deps,
    });
    expect(r.code).toBe(2); // broken-yaml is in platform/backend
    expect(r.stdout).toContain('--- a/platform/kaniko-0/.gitlab-ci.yml');
    expect(r.stdout).toContain('+    - buildctl-daemonless.sh build');
    expect(r.stdout).toMatch(/platform\/kaniko-0 +migrated {2}would open or update a merge request/);
    expect(r.stdout).toMatch(/Projects: \d+ scanned/);
    expect(r.stdout).not.toContain('platform/frontend/');
  });

  let firstReport = '';
  test('--apply: one commit per project with changes (last_commit_id checked), one merge request each; a file changed meanwhile is not overwritten', async () => {
    const before = s.requests.length;
    s.faults.push({
      method: 'POST',
      path: new RegExp(`^/projects/${id('platform/frontend/kaniko-2')}/merge_requests`),
      status: 502,
      times: 1,
    });
    world.rearm();
    const r = await gitlab([...base(), '--apply', '--format', 'json', '--labels', 'ci, buildkit', '--draft'], {
      env,
      deps,
    });
    firstReport = join(dir, 'run1.json');
    writeFileSync(firstReport, r.stdout);
    files.push(firstReport);
    expect(r.code).toBe(2);
    const report = parse(r.stdout);
    expect(report.groupSummary).toEqual(EXPECTED_GROUP);
    expect(report.outcomes).toEqual({ planned: 0, opened: 15, updated: 0, waiting: 0, skipped: 10, failed: 2 });
    const p = byPath(report);
    expect(p.get(world.meanwhile)).toMatchObject({
      status: 'migrated',
      outcome: 'failed',
      reason: expect.stringMatching(/^changed meanwhile/),
    });
    expect(p.get(world.invalid)).toMatchObject({ outcome: 'failed' });

    const commits = s.requests
      .slice(before)
      .filter((q) => q.method === 'POST' && /\/repository\/commits$/.test(q.path));
    expect(commits.map((q) => q.status).sort()).toEqual([...Array(15).fill(201), 400]);
    for (const q of commits) {
      const body = q.body as {
        branch: string;
        start_branch: string;
        actions: { action: string; last_commit_id: string }[];
      };
      expect(body).toMatchObject({ branch: BRANCH, start_branch: 'main' });
      expect(body.actions.every((a) => a.action === 'update' && /^[0-9a-f]{40}$/.test(a.last_commit_id))).toBe(true);
    }
    // the busy project's main keeps the colleague's change; no branch was made
    const busy = s.byPath(world.meanwhile);
    expect(busy.branches.get('main')!.files.get('.gitlab-ci.yml')!.content).toMatch(/^# a colleague's change/);
    expect(busy.branches.has(BRANCH)).toBe(false);

    for (const path of [...world.kaniko, ...world.includes, 'platform/backend/partial']) {
      const proj = s.byPath(path);
      expect(openMrs(proj)).toHaveLength(1);
      const mr = openMrs(proj)[0]!;
      expect(mr).toMatchObject({ target_branch: 'main', remove_source_branch: true, labels: ['ci', 'buildkit'] });
      expect(mr.title).toBe('Draft: Migrate Kaniko image builds to rootless BuildKit');
      expect(mr.description).toContain('## Kaniko → rootless BuildKit');
      expect(p.get(path)).toMatchObject({ outcome: 'opened', mergeRequest: { iid: mr.iid, url: mr.web_url } });
      // links to the changed lines on the merge request's source branch, each range one of the branch's changes
      const blob = `${s.origin}/${path}/-/blob/${BRANCH}/`;
      const links = [...mr.description.matchAll(/\]\((http[^)#\s]+)#L(\d+)(?:-(\d+))?\)/g)];
      expect(links.length).toBeGreaterThan(0);
      const byFile = new Map<string, string[]>();
      for (const [, url, from, to] of links) {
        expect(url!.startsWith(blob)).toBe(true);
        const file = decodeURIComponent(url!.slice(blob.length));
        byFile.set(file, [...(byFile.get(file) ?? []), `${from}-${to ?? from}`]);
      }
      for (const [file, ranges] of byFile) {
        const main = proj.branches.get('main')!.files.get(file)?.content ?? '';
        const branch = proj.branches.get(BRANCH)!.files.get(file)!.content;
        expect(ranges).toEqual(changedLines(main, branch).map((r) => `${r.start}-${r.end}`));
        const [from, to] = ranges[0]!.split('-').map(Number);
        const before = new Set(main.split('\n'));
        expect(
          branch
            .split('\n')
            .slice(from! - 1, to)
            .some((l) => !before.has(l)),
        ).toBe(true);
      }
    }
    // the 502 on opening kaniko-2's merge request was retried: still one
    const kaniko2 = id('platform/frontend/kaniko-2');
    expect(
      s.requests
        .filter((q) => q.method === 'POST' && q.path === `/projects/${kaniko2}/merge_requests`)
        .map((q) => q.status),
    ).toEqual([502, 201]);
    expect(openMrs(s.byPath('platform/frontend/kaniko-2'))).toHaveLength(1);
    // the partial project's merge request lists what needs a person
    expect(openMrs(s.byPath('platform/backend/partial'))[0]!.description).toMatch(/Needs a person[\s\S]*KB311/);
    // includes: the included file is migrated on the branch, the entry is as on main
    const inc = s.byPath(world.includes[0]!);
    expect(inc.branches.get(BRANCH)!.files.get('ci/build.yml')!.content).toContain('buildctl-daemonless.sh build');
    expect(inc.branches.get(BRANCH)!.files.get('.gitlab-ci.yml')!.content).toBe(
      inc.branches.get('main')!.files.get('.gitlab-ci.yml')!.content,
    );
    // no merge request where nothing changes
    for (const path of ['platform/frontend/manual', 'platform/buildkit-0', world.invalid])
      expect(s.byPath(path).mrs).toEqual([]);
  });

  test('--only-failed REPORT.json retries just the failures of that run', async () => {
    const before = s.requests.length;
    const r = await gitlab(['--url', url, '--apply', '--only-failed', firstReport, '--format', 'json'], { env, deps });
    expect(r.code).toBe(2); // the invalid YAML is still invalid
    const report = parse(r.stdout);
    expect(report.projects.map((p) => [p.path, p.outcome]).sort()).toEqual([
      [world.invalid, 'failed'],
      [world.meanwhile, 'opened'],
    ]);
    expect(s.requests.slice(before).some((q) => q.path.startsWith('/groups/'))).toBe(false);
    expect(openMrs(s.byPath(world.meanwhile))).toHaveLength(1);
  });

  test('a rerun is idempotent: every open merge request is updated, no commit, none duplicated', async () => {
    const before = s.requests.length;
    const r = await gitlab([...base(), '--apply', '--format', 'json', '--labels', 'ci,buildkit'], { env, deps });
    const report = parse(r.stdout);
    expect(report.outcomes).toEqual({ planned: 0, opened: 0, updated: 16, waiting: 0, skipped: 10, failed: 1 });
    expect(
      report.projects
        .filter((p) => p.outcome === 'updated')
        .every((p) => p.reason === 'branch already up to date' && p.commit === null),
    ).toBe(true);
    const writes = s.requests.slice(before).filter((q) => q.method !== 'GET');
    expect(writes.filter((q) => q.method === 'POST')).toEqual([]);
    expect(writes.filter((q) => q.method === 'PUT')).toHaveLength(16);
    for (const p of s.projects) expect(openMrs(p).length).toBeLessThanOrEqual(1);
    // --draft not given this time: the title loses its prefix
    expect(openMrs(s.byPath('platform/kaniko-0'))[0]!.title).toBe('Migrate Kaniko image builds to rootless BuildKit');
  });

  test('--skip-existing leaves open merge requests alone', async () => {
    const before = s.requests.length;
    const r = await gitlab([...base(), '--apply', '--skip-existing', '--format', 'json'], { env, deps });
    const report = parse(r.stdout);
    expect(report.outcomes).toEqual({ planned: 0, opened: 0, updated: 0, waiting: 0, skipped: 26, failed: 1 });
    expect(byPath(report).get('platform/kaniko-0')).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('--skip-existing'),
      mergeRequest: expect.objectContaining({ iid: 1 }),
    });
    expect(s.requests.slice(before).filter((q) => q.method !== 'GET')).toEqual([]);
  });

  test('409 when opening a merge request (one was opened meanwhile): looked up and updated', async () => {
    const proj = s.byPath('platform/kaniko-0');
    // the first lookup misses the open merge request, as if it was opened between the lookup and the POST
    s.faults.push({
      method: 'GET',
      path: new RegExp(`^/projects/${proj.id}/merge_requests\\?`),
      status: 200,
      body: [],
      times: 1,
    });
    const r = await gitlab([...base(), '--apply', '--project', 'platform/kaniko-0', '--format', 'json'], { env, deps });
    expect(r.code).toBe(0);
    expect(parse(r.stdout).projects).toEqual([
      expect.objectContaining({ path: 'platform/kaniko-0', outcome: 'updated' }),
    ]);
    const posts = s.requests.filter((q) => q.method === 'POST' && q.path === `/projects/${proj.id}/merge_requests`);
    expect(posts.at(-1)!.status).toBe(409);
    expect(openMrs(proj)).toHaveLength(1);
  });

  test("the default branch moved: the branch is rebuilt from it; a branch with someone else's commits is left alone", async () => {
    const moved = s.byPath('platform/backend/kaniko-1');
    s.push(moved, 'main', {
      '.gitlab-ci.yml': `# moved on\n${moved.branches.get('main')!.files.get('.gitlab-ci.yml')!.content}`,
    });
    const foreign = s.byPath('platform/frontend/kaniko-2');
    s.push(foreign, BRANCH, { Dockerfile: 'FROM alpine:3.21\n' }, 'Fix the base image');
    s.push(foreign, 'main', {
      '.gitlab-ci.yml': `# moved on too\n${foreign.branches.get('main')!.files.get('.gitlab-ci.yml')!.content}`,
    });
    const r = await gitlab(
      [
        ...base(),
        '--apply',
        '--project',
        'platform/backend/kaniko-1',
        '--project',
        'platform/frontend/kaniko-2',
        '--format',
        'json',
      ],
      { env, deps },
    );
    const p = byPath(parse(r.stdout));
    expect(p.get('platform/backend/kaniko-1')).toMatchObject({
      outcome: 'updated',
      reason: 'branch rebuilt from the default branch',
      commit: expect.any(String),
    });
    const rebuilt = moved.branches.get(BRANCH)!.files.get('.gitlab-ci.yml')!.content;
    expect(rebuilt).toMatch(/^# moved on\n/);
    expect(rebuilt).toContain('buildctl-daemonless.sh build');
    expect(p.get('platform/frontend/kaniko-2')).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('Fix the base image'),
    });
    expect(foreign.branches.get(BRANCH)!.files.get('Dockerfile')!.content).toBe('FROM alpine:3.21\n');
  });

  test('the token never appears in any output, report or request URL; it only travels in PRIVATE-TOKEN', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const o of outputs) expect(o).not.toContain(TOKEN);
    for (const f of files) expect(readFileSync(f, 'utf8')).not.toContain(TOKEN);
    for (const q of s.requests) {
      expect(q.url).not.toContain(TOKEN);
      expect(q.token).toBe(TOKEN);
    }
    for (const p of s.projects) for (const m of p.mrs) expect(m.description).not.toContain(TOKEN);
  });
});
