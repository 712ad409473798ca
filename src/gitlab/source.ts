/**
 * A RepositorySource over one GitLab project at one ref: texts through the repository files API (read once,
 * remembered with their `last_commit_id` for the commit), existence and the generator sources from the repository
 * tree listed beforehand.
 */
import { filterSources, type RepositorySource } from '../repository/source.js';
import { readFile } from './api.js';
import type { GitLabClient } from './client.js';
import type { TreeEntry } from './types.js';

/** Git's file mode of a symbolic link: not a regular file, so never a generator source (as on disk). */
const SYMLINK_MODE = '120000';

export class GitLabSource implements RepositorySource {
  /** Path → text and the last commit that changed it, for every file read. */
  readonly files = new Map<string, { text: string; lastCommitId: string }>();
  /** Every path at `ref`, when listed; undefined: existence cannot be told. */
  private tree?: Set<string>;
  /** The regular files at `ref`, when listed. */
  private blobs: string[] = [];
  /** Every file at `ref` (symbolic links too, as GitLab's wildcard search matches them), when listed. */
  private allFiles?: string[];
  /** Paths asked for that are not there (a project included by many asks again for the same missing file). */
  private readonly missing = new Set<string>();
  private readonly asked = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly client: GitLabClient,
    private readonly project: number,
    readonly ref: string,
    entries?: readonly TreeEntry[],
  ) {
    if (entries) this.setTree(entries);
  }

  setTree(entries: readonly TreeEntry[]): void {
    this.tree = new Set(entries.map((e) => e.path));
    this.blobs = entries.filter((e) => e.type === 'blob' && e.mode !== SYMLINK_MODE).map((e) => e.path);
    this.allFiles = entries.filter((e) => e.type === 'blob').map((e) => e.path);
  }

  /** Files under `folder` (`''`: all), for `include: local` wildcards; undefined before the tree is listed. */
  async list(folder: string): Promise<string[] | undefined> {
    if (!this.allFiles) return undefined;
    const prefix = folder.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    return prefix ? this.allFiles.filter((p) => p.startsWith(`${prefix}/`)) : [...this.allFiles];
  }

  async read(path: string): Promise<string | undefined> {
    const known = this.files.get(path);
    if (known) return known.text;
    // A listed tree without the path: no request needed.
    if (this.tree && this.tree.size && !this.tree.has(path)) return undefined;
    if (this.missing.has(path)) return undefined;
    // one request per path, however many readers ask at once (the projects of a run share an included project)
    let asked = this.asked.get(path);
    if (!asked) {
      asked = readFile(this.client, this.project, path, this.ref).then((file) => {
        if (!file) this.missing.add(path);
        else this.files.set(path, file);
        return file?.text;
      });
      this.asked.set(path, asked);
      void asked.catch(() => this.asked.delete(path));
    }
    return asked;
  }

  exists(path: string): boolean | undefined {
    if (this.files.has(path)) return true;
    if (!this.tree) return undefined;
    return this.tree.has(path.replace(/^\.?\/+/, '').replace(/\/+$/, ''));
  }

  /** The generator sources of the listed tree (none before it is listed). */
  async listSources(glob: string): Promise<string[]> {
    return filterSources(this.blobs, glob);
  }

  readSource(path: string): Promise<string | undefined> {
    return this.read(path);
  }
}
