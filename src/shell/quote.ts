/**
 * Shell text as segments, and rendering segments back into one shell word.
 *
 * A value read from the file keeps its expansions verbatim (`$CI_X`, `${A:-b}`, `$(cmd)`); only literal text is ever re-quoted.
 * Rendering keeps an expansion unquoted when it was unquoted in the original and everything around it is safe unquoted, so
 * word splitting stays what it was; otherwise the whole word is double-quoted.
 */
import type { Segment, Word } from './types.js';
import { segmentsValue } from './words.js';

export type ShellText = readonly Segment[];

export function lit(text: string): ShellText {
  return text === '' ? [] : [{ kind: 'literal', text, quote: 'none' }];
}

export function concat(...parts: ShellText[]): ShellText {
  const out: Segment[] = [];
  for (const part of parts) for (const seg of part) out.push(seg);
  return out;
}

/** Joins texts with a literal separator. */
export function join(parts: readonly ShellText[], sep: string): ShellText {
  // a loop, not `concat(...parts)`: a spread of 140,000 parts (70,000 `--destination` flags) overflows the stack
  const out: Segment[] = [];
  parts.forEach((p, i) => {
    if (i > 0) for (const seg of lit(sep)) out.push(seg);
    for (const seg of p) out.push(seg);
  });
  return out;
}

/** The value when every segment is literal; undefined when any part is only known at run time (`segmentsValue`). */
export const staticText: (text: ShellText) => string | undefined = segmentsValue;

export function isStatic(text: ShellText): boolean {
  return staticText(text) !== undefined;
}

/** The raw text of a non-literal segment, or the literal text itself: how a person reads the value. */
export function displayText(text: ShellText): string {
  return text.map((s) => (s.kind === 'literal' ? s.text : s.raw)).join('');
}

/** Segments of a word after `skip` literal characters (for `--flag=value` inside one word). */
export function dropPrefix(text: ShellText, skip: number): ShellText {
  const out: Segment[] = [];
  let left = skip;
  for (const seg of text) {
    if (left === 0) {
      out.push(seg);
      continue;
    }
    if (seg.kind !== 'literal') throw new Error('dropPrefix: prefix is not literal');
    if (seg.text.length <= left) {
      left -= seg.text.length;
      continue;
    }
    out.push({ ...seg, text: seg.text.slice(left) });
    left = 0;
  }
  return out;
}

/** The leading literal characters (before any expansion). */
export function literalPrefix(text: ShellText): string {
  let s = '';
  for (const seg of text) {
    if (seg.kind !== 'literal') break;
    s += seg.text;
  }
  return s;
}

/**
 * Splits at the last occurrence of `ch` that sits in literal text, when no later literal text contains `stopAt`.
 * Returns undefined when there is no such occurrence. Used for `dir/file` and `repo:tag`.
 */
export function splitLast(text: ShellText, ch: string, stopAt = ''): [ShellText, ShellText] | undefined {
  for (let i = text.length - 1; i >= 0; i--) {
    const seg = text[i]!;
    if (seg.kind !== 'literal') continue;
    const at = seg.text.lastIndexOf(ch);
    const tailLit = at < 0 ? seg.text : seg.text.slice(at + 1);
    if (stopAt && tailLit.includes(stopAt)) return undefined;
    if (at < 0) continue;
    const before: Segment[] = [...text.slice(0, i)];
    if (at > 0) before.push({ ...seg, text: seg.text.slice(0, at) });
    const after: Segment[] = [];
    if (at + 1 < seg.text.length) after.push({ ...seg, text: seg.text.slice(at + 1) });
    for (const s of text.slice(i + 1)) after.push(s);
    return [before, after];
  }
  return undefined;
}

/** Splits at the first `sep` in literal text; undefined when no literal text holds it. Used for `KEY=VALUE`, `host/path`. */
export function splitFirst(text: ShellText, sep: string): [ShellText, ShellText] | undefined {
  for (let i = 0; i < text.length; i++) {
    const seg = text[i]!;
    if (seg.kind !== 'literal') continue;
    const at = seg.text.indexOf(sep);
    if (at < 0) continue;
    const before = [...text.slice(0, i), ...(at > 0 ? [{ ...seg, text: seg.text.slice(0, at) }] : [])];
    const after = [
      ...(at + sep.length < seg.text.length ? [{ ...seg, text: seg.text.slice(at + sep.length) }] : []),
      ...text.slice(i + 1),
    ];
    return [before, after];
  }
  return undefined;
}

/** Splits at every `sep` in literal text, leaving out empty parts (`a;b;` → a, b). */
export function splitAll(text: ShellText, sep: string): ShellText[] {
  const out: ShellText[] = [];
  let rest: ShellText = text;
  for (let parts = splitFirst(rest, sep); parts; parts = splitFirst(rest, sep)) {
    out.push(parts[0]);
    rest = parts[1];
  }
  out.push(rest);
  return out.filter((t) => t.length);
}

/** One trailing `/` of the last literal removed (`app/` → `app`), but never the whole of `/`. */
export function stripTrailingSlash(text: ShellText): ShellText {
  const last = text[text.length - 1];
  if (last?.kind === 'literal' && last.text.length > 1 && last.text.endsWith('/')) {
    return [...text.slice(0, -1), { ...last, text: last.text.slice(0, -1) }];
  }
  return text;
}

/** `dir/rel` as a path: `rel` alone when `dir` is `.`; a leading `./` of a static `rel` is dropped. */
export function joinPath(dir: ShellText, rel: ShellText): ShellText {
  if (staticText(dir) === '.') return rel;
  const relStatic = staticText(rel);
  return concat(dir, lit('/'), relStatic?.startsWith('./') ? lit(relStatic.slice(2)) : rel);
}

const SAFE_UNQUOTED = /^[A-Za-z0-9_./:=,@%+^-]*$/;
const NAME_CHAR = /^[A-Za-z0-9_]/;

function needsBraces(seg: Segment, next: Segment | undefined): boolean {
  return (
    seg.kind === 'param' &&
    !seg.raw.startsWith('${') &&
    /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(seg.raw) &&
    next?.kind === 'literal' &&
    NAME_CHAR.test(next.text)
  );
}

function expansionRaw(
  seg: Exclude<Segment, { kind: 'literal' } | { kind: 'glob' }>,
  next: Segment | undefined,
): string {
  return needsBraces(seg, next) ? `\${${seg.raw.slice(1)}}` : seg.raw;
}

function singleQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Renders segments as one shell word that the shell reads back as the same value. */
export function renderWord(text: ShellText): string {
  const first = text[0];
  if (first?.kind === 'literal' && first.tilde && first.text.startsWith('~')) {
    // `~` expands only unquoted at the start of a word: keep it there, render the rest after it.
    const rest: ShellText = [{ kind: 'literal', text: first.text.slice(1), quote: first.quote }, ...text.slice(1)];
    return `~${staticText(rest) === '' ? '' : renderWord(rest)}`;
  }
  const value = staticText(text);
  if (value !== undefined) {
    if (value === '') return "''";
    if (SAFE_UNQUOTED.test(value)) return value;
    if (/^[A-Za-z0-9_./:=,@%+^"-]*$/.test(value)) return value.replace(/"/g, '\\"');
    return singleQuote(value);
  }
  // Unquoted form: expansions unquoted in the original, literals safe (a CSV `"` becomes `\"`).
  const unquotedOk = text.every((seg) =>
    seg.kind === 'literal' ? /^[A-Za-z0-9_./:=,@%+^"-]*$/.test(seg.text) : seg.kind !== 'glob' && !seg.quoted,
  );
  let out = '';
  if (unquotedOk) {
    text.forEach((seg, i) => {
      out +=
        seg.kind === 'literal'
          ? seg.text.replace(/"/g, '\\"')
          : seg.kind === 'glob'
            ? seg.raw
            : expansionRaw(seg, text[i + 1]);
    });
    return out;
  }
  text.forEach((seg, i) => {
    if (seg.kind === 'literal') out += seg.text.replace(/[\\"$`]/g, (c) => `\\${c}`);
    else if (seg.kind === 'glob') out += seg.raw;
    // written in single quotes: the interpolated text stays single-quoted (the double quotes close around it)
    else if (seg.kind === 'interpolation' && seg.single) out += `"'${seg.raw}'"`;
    else out += expansionRaw(seg, text[i + 1]);
  });
  // `""'$[[ inputs.x ]]'…`: the empty quotes a single-quoted interpolation leaves at either end are dropped
  return `"${out}"`.replace(/^""(?=')/, '').replace(/(?<=')""$/, '');
}

/** A word's text as segments (its own segments; a fully literal word collapses to one literal). */
export function wordText(word: Word): ShellText {
  return word.segments;
}
