/**
 * A FileSource over a folder on disk, refusing paths that lead outside it (also through symlinks), and one over
 * texts in memory. Both can list their files, for `include: local` wildcard paths.
 */
import { isUtf8 } from 'node:buffer';
import { constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { OutsideRepositoryError, type FileSource } from './load.js';
import { positionIn, lineStartsOf, MAX_FILE_BYTES, tooLargeMessage } from './source.js';

export { MAX_FILE_BYTES } from './source.js';

/** Where the first byte that is not UTF-8 text (or a NUL byte) is, as line:column of the text before it. */
function firstBadByte(bytes: Buffer): { offset: number; nul: boolean } | undefined {
  const nul = bytes.indexOf(0);
  if (isUtf8(bytes)) return nul >= 0 ? { offset: nul, nul: true } : undefined;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0) return { offset: i, nul: true };
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > bytes.length || !isUtf8(bytes.subarray(i, i + n))) return { offset: i, nul: false };
    i += n;
  }
  return nul >= 0 ? { offset: nul, nul: true } : undefined;
}

/**
 * A file's bytes as its text, the same on every door (disk, the GitLab API): at most MAX_FILE_BYTES, UTF-8 (a real
 * U+FFFD is text like any other; a byte that is not UTF-8 is refused with its place), no NUL byte, and a byte-order
 * mark kept (so that the bytes written back are the bytes read, outside the edits). Throws the reason.
 */
export function decodeText(path: string, bytes: Uint8Array): string {
  if (bytes.length > MAX_FILE_BYTES) throw new Error(tooLargeMessage(path, bytes.length));
  return decodeUtf8(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
}

function decodeUtf8(path: string, bytes: Buffer): string {
  const bad = firstBadByte(bytes);
  if (bad) {
    const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(0, bad.offset));
    const { line, column } = positionIn(lineStartsOf(before), before.length);
    throw new Error(
      `${path} is not UTF-8 text: ${bad.nul ? 'a NUL byte (a binary file?)' : `byte 0x${bytes[bad.offset]!.toString(16).padStart(2, '0')}`} at line ${line}, column ${column}`,
    );
  }
  // ignoreBOM keeps a byte-order mark in the text (the default strips it), so it survives the rewrite.
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

/**
 * A generator source on disk: a file of at most MAX_FILE_BYTES, UTF-8 text, read whole, as `decodeText` reads every
 * pipeline file (throws with the reason, naming the file `label`).
 */
export function readSourceFile(abs: string, label = abs): string {
  const st = statSync(abs);
  if (st.size > MAX_FILE_BYTES) throw new Error(tooLargeMessage(label, st.size));
  return decodeText(label, readFileSync(abs));
}

export class DiskSource implements FileSource {
  readonly root: string;
  private readonly realRoot: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.realRoot = realpathSync(this.root);
  }

  private inside(path: string): string | undefined {
    const full = join(this.root, path);
    if (!existsSync(full)) return undefined;
    const real = realpathSync(full);
    const rel = relative(this.realRoot, real);
    if (rel.startsWith('..') || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel)) {
      throw new OutsideRepositoryError(`${path} leads outside the repository (symbolic link to ${real})`);
    }
    return full;
  }

  async read(path: string): Promise<string | undefined> {
    const full = this.inside(path);
    if (!full) return undefined;
    // A FIFO or a device would block the read (or never end): only regular files are opened, and without blocking.
    const st = statSync(full);
    if (st.isDirectory()) throw new Error(`${path} is a folder`);
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    const handle = await open(full, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const now = await handle.stat(); // the file opened, not the one stat saw (it may have been replaced)
      if (!now.isFile()) throw new Error(`${path} is not a regular file`);
      if (now.size > MAX_FILE_BYTES) throw new Error(tooLargeMessage(path, now.size));
      // One byte more than the size seen: a file that grows while it is read is refused, never read in part.
      const size = now.size;
      const bytes = await readAll(handle, size);
      if (bytes.length > size)
        throw new Error(`${path} grew while it was read (another program is writing it): run again`);
      return decodeText(path, bytes);
    } finally {
      await handle.close();
    }
  }

  exists(path: string): boolean | undefined {
    try {
      return this.inside(path) !== undefined;
    } catch {
      return false;
    }
  }

  /**
   * The files under `folder`, as git would list them: folders are entered (`.git` never), symbolic links are not
   * followed into folders (git keeps a link as a file); a link to a file is listed (reading it still refuses a link
   * that leads outside the repository). An unreadable folder is left out.
   */
  async list(folder: string): Promise<string[] | undefined> {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(join(this.root, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const path = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (e.name !== '.git') await walk(path);
        } else if (e.isFile()) out.push(path);
        else if (e.isSymbolicLink()) {
          const target = await stat(join(this.root, path)).catch(() => undefined);
          if (target?.isFile()) out.push(path);
        }
      }
    };
    if (folder && this.exists(folder) !== true) return [];
    await walk(folder);
    return out;
  }
}

/** A FileSource over texts in memory (tests, the GitLab API, a single file given on its own). */
export class MemorySource implements FileSource {
  constructor(
    private readonly files: Map<string, string>,
    private readonly known?: (path: string) => boolean | undefined,
  ) {}

  async read(path: string): Promise<string | undefined> {
    return this.files.get(path);
  }

  exists(path: string): boolean | undefined {
    if (this.files.has(path)) return true;
    return this.known ? this.known(path) : undefined;
  }

  /**
   * The texts' paths under `folder`. With `known` (files beyond the texts exist), the repository cannot be listed:
   * undefined.
   */
  async list(folder: string): Promise<string[] | undefined> {
    if (this.known) return undefined;
    const prefix = folder ? `${folder}/` : '';
    return [...this.files.keys()].filter((p) => p.startsWith(prefix));
  }
}

/** What an open file holds, read up to one byte more than `expected` (so a file that grew shows it). */
export async function readAll(handle: FileHandle, expected: number): Promise<Buffer> {
  const buffer = Buffer.alloc(expected + 1);
  let length = 0;
  while (length < buffer.length) {
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.subarray(0, length);
}
