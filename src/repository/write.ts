/**
 * Writing a repository's result to disk: the one writer of `migrate PATH` and `migrate --recursive`.
 *
 * First every changed file is read again and compared, byte for byte, with the text it was migrated from. The KB107
 * rule: when any of them changed on disk meanwhile (or cannot be read again), no file of the repository is written,
 * because a job's edits may span files (a template in an include, its job in another); that file gets KB107 "the file
 * changed on disk …", and every other changed file of the repository gets KB107 "not written: another file of this
 * project changed on disk …", so the report says of each file why it was not written.
 *
 * Otherwise each changed file is written atomically with write-file-atomic (a temporary file in the same folder,
 * fsync, rename over the old one; mode and owner kept; a symbolic link written through to its target). A write that
 * fails is KB106 on that file, which stays as it was; the others are still written.
 */
import { readFile } from 'node:fs/promises';
import { finding } from '../findings/finding.js';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Finding } from '../findings/types.js';
import { describeReadError } from '../pipeline/load.js';
import type { FileResult } from '../project/plan.js';

export interface WriteOutcome {
  /** Repository-relative paths written. */
  written: string[];
  /** What the writer adds, each on its file (repository-relative): KB107 refused, KB106 failed. The files that
   * changed on disk come first. */
  findings: Finding[];
}

export interface WriteHooks {
  /** Called with the absolute paths of the changed files, just before they are checked and written. */
  beforeWrite?: (files: string[]) => void | Promise<void>;
}

export async function writeRepository(
  root: string,
  result: { files: readonly FileResult[] },
  hooks: WriteHooks = {},
): Promise<WriteOutcome> {
  const changed = result.files.filter((f) => f.changed);
  if (!changed.length) return { written: [], findings: [] };
  await hooks.beforeWrite?.(changed.map((f) => join(root, f.path)));
  const refused: Finding[] = [];
  for (const f of changed) {
    const now = await readFile(join(root, f.path)).catch((e: unknown) =>
      e instanceof Error ? e : new Error(String(e)),
    );
    if (now instanceof Error || !now.equals(Buffer.from(f.original, 'utf8'))) {
      const message =
        now instanceof Error
          ? `cannot read it again before writing (${describeReadError(now)}): not written`
          : 'the file changed on disk while it was being migrated: not written; run again';
      refused.push(finding('KB107', message, { file: f.path, line: 0 }));
    }
  }
  if (refused.length) {
    const siblings = changed
      .filter((f) => !refused.some((r) => r.file === f.path))
      .map((f): Finding =>
        finding('KB107', 'not written: another file of this project changed on disk during the run; run again', {
          file: f.path,
          line: 0,
        }),
      );
    return { written: [], findings: [...refused, ...siblings] };
  }
  const written: string[] = [];
  const findings: Finding[] = [];
  for (const f of changed) {
    try {
      await writeFileAtomic(join(root, f.path), f.output, { encoding: 'utf8' });
      written.push(f.path);
    } catch (e) {
      findings.push(
        finding('KB106', `cannot write: ${describeReadError(e)} (the file is as it was)`, { file: f.path, line: 0 }),
      );
    }
  }
  return { written, findings };
}
