/**
 * Migrating repositories on disk in bulk (`migrate --recursive`): each through `migrateRepository` (its YAML pipeline
 * and, when asked, its generator sources) and, in write mode, `writeRepository`, at most `concurrency` at a time, each
 * written (or not) on its own. Whatever goes wrong with one repository (unreadable file, invalid YAML, permission
 * error, a file changed during the run) is that repository's outcome; the others go on.
 *
 * Each repository is migrated in a worker thread of its own under a time limit (src/bulk/isolation.ts): one slow
 * repository does not hold up the others, the CPU work is spread over `concurrency` cores, and a stop (`signal`) ends
 * the planning at once. The worker reads the repository's folder; recovery, the writer's checks and the writes stay in
 * this thread.
 */
import { append } from '../text/append.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncludeResolver } from '../pipeline/includes.js';
import type { ProjectResult } from '../project/plan.js';
import type { RepositoryResult } from '../repository/migrate.js';
import type { MigrationMode } from '../project/transition.js';
import { diskRepository } from '../repository/source.js';
import { afterRecovery, writeRepository, type WriteOutcome } from '../repository/write.js';
import { isCheckedOut } from './checkouts.js';
import { splitLabel } from './graph.js';
import { isolation, type IsolatedMigrate } from './isolation.js';
import { failureOf, projectStatus, type ProjectStatus } from './outcome.js';
import { DEFAULT_TIME_LIMIT_S, mapPool } from './pool.js';

export type WriteMode = 'write' | 'dry-run' | 'check';

export interface LocalOptions {
  mode: WriteMode;
  concurrency: number;
  buildkitImage?: string;
  /** Direct migration, a transition or its cut-over (RepositoryOptions.mode). */
  migrationMode?: MigrationMode;
  /** Pipeline generator sources (TypeScript/JavaScript) to migrate as well, a glob relative to each repository. */
  sources?: string;
  /** Reads the other projects that pipelines include (see src/bulk/checkouts.ts). */
  resolver?: IncludeResolver;
  /** Template files migrated on their own, shared by every repository of the run. */
  templateRuns?: Map<string, Promise<ProjectResult>>;
  /** Project path → checkout folder (see src/bulk/checkouts.ts): where a template file of the run is written. */
  checkouts?: ReadonlyMap<string, string>;
  /** Called after each repository (for a progress bar). */
  onDone?: (done: number, total: number) => void;
  /** Aborted by a stop (a signal): the repositories being planned are given up, none is started, none is written
   * after the ones being written. */
  signal?: AbortSignal;
  /** Milliseconds one repository may take to be planned (default: DEFAULT_TIME_LIMIT_S). */
  timeLimitMs?: number;
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
  /** The run was stopped before this repository was planned or written (`result` holds what was planned). */
  notProcessed?: true;
}

/** One repository planned, nothing written yet; undefined: the run was stopped first. */
async function planLocal(
  root: string,
  opts: Omit<LocalOptions, 'concurrency' | 'onDone'>,
  migrate: IsolatedMigrate,
): Promise<RepositoryResult | undefined> {
  return migrate(diskRepository(root), {
    sources: opts.sources,
    buildkitImage: opts.buildkitImage,
    mode: opts.migrationMode,
    resolver: opts.resolver,
    templateRuns: opts.templateRuns,
  });
}

const NOTHING: RepositoryResult = { files: [], jobs: [], failed: [] };

/** One planned repository's outcome, written in write mode (unless the run was stopped). */
async function finish(
  root: string,
  result: RepositoryResult | undefined,
  mode: WriteMode,
  signal?: AbortSignal,
): Promise<LocalOutcome> {
  const none: WriteOutcome = { written: [], findings: [] };
  if (!result)
    return {
      root,
      status: 'unchanged',
      result: NOTHING,
      reason: 'not processed: stopped',
      write: none,
      notProcessed: true,
    };
  const status = projectStatus(result);
  if (status === 'failed' || mode !== 'write') return { root, status, result, reason: failureOf(result), write: none };
  if (signal?.aborted) return { root, status, result, reason: 'not written: stopped', write: none, notProcessed: true };
  const write = await writeRepository(root, result);
  const first = write.findings[0];
  if (!first) return { root, status, result, write };
  return { root, status: 'failed', result, reason: `${first.file}: ${first.message}`, write };
}

/**
 * Every repository planned first, then written: a template file that other repositories of the run include is
 * migrated in its own repository too (when that checkout is at the included ref), so that a consumer's translated
 * variables and the template's BuildKit version land in the same run.
 */
export async function migrateRepositories(roots: readonly string[], opts: LocalOptions): Promise<LocalOutcome[]> {
  const workers = isolation({
    workers: opts.concurrency,
    timeLimitMs: opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_S * 1000,
  });
  const cancel = () => workers.cancel();
  opts.signal?.addEventListener('abort', cancel);
  let results: (RepositoryResult | undefined)[];
  try {
    results = await mapPool(
      roots,
      // twice as many as the workers: while a worker plans one repository, the next one's recovery is read here
      2 * opts.concurrency,
      // a write of the repository that was cut short is settled first (src/repository/journal.ts)
      async (root) =>
        opts.signal?.aborted ? undefined : afterRecovery(root, () => planLocal(root, opts, workers.migrate)),
      opts.onDone,
    );
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
    await workers.close();
  }
  if (opts.templateRuns && opts.checkouts && !opts.signal?.aborted)
    await addIncludedTemplates(roots, results as RepositoryResult[], opts.templateRuns, opts.checkouts);
  return mapPool(roots, opts.concurrency, (root, i) => finish(root, results[i], opts.mode, opts.signal));
}

/** Adds each template file migrated on its own to the result of its repository, when it is one of `roots`. */
async function addIncludedTemplates(
  roots: readonly string[],
  results: RepositoryResult[],
  runs: ReadonlyMap<string, Promise<ProjectResult>>,
  checkouts: ReadonlyMap<string, string>,
): Promise<void> {
  for (const [label, run] of runs) {
    if (label.includes(' > ')) continue; // a template's own include, migrated within that template's run
    const { project, ref } = splitLabel(label);
    const root = checkouts.get(project);
    const i = root === undefined ? -1 : roots.indexOf(root);
    if (i < 0 || !(await isCheckedOut(root!, ref))) continue;
    const alone = await run;
    const into = results[i]!;
    for (const f of alone.files) {
      if (into.files.some((g) => g.path === f.path)) continue;
      // read at the commit; written only where the working tree still holds that text (a second run: already done)
      const onDisk = await readFile(join(root!, f.path), 'utf8').catch(() => undefined);
      if (onDisk !== f.original) continue;
      into.files.push(f);
      append(
        into.jobs,
        alone.jobs.filter((j) => j.file === f.path && !j.template),
      );
    }
  }
}
