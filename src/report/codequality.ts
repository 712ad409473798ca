/**
 * GitLab Code Quality report (`artifacts: reports: codequality:`): a JSON array of issues with the fields GitLab
 * documents (description, check_name, fingerprint, severity, location.path, location.lines.begin), so what
 * `migrate --check` fails on shows in the merge request widget and diff: every finding, and every pending migration
 * (a Kaniko job that would be migrated, a file that would change), which is no finding but fails the check too.
 *
 * Paths: GitLab matches `location.path` against the files of the repository, so it must be relative to the root of
 * the git repository, which is where the job runs (`$CI_PROJECT_DIR`), whatever folder or path the tool was given
 * and wherever it was started (`cd sub && kaniko2buildkit migrate --check ..`). The run records that path for every
 * path it shows (`RunReport.repoPaths`); a report without them (a run not on disk) uses the paths as shown.
 *
 * Fingerprints: GitLab tells new issues from fixed ones by fingerprint, comparing with the target branch's report,
 * so a fingerprint must survive edits elsewhere in the file. It is made of the path, the check (the finding's
 * code), the jobs and the text (with any line or column number in it blanked), never of the line or column, plus
 * the issue's occurrence number among otherwise identical issues of the file (in line order).
 */
import { createHash } from 'node:crypto';
import { jobNames } from '../findings/merge.js';
import type { Finding, Severity } from '../findings/types.js';
import { changedLines } from './diff.js';
import { allFindings, projectWritten, sameProject, type ReportFile, type ReportJob, type RunReport } from './model.js';

export type CodeQualitySeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: CodeQualitySeverity;
  location: { path: string; lines: { begin: number } };
}

export const CODE_QUALITY_SEVERITY: Record<Severity, CodeQualitySeverity> = {
  info: 'info',
  warning: 'minor',
  manual: 'major',
  error: 'critical',
};

/** The check of a pending migration: a change `--check` fails on that is not a finding (it has no code). */
export const PENDING_CHECK = 'pending-migration';
/** As the `manual` findings `--check` fails on by default: the job needs a change before Kaniko is gone. */
export const PENDING_SEVERITY: CodeQualitySeverity = 'major';

/** With `/`, without a leading `./`. */
function cleanPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** The path GitLab needs for a path as shown (see above). */
function repoPath(report: RunReport, shown: string): string {
  return cleanPath(report.repoPaths?.get(shown) ?? shown) || '.';
}

/** A text with the line and column numbers it names blanked: `lines 3 and 7` → `lines #`, `ci.yml:12:5` → `ci.yml:#`. */
export function withoutPositions(text: string): string {
  return text
    .replace(/\b(lines?|columns?) \d+(?:(?:, | and | or )\d+)*/gi, '$1 #')
    .replace(/(\.(?:ya?ml|[cm]?[jt]sx?)):\d+(?::\d+)?\b/gi, '$1:#');
}

/** What identifies an issue, apart from its occurrence number. */
export interface IssueKey {
  path: string;
  check: string;
  jobs: readonly string[];
  text: string;
}

/** sha256 of the key's fields and the occurrence number (1 for the first), joined with NUL. */
export function fingerprint(key: IssueKey, occurrence: number): string {
  return createHash('sha256')
    .update([key.path, key.check, key.jobs.join('\u0001'), withoutPositions(key.text), String(occurrence)].join('\0'))
    .digest('hex');
}

interface Entry {
  key: IssueKey;
  line: number;
  column: number;
  description: string;
  severity: CodeQualitySeverity;
}

function findingEntry(report: RunReport, f: Finding): Entry {
  const jobs = jobNames(f);
  const about = jobs.length ? ` (job${jobs.length > 1 ? 's' : ''} ${jobs.join(', ')})` : '';
  return {
    key: { path: repoPath(report, f.file), check: f.code, jobs, text: f.message },
    line: f.line,
    column: f.column ?? 0,
    description: `${f.message}${about}`,
    severity: CODE_QUALITY_SEVERITY[f.severity],
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The line that defines a job in its file's text: its key at the start of a line (a YAML job), else indented (a
 * generator's job object), else the first line naming it in quotes (`addJob(pipeline, 'build', …)`); 0 when not
 * found. Only where the widget points: the fingerprint does not use it.
 */
function jobLine(text: string, name: string): number {
  const double = `"${escapeRegExp(JSON.stringify(name).slice(1, -1))}"`;
  const single = `'${escapeRegExp(name.replace(/'/g, "''"))}'`;
  const key = `(?:${escapeRegExp(name)}|${double}|${single})\\s*:(?=\\s|$)`;
  const lines = text.split('\n');
  for (const re of [new RegExp(`^${key}`), new RegExp(`^\\s+${key}`), new RegExp(`${double}|${single}`)]) {
    const i = lines.findIndex((l) => re.test(l));
    if (i >= 0) return i + 1;
  }
  return 0;
}

const firstChange = (f: ReportFile) => changedLines(f.original, f.output, f.edits)[0]?.start ?? 0;

/**
 * The pending migrations of a run that wrote nothing of a project: each migrated job (where it is defined), and
 * each changed file that defines none of them (a template, an included file, the variables a consumer translates).
 */
function pendingEntries(report: RunReport): Entry[] {
  const entries: Entry[] = [];
  const fileOf = (j: ReportJob) => report.files.find((f) => f.path === j.path && sameProject(f.project, j.project));
  const pendingJobs = report.jobs.filter((j) => j.status === 'migrated' && !projectWritten(report, j.project));
  for (const j of pendingJobs) {
    const file = fileOf(j);
    const line = file ? jobLine(file.original, j.name) || firstChange(file) : 0;
    const text = `job ${j.name} would be migrated to rootless BuildKit`;
    entries.push({
      key: { path: repoPath(report, j.path), check: PENDING_CHECK, jobs: [j.name], text },
      line,
      column: 0,
      description: `${text} (\`kaniko2buildkit migrate\` writes it)`,
      severity: PENDING_SEVERITY,
    });
  }
  for (const f of report.files) {
    if (!f.changed || f.written || projectWritten(report, f.project)) continue;
    if (pendingJobs.some((j) => j.path === f.path && sameProject(j.project, f.project))) continue;
    const text = `this file would change in the migration to rootless BuildKit`;
    entries.push({
      key: { path: repoPath(report, f.path), check: PENDING_CHECK, jobs: [], text },
      line: firstChange(f),
      column: 0,
      description: `${text} (\`kaniko2buildkit migrate\` writes it)`,
      severity: PENDING_SEVERITY,
    });
  }
  return entries;
}

export function codeQualityIssues(report: RunReport): CodeQualityIssue[] {
  // one entry per finding (a finding of a file that failed is in `errors` too)
  const seen = new Set<string>();
  const findings: Entry[] = [];
  for (const f of allFindings(report)) {
    const e = findingEntry(report, f);
    const exact = JSON.stringify([e.key, e.line, e.column]);
    if (seen.has(exact)) continue;
    seen.add(exact);
    findings.push(e);
  }
  const entries = [...pendingEntries(report), ...findings];
  // occurrence numbers among identical keys, in the order of their place in the file
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    const k = JSON.stringify([e.key.path, e.key.check, e.key.jobs, withoutPositions(e.key.text)]);
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  const occurrence = new Map<Entry, number>();
  for (const group of groups.values())
    [...group].sort((a, b) => a.line - b.line || a.column - b.column).forEach((e, i) => occurrence.set(e, i + 1));
  return entries.map((e) => ({
    description: e.description,
    check_name: e.key.check,
    fingerprint: fingerprint(e.key, occurrence.get(e)!),
    severity: e.severity,
    location: { path: e.key.path, lines: { begin: e.line > 0 ? e.line : 1 } },
  }));
}

export function codeQualityReport(report: RunReport): string {
  return `${JSON.stringify(codeQualityIssues(report), null, 2)}\n`;
}
