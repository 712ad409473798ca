/**
 * Edits in value space: a script item's shell text as the generator or the YAML scalar produces it, before it is
 * encoded back into the file. Every host (YAML scalar, TypeScript literal, plain script) encodes these in its own way.
 */

/** A change in value space: replace value[start, end) by `parts` joined with soft or hard breaks. */
export interface ValueEdit {
  start: number;
  end: number;
  parts: string[];
  join: 'soft' | 'hard';
  /** Lay `parts` out one per line (soft breaks become line breaks); otherwise soft breaks are spaces. */
  multiline: boolean;
  /** For multi-line soft joins in a literal block: extra indentation of continuation lines. */
  continuation?: string;
  /** Take the indentation of new lines from the line holding this value offset (default: the edit's own line). */
  leadFrom?: number;
}

/** Joins parts for the value the shell will read (soft breaks as spaces). */
export function joinParts(edit: ValueEdit): string {
  return edit.parts.join(edit.join === 'soft' ? ' ' : '\n');
}

/** Last first; at one offset the replacement before the insertion, so that the insertion ends up in front of it. */
function lastFirst(edits: readonly ValueEdit[]): ValueEdit[] {
  return [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
}

/** The first edit that overlaps another one, or undefined. */
export function overlappingEdit(edits: readonly ValueEdit[]): ValueEdit | undefined {
  const sorted = lastFirst(edits);
  return sorted.find((e, i) => i > 0 && e.end > sorted[i - 1]!.start);
}

/** The value with the (non-overlapping) edits applied, soft breaks as spaces. */
export function applyValueEdits(value: string, edits: readonly ValueEdit[]): string {
  let out = value;
  for (const e of lastFirst(edits)) out = out.slice(0, e.start) + joinParts(e) + out.slice(e.end);
  return out;
}
