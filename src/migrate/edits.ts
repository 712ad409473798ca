/** Text edits: the only way this tool changes a file. Offsets are into the file's original text. */

export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.file === b.file && a.start === b.start && a.end === b.end && a.text === b.text;
}

export function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file) return false;
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end || (a.start === a.end && a.start > b.start && a.start < b.end) || (b.start === b.end && b.start > a.start && b.start < a.end);
}

/** Drops exact duplicates (a template edited on behalf of several jobs); returns them sorted. */
export function dedupe(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) if (!out.some((o) => sameEdit(o, e))) out.push(e);
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Applies non-overlapping edits; throws when two overlap (a bug: callers check `overlaps` first). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = dedupe(edits);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) throw new Error(`overlapping edits at ${e.start}`);
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/** Checks that everything outside the edited ranges is unchanged in `after` (the verification step). */
export function outsideUnchanged(before: string, after: string, edits: TextEdit[]): boolean {
  const sorted = dedupe(edits);
  let a = 0;
  let b = 0;
  for (const e of sorted) {
    const keep = before.slice(a, e.start);
    if (after.slice(b, b + keep.length) !== keep) return false;
    b += keep.length + e.text.length;
    a = e.end;
  }
  return after.slice(b) === before.slice(a);
}
