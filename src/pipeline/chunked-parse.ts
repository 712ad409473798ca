/**
 * Parsing a large pipeline file in pieces, for memory: yaml builds the whole concrete syntax tree of a document before
 * it composes any node, and that tree is several times the size of the nodes (a 10 MiB file: 745 MB peak for one
 * `parseAllDocuments`; in pieces of 256 KiB 475 MB, of 16 KiB 331 MB, where a piece's tree dies young). The jobs of a
 * GitLab CI file are the entries of one block mapping at column 0, and such an entry reads the same whatever the other
 * entries hold, once the entry before it ends cleanly; so a long file is cut before column-0 keys, each piece is
 * parsed with its offsets in the whole text (`Parser.offset`), and the pieces' entries are put into the first piece's
 * mapping.
 *
 * A piece is taken only when it reads as nothing but that: one document, no error, a block mapping whose first key
 * starts the piece. Anything else (an error anywhere, a quote or a flow collection left open across a cut, a file
 * with several documents or directives, a top level that is not such a mapping) parses the whole text instead, so
 * errors are reported as the whole parse reports them, at their place. test/pipeline/chunked-parse.test.ts checks
 * that the two readings give the same nodes, ranges and data on every fixture, the corpus and generated files.
 */
import { append } from '../text/append.js';
import { Composer, isMap, parseAllDocuments, Parser, type Document, type ParsedNode, type YAMLMap } from 'yaml';
import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/** Files up to this size are parsed whole; longer ones in pieces of about this size. */
export const PIECE_BYTES = 16 * 1024;

/** Lines that make a file more than one plain document: markers, directives. */
const DOCUMENT_SYNTAX = /^(?:---|\.\.\.|%)/m;

/** Where the piece starting at `start` ends: the first line start at or after `start + size` that can begin an entry. */
function cutAfter(text: string, start: number, size: number): number {
  let nl = text.indexOf('\n', start + size - 1);
  while (nl >= 0 && nl + 1 < text.length) {
    const c = text.charCodeAt(nl + 1);
    // a key at column 0 (not a comment, a list item, an explicit key, a value line, a flow end, a blank line)
    if (isKeyStart(c) && cleanEntryBefore(text, nl)) return nl + 1;
    nl = text.indexOf('\n', nl + 1);
  }
  return text.length;
}

/**
 * Whether the entry before a cut at `nl + 1` (its lines back to the one at column 0) holds no comment line: yaml can
 * end an entry that has one elsewhere than its pieces do (a comment and a blank line before a value on its own line
 * make the next column-0 key part of that value).
 */
function cleanEntryBefore(text: string, nl: number): boolean {
  for (let end = nl; end > 0;) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    if (line.trimStart().startsWith('#')) return false;
    if (line.length && line.charCodeAt(0) !== 32 && line !== '\r') return true;
    end = start - 1;
  }
  return true;
}

function isKeyStart(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 95 || // _
    c === 46 || // . (hidden jobs; `...` lines never get here)
    c === 36 || // $
    c === 34 || // "
    c === 39 // '
  );
}

/** One piece parsed with the whole text's offsets, or undefined when it is not a clean block mapping starting at `start`. */
function parsePiece(text: string, start: number, end: number, options: Options): Document.Parsed | undefined {
  const parser = new Parser();
  parser.offset = start;
  const docs = [...new Composer(options).compose(parser.parse(text.slice(start, end)), true, end)];
  const doc = docs[0] as Document.Parsed | undefined;
  if (docs.length !== 1 || !doc || doc.errors.length) return undefined;
  const map = doc.contents as ParsedNode | null;
  if (!isMap(map) || map.flow || !map.items.length) return undefined;
  const first = (map.items[0]!.key as ParsedNode | null)?.range?.[0];
  return start === 0 || first === start ? doc : undefined;
}

/**
 * Where the pieces of a long text start (`[0]` for a text parsed whole): cuts at most every `pieceBytes`, before a
 * column-0 key. Undefined when the text has document markers or directives (it is always parsed whole).
 */
export function pieceStarts(text: string, pieceBytes = PIECE_BYTES): number[] | undefined {
  if (DOCUMENT_SYNTAX.test(text)) return undefined;
  const starts = [0];
  if (text.length <= pieceBytes) return starts;
  for (let end = cutAfter(text, 0, pieceBytes); end < text.length; end = cutAfter(text, end, pieceBytes))
    starts.push(end);
  return starts;
}

/**
 * The documents of `text`, as `parseAllDocuments(text, options)` gives them: pieced together when it is long and
 * every piece reads cleanly, else parsed whole.
 */
export function parseDocuments(text: string, options: Options, pieceBytes = PIECE_BYTES): Document.Parsed[] {
  const pieced = parsePieces(text, options, pieceBytes);
  if (pieced) return pieced;
  const docs = parseAllDocuments(text, options);
  return (Array.isArray(docs) ? docs : [docs]) as Document.Parsed[];
}

/** The one document of `text` read in pieces; undefined when it is short or a piece does not read cleanly. */
export function parsePieces(text: string, options: Options, pieceBytes = PIECE_BYTES): Document.Parsed[] | undefined {
  const starts = pieceStarts(text, pieceBytes);
  if (!starts || starts.length < 2) return undefined;
  const pieces: Document.Parsed[] = [];
  for (let i = 0; i < starts.length; i++) {
    const piece = parsePiece(text, starts[i]!, starts[i + 1] ?? text.length, options);
    if (!piece) return undefined;
    pieces.push(piece);
  }
  const [doc, ...rest] = pieces as [Document.Parsed, ...Document.Parsed[]];
  const map = doc.contents as YAMLMap<ParsedNode, ParsedNode>;
  for (const piece of rest) {
    append(map.items, (piece.contents as YAMLMap<ParsedNode, ParsedNode>).items);
    append(doc.warnings, piece.warnings);
  }
  const last = rest.at(-1)!;
  const [from] = (map as ParsedNode).range;
  const [, valueEnd, nodeEnd] = (last.contents as ParsedNode).range;
  map.range = [from, valueEnd, nodeEnd];
  doc.range = [doc.range[0], last.range[1], last.range[2]];
  doc.comment = last.comment;
  return [doc];
}
