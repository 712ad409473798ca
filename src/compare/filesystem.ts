/**
 * The filesystem a container of the image starts with: the layers applied bottom to top, as the OCI image spec's
 * "Applying changesets" says. `.wh.NAME` deletes NAME (and what is under it) from the layers below; `.wh..wh..opq`
 * hides everything the layers below put in its directory; an entry replaces what was at its path (a non-directory
 * over a directory removes what was under it). Parent directories that no layer lists are there too, as a runtime
 * creates them (`0755`, root), marked `implicit`.
 */
import type { LayerEntry } from './layer.js';

export interface FsEntry extends Omit<LayerEntry, 'path'> {
  /** The index of the layer that wrote it (0 is the bottom layer). */
  layer: number;
  /** No layer lists it: it is there as the parent of something that is. */
  implicit?: boolean;
}

/** Path (normalised, `etc/passwd`) → entry. */
export type Filesystem = Map<string, FsEntry>;

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Removes what is under `dir` (not `dir` itself) that a layer below `layer` wrote. */
function removeUnder(fs: Filesystem, dir: string, layer: number): void {
  const prefix = dir === '' ? '' : `${dir}/`;
  for (const [path, e] of fs) if (path.startsWith(prefix) && path !== dir && e.layer < layer) fs.delete(path);
}

/** Applies the layers (bottom first) into one filesystem. */
export function flatten(layers: readonly (readonly LayerEntry[])[]): Filesystem {
  const fs: Filesystem = new Map();
  layers.forEach((entries, layer) => {
    for (const entry of entries) {
      const name = baseName(entry.path);
      const dir = parentOf(entry.path);
      if (name === OPAQUE) {
        removeUnder(fs, dir, layer);
        continue;
      }
      if (name.startsWith(WHITEOUT)) {
        const target = (dir ? `${dir}/` : '') + name.slice(WHITEOUT.length);
        if (fs.get(target)?.layer !== layer) {
          fs.delete(target);
          removeUnder(fs, target, layer);
        }
        continue;
      }
      const { path, ...rest } = entry;
      const before = fs.get(path);
      if (before?.type === 'dir' && entry.type !== 'dir') removeUnder(fs, path, layer + 1);
      fs.set(path, { ...rest, layer });
    }
  });
  for (const [path, e] of [...fs]) {
    for (let dir = parentOf(path); dir !== '' && !fs.has(dir); dir = parentOf(dir))
      fs.set(dir, { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, layer: e.layer, implicit: true });
  }
  return fs;
}
