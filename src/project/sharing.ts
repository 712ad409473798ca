/**
 * Jobs that share text: a node edited for one job must not change a job that is not migrated (a template also used by
 * a job that does not build with Kaniko, or whose call needs a person, KB202), and two migrated jobs must not edit the
 * same text two different ways (KB211). One settling loop for the YAML pipeline and the TypeScript generator runs; each
 * says how it names a shared node and where a job's finding goes.
 */
import { EditIndex, type TextEdit } from '../text/edits.js';
import type { JobOutcome } from '../job/recipe.js';

export interface SharingTerms<J extends JobOutcome> {
  /** KB202's message: the job shares `key` with `other`, which is not migrated. */
  shared(key: string, other: J): string;
  /** KB211's message. */
  overlap: string;
  /** Marks the job as left for a person with a finding (`at`: the edit that clashed, when there is one). */
  markManual(job: J, code: 'KB202' | 'KB211', message: string, at?: TextEdit): void;
}

/** For each node some job's edits touch, the jobs that read it (templates migrated through others read nothing). */
export function readersOf<J extends JobOutcome>(jobs: readonly J[]): Map<string, J[]> {
  const readers = new Map<string, J[]>();
  for (const job of jobs) for (const key of job.touches) if (!readers.has(key)) readers.set(key, []);
  for (const job of jobs) if (!job.template) for (const key of job.reads) readers.get(key)?.push(job);
  return readers;
}

export function isMigrating(job: JobOutcome): boolean {
  return job.kaniko && !job.manual;
}

/** Leaves for a person every migrating job that edits a node a job not migrated reads. Repeats until stable. */
function settleSharing<J extends JobOutcome>(jobs: readonly J[], readers: Map<string, J[]>, terms: SharingTerms<J>) {
  let changed = true;
  while (changed) {
    changed = false;
    for (const job of jobs) {
      if (!isMigrating(job)) continue;
      for (const key of job.touches) {
        const other = readers.get(key)?.find((o) => o !== job && !isMigrating(o));
        if (other) {
          terms.markManual(job, 'KB202', terms.shared(key, other));
          changed = true;
          break;
        }
      }
    }
  }
}

/**
 * The edits of the jobs that migrate. A job sharing a node with a job that is not migrated is left for a person, and
 * so is a job whose edits overlap the edits of a job accepted before it (KB211); that second kind can leave a shared
 * node to a job it was accepted for, so both checks run again until neither changes a job.
 */
export function acceptEdits<J extends JobOutcome>(
  jobs: readonly J[],
  readers: Map<string, J[]>,
  terms: SharingTerms<J>,
): TextEdit[] {
  for (;;) {
    settleSharing(jobs, readers, terms);
    const accepted = new EditIndex();
    const edits: TextEdit[] = [];
    let clashed = false;
    for (const job of jobs) {
      if (!isMigrating(job)) continue;
      const clash = job.edits.find((e) => accepted.clash(e));
      if (clash) {
        terms.markManual(job, 'KB211', terms.overlap, clash);
        clashed = true;
        continue;
      }
      for (const e of job.edits) accepted.add(e);
      edits.push(...job.edits);
    }
    if (!clashed) return edits;
  }
}
