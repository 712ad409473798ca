/**
 * Applying one audited project: one commit on the migration branch (commits API, each changed file an `update`
 * action with the `last_commit_id` it was read at, so a file changed meanwhile is never overwritten; a rollout step
 * also creates or deletes files), then one merge request from that branch. Idempotent:
 * - an open merge request from the branch is updated (title, description, labels), or left with `--skip-existing`;
 *   a `409` when opening one means another run opened it meanwhile: it is looked up and updated;
 * - an existing branch that already holds the migrated files gets no new commit; one that does not is rebuilt
 *   from the default branch (`force`), unless it holds commits this tool did not make: then the project is skipped.
 */
import {
  compareCommits,
  createCommit,
  createMergeRequest,
  getBranch,
  mergeRequestsFrom,
  readFile,
  updateMergeRequest,
} from './api.js';
import type { ProjectAudit } from './audit.js';
import type { GitLabClient } from './client.js';
import type { Commit, CommitAction, MergeRequest } from './types.js';

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

/** `waiting`: a step of the rollout of a shared template that must wait for an earlier one (see rollout.ts). */
export type Outcome = 'planned' | 'opened' | 'updated' | 'waiting' | 'skipped' | 'failed';

export interface ApplyResult {
  outcome: Outcome;
  reason?: string;
  mergeRequest?: { iid: number; url: string };
  /** The commit made, when one was. */
  commit?: string;
}

/** One file the commit changes. */
export interface FileChange {
  path: string;
  /** The new text; null: the file is deleted. */
  content: string | null;
  /** The file's last commit when it was read (an update or a delete); absent: a new file. */
  lastCommitId?: string;
}

/** The audit's changed files, each an update of the file as it was read. */
export function updatesOf(audit: ProjectAudit): FileChange[] {
  return (audit.result?.files ?? [])
    .filter((f) => f.changed && audit.source?.files.has(f.path))
    .map((f) => ({ path: f.path, content: f.output, lastCommitId: audit.source!.files.get(f.path)!.lastCommitId }));
}

function actionOf(c: FileChange): CommitAction {
  if (c.content === null) return { action: 'delete', file_path: c.path, last_commit_id: c.lastCommitId ?? '' };
  if (c.lastCommitId === undefined) return { action: 'create', file_path: c.path, content: c.content };
  return { action: 'update', file_path: c.path, content: c.content, last_commit_id: c.lastCommitId };
}

/** GitLab's answer when a `last_commit_id` is not the file's last commit on the start branch. */
const CHANGED_MEANWHILE = /changed since you started editing|has been changed|last_commit_id/i;

function commitMessage(title: string, audit: ProjectAudit, changes: readonly FileChange[]): string {
  const jobs = audit.result?.jobs ?? [];
  const migrated = jobs.filter((j) => j.status === 'migrated').map((j) => j.name);
  const manual = jobs.filter((j) => j.status === 'manual').map((j) => j.name);
  const transition = jobs.filter((j) => j.status === 'transition').map((j) => j.name);
  const body =
    migrated.length || !transition.length ? [`Migrated to rootless BuildKit: ${migrated.join(', ') || 'none'}.`] : [];
  if (transition.length)
    body.push(`In transition (a BuildKit twin and a compare job beside the Kaniko job): ${transition.join(', ')}.`);
  if (manual.length) body.push(`Left for a person (see the merge request): ${manual.join(', ')}.`);
  const added = changes.filter((c) => c.content !== null && c.lastCommitId === undefined).map((c) => c.path);
  const removed = changes.filter((c) => c.content === null).map((c) => c.path);
  if (added.length) body.push(`Added beside the Kaniko versions: ${added.join(', ')}.`);
  if (removed.length) body.push(`Removed (no project includes them any more): ${removed.join(', ')}.`);
  return `${title}\n\n${body.join('\n')}\n\n${COMMIT_TRAILER}\n`;
}

const ours = (c: Commit) => (c.message ?? '').includes(COMMIT_TRAILER);
const link = (mr: MergeRequest) => ({ iid: mr.iid, url: mr.web_url });

export async function applyProject(
  client: GitLabClient,
  audit: ProjectAudit,
  opts: ApplyOptions,
  changed: readonly FileChange[] = updatesOf(audit),
): Promise<ApplyResult> {
  const { project } = audit;
  const target = project.default_branch!;
  if (!target || !changed.length) return { outcome: 'skipped', reason: 'nothing to change' };
  if (opts.branch === target) return { outcome: 'failed', reason: `--branch ${opts.branch} is the default branch` };

  let existing: MergeRequest | undefined = (await mergeRequestsFrom(client, project.id, opts.branch))[0];
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
    upToDate = onBranch.every((f, i) => (f?.text ?? null) === changed[i]!.content);
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
      commit_message: commitMessage(opts.title, audit, changed),
      force: branch ? true : undefined,
      actions: changed.map(actionOf),
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
    existing = (await mergeRequestsFrom(client, project.id, opts.branch))[0];
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
