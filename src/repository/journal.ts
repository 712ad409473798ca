/**
 * The journal of one repository's write, and the recovery from a write that was cut short (kill -9, a crash, a power
 * cut): no design survives a kill between two renames without a record, so the writer keeps one.
 *
 * The journal, `.kaniko2buildkit-journal.json` in the repository's root (src/repository/names.ts), lists each file
 * being written with its temporary file and its backup (repository-relative paths), and the state of the write:
 * - `staging`: written before the first temporary file is made; the files are untouched;
 * - `renaming`: written (and fsynced) once every temporary file is staged, fsynced and checked on disk and every backup
 *   made, before the first rename;
 * - `rolling-back`: written when a rename failed, before the renames done are undone from the backups.
 * It is created with link(2) (so only one write of a repository runs at a time) and replaced by a rename; it is
 * removed last, after every temporary file and backup.
 *
 * `recoverRepository(root)`, run at the start of every disk repository run before its files are read, finds a journal
 * left by a process that is no longer running and settles it, deterministically:
 * - `staging`: the temporary files and backups are removed; every file is as it was;
 * - `renaming`: completed (rolled forward): every temporary file still there is renamed over its file, so every file
 *   of the set is migrated as that run meant it (its text was staged and checked on disk before the first rename); a
 *   file replaced since (not the inode its backup holds) is left as it is and reported;
 * - `rolling-back`: the rollback is finished: every file gets its backup again, so every file is as it was.
 * Then the backups and the journal go, and each file gets a KB114 finding saying what was done. Files of ours in the
 * root folder and in the folders the journal names, left by processes that are gone, are removed too. A journal that
 * this tool did not write (it names paths outside the repository, or names that are not ours) is left as it is and
 * reported; so is the journal of a run that is still going.
 */
import { constants } from 'node:fs';
import { link, lstat, open, readdir, readFile, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { finding } from '../findings/finding.js';
import type { Finding } from '../findings/types.js';
import type { ProjectResult } from '../project/plan.js';
import { repoPath } from '../pipeline/load.js';
import { isRunning, JOURNAL_NAME, ourName, ourNameOf, type OurKind } from './names.js';
import { describeWriteError, REAL_IO, removeQuietly, syncFolder, WriteError, type WriteIO } from './staging.js';

export type JournalState = 'staging' | 'renaming' | 'rolling-back';

export interface JournalEntry {
  /** The file written (its real path, relative to the repository's real root, `/`-separated). */
  target: string;
  /** Its temporary file, beside it. */
  temp: string;
  /** Its backup, beside it. */
  backup: string;
}

export interface Journal {
  tool: 'kaniko2buildkit';
  version: 1;
  pid: number;
  state: JournalState;
  entries: JournalEntry[];
}

/** The journals this process is writing (its own pid on a journal does not make it stale while it is here). */
const active = new Set<string>();

/** The largest journal read (a few thousand files). */
const MAX_JOURNAL_BYTES = 4 * 1024 * 1024;

async function writeDurably(path: string, text: string, sync = true): Promise<void> {
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0));
    created = true;
    await handle.writeFile(text, 'utf8');
    if (sync) await handle.sync();
    await handle.close();
    handle = undefined;
    const back = await readFile(path, 'utf8');
    if (back !== text) throw new WriteError('the journal on disk is not what was written');
  } catch (e) {
    await handle?.close().catch(() => undefined);
    // only a file this call made is removed (O_EXCL failed: it is someone else's)
    if (created) await removeQuietly(path);
    throw e;
  }
}

/**
 * Creates the journal of a write in `realRoot`: fails (WriteError) when another write of the repository holds one.
 */
export async function createJournal(realRoot: string, journal: Journal): Promise<void> {
  const path = join(realRoot, JOURNAL_NAME);
  const temp = ourName(path, 'tmp');
  // not fsynced: before the renames the journal only names files to remove (a kill leaves it in the page cache)
  await writeDurably(temp, JSON.stringify(journal), false);
  const taken = () =>
    new WriteError(`another run of kaniko2buildkit is writing this repository (${JOURNAL_NAME} is there)`);
  try {
    await link(temp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw taken();
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    // a file system without hard links: the journal written in place, O_EXCL (a kill in that instant leaves a
    // journal that cannot be read: reported, nothing else touched)
    await writeDurably(path, JSON.stringify(journal), false).catch((f: unknown) => {
      throw (f as NodeJS.ErrnoException).code === 'EEXIST' ? taken() : f;
    });
  } finally {
    await removeQuietly(temp);
  }
  active.add(path);
}

/** Replaces the journal with its next state (a rename over it, fsynced). */
export async function updateJournal(realRoot: string, journal: Journal, io: WriteIO = REAL_IO): Promise<void> {
  const path = join(realRoot, JOURNAL_NAME);
  const temp = ourName(path, 'tmp');
  await writeDurably(temp, JSON.stringify(journal));
  try {
    await io.rename(temp, path);
  } catch (e) {
    await removeQuietly(temp);
    throw e;
  }
  await syncFolder(realRoot);
}

/** Forgets a journal this process leaves behind on purpose (the next run settles it). */
export function leaveJournal(realRoot: string): void {
  active.delete(join(realRoot, JOURNAL_NAME));
}

/** Removes the journal, last. */
export async function removeJournal(realRoot: string): Promise<void> {
  const path = join(realRoot, JOURNAL_NAME);
  await unlink(path).catch(() => undefined);
  active.delete(path);
}

/**
 * Puts each entry's backup back over its file (the renames already done undone; a file not renamed yet is a link to
 * its backup, and stays), then removes the temporary files and backups. Returns the entries it could not restore.
 */
export async function rollBack(
  realRoot: string,
  entries: readonly JournalEntry[],
  io: WriteIO = REAL_IO,
): Promise<{ entry: JournalEntry; reason: string }[]> {
  const failed: { entry: JournalEntry; reason: string }[] = [];
  for (const entry of [...entries].reverse()) {
    const backup = join(realRoot, entry.backup);
    const there = await lstat(backup).catch(() => undefined);
    if (there?.isFile()) {
      try {
        await io.rename(backup, join(realRoot, entry.target));
      } catch (e) {
        // the backup and the journal stay: the next run tries again
        failed.push({ entry, reason: describeWriteError(e) });
        continue;
      }
    }
    // a rename between two links to one file does nothing (POSIX): the backup name is still there
    await removeQuietly(backup);
    await removeQuietly(join(realRoot, entry.temp));
  }
  for (const dir of new Set(entries.map((e) => dirname(join(realRoot, e.target))))) await syncFolder(dir);
  return failed;
}

/**
 * Completes the renames of a write cut short in `renaming`: each temporary file still there replaces its file, unless
 * that file is no longer the one the write staged against (its backup is a link to it). Returns the entries left.
 */
async function rollForward(
  realRoot: string,
  entries: readonly JournalEntry[],
): Promise<{ entry: JournalEntry; reason: string }[]> {
  const left: { entry: JournalEntry; reason: string }[] = [];
  for (const entry of entries) {
    const temp = join(realRoot, entry.temp);
    const target = join(realRoot, entry.target);
    const staged = await lstat(temp).catch(() => undefined);
    if (!staged?.isFile()) continue; // renamed already
    const [now, backup] = await Promise.all([
      lstat(target).catch(() => undefined),
      lstat(join(realRoot, entry.backup)).catch(() => undefined),
    ]);
    if (!now?.isFile() || !backup || now.ino !== backup.ino || now.dev !== backup.dev) {
      left.push({ entry, reason: 'the file was changed or replaced since that run: left as it is' });
      continue;
    }
    try {
      await rename(temp, target);
    } catch (e) {
      left.push({ entry, reason: `cannot complete it (${describeWriteError(e)})` });
    }
  }
  for (const dir of new Set(entries.map((e) => dirname(join(realRoot, e.target))))) await syncFolder(dir);
  return left;
}

/** Removes every temporary file and backup of the entries. */
export async function removeStaged(realRoot: string, entries: readonly JournalEntry[]): Promise<void> {
  for (const e of entries) {
    await removeQuietly(join(realRoot, e.temp));
    await removeQuietly(join(realRoot, e.backup));
  }
}

/** A journal entry path this tool would have written: inside the repository, the name of `kind` beside the target. */
function validEntry(e: unknown): e is JournalEntry {
  if (typeof e !== 'object' || e === null) return false;
  const { target, temp, backup } = e as Record<string, unknown>;
  if (typeof target !== 'string' || typeof temp !== 'string' || typeof backup !== 'string') return false;
  if (!target || repoPath(target) !== target) return false;
  const beside = (p: string, kind: OurKind) => {
    if (repoPath(p) !== p || dirname(p) !== dirname(target)) return false;
    const ours = ourNameOf(p.slice(p.lastIndexOf('/') + 1));
    return ours?.kind === kind && ours.of === target.slice(target.lastIndexOf('/') + 1);
  };
  return beside(temp, 'tmp') && beside(backup, 'orig');
}

function parseJournal(text: string): Journal | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof j !== 'object' || j === null) return undefined;
  const { tool, version, pid, state, entries } = j as Record<string, unknown>;
  if (tool !== 'kaniko2buildkit' || version !== 1 || typeof pid !== 'number') return undefined;
  if (state !== 'staging' && state !== 'renaming' && state !== 'rolling-back') return undefined;
  if (!Array.isArray(entries) || !entries.every(validEntry)) return undefined;
  return j as Journal;
}

/** Removes the files of ours in `dir` made by processes that are gone (never a live run's). */
async function removeStrays(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const ours = ourNameOf(name);
    if (!ours || isRunning(ours.pid)) continue;
    const st = await lstat(join(dir, name)).catch(() => undefined);
    if (st?.isFile()) await removeQuietly(join(dir, name));
  }
}

const SETTLED: Record<JournalState, string> = {
  staging: 'before any file was replaced: its temporary files are removed; the file is as it was',
  renaming:
    'half-way through replacing the files of this repository: completed, the file is migrated as that run staged and checked it',
  'rolling-back': 'while it undid a failed write: rolled back, the file is as it was',
};

/**
 * Settles a write of the repository at `root` that was cut short (see the top of this file): returns a KB114 finding
 * per file it settled (paths relative to `root`), none when there was nothing to do. Never throws.
 */
export async function recoverRepository(root: string): Promise<Finding[]> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return [];
  }
  const path = join(realRoot, JOURNAL_NAME);
  const st = await lstat(path).catch(() => undefined);
  if (!st) {
    await removeStrays(realRoot);
    return [];
  }
  const where = { file: JOURNAL_NAME, line: 0 };
  const text =
    st.isFile() && st.size <= MAX_JOURNAL_BYTES ? await readFile(path, 'utf8').catch(() => undefined) : undefined;
  const journal = text === undefined ? undefined : parseJournal(text);
  if (!journal)
    return [
      finding(
        'KB114',
        `${JOURNAL_NAME} cannot be read as a journal of this tool: left as it is (no file of this repository is written while it is there); remove it`,
        where,
      ),
    ];
  if (active.has(path) || (journal.pid !== process.pid && isRunning(journal.pid)))
    return [
      finding(
        'KB114',
        `another run of kaniko2buildkit (pid ${journal.pid}) is writing this repository: its journal is left alone`,
        where,
      ),
    ];
  const { entries, state, pid } = journal;
  const failed =
    state === 'renaming'
      ? await rollForward(realRoot, entries)
      : state === 'rolling-back'
        ? await rollBack(realRoot, entries)
        : [];
  // a rollback that could not finish keeps its backups and the journal: the next run tries again
  const keep = state === 'rolling-back' && failed.length > 0;
  if (!keep) {
    await removeStaged(realRoot, entries);
    for (const dir of new Set(entries.map((e) => dirname(join(realRoot, e.target))))) await removeStrays(dir);
    await removeJournal(realRoot);
  }
  await removeStrays(realRoot);
  const shown = (target: string) => {
    const rel = relative(root, join(realRoot, target));
    return rel.startsWith('..') ? target : rel.split(sep).join('/');
  };
  return entries.map((e) => {
    const bad = failed.find((f) => f.entry === e);
    const message = bad
      ? `an earlier run (pid ${pid}) was interrupted while it wrote this repository, and this file was not settled: ${bad.reason}${keep ? `; ${JOURNAL_NAME} is kept, run again` : ''}`
      : `an earlier run (pid ${pid}) was interrupted ${SETTLED[state]}`;
    return finding('KB114', message, { file: shown(e.target), line: 0 });
  });
}

/**
 * `run` (the migration of the repository at `root`) after `recoverRepository(root)`, with its KB114 findings on the
 * files they name (a file the run does not report gets a row of its own, unchanged).
 */
export async function afterRecovery<R extends ProjectResult | undefined>(
  root: string,
  run: () => Promise<R>,
): Promise<R> {
  const notes = await recoverRepository(root);
  const result = await run();
  if (!result) return result; // not planned (the run was stopped)
  for (const note of notes) {
    const file = result.files.find((f) => f.path === note.file);
    if (file) file.findings.unshift(note);
    else result.files.push({ path: note.file, original: '', output: '', changed: false, edits: [], findings: [note] });
  }
  return result;
}
