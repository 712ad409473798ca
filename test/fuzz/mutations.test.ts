/**
 * Fuzz: random byte mutations of the fixture pipelines (flips, deletions, duplications, insertions of YAML
 * indicators, tabs, CR, NUL, invalid UTF-8, BOM, document markers). Never a crash or a hang: each case ends within a
 * time limit with either a migration whose output parses (and a second run changes nothing) or clean input errors
 * (a KB1xx code, a message, a position inside the file).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { migrateText } from '../../src/index.js';
import { decodeText } from '../../src/pipeline/fs-source.js';
import { PARSE_OPTIONS } from '../../src/pipeline/source.js';
import { fuzzSettings, mutate, mutation } from './arbitraries.js';

const FIXTURES = readdirSync('fixtures')
  .map((d) => join('fixtures', d, 'input', '.gitlab-ci.yml'))
  .filter((p) => existsSync(p))
  .sort()
  .map((p) => ({ path: p, bytes: readFileSync(p) }));

/** A single case must end well within this (a hang would otherwise stall the suite until jest's timeout). */
const CASE_LIMIT_MS = 3000;

const { numRuns, seed, endOnFailure } = fuzzSettings(250, 10_000);

test('byte mutations of the fixtures: only clean results or clean errors, never a crash or a hang', async () => {
  expect(FIXTURES.length).toBeGreaterThan(20);
  const outcomes = { migrated: 0, unchanged: 0, rejected: 0, notText: 0 };
  let slowest = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.nat(FIXTURES.length - 1),
      fc.array(mutation, { minLength: 1, maxLength: 6 }),
      async (index, mutations) => {
        const fixture = FIXTURES[index]!;
        const bytes = mutate(fixture.bytes, mutations);
        const started = performance.now();
        let text: string;
        try {
          text = decodeText('.gitlab-ci.yml', bytes);
        } catch (e) {
          expect((e as Error).message).toMatch(
            /^\.gitlab-ci\.yml is not UTF-8 text: (a NUL byte \(a binary file\?\)|byte 0x[0-9a-f]{2}) at line \d+, column \d+$/,
          );
          outcomes.notText++;
          return;
        }
        const r = await migrateText(text);
        const lines = text.split('\n').length;
        for (const f of r.failed) {
          expect(f.error.code).toMatch(/^KB10[1-9]$/);
          expect(f.error.message.length).toBeGreaterThan(5);
          expect(f.error.line).toBeGreaterThanOrEqual(0);
          expect(f.error.line).toBeLessThanOrEqual(lines);
        }
        for (const file of r.files) {
          for (const finding of file.findings) expect(finding.code).toMatch(/^KB\d{3}$/);
          if (file.changed) {
            const docs = parseAllDocuments(file.output, PARSE_OPTIONS);
            for (const d of Array.isArray(docs) ? docs : [docs]) expect(d.errors).toEqual([]);
            const again = await migrateText(file.output);
            expect(again.files[0]?.output).toBe(file.output);
            outcomes.migrated++;
          } else outcomes.unchanged++;
        }
        if (r.failed.length) outcomes.rejected++;
        const took = performance.now() - started;
        slowest = Math.max(slowest, took);
        expect(took).toBeLessThan(CASE_LIMIT_MS);
      },
    ),
    { numRuns, seed, endOnFailure },
  );
  // mutations reach every outcome: some still migrate, some are rejected
  expect(outcomes.migrated).toBeGreaterThan(0);
  expect(outcomes.rejected).toBeGreaterThan(0);
}, 600_000);
