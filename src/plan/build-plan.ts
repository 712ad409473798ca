/**
 * BuildPlan: everything one `buildctl-daemonless.sh build` call needs, as shell text.
 * Values that came from the pipeline keep their raw expansions (see ShellText); the renderer only re-quotes literal text.
 */
import { displayText, type ShellText } from '../shell/quote.js';

/** One CSV field of `--output`/`--export-cache`/`--import-cache`: `key=value`, or `key=a,b` (quoted as one field). */
export interface CsvField {
  key: string;
  /** One value, or several joined with `,` (several image names). */
  values: ShellText[];
  /** A value is a variable holding a comma-separated list at run time: quote the field even for one value. */
  list?: true;
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
  /** The Dockerfile comes on standard input (`--dockerfile /dev/stdin`): the call saves it to STDIN_DOCKERFILE_DIR first. */
  stdinDockerfile?: boolean;
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
  /** Words passed through as they are: variables that now hold buildctl arguments (`$KANIKO_ARGS`). */
  passthrough: string[];
  /** Global buildctl flags before `build` (e.g. `--debug`). */
  globalFlags: string[];
  /** Shell lines the job must run before the call (e.g. writing buildkitd.toml), in order. Run unconditionally. */
  before: string[];
  /** Shell lines the job must run right after the call (e.g. writing Kaniko-style digest files), in order. */
  after: string[];
  /** Per-registry daemon settings (buildkitd.toml `[registry."host"]`), by host as written (may hold variables). */
  registries: Map<string, RegistryConfig>;
}

/** One `[registry."HOST"]` table of buildkitd.toml (../shared/reference §3.9). Values keep their shell expansions. */
export interface RegistryConfig {
  host: ShellText;
  mirrors: ShellText[];
  http?: boolean;
  insecure?: boolean;
  ca: ShellText[];
  keypairs: { cert: ShellText; key: ShellText }[];
}

/** Where a Dockerfile read from standard input is saved (buildctl reads Dockerfiles from a folder). */
export const STDIN_DOCKERFILE_DIR = '/tmp/stdin-dockerfile';

export function registry(plan: BuildPlan, host: ShellText): RegistryConfig {
  const key = displayText(host);
  let r = plan.registries.get(key);
  if (!r) {
    r = { host, mirrors: [], ca: [], keypairs: [] };
    plan.registries.set(key, r);
  }
  return r;
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
    passthrough: [],
    globalFlags: [],
    before: [],
    after: [],
    registries: new Map(),
  };
}
