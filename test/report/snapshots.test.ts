/**
 * Snapshot tests of the text, Markdown, Code Quality and JSON reports for fixtures/report/repo, a repository with a
 * finding of every severity and a file of every summary status. The expected outputs are plain files under
 * fixtures/report/ (expected.*); `UPDATE_FIXTURES=1` rewrites them for review instead of comparing.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers.js';

const DIR = join(process.cwd(), 'fixtures', 'report');
// The fixture as a repository of its own (a copy with a .git folder): the Code Quality paths are relative to the
// git repository's root, which would otherwise be this project's (fixtures/report/repo/…), or none in a tarball.
const REPO = mkdtempSync(join(tmpdir(), 'k2b-report-'));
cpSync(join(DIR, 'repo'), REPO, { recursive: true });
mkdirSync(join(REPO, '.git'));
const UPDATE = process.env.UPDATE_FIXTURES === '1';

function matchesFile(actual: string, name: string): void {
  const path = join(DIR, name);
  if (UPDATE) {
    writeFileSync(path, actual, 'utf8');
    return;
  }
  expect(existsSync(path) ? 'present' : `missing ${name}: run with UPDATE_FIXTURES=1 and review it`).toBe('present');
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const cases: [string, string[]][] = [
  ['expected.text', []],
  ['expected.md', ['--format', 'markdown']],
  ['expected.codequality.json', ['--format', 'codequality']],
  ['expected.json', ['--format', 'json']],
];

describe('reports of fixtures/report/repo', () => {
  test.each(cases)('%s', async (name, args) => {
    const r = await runCli(['migrate', '--dry-run', ...args, '.'], { cwd: REPO });
    expect(r.code).toBe(2); // the fixture holds error findings on purpose
    matchesFile(r.stdout, name);
    // the error findings go to stderr in every format (the text report on stdout leaves their lines out)
    matchesFile(r.stderr, 'expected.stderr');
  });

  test('the fixture covers every severity and every summary status', async () => {
    const r = await runCli(['migrate', '--dry-run', '--format', 'json', '.'], { cwd: REPO });
    const report = JSON.parse(r.stdout) as {
      summary: { findings: Record<string, number> };
      files: { status: string }[];
    };
    for (const s of ['info', 'warning', 'manual', 'error'])
      expect({ [s]: report.summary.findings[s]! > 0 }).toEqual({ [s]: true });
    expect(new Set(report.files.map((f) => f.status))).toEqual(new Set(['partial', 'migrated', 'manual']));
    const text = await runCli(['migrate', '--dry-run', '.'], { cwd: REPO });
    // a dry run writes nothing: what it would migrate says so
    for (const status of ['would migrate', 'would partly migrate', 'manual', 'unchanged'])
      expect(text.stdout).toMatch(new RegExp(`^\\S*\\s+\\S*\\s+${status}\\s`, 'm'));
  });
});
