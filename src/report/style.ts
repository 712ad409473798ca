/** Colours shared by the terminal reports: one per severity and per summary status. */
import type { ChalkInstance } from 'chalk';
import type { Severity } from '../findings/types.js';
import type { RowStatus } from './status.js';

export function severityColour(c: ChalkInstance, s: Severity): (text: string) => string {
  return { info: c.blue, warning: c.yellow, manual: c.magenta, error: c.red }[s];
}

export function statusColour(c: ChalkInstance, s: RowStatus): (text: string) => string {
  return { migrated: c.green, partial: c.yellow, manual: c.magenta, unchanged: c.dim, transition: c.cyan }[s];
}
