/**
 * Other projects among local checkouts (`migrate --recursive`): an `include: project` or `component` is read from the
 * checkout of that project, found by its `origin` remote (`https://host/group/templates.git`,
 * `git@host:group/templates.git` → `group/templates`) or named in `--project-map FILE` (a JSON object of project path
 * → folder, relative to the file). A git checkout is read at the named ref (a branch, tag or commit, also as
 * `origin/<ref>`), or at HEAD for the default branch, with `git show`: what is committed, not what this run writes.
 * A folder that is not a git checkout is read as it is on disk, shown as ref `working tree`.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { FileSource } from '../pipeline/file-source.js';
import type { IncludeResolver, ProjectFiles } from '../pipeline/includes.js';
import { diskRepository } from '../repository/source.js';

const run = promisify(execFile);

/** The project path of a git remote URL, or undefined. */
export function remoteProjectPath(url: string): string | undefined {
  const u = url.trim();
  const m = /^[a-z+]+:\/\/[^/]+\/(.+?)(?:\.git)?\/?$/i.exec(u) ?? /^[^@/\s]+@[^:/\s]+:(.+?)(?:\.git)?\/?$/.exec(u);
  return m?.[1]?.replace(/^\/+/, '') || undefined;
}

/** The `origin` URL in a checkout's `.git/config`, or undefined (not a checkout, no origin). */
async function originUrl(root: string): Promise<string | undefined> {
  let config: string;
  try {
    config = await readFile(join(root, '.git', 'config'), 'utf8');
  } catch {
    return undefined;
  }
  let inOrigin = false;
  for (const line of config.split(/\r?\n/)) {
    const section = /^\s*\[(.+)\]\s*$/.exec(line);
    if (section) inOrigin = /^remote\s+"origin"$/.test(section[1]!.trim());
    else if (inOrigin) {
      const kv = /^\s*url\s*=\s*(.+?)\s*$/.exec(line);
      if (kv) return kv[1];
    }
  }
  return undefined;
}

/** Project path → checkout folder: from each root's origin, then the map file's entries (which win). */
export async function localProjects(roots: readonly string[], mapFile?: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const root of roots) {
    const url = await originUrl(root);
    const path = url && remoteProjectPath(url);
    if (path && !out.has(path)) out.set(path, root);
  }
  if (mapFile) {
    let body: unknown;
    try {
      body = JSON.parse(await readFile(mapFile, 'utf8'));
    } catch (e) {
      throw new Error(`--project-map ${mapFile}: ${(e as Error).message}`);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new Error(`--project-map ${mapFile}: not a JSON object of project path → folder`);
    for (const [path, folder] of Object.entries(body as Record<string, unknown>)) {
      if (typeof folder !== 'string') throw new Error(`--project-map ${mapFile}: ${path}: the folder is not a string`);
      out.set(path.replace(/^\/+|\/+$/g, ''), resolve(dirname(mapFile), folder));
    }
  }
  return out;
}

async function git(root: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', root, ...args], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  } catch {
    return undefined;
  }
}

/** A checkout's files at one commit, through `git show` and `git ls-tree`. */
function gitSource(root: string, commit: string): FileSource {
  let listing: Promise<string[] | undefined> | undefined;
  return {
    read: (path) => git(root, ['show', `${commit}:${path}`]),
    exists: () => undefined,
    list: async (folder) => {
      listing ??= git(root, ['ls-tree', '-r', '--name-only', '-z', commit]).then((o) => o?.split('\0').filter(Boolean));
      const all = await listing;
      return all && (folder ? all.filter((p) => p.startsWith(`${folder.replace(/\/+$/, '')}/`)) : all);
    },
  };
}

export function checkoutResolver(projects: ReadonlyMap<string, string>): IncludeResolver {
  const cache = new Map<string, Promise<ProjectFiles | string>>();
  const open = async (path: string, ref: string | undefined): Promise<ProjectFiles | string> => {
    const root = projects.get(path);
    if (!root) return `no local checkout of ${path} (put one beside the others, or name it in --project-map FILE)`;
    if ((await git(root, ['rev-parse', '--git-dir'])) === undefined) {
      const disk = diskRepository(root);
      return { source: disk, ref: 'working tree' };
    }
    for (const candidate of ref ? [ref, `origin/${ref}`, `refs/tags/${ref}`] : ['HEAD']) {
      const commit = (await git(root, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]))?.trim();
      if (commit) {
        const shown = ref ?? (await git(root, ['symbolic-ref', '--short', '-q', 'HEAD']))?.trim() ?? 'HEAD';
        return { source: gitSource(root, commit), ref: shown || 'HEAD' };
      }
    }
    return ref ? `the checkout of ${path} has no ref ${ref}` : `the checkout of ${path} has no commit`;
  };
  return {
    project(path, ref) {
      const key = `${path}\0${ref ?? ''}`;
      let p = cache.get(key);
      if (!p) cache.set(key, (p = open(path, ref)));
      return p;
    },
    // a checkout knows its tags, not GitLab's releases: a release is a tag, and the tags stand for them
    async releases(path) {
      const root = projects.get(path);
      if (!root) return `no local checkout of ${path}`;
      const tags = await git(root, ['tag', '--list']);
      return tags === undefined ? `the checkout of ${path} has no tags to read` : tags.split('\n').filter(Boolean);
    },
  };
}

/** Whether a checkout's HEAD is at `ref` (a ref a resolver showed: a branch, tag or commit; `working tree`: yes). */
export async function isCheckedOut(root: string, ref: string): Promise<boolean> {
  if (ref === 'working tree') return true;
  const head = (await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']))?.trim();
  if (!head) return false;
  for (const candidate of [ref, `origin/${ref}`, `refs/tags/${ref}`]) {
    const commit = (await git(root, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]))?.trim();
    if (commit) return commit === head;
  }
  return false;
}
