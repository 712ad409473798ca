/**
 * `extends` cycles (issue 18, item 6): GitLab rejects the pipeline, so the tool reports KB113 with the cycle and
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
