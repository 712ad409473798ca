/**
 * The names of the files the repository writer makes beside the files it writes, defined here and nowhere else:
 *
 * - a temporary file, the new text staged and checked before the rename: `.<name>.k2b-tmp-<pid>-<16 hex>`;
 * - a backup, a hard link to (or a copy of) the original kept until every rename of the repository is done:
 *   `.<name>.k2b-orig-<pid>-<16 hex>`;
 * - the journal of one repository's write, in the repository root: `.kaniko2buildkit-journal.json` (one at a time:
 *   it is created with link(2), which fails when it is there).
 *
 * Each is created with O_EXCL (or link), so it never replaces a file, and the random part makes a collision with a
 * user's file as unlikely as guessing 64 random bits; the pid says which process made it (a live one is left alone).
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export type OurKind = 'tmp' | 'orig';

/** The journal of a repository write, in its root. */
export const JOURNAL_NAME = '.kaniko2buildkit-journal.json';

const OURS = /^\.(.+)\.k2b-(tmp|orig)-(\d+)-([0-9a-f]{16})$/;

/** A new name of `kind` beside `path` (absolute or relative: the same folder). */
export function ourName(path: string, kind: OurKind, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.k2b-${kind}-${pid}-${randomBytes(8).toString('hex')}`);
}

/** What a file name of ours stands for (the name it is beside, its kind, the pid that made it); undefined: not ours. */
export function ourNameOf(name: string): { of: string; kind: OurKind; pid: number } | undefined {
  const m = OURS.exec(name);
  return m ? { of: m[1]!, kind: m[2] as OurKind, pid: Number(m[3]) } : undefined;
}

/** Whether the process `pid` is running (another user's process counts: EPERM). */
export function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
