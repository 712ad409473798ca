/** README.md's flag table is the one `npm run docs:flags` generates from the flag table. */
import { readFileSync } from 'node:fs';
import { FLAG_DOCS_END, FLAG_DOCS_START, withFlagDocs } from '../../src/kaniko/flag-docs.js';

test('README.md flag table is up to date (run `npm run docs:flags`)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  expect(readme).toContain(FLAG_DOCS_START);
  expect(readme).toContain(FLAG_DOCS_END);
  expect(withFlagDocs(readme)).toBe(readme);
});

test('the flag table follows the "What a migration does" table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.indexOf('## What a migration does');
  const next = readme.indexOf('\n## ', section + 1);
  const start = readme.indexOf(FLAG_DOCS_START);
  expect(section).toBeGreaterThan(0);
  expect(start).toBeGreaterThan(section);
  expect(start).toBeLessThan(next);
});
