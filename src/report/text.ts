/** The human summary: one line per finding (`file:line:col  CODE  severity  message`, so terminals can jump to it), then totals. */
import type { ChalkInstance } from 'chalk';
import type { Finding } from '../findings/types.js';
import { allFindings, summarise, type RunReport } from './model.js';

export function findingLine(f: Finding, c: ChalkInstance): string {
  const where = f.line ? `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}` : f.file;
  const sev = { info: c.blue, warning: c.yellow, manual: c.magenta, error: c.red }[f.severity](f.severity.padEnd(7));
  const job = f.job ? c.dim(` [${f.job}]`) : '';
  return `${where}  ${c.bold(f.code)}  ${sev} ${f.message}${job}`;
}

export function textSummary(report: RunReport, c: ChalkInstance, mode: 'write' | 'dry-run' | 'check'): string {
  const out: string[] = [];
  for (const f of allFindings(report)) out.push(findingLine(f, c));
  const s = summarise(report);
  const verb = mode === 'write' ? 'migrated' : 'would change';
  const changed = report.files.filter((f) => f.changed).map((f) => f.path);
  if (out.length) out.push('');
  out.push(
    `${s.files} file(s) read, ${s.changed} ${verb}${changed.length ? ` (${changed.join(', ')})` : ''}; ` +
      `Kaniko jobs: ${s.kanikoJobs} (${s.migrated} migrated, ${s.manual} left for a person); ` +
      `findings: ${s.findings.error} error, ${s.findings.manual} manual, ${s.findings.warning} warning, ${s.findings.info} info`,
  );
  if (s.findings.manual || s.findings.warning) out.push(c.dim('Run `kaniko2buildkit explain CODE` for what a code means and what to do.'));
  return `${out.join('\n')}\n`;
}
