/** The parts of GitLab API responses this tool reads (REST API v4). */

export interface Project {
  id: number;
  path: string;
  path_with_namespace: string;
  web_url: string;
  /** null for an empty repository. */
  default_branch?: string | null;
  archived?: boolean;
  empty_repo?: boolean;
  /** The project's CI/CD configuration file, when set (`ci/pipeline.yml`, or `file@group/project`, or a URL). */
  ci_config_path?: string | null;
  namespace?: { full_path?: string };
}

/** `GET /projects/:id/repository/files/:file_path?ref=` */
export interface RepositoryFile {
  file_path: string;
  encoding: 'base64' | 'text' | string;
  content: string;
  last_commit_id: string;
  blob_id?: string;
}

/** `GET /projects/:id/repository/tree` */
export interface TreeEntry {
  path: string;
  type: 'blob' | 'tree' | 'commit' | string;
  /** Git file mode: `100644`, `100755`, `120000` (a symbolic link), `040000` … */
  mode?: string;
}

export interface Branch {
  name: string;
  commit: { id: string };
}

export interface Commit {
  id: string;
  short_id?: string;
  title: string;
  message?: string;
  web_url?: string;
}

/** One file of a commit: `last_commit_id` (for `update` and `delete`) makes GitLab refuse a file changed meanwhile. */
export type CommitAction =
  | { action: 'create'; file_path: string; content: string }
  | { action: 'update'; file_path: string; content: string; last_commit_id: string }
  | { action: 'delete'; file_path: string; last_commit_id: string };

export interface MergeRequest {
  id: number;
  iid: number;
  web_url: string;
  title: string;
  state: string;
  source_branch: string;
  target_branch: string;
  description?: string | null;
  labels?: string[];
}
