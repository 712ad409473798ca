/**
 * Reading one layer blob as a stream (tar-stream; gzip through Node's zlib, told by its first bytes whatever the media
 * type says; zstd refused with a clear error, Node 20 has no zstd): every entry's path, type, mode, owner, size, link
 * target, mtime, PAX xattrs (`SCHILY.xattr.*`) and the sha256 of its content, computed as it streams past. Nothing
 * of a file is kept but its digest, except the user and group databases (`/etc/passwd`, `/etc/group`, up to 1 MiB),
 * which the explanations read to tell a `USER` name's uid.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One tar entry of a layer, a whiteout marker included. */
export interface LayerEntry {
  /** Normalised: no leading `/` or `./`, no trailing `/` (`etc/passwd`). */
  path: string;
  type: EntryType;
  /** Permission bits with setuid, setgid and sticky (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** `sha256:…` of a regular file's content. */
  digest?: string;
  /** A symlink's target, or the path a hard link points to (normalised like `path`). */
  linkname?: string;
  /** Seconds since the epoch. */
  mtime?: number;
  /** `SCHILY.xattr.NAME` PAX records, by NAME. */
  xattrs?: Record<string, string>;
  /** The content of `etc/passwd` and `etc/group`. */
  text?: string;
}

export class LayerError extends Error {}

/** Files whose content is kept, and the most of it that is. */
const KEPT = new Set(['etc/passwd', 'etc/group']);
const KEPT_LIMIT = 1024 * 1024;

/** `./usr/bin/`, `/usr//bin`, `../usr/bin` → `usr/bin` (`..` stops at the root, as extraction does). */
export function normalisePath(name: string): string {
  return posix.normalize(`/${name}`).replace(/^\/+|\/+$/g, '');
}

const TYPES: Record<string, EntryType> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

/** The stream as tar: gunzipped when it starts with gzip's magic bytes; zstd refused. */
async function* decompressed(stream: Readable, what: string): AsyncGenerator<Buffer> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first = await iterator.next();
  while (!first.done && first.value.length < 4) {
    const more = await iterator.next();
    if (more.done) break;
    first = { done: false, value: Buffer.concat([first.value, more.value]) };
  }
  if (first.done) return;
  const head = first.value;
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  };
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    throw new LayerError(`${what}: a zstd layer; Node ${process.versions.node} cannot decompress zstd`);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    const feeding = pipeline(Readable.from(rest()), gunzip).catch((e: Error) => gunzip.destroy(e));
    yield* gunzip as AsyncIterable<Buffer>;
    await feeding;
    return;
  }
  yield* rest();
}

/** Every entry of the layer, in archive order. `what` names the layer in errors. */
export async function readLayer(stream: Readable, what: string): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = [];
  const extract = tar.extract();
  const source = new PassThrough();
  const feeding = pipeline(Readable.from(decompressed(stream, what)), source, extract).catch((e: Error) => {
    extract.destroy(e);
    throw e;
  });
  try {
    for await (const entry of extract) {
      const h = entry.header as tar.Header;
      const type = TYPES[h.type ?? 'file'];
      const path = normalisePath(h.name);
      const hash = type === 'file' ? createHash('sha256') : undefined;
      const keep = type === 'file' && KEPT.has(path) ? ([] as Buffer[]) : undefined;
      let kept = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        hash?.update(chunk);
        if (keep && kept < KEPT_LIMIT) {
          keep.push(chunk);
          kept += chunk.length;
        }
      }
      if (!type || path === '') continue; // the root itself, or a type without meaning in an image (GNU sparse …)
      const xattrs: Record<string, string> = {};
      for (const [k, v] of Object.entries((h.pax ?? {}) as Record<string, string>))
        if (k.startsWith('SCHILY.xattr.')) xattrs[k.slice('SCHILY.xattr.'.length)] = v;
      entries.push({
        path,
        type,
        mode: (h.mode ?? 0) & 0o7777,
        uid: h.uid ?? 0,
        gid: h.gid ?? 0,
        size: type === 'file' ? (h.size ?? 0) : 0,
        ...(hash ? { digest: `sha256:${hash.digest('hex')}` } : {}),
        ...(type === 'symlink' && h.linkname ? { linkname: h.linkname } : {}),
        ...(type === 'hardlink' && h.linkname ? { linkname: normalisePath(h.linkname) } : {}),
        ...(h.mtime ? { mtime: Math.floor(h.mtime.getTime() / 1000) } : {}),
        ...(Object.keys(xattrs).length ? { xattrs } : {}),
        ...(keep ? { text: Buffer.concat(keep).subarray(0, KEPT_LIMIT).toString('utf8') } : {}),
      });
    }
  } catch (e) {
    await feeding.catch(() => undefined);
    throw asLayerError(e, what);
  }
  try {
    await feeding;
  } catch (e) {
    throw asLayerError(e, what);
  }
  return entries;
}

function asLayerError(e: unknown, what: string): Error {
  if (e instanceof LayerError) return e;
  if ((e as Error).name === 'RegistryError') return e as Error;
  return new LayerError(`${what}: the layer cannot be read: ${(e as Error).message}`);
}
