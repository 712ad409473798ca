/**
 * What crosses between the main thread and a repository worker (src/bulk/isolation.ts, src/bulk/worker.ts): the
 * messages, and the two things structured cloning does not keep as they are: errors (their classes, which the loader
 * tells apart: InputError with its place and code, OutsideRepositoryError, an errno error's `code`) and repository
 * results (whose `failed` entries hold InputErrors).
 */
import { OutsideRepositoryError } from '../pipeline/load.js';
import { InputError } from '../pipeline/source.js';
import type { Code } from '../findings/types.js';
import type { ProjectResult } from '../project/plan.js';
import type { RepositoryOptions } from '../repository/migrate.js';

/** An error as it crosses a thread. */
export type WireError =
  | { kind: 'input'; message: string; file: string; line: number; column: number; code: Code }
  | { kind: 'outside'; message: string }
  | { kind: 'plain'; message: string; code?: string };

export function toWireError(e: unknown): WireError {
  if (e instanceof InputError)
    return { kind: 'input', message: e.message, file: e.file, line: e.line, column: e.column, code: e.code };
  if (e instanceof OutsideRepositoryError) return { kind: 'outside', message: e.message };
  // not `instanceof Error`: an error of another realm (a vm context) is one too
  const err = e as NodeJS.ErrnoException;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return typeof err?.code === 'string' ? { kind: 'plain', message, code: err.code } : { kind: 'plain', message };
}

export function fromWireError(w: WireError): Error {
  if (w.kind === 'input') return new InputError(w.file, w.line, w.column, w.message, w.code);
  if (w.kind === 'outside') return new OutsideRepositoryError(w.message);
  const e = new Error(w.message) as NodeJS.ErrnoException;
  if (w.code) e.code = w.code;
  return e;
}

/** A repository result as it crosses a thread: its `failed` errors as WireErrors. */
export type WireResult = Omit<ProjectResult, 'failed'> & { failed: { path: string; error: WireError }[] };

export function toWireResult(r: ProjectResult): WireResult {
  return { ...r, failed: r.failed.map((f) => ({ path: f.path, error: toWireError(f.error) })) };
}

export function fromWireResult(r: WireResult): ProjectResult {
  return { ...r, failed: r.failed.map((f) => ({ path: f.path, error: fromWireError(f.error) as InputError })) };
}

/** The options of one repository's migration that can cross (the resolver and template runs are proxied). */
export type WireOptions = Pick<RepositoryOptions, 'entry' | 'sources' | 'buildkitImage' | 'includeSwitches' | 'mode'>;

/**
 * What a worker calls on the main thread: `source` (the repository's files), `resolver` (other projects), or
 * `files:<n>` (the files of another project the resolver returned, by handle).
 */
export type Target = 'source' | 'resolver' | `files:${number}`;

/** Main thread → worker. */
export type ToWorker =
  | {
      type: 'run';
      task: number;
      options: WireOptions;
      /** The resolver's hosts and which of its optional methods exist; absent: no resolver. */
      resolver?: { hosts?: readonly string[]; releases: boolean };
      /** The source can list a folder. */
      list: boolean;
      /** The source is this folder on disk (RepositorySource.folder): the worker reads it itself. */
      folder?: string;
    }
  | { type: 'reply'; call: number; value?: unknown; error?: WireError };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'call'; task: number; call: number; target: Target; method: string; args: unknown[] }
  | { type: 'done'; task: number; result: WireResult; templates: [string, WireResult][] }
  | { type: 'failed'; task: number; error: WireError };

/** Worker → main thread, answered at once on the synchronous port (FileSource.exists is synchronous). */
export interface SyncCall {
  task: number;
  target: Target;
  method: 'exists';
  args: [string];
}

/** A resolver's answer as it crosses: the files of another project become a handle. */
export type WireProjectFiles = { handle: number; ref: string } | string;
