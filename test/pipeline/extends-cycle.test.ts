/**
 * `extends` cycles (issue 18, item 6) and chains deeper than GitLab allows: GitLab rejects the pipeline, so the tool
 * reports KB113 with the cycle (KB117 with the chain) and
 * where it starts, changes nothing and exits 2; found in one walk, so a cycle of thousands of templates is quick.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateText } from '../../src/index.js';
import { Pipeline } from '../../src/pipeline/jobs.js';
import { parseSource } from '../../src/pipeline/source.js';
import { runCli, tempRepo } from '../helpers.js';

const KANIKO = (extend: string) =>
  `build:\n  extends: ${extend}\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n    - /kaniko/executor --context . --destination registry.example.com/app:1\n`;

const cyclesOf = (text: string) => new Pipeline([parseSource('.gitlab-ci.yml', text)]).extendsCycles();

function ring(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`.t${i}:\n  extends: .t${(i + 1) % n}\n  variables:\n    V${i}: x\n`);
  return parts.join('') + KANIKO('.t0');
}

test('cycles are found with their members in order; a diamond and a missing template are none', () => {
  expect(cyclesOf(`.a:\n  extends: .b\n.b:\n  extends: .a\n${KANIKO('.a')}`)).toEqual([['.a', '.b', '.a']]);
  expect(cyclesOf(`.s:\n  extends: .s\n${KANIKO('.s')}`)).toEqual([['.s', '.s']]);
  expect(cyclesOf(`.d:\n  tags: [x]\n.b:\n  extends: .d\n.c:\n  extends: .d\n${KANIKO('[.b, .c]')}`)).toEqual([]);
  expect(cyclesOf(KANIKO('.elsewhere'))).toEqual([]);
});

test('a pipeline with a cycle is not migrated: KB113 at the extends that starts it', async () => {
  const text = `.a:\n  extends: .b\n.b:\n  extends: .a\n${KANIKO('.a')}`;
  const r = await migrateText(text);
  const f = r.files[0]!;
  expect(f.output).toBe(text);
  expect(f.findings.filter((x) => x.code === 'KB113')).toEqual([
    expect.objectContaining({
      severity: 'error',
      line: 2,
      column: 12,
      message: expect.stringContaining('.a → .b → .a'),
    }),
  ]);
  expect(r.jobs.filter((j) => j.status === 'migrated')).toEqual([]);
});

test('a cycle of 4,000 templates is reported, shortened, and the CLI exits 2 with nothing written', async () => {
  const text = ring(4000);
  const cycles = cyclesOf(text);
  expect(cycles).toHaveLength(1);
  expect(cycles[0]).toHaveLength(4001);
  const dir = tempRepo({ '.gitlab-ci.yml': text });
  const r = await runCli(['migrate', dir]);
  expect(r.code).toBe(2);
  expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(text);
  expect(r.stderr + r.stdout).toMatch(
    /KB113.*extends cycle: \.t0 → \.t1 → .* → … \(3992 more\) → \.t3998 → \.t3999 → \.t0/,
  );
});

/** A chain: build extends .t0, which extends .t1, … .t(n-1); the job has n ancestors. */
function chain(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++)
    parts.push(`.t${i}:\n${i + 1 < n ? `  extends: .t${i + 1}\n` : ''}  variables:\n    V${i}: x\n`);
  return parts.join('') + KANIKO('.t0');
}

const deepOf = (text: string) => new Pipeline([parseSource('.gitlab-ci.yml', text)]).extendsTooDeep();

test("extends nested deeper than GitLab's 10 ancestors is KB117 (GitLab: 'nesting too deep in `extends`')", async () => {
  // 10 ancestors: GitLab's limit (Extendable::Entry::MAX_NESTING_LEVELS), migrated
  expect(deepOf(chain(10))).toBeUndefined();
  const ten = await migrateText(chain(10));
  expect(ten.jobs.map((j) => j.status)).toEqual(['migrated']);
  // 11: refused, at the deepest job's extends, with its chain; nothing changed
  const text = chain(11);
  expect(deepOf(text)).toEqual({ chain: ['build', ...Array.from({ length: 11 }, (_, i) => `.t${i}`)], jobs: 1 });
  const r = await migrateText(text);
  expect(r.files[0]!.output).toBe(text);
  const at = text.split('\n').findIndex((l) => l === 'build:') + 2;
  expect(r.files[0]!.findings.filter((x) => x.code === 'KB117')).toEqual([
    expect.objectContaining({
      severity: 'error',
      job: 'build',
      line: at,
      column: 12,
      message:
        'extends nested too deep: build has 11 ancestors (build → .t0 → .t1 → .t2 → .t3 → .t4 → .t5 → .t6 → .t7 → .t8 → .t9 → .t10), GitLab allows 10; GitLab rejects the pipeline',
    }),
  ]);
});

test('a chain of 5,000 templates is refused in one walk (no recursion along it), the CLI exits 2', async () => {
  const text = chain(5000);
  const deep = deepOf(text)!;
  expect(deep.chain).toHaveLength(5001);
  expect(deep.jobs).toBe(5001 - 11);
  const dir = tempRepo({ '.gitlab-ci.yml': text });
  const r = await runCli(['migrate', dir]);
  expect(r.code).toBe(2);
  expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(text);
  expect(r.stderr + r.stdout).toMatch(
    /KB117.*build has 5000 ancestors \(build → \.t0 → .* → … \(4992 more\) → \.t4997 → \.t4998 → \.t4999\), GitLab allows 10 \(4990 jobs are nested deeper than that\)/,
  );
});

test('extendsChain of a long chain is a loop: 50,000 ancestors in order, no stack overflow', () => {
  const p = new Pipeline([parseSource('.gitlab-ci.yml', chain(50_000))]);
  const c = p.extendsChain('build');
  expect(c).toHaveLength(50_001);
  expect([c[0], c[1], c.at(-2), c.at(-1)]).toEqual(['.t49999', '.t49998', '.t0', 'build']);
});
