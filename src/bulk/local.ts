/**
 * Migrating repositories on disk in bulk (`migrate --recursive`): each through `migrateRepository` (its YAML pipeline
 * and, when asked, its generator sources) and, in write mode, `writeRepository`, at most `concurrency` at a time, each
 * written (or not) on its own. Whatever goes wrong with one repository (unreadable file, invalid YAML, permission
 * error, a file changed during the run) is that repository's outcome; the others go on.
 *
 * The migration itself is synchronous CPU work between asynchronous reads, so the concurrency overlaps file I/O
 * and bounds open files and memory; it does not spread the CPU work over cores.
 */
import { migrateRepository, type RepositoryResult } from '../repository/migrate.js';
import { diskRepository } from '../repository/source.js';
import { writeRepository, type WriteOutcome } from '../repository/write.js';
import { failureOf, projectStatus, type ProjectStatus } from './outcome.js';
import { mapPool } from './pool.js';

export type WriteMode = 'write' | 'dry-run' | 'check';

export interface LocalOptions {
  mode: WriteMode;
  concurrency: number;
  buildkitImage?: string;
  /** Pipeline generator sources (TypeScript/JavaScript) to migrate as well, a glob relative to each repository. */
  sources?: string;
  /** Called after each repository (for a progress bar). */
  onDone?: (done: number, total: number) => void;
}

export interface LocalOutcome {
  /** Absolute repository root. */
  root: string;
  status: ProjectStatus;
  result: RepositoryResult;
  /** Why it failed (first reason). */
  reason?: string;
  /** What the writer did: the paths written, and its findings (KB107 refused, KB106 failed). */
  write: WriteOutcome;
}

export async function migrateLocal(
  root: string,
  opts: Omit<LocalOptions, 'concurrency' | 'onDone'>,
): Promise<LocalOutcome> {
  const result = await migrateRepository(diskRepository(root), {
    sources: opts.sources,
    buildkitImage: opts.buildkitImage,
  });
  const status = projectStatus(result);
  const none: WriteOutcome = { written: [], findings: [] };
  if (status === 'failed' || opts.mode !== 'write')
    return { root, status, result, reason: failureOf(result), write: none };
  const write = await writeRepository(root, result);
  const first = write.findings[0];
  if (!first) return { root, status, result, write };
  return { root, status: 'failed', result, reason: `${first.file}: ${first.message}`, write };
}

export function migrateRepositories(roots: readonly string[], opts: LocalOptions): Promise<LocalOutcome[]> {
  return mapPool(roots, opts.concurrency, (root) => migrateLocal(root, opts), opts.onDone);
}
