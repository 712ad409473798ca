/** What one run produced, for every report format: files with their findings, jobs, and files that failed. */
import type { Finding, Severity } from '../findings/types.js';
import type { JobResult } from '../project/plan.js';
import type { TextEdit } from '../text/edits.js';

export interface ReportFile {
  /** Path as shown to the user (relative to the working directory when possible). */
  path: string;
  changed: boolean;
  /**
   * Written: to disk, or (`gitlab --apply`) committed to the merge request's branch. False for dry runs and checks,
   * or when the write was refused: the reports then say what would change, not what changed.
   */
  written: boolean;
  findings: Finding[];
  /** Texts before and after (empty strings when a caller has no texts: reports then leave the diff out). */
  original: string;
  output: string;
  /** The repository (or file) argument this file was read for, so that same-named jobs of two repositories stay apart. */
  project?: string;
  /** The edits that made `output` (the diff is built around them; absent: the whole texts are compared). */
  edits?: readonly TextEdit[];
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
  /**
   * A path as shown (in `files`, `jobs`, findings) → the same file relative to the root of its git repository, when
   * the run knows it (`migrate` on disk). The Code Quality report needs these: see codequality.ts.
   */
  repoPaths?: Map<string, string>;
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
  /** Of the changed files, those written (see `ReportFile.written`). */
  written: number;
  kanikoJobs: number;
  migrated: number;
  /** Of the migrated jobs, those whose project has nothing written: they would be migrated. */
  wouldMigrate: number;
  manual: number;
  unchanged: number;
  /** Kaniko jobs left as they are beside a BuildKit twin (transition mode). */
  transition: number;
  findings: SeverityCounts;
}

/** Two `project` tags that may be the same (an untagged file or job belongs to any). */
export const sameProject = (a?: string, b?: string): boolean => a === undefined || b === undefined || a === b;

/**
 * Whether the changes of `project` were written: a file of it was (a repository is written whole or not at all, and
 * a job's edits may lie in another file of it). Without a project: any file of the report.
 */
export function projectWritten(report: RunReport, project?: string): boolean {
  return report.files.some((f) => f.written && sameProject(f.project, project));
}

export function summarise(report: RunReport): Summary {
  const migrated = report.jobs.filter((j) => j.status === 'migrated');
  return {
    files: report.files.length,
    changed: report.files.filter((f) => f.changed).length,
    written: report.files.filter((f) => f.changed && f.written).length,
    kanikoJobs: report.jobs.length,
    migrated: migrated.length,
    wouldMigrate: migrated.filter((j) => !projectWritten(report, j.project)).length,
    manual: report.jobs.filter((j) => j.status === 'manual').length,
    unchanged: report.jobs.filter((j) => j.status === 'unchanged').length,
    transition: report.jobs.filter((j) => j.status === 'transition').length,
    findings: countSeverities(allFindings(report)),
  };
}
