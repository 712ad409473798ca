/**
 * Where a job's text lives: the one contract between the job recipe (`recipe.ts`) and its hosts, a YAML pipeline job
 * (`yaml-job.ts`) and a TypeScript generator's job object (`typescript-job.ts`).
 *
 * A host reads the job's script items, image and variables; says where a value offset is in its file; and turns the
 * recipe's decisions (value edits of a script item, items inserted before or after one, the BuildKit image, the
 * BUILDKITD_FLAGS variable) into text edits of its own form, or says why it cannot. The recipe holds every policy.
 */
import type { PlanEnv } from '../kaniko/context.js';
import type { KanikoImageKind } from '../kaniko/images.js';
import type { TextEdit } from '../text/edits.js';
import type { ValueEdit } from '../text/value-edit.js';
import type { ArgVariable, InputWord } from './arg-variables.js';
import type { HostItem } from './item.js';

export type { HostItem } from './item.js';

/** A place for a finding. `show` turns a message into the host's terms (TypeScript shows placeholders as `${…}`). */
export interface Place {
  file: string;
  line: number;
  column: number;
  show?: (message: string) => string;
}

/** What a host edit changes: text edits, and the nodes they touch (other jobs reading them must migrate too). */
export interface Change {
  edits: TextEdit[];
  touches: string[];
}

/** An edit the host cannot make: the finding that says why (the job is left for a person). */
export interface Refusal {
  code: 'KB206' | 'KB209' | 'KB502';
  message: string;
  at: Place;
}

export function isRefusal(x: Change | Refusal | undefined): x is Refusal {
  return !!x && 'code' in x;
}

export interface HostImage<I extends HostItem> {
  /** `read`: the name is known and can be edited; `absent`: no image (the runner default); `unknown`: not readable. */
  status: 'read' | 'absent' | 'unknown';
  kind: KanikoImageKind;
  ref?: string;
  /** Where the name is (KB205, KB208). */
  nameAt?: Place;
  /** Where the image is set (KB203). */
  setAt?: Place;
  /**
   * Why it cannot be migrated (KB206), given the first executor call (its item and the command's value offset): set
   * when the status is not `read`, or when the name cannot be changed here.
   */
  refusal?: (item: I, commandStart: number) => { message: string; at: Place };
}

/** Words that differ between hosts in the recipe's messages. */
export interface HostTerms {
  /** Where the job's calls would be. */
  in: 'the pipeline file' | 'this job object';
  /** What a person migrates when no call is found. */
  byHand: 'that script' | 'the image and script';
}

export interface JobHost<I extends HostItem> {
  readonly items: readonly I[];
  readonly image: HostImage<I>;
  readonly terms: HostTerms;
  /** Nodes the job reads (image, script items, variables), for the sharing check; the recipe adds what it reads. */
  readonly reads: Set<string>;
  /** Part of the script the host cannot read (a function result): KB203's hint, and KB505 instead of a login. */
  readonly opaque?: { text: string; at: Place };
  /** A script item the host cannot read at all: the job is left for a person (KB209). */
  readonly unreadable?: Place;
  /** A job object other job objects spread, without calls of its own: migrated through them (TypeScript). */
  readonly template?: boolean;
  /** A key for the item's node (items read twice are the same item). */
  key(item: I): string;
  /** Where a value offset of the item is. */
  at(item: I, valueOffset: number): Place;
  /** Where the item itself is (findings about the whole item). */
  itemAt(item: I): Place;
  /** Can whole lines of the item be removed (an executor wrapper the job writes, see wrappers.ts)? */
  linesRemovable(item: I): boolean;
  /** Removes value[start, end) of the item, whole lines, in the file's own layout; undefined: as a value edit. */
  removeLines(item: I, start: number, end: number): Change | undefined;
  /** The job variable's static value, for following `$DOCKERFILE` to a path. */
  variable(name: string): string | undefined;
  /**
   * The value of a name the item's shell text holds but the host wrote there itself (a TypeScript placeholder marker
   * for a constant whose value is fully known); undefined for anything else.
   */
  markerValue?(item: I, name: string): string | undefined;
  hasVariable(name: string): boolean;
  /** A variable the call expands, rewritten for buildctl where it gets its value (see arg-variables.ts). */
  translate(name: string, env: PlanEnv): ArgVariable<I>;
  /**
   * A CI/CD component input the item's call reads as flags (`$[[ inputs.args ]]`), rewritten for buildctl where the
   * item's file gives it values (see `translateInput`); absent: the host has no inputs (the word stays KB204).
   */
  translateInput?(item: I, input: InputWord, env: PlanEnv): ArgVariable<I>;
  /** The file whose `spec: inputs:` the item's interpolations read (one translation per file and input). */
  inputScope?(item: I): string;
  /** Does value[start, end) of the item span more than one source line? */
  spansLines(item: I, start: number, end: number): boolean;
  /** The item with its value edits applied, in its own style. */
  encode(item: I, edits: ValueEdit[]): Change | Refusal;
  /** Lines as items of their own before or after the item, where the item is a list element; else undefined. */
  insertBefore(item: I, lines: string[]): Change | undefined;
  insertAfter(item: I, lines: string[]): Change | undefined;
  /** `DOCKER_CONFIG` pointing into /kaniko/.docker, moved to the BuildKit image's home; undefined when not set so. */
  dockerConfig(): Change | undefined;
  /** The image made `moby/buildkit:rootless` (or `buildkitImage`) with an empty entrypoint. */
  imageEdits(buildkitImage: string | undefined): Change | Refusal;
  /** `BUILDKITD_FLAGS: --oci-worker-no-process-sandbox` where the job reads it; undefined when already there. */
  sandbox(): Change | Refusal | undefined;
}
