/**
 * The baseline process of bench/run.mjs's whole-process rows: `node bench/parse.mjs FILE` reads FILE and runs one
 * yaml `parseDocument` of it with the default options, nothing else (issue 16: "a process that only runs yaml
 * parseDocument on the same file").
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

const doc = parseDocument(readFileSync(process.argv[2], 'utf8'));
if (doc.errors.length > 99) process.exitCode = 1; // the document is used, so nothing of the parse can be skipped
