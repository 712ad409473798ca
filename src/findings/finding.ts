/**
 * Making findings: the code names the documented entry, and the severity comes from it, never from the emit site.
 * `finding(code, message, where)` makes a placed finding; `unplaced(code, message, offset)` one that a later stage
 * places with `place(f, where)`; `inItem(code, message, item, offset)` one in an item of a job's script.
 */
import { severityOf, type Code } from './registry.js';
import type { Finding, ItemFinding, Unplaced, Where } from './types.js';

/** A finding at `where` (its keys are kept in their order: code, severity, file, line, column, job, message). */
export function finding(code: Code, message: string, where: Where): Finding {
  return { code, severity: severityOf(code), ...where, message };
}

/** A finding a later stage places; `offset` is in the text this stage read. */
export function unplaced(code: Code, message: string, offset?: number): Unplaced {
  return offset === undefined ? { code, message } : { code, message, offset };
}

/** The finding `f` at `where` (its offset, already turned into `where`, is dropped). */
export function place(f: Unplaced, where: Where): Finding {
  return finding(f.code, f.message, where);
}

/** A finding in one item of a job's script (`I`: a YAML script item, a TypeScript literal), at an offset of its text. */
export function inItem<I>(code: Code, message: string, item: I, offset: number): ItemFinding<I> {
  return { code, item, offset, message };
}
