/**
 * Loading a pipeline: the entry file and every file it includes locally, recursively, staying inside the repository.
 * Files come from a FileSource, so the same loader serves a checkout on disk and the GitLab repository files API.
 * `include: local` with wildcards is expanded as GitLab does (https://docs.gitlab.com/ci/yaml/includes/, "Use
 * include:local with wildcard file paths"; GitLab's lib/gitlab/ci/config/external/mapper/location_expander.rb and
 * Repository#search_files_by_wildcard_path in app/models/repository.rb).
 */
import { isMap, isScalar, isSeq, type Node, type ParsedNode, type YAMLMap } from 'yaml';
import { finding } from '../findings/finding.js';
import type { Finding } from '../findings/types.js';
import { ownPair, Pipeline, type Located } from './jobs.js';
import { InputError, jobsMap, parseSource, positionIn, type SourceFile } from './source.js';

/** Thrown by a FileSource for a path that exists but leads outside the repository (a symbolic link). */
export class OutsideRepositoryError extends Error {}

/**
 * Most script items one `!reference` may expand to. GitLab follows `!reference` ten levels deep; ten references
 * to a list of ten references, ten levels down, are 10 billion items (the same bomb as an alias bomb).
 */
export const MAX_REFERENCE_ITEMS = 100_000;

export interface FileSource {
  /** Text of a repository-relative path, or undefined when there is no such file. Throws for unreadable files. */
  read(path: string): Promise<string | undefined>;
  /** Whether a repository-relative path exists; undefined when it cannot be told. */
  exists(path: string): boolean | undefined;
  /**
   * Every file under `folder` (a repository-relative folder, `''` for the whole repository), at any depth, as
   * repository-relative `/` paths in any order: regular files and symbolic links to files, never folders, nothing
   * under `.git`. Only asked for when an `include: local` path holds a wildcard (`*`). Absent, or undefined: the
   * source cannot list files, and such an include is reported (KB112) instead of followed.
   */
  list?(folder: string): Promise<string[] | undefined>;
}

export interface LoadedProject {
  files: SourceFile[];
  findings: Finding[];
  /** Files that could not be parsed: reported, never written. */
  failed: { path: string; error: InputError }[];
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

interface IncludeRef {
  path: string;
  offset: number;
}

/**
 * `include:` entries that name a file of this repository (`local:` or a bare path); others are reported. An `include:`
 * given twice is its last value, as GitLab reads it.
 */
function localIncludes(file: SourceFile, findings: Finding[]): IncludeRef[] {
  const map = jobsMap(file);
  const inc = (map && ownPair(map, 'include')?.value) as ParsedNode | null | undefined;
  if (!inc) return [];
  const entries = isSeq(inc) ? (inc.items as ParsedNode[]) : [inc];
  const out: IncludeRef[] = [];
  for (const entry of entries) {
    if (isScalar(entry) && typeof entry.value === 'string') {
      if (/^https?:\/\//.test(entry.value))
        note(file, entry.range[0], `include ${entry.value} is a remote file: not followed`, findings);
      else out.push({ path: entry.value, offset: entry.range[0] });
    } else if (isMap(entry)) {
      const local = ownPair(entry as YAMLMap<ParsedNode, ParsedNode>, 'local')?.value;
      if (local && isScalar(local) && typeof local.value === 'string')
        out.push({ path: local.value, offset: local.range[0] });
      else {
        const kind = ['project', 'remote', 'template', 'component'].find((k) => entry.has(k)) ?? 'include';
        note(file, entry.range[0], `${kind} include not followed: only files of this repository are read`, findings);
      }
    }
  }
  return out;
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

function note(file: SourceFile, offset: number, message: string, findings: Finding[]): void {
  const { line, column } = positionIn(file.lineStarts, offset);
  findings.push(finding('KB103', message, { file: file.path, line, column }));
}

export async function loadProject(source: FileSource, entry: string): Promise<LoadedProject> {
  let files: SourceFile[] = [];
  const findings: Finding[] = [];
  const failed: LoadedProject['failed'] = [];
  const seen = new Set<string>();
  /** The include chain being read, to tell a cycle from a file included twice. */
  const chain: string[] = [];

  async function visit(path: string, from?: { file: SourceFile; offset: number }): Promise<void> {
    const where = from && positionIn(from.file.lineStarts, from.offset);
    if (chain.includes(path)) {
      const cycle = [...chain.slice(chain.indexOf(path)), path].join(' → ');
      findings.push(
        finding(
          'KB108',
          `include cycle: ${cycle}; GitLab rejects it (it follows the cycle until its limit of nested includes)`,
          { file: from!.file.path, line: where!.line, column: where!.column },
        ),
      );
      return;
    }
    if (seen.has(path)) return; // a file included twice (from two places): read once, as GitLab does
    seen.add(path);
    let text: string | undefined;
    try {
      text = await source.read(path);
    } catch (e) {
      if (e instanceof OutsideRepositoryError) {
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
      if (from) {
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
    let file: SourceFile;
    try {
      file = parseSource(path, text);
    } catch (e) {
      if (e instanceof InputError) {
        failed.push({ path, error: e });
        return;
      }
      throw e;
    }
    files.push(file);
    duplicateKeys(file, findings);
    chain.push(path);
    for (const inc of localIncludes(file, findings)) {
      const { line, column } = positionIn(file.lineStarts, inc.offset);
      const outside = () =>
        findings.push(
          finding('KB104', `include ${inc.path} points outside the repository: not read`, {
            file: file.path,
            line,
            column,
          }),
        );
      if (inc.path.includes('*')) {
        const matched = await expand(inc.path, file, line, column, outside);
        for (const target of matched) await visit(target, { file, offset: inc.offset });
        continue;
      }
      const target = repoPath(inc.path);
      if (target === undefined) {
        outside();
        continue;
      }
      await visit(target, { file, offset: inc.offset });
    }
    chain.pop();
  }

  /**
   * The files an `include: local` wildcard path names, in the order GitLab includes them: the path without its leading
   * slashes, matched against every file of the repository, in git's order, the including file itself left out.
   */
  async function expand(
    raw: string,
    file: SourceFile,
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
    const listed = source.list ? await source.list(folder) : undefined;
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
    const matched = listed.filter((p) => re.test(p) && p !== file.path).sort(byteOrder);
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

  await visit(entry);
  // Every reader of the jobs would walk such an expansion: the file holding it is set aside, as an invalid file is.
  for (let bomb = referenceBomb(files); bomb; bomb = referenceBomb(files)) {
    const path = bomb.file;
    failed.push({ path, error: bomb });
    files = files.filter((f) => f.path !== path);
  }
  return { files, findings, failed };
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
