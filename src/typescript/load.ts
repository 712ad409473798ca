/**
 * Loading ts-morph (only when a generator source may hold a Kaniko job: a YAML-only run never loads it) and the cheap
 * test that decides it.
 */
import type { TsMorph } from './ast.js';

let loaded: Promise<TsMorph> | undefined;

/** ts-morph, imported on first use only. */
export function loadTsMorph(): Promise<TsMorph> {
  loaded ??= import('ts-morph').then(
    (m) =>
      ((m as unknown as { Project?: unknown }).Project ? m : (m as unknown as { default: TsMorph }).default) as TsMorph,
  );
  return loaded;
}

/** A source that can hold a Kaniko job, an executor call or a gcix KanikoExecute. */
export function mayMatter(text: string): boolean {
  return /kaniko|executor/i.test(text);
}
