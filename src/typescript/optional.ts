/**
 * ts-morph is an optional peer dependency of the package (12 of its 20 MB installed): an install without it migrates
 * YAML pipelines, and reading a generator source that may hold a Kaniko job then fails with `MissingTsMorph`, which
 * says what to install. No ts-morph types here, so the package's declarations reach this file without it.
 */

/** The message of `MissingTsMorph`: what is missing, what needs it, and the two ways on. */
export const MISSING_TS_MORPH =
  'reading generator sources (TypeScript/JavaScript) needs the package ts-morph, an optional dependency of ' +
  'kaniko2buildkit that is not installed: install it beside kaniko2buildkit (`npm install ts-morph`; ' +
  '`npm install -g ts-morph` for a global install), or pass --no-sources to migrate the YAML pipeline only';

/** ts-morph cannot be imported: the package is not installed where kaniko2buildkit can find it. */
export class MissingTsMorph extends Error {
  readonly code = 'K2B_MISSING_TS_MORPH';
  constructor(options?: { cause?: unknown }) {
    super(MISSING_TS_MORPH, options);
    this.name = 'MissingTsMorph';
  }
}
