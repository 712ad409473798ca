/**
 * `migrate --recursive` migrates the pipeline generator sources (TypeScript/JavaScript) of every repository it finds,
 * as `migrate` does for one folder: the generator is fixtures/typescript/job-objects.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRecursive, type RecursiveFlags } from '../../src/cli/recursive.js';
import type { CliIO } from '../../src/cli/io.js';

const FIXTURE = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'fixtures', 'typescript', 'job-objects');
const GENERATOR = join('ci', 'generate.ts');

function captureIO(cwd: string): CliIO & { out: () => string } {
  let stdout = '';
  return {
    stdout: (s) => void (stdout += s),
    stderr: () => undefined,
    readStdin: async () => '',
    cwd,
    env: {},
    isTTY: false,
    out: () => stdout,
  };
}

const flags = (f: Partial<RecursiveFlags> = {}): RecursiveFlags => ({
  format: 'json',
  failOn: 'manual',
  progress: false,
  ...f,
});

describe('migrate --recursive and generator sources', () => {
  let group: string;
  let repo: string;
  beforeEach(() => {
    group = mkdtempSync(join(tmpdir(), 'k2b-rec-ts-'));
    repo = join(group, 'app');
    cpSync(join(FIXTURE, 'input'), repo, { recursive: true });
    writeFileSync(
      join(repo, '.gitlab-ci.yml'),
      'generate:\n  image: node:20-alpine\n  script:\n    - npx tsx ci/generate.ts > child.yml\n',
    );
  });
  afterEach(() => rmSync(group, { recursive: true, force: true }));

  test('a dry run reports the generator source of each repository found, and writes nothing', async () => {
    const io = captureIO(group);
    expect(await runRecursive('.', flags({ dryRun: true }), io)).toBe(0);
    const body = JSON.parse(io.out()) as {
      files: { path: string; changed: boolean }[];
      jobs: { path: string; status: string }[];
    };
    expect(body.files).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: join('app', GENERATOR), changed: true })]),
    );
    expect(body.jobs.some((j) => j.path === join('app', GENERATOR) && j.status === 'migrated')).toBe(true);
    expect(readFileSync(join(repo, GENERATOR), 'utf8')).toBe(readFileSync(join(FIXTURE, 'input', GENERATOR), 'utf8'));
  });

  test("writing rewrites the generator to the fixture's expected output; --no-sources leaves it alone", async () => {
    expect(await runRecursive('.', flags({ sources: false }), captureIO(group))).toBe(0);
    expect(readFileSync(join(repo, GENERATOR), 'utf8')).toBe(readFileSync(join(FIXTURE, 'input', GENERATOR), 'utf8'));
    expect(await runRecursive('.', flags(), captureIO(group))).toBe(0);
    expect(readFileSync(join(repo, GENERATOR), 'utf8')).toBe(
      readFileSync(join(FIXTURE, 'expected', GENERATOR), 'utf8'),
    );
  });
});
