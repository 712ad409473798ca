/**
 * The terminal report: the summary table, then one line per finding (`file:line:col  CODE  severity  message [job]`,
 * so terminals and editors can jump to it), then totals. The per-file diffs of a dry run are separate
 * (`textDiffs`): the CLI prints them before the summary, or after it when the run is large.
 */
import type { ChalkInstance } from 'chalk';
import type { Finding } from '../findings/types.js';
import { printable } from '../text/printable.js';
import { unifiedDiff } from './diff.js';
import { allFindings, summarise, type RunReport, type Summary } from './model.js';
import { jobCounts, summaryRows } from './status.js';
import { severityColour } from './style.js';
import { textTable } from './table.js';

export type RunMode = 'write' | 'dry-run' | 'check';

/** One finding as a line: the path, the message and the job name from the file are `printable` (no control character). */
export function findingLine(f: Finding, c: ChalkInstance): string {
  const file = printable(f.file);
  const where = f.line ? `${file}:${f.line}${f.column ? `:${f.column}` : ''}` : file;
  const sev = severityColour(c, f.severity)(f.severity.padEnd(7));
  const job = f.job ? c.dim(` [${printable(f.job)}]`) : '';
  return `${where}  ${c.bold(f.code)}  ${sev} ${printable(f.message)}${job}`;
}

/** The unified diff of every changed file, each followed by an empty line. */
export function textDiffs(report: RunReport, c: ChalkInstance): string {
  return report.files
    .filter((f) => f.changed)
    .map((f) => `${unifiedDiff(f.path, f.original, f.output, c, f.edits)}\n`)
    .join('');
}

/** Changed files: the written ones `migrated`, the others `would change` (`not written` when the run writes). */
function fileCounts(s: Summary, mode: RunMode): string {
  const pending = s.changed - s.written;
  if (mode !== 'write') return `${s.changed} would change`;
  return pending ? `${s.written} migrated, ${pending} not written` : `${s.written} migrated`;
}

/** `listed`: the findings that get a line (default all; the CLI prints the errors on stderr instead). */
export function textSummary(
  report: RunReport,
  c: ChalkInstance,
  mode: RunMode,
  listed: (f: Finding) => boolean = () => true,
): string {
  const parts: string[] = [];
  const table = textTable(summaryRows(report), c);
  if (table) parts.push(table);
  const findings = allFindings(report);
  const lines = findings.filter(listed);
  if (lines.length) parts.push(`${lines.map((f) => findingLine(f, c)).join('\n')}\n`);
  const s = summarise(report);
  const totals = [
    `${s.files} file(s) read, ${fileCounts(s, mode)}; ` +
      `Kaniko jobs: ${s.kanikoJobs} (${jobCounts(s)}, ${s.manual} left for a person${s.transition ? `, ${s.transition} in transition` : ''}); ` +
      `findings: ${s.findings.error} error, ${s.findings.manual} manual, ${s.findings.warning} warning, ${s.findings.info} info`,
  ];
  if (s.findings.manual || s.findings.warning || s.findings.error)
    totals.push(c.dim('Run `kaniko2buildkit explain CODE` for what a code means and what to do.'));
  parts.push(`${totals.join('\n')}\n`);
  return parts.join('\n');
}
