/**
 * The GitLab endpoints the bulk mode uses, each as the API documentation describes it. Paths and branch names are
 * URL-encoded; numeric ids and full paths both work for projects and groups.
 */
import { decodeText } from '../pipeline/fs-source.js';
import { MAX_FILE_BYTES, tooLargeMessage } from '../pipeline/source.js';
import { BodyTooLargeError, GitLabClient, GitLabError } from './client.js';
import type { Branch, Commit, CommitAction, MergeRequest, Project, RepositoryFile, TreeEntry } from './types.js';

const enc = encodeURIComponent;
const projectPath = (project: number | string) => `/projects/${enc(String(project))}`;

export interface ListOptions {
  includeSubgroups?: boolean;
  includeArchived?: boolean;
  withShared?: boolean;
  /** Pages of the list asked for at once, when GitLab tells how many there are (default 1: one after another). */
  concurrency?: number;
}

/** `GET /groups/:id/projects`: archived and shared-in projects left out unless asked. */
export async function listGroupProjects(
  client: GitLabClient,
  group: string,
  opts: ListOptions = {},
): Promise<Project[]> {
  const projects = await client.all<Project>(
    `/groups/${enc(group)}/projects`,
    {
      include_subgroups: !!opts.includeSubgroups,
      archived: opts.includeArchived ? undefined : false,
      with_shared: !!opts.withShared,
      order_by: 'path',
      sort: 'asc',
    },
    opts.concurrency,
  );
  // The same filters again on what came back: an old GitLab, or a proxy, may ignore a parameter.
  return projects.filter(
    (p) =>
      (opts.includeArchived || !p.archived) &&
      (opts.withShared || /^\d+$/.test(group) || !p.namespace?.full_path || inGroup(p, group)),
  );
}

function inGroup(p: Project, group: string): boolean {
  const ns = p.namespace!.full_path!.toLowerCase();
  const g = group.toLowerCase();
  return ns === g || ns.startsWith(`${g}/`);
}

export async function getProject(client: GitLabClient, id: number | string): Promise<Project> {
  return (await client.get<Project>(projectPath(id))).data;
}

/** `GET /projects/:id/releases`: the project's releases (a component version `~latest`, `1.2` names one). */
export async function listReleases(client: GitLabClient, project: number): Promise<{ tag_name: string }[]> {
  return client.all<{ tag_name: string }>(`${projectPath(project)}/releases`, {});
}

/**
 * Longest answer read for one file: its content in base64 (4 bytes for 3) at MAX_FILE_BYTES, and room for the
 * other fields of the answer (names, ids, the path twice).
 */
const MAX_FILE_ANSWER = Math.ceil(MAX_FILE_BYTES / 3) * 4 + 64 * 1024;

/**
 * A file's text and last commit at `ref`; undefined when there is no such file. The bytes are read as every door
 * reads a file (`decodeText`: the size limit, UTF-8, the byte-order mark kept); throws with the reason otherwise. An
 * answer too long for a file within the limit is not read past that.
 */
export async function readFile(
  client: GitLabClient,
  project: number,
  path: string,
  ref: string,
): Promise<{ text: string; lastCommitId: string } | undefined> {
  let res;
  try {
    res = await client.get<RepositoryFile>(
      `${projectPath(project)}/repository/files/${enc(path)}`,
      { ref },
      [404],
      MAX_FILE_ANSWER,
    );
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new Error(tooLargeMessage(path));
    throw e;
  }
  if (res.status === 404) return undefined;
  const f = res.data;
  const size = (f as { size?: unknown }).size; // GitLab sends the file's size in bytes
  if (typeof size === 'number' && size > MAX_FILE_BYTES) throw new Error(tooLargeMessage(path, size));
  const bytes = f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : Buffer.from(f.content, 'utf8');
  return { text: decodeText(path, bytes), lastCommitId: f.last_commit_id };
}

/** Every entry (files and folders, with their type and mode) at `ref`; none for an empty repository. */
export async function listTree(client: GitLabClient, project: number, ref: string): Promise<TreeEntry[]> {
  try {
    return await client.all<TreeEntry>(`${projectPath(project)}/repository/tree`, { ref, recursive: true });
  } catch (e) {
    if (e instanceof GitLabError && e.status === 404) return [];
    throw e;
  }
}

export async function getBranch(client: GitLabClient, project: number, branch: string): Promise<Branch | undefined> {
  const res = await client.get<Branch>(`${projectPath(project)}/repository/branches/${enc(branch)}`, undefined, [404]);
  return res.status === 404 ? undefined : res.data;
}

/** Commits on `to` that are not on `from`. */
export async function compareCommits(
  client: GitLabClient,
  project: number,
  from: string,
  to: string,
): Promise<Commit[]> {
  const res = await client.get<{ commits?: Commit[] }>(`${projectPath(project)}/repository/compare`, {
    from,
    to,
    straight: false,
  });
  return res.data.commits ?? [];
}

export interface CommitRequest {
  branch: string;
  start_branch?: string;
  commit_message: string;
  actions: CommitAction[];
  /** Overwrite `branch` with a commit on `start_branch`. */
  force?: boolean;
}

/** `POST /projects/:id/repository/commits`; a `400` (a file changed since it was read, a branch conflict) is returned as `rejected`. */
export async function createCommit(
  client: GitLabClient,
  project: number,
  body: CommitRequest,
): Promise<{ commit: Commit } | { rejected: string }> {
  const res = await client.request<Commit | { message?: unknown }>(
    'POST',
    `${projectPath(project)}/repository/commits`,
    { body, accept: [400] },
  );
  if (res.status === 400) {
    const m = (res.data as { message?: unknown }).message;
    return { rejected: client.redact(typeof m === 'string' ? m : JSON.stringify(m ?? res.data)) };
  }
  return { commit: res.data as Commit };
}

/** The merge requests from `sourceBranch`: open ones (default), merged ones, or all. */
export async function mergeRequestsFrom(
  client: GitLabClient,
  project: number,
  sourceBranch: string,
  state: 'opened' | 'merged' | 'all' = 'opened',
): Promise<MergeRequest[]> {
  return client.all<MergeRequest>(`${projectPath(project)}/merge_requests`, { source_branch: sourceBranch, state });
}

export interface MergeRequestRequest {
  source_branch: string;
  target_branch: string;
  title: string;
  description: string;
  labels?: string;
  remove_source_branch?: boolean;
}

/** `POST /projects/:id/merge_requests`; `409` (an open merge request from that branch exists) returns `conflict`. */
export async function createMergeRequest(
  client: GitLabClient,
  project: number,
  body: MergeRequestRequest,
): Promise<MergeRequest | 'conflict'> {
  const res = await client.request<MergeRequest>('POST', `${projectPath(project)}/merge_requests`, {
    body,
    accept: [409],
  });
  return res.status === 409 ? 'conflict' : res.data;
}

export async function updateMergeRequest(
  client: GitLabClient,
  project: number,
  iid: number,
  body: Partial<MergeRequestRequest>,
): Promise<MergeRequest> {
  return (await client.request<MergeRequest>('PUT', `${projectPath(project)}/merge_requests/${iid}`, { body })).data;
}
