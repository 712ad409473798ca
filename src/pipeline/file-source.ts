/**
 * What the loader reads a project's files through (a checkout on disk, memory, the GitLab repository files API), and
 * where a file of another project came from.
 */

export interface FileSource {
  /** Text of a repository-relative path, or undefined when there is no such file. Throws for unreadable files. */
  read(path: string): Promise<string | undefined>;
  /** Whether a repository-relative path exists; undefined when it cannot be told. */
  exists(path: string): boolean | undefined;
  /**
   * Every file under `folder` (a repository-relative folder, `''` for the whole repository), at any depth, as
   * repository-relative `/` paths in any order: regular files and symbolic links to files, never folders, nothing
   * under `.git`. Only asked for when an `include: local` path holds a wildcard (`*`). Absent, or undefined: the
   * source cannot list files, and such an include is reported (KB112) instead of followed.
   */
  list?(folder: string): Promise<string[] | undefined>;
}

/** Where a file of another project came from (`include: project`, `component`). */
export interface IncludeOrigin {
  project: string;
  ref: string;
  /** The path in that project. */
  file: string;
  /** That project's files (for the `local:` includes inside the file, and to migrate it on its own). */
  source: FileSource;
}
