/**
 * The finding types: one thing a person should know about a migration, with a documented code (`Code`, from the
 * registry), the severity of that code, and where. A stage that knows only an offset in the text it read returns an
 * `Unplaced` finding; the stage that knows the file places it (`finding.ts`).
 */
import type { Severity } from './entry.js';
import type { Code } from './registry.js';

export type { Severity, CodeEntry } from './entry.js';
export type { Code, CodeDoc } from './registry.js';

/** Where a finding is. */
export interface Where {
  /** File path as the user named it (relative to the repository root when one is known). */
  file: string;
  /** 1-based line and column in `file`; 0 when the finding concerns the whole file. */
  line: number;
  column?: number;
  /** The job the finding is about; several jobs joined with `, ` for display (their names are in `jobs`). */
  job?: string;
  /**
   * The names of the jobs when the finding is about more than one (a template's finding, `mergeFindings`): a job
   * name may hold `, ` itself, so `job` cannot be split back. Absent: `job` is the one name (or there is none).
   */
  jobs?: string[];
}

export interface Finding extends Where {
  /** Stable code, documented in the registry (`kaniko2buildkit explain CODE`). */
  code: Code;
  /** Always the severity of `code` in the registry (`finding()` fills it in). */
  severity: Severity;
  message: string;
}

/** A finding not yet placed in a file: the stage knows the code, the message and at most an offset in its text. */
export interface Unplaced {
  code: Code;
  message: string;
  /** Offset in the text the stage read (a script, a value), when the finding concerns one place of it. */
  offset?: number;
}

/** An unplaced finding in one item of a job's script (`I`: a YAML script item, a TypeScript literal). */
export interface ItemFinding<I> extends Unplaced {
  item: I;
  offset: number;
}
