import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { inShard, MAX_SHARDS, parseShard, shardOf } from '../../src/gitlab/shard.js';
import { gitlab, report } from './cli.js';
import type { MockGitLab } from './server.js';
import { buildShardWorld, SHARD_GROUP, SHARD_TOKEN, type ShardWorld } from './shard-world.js';

const env = { GITLAB_TOKEN: SHARD_TOKEN };
const dir = mkdtempSync(join(tmpdir(), 'k2b-shard-'));
let world: ShardWorld;
let s: MockGitLab;
let url: string;
const base = () => ['--url', url, '--group', SHARD_GROUP, '--include-subgroups'];

interface Body {
  shard: { index: number; total: number } | null;
  projects: { id: number; path: string; outcome: string }[];
}
const parse = (text: string) => JSON.parse(text) as Body;
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

/** The unsharded run, the reference: JSON on stdout, Markdown through --output. */
let whole = { json: '', markdown: '', text: '' };

beforeAll(async () => {
  world = buildShardWorld();
  s = world.server;
  url = await s.start();
  const md = join(dir, 'whole.md');
  const r = await gitlab([...base(), '--format', 'json', '--output', md], { env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(2); // the broken project
  const text = await gitlab([...base(), '--no-color'], { env });
  whole = { json: r.stdout, markdown: readFileSync(md, 'utf8'), text: text.stdout };
  write('whole.json', whole.json);
});
afterAll(async () => {
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the shard assignment (pure)', () => {
  test('every id is in exactly one of N shards, the one `id % N + 1`, whoever asks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: MAX_SHARDS }),
        (id, n) => {
          const hits = [...Array(n).keys()].filter((i) => inShard(id, { index: i + 1, total: n }));
          expect(hits).toEqual([shardOf(id, n) - 1]);
          expect(shardOf(id, n)).toBe((id % n) + 1);
          expect(shardOf(id, n)).toBe(shardOf(id, n));
        },
      ),
    );
  });

  test('a project known only by its path (an --only-failed one not fetched) has one shard too, the same in any case', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: MAX_SHARDS }), (path, n) => {
        const k = shardOf(path, n);
        expect(k).toBeGreaterThanOrEqual(1);
        expect(k).toBeLessThanOrEqual(n);
        expect([...Array(n).keys()].filter((i) => inShard(path, { index: i + 1, total: n }))).toEqual([k - 1]);
        expect(shardOf(path.toUpperCase(), n)).toBe(shardOf(path.toLowerCase(), n));
      }),
    );
  });

  test('the shard of an id does not depend on the other ids (adding a project moves no other)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1e9 }), { minLength: 1 }),
        fc.integer({ min: 1, max: 9 }),
        (ids, n) => {
          const before = ids.map((id) => shardOf(id, n));
          const after = [...ids, 1e9 + 1].map((id) => shardOf(id, n)).slice(0, ids.length);
          expect(after).toEqual(before);
        },
      ),
    );
  });

  test('parseShard reads I/N and $CI_NODE_INDEX/$CI_NODE_TOTAL values, and says what is wrong', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_SHARDS }).chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n))),
        ([i, n]) => {
          expect(parseShard(`${i}/${n}`)).toEqual({ index: i, total: n });
        },
      ),
    );
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, total: 3 });
    expect(() => parseShard('0/3')).toThrow(/I must be 1 to 3/);
    expect(() => parseShard('4/3')).toThrow(/I must be 1 to 3/);
    expect(() => parseShard('1/0')).toThrow(/N must be 1 to 200/);
    expect(() => parseShard('1/201')).toThrow(/N must be 1 to 200/);
    expect(() => parseShard('/')).toThrow(/CI_NODE_INDEX or CI_NODE_TOTAL unset/);
    for (const bad of ['', '2', '2/3/4', 'a/b', '-1/3', '1.5/3', '2of3'])
      expect(() => parseShard(bad)).toThrow(/expected I\/N/);
  });
});

describe('gitlab --shard I/N and report merge, against a local GitLab', () => {
  test('the unsharded run: 23 projects, one failed, shard null', () => {
    const body = parse(whole.json);
    expect(body.shard).toBeNull();
    expect(body.projects.map((p) => p.path)).toEqual(world.paths);
    expect(body.projects.filter((p) => p.outcome === 'failed').map((p) => p.path)).toEqual([world.failing]);
    // the reports to match carry what a record must rebuild: diffs, findings, the group table
    expect(whole.markdown).toMatch(/<summary>Diff \(1[0-9] files\)<\/summary>/);
    expect(whole.markdown).toContain('| 23 | 14 | 12 | 1 | 1 | 1 | 8 |');
    expect(whole.text).toContain('+    - buildctl-daemonless.sh build');
    expect(whole.text).toMatch(/KB311/);
  });

  for (const n of [1, 2, 3, 4, 5])
    test(`N = ${n}: the shards split the group (each project once, by id); their merge is the unsharded report, byte for byte`, async () => {
      const files: string[] = [];
      const seen: string[] = [];
      for (let i = 1; i <= n; i++) {
        const before = s.requests.length;
        const r = await gitlab([...base(), '--shard', `${i}/${n}`, '--format', 'json'], { env });
        expect(r.stderr).toBe('');
        const body = parse(r.stdout);
        expect(body.shard).toEqual({ index: i, total: n });
        expect(r.code).toBe(body.projects.some((p) => p.path === world.failing) ? 2 : 0);
        for (const p of body.projects) expect(p.id % n).toBe(i - 1);
        seen.push(...body.projects.map((p) => p.path));
        // no per-project request for another shard's project
        const others = new Set(s.projects.filter((p) => p.id % n !== i - 1).map((p) => p.id));
        const touched = s.requests
          .slice(before)
          .map((q) => /^\/projects\/(\d+)\//.exec(q.path)?.[1])
          .filter((id): id is string => !!id);
        expect(touched.length).toBeGreaterThan(0);
        expect(touched.filter((id) => others.has(Number(id)))).toEqual([]);
        files.push(write(`shard-${i}-of-${n}.json`, r.stdout));
      }
      expect([...seen].sort()).toEqual(world.paths);
      expect(new Set(seen).size).toBe(seen.length);

      // in any order of the files
      const json = await report(['merge', ...[...files].reverse(), '--format', 'json']);
      expect(json).toEqual({ code: 0, stdout: whole.json, stderr: '' });
      const md = await report(['merge', ...files, '--format', 'markdown']);
      expect(md).toEqual({ code: 0, stdout: whole.markdown, stderr: '' });
      const text = await report(['merge', ...files]);
      expect(text).toEqual({ code: 0, stdout: whole.text, stderr: '' });
      // -o writes the chosen format to the file
      const out = join(dir, `merged-${n}.md`);
      expect(await report(['merge', ...files, '--format', 'markdown', '-o', out])).toEqual({
        code: 0,
        stdout: '',
        stderr: '',
      });
      expect(readFileSync(out, 'utf8')).toBe(whole.markdown);
    });

  test('a merged report can be merged again, and read by --only-failed; --only-failed composes with --shard', async () => {
    const merged = await report(['merge', join(dir, 'whole.json'), '--format', 'json']);
    expect(merged.stdout).toBe(whole.json);
    const failedId = s.byPath(world.failing).id;
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await gitlab(
        ['--url', url, '--only-failed', join(dir, 'whole.json'), '--shard', `${i}/3`, '--format', 'json'],
        {
          env,
        },
      );
      const body = parse(r.stdout);
      expect(body.shard).toEqual({ index: i, total: 3 });
      seen.push(...body.projects.map((p) => p.path));
      expect(r.code).toBe(failedId % 3 === i - 1 ? 2 : 0);
    }
    expect(seen).toEqual([world.failing]);
  });

  test('a missing shard: merged all the same, with a warning naming it', async () => {
    const r = await report([
      'merge',
      join(dir, 'shard-1-of-4.json'),
      join(dir, 'shard-3-of-4.json'),
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'kaniko2buildkit report merge: warning: shards 2, 4 of 4 missing: their projects are not in the merged report\n',
    );
    const body = parse(r.stdout);
    expect(body.shard).toBeNull();
    const expected = [1, 3].flatMap((i) =>
      parse(readFileSync(join(dir, `shard-${i}-of-4.json`), 'utf8')).projects.map((p) => p.path),
    );
    expect(body.projects.map((p) => p.path)).toEqual(expected.sort());
  });

  test('refused, exit 2, naming the files: another run, a shard twice, a project in two reports, not a report', async () => {
    const one = join(dir, 'shard-1-of-2.json');
    const two = join(dir, 'shard-2-of-2.json');
    const text = readFileSync(two, 'utf8');
    for (const [field, value] of [
      ['group', 'audit/team-a'],
      ['url', 'https://gitlab.example.com'],
      ['mode', 'apply'],
      ['branch', 'other'],
    ] as const) {
      const changed = write(`changed-${field}.json`, JSON.stringify({ ...JSON.parse(text), [field]: value }));
      const r = await report(['merge', one, changed]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${changed}: another run: ${field} ${JSON.stringify(value)}, where ${one} has`);
    }
    const otherN = await report(['merge', one, join(dir, 'shard-2-of-3.json')]);
    expect(otherN.code).toBe(2);
    expect(otherN.stderr).toContain('shard-2-of-3.json: shard 2/3, where');
    const twice = await report(['merge', one, one]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`shard 1/2 is given twice: ${one} and ${one}`);
    const mixed = await report(['merge', join(dir, 'whole.json'), one]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('whole.json is a whole run (no --shard)');

    // the same project in two reports (two runs without --shard that both took it)
    const path = parse(readFileSync(one, 'utf8')).projects[0]!.path;
    const a = write('a.json', (await gitlab([...base(), '--project', path, '--format', 'json'], { env })).stdout);
    const b = write(
      'b.json',
      (await gitlab([...base(), '--project', path, '--project', world.failing, '--format', 'json'], { env })).stdout,
    );
    const dup = await report(['merge', a, b]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toBe(
      `kaniko2buildkit report merge: project ${path} (id ${s.byPath(path).id}) is in two reports: ${a} and ${b}\n`,
    );

    const notJson = write('not.json', 'hello');
    expect((await report(['merge', notJson])).stderr).toContain(`${notJson}: not a JSON report`);
    const migrateJson = write('migrate.json', JSON.stringify({ files: [], jobs: [], errors: [] }));
    expect((await report(['merge', migrateJson])).stderr).toContain(
      `${migrateJson}: not a report of \`kaniko2buildkit gitlab --format json\``,
    );
    const old = write(
      'old.json',
      JSON.stringify({
        ...JSON.parse(text),
        projects: [
          {
            id: 1,
            path: 'x/y',
            webUrl: null,
            status: 'unchanged',
            outcome: 'skipped',
            reason: null,
            mergeRequest: null,
            commit: null,
          },
        ],
      }),
    );
    const oldRun = await report(['merge', old]);
    expect(oldRun.code).toBe(2);
    expect(oldRun.stderr).toContain(`${old}: project 1: no per-project report`);
    const missing = await report(['merge', join(dir, 'nope.json')]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read') });
  });

  test('--shard: bad values exit 2 with what is wrong, before any request', async () => {
    const before = s.requests.length;
    for (const [value, message] of [
      ['0/3', 'I must be 1 to 3'],
      ['4/3', 'I must be 1 to 3'],
      ['2', 'expected I/N'],
      ['/', 'CI_NODE_INDEX or CI_NODE_TOTAL unset'],
      ['1/0', 'N must be 1 to'],
    ]) {
      const r = await gitlab([...base(), '--shard', value!], { env });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`kaniko2buildkit gitlab: --shard`);
      expect(r.stderr).toContain(message);
    }
    expect(s.requests.length).toBe(before);
  });
});
