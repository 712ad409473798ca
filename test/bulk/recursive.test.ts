import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findRepositories } from '../../src/bulk/discover.js';
import { mapPool } from '../../src/bulk/pool.js';
import { migrateSource } from '../../src/project/pipeline.js';
import { DiskSource } from '../../src/pipeline/fs-source.js';
import { writeRepository } from '../../src/repository/write.js';
import { runRecursive, type RecursiveFlags } from '../../src/cli/recursive.js';
import type { CliIO } from '../../src/cli/io.js';
import { generateRepos, kanikoJob, writeRepo } from '../../workloads/repos.js';
import { tempRepo } from '../helpers.js';

function captureIO(cwd: string, extra: Partial<CliIO> = {}): CliIO & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => '',
    cwd,
    env: {},
    isTTY: false,
    ...extra,
    out: () => stdout,
    err: () => stderr,
  };
}

const flags = (f: Partial<RecursiveFlags> = {}): RecursiveFlags => ({ format: 'text', failOn: 'manual', ...f });

describe('migrate --recursive over 200 generated repositories', () => {
  const gen = generateRepos(200, true);
  afterAll(() => rmSync(gen.root, { recursive: true, force: true }));

  test('dry run (JSON): the group summary counts are right, the unreadable and invalid repositories are reported, nothing is written', async () => {
    const io = captureIO(gen.root);
    const code = await runRecursive('.', flags({ dryRun: true, format: 'json', concurrency: 8 }), io);
    expect(code).toBe(2);
    const body = JSON.parse(io.out());
    expect(body.groupSummary).toEqual(gen.expected);
    expect(body.groupSummary).toEqual({
      scanned: 200,
      withKaniko: 138,
      migrated: 98,
      partial: 20,
      manual: 20,
      failed: 2,
      unchanged: 60,
    });
    const byPath = new Map(body.projects.map((p: { path: string }) => [p.path, p]));
    const invalid = byPath.get(relative(gen.root, gen.repos[gen.invalid!]!)) as { status: string; reason: string };
    expect(invalid.status).toBe('failed');
    expect(invalid.reason).toMatch(/invalid YAML/);
    const unreadable = byPath.get(relative(gen.root, gen.repos[gen.unreadable!]!)) as {
      status: string;
      reason: string;
    };
    expect(unreadable.status).toBe('failed');
    expect(unreadable.reason).toMatch(gen.unreadableBy === 'chmod 000' ? /permission denied/i : /is a folder/);
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining([
        join(relative(gen.root, gen.repos[gen.invalid!]!), '.gitlab-ci.yml'),
        join(relative(gen.root, gen.repos[gen.unreadable!]!), 'ci/build.yml'),
      ]),
    );
    // the generated repository 1 is a plain Kaniko one: reported, not written
    expect(readFileSync(join(gen.repos[1]!, '.gitlab-ci.yml'), 'utf8')).toContain('/kaniko/executor');
    expect(body.files.filter((f: { written: boolean }) => f.written)).toEqual([]);
  });

  test('text: one line per project that is not unchanged, then the group summary; no progress bar off a terminal', async () => {
    const io = captureIO(gen.root);
    const code = await runRecursive('.', flags({ check: true }), io);
    expect(code).toBe(2);
    expect(io.out()).toContain(
      'Projects: 200 scanned, 138 with Kaniko; 98 migrated, 20 partial, 20 manual, 2 failed, 60 unchanged',
    );
    expect(io.out()).toMatch(/team-0\/repo-0000 +failed {4}.*invalid YAML/);
    // no progress bar; the two failed repositories' errors are on stderr (their lines are not in the report on stdout)
    expect(io.err().split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^team-0\/repo-0000\/\.gitlab-ci\.yml:\d+:\d+ {2}KB101 {2}error /),
      expect.stringMatching(/^team-3\/repo-0003\/ci\/build\.yml {2}KB106 {2}error /),
    ]);
    expect(io.out()).not.toMatch(/ {2}KB10[16] {2}error /);
  });

  test('writes every repository it can, then a second run finds nothing to do but the two broken ones', async () => {
    const g = generateRepos(40, true);
    try {
      const io = captureIO(g.root);
      expect(await runRecursive(g.root, flags({ quiet: true }), io)).toBe(2);
      expect(readFileSync(join(g.repos[1]!, '.gitlab-ci.yml'), 'utf8')).toContain('buildctl-daemonless.sh build');
      expect(readFileSync(join(g.repos[13]!, 'ci/build.yml'), 'utf8')).toContain('buildctl-daemonless.sh build');
      const again = captureIO(g.root);
      expect(await runRecursive(g.root, flags({ check: true, failOn: 'never', format: 'json' }), again)).toBe(2);
      const body = JSON.parse(again.out());
      expect(body.files.filter((f: { changed: boolean }) => f.changed)).toEqual([]);
      expect(body.groupSummary).toMatchObject({ scanned: 40, failed: 2, migrated: 0, partial: 0 });
    } finally {
      rmSync(g.root, { recursive: true, force: true });
    }
  });
});

describe('migrate --recursive', () => {
  test('--check: exit 1 when something is pending, 0 once written', async () => {
    const root = tempRepo({
      'a/.gitlab-ci.yml': kanikoJob('build'),
      'a/Dockerfile': 'FROM scratch\n',
      'b/.gitlab-ci.yml': 'test:\n  script: [true]\n',
    });
    expect(await runRecursive(root, flags({ check: true }), captureIO(root))).toBe(1);
    expect(await runRecursive(root, flags(), captureIO(root))).toBe(0);
    expect(await runRecursive(root, flags({ check: true }), captureIO(root))).toBe(0);
  });

  test('markdown: the group table, then the per-project report', async () => {
    const root = tempRepo({ 'a/.gitlab-ci.yml': kanikoJob('build'), 'a/Dockerfile': 'FROM scratch\n' });
    const io = captureIO(root);
    expect(await runRecursive('.', flags({ dryRun: true, format: 'markdown', output: 'report.md' }), io)).toBe(0);
    const md = readFileSync(join(root, 'report.md'), 'utf8');
    expect(md).toMatch(/^# kaniko2buildkit/);
    expect(md).toContain('| 1 | 1 | 1 | 0 | 0 | 0 | 0 |');
    expect(md).toContain('## Kaniko → rootless BuildKit');
    expect(io.out()).toBe('');
  });

  test('a progress bar on a terminal (stderr), none with NO_COLOR', async () => {
    const root = tempRepo({ 'a/.gitlab-ci.yml': kanikoJob('build'), 'a/Dockerfile': 'FROM scratch\n' });
    const tty = captureIO(root, { isTTY: true });
    await runRecursive('.', flags({ dryRun: true }), tty);
    expect(tty.err()).toContain('1/1 repositories');
    const noColor = captureIO(root, { isTTY: true, env: { NO_COLOR: '1' } });
    await runRecursive('.', flags({ dryRun: true }), noColor);
    expect(noColor.err()).toBe('');
  });

  test('usage errors: no such folder, a bad --concurrency', async () => {
    const root = tempRepo({});
    const io = captureIO(root);
    expect(await runRecursive('nope', flags(), io)).toBe(2);
    expect(io.err()).toContain('nope: no such folder');
    expect(await runRecursive('.', flags({ concurrency: '0' }), io)).toBe(2);
    expect(io.err()).toContain('--concurrency');
  });

  // The KB107 rule (src/repository/write.ts): the file that changed says so, every other changed file says why it was
  // not written either; nothing of the repository is written.
  test('a file changed on disk after it was read is not overwritten, nor any other file of that repository', async () => {
    const root = tempRepo({
      '.gitlab-ci.yml': `include:\n  - local: ci/a.yml\n  - local: ci/b.yml\n`,
      'ci/a.yml': kanikoJob('a'),
      'ci/b.yml': kanikoJob('b'),
      Dockerfile: 'FROM scratch\n',
    });
    const result = await migrateSource(new DiskSource(root));
    expect(result.files.filter((f) => f.changed).map((f) => f.path)).toEqual(['ci/a.yml', 'ci/b.yml']);
    writeFileSync(join(root, 'ci/b.yml'), `${kanikoJob('b')}# edited meanwhile\n`);
    const { written, findings } = await writeRepository(root, result);
    expect(written).toEqual([]);
    expect(findings).toEqual([
      expect.objectContaining({ code: 'KB107', file: 'ci/b.yml', message: expect.stringMatching(/changed on disk/) }),
      expect.objectContaining({ code: 'KB107', file: 'ci/a.yml', message: expect.stringMatching(/another file/) }),
    ]);
    expect(readFileSync(join(root, 'ci/a.yml'), 'utf8')).toBe(kanikoJob('a'));
    expect(readFileSync(join(root, 'ci/b.yml'), 'utf8')).toContain('# edited meanwhile');
  });
});

describe('findRepositories', () => {
  test('skips .git, node_modules, vendor, dist and plain subfolders of a repository; finds nested repositories with their own .git', async () => {
    const root = tempRepo({});
    writeRepo(join(root, 'one'), {
      '.gitlab-ci.yml': 'x: 1\n',
      'sub/.gitlab-ci.yml': 'x: 1\n',
      'mod/.git/HEAD': 'ref\n',
      'mod/.gitlab-ci.yml': 'x: 1\n',
    });
    writeRepo(join(root, 'node_modules/p'), { '.gitlab-ci.yml': 'x: 1\n' });
    writeRepo(join(root, 'group/two'), { '.gitlab-ci.yml': 'x: 1\n', 'vendor/v/.gitlab-ci.yml': 'x: 1\n' });
    writeRepo(join(root, 'three'), { 'README.md': 'no pipeline\n' });
    mkdirSync(join(root, 'folder-as-file/.gitlab-ci.yml'), { recursive: true });
    const found = await findRepositories(root);
    expect(found.repositories.map((r) => relative(root, r))).toEqual(['folder-as-file', 'group/two', 'one', 'one/mod']);
    expect(found.errors).toEqual([]);
  });

  test('mapPool keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapPool([...Array(50).keys()], 4, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (i * 7) % 5));
      running--;
      return i * 2;
    });
    expect(out).toEqual([...Array(50).keys()].map((i) => i * 2));
    expect(peak).toBe(4);
  });
});
