/**
 * A GitLab bulk run: find the projects (a group's, filtered; or the failed ones of an earlier report), audit each,
 * and with `apply` commit and open or update its merge request. At most `concurrency` projects at once; every
 * project ends with an outcome, whatever happened to the others.
 */
import { isolation, type IsolatedMigrate } from '../bulk/isolation.js';
import { DEFAULT_TIME_LIMIT_S, mapPool } from '../bulk/pool.js';
import { projectStatus, type ProjectStatus } from '../bulk/outcome.js';
import { appendProject } from '../bulk/report.js';
import type { ProjectResult } from '../project/plan.js';
import { markdownReport } from '../report/markdown.js';
import type { RunReport } from '../report/model.js';
import { getProject, listGroupProjects, type ListOptions } from './api.js';
import { applyProject, updatesOf, type ApplyOptions, type ApplyResult } from './apply.js';
import { auditProject, nothingToDo, replanProject, type ProjectAudit } from './audit.js';
import type { GitLabClient } from './client.js';
import { selectProjects } from './filter.js';
import { gitlabResolver } from './resolver.js';
import {
  linkSteps,
  ownsSteps,
  planRollout,
  rolloutMarkdown,
  stepReason,
  type ProjectRollout,
  type RolloutMode,
  type RolloutStep,
} from './rollout.js';
import type { IncludeResolver } from '../pipeline/includes.js';
import type { Project } from './types.js';
import type { MigrationMode } from '../project/transition.js';

export interface ProjectOutcome extends ApplyResult {
  id: number;
  /** Full path, `group/sub/name`. */
  path: string;
  webUrl?: string;
  defaultBranch?: string;
  status: ProjectStatus;
  result?: ProjectResult;
  /** Its part in the rollout of shared templates (absent: none). */
  rollout?: RolloutStep[];
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
  /** Direct migration (default), a transition merge request, or the cut-over one (RepositoryOptions.mode). */
  migrationMode?: MigrationMode;
  /** The generator sources to migrate as well (a glob relative to each repository root); undefined: none. */
  sources?: string;
  /** Reads included projects (default: the same GitLab through `client`, once per project and ref for the run). */
  resolver?: IncludeResolver;
  templateRuns?: Map<string, Promise<ProjectResult>>;
  /** How a template that other projects include is migrated (default `beside`: see src/gitlab/rollout.ts). */
  rollout?: RolloutMode;
  /** Milliseconds one project's migration may take (src/bulk/isolation.ts; default DEFAULT_TIME_LIMIT_S). */
  timeLimitMs?: number;
  onDone?: (done: number, total: number) => void;
}

/** GitLab refuses descriptions over 1,048,576 characters. */
const MAX_DESCRIPTION = 1_000_000;

/**
 * One project's report: paths as in the repository. `committed`: its changed files are committed to a merge
 * request's branch (the report is that merge request's description), so they are written.
 */
export function projectReport(path: string, result: ProjectResult | undefined, committed = false): RunReport {
  const report: RunReport = { files: [], jobs: [], errors: [] };
  appendProject(report, path, result, (p) => p);
  if (committed) for (const f of report.files) f.written = f.changed;
  return report;
}

/**
 * The description of a project's merge request: the rollout steps it is part of, then its Markdown report (what it
 * changes, with links to the changed lines on `branch`, its source branch; what the runners need after the merge;
 * what needs a person).
 */
export function mergeRequestDescription(
  audit: ProjectAudit,
  steps: readonly RolloutStep[] = [],
  branch?: string,
): string {
  const report = projectReport(audit.project.path_with_namespace, audit.result, true);
  const links = branch && audit.project.web_url ? { mergeRequest: { webUrl: audit.project.web_url, branch } } : {};
  const text = `${rolloutMarkdown(steps)}${markdownReport(report, links)}\n---\n_Opened by kaniko2buildkit: running it again updates this merge request._\n`;
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

type Base = Pick<ProjectOutcome, 'id' | 'path' | 'webUrl' | 'defaultBranch'>;

const baseOf = (project: Project): Base => ({
  id: project.id,
  path: project.path_with_namespace,
  webUrl: project.web_url,
  defaultBranch: project.default_branch ?? undefined,
});

/** The project's result with the rollout's part in it: template files kept out, the files it adds in. */
function withRollout(result: ProjectResult | undefined, part: ProjectRollout): ProjectResult | undefined {
  if (!result || (!part.keep.size && !part.files.length)) return result;
  const files = result.files
    .filter((f) => !part.keep.has(f.path) || !f.changed)
    .concat(part.files.filter((f) => !result.files.some((g) => g.path === f.path && !part.keep.has(g.path))));
  const jobs = result.jobs.filter((j) => !part.keep.has(j.file)).concat(part.jobs);
  return { ...result, files, jobs };
}

/** One audited project's outcome: its merge request opened or updated (apply), or what would be done. */
async function finish(
  client: GitLabClient,
  audit: ProjectAudit,
  part: ProjectRollout | undefined,
  opts: RunOptions,
  migrate: IsolatedMigrate,
): Promise<ProjectOutcome> {
  const done = { ...baseOf(audit.project), status: audit.status, result: audit.result };
  if (audit.status === 'failed') return { ...done, outcome: 'failed', reason: audit.reason };
  const steps = part?.steps ?? [];
  const rollout = steps.length ? { rollout: steps } : {};
  const waiting = steps.filter((s) => s.state === 'waiting' && (s.step === 'switch' || s.step === 'in-place'));
  // A consumer of a template being rolled out: nothing of it is committed while a step of it waits; beside, it is
  // migrated again with the includes it switches now (its variables are translated for those only).
  if (part?.consumer) {
    if (waiting.length)
      return {
        ...done,
        ...rollout,
        outcome: 'waiting',
        reason: waiting.map(stepReason).join('; '),
      };
  }
  if (part?.consumer && (opts.rollout ?? 'beside') === 'beside') {
    audit = await replanProject(client, audit, part.switches, migrate);
    Object.assign(done, { status: audit.status, result: audit.result });
    if (audit.status === 'failed') return { ...done, ...rollout, outcome: 'failed', reason: audit.reason };
  }
  const result = part ? withRollout(audit.result, part) : audit.result;
  const changes = [...updatesOf(audit).filter((c) => !part?.keep.has(c.path)), ...(part?.changes ?? [])];
  const shown = {
    ...done,
    ...rollout,
    result,
    ...(result !== audit.result && result ? { status: projectStatus(result) } : {}),
  };
  if (!changes.length)
    return { ...shown, outcome: 'skipped', reason: audit.reason ?? nothingToDo(audit.status, audit.result) };
  if (!opts.apply) return { ...shown, outcome: 'planned' };
  try {
    const description = mergeRequestDescription({ ...audit, result }, steps, opts.branch);
    return { ...shown, ...(await applyProject(client, audit, { ...opts, description }, changes)) };
  } catch (e) {
    return { ...shown, outcome: 'failed', reason: client.redact((e as Error).message) };
  }
}

export async function runProjects(
  client: GitLabClient,
  projects: Project[],
  opts: RunOptions,
): Promise<ProjectOutcome[]> {
  const resolver = opts.resolver ?? gitlabResolver(client);
  const templateRuns = opts.templateRuns ?? new Map<string, Promise<ProjectResult>>();
  // Each project is migrated in a worker under a time limit: one cannot stall the others (src/bulk/isolation.ts).
  const workers = isolation({
    workers: opts.concurrency,
    timeLimitMs: opts.timeLimitMs ?? DEFAULT_TIME_LIMIT_S * 1000,
  });
  try {
    return await auditAndFinish(client, projects, opts, resolver, templateRuns, workers.migrate);
  } finally {
    await workers.close();
  }
}

async function auditAndFinish(
  client: GitLabClient,
  projects: Project[],
  opts: RunOptions,
  resolver: IncludeResolver,
  templateRuns: Map<string, Promise<ProjectResult>>,
  migrate: IsolatedMigrate,
): Promise<ProjectOutcome[]> {
  const failed = (p: Project, e: Error): ProjectOutcome => ({
    ...baseOf(p),
    status: 'failed',
    outcome: 'failed',
    reason: client.redact(e.message),
  });
  // Every project is audited first: the rollout of a shared template needs all of its consumers. The progress shows
  // the audits, then (with --apply) the merge requests.
  const audits = await mapPool(
    projects,
    opts.concurrency,
    (p) =>
      auditProject(client, p, {
        buildkitImage: opts.buildkitImage,
        migrationMode: opts.migrationMode,
        sources: opts.sources,
        resolver,
        templateRuns,
        migrate,
      }).catch((e: Error) => e),
    opts.onDone,
  );
  const audited = audits.filter((a): a is ProjectAudit => !(a instanceof Error));
  let parts = new Map<string, ProjectRollout>();
  try {
    parts = await planRollout(client, audited, {
      mode: opts.rollout ?? 'beside',
      branch: opts.branch,
      resolver,
      templateRuns,
      buildkitImage: opts.buildkitImage,
    });
  } catch (e) {
    const reason = `the rollout of shared templates could not be planned: ${client.redact((e as Error).message)}`;
    return projects.map((p) => failed(p, new Error(reason)));
  }
  // The template projects' merge requests first: the consumers' merge requests and reasons link them.
  const outcomes: ProjectOutcome[] = new Array(projects.length);
  const one = (i: number) => {
    const p = projects[i]!;
    const a = audits[i]!;
    if (a instanceof Error) return Promise.resolve(failed(p, a));
    return finish(client, a, parts.get(p.path_with_namespace), opts, migrate).catch((e: Error) => failed(p, e));
  };
  const first = projects.map((_, i) => i).filter((i) => ownsSteps(parts.get(projects[i]!.path_with_namespace)));
  const leading = new Set(first);
  const rest = projects.map((_, i) => i).filter((i) => !leading.has(i));
  let done = 0;
  const progress = () => opts.apply && opts.onDone?.(++done, projects.length);
  for (const wave of [first, rest]) {
    await mapPool(wave, opts.concurrency, async (i) => {
      outcomes[i] = await one(i);
      progress();
    });
    if (wave === first) {
      const opened = new Map(
        first.flatMap((i) =>
          outcomes[i]!.mergeRequest ? [[projects[i]!.path_with_namespace, outcomes[i]!.mergeRequest!]] : [],
        ),
      );
      linkSteps(parts, opened);
    }
  }
  return outcomes;
}
