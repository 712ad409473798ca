/**
 * Loading a pipeline: the entry file and every file it includes locally, recursively, staying inside the repository.
 * Files come from a FileSource, so the same loader serves a checkout on disk and the GitLab repository files API.
 * `include: local` with wildcards is expanded as GitLab does (https://docs.gitlab.com/ci/yaml/includes/, "Use
 * include:local with wildcard file paths"; GitLab's lib/gitlab/ci/config/external/mapper/location_expander.rb and
 * Repository#search_files_by_wildcard_path in app/models/repository.rb).
 */
import { isSeq, type Node, type ParsedNode } from 'yaml';
import { finding } from '../findings/finding.js';
import type { Finding } from '../findings/types.js';
import type { FileSource } from './file-source.js';
import {
  componentFiles,
  componentRelease,
  GITLAB_KANIKO_TEMPLATES,
  originLabel,
  parseComponent,
  readIncludes,
  type IncludeEntry,
  type IncludeResolver,
  type IncludeUse,
  type ProjectFiles,
} from './includes.js';
import { Pipeline, type Located } from './jobs.js';
import { InputError, oversize, parseSource, positionIn, tooLargeMessage, type SourceFile } from './source.js';

/** Thrown by a FileSource for a path that exists but leads outside the repository (a symbolic link). */
export class OutsideRepositoryError extends Error {}

/**
 * Most script items one `!reference` may expand to. GitLab follows `!reference` ten levels deep; ten references
 * to a list of ten references, ten levels down, are 10 billion items (the same bomb as an alias bomb).
 */
export const MAX_REFERENCE_ITEMS = 100_000;

export type { FileSource } from './file-source.js';

export interface LoadedProject {
  files: SourceFile[];
  findings: Finding[];
  /** Files that could not be parsed: reported, never written. */
  failed: { path: string; error: InputError }[];
  /** Every include of another project's file, a component, a remote file or a template, and what became of it. */
  includes: IncludeUse[];
}

export interface LoadOptions {
  /** Reads other projects' files: without one, `include: project` and `component` are noted (KB103), not followed. */
  resolver?: IncludeResolver;
}

/** A read error in a few plain words (no stack, no absolute temp paths). */
export function describeReadError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EIO':
      return 'input/output error';
    default:
      return err?.message ?? String(e);
  }
}

/** Normalises a repository path; undefined when it leaves the repository. */
export function repoPath(path: string): string | undefined {
  const parts: string[] = [];
  for (const p of path.replace(/\\/g, '/').split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (!parts.length) return undefined;
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

/**
 * The regular expression GitLab matches an `include: local` wildcard path with, against every path of the repository
 * (Repository#search_files_by_wildcard_path): `**` is any text, `/` included; `*` is any text without `/`; every other
 * character, `?` and `[` included, is itself.
 */
export function wildcardRegExp(pattern: string): RegExp {
  const text = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((lit) => lit.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
        .join('[^/]*?'),
    )
    .join('.*?');
  return new RegExp(`^${text}$`, 's');
}

/** Byte order of the UTF-8 paths: the order git lists a tree in (`git ls-tree -r`), which is the order GitLab includes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A `key given twice` finding for each duplicate key of a file, at the key that takes effect. */
function duplicateKeys(file: SourceFile, findings: Finding[]): void {
  for (const d of file.duplicates ?? []) {
    const first = positionIn(file.lineStarts, (d.earlier as ParsedNode).range?.[0] ?? 0);
    const { line, column } = positionIn(file.lineStarts, (d.later as ParsedNode).range?.[0] ?? 0);
    findings.push(
      finding(
        'KB110',
        `key ${JSON.stringify(d.key)} is given twice in one mapping, at lines ${first.line} and ${line}: GitLab keeps the last (line ${line}), and so does this tool (it reads and edits that one); the value at line ${first.line} has no effect`,
        { file: file.path, line, column },
      ),
    );
  }
}

/** The project a file is read in: this repository (no origin), or another project at a ref. */
interface ReadContext {
  source: FileSource;
  origin?: { project: string; ref: string };
}

export async function loadProject(source: FileSource, entry: string, opts: LoadOptions = {}): Promise<LoadedProject> {
  let files: SourceFile[] = [];
  const findings: Finding[] = [];
  const failed: LoadedProject['failed'] = [];
  const includes: IncludeUse[] = [];
  const seen = new Set<string>();
  /** The include chain being read, to tell a cycle from a file included twice. */
  const chain: string[] = [];
  const home: ReadContext = { source };
  /** Other projects, once per project and ref for this load (a resolver also keeps them for a whole run). */
  const projects = new Map<string, Promise<ProjectFiles | string>>();
  const projectAt = (path: string, ref: string | undefined) => {
    const key = `${path}\0${ref ?? ''}`;
    let p = projects.get(key);
    if (!p) projects.set(key, (p = opts.resolver!.project(path, ref)));
    return p;
  };
  /** The ref a component version names: a release for `~latest`, `1`, `1.2`; the default branch without releases. */
  const componentRef = async (path: string, version: string): Promise<string | undefined | { reason: string }> => {
    const releases = opts.resolver?.releases && (await opts.resolver.releases(path));
    if (releases === undefined) return version === '~latest' ? undefined : version;
    if (typeof releases === 'string') return componentRelease(version, []) === null ? version : { reason: releases };
    const release = componentRelease(version, releases);
    if (release === null) return version;
    return release ?? { reason: `no release of ${path} matches version ${version}` };
  };

  async function visit(
    path: string,
    ctx: ReadContext,
    from?: { file: SourceFile; offset: number; use?: IncludeUse },
  ): Promise<void> {
    const where = from && positionIn(from.file.lineStarts, from.offset);
    const label = ctx.origin ? originLabel({ ...ctx.origin, file: path }) : path;
    if (chain.includes(label)) {
      const cycle = [...chain.slice(chain.indexOf(label)), label].join(' → ');
      findings.push(
        finding(
          'KB108',
          `include cycle: ${cycle}; GitLab rejects it (it follows the cycle until its limit of nested includes)`,
          { file: from!.file.path, line: where!.line, column: where!.column },
        ),
      );
      return;
    }
    if (from?.use) from.use.read = label;
    if (seen.has(label)) return; // a file included twice (from two places): read once, as GitLab does
    seen.add(label);
    const foreign = (why: string) => {
      // a file of another project: its problems are that project's, and this one is still migrated
      if (from?.use) {
        delete from.use.read;
        from.use.reason = why;
      }
      if (from)
        findings.push(
          finding('KB602', `include ${label}: ${why}; its jobs were not read`, {
            file: from.file.path,
            line: where!.line,
            column: where!.column,
          }),
        );
    };
    let text: string | undefined;
    try {
      text = await ctx.source.read(path);
    } catch (e) {
      if (ctx.origin) foreign(`cannot read: ${describeReadError(e)}`);
      else if (e instanceof OutsideRepositoryError) {
        if (from)
          findings.push(
            finding('KB104', `include ${path}: ${e.message}; not read`, {
              file: from.file.path,
              line: where!.line,
              column: where!.column,
            }),
          );
        else failed.push({ path, error: new InputError(path, 0, 0, `${e.message}; not read`, 'KB104') });
      } else failed.push({ path, error: new InputError(path, 0, 0, `cannot read: ${describeReadError(e)}`, 'KB106') });
      return;
    }
    if (text === undefined) {
      if (ctx.origin) foreign(`no such file in ${ctx.origin.project} at ${ctx.origin.ref}`);
      else if (from) {
        findings.push(
          finding('KB102', `included file ${path} is not in the repository; its jobs were not migrated`, {
            file: from.file.path,
            line: where!.line,
            column: where!.column,
          }),
        );
      } else failed.push({ path, error: new InputError(path, 0, 0, 'no such file', 'KB106') });
      return;
    }
    // The same limit on every door: a source that reads bytes refuses a larger file before it reads it all; texts
    // handed over in memory (the library) are measured here.
    const size = oversize(text);
    if (size !== undefined) {
      const why = `cannot read: ${tooLargeMessage(path, size)}`;
      if (ctx.origin) foreign(why);
      else failed.push({ path, error: new InputError(path, 0, 0, why, 'KB106') });
      return;
    }
    let file: SourceFile;
    try {
      file = parseSource(label, text);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      if (ctx.origin) foreign(`not valid GitLab CI YAML (${e.message})`);
      else failed.push({ path, error: e });
      return;
    }
    if (ctx.origin) file.origin = { ...ctx.origin, file: path, source: ctx.source };
    files.push(file);
    duplicateKeys(file, findings);
    chain.push(label);
    for (const inc of readIncludes(file)) await follow(inc, file, ctx);
    chain.pop();
  }

  /** One `include:` entry of `file` (read in `ctx`). */
  async function follow(inc: IncludeEntry, file: SourceFile, ctx: ReadContext): Promise<void> {
    const { line, column } = positionIn(file.lineStarts, inc.offset);
    const at = { file: file.path, line, column };
    const use = (u: Omit<IncludeUse, 'at'>): IncludeUse => {
      const full: IncludeUse = { ...u, at };
      includes.push(full);
      return full;
    };
    const notFollowed = (u: IncludeUse, message: string) => {
      u.reason = message;
      findings.push(finding('KB103', `${describeInclude(u)}: ${message}`, at));
    };
    switch (inc.kind) {
      case 'local': {
        const outside = () =>
          findings.push(finding('KB104', `include ${inc.path} points outside the repository: not read`, at));
        if (inc.path.includes('*')) {
          const matched = await expand(inc.path, file, ctx, line, column, outside);
          for (const target of matched) await visit(target, ctx, { file, offset: inc.offset });
          return;
        }
        const target = repoPath(inc.path);
        if (target === undefined) outside();
        else await visit(target, ctx, { file, offset: inc.offset });
        return;
      }
      case 'unreadable':
        findings.push(finding('KB103', 'include entry not followed: this tool cannot read it', at));
        return;
      case 'template': {
        const u = use({ kind: 'template', target: inc.name });
        if (GITLAB_KANIKO_TEMPLATES.has(inc.name)) {
          u.reason = "GitLab's own Kaniko template";
          findings.push(
            finding(
              'KB605',
              `include template ${inc.name} is GitLab's own Kaniko template: it cannot be migrated in place; replace the include with a BuildKit job of this project's own (or of a group template)`,
              at,
            ),
          );
        } else notFollowed(u, "GitLab's own template, not read");
        return;
      }
      case 'remote': {
        const u = use({ kind: 'remote', target: inc.url });
        notFollowed(u, 'a remote file, not followed (migrate it where it is kept)');
        return;
      }
      case 'component': {
        const address = parseComponent(inc.address);
        const u = use({ kind: 'component', target: address?.project ?? inc.address, ref: address?.version });
        if (!address) return notFollowed(u, 'not a component address this tool can read');
        const hosts = ['$CI_SERVER_FQDN', '${CI_SERVER_FQDN}', '$CI_SERVER_HOST', '${CI_SERVER_HOST}'];
        if (!hosts.includes(address.host) && !(opts.resolver?.hosts ?? []).includes(address.host))
          return notFollowed(u, `${address.host} is another GitLab: not followed`);
        if (!opts.resolver)
          return notFollowed(u, 'another project: not followed here (see `gitlab` and `--recursive`)');
        const ref = await componentRef(address.project, address.version);
        if (typeof ref === 'object') {
          u.reason = ref.reason;
          findings.push(finding('KB602', `${describeInclude(u)}: ${ref.reason}; its jobs were not read`, at));
          return;
        }
        const project = await projectAt(address.project, ref);
        if (typeof project === 'string') {
          u.reason = project;
          findings.push(finding('KB602', `${describeInclude(u)}: ${project}; its jobs were not read`, at));
          return;
        }
        const ctxOther: ReadContext = {
          source: project.source,
          origin: { project: address.project, ref: project.ref },
        };
        const [first, second] = componentFiles(address.name);
        const path = (await project.source.read(first!)) !== undefined ? first! : second!;
        u.file = path;
        await visit(path, ctxOther, { file, offset: inc.offset, use: u });
        return;
      }
      case 'project': {
        const uses = inc.files.map((f) =>
          use({ kind: 'project', target: inc.project, ref: inc.ref, file: f.path.replace(/^\/+/, '') }),
        );
        if (!opts.resolver) {
          for (const u of uses) notFollowed(u, 'another project: not followed here (see `gitlab` and `--recursive`)');
          return;
        }
        if (/\$/.test(inc.project) || /\$/.test(inc.ref ?? '')) {
          for (const u of uses) notFollowed(u, 'the project or ref is a variable, known only when the pipeline runs');
          return;
        }
        const project = await projectAt(inc.project, inc.ref);
        if (typeof project === 'string') {
          for (const u of uses) {
            u.reason = project;
            findings.push(finding('KB602', `${describeInclude(u)}: ${project}; its jobs were not read`, at));
          }
          return;
        }
        const ctxOther: ReadContext = { source: project.source, origin: { project: inc.project, ref: project.ref } };
        for (const [k, f] of inc.files.entries()) {
          const target = repoPath(f.path);
          if (target === undefined) notFollowed(uses[k]!, 'the path leaves that project');
          else await visit(target, ctxOther, { file, offset: f.offset, use: uses[k] });
        }
        return;
      }
    }
  }

  /**
   * The files an `include: local` wildcard path names, in the order GitLab includes them: the path without its leading
   * slashes, matched against every file of the repository, in git's order, the including file itself left out.
   */
  async function expand(
    raw: string,
    file: SourceFile,
    ctx: ReadContext,
    line: number,
    column: number,
    outside: () => void,
  ): Promise<string[]> {
    const pattern = raw.replace(/^\/+/, '');
    const literal = pattern.slice(0, pattern.indexOf('*'));
    const folder = repoPath(literal.slice(0, literal.lastIndexOf('/') + 1));
    if (folder === undefined) {
      outside();
      return [];
    }
    const listed = ctx.source.list ? await ctx.source.list(folder) : undefined;
    if (!listed) {
      findings.push(
        finding(
          'KB112',
          `include ${raw} uses a wildcard, and the repository's files cannot be listed here: not followed; Kaniko jobs in the files it matches are not migrated`,
          { file: file.path, line, column },
        ),
      );
      return [];
    }
    const re = wildcardRegExp(pattern);
    const self = file.origin?.file ?? file.path;
    const matched = listed.filter((p) => re.test(p) && p !== self).sort(byteOrder);
    if (!matched.length)
      findings.push(
        finding(
          'KB111',
          `include ${raw} matches no file of the repository: nothing is included (GitLab includes nothing either)`,
          { file: file.path, line, column },
        ),
      );
    return matched;
  }

  await visit(entry, home);
  // Every reader of the jobs would walk such an expansion: the file holding it is set aside, as an invalid file is.
  for (let bomb = referenceBomb(files); bomb; bomb = referenceBomb(files)) {
    const path = bomb.file;
    failed.push({ path, error: bomb });
    files = files.filter((f) => f.path !== path);
  }
  return { files, findings, failed, includes };
}

/** An include as a message names it: `include project group/x file ci/k.yml at main`. */
export function describeInclude(u: IncludeUse): string {
  switch (u.kind) {
    case 'project':
      return `include project ${u.target} file ${u.file}${u.ref ? ` at ${u.ref}` : ''}`;
    case 'component':
      return `include component ${u.target}${u.ref ? `@${u.ref}` : ''}`;
    default:
      return `include ${u.kind} ${u.target}`;
  }
}

/**
 * The first `!reference` whose expansion (script items, references followed as the job view follows them) is
 * larger than MAX_REFERENCE_ITEMS. Each referenced list is counted once (memoised), so this is linear.
 */
function referenceBomb(files: SourceFile[]): InputError | undefined {
  if (!files.some((f) => f.references?.length)) return undefined;
  const pipeline = new Pipeline(files);
  const memo = new Map<Node, number>();
  const count = (loc: Located, depth: number): number => {
    const node = loc.node;
    if (!isSeq(node)) return 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    memo.set(node, 1); // a reference back into itself counts once
    let n = 0;
    for (const raw of node.items as ParsedNode[]) {
      const item = pipeline.deref({ ...loc, node: raw });
      n += isSeq(item.node) && depth < 12 ? count(item, depth + 1) : 1;
      if (n > MAX_REFERENCE_ITEMS) break;
    }
    memo.set(node, n);
    return n;
  };
  for (const file of files) {
    for (const ref of file.references ?? []) {
      const target = pipeline.deref({ node: ref.node as ParsedNode, file, doc: ref.doc });
      if (target.node === ref.node) continue;
      if (count(target, 0) > MAX_REFERENCE_ITEMS) {
        const { line, column } = positionIn(file.lineStarts, (ref.node as ParsedNode).range[0]);
        return new InputError(
          file.path,
          line,
          column,
          `!reference expands to more than ${MAX_REFERENCE_ITEMS} script items (nested references multiply): not read`,
          'KB109',
        );
      }
    }
  }
  return undefined;
}
