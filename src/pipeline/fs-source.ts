/** A FileSource over a folder on disk, refusing paths that lead outside it (also through symlinks). */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { FileSource } from './load.js';

/** Largest pipeline file read (a generated 10,000-job pipeline is about 1 MB). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

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
      throw new Error(`${path} leads outside the repository (symbolic link to ${real})`);
    }
    return full;
  }

  async read(path: string): Promise<string | undefined> {
    const full = this.inside(path);
    if (!full) return undefined;
    const st = statSync(full);
    if (st.isDirectory()) throw new Error(`${path} is a folder`);
    if (st.size > MAX_FILE_BYTES) throw new Error(`${path} is ${st.size} bytes, over the ${MAX_FILE_BYTES}-byte limit for a pipeline file`);
    const bytes = await readFile(full);
    // ignoreBOM keeps a byte-order mark in the text (the default strips it), so it survives the rewrite.
    const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
    if (bytes.includes(0) || text.includes('\uFFFD')) throw new Error(`${path} is not UTF-8 text`);
    return text;
  }

  exists(path: string): boolean | undefined {
    try {
      return this.inside(path) !== undefined;
    } catch {
      return false;
    }
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
}
