/**
 * Writes the README's flag table from the flag table (src/kaniko/flag-docs.ts, compiled to dist/ by `npm run build`),
 * between the `<!-- flags:start -->` and `<!-- flags:end -->` markers. Run as `npm run docs:flags`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withFlagDocs } from '../dist/kaniko/flag-docs.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const next = withFlagDocs(readme);
if (next === undefined) {
  console.error('README.md has no <!-- flags:start --> / <!-- flags:end --> markers');
  process.exit(1);
}
if (next !== readme) writeFileSync(path, next);
console.log(next === readme ? 'README.md flag table is up to date' : 'README.md flag table written');
