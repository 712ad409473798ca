/** Unified diffs of migrated files (the `diff` package), coloured when asked. */
import { createTwoFilesPatch } from 'diff';
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
