// Runs the command's bundle, dist/cli/bundle.cjs (scripts/bundle.mjs), as Node runs a CommonJS module, but compiled
// through vm.Script so that V8 can take the code cache the build made of it (dist/cli/bundle.cache): the bytecode of
// the bundle and of the functions a migration runs, which V8 otherwise compiles anew at every start (about a third of
// a small dry run's time). The cache is used only when it was made of this very bundle (its first line, an id of
// its text, begins the cache file) and V8 accepts it (the same V8 version and flags); else the bundle is compiled
// as usual, no slower than without a cache. Nothing here writes: the cache is made by the build alone.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../dist/cli/bundle.cjs', import.meta.url));
export const CODE_CACHE = fileURLToPath(new URL('../dist/cli/bundle.cache', import.meta.url));

/** The bundle's exports (`main`), the compiled script (for `createCachedData`) and whether a cache was taken. */
export function loadBundle(file = BUNDLE, cacheFile = CODE_CACHE) {
  const source = readFileSync(file, 'utf8');
  const id = Buffer.from(`${source.slice(0, source.indexOf('\n'))}\n`);
  let cachedData;
  try {
    const cache = readFileSync(cacheFile);
    if (cache.subarray(0, id.length).equals(id)) cachedData = cache.subarray(id.length);
  } catch {
    // no cache (a build without one, or it was removed): compile as usual
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script, id, cached: cachedData !== undefined && !script.cachedDataRejected };
}
