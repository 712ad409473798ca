/**
 * One pipeline file as read: its text, its parsed YAML documents (with source ranges), and position helpers.
 * Nothing here is ever re-serialised: edits are text ranges into `text`.
 */
import {
  Alias,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  YAMLSeq,
  type Document,
  type DocumentOptions,
  type Node,
  type ParseOptions,
  type ParsedNode,
  type SchemaOptions,
  type YAMLMap,
} from 'yaml';
import type { Code } from '../findings/types.js';
import { parseDocuments } from './chunked-parse.js';
import type { IncludeOrigin } from './file-source.js';

export interface SourceFile {
  /** Repository-relative path with `/` separators (or the path the user named for a single file). */
  path: string;
  text: string;
  docs: Document.Parsed[];
  /** The document that holds jobs: 1 for a CI/CD component file (`spec:` header, `---`, jobs), else 0. */
  jobsDoc: number;
  eol: '\n' | '\r\n';
  lineStarts: number[];
  /** The `!reference [job, key, …]` sequences of the file, in document order (for the loader's expansion check). */
  references?: { node: YAMLSeq; doc: Document.Parsed }[];
  /** Every anchored node (`&name`) of the file, with its range, in document order. */
  anchors?: { name: string; node: Node }[];
  /** The names of the anchors some alias (`*name`, `<<: *name`) of the file uses. */
  aliased?: Set<string>;
  /**
   * Keys given twice in one mapping, each with the key before it of the same name (offsets of both key nodes). GitLab
   * reads the file with Ruby's Psych, which keeps the last value of a key; so does every reader here.
   */
  duplicates?: DuplicateKey[];
  /** Set for a file of another project (read-only here): where it came from. `path` is then its label. */
  origin?: IncludeOrigin;
}

/** A key given again in the same mapping: `earlier` is the key node it overrides, `later` the one that takes effect. */
export interface DuplicateKey {
  key: string;
  earlier: Node;
  later: Node;
}

/** A file that cannot be migrated: where (line 0 when it is the whole file) and why, with the finding code to report. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    message: string,
    /** KB101 invalid YAML (the default), KB104 outside the repository, KB106 unreadable, KB108 include cycle, KB109 over a limit. */
    readonly code: Code = 'KB101',
  ) {
    super(message);
  }
}

/**
 * Largest pipeline file read: 10 MiB, on every door (disk, the GitLab API, texts handed to the library). A generated
 * 10,000-job pipeline is about 1.3 MB; GitLab itself refuses configuration files over 2 MB by default
 * (`max_yaml_size_bytes`). Larger files are reported (KB106), never read.
 */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** What every door says of a file over MAX_FILE_BYTES (`size` undefined: the read stopped at the limit). */
export function tooLargeMessage(path: string, size?: number): string {
  return `${path} is ${size === undefined ? '' : `${size} bytes, `}over the ${MAX_FILE_BYTES}-byte (10 MiB) limit for a pipeline file`;
}

/** The UTF-8 size of `text` when it is over MAX_FILE_BYTES; undefined within the limit (counted only when it may be over). */
export function oversize(text: string): number | undefined {
  if (text.length * 3 <= MAX_FILE_BYTES) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > MAX_FILE_BYTES ? bytes : undefined;
}

/**
 * Deepest nesting of mappings and sequences read. GitLab's own limit (`max_yaml_depth`) is 100 by default; yaml's
 * recursive composer runs out of stack a few hundred levels down, and so would every recursive walk after it.
 */
export const MAX_DEPTH = 200;

/**
 * Aliases (`*x`, `<<: *x`) may expand a document to at most this many values, or to 10 times its own number of
 * values when that is more: an "alias bomb" (billion laughs) expands a few lines into billions, and every reader that
 * follows aliases (the job view, the verification's data comparison) would walk them all.
 */
export const MAX_ALIAS_EXPANSION = 1_000_000;
export const ALIAS_EXPANSION_FACTOR = 10;

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
  // yaml compares every key with every earlier key of its mapping (quadratic: seconds for 10,000 jobs);
  // `checkDocument` finds duplicate keys with a set instead, and reports them the same way.
  uniqueKeys: false,
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
  const at = (offset: number) => positionIn(lineStarts, offset);
  const list = parseDocuments(text, PARSE_OPTIONS);
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const { line, column } = at(err.pos[0]);
      if (/call stack/i.test(err.message))
        throw new InputError(
          path,
          line,
          column,
          `nesting too deep: the YAML parser ran out of stack here (the limit is ${MAX_DEPTH} levels)`,
          'KB109',
        );
      throw new InputError(path, line, column, `invalid YAML: ${err.message.split('\n')[0]}`);
    }
  }
  const references: { node: YAMLSeq; doc: Document.Parsed }[] = [];
  const anchored: { name: string; node: Node }[] = [];
  const aliased = new Set<string>();
  const duplicates: DuplicateKey[] = [];
  for (const doc of list) checkDocument(path, doc, at, references, anchored, aliased, duplicates);
  let jobsDoc = 0;
  const first = list[0]?.contents as ParsedNode | null | undefined;
  if (list.length > 1 && isMap(first) && isSpecHeader(first as YAMLMap)) jobsDoc = 1;
  const jobs = list[jobsDoc]?.contents;
  if (jobs === null || jobs === undefined) {
    const where = list[jobsDoc] ? at(list[jobsDoc]!.range[0]) : { line: 1, column: 1 };
    const what =
      text.trim() === '' ? 'the file is empty' : 'the file holds no keys (only comments or an empty document)';
    throw new InputError(
      path,
      where.line,
      where.column,
      `${what}: a GitLab CI file must be a mapping of keys to jobs (GitLab rejects an empty configuration)`,
    );
  }
  if (!(jobs as { items?: unknown }).items) {
    const { line, column } = at((jobs as ParsedNode).range[0]);
    throw new InputError(path, line, column, 'a GitLab CI file must be a mapping of keys to jobs, not a single value');
  }
  if (jobs instanceof YAMLSeq) {
    const { line, column } = at(jobs.range?.[0] ?? 0);
    throw new InputError(path, line, column, 'a GitLab CI file must be a mapping of keys to jobs, not a list');
  }
  return {
    path,
    text,
    docs: list,
    jobsDoc,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    lineStarts,
    references,
    anchors: anchored,
    aliased,
    duplicates,
  };
}

type Position = (offset: number) => { line: number; column: number };

/**
 * One walk over a parsed document, in document order and without recursion (a deep file cannot overflow it):
 * - duplicate keys (what yaml's `uniqueKeys` reports, found with a map per mapping): recorded, not refused, since
 *   GitLab's YAML loader (Ruby's Psych, see https://github.com/ruby/psych/issues/79) keeps the last value of a key;
 * - nesting deeper than MAX_DEPTH;
 * - aliases that expand the document beyond MAX_ALIAS_EXPANSION (alias bombs), aliases without an anchor before
 *   them, aliases inside the node they name (recursive data), merge keys (`<<`) whose value is not a mapping;
 * - every alias is resolved once, to the node yaml would find, and answers later `resolve` calls from there;
 * - `!reference` sequences, anchored nodes and the names aliases use are collected.
 */
function checkDocument(
  path: string,
  doc: Document.Parsed,
  at: Position,
  references: { node: YAMLSeq; doc: Document.Parsed }[],
  anchored: { name: string; node: Node }[],
  aliased: Set<string>,
  duplicates: DuplicateKey[],
): void {
  const anchors = new Map<string, Node>();
  /** Expanded size (values, aliases followed) of every finished anchored node. */
  const sizes = new Map<Node, number>();
  let direct = 0;
  let expanded = 0;
  const fail = (node: Node | null | undefined, message: string, code: Code = 'KB101'): never => {
    const { line, column } = at((node as ParsedNode | null | undefined)?.range?.[0] ?? 0);
    throw new InputError(path, line, column, message, code);
  };
  interface Frame {
    node: Node;
    depth: number;
    /** Expanded size of the children done so far. */
    size: number;
    /** Index of the next child: items of a sequence; key, value, key, value… of a mapping. */
    next: number;
    keys?: Map<unknown, Node>;
  }
  const stack: Frame[] = [];
  /** Enters a node; returns its expanded size when it has no children to walk. */
  const enter = (node: Node | null | undefined, depth: number): number | undefined => {
    if (!node) return 0;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) fail(node, `invalid YAML: alias *${node.source} has no anchor &${node.source} before it`);
      // a recursive structure: no GitLab configuration can hold one, and readers of its data would never end
      if (isCollection(target) && !sizes.has(target!))
        fail(node, `invalid YAML: alias *${node.source} is inside the node it names (a recursive structure)`);
      Object.defineProperty(node, 'resolve', { value: resolveOnce(doc, target) });
      aliased.add(node.source);
      return sizes.get(target!) ?? 1;
    }
    direct++;
    if ((isScalar(node) || isCollection(node)) && node.anchor) {
      anchors.set(node.anchor, node);
      anchored.push({ name: node.anchor, node });
    }
    if (!isCollection(node)) return 1;
    if (node.tag === '!reference' && node instanceof YAMLSeq) references.push({ node, doc });
    if (depth > MAX_DEPTH)
      fail(node, `nesting too deep: more than ${MAX_DEPTH} levels of mappings and sequences`, 'KB109');
    stack.push({ node, depth, size: 1, next: 0, keys: isMap(node) ? new Map() : undefined });
    return undefined;
  };
  const finish = (size: number) => {
    const top = stack[stack.length - 1];
    if (top) top.size += size;
    else expanded += size;
  };
  const limit = () => Math.max(MAX_ALIAS_EXPANSION, ALIAS_EXPANSION_FACTOR * direct);
  /** `<<:` takes a mapping, an alias of one, or a list of those (yaml throws on anything else when it reads the data). */
  const checkMerge = (value: Node | null, key: Node) => {
    const deref = (n: Node | null | undefined) => (isAlias(n) ? anchors.get(n.source) : n);
    const source = deref(value);
    for (const item of source instanceof YAMLSeq ? (source.items as Node[]) : [source]) {
      const target = deref(item);
      if (!isMap(target))
        fail(
          (item as Node | null) ?? key,
          'invalid YAML: a merge key (<<) takes a mapping, an alias of one, or a list of them',
        );
    }
  };
  const first = enter(doc.contents as Node | null, 1);
  if (first !== undefined) finish(first);
  while (stack.length) {
    const frame = stack[stack.length - 1]!;
    const items = (frame.node as YAMLMap | YAMLSeq).items as unknown[];
    const mapping = frame.keys !== undefined;
    const count = mapping ? items.length * 2 : items.length;
    if (frame.next >= count) {
      stack.pop();
      if ((frame.node as { anchor?: string }).anchor) sizes.set(frame.node, frame.size);
      finish(frame.size);
      if (frame.size > limit())
        fail(
          frame.node,
          `aliases expand this value to more than ${limit()} values (an alias bomb, "billion laughs"): not read`,
          'KB109',
        );
      continue;
    }
    const i = frame.next++;
    let child: Node | null | undefined;
    if (mapping) {
      const pair = items[i >> 1];
      if (!isPair(pair)) continue;
      child = (i & 1 ? pair.value : pair.key) as Node | null;
      if (!(i & 1) && isScalar(child) && typeof child.value === 'symbol') checkMerge(pair.value as Node | null, child);
      if (!(i & 1) && isScalar(child)) {
        const v = child.value;
        // merge keys (`<<`) are symbols, each its own; NaN is never equal to itself, as yaml compares
        if (typeof v !== 'symbol' && !(typeof v === 'number' && Number.isNaN(v))) {
          const earlier = frame.keys!.get(v);
          if (earlier) duplicates.push({ key: String(v), earlier, later: child });
          frame.keys!.set(v, child);
        }
      }
    } else child = items[i] as Node | null;
    const size = enter(child, frame.depth + 1);
    if (size !== undefined) {
      finish(size);
      if (size > limit())
        fail(
          child,
          `aliases expand this value to more than ${limit()} values (an alias bomb, "billion laughs"): not read`,
          'KB109',
        );
    }
  }
  if (expanded > limit())
    fail(
      doc.contents as Node,
      `aliases expand the document to more than ${limit()} values (an alias bomb, "billion laughs"): not read`,
      'KB109',
    );
}

/**
 * yaml's `Alias.resolve(doc)` walks the whole document on every call, and with a `toJS` context it scans a list of
 * every anchor and alias up to this one: either way each alias costs O(document), and a pipeline with thousands of
 * `<<: *defaults` turns quadratic (seconds for 10,000 jobs, in the job view and in the verification's `toJS`). The
 * target found by `checkDocument` (the last node with that anchor before the alias, an enclosing collection
 * included, as yaml searches) answers instead; with a context, yaml's own code still runs (it counts aliases and
 * converts the anchor), handed a one-entry list that holds just that target.
 */
function resolveOnce(doc: Document.Parsed, target: Node | undefined) {
  const own = Alias.prototype.resolve;
  type Ctx = Parameters<typeof own>[1];
  return function resolve(this: Alias, d: Document, ctx?: Ctx) {
    if (d !== doc || !target) return own.call(this, d, ctx);
    if (ctx === undefined) return target;
    return own.call(this, d, { ...ctx, aliasResolveCache: [target] } as Ctx);
  };
}

function isSpecHeader(map: YAMLMap): boolean {
  return map.items.length > 0 && map.items.every((p) => String((p.key as { value?: unknown }).value) === 'spec');
}

export function jobsMap(file: SourceFile): YAMLMap<ParsedNode, ParsedNode> | undefined {
  const contents = file.docs[file.jobsDoc]?.contents;
  return contents && 'items' in contents && !(contents instanceof YAMLSeq)
    ? (contents as YAMLMap<ParsedNode, ParsedNode>)
    : undefined;
}
