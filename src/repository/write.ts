/**
 * Writing a repository's result to disk: the one writer of `migrate PATH` and `migrate --recursive`. A repository is
 * written all or nothing.
 *
 * 1. A result with any error (`writeBlockers`, src/repository/blockers.ts) writes nothing: each changed file gets
 *    KB115 naming the error.
 * 2. Every changed file is read again (through its real path, opened with O_NOFOLLOW) and compared, byte for byte,
 *    with the text it was migrated from; its real path must still lie inside the repository. The KB107 rule: when any
 *    of them changed on disk meanwhile, cannot be read again, or now leads outside the repository (a symbolic link
 *    swapped in), no file of the repository is written; that file gets KB107 saying why, every other changed file
 *    KB107 "not written: another file of this project changed on disk …".
 * 3. The journal (src/repository/journal.ts) is created in the repository root, state `staging`. Each file's new
 *    bytes are staged beside it (src/repository/staging.ts: a temporary file named by src/repository/names.ts,
 *    written in a loop, fsynced, read back and compared; the original's mode, and owner as root) and a backup of the
 *    original is made (a hard link, else a copy). Any failure: nothing renamed, every temporary file and backup
 *    removed; KB106 "cannot write: <why> (the file is as it was)" on that file, "not written: another file of this
 *    repository could not be written" on the others.
 * 4. Just before the renames, each file is checked again: the same path kind (a regular file is still no symbolic
 *    link), the same real path, the same file (device and inode), size and modification time; else KB107 as in 2.
 * 5. The journal goes to `renaming` (fsynced); each temporary file is renamed over its file (a symbolic link is written
 *    through to its target, the link stays). A rename that fails: the journal goes to `rolling-back` and the renames
 *    done are undone from the backups; KB106 as in 3. Then the folders are fsynced, and the backups and the journal
 *    removed.
 * A kill at any moment leaves the journal; the next run settles it before reading (`recoverRepository`): cut short
 * while staging, nothing was replaced; while renaming, the set is completed; while rolling back, the rollback is.
 */
import { constants, type Stats } from 'node:fs';
import { copyFile, link, lstat, open, realpath } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { finding } from '../findings/finding.js';
import type { Finding } from '../findings/types.js';
import { describeReadError } from '../pipeline/load.js';
import { writeBlockers, type WritableResult } from './blockers.js';
import {
  createJournal,
  leaveJournal,
  removeJournal,
  removeStaged,
  rollBack,
  updateJournal,
  type Journal,
  type JournalEntry,
} from './journal.js';
import { JOURNAL_NAME, ourName } from './names.js';
import { describeWriteError, REAL_IO, removeQuietly, stageFile, syncFolder, type WriteIO } from './staging.js';
import type { FileResult } from '../project/plan.js';

export { afterRecovery, recoverRepository } from './journal.js';
export { writeBlockers } from './blockers.js';

export interface WriteOutcome {
  /** Repository-relative paths written. */
  written: string[];
  /** What the writer adds, each on its file (repository-relative): KB115 blocked, KB107 refused, KB106 failed. The
   * files that changed on disk (or could not be written) come first. */
  findings: Finding[];
}

export interface WriteHooks {
  /** Called with the absolute paths of the changed files, just before they are checked and written. */
  beforeWrite?: (files: string[]) => void | Promise<void>;
  /** Called with the absolute paths of the changed files once each is staged and checked, just before the renames. */
  beforeRename?: (files: string[]) => void | Promise<void>;
  /** File operations used instead of node:fs (tests: a short write, a rename that fails). */
  io?: Partial<WriteIO>;
}

/** One changed file, checked against the disk. */
interface Target {
  file: FileResult;
  abs: string;
  real: string;
  /** `real` relative to the repository's real root, `/`-separated. */
  rel: string;
  link: Stats;
  stat: Stats;
  bytes: Buffer;
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Files staged at once (each holds a file handle until it is checked). */
const STAGED_AT_ONCE = 8;

async function readThrough(real: string, size: number): Promise<{ stat: Stats; bytes: Buffer }> {
  const handle = await open(real, constants.O_RDONLY | O_NOFOLLOW | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error('not a regular file');
    const buffer = Buffer.alloc(Math.max(stat.size, size) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { stat, bytes: buffer.subarray(0, length) };
  } finally {
    await handle.close();
  }
}

const inside = (rel: string) => rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel);

/** The file as it is now, or why it may not be written (KB107). */
async function inspect(root: string, realRoot: string, f: FileResult): Promise<Target | Finding> {
  const abs = join(root, f.path);
  const refuse = (message: string) => finding('KB107', message, { file: f.path, line: 0 });
  const original = Buffer.from(f.original, 'utf8');
  try {
    const linkStat = await lstat(abs);
    const real = await realpath(abs);
    const rel = relative(realRoot, real);
    if (!inside(rel))
      return refuse(`it now leads outside the repository (a symbolic link to ${real}): not written; run again`);
    const now = await readThrough(real, original.length);
    if (!now.bytes.equals(original))
      return refuse('the file changed on disk while it was being migrated: not written; run again');
    return {
      file: f,
      abs,
      real,
      rel: rel.split(sep).join('/'),
      link: linkStat,
      stat: now.stat,
      bytes: Buffer.from(f.output, 'utf8'),
    };
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ELOOP' ? 'it is a symbolic link now' : describeReadError(e);
    return refuse(`cannot read it again before writing (${why}): not written`);
  }
}

/** Why a checked file may not be replaced now (a swap after the check), or undefined. */
async function changedSince(t: Target): Promise<string | undefined> {
  try {
    const linkStat = await lstat(t.abs);
    if (linkStat.isSymbolicLink() !== t.link.isSymbolicLink() || linkStat.ino !== t.link.ino)
      return linkStat.isSymbolicLink() ? 'it was replaced by a symbolic link' : 'it was replaced by another file';
    if ((await realpath(t.abs)) !== t.real) return 'it now leads to another file';
    const st = await lstat(t.real);
    if (!st.isFile() || st.ino !== t.stat.ino || st.dev !== t.stat.dev) return 'it was replaced by another file';
    if (st.size !== t.stat.size || st.mtimeMs !== t.stat.mtimeMs) return 'it was changed';
    return undefined;
  } catch (e) {
    return `it cannot be read again (${describeReadError(e)})`;
  }
}

/** KB106 on the file that failed, the "another file" line on the others. */
function failedWrite(targets: readonly Target[], failed: Target, reason: string): Finding[] {
  const at = (t: Target) => ({ file: t.file.path, line: 0 });
  return [
    finding('KB106', `cannot write: ${reason} (the file is as it was)`, at(failed)),
    ...targets
      .filter((t) => t !== failed)
      .map((t) =>
        finding(
          'KB106',
          'not written: another file of this repository could not be written (the file is as it was)',
          at(t),
        ),
      ),
  ];
}

/** A backup of the original beside it: a hard link (no copy of the bytes), else a copy. */
async function makeBackup(real: string, backup: string): Promise<void> {
  try {
    await link(real, backup);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EEXIST' || code === 'EACCES' || code === 'EROFS') throw e;
    await copyFile(real, backup, constants.COPYFILE_EXCL);
  }
}

export async function writeRepository(
  root: string,
  result: WritableResult,
  hooks: WriteHooks = {},
): Promise<WriteOutcome> {
  const changed = result.files.filter((f) => f.changed);
  if (!changed.length) return { written: [], findings: [] };
  const blocked = writeBlockers(result);
  if (blocked.length) return { written: [], findings: blocked };
  await hooks.beforeWrite?.(changed.map((f) => join(root, f.path)));
  const io: WriteIO = { ...REAL_IO, ...hooks.io };

  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (e) {
    const why = `cannot read the repository folder again (${describeReadError(e)}): not written`;
    return { written: [], findings: changed.map((f) => finding('KB107', why, { file: f.path, line: 0 })) };
  }
  const targets: Target[] = [];
  const refused: Finding[] = [];
  for (const f of changed) {
    const t = await inspect(root, realRoot, f);
    if (!('abs' in t)) refused.push(t);
    else if (targets.some((o) => o.real === t.real && !o.bytes.equals(t.bytes)))
      refused.push(
        finding('KB107', `it is the same file as ${targets.find((o) => o.real === t.real)!.file.path}: not written`, {
          file: f.path,
          line: 0,
        }),
      );
    else if (!targets.some((o) => o.real === t.real)) targets.push(t);
  }
  if (refused.length) return { written: [], findings: [...refused, ...siblingsOf(changed, refused)] };

  const entries: JournalEntry[] = targets.map((t) => ({
    target: t.rel,
    temp: relative(realRoot, ourName(t.real, 'tmp')).split(sep).join('/'),
    backup: relative(realRoot, ourName(t.real, 'orig')).split(sep).join('/'),
  }));
  const abs = (p: string) => join(realRoot, p);
  const journal: Journal = { tool: 'kaniko2buildkit', version: 1, pid: process.pid, state: 'staging', entries };
  try {
    await createJournal(realRoot, journal);
  } catch (e) {
    const why = `${describeWriteError(e)} (the file is as it was): the journal of the write, ${JOURNAL_NAME}, cannot be made in the repository root`;
    return {
      written: [],
      findings: targets.map((t) => finding('KB106', `cannot write: ${why}`, { file: t.file.path, line: 0 })),
    };
  }
  // the temporary files and backups this write made (only those are removed when it gives up)
  const made = new Set<string>();
  const abandon = async (findings: Finding[]): Promise<WriteOutcome> => {
    for (const path of made) await removeQuietly(path);
    await removeJournal(realRoot);
    return { written: [], findings };
  };

  // 3. stage and check every file, and keep a backup of each original: a few at a time (their fsyncs overlap); the
  // first failure in the order of the files is the one reported
  for (let from = 0; from < targets.length; from += STAGED_AT_ONCE) {
    const batch = targets.slice(from, from + STAGED_AT_ONCE);
    const settled = await Promise.allSettled(
      batch.map(async (t, k) => {
        const { temp, backup } = entries[from + k]!;
        await stageFile(abs(temp), t.bytes, t.stat, io);
        made.add(abs(temp));
        await makeBackup(t.real, abs(backup));
        made.add(abs(backup));
      }),
    );
    const k = settled.findIndex((r) => r.status === 'rejected');
    if (k >= 0)
      return abandon(failedWrite(targets, batch[k]!, describeWriteError((settled[k] as PromiseRejectedResult).reason)));
  }
  // 4. the last look before replacing anything
  await hooks.beforeRename?.(targets.map((t) => t.abs));
  const swapped: Finding[] = [];
  for (const t of targets) {
    const why = await changedSince(t);
    if (why)
      swapped.push(
        finding('KB107', `${why} after it was read: not written; run again`, { file: t.file.path, line: 0 }),
      );
  }
  if (swapped.length) return abandon([...swapped, ...siblingsOf(changed, swapped)]);

  // 5. the renames, recorded
  try {
    await updateJournal(realRoot, { ...journal, state: 'renaming' }, io);
  } catch (e) {
    return abandon(failedWrite(targets, targets[0]!, describeWriteError(e)));
  }
  for (const [i, t] of targets.entries()) {
    try {
      await io.rename(abs(entries[i]!.temp), t.real);
    } catch (e) {
      const findings = failedWrite(targets, t, describeWriteError(e));
      // recorded first: a kill during the rollback is finished by the next run, not completed forward
      await updateJournal(realRoot, { ...journal, state: 'rolling-back' }, io).catch(() => undefined);
      const unrestored = await rollBack(realRoot, entries.slice(0, i), io);
      if (!unrestored.length) return abandon(findings);
      // the journal stays: the next run finishes the rollback
      leaveJournal(realRoot);
      for (const u of unrestored)
        findings.push(
          finding(
            'KB106',
            `cannot restore the original after a failed write (${u.reason}): the file is migrated while another file of the repository is not; the next run rolls it back`,
            { file: targets.find((x) => x.rel === u.entry.target)!.file.path, line: 0 },
          ),
        );
      return { written: [], findings };
    }
  }
  await Promise.all([...new Set(targets.map((t) => dirname(t.real)))].map(syncFolder));
  // every file is written: a kill from here on leaves a journal whose renames are all done (the next run removes it)
  await removeStaged(realRoot, entries);
  await removeJournal(realRoot);
  return { written: changed.map((f) => f.path), findings: [] };
}

/** KB107 "not written" on each changed file that was not refused itself. */
function siblingsOf(changed: readonly FileResult[], refused: readonly Finding[]): Finding[] {
  return changed
    .filter((f) => !refused.some((r) => r.file === f.path))
    .map((f): Finding =>
      finding('KB107', 'not written: another file of this project changed on disk during the run; run again', {
        file: f.path,
        line: 0,
      }),
    );
}
