/**
 * Issue 18 item 7: edits a little more than a margin apart (Kaniko jobs every few jobs, as GitLab documents them) no
 * longer join into one stretch of the whole file, and the diff built around them is still the whole-file diff's text,
 * for every distance between two edits around the joining and margin distances, with and without context.
 */
import { Chalk } from 'chalk';
import { migrateText } from '../../src/index.js';
import { changedLines, unifiedDiff } from '../../src/report/diff.js';
import { generateDocumentedPipeline } from '../../workloads/shapes.mjs';

const plain = new Chalk({ level: 0 });

async function same(text: string): Promise<void> {
  const f = (await migrateText(text)).files[0]!;
  expect(f.edits.length).toBeGreaterThan(0);
  expect(unifiedDiff('.gitlab-ci.yml', f.original, f.output, plain, f.edits)).toBe(
    unifiedDiff('.gitlab-ci.yml', f.original, f.output, plain),
  );
  expect(changedLines(f.original, f.output, f.edits)).toEqual(changedLines(f.original, f.output));
}

const kaniko = (i: number) =>
  `build-${i}:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n` +
  `    - /kaniko/executor --context $CI_PROJECT_DIR --dockerfile $CI_PROJECT_DIR/Dockerfile --destination r.example/a:${i}\n`;

describe('the diff around edits spread through a file', () => {
  test('every fourth job a Kaniko build (the documented shape)', async () => {
    await same(generateDocumentedPipeline(400));
  });

  test.each(Array.from({ length: 26 }, (_, i) => i))('two builds %i filler lines apart', async (gap) => {
    const filler = Array.from({ length: gap }, (_, i) => `# line ${i}\n`).join('');
    await same(`${kaniko(1)}${filler}${kaniko(2)}${filler}${kaniko(3)}`);
  });
});
