/**
 * The JSON report: a stable contract (fields may be added, never removed). A finding's `job` is the list of the job
 * names it is about (a template's finding names every job inheriting it; a name may hold a comma), `[]` for none;
 * `line` and `column` are null when the finding has no position (it concerns the whole file).
 */
import { jobFields, jobNames } from '../findings/merge.js';
import type { Code, Finding, Severity } from '../findings/types.js';
import { summarise, type RunReport } from './model.js';
import { fileStatus } from './status.js';

/** A finding as the JSON reports write it (in a file's `findings`: the file is the one it is listed under). */
export interface JsonFinding {
  code: Code;
  severity: Severity;
  job: string[];
  line: number | null;
  column: number | null;
  message: string;
}

export function jsonFinding(f: Finding): JsonFinding {
  return {
    code: f.code,
    severity: f.severity,
    job: jobNames(f),
    line: f.line > 0 ? f.line : null,
    column: f.line > 0 && f.column ? f.column : null,
    message: f.message,
  };
}

/** A finding read back from a JSON report, in `file`: the inverse of `jsonFinding`. */
export function findingOfJson(j: JsonFinding, file: string): Finding {
  return {
    code: j.code,
    severity: j.severity,
    file,
    line: j.line ?? 0,
    ...(j.column ? { column: j.column } : {}),
    ...jobFields(j.job),
    message: j.message,
  };
}

export function jsonReport(report: RunReport): string {
  const body = {
    files: report.files.map((f) => ({
      path: f.path,
      changed: f.changed,
      written: f.written,
      // added: the summary table's status of the file (migrated, partial, manual, unchanged, transition)
      status: fileStatus(
        f.changed,
        report.jobs.filter((j) => j.path === f.path && j.project === f.project),
        f.findings,
      ),
      findings: f.findings.map(jsonFinding),
    })),
    // `transition`: the job's BuildKit twin and compare job (state added, running or cut-over), when it has them
    jobs: report.jobs.map((j) => ({
      name: j.name,
      path: j.path,
      status: j.status,
      calls: j.calls,
      flags: j.flags,
      ...(j.transition ? { transition: j.transition } : {}),
    })),
    errors: report.errors.map((x) => {
      const j = jsonFinding(x);
      return { code: j.code, severity: j.severity, path: x.file, line: j.line, column: j.column, message: j.message };
    }),
    summary: summarise(report),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
