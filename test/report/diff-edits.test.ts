/**
 * The diff built around the edits (src/report/diff.ts, only the stretches near each edit compared) is the same text
 * as the `diff` package's diff of the whole file, on every fixture, on the real-world corpus (from ../shared, when it
 * is there), and on a long generated pipeline; and `git apply --check` takes it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { migrateProject, migrateText, type FileResult } from '../../src/index.js';
import { changedLines, unifiedDiff } from '../../src/report/diff.js';
import { FIXTURES, fixtureCases } from '../support/fixtures.js';
import { KANIKO_JOB, SHARED } from '../helpers.js';

const plain = new Chalk({ level: 0 });
const CORPUS = join(SHARED, 'corpus', 'real-world');

function same(path: string, f: Pick<FileResult, 'original' | 'output' | 'edits'>): void {
  expect(f.edits.length).toBeGreaterThan(0);
  expect(unifiedDiff(path, f.original, f.output, plain, f.edits)).toBe(unifiedDiff(path, f.original, f.output, plain));
  expect(changedLines(f.original, f.output, f.edits)).toEqual(changedLines(f.original, f.output));
}

describe('the diff built around the edits', () => {
  test.each(fixtureCases())('fixture %s', async (name) => {
    const result = await migrateProject({ root: join(FIXTURES, name, 'input') });
    for (const f of result.files.filter((x) => x.changed)) same(f.path, f);
  });

  const corpus = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.yml')) : [];
  if (!corpus.length) console.warn(`SKIPPED: the real-world corpus is not at ${CORPUS}; its diffs were not compared.`);
  (corpus.length ? test : test.skip)('the real-world corpus', async () => {
    let compared = 0;
    for (const name of corpus) {
      const r = await migrateText(readFileSync(join(CORPUS, name), 'utf8'));
      for (const f of r.files.filter((x) => x.changed)) {
        same(name, f);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  test('a long pipeline with edits close together and far apart, and no newline at the end', async () => {
    const jobs = Array.from({ length: 300 }, (_, i) =>
      i % 7 === 0 || i % 7 === 1
        ? KANIKO_JOB.replace('build:', `build-${i}:`)
        : `test-${i}:\n  script:\n    - echo ${i}\n`,
    );
    const text = jobs.join('\n').replace(/\n$/, '');
    const r = await migrateText(text);
    same('.gitlab-ci.yml', r.files[0]!);
  });

  test('git apply --check takes it', async () => {
    const r = await migrateProject({ root: join(FIXTURES, 'seed', 'input') });
    const dir = mkdtempSync(join(tmpdir(), 'k2b-diff-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: dir });
      let patch = '';
      for (const f of r.files.filter((x) => x.changed)) {
        writeFileSync(join(dir, f.path), f.original);
        patch += `${unifiedDiff(f.path, f.original, f.output, plain, f.edits)}\n`;
      }
      writeFileSync(join(dir, 'change.patch'), patch);
      execFileSync('git', ['apply', '--check', 'change.patch'], { cwd: dir });
      execFileSync('git', ['apply', 'change.patch'], { cwd: dir });
      for (const f of r.files.filter((x) => x.changed)) expect(readFileSync(join(dir, f.path), 'utf8')).toBe(f.output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
