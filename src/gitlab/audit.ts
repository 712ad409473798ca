/**
 * Auditing one project: list its tree at the default branch (for the existence checks and the generator sources;
 * while the pipeline file is read, when there are generator sources to look for), then migrate its pipeline file with
 * its local includes and its generator sources, read through the API, in memory with `migrateRepository`. Whatever
 * goes wrong is this project's outcome (`failed` with the reason).
 */
import type { IsolatedMigrate } from '../bulk/isolation.js';
import { failureOf, projectStatus, type ProjectStatus } from '../bulk/outcome.js';
import type { ProjectResult } from '../project/plan.js';
import type { IncludeResolver } from '../pipeline/includes.js';
import { repoPath } from '../pipeline/load.js';
import type { IncludeSwitch } from '../project/include-switch.js';
import { migrateRepository, type RepositoryOptions } from '../repository/migrate.js';
import type { MigrationMode } from '../project/transition.js';
import { listTree } from './api.js';
import type { GitLabClient } from './client.js';
import { GitLabSource } from './source.js';
import type { Project } from './types.js';

export interface ProjectAudit {
  project: Project;
  status: ProjectStatus;
  result?: ProjectResult;
  /** The files read, with their last commit ids (for the commit's `last_commit_id` checks). */
  source?: GitLabSource;
  /** The pipeline file read. */
  entry?: string;
  /** Why it failed, or why there is nothing to do. */
  reason?: string;
  /** How it was migrated (replanProject migrates it again the same way, from the files already read). */
  options?: RepositoryOptions;
}

/** The pipeline file: the project's `ci_config_path` when it is a file of the project, else `.gitlab-ci.yml`. */
export function pipelineEntry(project: Project): string | { elsewhere: string } {
  const configured = project.ci_config_path?.trim();
  if (!configured) return '.gitlab-ci.yml';
  if (configured.includes('@') || /^[a-z]+:\/\//i.test(configured)) return { elsewhere: configured };
  return repoPath(configured) || '.gitlab-ci.yml';
}

/** Why a project with a result has nothing to commit. */
export function nothingToDo(status: ProjectStatus, result: ProjectResult | undefined): string {
  if (status === 'manual') return 'every Kaniko job needs a person: see the report';
  if (!result?.jobs.length) return 'no Kaniko job';
  return 'nothing to change';
}

export interface AuditOptions {
  buildkitImage?: string;
  /** Direct migration, a transition or its cut-over (RepositoryOptions.mode). */
  migrationMode?: MigrationMode;
  /** Reads the other projects pipelines include (see src/gitlab/resolver.ts). */
  resolver?: IncludeResolver;
  /** Template files migrated on their own, shared by every project of the run. */
  templateRuns?: Map<string, Promise<ProjectResult>>;
  /** The generator sources to migrate as well, a glob relative to the repository root; undefined: none. */
  sources?: string;
  /** Migrates the repository: in a worker under a time limit (src/bulk/isolation.ts); default: in this thread. */
  migrate?: IsolatedMigrate;
}

export async function auditProject(
  client: GitLabClient,
  project: Project,
  opts: AuditOptions = {},
): Promise<ProjectAudit> {
  const ref = project.default_branch;
  if (!ref || project.empty_repo) return { project, status: 'unchanged', reason: 'empty repository' };
  const entry = pipelineEntry(project);
  if (typeof entry !== 'string')
    return {
      project,
      status: 'unchanged',
      reason: `the pipeline is read from elsewhere (ci_config_path ${entry.elsewhere}): migrate it there`,
    };
  const source = new GitLabSource(client, project.id, ref);
  let result: ProjectResult;
  let options: RepositoryOptions;
  try {
    // with generator sources to look for, the tree is listed whatever the pipeline file holds: both requests at once
    const [text, tree] = await Promise.all([
      source.read(entry),
      opts.sources ? listTree(client, project.id, ref) : undefined,
    ]);
    const hasEntry = text !== undefined;
    // without generator sources to look for, a project without the pipeline file costs one request
    if (!hasEntry && !opts.sources) return { project, status: 'unchanged', entry, reason: `no ${entry} on ${ref}` };
    source.setTree(tree ?? (await listTree(client, project.id, ref)));
    if (!hasEntry && !(await source.listSources(opts.sources!)).length)
      return { project, status: 'unchanged', entry, reason: `no ${entry} on ${ref}` };
    options = {
      entry: hasEntry ? entry : null,
      sources: opts.sources,
      buildkitImage: opts.buildkitImage,
      mode: opts.migrationMode,
      resolver: opts.resolver,
      templateRuns: opts.templateRuns,
    };
    const migrated = await (opts.migrate ?? migrateRepository)(source, options);
    if (!migrated) return { project, status: 'failed', entry, reason: 'not processed: the run was stopped' };
    result = migrated;
  } catch (e) {
    return { project, status: 'failed', entry, reason: client.redact((e as Error).message) };
  }
  return settled(client, { project, status: 'unchanged', result, source, entry, options });
}

function settled(client: GitLabClient, audit: ProjectAudit & { result: ProjectResult }): ProjectAudit {
  const status = projectStatus(audit.result);
  const reason = status === 'failed' ? client.redact(failureOf(audit.result) ?? 'failed') : undefined;
  return { ...audit, status, reason };
}

/**
 * The project migrated again from the files its audit read (no new request for them), with some includes switched to
 * a template's BuildKit version (the rollout's consumer step, src/gitlab/rollout.ts).
 */
export async function replanProject(
  client: GitLabClient,
  audit: ProjectAudit,
  includeSwitches: readonly IncludeSwitch[],
  migrate: IsolatedMigrate = migrateRepository,
): Promise<ProjectAudit> {
  if (!audit.source || !audit.options) return audit;
  try {
    const result = await migrate(audit.source, { ...audit.options, includeSwitches });
    if (!result) return { ...audit, status: 'failed', reason: 'not processed: the run was stopped' };
    return settled(client, { ...audit, result });
  } catch (e) {
    return { ...audit, status: 'failed', reason: client.redact((e as Error).message) };
  }
}
