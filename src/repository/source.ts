/**
 * Where a repository's files come from, for `migrateRepository`: the `FileSource` the YAML loader reads (texts and
 * existence), plus listing and reading the pipeline generator sources. Three kinds: a folder on disk, texts in memory,
 * and (in src/gitlab/source.ts) one GitLab project at one ref through the API.
 */
import { join } from 'node:path';
import { DiskSource, MemorySource, readSourceFile } from '../pipeline/fs-source.js';
import type { FileSource } from '../pipeline/load.js';
import { oversize, tooLargeMessage } from '../pipeline/source.js';
import { globToRegExp, isSourceName, listSourceFiles, SKIPPED_DIRS } from '../typescript/files.js';

export interface RepositorySource extends FileSource {
  /** The generator sources matching `glob` (repository-relative `/` paths, sorted), as `listSourceFiles` lists them. */
  listSources(glob: string): Promise<string[]>;
  /** A generator source's text (undefined: not there any more). Throws, with the reason, for an unreadable one. */
  readSource(path: string): Promise<string | undefined>;
  /**
   * The folder on disk the repository is, when every read is a plain read of it (diskRepository without `files`): a
   * repository worker (src/bulk/isolation.ts) then opens the folder itself instead of asking for each file.
   */
  readonly folder?: string;
}

/**
 * The sources of a flat list of file paths that `listSourceFiles` would list for `glob` on a folder holding them:
 * the same names, the same folders skipped (node_modules, dist, build unless the glob names them; .git always).
 * For sources that cannot walk a folder (memory, the GitLab repository tree).
 */
export function filterSources(paths: Iterable<string>, glob: string): string[] {
  const re = globToRegExp(glob);
  const named = literalFolders(glob);
  const entered = (parts: string[]) =>
    parts.every((name, i) => {
      if (!SKIPPED_DIRS.has(name)) return true;
      const folder = parts.slice(0, i + 1).join('/');
      return name !== '.git' && named.some((p) => p.startsWith(`${folder}/`));
    });
  const out: string[] = [];
  for (const path of paths) {
    const parts = path.split('/');
    const name = parts.pop()!;
    if (isSourceName(name) && re.test(path) && entered(parts)) out.push(path);
  }
  return out.sort();
}

/** The folders each comma-separated glob names before its first wildcard (`build/ci/**` → `build/ci/`). */
function literalFolders(glob: string): string[] {
  const globs: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of glob.trim()) {
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      globs.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  globs.push(cur.trim());
  return globs.map((g) => {
    const literal = g.replace(/^\.\//, '').split(/[*?[{]/)[0]!;
    return literal.slice(0, literal.lastIndexOf('/') + 1);
  });
}

/**
 * A folder on disk. `files` replaces the FileSource the YAML loader reads (tests wrap a DiskSource); the generator
 * sources are always listed and read from the folder itself. The DiskSource is made on the first read, so a root
 * that is gone (or cannot be resolved) is a file that cannot be read (KB106), like any other, not an exception.
 */
export function diskRepository(root: string, files?: FileSource): RepositorySource {
  let disk = files;
  const yaml = () => (disk ??= new DiskSource(root));
  return {
    read: (path) => yaml().read(path),
    exists: (path) => yaml().exists(path),
    list: async (folder) => yaml().list?.(folder),
    listSources: async (glob) => listSourceFiles(root, glob),
    readSource: async (path) => readSourceFile(join(root, path), path),
    ...(files ? {} : { folder: root }),
  };
}

/** Texts in memory (path → text); `known` answers existence for paths that are not among them. */
export function memoryRepository(
  texts: Map<string, string>,
  known?: (path: string) => boolean | undefined,
): RepositorySource {
  const files = new MemorySource(texts, known);
  return {
    read: (path) => files.read(path),
    exists: (path) => files.exists(path),
    list: (folder) => files.list(folder),
    listSources: async (glob) => filterSources(texts.keys(), glob),
    readSource: async (path) => {
      // the limit every door applies to a file (the YAML loader measures the pipeline texts itself)
      const text = await files.read(path);
      const size = text === undefined ? undefined : oversize(text);
      if (size !== undefined) throw new Error(tooLargeMessage(path, size));
      return text;
    },
  };
}
