/**
 * Bulk runs as reports: every project's files, jobs and errors in one RunReport (each tagged with its project, so
 * every `--format` works as for a single run), plus the group summary and one line per project.
 */
import type { ChalkInstance } from 'chalk';
import type { Finding } from '../findings/types.js';
import type { ProjectResult } from '../project/plan.js';
import { cell, code, inline } from '../report/md.js';
import type { ReportFile, RunReport } from '../report/model.js';
import { groupSummaryLine, type GroupSummary, type ProjectStatus } from './outcome.js';

/**
 * Adds one project's result to `report`. `shown` maps a repository-relative path to the path shown to the user;
 * `errors` are findings the bulk run added (written with their repository-relative path, mapped here too).
 */
export function appendProject(
  report: RunReport,
  project: string,
  result: ProjectResult | undefined,
  shown: (path: string) => string,
  errors: Finding[] = [],
  written: readonly string[] = [],
): void {
  for (const f of result?.failed ?? []) {
    const invalid = f.error.line > 0;
    report.errors.push({
      code: invalid ? 'KB101' : 'KB106',
      severity: 'error',
      file: shown(f.path),
      line: f.error.line,
      column: f.error.column || undefined,
      message: f.error.message,
    });
  }
  for (const e of errors) report.errors.push({ ...e, file: shown(e.file) });
  for (const f of result?.files ?? []) {
    const file: ReportFile = {
      path: shown(f.path),
      changed: f.changed,
      written: written.includes(f.path),
      findings: f.findings.map((x) => ({ ...x, file: shown(x.file) })),
      original: f.original,
      output: f.output,
      project,
    };
    report.files.push(file);
  }
  for (const j of result?.jobs ?? []) report.jobs.push({ ...j, path: shown(j.file), project });
}

/** One row per project for the group tables. */
export interface ProjectRow {
  project: string;
  status: ProjectStatus;
  /** What happened beyond the migration (GitLab: merge request opened, skipped …). */
  outcome?: string;
  /** A link to show (a merge request). */
  link?: string;
  reason?: string;
}

export function groupText(summary: GroupSummary, rows: readonly ProjectRow[], c: ChalkInstance, all = false): string {
  const colour = { migrated: c.green, partial: c.yellow, manual: c.magenta, failed: c.red, unchanged: c.dim } as const;
  const lines: string[] = [];
  const shown = rows.filter((r) => all || r.status !== 'unchanged' || r.outcome);
  const width = Math.max(0, ...shown.map((r) => r.project.length));
  for (const r of shown) {
    const what = [r.outcome, r.link, r.reason].filter(Boolean).join(' · ');
    lines.push(
      `${r.project.padEnd(width)}  ${colour[r.status](r.status.padEnd(9))}${what ? ` ${what}` : ''}`.trimEnd(),
    );
  }
  lines.push(c.bold(groupSummaryLine(summary)));
  return `${lines.join('\n')}\n`;
}

export function groupMarkdown(title: string, summary: GroupSummary, rows: readonly ProjectRow[]): string {
  const s = summary;
  const out = [
    `# ${inline(title)}`,
    '',
    '| Projects | With Kaniko | Migrated | Partial | Manual | Failed | Unchanged |',
    '|--:|--:|--:|--:|--:|--:|--:|',
    `| ${s.scanned} | ${s.withKaniko} | ${s.migrated} | ${s.partial} | ${s.manual} | ${s.failed} | ${s.unchanged} |`,
    '',
  ];
  const shown = rows.filter((r) => r.status !== 'unchanged' || r.outcome);
  if (shown.length) {
    out.push('| Project | Status | Outcome |', '|---|---|---|');
    for (const r of shown) {
      const what = [r.outcome ? inline(r.outcome) : '', r.link ?? '', r.reason ? inline(r.reason) : '']
        .filter(Boolean)
        .join(' · ');
      out.push(`| ${cell(code(r.project))} | ${r.status} | ${cell(what)} |`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
