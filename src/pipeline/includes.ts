/**
 * The `include:` entries of a pipeline file, read as GitLab reads them (https://docs.gitlab.com/ci/yaml/#include):
 * a bare path or `local:` (a file of the same project), `project:` with `ref:` and `file:` (one path or a list),
 * `component:` (`<host>/<project path>/<name>@<version>`), `remote:` (a URL; a bare `https://…` string too) and
 * `template:` (one of GitLab's own templates). `include:` given twice is its last value, as GitLab reads it.
 *
 * Another project's files are read through an IncludeResolver (the GitLab API at the named ref, or a local checkout
 * of that project); the loader follows `local:` includes inside them in that project, as GitLab does.
 */
import { isMap, isScalar, isSeq, type ParsedNode, type YAMLMap } from 'yaml';
import type { FileSource } from './file-source.js';
import { ownPair } from './jobs.js';
import { jobsMap, type SourceFile } from './source.js';
export type { IncludeOrigin } from './file-source.js';

export type IncludeEntry =
  | { kind: 'local'; path: string; offset: number }
  | {
      kind: 'project';
      project: string;
      ref?: string;
      /** Each `file:` path and the text range of its scalar. */
      files: { path: string; offset: number; end: number }[];
      offset: number;
    }
  /** `value` is the text range of the address scalar. */
  | { kind: 'component'; address: string; offset: number; value: { start: number; end: number } }
  | { kind: 'remote'; url: string; offset: number }
  | { kind: 'template'; name: string; offset: number }
  /** An entry this reader cannot tell (no string where one is needed). */
  | { kind: 'unreadable'; offset: number };

const stringOf = (node: unknown): string | undefined =>
  isScalar(node) && typeof node.value === 'string' ? node.value : undefined;

export function readIncludes(file: SourceFile): IncludeEntry[] {
  const map = jobsMap(file);
  const inc = (map && ownPair(map, 'include')?.value) as ParsedNode | null | undefined;
  if (!inc) return [];
  const entries = isSeq(inc) ? (inc.items as ParsedNode[]) : [inc];
  const out: IncludeEntry[] = [];
  for (const entry of entries) {
    const offset = entry?.range?.[0] ?? 0;
    const bare = stringOf(entry);
    if (bare !== undefined) {
      out.push(
        /^https?:\/\//i.test(bare) ? { kind: 'remote', url: bare, offset } : { kind: 'local', path: bare, offset },
      );
      continue;
    }
    if (!isMap(entry)) {
      out.push({ kind: 'unreadable', offset });
      continue;
    }
    const m = entry as YAMLMap<ParsedNode, ParsedNode>;
    const value = (key: string) => ownPair(m, key)?.value;
    const at = (node: ParsedNode | null | undefined) => node?.range?.[0] ?? offset;
    const end = (node: ParsedNode | null | undefined) => node?.range?.[1] ?? offset;
    const local = value('local');
    const project = value('project');
    const component = value('component');
    const remote = value('remote');
    const template = value('template');
    if (local) {
      const path = stringOf(local);
      out.push(path !== undefined ? { kind: 'local', path, offset: at(local) } : { kind: 'unreadable', offset });
    } else if (project) {
      const name = stringOf(project);
      const ref = value('ref');
      const fileNode = value('file');
      const fileNodes = isSeq(fileNode) ? (fileNode.items as ParsedNode[]) : fileNode ? [fileNode] : [];
      const files = fileNodes
        .map((f) => ({ path: stringOf(f), offset: at(f), end: end(f) }))
        .filter((f): f is { path: string; offset: number; end: number } => f.path !== undefined);
      if (name === undefined || !files.length || files.length !== fileNodes.length || (ref && !stringOf(ref)))
        out.push({ kind: 'unreadable', offset });
      else out.push({ kind: 'project', project: name, ref: ref ? stringOf(ref) : undefined, files, offset });
    } else if (component) {
      const address = stringOf(component);
      out.push(
        address !== undefined
          ? { kind: 'component', address, offset, value: { start: at(component), end: end(component) } }
          : { kind: 'unreadable', offset },
      );
    } else if (remote) {
      const url = stringOf(remote);
      out.push(url !== undefined ? { kind: 'remote', url, offset } : { kind: 'unreadable', offset });
    } else if (template) {
      const name = stringOf(template);
      out.push(name !== undefined ? { kind: 'template', name, offset } : { kind: 'unreadable', offset });
    } else out.push({ kind: 'unreadable', offset });
  }
  return out;
}

/** A component address read: `<host>/<project path>/<name>@<version>`. */
export interface ComponentAddress {
  host: string;
  project: string;
  name: string;
  version: string;
}

export function parseComponent(address: string): ComponentAddress | undefined {
  const m = /^([^/@\s]+)\/(.+)\/([^/@\s]+)@([^@\s]+)$/.exec(address.trim());
  if (!m) return undefined;
  return { host: m[1]!, project: m[2]!, name: m[3]!, version: m[4]! };
}

/**
 * The files a component may be (GitLab's component lookup: `templates/<name>.yml`, else
 * `templates/<name>/template.yml`; https://docs.gitlab.com/ci/components/#directory-structure).
 */
/** A released version, `1.2.3` (a `v` in front is read too): major, minor, patch; undefined for a pre-release or other. */
function semver(tag: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * The release a component version names, as GitLab resolves it (https://docs.gitlab.com/ci/components/#component-versions):
 * `~latest` is the highest semantic version released, `1` the highest `1.x.y`, `1.2` the highest `1.2.y` (pre-releases
 * only when named in full). Undefined: no release matches. Any other version (a full tag, a branch, a commit) is
 * itself: `null`.
 */
export function componentRelease(version: string, releases: readonly string[]): string | undefined | null {
  const partial = /^(\d+)(?:\.(\d+))?$/.exec(version);
  if (version !== '~latest' && !partial) return null;
  const want = partial ? [Number(partial[1]), partial[2] === undefined ? undefined : Number(partial[2])] : [];
  let best: { tag: string; v: [number, number, number] } | undefined;
  for (const tag of releases) {
    const v = semver(tag);
    if (!v || (want[0] !== undefined && v[0] !== want[0]) || (want[1] !== undefined && v[1] !== want[1])) continue;
    if (!best || compare(v, best.v) > 0) best = { tag, v };
  }
  return best?.tag;
}

const compare = (a: readonly number[], b: readonly number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;

export function componentFiles(name: string): string[] {
  return [`templates/${name}.yml`, `templates/${name}/template.yml`];
}

/**
 * GitLab's own CI/CD templates (lib/gitlab/ci/templates) that build images with Kaniko: `include: template:` with one
 * of these names brings a Kaniko job the group does not own and cannot migrate in place.
 */
export const GITLAB_KANIKO_TEMPLATES: ReadonlySet<string> = new Set(['Kaniko.gitlab-ci.yml']);

/** Another project's files at one ref, as a resolver found them. */
export interface ProjectFiles {
  source: FileSource;
  /** The ref read, as it will be shown (the named one, or the project's default branch). */
  ref: string;
}

/**
 * Reads other projects of the same GitLab: through the API, or among local checkouts. Undefined `ref`: the project's
 * default branch. A string: why the project (or the ref) cannot be read.
 */
export interface IncludeResolver {
  project(path: string, ref: string | undefined): Promise<ProjectFiles | string>;
  /** Host names a component address may name for this GitLab (`$CI_SERVER_FQDN` and `$CI_SERVER_HOST` always do). */
  hosts?: readonly string[];
  /**
   * The project's release tags, for a component version `~latest`, `1` or `1.2` (see componentRelease); a string: why
   * they cannot be read. Without it such a version is read at the default branch.
   */
  releases?(path: string): Promise<string[] | string>;
}

/** The name a file of another project is shown and kept under: `group/templates:ci/kaniko.yml@main`. */
export function originLabel(o: { project: string; file: string; ref: string }): string {
  return `${o.project}:${o.file}@${o.ref}`;
}

/** One include of another project's file, a component, a remote file or a GitLab template, and what became of it. */
export interface IncludeUse {
  kind: 'project' | 'component' | 'remote' | 'template';
  /** The project path (project, component), the URL (remote) or the template name. */
  target: string;
  /** The ref as the include names it; undefined: the default branch. */
  ref?: string;
  /** The file in the target project (a component: the file it is), when known. */
  file?: string;
  /** Where the include is written. */
  at: { file: string; line: number; column: number };
  /** The label of the file read (see originLabel), when it was read. */
  read?: string;
  /** Why it was not read. */
  reason?: string;
}
