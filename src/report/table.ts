/**
 * The summary table for terminals: FILE, JOB, STATUS and finding counts by severity. A file's own row leaves JOB
 * empty; the rows of the Kaniko jobs it defines follow with FILE empty (see status.ts for what each status means).
 */
import type { ChalkInstance } from 'chalk';
import type { Severity } from '../findings/types.js';
import { printable } from '../text/printable.js';
import { severityColour, statusColour } from './style.js';
import { statusText, type SummaryRow } from './status.js';

const SEVERITIES: Severity[] = ['error', 'manual', 'warning', 'info'];

interface Cell {
  text: string;
  paint: (s: string) => string;
  right?: boolean;
}

export function textTable(rows: SummaryRow[], c: ChalkInstance): string {
  if (!rows.length) return '';
  const head: Cell[] = ['FILE', 'JOB', 'STATUS', ...SEVERITIES.map((s) => s.toUpperCase())].map((text, i) => ({
    text,
    paint: c.bold,
    right: i > 2,
  }));
  const body: Cell[][] = rows.map((r) => [
    // names and paths from the files, without their control characters (and measured as printed)
    { text: r.job === null ? printable(r.file) : '', paint: c.bold },
    { text: printable(r.job ?? ''), paint: (s) => s },
    { text: statusText(r), paint: statusColour(c, r.status) },
    ...SEVERITIES.map((s) => ({
      text: String(r.findings[s]),
      paint: r.findings[s] ? severityColour(c, s) : c.dim,
      right: true,
    })),
  ]);
  const all = [head, ...body];
  // a reduce, not Math.max(...rows): a spread of 100,000 rows (one per job) overflows the stack
  const widths = head.map((_, i) => all.reduce((w, row) => Math.max(w, row[i]!.text.length), 0));
  const line = (row: Cell[]) =>
    row
      .map((cell, i) => {
        const gap = ' '.repeat(widths[i]! - cell.text.length);
        const text = cell.text ? cell.paint(cell.text) : '';
        return cell.right ? gap + text : i === row.length - 1 ? text : text + gap;
      })
      .join('  ')
      .trimEnd();
  return `${all.map(line).join('\n')}\n`;
}
