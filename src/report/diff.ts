/**
 * Unified diffs of migrated files (the `diff` package), coloured when asked. With the edits that made `after`, only the
 * stretches around them are compared (a general diff of a whole 10,000-job file is the slow part of a dry run), and
 * the result is the same text the whole-file diff gives (test/report/diff-edits.test.ts checks it on every fixture).
 */
import { createTwoFilesPatch, diffLines, formatPatch, structuredPatch, type StructuredPatchHunk } from 'diff';
import { append } from '../text/append.js';
import type { ChalkInstance } from 'chalk';
import { lineStartsOf, positionIn } from '../pipeline/source.js';
import type { TextEdit } from '../text/edits.js';
import { printable } from '../text/printable.js';

const CONTEXT = 3;
/**
 * Unchanged lines kept on each side of an edit's lines when its stretch is compared: more than two contexts, so that
 * hunks of two stretches never touch (the diff package joins changes at most 2 × context lines apart into one hunk).
 */
const margin = (context: number) => 2 * context + 4;

/** At most this many edits are compared in one piece: a long run of edits close together is cut between two of them. */
const PIECE_EDITS = 32;

/** How much longer an edit makes the text. */
const delta = (e: TextEdit) => e.text.length - (e.end - e.start);

/** A run of lines of a diff: unchanged (old lines `from`..`to` - 1, shared with the new text), added or removed. */
type Part = { kind: 'same'; from: number; to: number } | { kind: 'added' | 'removed'; lines: string[] };

/**
 * The hunks of `before` → `after` compared only around `edits` (sorted, not overlapping, offsets into `before`).
 *
 * The old lines are cut into pieces: each edit's lines with MARGIN unchanged lines around, joined where the edits'
 * lines are close enough for one hunk; where the margins of two pieces meet but the edits are farther apart, the lines
 * between are shared out at the middle (each side keeps a context and four lines more: with less, a diff of the piece
 * can place a change elsewhere than the whole file's diff does). A run of more than PIECE_EDITS edits close together
 * (every job of a file edited, a few lines apart) is cut between two of them as well: one piece of a whole file is a
 * diff that grows with its square (issue 18). Each piece is compared with `diffLines`; the lines between pieces are
 * unchanged; and the hunks are made from that sequence as the diff package makes them from its own (`hunksOf`).
 */
function hunksAround(
  before: string,
  after: string,
  edits: readonly TextEdit[],
  context: number,
): StructuredPatchHunk[] {
  const MARGIN = margin(context);
  const starts = lineStartsOf(before);
  const lineAt = (at: number) => positionIn(starts, at).line - 1;
  const last = starts.length - 1;
  const JOIN = 2 * context + 8;
  const lines = edits.map((e) => ({ first: lineAt(e.start), last: lineAt(e.end) }));
  const pieces: { from: number; to: number; first: number; end: number; lastLine: number }[] = [];
  lines.forEach(({ first: firstLine, last: lastLine }, i) => {
    const prev = pieces.at(-1);
    const full = prev && i - prev.first >= PIECE_EDITS && firstLine > prev.lastLine;
    if (prev && firstLine - prev.lastLine <= JOIN && !full) {
      prev.to = Math.max(prev.to, Math.min(last, lastLine + MARGIN));
      prev.lastLine = Math.max(prev.lastLine, lastLine);
      prev.end = i;
      return;
    }
    let from = Math.max(0, firstLine - MARGIN);
    if (prev && from <= prev.to) {
      prev.to = Math.floor((prev.lastLine + firstLine) / 2);
      from = prev.to + 1;
    }
    pieces.push({ from, to: Math.min(last, lastLine + MARGIN), first: i, end: i, lastLine });
  });
  const parts: Part[] = [];
  const add = (part: Part) => {
    const prev = parts.at(-1);
    if (prev?.kind === 'same' && part.kind === 'same' && prev.to === part.from) prev.to = part.to;
    else if (prev && prev.kind !== 'same' && prev.kind === part.kind) append(prev.lines, part.lines);
    else parts.push(part);
  };
  const lineEnd = (line: number) => (line + 1 <= last ? starts[line + 1]! : before.length);
  let shift = 0; // offset delta of the edits before the piece
  let done = 0; // edits accounted in shift
  let line = 0; // the first old line not yet in `parts`
  for (const p of pieces) {
    for (; done < p.first; done++) shift += delta(edits[done]!);
    if (p.from > line) add({ kind: 'same', from: line, to: p.from });
    const oldFrom = starts[p.from]!;
    const oldTo = lineEnd(p.to);
    let inner = 0;
    for (let i = p.first; i <= p.end; i++) inner += delta(edits[i]!);
    let at = p.from;
    for (const c of diffLines(before.slice(oldFrom, oldTo), after.slice(oldFrom + shift, oldTo + shift + inner))) {
      if (c.added || c.removed) add({ kind: c.added ? 'added' : 'removed', lines: c.value.split(/(?<=\n)/) });
      else add({ kind: 'same', from: at, to: at + c.count });
      if (!c.added) at += c.count;
    }
    line = p.to + 1;
  }
  // the old text's lines (an empty last line after a final newline is none)
  const count = starts[last] === before.length ? last : last + 1;
  if (line < count) add({ kind: 'same', from: line, to: count });
  return hunksOf(parts, context, (i) => before.slice(starts[i], lineEnd(i)));
}

/**
 * The hunks of a sequence of parts, exactly as the diff package's `structuredPatch` makes them from its diff (diff
 * 8.0.1, src/patch/create.ts, diffLinesResultToPatch): `context` unchanged lines around each change, changes at most
 * twice that apart in one hunk, and "\ No newline at end of file" after a line without one. `oldLine(i)` is old line
 * i (0-based) with its newline.
 */
function hunksOf(parts: readonly Part[], context: number, oldLine: (i: number) => string): StructuredPatchHunk[] {
  const hunks: StructuredPatchHunk[] = [];
  const same = (from: number, to: number) => {
    const out: string[] = [];
    for (let i = from; i < to; i++) out.push(` ${oldLine(i)}`);
    return out;
  };
  let oldStart = 0;
  let newStart = 0;
  let range: string[] = [];
  let oldNo = 1;
  let newNo = 1;
  parts.forEach((part, i) => {
    if (part.kind !== 'same') {
      if (!oldStart) {
        oldStart = oldNo;
        newStart = newNo;
        const prev = parts[i - 1];
        if (prev?.kind === 'same' && context > 0) range = same(Math.max(prev.from, prev.to - context), prev.to);
        else range = [];
        oldStart -= range.length;
        newStart -= range.length;
      }
      for (const l of part.lines) range.push((part.kind === 'added' ? '+' : '-') + l);
      if (part.kind === 'added') newNo += part.lines.length;
      else oldNo += part.lines.length;
      return;
    }
    const n = part.to - part.from;
    if (oldStart) {
      // the diff package ends its diff with an empty part: the last unchanged run always closes the hunk
      if (n <= context * 2 && i < parts.length - 1) append(range, same(part.from, part.to));
      else {
        const size = Math.min(n, context);
        append(range, same(part.from, part.from + size));
        hunks.push({
          oldStart,
          oldLines: oldNo - oldStart + size,
          newStart,
          newLines: newNo - newStart + size,
          lines: range,
        });
        oldStart = 0;
        newStart = 0;
        range = [];
      }
    }
    oldNo += n;
    newNo += n;
  });
  if (oldStart)
    hunks.push({ oldStart, oldLines: oldNo - oldStart, newStart, newLines: newNo - newStart, lines: range });
  for (const h of hunks) {
    const out: string[] = [];
    for (const l of h.lines) {
      if (l.endsWith('\n')) out.push(l.slice(0, -1));
      else out.push(l, '\\ No newline at end of file');
    }
    h.lines = out;
  }
  return hunks;
}

const sortedEdits = (edits: readonly TextEdit[]) => [...edits].sort((a, b) => a.start - b.start);

export function unifiedDiff(
  path: string,
  before: string,
  after: string,
  c: ChalkInstance,
  edits?: readonly TextEdit[],
): string {
  // the header names the file as git does, its control characters escaped; the lines below are the file's own text
  const shown = printable(path);
  const names = [
    shown.startsWith('/') ? `a${shown}` : `a/${shown}`,
    shown.startsWith('/') ? `b${shown}` : `b/${shown}`,
  ];
  const patch = edits?.length
    ? formatPatch({
        oldFileName: names[0]!,
        newFileName: names[1]!,
        oldHeader: undefined,
        newHeader: undefined,
        hunks: hunksAround(before, after, sortedEdits(edits), CONTEXT),
      })
    : createTwoFilesPatch(names[0]!, names[1]!, before, after, undefined, undefined, { context: CONTEXT });
  const lines = patch.split('\n');
  // The first line createTwoFilesPatch writes is a "====" separator: drop it, git-style output starts with ---/+++.
  if (lines[0]?.startsWith('=')) lines.shift();
  return lines
    .map((l) => {
      if (l.startsWith('+++') || l.startsWith('---')) return c.bold(l);
      if (l.startsWith('@@')) return c.cyan(l);
      if (l.startsWith('+')) return c.green(l);
      if (l.startsWith('-')) return c.red(l);
      return l;
    })
    .join('\n');
}

/** A range of lines of the new text (1-based, inclusive) that a change touches. */
export interface LineRange {
  start: number;
  end: number;
}

/**
 * The lines of `after` that differ from `before`, one range per change (a change that only deletes lines is the line
 * after the deletion). Empty when the texts are equal. With the edits that made `after`, only the stretches around
 * them are compared, as for `unifiedDiff`.
 */
export function changedLines(before: string, after: string, edits?: readonly TextEdit[]): LineRange[] {
  if (before === after) return [];
  const hunks = edits?.length
    ? hunksAround(before, after, sortedEdits(edits), 0)
    : structuredPatch('a', 'b', before, after, undefined, undefined, { context: 0 }).hunks;
  const last = Math.max(1, after.split('\n').length - (after.endsWith('\n') ? 1 : 0));
  return hunks.map((h) => {
    if (h.newLines === 0) {
      const at = Math.min(last, Math.max(1, h.newStart + 1));
      return { start: at, end: at };
    }
    return { start: h.newStart, end: h.newStart + h.newLines - 1 };
  });
}
