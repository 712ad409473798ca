/**
 * The repository sources: `filterSources` (what the GitLab tree and memory list as generator sources) picks exactly
 * what `listSourceFiles` walks on disk, and a repository in memory migrates as the same repository on disk does.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrateRepository } from '../../src/repository/migrate.js';
import { diskRepository, filterSources, memoryRepository } from '../../src/repository/source.js';
import { DEFAULT_SOURCES, listSourceFiles } from '../../src/typescript/files.js';
import { tempRepo } from '../helpers.js';
import { DOORS_SET, TS_FIXTURES } from './doors-set.js';

/** Every regular file under `dir`, `.git` included (a tree listing has no folders to skip). */
function everyFile(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const path = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? everyFile(dir, path) : e.isFile() ? [path] : [];
  });
}

const GLOBS = [
  DEFAULT_SOURCES,
  'ci/**',
  'ci/*.ts, web/**',
  'build/ci/*.ts',
  'node_modules/pkg/**',
  '**/*.{js,mjs}',
  '',
];

test.each(GLOBS)('filterSources agrees with listSourceFiles: %j', (glob) => {
  const root = tempRepo({
    'ci/generate.ts': 'x',
    'ci/types.d.ts': 'x',
    'ci/deep/more.mts': 'x',
    'web/app.js': 'x',
    'web/readme.md': 'x',
    'node_modules/pkg/index.js': 'x',
    'dist/ci/generate.ts': 'x',
    'build/ci/generate.ts': 'x',
    '.git/hooks/pre-commit.js': 'x',
    'tools/x.cts': 'x',
  });
  const dirs = [root, ...readdirSync(TS_FIXTURES).map((f) => join(TS_FIXTURES, f, 'input'))];
  for (const dir of dirs)
    expect({ dir, glob, sources: filterSources(everyFile(dir), glob) }).toEqual({
      dir,
      glob,
      sources: listSourceFiles(dir, glob),
    });
});

test('a repository in memory migrates as the same repository on disk', async () => {
  for (const [name, files] of Object.entries(DOORS_SET)) {
    const texts = new Map(Object.entries(files));
    const opts = { sources: DEFAULT_SOURCES };
    const inMemory = await migrateRepository(
      memoryRepository(texts, () => false),
      opts,
    );
    const onDisk = await migrateRepository(diskRepository(tempRepo(files)), opts);
    expect({ name, result: inMemory }).toEqual({ name, result: onDisk });
  }
});
