/**
 * Issue 18, must-show 3: the mutation fuzz through `migrate --recursive`, each mutant a repository of its own, under
 * a per-repository time limit. Mutants of the real-world corpus (../shared/corpus/real-world, read from there, never
 * copied: without it only the fixtures are mutated, and the test says so) and of the fixtures, with the byte
 * mutations of test/fuzz/arbitraries.ts (flips, deletions, duplications, insertions of YAML indicators, tabs, CR,
 * NUL, invalid UTF-8, BOM, document markers).
 *
 * Asserted: the run ends with 0 or 2 (never a crash, never a signal), every mutant has its row, no repository hit the
 * time limit (KB116), every file written parses, and a second run over the written tree changes nothing.
 * Fixed seed in CI; a long run: `FUZZ_RUNS=2000 FUZZ_SEED=… npm run fuzz -- test/fuzz/recursive-mutants.test.ts`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { PARSE_OPTIONS } from '../../src/pipeline/source.js';
import { SHARED } from '../helpers.js';
import { builtCli } from '../stress/helpers.js';
import { fuzzSettings, mutate, mutation } from './arbitraries.js';

const CORPUS = join(SHARED, 'corpus', 'real-world');
const corpus = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.yml'))
      .sort()
      .map((f) => readFileSync(join(CORPUS, f)))
  : [];
if (!corpus.length)
  console.warn(`PARTLY SKIPPED: the real-world corpus is not at ${CORPUS}; only the fixtures are mutated.`);
const fixtures = readdirSync('fixtures')
  .map((d) => join('fixtures', d, 'input', '.gitlab-ci.yml'))
  .filter((p) => existsSync(p))
  .sort()
  .map((p) => readFileSync(p));

/** Seconds a repository may take: a mutant of a file of a few KB takes a fraction of a second. */
const LIMIT_S = 20;

const { numRuns, seed } = fuzzSettings(120, 2000);

interface Report {
  projects: { path: string; status: string; reason: string | null }[];
  files: { path: string; changed: boolean; written?: boolean }[];
}

function run(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [builtCli(), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

test(`--recursive over ${numRuns} mutants: no repository over the time limit, written files parse, a second run changes nothing`, async () => {
  const sources = [...corpus, ...fixtures];
  expect(sources.length).toBeGreaterThan(20);
  const cases = fc.sample(fc.tuple(fc.nat(sources.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 })), {
    numRuns,
    seed,
  });
  const dir = mkdtempSync(join(tmpdir(), 'k2b-mutants-'));
  try {
    const names = cases.map(([index, mutations], i) => {
      const name = `m-${String(i).padStart(4, '0')}`;
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, '.gitlab-ci.yml'), mutate(sources[index]!, mutations));
      writeFileSync(join(dir, name, 'Dockerfile'), 'FROM scratch\n');
      return name;
    });
    const args = ['migrate', '--recursive', '--no-progress', '--format', 'json', '--time-limit', String(LIMIT_S), '.'];
    const first = await run(args, dir);
    expect([first.signal, [0, 2].includes(first.code!)]).toEqual([null, true]);
    expect(first.stderr).not.toMatch(/internal error|\n\s+at \S+ \(/);
    const report = JSON.parse(first.stdout) as Report;
    expect(report.projects.map((p) => p.path).sort()).toEqual(names);
    const overLimit = report.projects.filter((p) => /--time-limit/.test(p.reason ?? ''));
    expect(overLimit).toEqual([]);
    const written = report.files.filter((f) => f.written);
    expect(written.length).toBeGreaterThan(0);
    for (const f of written) {
      const docs = parseAllDocuments(readFileSync(join(dir, f.path), 'utf8'), PARSE_OPTIONS);
      for (const d of Array.isArray(docs) ? docs : [docs]) expect([f.path, d.errors]).toEqual([f.path, []]);
    }
    const second = await run([...args.slice(0, 1), '--dry-run', ...args.slice(1)], dir);
    expect(second.signal).toBeNull();
    const again = JSON.parse(second.stdout) as Report;
    expect(again.files.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 600_000);
