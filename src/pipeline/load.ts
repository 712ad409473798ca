/**
 * Loading a pipeline: the entry file and every file it includes locally, recursively, staying inside the repository.
 * Files come from a FileSource, so the same loader serves a checkout on disk and the GitLab repository files API.
 */
import { isMap, isScalar, isSeq, type ParsedNode } from 'yaml';
import type { Finding } from '../findings/types.js';
import { InputError, jobsMap, parseSource, positionIn, type SourceFile } from './source.js';

export interface FileSource {
  /** Text of a repository-relative path, or undefined when there is no such file. Throws for unreadable files. */
  read(path: string): Promise<string | undefined>;
  /** Whether a repository-relative path exists; undefined when it cannot be told. */
  exists(path: string): boolean | undefined;
}

export interface LoadedProject {
  files: SourceFile[];
  findings: Finding[];
  /** Files that could not be parsed: reported, never written. */
  failed: { path: string; error: InputError }[];
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

/** `include:` entries that name a file of this repository (`local:` or a bare path); others are reported. */
function localIncludes(file: SourceFile, findings: Finding[]): IncludeRef[] {
  const map = jobsMap(file);
  const inc = map?.items.find((p) => isScalar(p.key) && p.key.value === 'include')?.value as ParsedNode | null | undefined;
  if (!inc) return [];
  const entries = isSeq(inc) ? (inc.items as ParsedNode[]) : [inc];
  const out: IncludeRef[] = [];
  for (const entry of entries) {
    if (isScalar(entry) && typeof entry.value === 'string') {
      if (/^https?:\/\//.test(entry.value)) note(file, entry.range[0], `include ${entry.value} is a remote file: not followed`, findings);
      else out.push({ path: entry.value, offset: entry.range[0] });
    } else if (isMap(entry)) {
      const local = entry.get('local', true) as ParsedNode | undefined;
      if (local && isScalar(local) && typeof local.value === 'string') out.push({ path: local.value, offset: local.range[0] });
      else {
        const kind = ['project', 'remote', 'template', 'component'].find((k) => entry.has(k)) ?? 'include';
        note(file, entry.range[0], `${kind} include not followed: only files of this repository are read`, findings);
      }
    }
  }
  return out;
}

function note(file: SourceFile, offset: number, message: string, findings: Finding[]): void {
  const { line, column } = positionIn(file.lineStarts, offset);
  findings.push({ code: 'KB103', severity: 'info', file: file.path, line, column, message });
}

export async function loadProject(source: FileSource, entry: string): Promise<LoadedProject> {
  const files: SourceFile[] = [];
  const findings: Finding[] = [];
  const failed: LoadedProject['failed'] = [];
  const seen = new Set<string>();

  async function visit(path: string, from?: { file: SourceFile; offset: number }): Promise<void> {
    if (seen.has(path)) return; // an include cycle, or a file included twice: read once
    seen.add(path);
    let text: string | undefined;
    try {
      text = await source.read(path);
    } catch (e) {
      failed.push({ path, error: new InputError(path, 0, 0, `cannot read: ${(e as Error).message}`) });
      return;
    }
    if (text === undefined) {
      if (from) {
        const { line, column } = positionIn(from.file.lineStarts, from.offset);
        findings.push({ code: 'KB102', severity: 'warning', file: from.file.path, line, column, message: `included file ${path} is not in the repository; its jobs were not migrated` });
      } else failed.push({ path, error: new InputError(path, 0, 0, 'no such file') });
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
    for (const inc of localIncludes(file, findings)) {
      const target = repoPath(inc.path);
      const { line, column } = positionIn(file.lineStarts, inc.offset);
      if (target === undefined) {
        findings.push({ code: 'KB104', severity: 'error', file: file.path, line, column, message: `include ${inc.path} points outside the repository: not read` });
        continue;
      }
      if (/[*?[]/.test(target)) {
        findings.push({ code: 'KB103', severity: 'info', file: file.path, line, column, message: `include ${inc.path} uses a wildcard: not followed` });
        continue;
      }
      await visit(target, { file, offset: inc.offset });
    }
  }

  await visit(entry);
  return { files, findings, failed };
}
