/**
 * The rule that keeps a repository with an error from being written at all, for every door: a repository whose result
 * has any `error` finding (KB104 an include outside the repository, KB108 an include cycle, KB113 an `extends` cycle,
 * KB105 the self-check refused a job, KB106 a file that cannot be read…) or any `failed` entry writes nothing, because
 * a job's edits may span files and a pipeline in error is not one to rewrite in part. The disk writer
 * (src/repository/write.ts) asks it; the GitLab door commits nothing of a `failed` project (`projectStatus` in
 * src/bulk/outcome.ts, the same rule: `failureOf` reads the same findings).
 */
import { finding } from '../findings/finding.js';
import type { Finding } from '../findings/types.js';
import type { FileResult, ProjectResult } from '../project/plan.js';

/** What the rule reads of a repository's result. */
export interface WritableResult {
  files: readonly FileResult[];
  failed?: ProjectResult['failed'];
}

/** The first error of a result, as `file:line: CODE message` (undefined: none). */
export function firstError(result: WritableResult): string | undefined {
  const bad = result.failed?.[0];
  if (bad) {
    const at = bad.error.line ? `:${bad.error.line}:${bad.error.column}` : '';
    return `${bad.error.file || bad.path || 'the repository'}${at}: ${bad.error.code} ${bad.error.message}`;
  }
  for (const f of result.files) {
    const e = f.findings.find((x) => x.severity === 'error');
    if (e) return `${e.file}${e.line ? `:${e.line}` : ''}: ${e.code} ${e.message}`;
  }
  return undefined;
}

/**
 * A KB115 finding on each changed file of a result that must not be written, naming the error that blocks it; none
 * when the result may be written.
 */
export function writeBlockers(result: WritableResult): Finding[] {
  const why = firstError(result);
  if (why === undefined) return [];
  const short = why.length > 300 ? `${why.slice(0, 300)}…` : why;
  return result.files
    .filter((f) => f.changed)
    .map((f) =>
      finding('KB115', `not written: this repository has an error (${short}); nothing of it is written`, {
        file: f.path,
        line: 0,
      }),
    );
}
