/** Unified diffs of migrated files (the `diff` package), coloured when asked. */
import { createTwoFilesPatch, structuredPatch } from 'diff';
import type { ChalkInstance } from 'chalk';

export function unifiedDiff(path: string, before: string, after: string, c: ChalkInstance): string {
  const patch = createTwoFilesPatch(
    path.startsWith('/') ? `a${path}` : `a/${path}`,
    path.startsWith('/') ? `b${path}` : `b/${path}`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  );
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
 * after the deletion). Empty when the texts are equal.
 */
export function changedLines(before: string, after: string): LineRange[] {
  if (before === after) return [];
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: 0 });
  const last = Math.max(1, after.split('\n').length - (after.endsWith('\n') ? 1 : 0));
  return patch.hunks.map((h) => {
    if (h.newLines === 0) {
      const at = Math.min(last, Math.max(1, h.newStart + 1));
      return { start: at, end: at };
    }
    return { start: h.newStart, end: h.newStart + h.newLines - 1 };
  });
}
