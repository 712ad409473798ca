/**
 * Table-driven over fixtures/typescript/<case>/input: migrateTypeScriptSources' output must equal expected/<path> byte
 * for byte (UPDATE_FIXTURES=1 rewrites expected/ and findings.json instead), the findings (code, severity, place) must
 * equal findings.json, a second run over the output changes nothing, the migrated project still compiles (tsc --noEmit),
 * and outside the edits nothing changed: every comment of the input is still in the output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { INPUT_CODES } from '../../src/findings/codes/kb1-input.js';
import { JOB_CODES } from '../../src/findings/codes/kb2-jobs.js';
import { FLAG_CODES } from '../../src/findings/codes/kb3-flags.js';
import { AUTH_PATH_CODES } from '../../src/findings/codes/kb4-auth-paths.js';
import { GENERATOR_CODES } from '../../src/findings/codes/kb5-generators.js';
import type { FileResult } from '../../src/index.js';
import { migrateTypeScriptSources } from '../../src/project/generators.js';
import { caseOptions, copyWith, listAll, tsCases, TS_FIXTURES, typecheck, UPDATE } from './support.js';

const cases = tsCases();

test('the fixture cases the issue asks for are there', () => {
  expect(cases).toEqual(expect.arrayContaining(['job-objects', 'templates', 'concat-spread', 'gcix']));
});

describe.each(cases)('TypeScript fixture %s', (name) => {
  const input = path.join(TS_FIXTURES, name, 'input');
  const expectedDir = path.join(TS_FIXTURES, name, 'expected');
  const findingsFile = path.join(TS_FIXTURES, name, 'findings.json');
  const opts = caseOptions(name);
  let files: FileResult[];
  let outputs: Map<string, string>;

  beforeAll(async () => {
    files = await migrateTypeScriptSources(input, { sources: opts.sources });
    outputs = new Map(files.filter((f) => f.changed).map((f) => [f.path, f.output]));
  }, 60000);

  test('changed files equal expected/ byte for byte', () => {
    const want = [...outputs.keys()].sort();
    if (UPDATE) {
      fs.rmSync(expectedDir, { recursive: true, force: true });
      for (const [p, text] of outputs) {
        fs.mkdirSync(path.dirname(path.join(expectedDir, p)), { recursive: true });
        fs.writeFileSync(path.join(expectedDir, p), text, 'utf8');
      }
      return;
    }
    expect(fs.existsSync(expectedDir) ? listAll(expectedDir) : []).toEqual(want);
    for (const [p, text] of outputs)
      expect({ path: p, output: text }).toEqual({
        path: p,
        output: fs.readFileSync(path.join(expectedDir, p), 'utf8'),
      });
  });

  test('findings equal findings.json (code, severity, file, line, column, job)', () => {
    const got = files
      .flatMap((f) => f.findings)
      .map((f) => ({
        code: f.code,
        severity: f.severity,
        file: f.file,
        line: f.line,
        column: f.column,
        ...(f.job ? { job: f.job } : {}),
      }));
    if (UPDATE) {
      fs.writeFileSync(findingsFile, `${JSON.stringify(got, null, 2)}\n`);
      return;
    }
    expect(got).toEqual(JSON.parse(fs.readFileSync(findingsFile, 'utf8')));
    for (const f of files.flatMap((x) => x.findings)) {
      expect(f.line).toBeGreaterThan(0);
      expect(f.column).toBeGreaterThan(0);
    }
  });

  test('every finding code is documented (KB5xx in src/findings/codes/kb5-generators.ts)', () => {
    // The migration codes (KB1xx–KB5xx) but KB108 and KB109, which only reading YAML files reports.
    const known = new Set(
      Object.keys({ ...INPUT_CODES, ...JOB_CODES, ...FLAG_CODES, ...AUTH_PATH_CODES, ...GENERATOR_CODES }).filter(
        (c) => c !== 'KB108' && c !== 'KB109',
      ),
    );
    expect(
      files
        .flatMap((f) => f.findings)
        .map((f) => f.code)
        .filter((c) => !known.has(c)),
    ).toEqual([]);
  });

  test('a second run over the output changes nothing', async () => {
    const migrated = copyWith(input, outputs, `${name}-again`);
    const again = await migrateTypeScriptSources(migrated, { sources: opts.sources });
    expect(again.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
    // and what was left for a person is still reported
    expect(
      again
        .flatMap((f) => f.findings)
        .filter((f) => f.severity === 'manual')
        .map((f) => f.code),
    ).toEqual(
      files
        .flatMap((f) => f.findings)
        .filter((f) => f.severity === 'manual')
        .map((f) => f.code),
    );
  }, 60000);

  test('the migrated project still compiles (tsc --noEmit)', () => {
    expect(typecheck(input)).toEqual({ status: 0, output: '' });
    const migrated = copyWith(input, outputs, `${name}-tsc`);
    expect(typecheck(migrated)).toEqual({ status: 0, output: '' });
  }, 60000);

  test('comments and untouched lines stay', () => {
    for (const f of files) {
      const comments = (t: string) => t.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g) ?? [];
      expect(comments(f.output)).toEqual(comments(f.original));
      // every edit lies inside the lines it changes; the text between edits is the original's
      let at = 0;
      let out = '';
      for (const e of [...f.edits].sort((a, b) => a.start - b.start)) {
        out += f.original.slice(at, e.start) + e.text;
        at = e.end;
      }
      expect(out + f.original.slice(at)).toBe(f.output);
    }
  });
});
