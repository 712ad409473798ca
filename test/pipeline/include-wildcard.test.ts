/**
 * `include: local` with wildcards, expanded as GitLab does (https://docs.gitlab.com/ci/yaml/includes/, "Use
 * include:local with wildcard file paths"; lib/gitlab/ci/config/external/mapper/location_expander.rb and
 * Repository#search_files_by_wildcard_path in GitLab's app/models/repository.rb): `*` within one folder, `**` across
 * folders, `?` and `[` plain characters, leading slashes dropped, matches in git's order, the including file left out;
 * KB104 outside the repository, KB108 cycles, KB111 no match, KB112 a source that cannot list its files.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskSource, MemorySource, migrateProject } from '../../src/index.js';
import { loadProject, wildcardRegExp, type FileSource } from '../../src/pipeline/load.js';
import { tempRepo } from '../helpers.js';
import { FIXTURES } from '../support/fixtures.js';
import { isKanikoJob, readEffectivePipeline } from '../support/effective-jobs.js';

const job = (name: string) => `${name}:\n  script: [echo ${name}]\n`;

async function load(files: Record<string, string>, source?: FileSource) {
  const loaded = await loadProject(source ?? new MemorySource(new Map(Object.entries(files))), '.gitlab-ci.yml');
  return {
    paths: loaded.files.map((f) => f.path),
    findings: loaded.findings.map((f) => `${f.file}:${f.line} ${f.code} ${f.message}`),
  };
}

describe("wildcardRegExp: GitLab's matching", () => {
  test.each([
    ['ci/*.yml', 'ci/a.yml', true],
    ['ci/*.yml', 'ci/sub/a.yml', false],
    ['ci/**.yml', 'ci/a.yml', true],
    ['ci/**.yml', 'ci/sub/deep/a.yml', true],
    ['ci/**/*.yml', 'ci/a.yml', false],
    ['ci/**/*.yml', 'ci/sub/a.yml', true],
    ['**/*.yml', 'a.yml', false],
    ['**/*.yml', '.gitlab/ci/a.yml', true],
    ['ci/*.yml', 'ci/a.yml.bak', false],
    ['ci/*.yml', 'ci/ayml', false],
    ['ci/a?.yml', 'ci/ab.yml', false],
    ['ci/a?.yml', 'ci/a?.yml', true],
    ['ci/[ab].yml', 'ci/a.yml', false],
    ['ci/[ab].yml', 'ci/[ab].yml', true],
  ])('%s against %s: %s', (pattern, path, want) => {
    expect(wildcardRegExp(pattern).test(path)).toBe(want);
  });
});

describe('include: local with wildcards', () => {
  test('expanded in git order (bytes), entry by entry in include order, each file read once', async () => {
    const r = await load({
      '.gitlab-ci.yml': `include:\n  - local: ci/*.yml\n  - local: /a/**.yml\n  - ci/b.yml\n${job('main')}`,
      'ci/b.yml': job('b'),
      'ci/B.yml': job('B'),
      'ci/a-1.yml': job('a1'),
      'ci/sub/c.yml': job('c'),
      'a/x/y.yml': job('y'),
      'a/z.yml': job('z'),
      'a/z.txt': 'not yaml',
    });
    expect(r.paths).toEqual(['.gitlab-ci.yml', 'ci/B.yml', 'ci/a-1.yml', 'ci/b.yml', 'a/x/y.yml', 'a/z.yml']);
    expect(r.findings).toEqual([]);
  });

  test('the including file is left out of its own wildcard (GitLab skips self-inclusion)', async () => {
    const r = await load({
      '.gitlab-ci.yml': `include: ci/all.yml\n${job('main')}`,
      'ci/all.yml': `include: ci/*.yml\n${job('all')}`,
      'ci/one.yml': job('one'),
    });
    expect(r.paths).toEqual(['.gitlab-ci.yml', 'ci/all.yml', 'ci/one.yml']);
    expect(r.findings).toEqual([]);
  });

  test('a wildcard that reaches back up the include chain is a cycle (KB108)', async () => {
    const r = await load({
      '.gitlab-ci.yml': `include: ci/*.yml\n${job('main')}`,
      'ci/a.yml': `include: '*.yml'\n${job('a')}`,
    });
    expect(r.paths).toEqual(['.gitlab-ci.yml', 'ci/a.yml']);
    expect(r.findings).toEqual([
      expect.stringMatching(/^ci\/a\.yml:1 KB108 include cycle: \.gitlab-ci\.yml → ci\/a\.yml → \.gitlab-ci\.yml/),
    ]);
  });

  test('no match: KB111 (info), nothing included, as GitLab', async () => {
    const r = await load({ '.gitlab-ci.yml': `include:\n  - local: ci/*.yaml\n${job('main')}`, 'ci/a.yml': job('a') });
    expect(r.paths).toEqual(['.gitlab-ci.yml']);
    expect(r.findings).toEqual([
      '.gitlab-ci.yml:2 KB111 include ci/*.yaml matches no file of the repository: nothing is included (GitLab includes nothing either)',
    ]);
  });

  test('a folder above the repository: KB104; `./` is a plain character sequence to GitLab (no match)', async () => {
    const r = await load({
      '.gitlab-ci.yml': `include:\n  - local: ../*.yml\n  - local: ./ci/*.yml\n${job('main')}`,
      'ci/a.yml': job('a'),
    });
    expect(r.paths).toEqual(['.gitlab-ci.yml']);
    expect(r.findings).toEqual([
      '.gitlab-ci.yml:2 KB104 include ../*.yml points outside the repository: not read',
      expect.stringMatching(/^\.gitlab-ci\.yml:3 KB111 include \.\/ci\/\*\.yml matches no file/),
    ]);
  });

  test('a source that cannot list its files: KB112 (warning), not followed', async () => {
    const memory = new MemorySource(new Map([['.gitlab-ci.yml', `include: ci/*.yml\n${job('main')}`]]));
    const noList: FileSource = { read: (p) => memory.read(p), exists: (p) => memory.exists(p) };
    const r = await load({}, noList);
    expect(r.findings).toEqual([
      ".gitlab-ci.yml:1 KB112 include ci/*.yml uses a wildcard, and the repository's files cannot be listed here: not followed; Kaniko jobs in the files it matches are not migrated",
    ]);
  });

  test('on disk: .git is never listed, a link to a folder is not entered, a link to a file leading outside is KB104', async () => {
    const root = tempRepo({
      '.gitlab-ci.yml': `include: '**.yml'\n${job('main')}`,
      'ci/a.yml': job('a'),
      '.git/x.yml': job('git'),
      'elsewhere/b.yml': job('b'),
    });
    const outside = tempRepo({ 'o.yml': job('o') });
    symlinkSync(join(root, 'elsewhere'), join(root, 'linked'));
    symlinkSync(join(outside, 'o.yml'), join(root, 'out.yml'));
    mkdirSync(join(root, 'empty'));
    writeFileSync(join(root, 'empty', 'note.txt'), 'x');
    const r = await load({}, new DiskSource(root));
    expect(r.paths).toEqual(['.gitlab-ci.yml', 'ci/a.yml', 'elsewhere/b.yml']);
    expect(r.findings).toEqual([
      expect.stringMatching(/^\.gitlab-ci\.yml:1 KB104 include out\.yml: out\.yml leads outside/),
    ]);
  });
});

describe('fixture include-wildcard: the Kaniko jobs of the matched files are migrated, and only those', () => {
  const root = join(FIXTURES, 'include-wildcard', 'input');

  test("GitLab's view (gitlab-ci-local) and the migration agree on the Kaniko jobs", async () => {
    const effective = await readEffectivePipeline(root, { validate: false });
    const kaniko = Object.values(effective.jobs)
      .filter(isKanikoJob)
      .map((j) => j.name)
      .sort();
    expect(kaniko).toEqual(['build-api', 'build-app']);
    const r = await migrateProject({ root });
    const migrated = r.jobs
      .filter((j) => j.status === 'migrated')
      .map((j) => j.name)
      .sort();
    expect(migrated).toEqual(kaniko);
    expect(r.files.map((f) => f.path)).not.toContain('.gitlab/ci/nested/not-matched.yml');
  }, 60000);
});
