/**
 * Runs as reports: every project's files, jobs and errors in one RunReport (each tagged with its project, so
 * every `--format` works as for a single run), plus the group summary and one line per project.
 */
import { printable } from '../text/printable.js';
import type { ChalkInstance } from 'chalk';
import { finding } from '../findings/finding.js';
import type { ProjectResult } from '../project/plan.js';
import { cell, code, inline } from '../report/md.js';
import type { ReportFile, RunReport } from '../report/model.js';
import type { WriteOutcome } from '../repository/write.js';
import { groupSummaryLine, type GroupSummary, type ProjectStatus } from './outcome.js';

/**
 * Adds one project's result to `report`: the files that failed to `errors` (with their own code: KB101 invalid,
 * KB104 outside the repository, KB106 unreadable …), every file with its findings, and what the writer did (`write`:
 * the paths written, and its findings, each added to its file). `shown` maps a repository-relative path to the path
 * shown to the user; `''` is the repository itself. The same for `migrate PATH`, `--recursive` and `gitlab`.
 * `inRepository`, when given, maps the same path to the path relative to the git repository's root, kept in
 * `report.repoPaths` for every path shown (the Code Quality report's paths).
 */
export function appendProject(
  report: RunReport,
  project: string,
  result: ProjectResult | undefined,
  show: (path: string) => string,
  write: WriteOutcome = { written: [], findings: [] },
  inRepository?: (path: string) => string,
): void {
  const shown = (path: string): string => {
    const s = show(path);
    if (inRepository) (report.repoPaths ??= new Map()).set(s, inRepository(path));
    return s;
  };
  for (const { path, error: e } of result?.failed ?? []) {
    report.errors.push(
      finding(e.code, e.message, { file: shown(e.file || path), line: e.line, column: e.column || undefined }),
    );
  }
  for (const f of result?.files ?? []) {
    const file: ReportFile = {
      path: shown(f.path),
      changed: f.changed,
      written: write.written.includes(f.path),
      findings: [...f.findings, ...write.findings.filter((x) => x.file === f.path)].map((x) => ({
        ...x,
        file: shown(x.file),
      })),
      original: f.original,
      output: f.output,
      project,
      edits: f.edits,
    };
    report.files.push(file);
  }
  // feedHost is planning data (a template call's cache, for the consumers' variables), not part of a report
  for (const { feedHost: _, ...j } of result?.jobs ?? []) report.jobs.push({ ...j, path: shown(j.file), project });
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
  // names and reasons come from folders and files: control characters escaped (src/text/printable.ts)
  const shown = rows
    .filter((r) => all || r.status !== 'unchanged' || r.outcome)
    .map((r) => ({ ...r, project: printable(r.project), reason: r.reason && printable(r.reason) }));
  const width = shown.reduce((w, r) => Math.max(w, r.project.length), 0);
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
