/**
 * Unified diffs of migrated files (the `diff` package), coloured when asked. With the edits that made `after`, only the
 * stretches around them are compared (a general diff of a whole 10,000-job file is the slow part of a dry run), and
 * the result is the same text the whole-file diff gives (test/report/diff-edits.test.ts checks it on every fixture).
 */
import { createTwoFilesPatch, formatPatch, structuredPatch, type StructuredPatchHunk } from 'diff';
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

const newlines = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
};

/** The hunks of `before` → `after` compared only around `edits` (sorted, not overlapping, offsets into `before`). */
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
  // stretches of old lines [from, to], each edit's lines with MARGIN lines around, joined where the edits' lines are
  // close enough for one hunk; where the margins of two stretches meet but the edits are farther apart, the lines
  // between are shared out at the middle (each side keeps a context and four lines more: with less, a diff of the
  // stretch can place a change elsewhere than the whole file's diff does): joining them instead made one stretch of a
  // whole file whose Kaniko jobs stand a few jobs apart, and the diff of that grows with its square (issue 18)
  const JOIN = 2 * context + 8;
  const stretches: { from: number; to: number; first: number; end: number; lastLine: number }[] = [];
  edits.forEach((e, i) => {
    const firstLine = lineAt(e.start);
    const lastLine = lineAt(e.end);
    const prev = stretches.at(-1);
    if (prev && firstLine - prev.lastLine <= JOIN) {
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
    stretches.push({ from, to: Math.min(last, lastLine + MARGIN), first: i, end: i, lastLine });
  });
  const hunks: StructuredPatchHunk[] = [];
  let shift = 0; // offset delta of the edits before the stretch
  let lineShift = 0; // line delta of the same edits
  let done = 0; // edits accounted in shift
  for (const s of stretches) {
    for (; done < s.first; done++) {
      const e = edits[done]!;
      shift += e.text.length - (e.end - e.start);
      lineShift += newlines(e.text) - newlines(before.slice(e.start, e.end));
    }
    const oldFrom = starts[s.from]!;
    const oldTo = s.to + 1 <= last ? starts[s.to + 1]! : before.length;
    let inner = 0;
    for (let i = s.first; i <= s.end; i++) inner += edits[i]!.text.length - (edits[i]!.end - edits[i]!.start);
    const part = structuredPatch(
      'a',
      'b',
      before.slice(oldFrom, oldTo),
      after.slice(oldFrom + shift, oldTo + shift + inner),
      undefined,
      undefined,
      { context },
    );
    for (const h of part.hunks)
      hunks.push({ ...h, oldStart: h.oldStart + s.from, newStart: h.newStart + s.from + lineShift });
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
