/**
 * Reports of a GitLab run: the combined per-project report (every file shown as `group/project/path`) in any format,
 * with the group summary and each project's outcome (merge request link, skipped and why, failed and why).
 * The JSON report is also the input of `--only-failed`.
 */
import type { ChalkInstance } from 'chalk';
import { summariseGroup, type GroupSummary } from '../bulk/outcome.js';
import { appendProject, groupMarkdown, groupText, type ProjectRow } from '../bulk/report.js';
import { jsonReport } from '../report/json.js';
import { markdownReport } from '../report/markdown.js';
import type { RunReport } from '../report/model.js';
import { textDiffs, textSummary } from '../report/text.js';
import type { Outcome } from './apply.js';
import type { ProjectOutcome } from './run.js';

export const REPORT_KIND = 'kaniko2buildkit/gitlab';

export interface RunInfo {
  url: string;
  group?: string;
  mode: 'dry-run' | 'apply';
  branch: string;
}

export type OutcomeCounts = Record<Outcome, number>;

export function countOutcomes(outcomes: readonly ProjectOutcome[]): OutcomeCounts {
  const counts: OutcomeCounts = { planned: 0, opened: 0, updated: 0, skipped: 0, failed: 0 };
  for (const o of outcomes) counts[o.outcome]++;
  return counts;
}

export function combinedReport(outcomes: readonly ProjectOutcome[]): RunReport {
  const report: RunReport = { files: [], jobs: [], errors: [] };
  for (const o of outcomes) appendProject(report, o.path, o.result, (p) => `${o.path}/${p}`);
  return report;
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  planned: 'would open or update a merge request',
  opened: 'merge request opened',
  updated: 'merge request updated',
  skipped: 'skipped',
  failed: 'failed',
};

function rows(outcomes: readonly ProjectOutcome[]): ProjectRow[] {
  return outcomes.map((o) => ({
    project: o.path,
    status: o.status,
    outcome: OUTCOME_TEXT[o.outcome],
    link: o.mergeRequest?.url,
    reason: o.reason,
  }));
}

export function outcomeLine(c: OutcomeCounts, mode: RunInfo['mode']): string {
  if (mode === 'dry-run')
    return `Merge requests: ${c.planned} would be opened or updated; ${c.skipped} skipped, ${c.failed} failed (dry run: nothing written)`;
  return `Merge requests: ${c.opened} opened, ${c.updated} updated; ${c.skipped} skipped, ${c.failed} failed`;
}

export function gitlabText(info: RunInfo, outcomes: readonly ProjectOutcome[], c: ChalkInstance): string {
  const report = combinedReport(outcomes);
  const diffs = info.mode === 'dry-run' ? textDiffs(report, c) : '';
  const group = summariseGroup(outcomes);
  return `${diffs}${textSummary(report, c, info.mode === 'apply' ? 'write' : 'dry-run')}\n${groupText(group, rows(outcomes), c, true)}${outcomeLine(countOutcomes(outcomes), info.mode)}\n`;
}

export function gitlabMarkdown(info: RunInfo, outcomes: readonly ProjectOutcome[]): string {
  const title = `kaniko2buildkit ${info.mode === 'apply' ? 'migration' : 'audit'}: ${info.group ?? 'projects'} on ${new URL(info.url).host}`;
  const group = summariseGroup(outcomes);
  return `${groupMarkdown(title, group, rows(outcomes))}${outcomeLine(countOutcomes(outcomes), info.mode)}\n\n${markdownReport(combinedReport(outcomes))}`;
}

export interface GitLabJson {
  kind: typeof REPORT_KIND;
  url: string;
  group: string | null;
  mode: RunInfo['mode'];
  branch: string;
  projects: {
    id: number;
    path: string;
    webUrl: string | null;
    status: string;
    outcome: Outcome;
    reason: string | null;
    mergeRequest: { iid: number; url: string } | null;
    commit: string | null;
  }[];
  groupSummary: GroupSummary;
  outcomes: OutcomeCounts;
}

/** The JSON report: the same `files`/`jobs`/`errors`/`summary` as `migrate --format json`, plus the run and its projects. */
export function gitlabJson(info: RunInfo, outcomes: readonly ProjectOutcome[]): string {
  const base = JSON.parse(jsonReport(combinedReport(outcomes))) as Record<string, unknown>;
  const body: GitLabJson & Record<string, unknown> = {
    kind: REPORT_KIND,
    url: info.url,
    group: info.group ?? null,
    mode: info.mode,
    branch: info.branch,
    projects: outcomes.map((o) => ({
      id: o.id,
      path: o.path,
      webUrl: o.webUrl ?? null,
      status: o.status,
      outcome: o.outcome,
      reason: o.reason ?? null,
      mergeRequest: o.mergeRequest ?? null,
      commit: o.commit ?? null,
    })),
    groupSummary: summariseGroup(outcomes),
    outcomes: countOutcomes(outcomes),
    ...base,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
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
