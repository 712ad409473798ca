// The command's bundle: dist/cli/main.js (tsc's output) and the packages it imports, in one file, dist/cli/bundle.js,
// which bin/kaniko2buildkit.js runs. One file loads faster than the ~250 modules it replaces (issue 16: the start-up
// of `--help` and of a dry run); the library entry point (dist/index.js and its declarations) stays tsc's output.
//
// What the command imports dynamically on purpose stays lazy: its own modules become functions of the bundle that
// run when first imported (esbuild's lazy module init), and ts-morph, an optional peer dependency, stays outside it,
// imported from node_modules when a generator source is migrated. The CommonJS packages in it (commander,
// write-file-atomic) call require() for Node's built-in modules and read __filename: the banner gives them both.
//
// Usage: node scripts/bundle.mjs [--no-minify] [--dist DIR]   (after tsc -p tsconfig.build.json; npm run build runs
// both). --dist: the folder of tsc's output to bundle, and write the bundle into (default: dist/ of this repository).
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const minify = !args.includes('--no-minify');
const dist = args.includes('--dist') ? resolve(args[args.indexOf('--dist') + 1]) : join(root, 'dist');
await build({
  entryPoints: [join(dist, 'cli', 'main.js')],
  outfile: join(dist, 'cli', 'bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ts-morph'],
  minify,
  legalComments: 'eof',
  // the CommonJS packages inside it see what Node gives a CommonJS module (write-file-atomic hashes __filename into
  // its temporary file names)
  banner: {
    js: [
      "import { createRequire as __k2bRequire } from 'node:module';",
      "import { dirname as __k2bDirname } from 'node:path';",
      "import { fileURLToPath as __k2bPath } from 'node:url';",
      'const require = __k2bRequire(import.meta.url);',
      'const __filename = __k2bPath(import.meta.url);',
      'const __dirname = __k2bDirname(__filename);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
