/**
 * Other projects of the same GitLab, for `include: project` and `component`: each read through the API at the named ref
 * (its default branch when none is named), with the run's client and token, once per project and ref for a whole run;
 * a component's `~latest` or partial version through the project's releases.
 */
import type { IncludeResolver, ProjectFiles } from '../pipeline/includes.js';
import { getProject, listReleases } from './api.js';
import { GitLabError, type GitLabClient } from './client.js';
import { GitLabSource } from './source.js';

export function gitlabResolver(client: GitLabClient): IncludeResolver {
  const projects = new Map<string, Promise<{ id: number; defaultBranch: string | null } | string>>();
  const sources = new Map<string, Promise<ProjectFiles | string>>();
  const project = (path: string) => {
    let p = projects.get(path);
    if (!p)
      projects.set(
        path,
        (p = getProject(client, path).then(
          (found) => ({ id: found.id, defaultBranch: found.default_branch ?? null }),
          (e: Error) =>
            e instanceof GitLabError && e.status === 404
              ? `no project ${path} on this GitLab, or the token cannot read it`
              : `cannot read project ${path}: ${client.redact(e.message)}`,
        )),
      );
    return p;
  };
  const releases = new Map<string, Promise<string[] | string>>();
  return {
    hosts: [client.base.host, client.base.hostname],
    releases(path) {
      let r = releases.get(path);
      if (!r)
        releases.set(
          path,
          (r = project(path).then(async (p) => {
            if (typeof p === 'string') return p;
            try {
              return (await listReleases(client, p.id)).map((x) => x.tag_name);
            } catch (e) {
              return `cannot read the releases of ${path}: ${client.redact((e as Error).message)}`;
            }
          })),
        );
      return r;
    },
    project(path, ref) {
      const key = `${path}\0${ref ?? ''}`;
      let s = sources.get(key);
      if (!s)
        sources.set(
          key,
          (s = project(path).then((p) => {
            if (typeof p === 'string') return p;
            const at = ref ?? p.defaultBranch;
            if (!at) return `${path} is an empty repository`;
            return { source: new GitLabSource(client, p.id, at), ref: at };
          })),
        );
      return s;
    },
  };
}
