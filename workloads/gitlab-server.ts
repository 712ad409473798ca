/**
 * A GitLab stand-in for the tests: node:http on 127.0.0.1 (port 0) implementing the REST API v4 endpoints the bulk
 * mode uses, as the GitLab API documentation describes them:
 * - `PRIVATE-TOKEN` header checked (401 otherwise);
 * - offset pagination (`page`, `per_page`; `x-page`, `x-per-page`, `x-total`, `x-total-pages`, `x-next-page`,
 *   `x-prev-page` and `Link`) for lists, and `Link`-only pagination (as keyset pagination sends) for the tree;
 * - repository files as base64 `content` with `last_commit_id`;
 * - commits with `actions` (`create` of a file that is not there, `update` and `delete` check `last_commit_id`
 *   against the start branch: 400 when the file changed), `start_branch`, `force`;
 * - `merge` and `tag` for the tests: what a person does in the web interface between two runs;
 * - merge requests (`409` for a second open one from the same source branch), list, update;
 * - injected faults: any status (429 with `Retry-After`, 500 …) a given number of times for matching requests.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockFile {
  content: string;
  lastCommitId: string;
}

export interface MockCommit {
  id: string;
  short_id: string;
  title: string;
  message: string;
}

export interface MockBranch {
  files: Map<string, MockFile>;
  commits: MockCommit[];
}

export interface MockMR {
  id: number;
  iid: number;
  title: string;
  description: string;
  state: 'opened' | 'closed' | 'merged';
  source_branch: string;
  target_branch: string;
  labels: string[];
  remove_source_branch: boolean;
  web_url: string;
}

export interface MockProject {
  id: number;
  path: string;
  namespace: string;
  archived: boolean;
  defaultBranch: string | null;
  ciConfigPath?: string;
  branches: Map<string, MockBranch>;
  mrs: MockMR[];
  /** Groups (full paths) this project is shared with. */
  sharedWith: string[];
  /** Release tags, the latest first (GitLab lists releases by `released_at`, newest first). */
  releases: string[];
}

export interface Fault {
  method: string;
  /** Matched against the API path (after `/api/v4`), raw (still URL-encoded), with the query. */
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  times: number;
}

export interface LoggedRequest {
  method: string;
  url: string;
  path: string;
  token: string | undefined;
  at: number;
  status?: number;
  body?: unknown;
}

let commitCounter = 0;
export function commitId(seed: string): string {
  return createHash('sha1').update(`${seed}:${++commitCounter}`).digest('hex');
}

function commit(title: string, message = title): MockCommit {
  const id = commitId(message);
  return { id, short_id: id.slice(0, 8), title, message };
}

export class MockGitLab {
  readonly projects: MockProject[] = [];
  readonly groups = new Map<string, number>();
  readonly requests: LoggedRequest[] = [];
  faults: Fault[] = [];
  maxPerPage = 100;
  /** Added latency per request in ms: each is answered that much later (a timer, not a busy wait), as far away. */
  latencyMs = 0;
  /** The most requests in progress at once (arrived, not yet answered). */
  maxInFlight = 0;
  private inFlight = 0;
  /** Called after a file is served (tests change files "meanwhile" here). */
  onFileRead?: (project: MockProject, path: string, ref: string) => void;
  private server?: Server;
  origin = '';
  private nextProjectId = 100;
  private nextMrId = 5000;

  constructor(readonly token: string) {}

  group(fullPath: string): void {
    const parts = fullPath.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (!this.groups.has(p)) this.groups.set(p, this.groups.size + 1);
    }
  }

  /** A project with `files` on its default branch `main` (no files and `empty`: an empty repository). */
  project(
    fullPath: string,
    files: Record<string, string>,
    opts: { archived?: boolean; empty?: boolean; sharedWith?: string[]; ciConfigPath?: string } = {},
  ): MockProject {
    const cut = fullPath.lastIndexOf('/');
    const namespace = fullPath.slice(0, cut);
    this.group(namespace);
    const first = commit('Initial commit');
    const p: MockProject = {
      id: this.nextProjectId++,
      path: fullPath.slice(cut + 1),
      namespace,
      archived: !!opts.archived,
      defaultBranch: opts.empty ? null : 'main',
      ciConfigPath: opts.ciConfigPath,
      branches: new Map(),
      mrs: [],
      sharedWith: opts.sharedWith ?? [],
      releases: [],
    };
    if (!opts.empty)
      p.branches.set('main', {
        files: new Map(Object.entries(files).map(([k, v]) => [k, { content: v, lastCommitId: first.id }])),
        commits: [first],
      });
    this.projects.push(p);
    return p;
  }

  /** Changes a file on a branch with a new commit (someone else's push). */
  push(p: MockProject, branch: string, changes: Record<string, string>, title = "Someone else's change"): MockCommit {
    const b = p.branches.get(branch)!;
    const c = commit(title);
    for (const [path, content] of Object.entries(changes)) b.files.set(path, { content, lastCommitId: c.id });
    b.commits.push(c);
    return c;
  }

  /**
   * Merges an open merge request as a person would with the merge button: the target branch gets the source branch's
   * files (the changes this tool commits start from the target branch, so this is the merge result) in a merge
   * commit, the merge request is `merged`, and the source branch is deleted when it asked for that.
   */
  merge(p: MockProject, iid: number): MockCommit {
    const mr = p.mrs.find((m) => m.iid === iid && m.state === 'opened');
    if (!mr) throw new Error(`no open merge request !${iid} in ${p.namespace}/${p.path}`);
    const source = p.branches.get(mr.source_branch)!;
    const target = p.branches.get(mr.target_branch)!;
    const c = commit(`Merge branch '${mr.source_branch}' into '${mr.target_branch}'`);
    const files = new Map<string, MockFile>();
    for (const [path, f] of source.files) {
      const before = target.files.get(path);
      files.set(path, before && before.content === f.content ? before : { content: f.content, lastCommitId: c.id });
    }
    const known = new Set(target.commits.map((x) => x.id));
    p.branches.set(mr.target_branch, {
      files,
      commits: [...target.commits, ...source.commits.filter((x) => !known.has(x.id)), c],
    });
    if (mr.remove_source_branch) p.branches.delete(mr.source_branch);
    mr.state = 'merged';
    return c;
  }

  /** A tag (served like a branch for file reads): the files of `from` as they are now. */
  tag(p: MockProject, name: string, from = 'main'): void {
    const b = p.branches.get(from)!;
    p.branches.set(name, { files: new Map(b.files), commits: [...b.commits] });
  }

  /** A release: a tag of `from` and its release (newest first in the list). */
  release(p: MockProject, tag: string, from = 'main'): void {
    this.tag(p, tag, from);
    p.releases.unshift(tag);
  }

  byPath(fullPath: string): MockProject {
    const p = this.projects.find((x) => `${x.namespace}/${x.path}` === fullPath);
    if (!p) throw new Error(`no mock project ${fullPath}`);
    return p;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.origin;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** Requests with a method and a path matching `re`. */
  count(method: string, re: RegExp): number {
    return this.requests.filter((r) => r.method === method && re.test(r.path)).length;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    res.on('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const url = new URL(req.url!, this.origin);
    const path = url.pathname.replace(/^\/api\/v4/, '');
    const token = req.headers['private-token'] as string | undefined;
    const log: LoggedRequest = {
      method: req.method!,
      url: req.url!,
      path: `${path}${url.search}`,
      token,
      at: Date.now(),
    };
    this.requests.push(log);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (!url.pathname.startsWith('/api/v4/')) return send(404, { message: '404 Not Found' });
    if (token !== this.token) return send(401, { message: '401 Unauthorized' });
    const fault = this.faults.find((f) => f.times > 0 && f.method === req.method && f.path.test(log.path));
    if (fault) {
      fault.times--;
      return send(fault.status, fault.body ?? { message: `${fault.status} injected` }, fault.headers);
    }
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return send(400, { message: 'invalid JSON body' });
      }
    }
    log.body = body;
    try {
      this.route(req.method!, path, url, body, send);
    } catch (e) {
      send(500, { message: `500 Internal Server Error: ${(e as Error).message}` });
    }
  }

  private paginate(
    url: URL,
    items: unknown[],
    send: (s: number, b: unknown, h?: Record<string, string>) => void,
    linkOnly = false,
  ): void {
    const perPage = Math.min(Math.max(1, Number(url.searchParams.get('per_page') ?? 20)), this.maxPerPage);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (n: number) => {
      const u = new URL(url);
      u.searchParams.set('page', String(n));
      u.searchParams.set('per_page', String(perPage));
      return u.href;
    };
    const links: string[] = [];
    if (page < totalPages) links.push(`<${link(page + 1)}>; rel="next"`);
    if (linkOnly) return send(200, slice, links.length ? { Link: links.join(', ') } : {});
    if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
    links.push(`<${link(1)}>; rel="first"`, `<${link(totalPages)}>; rel="last"`);
    send(200, slice, {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
      'x-total-pages': String(totalPages),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      Link: links.join(', '),
    });
  }

  private projectJson(p: MockProject): Record<string, unknown> {
    const full = `${p.namespace}/${p.path}`;
    const b = p.defaultBranch ? p.branches.get(p.defaultBranch) : undefined;
    return {
      id: p.id,
      name: p.path,
      path: p.path,
      path_with_namespace: full,
      name_with_namespace: full.replace(/\//g, ' / '),
      web_url: `${this.origin}/${full}`,
      default_branch: p.defaultBranch,
      archived: p.archived,
      empty_repo: !b,
      ci_config_path: p.ciConfigPath ?? null,
      namespace: { id: this.groups.get(p.namespace), full_path: p.namespace, kind: 'group' },
    };
  }

  private findProject(idOrPath: string): MockProject | undefined {
    const key = decodeURIComponent(idOrPath);
    return this.projects.find((p) => String(p.id) === key || `${p.namespace}/${p.path}` === key);
  }

  private route(
    method: string,
    path: string,
    url: URL,
    body: Record<string, unknown>,
    send: (s: number, b: unknown, h?: Record<string, string>) => void,
  ): void {
    const q = url.searchParams;
    const seg = path.split('/').slice(1); // raw segments: an encoded path keeps its %2F
    if (method === 'GET' && seg[0] === 'groups' && seg[2] === 'projects' && seg.length === 3) {
      const key = decodeURIComponent(seg[1]!);
      const group = [...this.groups].find(([full, id]) => full === key || String(id) === key)?.[0];
      if (!group) return send(404, { message: '404 Group Not Found' });
      const subgroups = q.get('include_subgroups') === 'true';
      const archived = q.get('archived');
      const withShared = q.get('with_shared') !== 'false'; // GitLab's default is true
      const list = this.projects
        .filter(
          (p) =>
            p.namespace === group ||
            (subgroups && p.namespace.startsWith(`${group}/`)) ||
            (withShared && p.sharedWith.includes(group)),
        )
        .filter((p) => archived === null || String(p.archived) === archived)
        .sort((a, b) => (q.get('order_by') === 'path' ? a.path.localeCompare(b.path) : b.id - a.id));
      return this.paginate(
        url,
        list.map((p) => this.projectJson(p)),
        send,
      );
    }
    if (seg[0] !== 'projects' || !seg[1]) return send(404, { message: '404 Not Found' });
    const p = this.findProject(seg[1]);
    if (!p) return send(404, { message: '404 Project Not Found' });
    const rest = seg.slice(2);
    if (method === 'GET' && rest.length === 0) return send(200, this.projectJson(p));

    if (method === 'GET' && rest[0] === 'repository' && rest[1] === 'files' && rest.length === 3) {
      const file = decodeURIComponent(rest[2]!);
      const ref = q.get('ref');
      if (!ref) return send(400, { error: 'ref is missing' });
      const b = p.branches.get(ref);
      if (!b) return send(404, { message: '404 Commit Not Found' });
      const f = b.files.get(file);
      if (!f) return send(404, { message: '404 File Not Found' });
      const bytes = Buffer.from(f.content, 'utf8');
      send(200, {
        file_name: file.split('/').pop(),
        file_path: file,
        size: bytes.length,
        encoding: 'base64',
        content_sha256: createHash('sha256').update(bytes).digest('hex'),
        ref,
        blob_id: createHash('sha1').update(bytes).digest('hex'),
        commit_id: b.commits.at(-1)!.id,
        last_commit_id: f.lastCommitId,
        execute_filemode: false,
        content: bytes.toString('base64'),
      });
      this.onFileRead?.(p, file, ref);
      return;
    }
    if (method === 'GET' && rest[0] === 'repository' && rest[1] === 'tree' && rest.length === 2) {
      const b = p.branches.get(q.get('ref') ?? p.defaultBranch ?? '');
      if (!b) return send(404, { message: '404 Tree Not Found' });
      const entries = new Map<string, string>();
      for (const file of b.files.keys()) {
        const parts = file.split('/');
        for (let i = 1; i < parts.length; i++) entries.set(parts.slice(0, i).join('/'), 'tree');
        entries.set(file, 'blob');
      }
      const recursive = q.get('recursive') === 'true';
      const list = [...entries]
        .filter(([path]) => recursive || !path.includes('/'))
        .sort(([a], [b2]) => a.localeCompare(b2))
        .map(([path, type]) => ({
          id: createHash('sha1').update(path).digest('hex'),
          name: path.split('/').pop(),
          type,
          path,
          mode: type === 'tree' ? '040000' : '100644',
        }));
      return this.paginate(url, list, send, true);
    }
    if (method === 'GET' && rest[0] === 'repository' && rest[1] === 'branches' && rest.length === 3) {
      const name = decodeURIComponent(rest[2]!);
      const b = p.branches.get(name);
      if (!b) return send(404, { message: '404 Branch Not Found' });
      return send(200, {
        name,
        merged: false,
        protected: name === p.defaultBranch,
        default: name === p.defaultBranch,
        commit: b.commits.at(-1),
      });
    }
    if (method === 'GET' && rest[0] === 'repository' && rest[1] === 'compare') {
      const from = p.branches.get(q.get('from') ?? '');
      const to = p.branches.get(q.get('to') ?? '');
      if (!from || !to) return send(404, { message: '404 Ref Not Found' });
      const known = new Set(from.commits.map((c) => c.id));
      return send(200, {
        commits: to.commits.filter((c) => !known.has(c.id)),
        diffs: [],
        compare_timeout: false,
        compare_same_ref: false,
      });
    }
    if (method === 'POST' && rest[0] === 'repository' && rest[1] === 'commits' && rest.length === 2)
      return this.commit(p, body, send);
    if (method === 'GET' && rest[0] === 'releases' && rest.length === 1)
      return this.paginate(
        url,
        p.releases.map((tag_name) => ({ tag_name, name: tag_name })),
        send,
      );
    if (rest[0] === 'merge_requests') return this.mergeRequests(method, p, rest.slice(1), url, body, send);
    send(404, { message: '404 Not Found' });
  }

  private commit(p: MockProject, body: Record<string, unknown>, send: (s: number, b: unknown) => void): void {
    const branch = body.branch as string | undefined;
    const message = body.commit_message as string | undefined;
    const actions = body.actions as
      { action: string; file_path: string; content?: string; last_commit_id?: string }[] | undefined;
    if (!branch) return send(400, { error: 'branch is missing' });
    if (!message) return send(400, { error: 'commit_message is missing' });
    if (!Array.isArray(actions) || !actions.length) return send(400, { error: 'actions is missing' });
    const start = (body.start_branch as string | undefined) ?? branch;
    const exists = p.branches.has(branch);
    if (start !== branch && exists && !body.force)
      return send(400, {
        message: `A branch called '${branch}' already exists. Switch to that branch in order to make changes`,
      });
    const base = p.branches.get(start);
    if (!base)
      return send(400, {
        message:
          start === branch
            ? 'You can only create or edit files when you are on a branch'
            : `Invalid reference name: ${start}`,
      });
    for (const a of actions) {
      if (!['create', 'update', 'delete'].includes(a.action))
        return send(400, { message: `action ${a.action} is not supported by this mock` });
      const f = base.files.get(a.file_path);
      if (a.action === 'create') {
        if (f) return send(400, { message: 'A file with this name already exists' });
        continue;
      }
      if (!f) return send(400, { message: "A file with this name doesn't exist" });
      if (a.last_commit_id && a.last_commit_id !== f.lastCommitId)
        return send(400, {
          message: 'You are attempting to update a file that has changed since you started editing it.',
        });
    }
    const c = commit(message.split('\n')[0]!, message);
    const files = new Map(base.files);
    for (const a of actions)
      if (a.action === 'delete') files.delete(a.file_path);
      else files.set(a.file_path, { content: a.content ?? '', lastCommitId: c.id });
    p.branches.set(branch, { files, commits: [...base.commits, c] });
    send(201, {
      ...c,
      parent_ids: [base.commits.at(-1)!.id],
      web_url: `${this.origin}/${p.namespace}/${p.path}/-/commit/${c.id}`,
    });
  }

  private mergeRequests(
    method: string,
    p: MockProject,
    rest: string[],
    url: URL,
    body: Record<string, unknown>,
    send: (s: number, b: unknown, h?: Record<string, string>) => void,
  ): void {
    const labels = (v: unknown) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((l) => l.trim())
            .filter(Boolean)
        : Array.isArray(v)
          ? (v as string[])
          : [];
    if (method === 'GET' && !rest.length) {
      const q = url.searchParams;
      const state = q.get('state') ?? 'all';
      const list = p.mrs.filter(
        (m) =>
          (state === 'all' || m.state === state) &&
          (!q.get('source_branch') || m.source_branch === q.get('source_branch')),
      );
      return this.paginate(url, list, send);
    }
    if (method === 'POST' && !rest.length) {
      const { source_branch: source, target_branch: target, title } = body as Record<string, string | undefined>;
      if (!source || !target || !title) return send(400, { error: 'source_branch, target_branch, title are required' });
      if (!p.branches.has(source)) return send(422, { message: ['Source branch does not exist'] });
      if (!p.branches.has(target)) return send(422, { message: ['Target branch does not exist'] });
      const open = p.mrs.find((m) => m.state === 'opened' && m.source_branch === source && m.target_branch === target);
      if (open)
        return send(409, {
          message: [`Another open merge request already exists for this source branch: !${open.iid}`],
        });
      const iid = p.mrs.length + 1;
      const mr: MockMR = {
        id: this.nextMrId++,
        iid,
        title,
        description: String(body.description ?? ''),
        state: 'opened',
        source_branch: source,
        target_branch: target,
        labels: labels(body.labels),
        remove_source_branch: !!body.remove_source_branch,
        web_url: `${this.origin}/${p.namespace}/${p.path}/-/merge_requests/${iid}`,
      };
      p.mrs.push(mr);
      return send(201, { ...mr, draft: title.startsWith('Draft:') });
    }
    if (method === 'PUT' && rest.length === 1) {
      const mr = p.mrs.find((m) => String(m.iid) === rest[0]);
      if (!mr) return send(404, { message: '404 Not found' });
      if (typeof body.title === 'string') mr.title = body.title;
      if (typeof body.description === 'string') mr.description = body.description;
      if (body.labels !== undefined) mr.labels = labels(body.labels);
      return send(200, { ...mr, draft: mr.title.startsWith('Draft:') });
    }
    send(404, { message: '404 Not Found' });
  }
}
