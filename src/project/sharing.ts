/**
 * Jobs that share text: a node edited for one job must not change a job that is not migrated (a template also used by
 * a job that does not build with Kaniko, or whose call needs a person, KB202), and two migrated jobs must not edit the
 * same text two different ways (KB211). One settling loop for the YAML pipeline and the TypeScript generator runs; each
 * says how it names a shared node and where a job's finding goes.
 */
import { append } from '../text/append.js';
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

/**
 * For each node, the first of its readers (in the order of `readers`) that is not migrated, kept up to date as jobs
 * are left for a person: a template read by 20,000 migrating jobs was searched through all of them for each job that
 * touches it (quadratic). Jobs only ever stop migrating here, so each node's first such reader only moves earlier.
 */
class FirstNotMigrating<J extends JobOutcome> {
  private readonly first = new Map<string, number>();
  /** job → each node it reads → its first place among that node's readers */
  private readonly places = new Map<J, Map<string, number>>();

  constructor(private readonly readers: Map<string, J[]>) {
    for (const [key, list] of readers)
      list.forEach((job, i) => {
        let mine = this.places.get(job);
        if (!mine) this.places.set(job, (mine = new Map()));
        if (!mine.has(key)) mine.set(key, i);
        if (!isMigrating(job) && !this.first.has(key)) this.first.set(key, i);
      });
  }

  /** The first reader of `key` that is not migrated, other than `job` (which is). */
  of(key: string): J | undefined {
    const i = this.first.get(key);
    return i === undefined ? undefined : this.readers.get(key)![i];
  }

  /** `job` is no longer migrated. */
  stopped(job: J): void {
    for (const [key, i] of this.places.get(job) ?? []) {
      const at = this.first.get(key);
      if (at === undefined || i < at) this.first.set(key, i);
    }
  }
}

/** Leaves for a person every migrating job that edits a node a job not migrated reads. Repeats until stable. */
function settleSharing<J extends JobOutcome>(jobs: readonly J[], readers: Map<string, J[]>, terms: SharingTerms<J>) {
  const others = new FirstNotMigrating(readers);
  let changed = true;
  while (changed) {
    changed = false;
    for (const job of jobs) {
      if (!isMigrating(job)) continue;
      for (const key of job.touches) {
        const other = others.of(key);
        if (other) {
          terms.markManual(job, 'KB202', terms.shared(key, other));
          if (!isMigrating(job)) others.stopped(job);
          changed = true;
          break;
        }
      }
    }
  }
}

/** Whether two of the edits overlap and are not the same edit. */
function overlapsItself(edits: readonly TextEdit[]): boolean {
  if (edits.length < 2) return false;
  const index = new EditIndex();
  for (const e of edits) {
    if (index.clash(e)) return true;
    index.add(e);
  }
  return false;
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
    // Accepted edits never overlap one another unless they are the same edit, so an edit the very same as one already
    // accepted clashes with none, and is neither checked nor indexed again: a template's edits, made for each of the
    // 20,000 jobs that extend it, made every check scan 20,000 copies (quadratic).
    const same = new Set<string>();
    const keyOf = (e: TextEdit) => `${e.file}\0${e.start}\0${e.end}\0${e.text}`;
    const edits: TextEdit[] = [];
    let clashed = false;
    for (const job of jobs) {
      if (!isMigrating(job)) continue;
      const clash = job.edits.find((e) => !same.has(keyOf(e)) && accepted.clash(e));
      if (clash) {
        terms.markManual(job, 'KB211', terms.overlap, clash);
        clashed = true;
        continue;
      }
      // (a job's own edits are not checked against each other: if two of them overlap, the argument above fails for
      // them, and they are checked and indexed as any other)
      const apart = !overlapsItself(job.edits);
      for (const e of job.edits) {
        const key = keyOf(e);
        if (same.has(key)) continue;
        if (apart) same.add(key);
        accepted.add(e);
      }
      append(edits, job.edits);
    }
    if (!clashed) return edits;
  }
}
