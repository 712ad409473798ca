/**
 * BuildPlan: everything one `buildctl-daemonless.sh build` call needs, as shell text.
 * Values that came from the pipeline keep their raw expansions (see ShellText); the renderer only re-quotes literal text.
 */
import type { ShellText } from '../shell/quote.js';

/** One CSV field of `--output`/`--export-cache`/`--import-cache`: `key=value`, or `key=a,b` (quoted as one field). */
export interface CsvField {
  key: string;
  /** One value, or several joined with `,` (several image names). */
  values: ShellText[];
}

export function field(key: string, ...values: ShellText[]): CsvField {
  return { key, values };
}

export interface BuildPlan {
  /** `--local context=DIR`, or, for a remote context, `--opt context=URL` (then `contextIsRemote`). */
  context: ShellText;
  contextIsRemote?: boolean;
  /** `--local dockerfile=DIR`. */
  dockerfileDir: ShellText;
  /** `--opt filename=NAME`; omitted when it is `Dockerfile`. */
  filename?: ShellText;
  /** `--opt` values (`target=X`, `build-arg:K=V`, `label:K=V`, …), in order. */
  opts: ShellText[];
  /** `--output` records, each a list of CSV fields. */
  outputs: CsvField[][];
  importCache: CsvField[][];
  exportCache: CsvField[][];
  /** `--secret` values, verbatim. */
  secrets: ShellText[];
  metadataFile?: ShellText;
  /** Global buildctl flags before `build` (e.g. `--debug`). */
  globalFlags: string[];
  /** Shell lines the job must run after the call (e.g. writing Kaniko-style digest files), in order. */
  after: string[];
}

export function emptyPlan(): BuildPlan {
  return {
    context: [],
    dockerfileDir: [],
    opts: [],
    outputs: [],
    importCache: [],
    exportCache: [],
    secrets: [],
    globalFlags: [],
    after: [],
  };
}
