/**
 * The words the flag table is written in: an entry, the phases entries run in, the plan slots they write (and so what
 * a variable holding the flag may hold), a flag as read from a call, an example, and CallState, what planning an
 * entry may read and do. Nothing here plans anything; every other file of `kaniko/` imports from here.
 */
import type { BuildPlan, CsvField, ValuePart } from '../plan/build-plan.js';
import type { Code, Unplaced } from '../findings/types.js';
import type { ShellText } from '../shell/quote.js';
import type { SimpleCommand, Word } from '../shell/types.js';

export type FlagKind = 'string' | 'bool' | 'list';

/**
 * Entries run phase by phase, in this order; an entry may read what entries of earlier phases decided, never what
 * entries of its own phase did (within a phase, table order only orders the findings).
 * - `source`: the context and the Dockerfile (planned together: the Dockerfile is resolved against the context);
 * - `build`: `--opt`/`--secret` values of the build itself;
 * - `destinations`: the push switch and the image names, and the image output;
 * - `outputs`: other outputs and files written from the build (read the destinations);
 * - `cache`: registry caches (read the push switch and the first image name);
 * - `attributes`: fields added to the outputs and caches made above;
 * - `registries`: daemon settings per registry host (buildkitd.toml);
 * - `internals`: Kaniko-only flags, dropped.
 */
export const PHASES = [
  'source',
  'build',
  'destinations',
  'outputs',
  'cache',
  'attributes',
  'registries',
  'internals',
] as const;
export type Phase = (typeof PHASES)[number];

/**
 * What a shell variable holding a flag (`$KANIKO_ARGS`, `DESTS="$DESTS --destination=…"`) can hold instead after the
 * migration, so the call keeps reading it:
 * - `args`: the flag's own buildctl arguments (`--opt build-arg:K=V`), passed through where the variable stood;
 * - `names`: image names, comma-separated, read into the `--output` name list;
 * - `push`: `false` (for `--no-push`), read into the output's `push=` attribute.
 * A dropped flag (`drop`/`note`) may always stand in an `args` variable: it just disappears.
 */
export type VariableRole = 'args' | 'names' | 'push';

/**
 * The part of the plan an entry writes. A flag may stand in a variable only when every slot it writes has a role
 * (`SLOT_ROLE`): the role is derived, never declared, so no entry can be passed through a variable that would lose it.
 */
export type Slot =
  /** `--opt` values (`target=`, `build-arg:`, `label:`): passed through as `--opt` words. */
  | 'opt'
  /** `--secret` values: passed through as `--secret` words. */
  | 'secret'
  /** The image output's `name=` list. */
  | 'image-names'
  /** The image output's `push=` value. */
  | 'push'
  /** The context and the Dockerfile. */
  | 'source'
  /** Other `--output` records, the metadata file and the lines run after the call. */
  | 'output'
  /** `--import-cache` / `--export-cache` records. */
  | 'cache'
  /** Fields added to outputs and caches. */
  | 'attribute'
  /** buildkitd.toml registry settings. */
  | 'registry';

export const SLOT_ROLE: Readonly<Record<Slot, VariableRole | undefined>> = {
  opt: 'args',
  secret: 'args',
  'image-names': 'names',
  push: 'push',
  source: undefined,
  output: undefined,
  cache: undefined,
  attribute: undefined,
  registry: undefined,
};

/** The plan part each `args` slot writes: planFragment passes exactly these parts through as words. */
export const ARG_SLOT_PART: Readonly<Partial<Record<Slot, ValuePart>>> = { opt: 'opts', secret: 'secrets' };

/** One planning step: a single flag, or a group of flags planned together; it runs once with the uses of all of them. */
export interface Step {
  flags: readonly string[];
  plan(ctx: CallState, uses: readonly FlagUse[]): void;
}

export type FlagAction =
  /** Mapped onto the BuildKit call by `step`, writing `slots`. */
  | { action: 'map'; slots: readonly Slot[]; step: Step }
  /** Removed: BuildKit already behaves so, or the flag only concerns Kaniko internals. Finding `code` (info). */
  | { action: 'drop'; code: Code; reason: string }
  /** Removed, but behaviour changes: finding `code` (warning). */
  | { action: 'note'; code: Code; reason: string }
  /** Not migrated automatically: the job stays as it is, finding `code` (manual) says what to do. */
  | { action: 'manual'; code: Code; reason: string };

/**
 * One example of an entry, run by test/kaniko/examples.test.ts: the executor arguments are read, planned and rendered
 * with and without the flag's own words, in a repository holding EXAMPLE_FILES; what the flag adds is compared.
 */
export interface Example {
  /** Executor arguments as a script writes them (the words after `/kaniko/executor`). */
  kaniko: string;
  /** The buildctl words the flag adds or changes, space-separated ('' for none); absent when the call is left for a person. */
  buildctl?: string;
  /** The buildctl words the flag takes away with nothing in their place (`--no-push`: the image output). */
  removes?: string;
  /** The call is left for a person (a `manual` finding). */
  manual?: true;
  /** Codes of the findings the flag adds, in order. */
  findings?: readonly string[];
  /** buildkitd.toml lines the flag writes. */
  toml?: readonly string[];
  /** Shell lines run after the call that the flag adds. */
  after?: readonly string[];
}

/** The files of the repository examples are planned in (relative to the job's working directory). */
export const EXAMPLE_FILES: readonly string[] = ['Dockerfile', 'app/Dockerfile'];

export interface KanikoFlag {
  /** Canonical long name without dashes. */
  name: string;
  /** Every accepted spelling: long, short, deprecated. */
  spellings: string[];
  kind: FlagKind;
  phase: Phase;
  mapping: FlagAction;
  /** Derived from the slots (SLOT_ROLE): when set, a variable the call expands may hold the flag; otherwise only the call. */
  inVariable?: VariableRole;
  examples: readonly Example[];
}

export interface FlagUse {
  flag: KanikoFlag;
  /** The spelling used (`--destination`, `-d`, `--tarPath`). */
  spelling: string;
  nameWord: Word;
  /** The separate value word (`--f v`); absent for `--f=v`, `-dV` and bools. */
  valueWord?: Word;
  /** The value as shell text; absent for a bool given without `=`. */
  value?: ShellText;
  /** A Unicode look-alike (a no-break or ideographic space, a typographic dash) read as its ASCII intent. */
  lookalike?: { char: string; offset: number };
}

export interface CallProblem {
  word: Word;
  /** `unknown-flag`, `dynamic-argument` (a word only known at run time, e.g. `$KANIKO_ARGS`), `positional`, `missing-value`. */
  kind: 'unknown-flag' | 'dynamic-argument' | 'positional' | 'missing-value';
  text: string;
  /** Why it could not be resolved, when something tried (e.g. the variable is set by the script). */
  detail?: string;
}

export interface KanikoCall {
  command: SimpleCommand;
  /** Index in `command.words` of the executor word; words before it are kept (`exec`). */
  head: number;
  uses: FlagUse[];
  problems: CallProblem[];
}

/** What planning may ask about the world outside the call. */
export interface PlanEnv {
  /** Does this path (relative to the repository root, which is the job's working directory) exist? undefined = cannot tell. */
  fileExists(path: string): boolean | undefined;
  /** The value the pipeline file gives a variable for this job (as written, before expansion); undefined when none. */
  variable?(name: string): string | undefined;
  /**
   * The pipeline's answer for a registry cache (cache-refs.ts): the tag this build uses when several builds write the
   * repository; undefined keeps `:buildkit`. Planning asks for every registry cache, so the pipeline sees them all.
   */
  cacheRef?(use: CacheUse): CacheDecision | undefined;
  /**
   * Transition mode (src/project/transition.ts): the name each `--destination` is pushed to instead, the same
   * repository at a verification tag. Absent: the destinations as written.
   */
  retag?(destination: ShellText): ShellText;
}

/** A registry cache one call uses, as the pipeline compares them. */
export interface CacheUse {
  /** The repository as written (`$CI_REGISTRY_IMAGE/cache`). */
  repo: string;
  /** The repository with the job's variables put in, to compare across jobs. */
  key: string;
  /** The call's words as written: one build per distinct call of a job. */
  call: string;
  /** The Dockerfile as planned (`app/Dockerfile`), to name one build among several of a job. */
  dockerfile: string;
  /** The call exports the cache (not `--no-push-cache`). */
  writes: boolean;
}

export interface CacheDecision {
  /** The tag (the export, and the first import). */
  tag: ShellText;
  /** More tags to import from (a read-only call reading what several builds write). */
  imports?: ShellText[];
  /** The `info` finding that names the ref and says why. */
  message: string;
}

/** A finding of one call: its code, message and the offset in the script of the word concerned (see Unplaced). */
export type CallFinding = Unplaced;

/**
 * Where image names come from at run time, besides the call's own `--destination`s: a variable the migration turned
 * into a comma-separated list (`$DESTS`), or a loop that printed `--destination` flags, now printing names.
 */
export interface NameSource {
  /** As written in the call (for messages). */
  label: string;
  /** The whole list, comma-separated. */
  all: ShellText;
  /** Its first name. */
  first: ShellText;
  /** `,` and the list when it is not empty, nothing otherwise (to follow other names); absent when that cannot be said. */
  appended?: ShellText;
}

/**
 * What the call's variables hold after the migration rewrote them from Kaniko flags (see VariableRole):
 * image names, and a push switch (a variable holding `false`, or empty for the default).
 */
export interface CallVariables {
  names: NameSource[];
  push?: string;
}

/** Which outputs and caches an attribute goes to. */
export interface AttrTargets {
  images?: boolean;
  importCache?: boolean;
  exportCache?: boolean;
}

/** What an entry may read and do while one call is planned (implemented by state.ts). */
/**
 * The call a fragment's flags join when a variable of another project feeds them into a template's call (see
 * planFragment): what a cache flag among them needs of that call.
 */
export interface FragmentHost {
  /** The cache repository `--cache` would use in that call (its `--cache-repo`, else its first image's repository +
   * `/cache`); absent when it is only known when the job runs. */
  cacheRepo?: ShellText;
  /** The call pushes its image (no `--no-push`). */
  push: boolean;
  /** The call already uses a registry cache of its own. */
  cached: boolean;
}

export interface CallState {
  readonly plan: BuildPlan;
  readonly call: KanikoCall;
  readonly vars: CallVariables;
  /** The template call a fragment joins (planFragment with a host); absent for a call of its own. */
  readonly host?: FragmentHost;
  /** The `--destination` values written in the call (phase `destinations`). */
  destinations: ShellText[];
  /** False under `--no-push` (phase `destinations`). */
  push: boolean;
  readonly isManual: boolean;
  all(name: string): FlagUse[];
  last(name: string): FlagUse | undefined;
  /** A bool flag's value: undefined when absent; a value only known at run time stops the migration of this call. */
  bool(name: string): boolean | undefined;
  /** Every image name the output gets, as `name=` values; undefined when that cannot be written exactly. */
  imageNames(): ShellText[] | undefined;
  /** The first image name, for the cache repository Kaniko derives from it. */
  firstImageName(): ShellText | undefined;
  /** The output's `push=` value: `true`, or `${VAR:-true}` when a variable held `--no-push`. */
  pushValue(): ShellText;
  /** A variable's value from the pipeline file, for this job. */
  variableValue(name: string): string | undefined;
  fileExists(path: string): boolean | undefined;
  /** The pipeline's tag for a registry cache this call uses (PlanEnv.cacheRef). */
  cacheRef(use: CacheUse): CacheDecision | undefined;
  /** The name a destination is pushed to (PlanEnv.retag; itself when there is none). */
  pushedName(destination: ShellText): ShellText;
  /** Adds a CSV field to the outputs and caches made so far (`registry.*` only to pushed images). */
  addAttr(attr: CsvField, to: AttrTargets): void;
  /** Raises a finding; its severity comes from the code's documentation. A `manual` one leaves the call for a person. */
  report(code: Code, message: string, use?: FlagUse): void;
}
