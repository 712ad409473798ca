/** Helpers of the writer tests: walking a tree for files the tool leaves, and a generated pipeline. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_NAME, ourNameOf } from '../../src/repository/names.js';

/** Every file under `dir`, relative, folders walked (`.git` too). */
export function walk(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(dir, p) : [p];
  });
}

/** The files of the tool (temporary files, backups, journals, anything named k2b) under `dir`. */
export function leftovers(dir: string): string[] {
  return walk(dir).filter((p) => {
    const name = p.slice(p.lastIndexOf('/') + 1);
    return name === JOURNAL_NAME || ourNameOf(name) !== undefined || /k2b|kaniko2buildkit/.test(name);
  });
}
