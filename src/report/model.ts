/** What one run produced, for every report format: files with their findings, jobs, and files that failed. */
import type { Finding, Severity } from '../findings/types.js';
import type { JobResult } from '../project/plan.js';

export interface ReportFile {
  /** Path as shown to the user (relative to the working directory when possible). */
  path: string;
  changed: boolean;
  /** Written to disk (false for dry runs and checks, or when the write was refused). */
  written: boolean;
  findings: Finding[];
  /** Texts before and after (empty strings when a caller has no texts: reports then leave the diff out). */
  original: string;
  output: string;
  /** The repository (or file) argument this file was read for, so that same-named jobs of two repositories stay apart. */
  project?: string;
}

export interface ReportJob extends JobResult {
  /** Display path of the file that defines the job. */
  path: string;
  /** As `ReportFile.project`. */
  project?: string;
}

export interface RunReport {
  files: ReportFile[];
  jobs: ReportJob[];
  /** Inputs that could not be read or parsed (their findings are `error`s in `files` too, when they have a path). */
  errors: Finding[];
}

export type SeverityCounts = Record<Severity, number>;

export function countSeverities(findings: Finding[]): SeverityCounts {
  const counts: SeverityCounts = { info: 0, warning: 0, manual: 0, error: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function allFindings(report: RunReport): Finding[] {
  return [...report.files.flatMap((f) => f.findings), ...report.errors];
}

export interface Summary {
  files: number;
  changed: number;
  kanikoJobs: number;
  migrated: number;
  manual: number;
  unchanged: number;
  findings: SeverityCounts;
}

export function summarise(report: RunReport): Summary {
  return {
    files: report.files.length,
    changed: report.files.filter((f) => f.changed).length,
    kanikoJobs: report.jobs.length,
    migrated: report.jobs.filter((j) => j.status === 'migrated').length,
    manual: report.jobs.filter((j) => j.status === 'manual').length,
    unchanged: report.jobs.filter((j) => j.status === 'unchanged').length,
    findings: countSeverities(allFindings(report)),
  };
}
