/**
 * A GitLab bulk run: find the projects (a group's, filtered; or the failed ones of an earlier report), audit each,
 * and with `apply` commit and open or update its merge request. At most `concurrency` projects at once; every
 * project ends with an outcome, whatever happened to the others.
 */
import { mapPool } from '../bulk/pool.js';
import type { ProjectStatus } from '../bulk/outcome.js';
import { appendProject } from '../bulk/report.js';
import type { ProjectResult } from '../project/plan.js';
import { markdownReport } from '../report/markdown.js';
import type { RunReport } from '../report/model.js';
import { getProject, listGroupProjects, type ListOptions } from './api.js';
import { applyProject, type ApplyOptions, type ApplyResult } from './apply.js';
import { auditProject, nothingToDo, type ProjectAudit } from './audit.js';
import type { GitLabClient } from './client.js';
import { selectProjects } from './filter.js';
import { gitlabResolver } from './resolver.js';
import type { IncludeResolver } from '../pipeline/includes.js';
import type { Project } from './types.js';

export interface ProjectOutcome extends ApplyResult {
  id: number;
  /** Full path, `group/sub/name`. */
  path: string;
  webUrl?: string;
  defaultBranch?: string;
  status: ProjectStatus;
  result?: ProjectResult;
}

export interface Selection extends ListOptions {
  group?: string;
  only: string[];
  skip: string[];
  /** Project ids (or full paths) to take instead of listing the group: `--only-failed`. */
  ids?: (number | string)[];
}

export interface RunOptions extends Omit<ApplyOptions, 'description'> {
  apply: boolean;
  concurrency: number;
  buildkitImage?: string;
  /** The generator sources to migrate as well (a glob relative to each repository root); undefined: none. */
  sources?: string;
  /** Reads included projects (default: the same GitLab through `client`, once per project and ref for the run). */
  resolver?: IncludeResolver;
  templateRuns?: Map<string, Promise<ProjectResult>>;
  onDone?: (done: number, total: number) => void;
}

/** GitLab refuses descriptions over 1,048,576 characters. */
const MAX_DESCRIPTION = 1_000_000;

/** One project's report: paths as in the repository. */
export function projectReport(path: string, result: ProjectResult | undefined): RunReport {
  const report: RunReport = { files: [], jobs: [], errors: [] };
  appendProject(report, path, result, (p) => p);
  return report;
}

export function mergeRequestDescription(audit: ProjectAudit): string {
  const text = `${markdownReport(projectReport(audit.project.path_with_namespace, audit.result))}\n---\n_Opened by kaniko2buildkit: running it again updates this merge request._\n`;
  if (text.length <= MAX_DESCRIPTION) return text;
  return `${text.slice(0, MAX_DESCRIPTION)}\n\n_(report cut at ${MAX_DESCRIPTION} characters: run \`kaniko2buildkit migrate --format markdown\` on a checkout for all of it)_\n`;
}

/** The projects to work on, and the ids of `--only-failed` that could not be fetched (as failed outcomes). */
export async function findProjects(
  client: GitLabClient,
  sel: Selection,
): Promise<{ projects: Project[]; missing: ProjectOutcome[] }> {
  if (sel.ids) {
    const missing: ProjectOutcome[] = [];
    const projects: Project[] = [];
    for (const id of sel.ids) {
      try {
        projects.push(await getProject(client, id));
      } catch (e) {
        missing.push({
          id: typeof id === 'number' ? id : 0,
          path: String(id),
          status: 'failed',
          outcome: 'failed',
          reason: (e as Error).message,
        });
      }
    }
    return { projects: selectProjects(projects, sel.only, sel.skip), missing };
  }
  if (!sel.group) throw new Error('a group is needed (--group PATH), or --only-failed REPORT.json');
  const listed = await listGroupProjects(client, sel.group, sel);
  return { projects: selectProjects(listed, sel.only, sel.skip), missing: [] };
}

async function oneProject(client: GitLabClient, project: Project, opts: RunOptions): Promise<ProjectOutcome> {
  const base = {
    id: project.id,
    path: project.path_with_namespace,
    webUrl: project.web_url,
    defaultBranch: project.default_branch ?? undefined,
  };
  const audit = await auditProject(client, project, {
    buildkitImage: opts.buildkitImage,
    sources: opts.sources,
    resolver: opts.resolver,
    templateRuns: opts.templateRuns,
  });
  const done = { ...base, status: audit.status, result: audit.result };
  if (audit.status === 'failed') return { ...done, outcome: 'failed', reason: audit.reason };
  if (!audit.result?.files.some((f) => f.changed))
    return { ...done, outcome: 'skipped', reason: audit.reason ?? nothingToDo(audit.status, audit.result) };
  if (!opts.apply) return { ...done, outcome: 'planned' };
  try {
    return {
      ...done,
      ...(await applyProject(client, audit, { ...opts, description: mergeRequestDescription(audit) })),
    };
  } catch (e) {
    return { ...done, outcome: 'failed', reason: client.redact((e as Error).message) };
  }
}

export async function runProjects(
  client: GitLabClient,
  projects: Project[],
  opts: RunOptions,
): Promise<ProjectOutcome[]> {
  const shared = {
    ...opts,
    resolver: opts.resolver ?? gitlabResolver(client),
    templateRuns: opts.templateRuns ?? new Map(),
  };
  return mapPool(
    projects,
    opts.concurrency,
    (p) =>
      oneProject(client, p, shared).catch((e: Error) => ({
        id: p.id,
        path: p.path_with_namespace,
        status: 'failed' as const,
        outcome: 'failed' as const,
        reason: client.redact(e.message),
      })),
    opts.onDone,
  );
}
