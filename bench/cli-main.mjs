/**
 * The CLI unbundled (dist/cli/main.js, tsc's output), as bench/run.mjs profiles it: the same code as the bundle that
 * bin/kaniko2buildkit.js runs, with the functions' own names and files in the profile.
 *   node --cpu-prof bench/cli-main.mjs migrate --dry-run FILE
 */
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
