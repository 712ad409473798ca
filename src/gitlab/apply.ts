/**
 * Applying one audited project: one commit on the migration branch (commits API, each changed file an `update`
 * action with the `last_commit_id` it was read at, so a file changed meanwhile is never overwritten), then one
 * merge request from that branch. Idempotent:
 * - an open merge request from the branch is updated (title, description, labels), or left with `--skip-existing`;
 *   a `409` when opening one means another run opened it meanwhile: it is looked up and updated;
 * - an existing branch that already holds the migrated files gets no new commit; one that does not is rebuilt
 *   from the default branch (`force`), unless it holds commits this tool did not make: then the project is skipped.
 */
import type { FileResult } from '../project/plan.js';
import {
  compareCommits,
  createCommit,
  createMergeRequest,
  getBranch,
  openMergeRequests,
  readFile,
  updateMergeRequest,
} from './api.js';
import type { ProjectAudit } from './audit.js';
import type { GitLabClient } from './client.js';
import type { Commit, MergeRequest } from './types.js';

/** The trailer that marks this tool's commits (a rerun may rebuild a branch holding only such commits). */
export const COMMIT_TRAILER = 'Generated-by: kaniko2buildkit';

export interface ApplyOptions {
  branch: string;
  title: string;
  labels: string[];
  draft: boolean;
  skipExisting: boolean;
  /** The merge request description (the Markdown report of this project). */
  description: string;
}

export type Outcome = 'planned' | 'opened' | 'updated' | 'skipped' | 'failed';

export interface ApplyResult {
  outcome: Outcome;
  reason?: string;
  mergeRequest?: { iid: number; url: string };
  /** The commit made, when one was. */
  commit?: string;
}

/** GitLab's answer when a `last_commit_id` is not the file's last commit on the start branch. */
const CHANGED_MEANWHILE = /changed since you started editing|has been changed|last_commit_id/i;

function commitMessage(title: string, audit: ProjectAudit): string {
  const jobs = audit.result?.jobs ?? [];
  const migrated = jobs.filter((j) => j.status === 'migrated').map((j) => j.name);
  const manual = jobs.filter((j) => j.status === 'manual').map((j) => j.name);
  const body = [`Migrated to rootless BuildKit: ${migrated.join(', ') || 'none'}.`];
  if (manual.length) body.push(`Left for a person (see the merge request): ${manual.join(', ')}.`);
  return `${title}\n\n${body.join('\n')}\n\n${COMMIT_TRAILER}\n`;
}

const ours = (c: Commit) => (c.message ?? '').includes(COMMIT_TRAILER);
const link = (mr: MergeRequest) => ({ iid: mr.iid, url: mr.web_url });

export async function applyProject(
  client: GitLabClient,
  audit: ProjectAudit,
  opts: ApplyOptions,
): Promise<ApplyResult> {
  const { project, result, source } = audit;
  const target = project.default_branch!;
  const changed: FileResult[] = result?.files.filter((f) => f.changed) ?? [];
  if (!result || !source || !changed.length) return { outcome: 'skipped', reason: 'nothing to change' };
  if (opts.branch === target) return { outcome: 'failed', reason: `--branch ${opts.branch} is the default branch` };

  let existing: MergeRequest | undefined = (await openMergeRequests(client, project.id, opts.branch))[0];
  if (existing && opts.skipExisting)
    return {
      outcome: 'skipped',
      reason: `an open merge request from ${opts.branch} exists (--skip-existing)`,
      mergeRequest: link(existing),
    };

  // The branch: leave it when it already holds the result, else (re)build it from the default branch.
  let commit: string | undefined;
  const branch = await getBranch(client, project.id, opts.branch);
  let upToDate = false;
  if (branch) {
    const onBranch = await Promise.all(changed.map((f) => readFile(client, project.id, f.path, opts.branch)));
    upToDate = onBranch.every((f, i) => f?.text === changed[i]!.output);
    if (!upToDate) {
      const foreign = (await compareCommits(client, project.id, target, opts.branch)).filter((c) => !ours(c));
      if (foreign.length) {
        const list = foreign
          .slice(0, 3)
          .map((c) => `${c.short_id ?? c.id.slice(0, 8)} ${c.title}`)
          .join('; ');
        return {
          outcome: 'skipped',
          reason: `branch ${opts.branch} holds commits kaniko2buildkit did not make (${list}): not overwritten`,
          mergeRequest: existing && link(existing),
        };
      }
    }
  }
  if (!upToDate) {
    const made = await createCommit(client, project.id, {
      branch: opts.branch,
      start_branch: target,
      commit_message: commitMessage(opts.title, audit),
      force: branch ? true : undefined,
      actions: changed.map((f) => ({
        action: 'update',
        file_path: f.path,
        content: f.output,
        last_commit_id: source.files.get(f.path)!.lastCommitId,
      })),
    });
    if ('rejected' in made) {
      const meanwhile = CHANGED_MEANWHILE.test(made.rejected);
      return {
        outcome: 'failed',
        reason: meanwhile
          ? `changed meanwhile: a file was changed on ${target} after it was read; run again (${made.rejected})`
          : `commit refused: ${made.rejected}`,
      };
    }
    commit = made.commit.id;
  }

  const title = `${opts.draft ? 'Draft: ' : ''}${opts.title}`;
  const fields = { title, description: opts.description, labels: opts.labels.join(',') };
  if (!existing) {
    const created = await createMergeRequest(client, project.id, {
      ...fields,
      source_branch: opts.branch,
      target_branch: target,
      remove_source_branch: true,
    });
    if (created !== 'conflict') return { outcome: 'opened', mergeRequest: link(created), commit };
    existing = (await openMergeRequests(client, project.id, opts.branch))[0];
    if (!existing)
      return {
        outcome: 'failed',
        reason: `GitLab answered 409 (a merge request from ${opts.branch} exists) but lists none open`,
        commit,
      };
  }
  const updated = await updateMergeRequest(client, project.id, existing.iid, fields);
  return {
    outcome: 'updated',
    mergeRequest: link(updated),
    commit,
    reason: commit ? 'branch rebuilt from the default branch' : 'branch already up to date',
  };
}
