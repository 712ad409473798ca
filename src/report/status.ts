/**
 * The summary table as data, shared by the text, Markdown and JSON reports.
 *
 * Rows come in groups: a file's own row (`job: null`), then one row per Kaniko job that file defines.
 * - A job row's status is the job's (`migrated`, `manual`, `unchanged`, `transition`); its counts are the findings about
 *   that job, in whichever file of the same project they are (a job's template often lives in an included file).
 * - A file row's status says what happens to the file: `migrated` when it changes (or a job in it is migrated),
 *   `manual` when something in it needs a person (a job left for a person, or a `manual` finding) and nothing changes,
 *   `partial` when both hold (some jobs migrated, others left for a person), `unchanged` otherwise; a file that
 *   could not be read or parsed is `unchanged`, with its errors counted. Its counts are the findings located in it.
 * Files that are unchanged, define no Kaniko job and have no finding get no row.
 * A `migrated` or `partial` row of a project nothing was written of (a dry run, a check, a refused write) is `pending`:
 * the reports print it as `would migrate` / `would partly migrate`.
 */
import { append } from '../text/append.js';
import { jobNames } from '../findings/merge.js';
import type { Finding } from '../findings/types.js';
import {
  countSeverities,
  type Summary,
  projectWritten,
  type ReportJob,
  type RunReport,
  type SeverityCounts,
} from './model.js';

/** `transition`: a job left as it is beside its BuildKit twin, or a file holding such jobs (transition mode). */
export type RowStatus = 'migrated' | 'partial' | 'manual' | 'unchanged' | 'transition';

export interface SummaryRow {
  file: string;
  /** The job name; null on the file's own row. */
  job: string | null;
  status: RowStatus;
  /** A `migrated` or `partial` status that was not written (a dry run, a check, a refused write): it would be. */
  pending: boolean;
  findings: SeverityCounts;
}

/** A row's status as the reports print it: `would migrate` / `would partly migrate` for a change not written. */
export function statusText(row: Pick<SummaryRow, 'status' | 'pending'>): string {
  if (!row.pending) return row.status === 'transition' ? 'in transition' : row.status;
  if (row.status === 'transition') return 'would start transition';
  return row.status === 'partial' ? 'would partly migrate' : row.status === 'migrated' ? 'would migrate' : row.status;
}

export function fileStatus(changed: boolean, jobs: Pick<ReportJob, 'status'>[], findings: Finding[]): RowStatus {
  const touched = changed || jobs.some((j) => j.status === 'migrated');
  const person = jobs.some((j) => j.status === 'manual') || findings.some((f) => f.severity === 'manual');
  if (touched && person) return 'partial';
  // a file whose changes are only twins beside its Kaniko jobs is in transition, not migrated
  if (jobs.some((j) => j.status === 'transition') && !jobs.some((j) => j.status === 'migrated')) return 'transition';
  if (touched) return 'migrated';
  return person ? 'manual' : 'unchanged';
}

interface Group {
  path: string;
  project?: string;
  changed: boolean;
  findings: Finding[];
  jobs: ReportJob[];
}

const changes = (s: RowStatus) => s === 'migrated' || s === 'partial' || s === 'transition';
const key = (f: Finding) => `${f.code}|${f.file}|${f.line}|${f.column}|${f.message}`;

function groups(report: RunReport): Group[] {
  const out = new Map<string, Group>();
  const group = (path: string, project?: string): Group => {
    const k = `${project ?? ''}\0${path}`;
    let g = out.get(k);
    if (!g) out.set(k, (g = { path, project, changed: false, findings: [], jobs: [] }));
    return g;
  };
  for (const f of report.files) {
    const g = group(f.path, f.project);
    g.changed ||= f.changed;
    append(g.findings, f.findings);
  }
  for (const e of report.errors) {
    const g = [...out.values()].find((x) => x.path === e.file) ?? group(e.file);
    if (!g.findings.some((f) => key(f) === key(e))) g.findings.push(e);
  }
  for (const j of report.jobs) group(j.path, j.project).jobs.push(j);
  return [...out.values()];
}

/**
 * Findings about jobs, indexed once: those naming a job (a template's finding names every job inheriting it), in its
 * project. A lookup per job over every finding would make the summary of a large pipeline quadratic.
 */
export function jobFindingIndex(report: RunReport): (job: ReportJob) => Finding[] {
  // keyed by project; `undefined` (a file of no named project) is in every project, as `sameProject` says
  const byProject = new Map<string | undefined, Map<string, Finding[]>>();
  const add = (project: string | undefined, f: Finding) => {
    let names = byProject.get(project);
    if (!names) byProject.set(project, (names = new Map()));
    for (const name of new Set(jobNames(f))) {
      const list = names.get(name);
      if (list) list.push(f);
      else names.set(name, [f]);
    }
  };
  for (const file of report.files) for (const f of file.findings) add(file.project, f);
  const errors = new Map<string, Finding[]>();
  for (const f of report.errors)
    for (const name of new Set(jobNames(f))) errors.set(name, [...(errors.get(name) ?? []), f]);
  const named = (project: string | undefined, name: string) => byProject.get(project)?.get(name) ?? [];
  return (job) => {
    const own =
      job.project === undefined
        ? [...byProject.values()].flatMap((names) => names.get(job.name) ?? [])
        : [...named(job.project, job.name), ...named(undefined, job.name)];
    return [...own, ...(errors.get(job.name) ?? [])];
  };
}

export function summaryRows(report: RunReport): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const jobFindings = jobFindingIndex(report);
  for (const g of groups(report)) {
    if (!g.changed && !g.jobs.length && !g.findings.length) continue;
    const written = projectWritten(report, g.project);
    const status = fileStatus(g.changed, g.jobs, g.findings);
    rows.push({
      file: g.path,
      job: null,
      status,
      // a file whose jobs were in transition already, and that nothing changes, is no pending change
      pending: changes(status) && !written && (status !== 'transition' || g.changed),
      findings: countSeverities(g.findings),
    });
    for (const j of g.jobs)
      rows.push({
        file: g.path,
        job: j.name,
        status: j.status,
        pending: changes(j.status) && !written && (j.status !== 'transition' || j.transition?.state === 'added'),
        findings: countSeverities(jobFindings(j)),
      });
  }
  return rows;
}

/** Files read, or named and unreadable: the measure of "a large run". */
export function fileCount(report: RunReport): number {
  return groups(report).length;
}

/** Migrated jobs: `migrated` when their project was written, else `would migrate`. */
export function jobCounts(s: Pick<Summary, 'migrated' | 'wouldMigrate'>, strong = (n: number) => String(n)): string {
  const done = s.migrated - s.wouldMigrate;
  const parts = done || !s.wouldMigrate ? [`${strong(done)} migrated`] : [];
  if (s.wouldMigrate) parts.push(`${strong(s.wouldMigrate)} would migrate`);
  return parts.join(', ');
}
