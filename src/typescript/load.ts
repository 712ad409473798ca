/**
 * Loading ts-morph, only when a generator source may hold a Kaniko job (a YAML-only run never loads it; the cheap test
 * that decides it, `mayMatter`, lives in files.ts). ts-morph is an optional peer dependency of the package: an install
 * without it migrates YAML, and a generator source then gets `MissingTsMorph`, which says what to install.
 */
import type { TsMorph } from './ast.js';
import { MissingTsMorph } from './optional.js';

let loaded: Promise<TsMorph> | undefined;

/** ts-morph, imported on first use only; `MissingTsMorph` when it is not installed. */
export function loadTsMorph(): Promise<TsMorph> {
  loaded ??= import('ts-morph').then(
    (m) =>
      ((m as unknown as { Project?: unknown }).Project ? m : (m as unknown as { default: TsMorph }).default) as TsMorph,
    (e: unknown) => {
      loaded = undefined;
      throw isMissing(e) ? new MissingTsMorph({ cause: e }) : e;
    },
  );
  return loaded;
}

/** Node's "Cannot find package 'ts-morph'" (not a package that ts-morph itself imports, which is a broken install). */
function isMissing(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  return (
    (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') &&
    typeof err.message === 'string' &&
    err.message.includes("'ts-morph'")
  );
}
