/**
 * Reading a migrated file back for verification, without composing what no edit can have changed.
 *
 * The jobs of a GitLab CI file are the entries of one block mapping at column 0. An entry's text is read the same way
 * whatever the other entries hold, as long as the entry before it ends cleanly (no open quote or flow collection), which
 * the parse of the kept entries checks. So the verification parses the migrated text without the entries that hold no
 * edit and that nothing checked reads: the returned file is that shorter text, with its own offsets (the checks
 * compare data and read jobs back; they report no positions). For a pipeline of thousands of jobs of which a few build
 * with Kaniko, that is a small part of the file.
 *
 * Kept: the entries holding edits, the entries given by name or by an offset inside them (what the checked jobs read),
 * every entry of the same name as a kept one (a key given twice is its last value, as GitLab reads it),
 * and, until nothing more is added, the entries holding an anchor (`&x`) that a kept entry aliases (`*x`) and the
 * entries a kept entry names in `!reference`. When the file is not laid out as such a mapping, the whole text is parsed.
 */
import { isMap, isScalar, type ParsedNode } from 'yaml';
import { keyName } from '../pipeline/jobs.js';
import { jobsMap, parseSource, type SourceFile } from '../pipeline/source.js';
import type { TextEdit } from '../text/edits.js';

interface Entry {
  name: string | undefined;
  /** Start of the key (a line start) and the start of the next entry's key (or the end of the last value), in `before`. */
  start: number;
  end: number;
}

export interface KeepList {
  /** Entries by name (global keywords, jobs). */
  names: Set<string>;
  /** Entries holding these offsets of the original text. */
  offsets: number[];
}

/** The top-level entries of the jobs mapping, or undefined when the file is not a block mapping of column-0 keys. */
function entriesOf(file: SourceFile): Entry[] | undefined {
  const map = jobsMap(file);
  if (!map || !isMap(map) || map.flow) return undefined;
  const out: Entry[] = [];
  for (const pair of map.items) {
    const key = pair.key as ParsedNode | null;
    if (!key || !isScalar(key) || !key.range) return undefined;
    const start = key.range[0];
    if (start !== 0 && file.text[start - 1] !== '\n') return undefined;
    const value = pair.value as ParsedNode | null;
    out.push({ name: keyName(pair), start, end: value?.range?.[1] ?? key.range[1] });
  }
  for (let i = 0; i + 1 < out.length; i++) out[i]!.end = out[i + 1]!.start;
  return out;
}

/** The index of the entry holding `offset`, or -1. */
function entryAt(entries: Entry[], offset: number): number {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (entries[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  const e = entries[lo];
  return e && e.start <= offset && offset < e.end ? lo : -1;
}

function keptEntries(file: SourceFile, entries: Entry[], edits: TextEdit[], keep: KeepList): Set<number> {
  const kept = new Set<number>();
  const queue: number[] = [];
  const byName = new Map<string, number[]>();
  entries.forEach(
    (e, i) => e.name !== undefined && (byName.get(e.name) ?? byName.set(e.name, []).get(e.name)!).push(i),
  );
  // An entry whose key is given again (GitLab keeps the last) is kept with every entry of that name, so the shorter
  // text gives the key the value the whole text gives it.
  const add = (i: number) => {
    if (i < 0 || kept.has(i)) return;
    const name = entries[i]!.name;
    for (const j of name === undefined ? [i] : byName.get(name)!) {
      if (kept.has(j)) continue;
      kept.add(j);
      queue.push(j);
    }
  };
  for (const name of keep.names) for (const i of byName.get(name) ?? []) add(i);
  for (const offset of keep.offsets) add(entryAt(entries, offset));
  // An edit belongs to every entry it touches: an insertion at the start of an entry keeps that entry and the one before.
  for (const e of edits)
    for (let i = Math.max(0, entryAt(entries, e.start) - 1); i < entries.length && entries[i]!.start <= e.end; i++) {
      if (entries[i]!.end >= e.start) add(i);
    }
  const anchors = new Map<string, number[]>();
  for (const a of file.anchors ?? []) {
    const i = entryAt(entries, (a.node as ParsedNode).range?.[0] ?? -1);
    if (i >= 0) (anchors.get(a.name) ?? anchors.set(a.name, []).get(a.name)!).push(i);
  }
  while (queue.length) {
    const e = entries[queue.pop()!]!;
    const text = file.text.slice(e.start, e.end);
    if (anchors.size && text.includes('*'))
      for (const m of text.matchAll(/\*([^\s,[\]{}]+)/g)) for (const i of anchors.get(m[1]!) ?? []) add(i);
    for (const m of text.matchAll(/!reference\s*\[\s*["']?([^,\]"'\s]+)/g))
      for (const i of byName.get(m[1]!) ?? []) add(i);
  }
  return kept;
}

/**
 * Parses `output` (the migrated text of `before`, made by `edits`) with only the entries named in `keep`, the edited
 * ones and what they refer to; the text of the file returned is just those entries (and what is before and after the
 * jobs mapping). When that text does not parse, or a kept entry no longer starts a key of its own in it (an edit ran
 * on into the next entry), the whole output is parsed instead (and throws InputError as parseSource does).
 */
export function parseKept(before: SourceFile, output: string, edits: TextEdit[], keep: KeepList): SourceFile {
  const entries = entriesOf(before);
  if (!entries) return parseSource(before.path, output);
  const kept = keptEntries(before, entries, edits, keep);
  if (kept.size === entries.length) return parseSource(before.path, output);

  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let edit = 0;
  let shift = 0;
  /** Where an offset of the original text (outside every edit) is in the output. */
  const moved = (offset: number) => {
    while (edit < sorted.length && sorted[edit]!.end <= offset) {
      shift += sorted[edit]!.text.length - (sorted[edit]!.end - sorted[edit]!.start);
      edit++;
    }
    return offset + shift;
  };
  const parts = [output.slice(0, moved(entries[0]!.start))];
  const starts: number[] = [];
  let length = parts[0]!.length;
  entries.forEach((e, i) => {
    const start = moved(e.start);
    const end = moved(e.end);
    if (!kept.has(i)) return;
    starts.push(length);
    parts.push(output.slice(start, end));
    length += end - start;
  });
  parts.push(output.slice(moved(entries.at(-1)!.end)));
  // Anything unexpected in the shorter text (an error, an entry run into the next): the whole text is parsed instead,
  // which reports the error where it is in the file, or reads what the shorter text could not.
  let parsed: SourceFile;
  try {
    parsed = parseSource(before.path, parts.join(''));
  } catch {
    return parseSource(before.path, output);
  }
  const keys = new Set((jobsMap(parsed)?.items ?? []).map((p) => (p.key as ParsedNode | null)?.range?.[0]));
  return starts.every((s) => keys.has(s)) ? parsed : parseSource(before.path, output);
}
