/**
 * Reports of a GitLab run: the combined per-project report (every file shown as `group/project/path`) in any format,
 * with the group summary and each project's outcome (merge request link, skipped and why, failed and why).
 *
 * Every report is derived from a list of per-project records (`ProjectRecord`), each self-contained: the project,
 * its outcome and its part of the combined report. The JSON report carries the records (`projects`), so a report is
 * re-derivable from them: `report merge` rebuilds the group report of several `--shard` runs with the same functions,
 * in the same order (by path), byte for byte what one run over the whole group prints.
 * The JSON report is also the input of `--only-failed`.
 */
import { append } from '../text/append.js';
import type { ChalkInstance } from 'chalk';
import { hasKaniko, summariseGroup, type GroupSummary, type ProjectStatus } from '../bulk/outcome.js';
import { appendProject, groupMarkdown, groupText, type ProjectRow } from '../bulk/report.js';
import type { Finding } from '../findings/types.js';
import type { Feed } from '../project/feeds.js';
import type { JobResult, TemplateSummary } from '../project/plan.js';
import { graphMarkdown, graphText, groupGraph, type GraphTemplate } from '../bulk/graph.js';
import { findingOfJson, jsonFinding, jsonReport, type JsonFinding } from '../report/json.js';
import { markdownReport } from '../report/markdown.js';
import type { RunReport } from '../report/model.js';
import { textDiffs, textSummary } from '../report/text.js';
import type { Outcome } from './apply.js';
import type { RolloutStep } from './rollout.js';
import { rolloutSection, rolloutText } from './rollout-report.js';
import type { ProjectOutcome } from './run.js';
import type { Shard } from './shard.js';

export const REPORT_KIND = 'kaniko2buildkit/gitlab';

export interface RunInfo {
  url: string;
  group?: string;
  mode: 'dry-run' | 'apply';
  branch: string;
}

export type OutcomeCounts = Record<Outcome, number>;

/** A finding of a record: as the JSON report writes one (`job` a list, no position null), with the file it is in. */
export interface RecordFinding extends JsonFinding {
  path: string;
}

export function recordFinding(f: Finding): RecordFinding {
  const { code, severity, ...rest } = jsonFinding(f);
  return { code, severity, path: f.file, ...rest };
}

/** A file of one project's part of the report: paths as shown (`group/project/path`). */
export interface RecordFile {
  path: string;
  changed: boolean;
  written: boolean;
  findings: RecordFinding[];
  /** The texts before and after, for the diffs: only for a changed file. */
  original?: string;
  output?: string;
}

/** A Kaniko job of one project: `file` as in the repository, `path` as shown. */
export interface RecordJob extends JobResult {
  path: string;
}

/** One project of a run, all a report needs of it (an entry of the JSON report's `projects`). */
export interface ProjectRecord {
  id: number;
  /** Full path, `group/sub/name`. */
  path: string;
  webUrl: string | null;
  status: ProjectStatus;
  outcome: Outcome;
  reason: string | null;
  mergeRequest: { iid: number; url: string } | null;
  commit: string | null;
  /** At least one Kaniko job (the group summary's "with Kaniko"), whatever the status. */
  withKaniko: boolean;
  files: RecordFile[];
  jobs: RecordJob[];
  errors: RecordFinding[];
  /** Its variables that feed Kaniko flags into another project's template (absent: none). */
  feeds?: Feed[];
  /** The other projects' files it includes, as their own migration left them (absent: none). */
  templates?: TemplateSummary[];
  /** Its steps in the rollout of shared templates (absent: none). */
  rollout?: RolloutStep[];
}

/** A project's outcome as a record: plain JSON data (what a JSON report holds, read back, is the same). */
export function projectRecord(o: ProjectOutcome): ProjectRecord {
  const part: RunReport = { files: [], jobs: [], errors: [] };
  appendProject(part, o.path, o.result, (p) => `${o.path}/${p}`);
  // its changed files are written when its merge request holds them (opened or updated with the branch)
  const committed = o.outcome === 'opened' || o.outcome === 'updated';
  const record: ProjectRecord = {
    id: o.id,
    path: o.path,
    webUrl: o.webUrl ?? null,
    status: o.status,
    outcome: o.outcome,
    reason: o.reason ?? null,
    mergeRequest: o.mergeRequest ? { iid: o.mergeRequest.iid, url: o.mergeRequest.url } : null,
    commit: o.commit ?? null,
    withKaniko: hasKaniko(o.result),
    files: part.files.map((f) => ({
      path: f.path,
      changed: f.changed,
      written: f.written || (committed && f.changed),
      findings: f.findings.map(recordFinding),
      ...(f.changed ? { original: f.original, output: f.output } : {}),
    })),
    jobs: part.jobs.map(({ project: _, ...j }) => j),
    errors: part.errors.map(recordFinding),
    ...(o.result?.feeds ? { feeds: o.result.feeds } : {}),
    ...(o.result?.templates ? { templates: o.result.templates } : {}),
    ...(o.rollout ? { rollout: o.rollout } : {}),
  };
  // through JSON once, so that a record made here and one read from a report are alike (no undefined fields)
  return JSON.parse(JSON.stringify(record)) as ProjectRecord;
}

/** The records in report order: by full path (then id), independent of the order they came in. */
export function sortRecords(records: readonly ProjectRecord[]): ProjectRecord[] {
  return [...records].sort(
    (a, b) => a.path.localeCompare(b.path, 'en') || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.id - b.id,
  );
}

export function countOutcomes(records: readonly ProjectRecord[]): OutcomeCounts {
  const counts: OutcomeCounts = { planned: 0, opened: 0, updated: 0, waiting: 0, skipped: 0, failed: 0 };
  for (const r of records) counts[r.outcome]++;
  return counts;
}

export function groupSummaryOf(records: readonly ProjectRecord[]): GroupSummary {
  const summary = summariseGroup(records.map((r) => ({ status: r.status })));
  summary.withKaniko = records.filter((r) => r.withKaniko).length;
  return summary;
}

/** The records' parts as one report, in the records' order. */
export function combinedReport(records: readonly ProjectRecord[]): RunReport {
  const report: RunReport = { files: [], jobs: [], errors: [] };
  for (const r of records) {
    for (const f of r.files)
      report.files.push({
        path: f.path,
        changed: f.changed,
        written: f.written,
        findings: f.findings.map((x) => findingOfJson(x, x.path)),
        original: f.original ?? '',
        output: f.output ?? '',
        project: r.path,
      });
    for (const j of r.jobs) report.jobs.push({ ...j, project: r.path });
    append(
      report.errors,
      r.errors.map((x) => findingOfJson(x, x.path)),
    );
  }
  return report;
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  planned: 'would open or update a merge request',
  opened: 'merge request opened',
  updated: 'merge request updated',
  waiting: 'waits for an earlier step',
  skipped: 'skipped',
  failed: 'failed',
};

function rows(records: readonly ProjectRecord[]): ProjectRow[] {
  return records.map((r) => ({
    project: r.path,
    status: r.status,
    outcome: OUTCOME_TEXT[r.outcome],
    link: r.mergeRequest?.url,
    reason: r.reason ?? undefined,
  }));
}

/** The group graph of the records (each record holds its own part of it). */
export function graphOf(records: readonly ProjectRecord[]): GraphTemplate[] {
  return groupGraph(records.map((r) => ({ project: r.path, ...r })));
}

const waits = (c: OutcomeCounts) => (c.waiting ? `${c.waiting} wait for an earlier step, ` : '');

export function outcomeLine(c: OutcomeCounts, mode: RunInfo['mode']): string {
  if (mode === 'dry-run')
    return `Merge requests: ${c.planned} would be opened or updated; ${waits(c)}${c.skipped} skipped, ${c.failed} failed (dry run: nothing written)`;
  return `Merge requests: ${c.opened} opened, ${c.updated} updated; ${waits(c)}${c.skipped} skipped, ${c.failed} failed`;
}

export function gitlabText(info: RunInfo, records: readonly ProjectRecord[], c: ChalkInstance): string {
  const sorted = sortRecords(records);
  const report = combinedReport(sorted);
  const diffs = info.mode === 'dry-run' ? textDiffs(report, c) : '';
  const group = groupSummaryOf(sorted);
  return `${diffs}${textSummary(report, c, info.mode === 'apply' ? 'write' : 'dry-run')}\n${graphText(graphOf(sorted), c)}${rolloutText(sorted, c)}${groupText(group, rows(sorted), c, true)}${outcomeLine(countOutcomes(sorted), info.mode)}\n`;
}

export function gitlabMarkdown(info: RunInfo, records: readonly ProjectRecord[]): string {
  const sorted = sortRecords(records);
  const title = `kaniko2buildkit ${info.mode === 'apply' ? 'migration' : 'audit'}: ${info.group ?? 'projects'} on ${new URL(info.url).host}`;
  const group = groupSummaryOf(sorted);
  return `${groupMarkdown(title, group, rows(sorted))}${graphMarkdown(graphOf(sorted))}${rolloutSection(sorted)}${outcomeLine(countOutcomes(sorted), info.mode)}\n\n${markdownReport(combinedReport(sorted))}`;
}

export interface GitLabJson {
  kind: typeof REPORT_KIND;
  url: string;
  group: string | null;
  mode: RunInfo['mode'];
  branch: string;
  /** The `--shard I/N` of the run; null for a whole run, and for a merge of shards. */
  shard: Shard | null;
  projects: ProjectRecord[];
  groupSummary: GroupSummary;
  /** Every other project's template file with Kaniko jobs, the projects building through it, and what each changes. */
  templateGraph: GraphTemplate[];
  outcomes: OutcomeCounts;
}

/**
 * The JSON report, the one function for a run and for a merge: the run, its projects (the records, by path), the
 * group summary and outcome counts, and the same `files`/`jobs`/`errors`/`summary` as `migrate --format json`.
 * It holds no timings or other run-dependent data: the same records give the same bytes.
 */
export function gitlabBody(
  info: RunInfo,
  records: readonly ProjectRecord[],
  shard: Shard | null,
): GitLabJson & Record<string, unknown> {
  const sorted = sortRecords(records);
  const base = JSON.parse(jsonReport(combinedReport(sorted))) as Record<string, unknown>;
  return {
    kind: REPORT_KIND,
    url: info.url,
    group: info.group ?? null,
    mode: info.mode,
    branch: info.branch,
    shard: shard ? { index: shard.index, total: shard.total } : null,
    projects: sorted,
    groupSummary: groupSummaryOf(sorted),
    templateGraph: graphOf(sorted),
    outcomes: countOutcomes(sorted),
    ...base,
  };
}

export function gitlabJson(info: RunInfo, records: readonly ProjectRecord[], shard: Shard | null = null): string {
  return `${JSON.stringify(gitlabBody(info, records, shard), null, 2)}\n`;
}

/** The projects that failed in an earlier JSON report (ids, or full paths when the id is unknown). */
export function failedProjects(text: string): (number | string)[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new Error(`not a JSON report: ${(e as Error).message}`);
  }
  const b = body as Partial<GitLabJson>;
  if (b?.kind !== REPORT_KIND || !Array.isArray(b.projects))
    throw new Error(`not a report of \`kaniko2buildkit gitlab --format json\` (kind ${JSON.stringify(b?.kind)})`);
  return b.projects.filter((p) => p.outcome === 'failed').map((p) => (p.id > 0 ? p.id : p.path));
}
