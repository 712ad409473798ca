/**
 * `--project` / `--skip-project` patterns: a project matches when a pattern equals its id, its path, or its full
 * path (`group/sub/name`), or matches the full path as a glob (`*` any run of characters, `/` included; `?` one).
 * Case does not matter, as in GitLab paths.
 */
import type { Project } from './types.js';

function glob(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export function matches(project: Pick<Project, 'id' | 'path' | 'path_with_namespace'>, pattern: string): boolean {
  const p = pattern.trim().replace(/^\/+|\/+$/g, '');
  if (p === String(project.id)) return true;
  if (/[*?]/.test(p)) return glob(p).test(project.path_with_namespace);
  const lower = p.toLowerCase();
  return lower === project.path.toLowerCase() || lower === project.path_with_namespace.toLowerCase();
}

/** Projects kept: matching some `only` pattern (when any is given) and no `skip` pattern. */
export function selectProjects<P extends Pick<Project, 'id' | 'path' | 'path_with_namespace'>>(
  projects: P[],
  only: readonly string[],
  skip: readonly string[],
): P[] {
  return projects.filter((p) => (!only.length || only.some((o) => matches(p, o))) && !skip.some((s) => matches(p, s)));
}
