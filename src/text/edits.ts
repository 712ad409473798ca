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
  return (
    (a.start < b.end && b.start < a.end) ||
    (a.start === a.end && a.start > b.start && a.start < b.end) ||
    (b.start === b.end && b.start > a.start && b.start < a.end)
  );
}

/** Drops exact duplicates (a template edited on behalf of several jobs); returns them sorted. */
export function dedupe(edits: TextEdit[]): TextEdit[] {
  // keyed by place; the texts (long: whole rewritten calls) are compared only among edits of the same place
  const seen = new Map<string, TextEdit[]>();
  const out: TextEdit[] = [];
  for (const e of edits) {
    const key = `${e.file}\0${e.start}\0${e.end}`;
    const here = seen.get(key);
    if (here?.some((o) => o.text === e.text)) continue;
    if (here) here.push(e);
    else seen.set(key, [e]);
    out.push(e);
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * Edits accepted so far, indexed by file and by stretch of text, so that checking a new edit for overlap looks only at
 * the edits near it (a pipeline of 10,000 jobs has thousands of edits).
 */
export class EditIndex {
  private static readonly SPAN = 512;
  private readonly buckets = new Map<string, TextEdit[]>();

  private keys(e: TextEdit): string[] {
    const out: string[] = [];
    for (let b = Math.floor(e.start / EditIndex.SPAN); b <= Math.floor(e.end / EditIndex.SPAN); b++)
      out.push(`${e.file}\0${b}`);
    return out;
  }

  /** An accepted edit that overlaps `e` and is not the very same edit. */
  clash(e: TextEdit): TextEdit | undefined {
    for (const key of this.keys(e)) {
      const hit = this.buckets.get(key)?.find((a) => overlaps(a, e) && !sameEdit(a, e));
      if (hit) return hit;
    }
    return undefined;
  }

  add(e: TextEdit): void {
    for (const key of this.keys(e)) (this.buckets.get(key) ?? this.buckets.set(key, []).get(key)!).push(e);
  }
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
