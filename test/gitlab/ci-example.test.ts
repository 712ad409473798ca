/**
 * The example pipeline `examples/gitlab-group-audit/.gitlab-ci.yml`, run as GitLab would run it, by gitlab-ci-local
 * (shell executor), against the stand-in GitLab: three `audit` jobs (`parallel: 3`), each auditing its shard, then
 * `report` merging their reports. The merged report must be what one direct run over the whole group prints.
 * gitlab-ci-local needs git and rsync; without them (or without the build) this test is skipped, loudly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gitlab } from './cli.js';
import type { MockGitLab } from './server.js';
import { buildShardWorld, SHARD_GROUP, SHARD_TOKEN, type ShardWorld } from './shard-world.js';

const root = resolve(import.meta.dirname, '../..');
const example = join(root, 'examples/gitlab-group-audit/.gitlab-ci.yml');
const gcl = join(root, 'node_modules/.bin/gitlab-ci-local');
const bin = join(root, 'bin/kaniko2buildkit.js');

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = [
  !existsSync(gcl) && 'gitlab-ci-local (npm ci)',
  !has('git') && 'git',
  !has('rsync') && 'rsync (gitlab-ci-local copies the checkout with it)',
  !has('bash') && 'bash',
  !existsSync(join(root, 'dist/cli/report.js')) && 'the build (npm run build)',
].filter(Boolean);
if (missing.length)
  console.warn(
    `\n*** SKIPPED: test/gitlab/ci-example.test.ts: the example pipeline is NOT tested: missing ${missing.join(', ')} ***\n`,
  );
const maybe = missing.length ? test.skip : test;

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out }));
  });
}

let world: ShardWorld;
let s: MockGitLab;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'k2b-ci-example-'));

beforeAll(async () => {
  world = buildShardWorld();
  s = world.server;
  url = await s.start();
});
afterAll(async () => {
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

maybe(
  'gitlab-ci-local runs the example: 3 audit shards, then report merge; the merged report is the direct run’s',
  async () => {
    const repo = join(dir, 'repo');
    const git = (...args: string[]) => {
      const r = spawnSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], { cwd: repo });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.toString()}`);
    };
    spawnSync('mkdir', ['-p', repo]);
    copyFileSync(example, join(repo, '.gitlab-ci.yml'));
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', 'https://gitlab.example.com/audit/group-audit.git');
    git('add', '.gitlab-ci.yml');
    git('commit', '-q', '-m', 'the example pipeline');

    const r = await run(
      gcl,
      [
        '--home',
        join(dir, 'home'),
        '--force-shell-executor',
        '--no-color',
        '--ignore-predefined-vars',
        'CI_SERVER_URL',
        '--variable',
        `K2B=node ${bin}`,
        '--variable',
        `CI_SERVER_URL=${url}`,
        '--variable',
        `AUDIT_GROUP=${SHARD_GROUP}`,
        '--variable',
        `GITLAB_TOKEN=${SHARD_TOKEN}`,
      ],
      repo,
    );
    const log = r.out;
    // the shard with the broken project fails (exit 2), so does the pipeline; `report` runs all the same
    const failing = (s.byPath(world.failing).id % 3) + 1;
    expect(log).toMatch(new RegExp(`audit: \\[${failing}/3\\] finished in .* FAIL 2`));
    expect(log).toMatch(new RegExp(`^ FAIL  audit: \\[${failing}/3\\]`, 'm'));
    for (const i of [1, 2, 3].filter((i) => i !== failing))
      expect(log).toMatch(new RegExp(`^ PASS  audit: \\[${i}/3\\]`, 'm'));
    expect(log).toMatch(/^ PASS {2}report/m);
    expect(r.code).not.toBe(0);
    expect(log).not.toContain(SHARD_TOKEN);

    for (const i of [1, 2, 3]) {
      const shard = JSON.parse(readFileSync(join(repo, `report-${i}.json`), 'utf8')) as {
        shard: unknown;
        projects: { id: number }[];
      };
      expect(shard.shard).toEqual({ index: i, total: 3 });
      expect(shard.projects.every((p) => p.id % 3 === i - 1)).toBe(true);
    }

    const md = join(dir, 'direct.md');
    const direct = await gitlab(
      ['--url', url, '--group', SHARD_GROUP, '--include-subgroups', '--format', 'json', '--output', md],
      { env: { GITLAB_TOKEN: SHARD_TOKEN } },
    );
    expect(direct.code).toBe(2);
    expect(readFileSync(join(repo, 'group-report.json'), 'utf8')).toBe(direct.stdout);
    expect(readFileSync(join(repo, 'group-report.md'), 'utf8')).toBe(readFileSync(md, 'utf8'));
  },
  60_000,
);
