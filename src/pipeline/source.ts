/**
 * One pipeline file as read: its text, its parsed YAML documents (with source ranges), and position helpers.
 * Nothing here is ever re-serialised: edits are text ranges into `text`.
 */
import { parseAllDocuments, YAMLSeq, type Document, type DocumentOptions, type ParseOptions, type ParsedNode, type SchemaOptions, type YAMLMap } from 'yaml';

export interface SourceFile {
  /** Repository-relative path with `/` separators (or the path the user named for a single file). */
  path: string;
  text: string;
  docs: Document.Parsed[];
  /** The document that holds jobs: 1 for a CI/CD component file (`spec:` header, `---`, jobs), else 0. */
  jobsDoc: number;
  eol: '\n' | '\r\n';
  lineStarts: number[];
}

export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/** GitLab's `!reference [job, key, …]`: kept as a sequence node tagged `!reference`. */
const referenceTag = {
  tag: '!reference',
  collection: 'seq' as const,
  default: false as const,
  nodeClass: YAMLSeq,
  resolve: (seq: YAMLSeq) => seq,
};

/** Options shared by every parse, so the first read and the verification read agree. */
export const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  merge: true,
  uniqueKeys: true,
  prettyErrors: false,
  customTags: [referenceTag],
};

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function positionIn(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

export function parseSource(path: string, text: string): SourceFile {
  const lineStarts = lineStartsOf(text);
  const docs = parseAllDocuments(text, PARSE_OPTIONS);
  const list = (Array.isArray(docs) ? docs : [docs]) as Document.Parsed[];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const { line, column } = positionIn(lineStarts, err.pos[0]);
      throw new InputError(path, line, column, `invalid YAML: ${err.message.split('\n')[0]}`);
    }
  }
  let jobsDoc = 0;
  const first = list[0]?.contents as ParsedNode | null | undefined;
  if (list.length > 1 && first && 'items' in first && isSpecHeader(first as YAMLMap)) jobsDoc = 1;
  const jobs = list[jobsDoc]?.contents;
  if (jobs && !(jobs as { items?: unknown }).items) {
    const { line, column } = positionIn(lineStarts, (jobs as ParsedNode).range[0]);
    throw new InputError(path, line, column, 'a GitLab CI file must be a mapping of keys to jobs, not a single value');
  }
  if (jobs instanceof YAMLSeq) {
    const { line, column } = positionIn(lineStarts, jobs.range?.[0] ?? 0);
    throw new InputError(path, line, column, 'a GitLab CI file must be a mapping of keys to jobs, not a list');
  }
  return { path, text, docs: list, jobsDoc, eol: text.includes('\r\n') ? '\r\n' : '\n', lineStarts };
}

function isSpecHeader(map: YAMLMap): boolean {
  return map.items.length > 0 && map.items.every((p) => String((p.key as { value?: unknown }).value) === 'spec');
}

export function jobsMap(file: SourceFile): YAMLMap<ParsedNode, ParsedNode> | undefined {
  const contents = file.docs[file.jobsDoc]?.contents;
  return contents && 'items' in contents && !(contents instanceof YAMLSeq) ? (contents as YAMLMap<ParsedNode, ParsedNode>) : undefined;
}
