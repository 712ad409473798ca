/**
 * BuildPlan: everything one `buildctl-daemonless.sh build` call needs, as shell text: the vocabulary `kaniko/` writes
 * into and `buildkit/render.ts` reads. Values that came from the pipeline keep their raw expansions (see ShellText);
 * the renderer only re-quotes literal text.
 */
import { concat, displayText, join, lit, type ShellText } from '../shell/quote.js';

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

/**
 * One `[registry."HOST"]` table of buildkitd.toml (BuildKit `docs/buildkitd.toml.md`: `mirrors`, `http`, `insecure`,
 * `ca`, `[[registry."HOST".keypair]]`). Values keep their shell expansions.
 */
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

/**
 * The plan parts that are lists of single buildctl flag values, with their flag, in the order the call renders them.
 * They are the only parts that can stand as plain words where a variable was (`$KANIKO_ARGS`).
 */
export const VALUE_FLAGS = [
  { part: 'opts', flag: '--opt' },
  { part: 'secrets', flag: '--secret' },
] as const satisfies readonly { part: keyof BuildPlan; flag: string }[];

export type ValuePart = (typeof VALUE_FLAGS)[number]['part'];

/** The value parts of a plan as flag and value: `[['--opt', target=x], ['--secret', id=t]]`. */
export function valueFlags(plan: BuildPlan): [flag: string, value: ShellText][] {
  return VALUE_FLAGS.flatMap(({ part, flag }) => plan[part].map((v): [string, ShellText] => [flag, v]));
}

/** The parts of a plan that hold something (a non-empty list or map, a set flag or value). */
export function writtenParts(plan: BuildPlan): (keyof BuildPlan)[] {
  return (Object.keys(plan) as (keyof BuildPlan)[]).filter((key) => {
    const v: unknown = plan[key];
    if (v instanceof Map) return v.size > 0;
    if (Array.isArray(v)) return v.length > 0;
    return v !== undefined && v !== false;
  });
}

/**
 * A CSV record (`--import-cache`, `--export-cache`, `--output` values) as buildctl's strict CSV reader wants it
 * (BuildKit `cmd/buildctl/build/output.go`, `parseOutputCSV`, reading with tonistiigi/go-csvvalue): a field holding
 * `,` or `"` is wrapped in `"…"` with inner quotes doubled.
 */
export function csvRecord(fields: CsvField[]): ShellText {
  return join(fields.map(csvField), ',');
}

function csvField(f: CsvField): ShellText {
  const body = concat(lit(`${f.key}=`), join(f.values, ','));
  const needsQuotes =
    f.values.length > 1 || f.list || body.some((seg) => seg.kind === 'literal' && /[,"]/.test(seg.text));
  if (!needsQuotes) return body;
  const escaped: ShellText = body.map((seg) =>
    seg.kind === 'literal' ? { ...seg, text: seg.text.replace(/"/g, '""') } : seg,
  );
  return concat(lit('"'), escaped, lit('"'));
}
