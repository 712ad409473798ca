/**
 * One project's outcome in a bulk run, and the group summary over many: the same for local checkouts and GitLab.
 *
 * Status of a project (exactly one):
 * - `failed`: it could not be migrated: a file unreadable or invalid, the self-check failed, any `error` finding,
 *   or an exception (permission error, API error). Nothing of it is written.
 * - `migrated`: every Kaniko job is migrated; `partial`: some migrated, some left for a person;
 *   `manual`: Kaniko jobs, none migrated, some left for a person;
 * - `unchanged`: nothing to do (no Kaniko job, already migrated, or no pipeline file).
 * "With Kaniko" counts projects with at least one Kaniko job, whatever their status.
 */
import type { ProjectResult } from '../project/plan.js';

export type ProjectStatus = 'migrated' | 'partial' | 'manual' | 'failed' | 'unchanged';

export const PROJECT_STATUSES: readonly ProjectStatus[] = ['migrated', 'partial', 'manual', 'failed', 'unchanged'];

export interface GroupSummary {
  scanned: number;
  withKaniko: number;
  migrated: number;
  partial: number;
  manual: number;
  failed: number;
  unchanged: number;
}

/** The first reason a result counts as failed, or undefined. */
export function failureOf(result: ProjectResult): string | undefined {
  const bad = result.failed[0];
  if (bad) return `${bad.path}${bad.error.line ? `:${bad.error.line}:${bad.error.column}` : ''}: ${bad.error.message}`;
  for (const f of result.files) {
    const e = f.findings.find((x) => x.severity === 'error');
    if (e) return `${e.file}${e.line ? `:${e.line}` : ''}: ${e.code} ${e.message}`;
  }
  return undefined;
}

export function projectStatus(result: ProjectResult | undefined): ProjectStatus {
  if (!result || failureOf(result) !== undefined) return 'failed';
  // a transition changes the project as a migration does (its twins are written)
  const migrated = result.jobs.some((j) => j.status === 'migrated' || j.status === 'transition');
  const manual = result.jobs.some((j) => j.status === 'manual');
  if (migrated && manual) return 'partial';
  if (migrated) return 'migrated';
  if (manual) return 'manual';
  return 'unchanged';
}

export function hasKaniko(result: ProjectResult | undefined): boolean {
  return !!result?.jobs.length;
}

export function summariseGroup(projects: readonly { status: ProjectStatus; result?: ProjectResult }[]): GroupSummary {
  const s: GroupSummary = {
    scanned: projects.length,
    withKaniko: 0,
    migrated: 0,
    partial: 0,
    manual: 0,
    failed: 0,
    unchanged: 0,
  };
  for (const p of projects) {
    s[p.status]++;
    if (hasKaniko(p.result)) s.withKaniko++;
  }
  return s;
}

export function groupSummaryLine(s: GroupSummary): string {
  return `Projects: ${s.scanned} scanned, ${s.withKaniko} with Kaniko; ${s.migrated} migrated, ${s.partial} partial, ${s.manual} manual, ${s.failed} failed, ${s.unchanged} unchanged`;
}
