/**
 * Migrating repositories on disk in bulk: each through `migrateSource(new DiskSource(root))` (and its pipeline
 * generator sources through the TypeScript front end, when asked), at most `concurrency`
 * at a time, each written (or not) on its own. Whatever goes wrong with one repository (unreadable file, invalid
 * YAML, permission error, a file changed during the run) is that repository's outcome; the others go on.
 *
 * The migration itself is synchronous CPU work between asynchronous reads, so the concurrency overlaps file I/O
 * and bounds open files and memory; it does not spread the CPU work over cores.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Finding } from '../findings/types.js';
import { migrateSource, type ProjectResult } from '../project/plan.js';
import { DiskSource } from '../pipeline/fs-source.js';
import { listSourceFiles } from '../typescript/files.js';
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
  /** Absent when the migration threw. */
  result?: ProjectResult;
  /** Why it failed (first reason). */
  reason?: string;
  /** Repository-relative paths written. */
  written: string[];
  /** Findings the run added: a write refused or failed (KB107, KB106), an exception (KB106). */
  errors: Finding[];
}

/** Writes every changed file atomically, after checking that none changed on disk since it was read. */
export async function writeProject(
  root: string,
  result: ProjectResult,
): Promise<{ written: string[]; errors: Finding[] }> {
  const changed = result.files.filter((f) => f.changed);
  const errors: Finding[] = [];
  for (const f of changed) {
    const now = await readFile(join(root, f.path), 'utf8').catch((e: Error) => e);
    if (now !== f.original) {
      const message =
        now instanceof Error
          ? `cannot read again before writing: ${now.message}`
          : 'the file changed on disk while it was being migrated: not written; run again';
      errors.push({ code: 'KB107', severity: 'error', file: f.path, line: 0, message });
    }
  }
  // A job's edits may span files: write all of a repository or none of it.
  if (errors.length) return { written: [], errors };
  const written: string[] = [];
  for (const f of changed) {
    try {
      await writeFileAtomic(join(root, f.path), f.output, { encoding: 'utf8' });
      written.push(f.path);
    } catch (e) {
      errors.push({
        code: 'KB106',
        severity: 'error',
        file: f.path,
        line: 0,
        message: `cannot write: ${(e as Error).message}`,
      });
    }
  }
  return { written, errors };
}

export async function migrateRepository(
  root: string,
  opts: Omit<LocalOptions, 'concurrency' | 'onDone'>,
): Promise<LocalOutcome> {
  let result: ProjectResult;
  try {
    result = await migrateSource(new DiskSource(root), { buildkitImage: opts.buildkitImage });
    if (opts.sources && listSourceFiles(root, opts.sources).length) {
      // ts-morph is loaded only here, and (inside) only when a source mentions Kaniko or an executor
      const { migrateTypeScriptProject } = await import('../project/generators.js');
      const generators = await migrateTypeScriptProject(root, {
        sources: opts.sources,
        buildkitImage: opts.buildkitImage,
      });
      result = { ...result, files: [...result.files, ...generators.files], jobs: [...result.jobs, ...generators.jobs] };
    }
  } catch (e) {
    const message = (e as Error).message;
    return {
      root,
      status: 'failed',
      reason: message,
      written: [],
      errors: [{ code: 'KB106', severity: 'error', file: '.gitlab-ci.yml', line: 0, message }],
    };
  }
  const status = projectStatus(result);
  if (status === 'failed' || opts.mode !== 'write')
    return { root, status, result, reason: failureOf(result), written: [], errors: [] };
  const { written, errors } = await writeProject(root, result);
  if (!errors.length) return { root, status, result, written, errors };
  const first = errors[0]!;
  return { root, status: 'failed', result, reason: `${first.file}: ${first.message}`, written, errors };
}

export function migrateRepositories(roots: readonly string[], opts: LocalOptions): Promise<LocalOutcome[]> {
  return mapPool(roots, opts.concurrency, (root) => migrateRepository(root, opts), opts.onDone);
}
