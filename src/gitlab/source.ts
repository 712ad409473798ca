/**
 * A FileSource over one GitLab project at one ref: texts through the repository files API (read once, remembered
 * with their `last_commit_id` for the commit), existence from the repository tree listed beforehand.
 */
import type { FileSource } from '../pipeline/load.js';
import { readFile } from './api.js';
import type { GitLabClient } from './client.js';

export class GitLabSource implements FileSource {
  /** Path → text and the last commit that changed it, for every file read. */
  readonly files = new Map<string, { text: string; lastCommitId: string }>();

  constructor(
    private readonly client: GitLabClient,
    private readonly project: number,
    readonly ref: string,
    /** Every path at `ref`, when listed; undefined: existence cannot be told. */
    private tree?: Set<string>,
  ) {}

  setTree(tree: Set<string>): void {
    this.tree = tree;
  }

  async read(path: string): Promise<string | undefined> {
    const known = this.files.get(path);
    if (known) return known.text;
    // A listed tree without the path: no request needed.
    if (this.tree && this.tree.size && !this.tree.has(path)) return undefined;
    const file = await readFile(this.client, this.project, path, this.ref);
    if (!file) return undefined;
    this.files.set(path, file);
    return file.text;
  }

  exists(path: string): boolean | undefined {
    if (this.files.has(path)) return true;
    if (!this.tree) return undefined;
    return this.tree.has(path.replace(/^\.?\/+/, '').replace(/\/+$/, ''));
  }
}
