/**
 * The two shapes every part of a job shares, whatever host the job's text lives in: a script item as the shell reads
 * it, and an executor wrapper the job writes itself (found in YAML jobs by wrappers.ts).
 */
import type { ParsedScript, SimpleCommand, Word } from '../shell/types.js';

/** One script item: the text the shell reads (a YAML scalar's value, a literal's cooked text) and its reading. */
export interface HostItem {
  readonly script: string;
  readonly parsed: ParsedScript;
}

/** A script the job writes around `/kaniko/executor … "$@"` and then calls with more flags. */
export interface Wrapper<I extends HostItem> {
  /** The script path, as the calls name it. */
  path: string;
  /** The executor's flag words in the wrapper (before `"$@"`), as the wrapper's shell reads them. */
  flags: Word[];
  /** The commands that write the wrapper and make it executable. */
  commands: SimpleCommand[];
  /** Those commands' whole lines, to remove: value[start, end) of the item, `end` just after the last line's break. */
  removals: { item: I; start: number; end: number }[];
}
