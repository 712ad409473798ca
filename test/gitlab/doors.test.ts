/**
 * Issue 18 items 8 and 14: a file read through the GitLab API is read as a file on disk is: the same size limit
 * (the answer is not read past it), the same UTF-8 rule (a real U+FFFD is text; a byte that is not UTF-8 is refused
 * with its place), and the bytes outside the edits committed as they were read (a byte-order mark too).
 */
import { GitLabClient } from '../../src/gitlab/client.js';
import { readFile } from '../../src/gitlab/api.js';
import { migrateText } from '../../src/index.js';
import { MAX_FILE_BYTES } from '../../src/pipeline/source.js';
import { gitlab } from './cli.js';
import { MockGitLab } from './server.js';
import { kanikoJob } from '../../workloads/repos.js';

const TOKEN = 'glpat-doors-0123456789abcdef';
const env = { GITLAB_TOKEN: TOKEN };
const deps = { retry: { retries: 0, baseMs: 1, maxMs: 1 } };
const BRANCH = 'kaniko2buildkit/migrate';

interface ProjectJson {
  path: string;
  outcome: string;
  reason?: string;
  errors?: { path?: string; code: string; message: string }[];
}

describe('gitlab: every door reads a file the same way', () => {
  let s: MockGitLab;
  let url: string;
  beforeAll(async () => {
    s = new MockGitLab(TOKEN);
    const big = `${kanikoJob('build')}# ${'x'.repeat(MAX_FILE_BYTES)}\n`;
    s.project('doors/big', { '.gitlab-ci.yml': big, Dockerfile: 'FROM scratch\n' });
    s.project('doors/bom', { '.gitlab-ci.yml': `\uFEFF${kanikoJob('build')}`, Dockerfile: 'FROM scratch\n' });
    s.project('doors/fffd', {
      '.gitlab-ci.yml': `# a real U+FFFD: \uFFFD (the replacement character)\n${kanikoJob('build')}`,
      Dockerfile: 'FROM scratch\n',
    });
    s.project('doors/latin1', { '.gitlab-ci.yml': kanikoJob('build'), Dockerfile: 'FROM scratch\n' });
    url = await s.start();
  });
  afterAll(() => s.stop());

  const run = async (project: string) => {
    const r = await gitlab(['--url', url, '--group', 'doors', '--project', project, '--apply', '--format', 'json'], {
      env,
      deps,
    });
    if (!r.stdout) throw new Error(r.stderr);
    const report = JSON.parse(r.stdout) as { projects: ProjectJson[] };
    return { r, project: report.projects[0]! };
  };
  const commitsTo = (path: string) => {
    const id = s.byPath(path).id;
    return s.requests.filter((q) => q.method === 'POST' && q.path === `/projects/${id}/repository/commits`);
  };

  test('a file over the size limit: refused in the words of the disk door; nothing committed', async () => {
    const { r, project } = await run('doors/big');
    expect(r.code).toBe(2);
    expect(project.outcome).toBe('failed');
    expect(project.reason).toMatch(
      /^\.gitlab-ci\.yml is (\d+ bytes, )?over the 10485760-byte \(10 MiB\) limit for a pipeline file$/,
    );
    expect(commitsTo('doors/big')).toEqual([]);
  });

  test('a byte-order mark is committed as it was read', async () => {
    const { r, project } = await run('doors/bom');
    expect([r.code, project.outcome]).toEqual([0, 'opened']);
    const out = s.byPath('doors/bom').branches.get(BRANCH)!.files.get('.gitlab-ci.yml')!.content;
    expect(out).toContain('buildctl-daemonless.sh build');
    expect(out.startsWith('\uFEFFbuild:\n')).toBe(true);
  });

  test('a file that really holds U+FFFD is migrated, the character kept', async () => {
    const { r, project } = await run('doors/fffd');
    expect([r.code, project.outcome]).toEqual([0, 'opened']);
    const out = s.byPath('doors/fffd').branches.get(BRANCH)!.files.get('.gitlab-ci.yml')!.content;
    expect(out).toContain('buildctl-daemonless.sh build');
    expect(out.startsWith('# a real U+FFFD: \uFFFD (the replacement character)\n')).toBe(true);
  });

  test('a byte that is not UTF-8: refused with its place, as on disk', async () => {
    const p = s.byPath('doors/latin1');
    const bytes = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${kanikoJob('build')}`)]);
    s.faults.push({
      method: 'GET',
      path: new RegExp(`^/projects/${p.id}/repository/files/\\.gitlab-ci\\.yml`),
      status: 200,
      body: {
        file_path: '.gitlab-ci.yml',
        encoding: 'base64',
        content: bytes.toString('base64'),
        last_commit_id: 'c0',
      },
      times: 1,
    });
    const { r, project } = await run('doors/latin1');
    s.faults = [];
    expect(r.code).toBe(2);
    expect(JSON.stringify(project)).toContain('.gitlab-ci.yml is not UTF-8 text: byte 0xe9 at line 1, column 6');
    expect(commitsTo('doors/latin1')).toEqual([]);
  });
});

test('the API door stops reading an answer at the limit instead of buffering it (60 MB, or one that says so)', async () => {
  let pulled = 0;
  const chunk = new Uint8Array(1024 * 1024).fill(0x41);
  const endless = (async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          if (pulled >= 60 * chunk.length) return c.close();
          pulled += chunk.length;
          c.enqueue(chunk);
        },
      }),
      { status: 200, headers: { 'Content-Type': 'application/json' } },
    )) as typeof fetch;
  const client = new GitLabClient({ url: 'https://gitlab.example.com', token: TOKEN, fetch: endless });
  await expect(readFile(client, 1, '.gitlab-ci.yml', 'main')).rejects.toThrow(
    '.gitlab-ci.yml is over the 10485760-byte (10 MiB) limit for a pipeline file',
  );
  // the body is cut a little past the base64 size of a 10 MiB file (about 14 MiB), never read to 60 MB
  expect(pulled).toBeLessThan(16 * 1024 * 1024);

  const declared = (async () =>
    new Response('{}', {
      status: 200,
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(60 * 1024 * 1024) },
    })) as typeof fetch;
  const told = new GitLabClient({ url: 'https://gitlab.example.com', token: TOKEN, fetch: declared });
  await expect(readFile(told, 1, '.gitlab-ci.yml', 'main')).rejects.toThrow(/over the 10485760-byte/);
}, 30_000);

test('the library door (texts in memory) applies the same limit', async () => {
  const r = await migrateText(`${kanikoJob('build')}# ${'x'.repeat(MAX_FILE_BYTES)}\n`);
  expect(r.files).toEqual([]);
  expect(r.failed.map((f) => [f.path, f.error.code, f.error.message])).toEqual([
    [
      '.gitlab-ci.yml',
      'KB106',
      'cannot read: .gitlab-ci.yml is 10486027 bytes, over the 10485760-byte (10 MiB) limit for a pipeline file',
    ],
  ]);
});
