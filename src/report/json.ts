/** The JSON report: a stable contract (fields may be added, never removed). */
import { summarise, type RunReport } from './model.js';
import { fileStatus } from './status.js';

export function jsonReport(report: RunReport): string {
  const body = {
    files: report.files.map((f) => ({
      path: f.path,
      changed: f.changed,
      written: f.written,
      // added: the summary table's status of the file (migrated, partial, manual, unchanged)
      status: fileStatus(
        f.changed,
        report.jobs.filter((j) => j.path === f.path && j.project === f.project),
        f.findings,
      ),
      findings: f.findings.map((x) => ({
        code: x.code,
        severity: x.severity,
        job: x.job ?? null,
        line: x.line,
        column: x.column ?? null,
        message: x.message,
      })),
    })),
    jobs: report.jobs.map((j) => ({ name: j.name, path: j.path, status: j.status, calls: j.calls, flags: j.flags })),
    errors: report.errors.map((x) => ({
      code: x.code,
      severity: x.severity,
      path: x.file,
      line: x.line,
      column: x.column ?? null,
      message: x.message,
    })),
    summary: summarise(report),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
