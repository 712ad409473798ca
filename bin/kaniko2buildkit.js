#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A closed pipe (`… | head`) ends the output quietly, as other command-line tools do.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
