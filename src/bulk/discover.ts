/**
 * Finding repositories under a folder: every folder holding a `.gitlab-ci.yml` is one.
 *
 * - Not entered: `.git` (a repository's internals), `node_modules`, `vendor`, `dist`, and symbolic links to folders
 *   (they may loop, or lead out of the tree). Hidden folders other than `.git` are entered (`.ci/`, `.gitlab/` hold
 *   nothing GitLab runs as a pipeline, but a checkout may sit under `.workspace/`).
 * - Inside a found repository only nested repositories of their own are looked for, i.e. subfolders with a `.git`
 *   entry (submodules, nested checkouts): a `.gitlab-ci.yml` in a plain subfolder of a repository is not a pipeline
 *   GitLab runs (templates, examples, test data), so it is not migrated as a project.
 * - A `.gitlab-ci.yml` that is not a readable file (a folder, a broken link) still makes a repository: migrating it
 *   then reports the error, so the user sees it instead of a silently skipped project.
 * - A folder that cannot be listed is reported in `errors`; the walk goes on.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.git', 'node_modules', 'vendor', 'dist']);

export interface Discovery {
  /** Absolute repository roots, sorted. */
  repositories: string[];
  /** Folders that could not be listed. */
  errors: { path: string; message: string }[];
}

/** Folders listed at once: enough to keep the disk busy, few enough to stay far from the open-files limit. */
const LISTING_CONCURRENCY = 16;

export async function findRepositories(dir: string, entry = '.gitlab-ci.yml'): Promise<Discovery> {
  const repositories: string[] = [];
  const errors: Discovery['errors'] = [];
  const queue: { folder: string; insideRepository: boolean }[] = [{ folder: dir, insideRepository: false }];

  async function visit(folder: string, insideRepository: boolean): Promise<void> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (e) {
      errors.push({ path: folder, message: (e as Error).message });
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    const isRepository = names.has(entry) && (!insideRepository || names.has('.git'));
    if (isRepository) repositories.push(folder);
    for (const e of entries) {
      if (e.isDirectory() && !SKIPPED_FOLDERS.has(e.name))
        queue.push({ folder: join(folder, e.name), insideRepository: insideRepository || isRepository });
    }
  }

  while (queue.length) {
    const batch = queue.splice(0, LISTING_CONCURRENCY);
    await Promise.all(batch.map((q) => visit(q.folder, q.insideRepository)));
  }
  repositories.sort();
  return { repositories, errors };
}
