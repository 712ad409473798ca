#!/usr/bin/env node
// `--version` alone is answered from package.json (through dist/project/version.js, the one place that reads it) before
// anything else loads (issue 16: start-up); every other command line runs the bundle of the command
// (dist/cli/bundle.cjs, through bin/load-bundle.js), which loads only the modules of the command it names.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { toolVersion } = await import('../dist/project/version.js');
  process.stdout.write(`${toolVersion()}\n`);
} else {
  // A closed pipe (`… | head`) ends the output quietly, as other command-line tools do.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const { loadBundle } = await import('./load-bundle.js');
  process.exitCode = await loadBundle().exports.main(process.argv);
}
