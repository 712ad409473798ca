/**
 * One measurement in a fresh process, so peak memory belongs to that work alone:
 *   node bench/child.mjs MODE FILE [REPEAT]
 * MODE: `baseline` (load the modules and the text, nothing else), `parse` (one yaml parseDocument), `migrate` (one
 * migrateText of the built dist/). Prints JSON: { ms, maxRssKb, heapUsedKb }.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { migrateText } from '../dist/index.js';

const [mode, file, repeat = '1'] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
let keep;
const start = performance.now();
for (let i = 0; i < Number(repeat); i++) {
  if (mode === 'parse') keep = parseDocument(text);
  else if (mode === 'migrate') keep = await migrateText(text);
  else if (mode !== 'baseline') throw new Error(`unknown mode ${mode}`);
}
const ms = (performance.now() - start) / Number(repeat);
const result = {
  ms,
  maxRssKb: process.resourceUsage().maxRSS,
  heapUsedKb: Math.round(process.memoryUsage().heapUsed / 1024),
  kept: keep ? 1 : 0,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
