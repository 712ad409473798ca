/**
 * Staging one file's new bytes beside it, checked on disk: the temporary file (src/repository/names.ts) is created
 * with O_EXCL and O_NOFOLLOW, with the original's mode (and owner, as root), written in a loop until every byte went
 * out (a write that makes no progress is a failure, as ENOSPC is), fsynced and closed, then read back from disk and
 * compared byte for byte with what was meant. Only a staged file that passed that check is ever renamed over a file.
 */
import { constants, type Stats } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { describeReadError } from '../pipeline/load.js';
import { readAll } from '../pipeline/fs-source.js';

/** The file operations the writer uses that a test may replace (a short write, a failing rename). */
export interface WriteIO {
  write(handle: FileHandle, buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  rename(from: string, to: string): Promise<void>;
}

export const REAL_IO: WriteIO = {
  write: (handle, buffer, offset, length) => handle.write(buffer, offset, length),
  rename: (from, to) => rename(from, to),
};

/** A failure to write, with the reason as the report says it. */
export class WriteError extends Error {}

/** Why a write failed, in words (the code kept: "no space left on device (ENOSPC)"). */
export function describeWriteError(e: unknown): string {
  if (e instanceof WriteError) return e.message;
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOSPC':
      return 'no space left on device (ENOSPC)';
    case 'EDQUOT':
      return 'disk quota exceeded (EDQUOT)';
    case 'EROFS':
      return 'read-only file system (EROFS)';
    case 'EFBIG':
      return 'file too large (EFBIG)';
    case 'EEXIST':
      return 'a file of that name is already there (EEXIST)';
    default:
      return describeReadError(e);
  }
}

/**
 * Writes `bytes` to the new file `temp` (never an existing one, never through a link), with the mode and, as root,
 * the owner of `like`; fsyncs it and reads it back. Throws (after removing `temp`) when any step fails or the bytes
 * on disk are not `bytes`.
 */
export async function stageFile(temp: string, bytes: Buffer, like: Stats, io: WriteIO = REAL_IO): Promise<void> {
  const mode = like.mode & 0o7777;
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o600,
    );
    created = true;
    // as root, the owner of the original (a file written by root must not change hands); the mode after, as chown
    // may clear set-id bits
    if (process.getuid?.() === 0 && (like.uid !== 0 || like.gid !== 0)) await handle.chown(like.uid, like.gid);
    await handle.chmod(mode);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await io.write(handle, bytes, done, bytes.length - done);
      if (!(bytesWritten > 0))
        throw new WriteError(`short write: ${done} of ${bytes.length} bytes went out (is the disk full?)`);
      done += bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    // what is on disk now, read through a new handle: the size and every byte
    const check = await open(temp, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      const st = await check.stat();
      if (st.size !== bytes.length)
        throw new WriteError(`the file on disk holds ${st.size} bytes, not the ${bytes.length} written`);
      const back = await readAll(check, bytes.length);
      if (!back.equals(bytes)) throw new WriteError('the bytes on disk are not the bytes written');
    } finally {
      await check.close();
    }
  } catch (e) {
    await handle?.close().catch(() => undefined);
    // only a file this call made is removed (O_EXCL failed: the name is someone else's)
    if (created) await removeQuietly(temp);
    throw e;
  }
}

/** Removes a file of ours; a file already gone is fine. */
export async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/** Makes the renames in a folder durable (a file system that cannot fsync a folder is left as it is). */
export async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    await handle.sync();
  } catch {
    // EINVAL/EISDIR on some file systems: nothing more can be done
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
