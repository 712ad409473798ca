// The command's bundle: dist/cli/main.js (tsc's output) and the packages it imports, in one CommonJS file,
// dist/cli/bundle.cjs, and the V8 code cache of it, dist/cli/bundle.cache, which bin/kaniko2buildkit.js runs through
// bin/load-bundle.js (issue 16: the start-up of `--help` and of a dry run). The library entry point (dist/index.js
// and its declarations) stays tsc's output.
//
// - Lazy stays lazy: the command's own dynamic imports become functions of the bundle that run when first called
//   (esbuild's lazy module init); ts-morph, an optional peer dependency, stays outside it and is required from
//   node_modules when a generator source is migrated (`import()` is written as require: a vm.Script has no module
//   loader for it without Node's --experimental-vm-modules).
// - CommonJS, not ESM, because V8's code cache is reachable from vm.Script only; `import.meta.url` (the version's
//   package.json) becomes the bundle's file URL.
// - The first line is an id of the bundle's text, which the cache file begins with: a cache is only ever taken
//   for the bundle it was made of.
// - The cache is made here, after a warm-up that runs what users run most (`--help`, `migrate --dry-run` and
//   `--check` of a small Kaniko repository, in a temporary folder, output dropped), so that it holds the bytecode
//   of those functions too. It is valid for this Node's V8 and flags; under another, V8 refuses it and the bundle is
//   compiled as usual.
//
// Usage: node scripts/bundle.mjs [--no-minify] [--no-cache] [--dist DIR]   (after tsc -p tsconfig.build.json;
// npm run build runs both). --dist: the folder of tsc's output to bundle, and to write the bundle into (default:
// dist/ of this repository).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dist = args.includes('--dist') ? resolve(args[args.indexOf('--dist') + 1]) : join(root, 'dist');
const bundle = join(dist, 'cli', 'bundle.cjs');
const cacheFile = join(dist, 'cli', 'bundle.cache');

const options = {
  bundle: true,
  write: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['ts-morph'],
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__k2bUrl' },
  banner: { js: "const __k2bUrl = require('node:url').pathToFileURL(__filename).href;" },
  minify: !args.includes('--no-minify'),
  legalComments: 'eof',
  logLevel: 'warning',
};
const out = await build({ ...options, entryPoints: [join(dist, 'cli', 'main.js')] });
// The repository worker (src/bulk/worker.ts) in one file too, dist/bulk/worker.cjs, which src/bulk/isolation.ts
// starts when it is there: a worker loads it in about half the time it takes to load tsc's modules one by one. It is
// at the same depth as tsc's output, so that `import.meta.url` (the version's package.json) resolves alike.
const worker = await build({ ...options, entryPoints: [join(dist, 'bulk', 'worker.js')] });
writeFileSync(join(dist, 'bulk', 'worker.cjs'), worker.outputFiles[0].text);
const text = out.outputFiles[0].text;
const id = `// kaniko2buildkit CLI bundle ${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
writeFileSync(bundle, `${id}\n${text}`);
rmSync(cacheFile, { force: true });

if (!args.includes('--no-cache')) {
  const { loadBundle } = await import('../bin/load-bundle.js');
  const loaded = loadBundle(bundle, cacheFile);
  const work = mkdtempSync(join(tmpdir(), 'k2b-bundle-'));
  try {
    writeFileSync(
      join(work, '.gitlab-ci.yml'),
      'build:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n' +
        '    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile Dockerfile --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" --cache=true\n',
    );
    writeFileSync(join(work, 'Dockerfile'), 'FROM scratch\n');
    const io = { stdout: () => {}, stderr: () => {}, readStdin: async () => '', cwd: work, env: {}, isTTY: false };
    for (const argv of [['--help'], ['migrate', '--dry-run', '.'], ['migrate', '--check', '.']]) {
      const code = await loaded.exports.main(['node', 'kaniko2buildkit', ...argv], io);
      if (code > 1) throw new Error(`bundle warm-up: kaniko2buildkit ${argv.join(' ')} exited ${code}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${id}\n`), loaded.script.createCachedData()]));
}
