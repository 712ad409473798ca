/**
 * String and template literals as shell text: the value the generator produces (its "cooked" text, escapes processed,
 * each template placeholder replaced by a marker `${__K2B_n}` the shell reader takes for a variable of unknown value),
 * a map from every character of that value back to the source, and the text edits that turn the literal into one whose
 * value is a new text, written in the literal's own style (quote kind, escapes and placeholders kept where unchanged).
 *
 * Plain data in and out: the caller (the ts-morph walk) gives offsets; nothing here loads ts-morph.
 */
import { append } from '../text/append.js';
import { diffArrays } from 'diff';
import type { TextEdit } from '../text/edits.js';

export interface Placeholder {
  /** The expression's source text between `${` and `}` (whitespace and comments included). */
  exprText: string;
  /** The whole `${…}` in the file. */
  rawStart: number;
  rawEnd: number;
  /** A plain name, property access or literal: evaluating it again (or not at all) changes nothing. */
  pure: boolean;
}

export interface LiteralModel {
  file: string;
  kind: 'string' | 'template';
  /** `'`, `"` or a backquote. */
  quote: string;
  /** The literal node in the file (quotes included). */
  start: number;
  end: number;
  /** Offsets of the first content character and of the closing quote. */
  contentStart: number;
  contentEnd: number;
  /** The value with markers for placeholders. */
  cooked: string;
  /** For each UTF-16 unit of `cooked`: its source range (a marker's units all get the `${…}` range). */
  spans: { start: number; end: number }[];
  /** One per marker number (pure placeholders with the same expression share one). */
  placeholders: Placeholder[];
  /** `__K2B_` unless the text already holds it. */
  prefix: string;
  /** A template literal with real line breaks: new line breaks are written as line breaks, not `\n`. */
  rawNewlines: boolean;
}

export interface LiteralShape {
  file: string;
  kind: 'string' | 'template';
  start: number;
  end: number;
  /** Content pieces between the quotes and placeholders, in order (one for a string literal). */
  pieces: { start: number; end: number }[];
  /** The placeholders between consecutive pieces (`pieces.length - 1` of them), in source order. */
  placeholders: Placeholder[];
  /** What TypeScript says each piece's value is: the model is refused when our reading differs. */
  cookedPieces?: string[];
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };

/** The value of a piece of literal source, with each value unit's source range. Undefined on a malformed escape. */
export function cook(
  text: string,
  from: number,
  to: number,
  template: boolean,
): { value: string; spans: { start: number; end: number }[] } | undefined {
  let value = '';
  const spans: { start: number; end: number }[] = [];
  const push = (v: string, start: number, end: number) => {
    value += v;
    for (let k = 0; k < v.length; k++) spans.push({ start, end });
  };
  let i = from;
  while (i < to) {
    const c = text[i]!;
    if (c === '\\') {
      const n = text[i + 1];
      if (n === undefined || i + 1 >= to) return undefined;
      if (n in SIMPLE_ESCAPES) {
        push(SIMPLE_ESCAPES[n]!, i, i + 2);
        i += 2;
      } else if (n === 'x') {
        const hex = text.slice(i + 2, i + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
        push(String.fromCharCode(parseInt(hex, 16)), i, i + 4);
        i += 4;
      } else if (n === 'u') {
        if (text[i + 2] === '{') {
          const close = text.indexOf('}', i + 3);
          const hex = close < 0 ? '' : text.slice(i + 3, close);
          if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) return undefined;
          push(String.fromCodePoint(parseInt(hex, 16)), i, close + 1);
          i = close + 1;
        } else {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
          push(String.fromCharCode(parseInt(hex, 16)), i, i + 6);
          i += 6;
        }
      } else if (n === '\r') {
        const len = text[i + 2] === '\n' ? 3 : 2;
        push('', i, i + len);
        i += len;
      } else if (n === '\n' || n === '\u2028' || n === '\u2029') {
        i += 2;
      } else if (/[0-7]/.test(n)) {
        if (n === '0' && !/[0-9]/.test(text[i + 2] ?? '')) {
          push('\0', i, i + 2);
          i += 2;
        } else {
          if (template) return undefined;
          const m = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0];
          const digits = parseInt(m, 8) > 255 ? m.slice(0, 2) : m;
          push(String.fromCharCode(parseInt(digits, 8)), i, i + 1 + digits.length);
          i += 1 + digits.length;
        }
      } else if (n === '8' || n === '9') {
        if (template) return undefined;
        push(n, i, i + 2);
        i += 2;
      } else {
        const cp = text.codePointAt(i + 1)!;
        const ch = String.fromCodePoint(cp);
        push(ch, i, i + 1 + ch.length);
        i += 1 + ch.length;
      }
    } else if (template && c === '\r') {
      const len = text[i + 1] === '\n' ? 2 : 1;
      push('\n', i, i + len);
      i += len;
    } else {
      push(c, i, i + 1);
      i++;
    }
  }
  return { value, spans };
}

export function markerText(prefix: string, index: number): string {
  return `\${${prefix}${index}}`;
}

/** The literal as shell text with markers; undefined when its escapes cannot be read the way TypeScript reads them. */
export function buildLiteral(fileText: string, shape: LiteralShape): LiteralModel | undefined {
  const cookedPieces: { value: string; spans: { start: number; end: number }[] }[] = [];
  for (const [k, p] of shape.pieces.entries()) {
    const c = cook(fileText, p.start, p.end, shape.kind === 'template');
    if (!c) return undefined;
    if (shape.cookedPieces && shape.cookedPieces[k] !== c.value) return undefined;
    cookedPieces.push(c);
  }
  const plain = cookedPieces.map((c) => c.value).join('');
  let prefix = '__K2B_';
  for (let n = 2; plain.includes(prefix); n++) prefix = `__K2B${n}_`;
  // One marker per distinct value: placeholders with the same pure expression (`${dir}` twice) share it, so the flag
  // table sees the same variable (a --dockerfile under the --context, say).
  const placeholders: Placeholder[] = [];
  const markerOf = shape.placeholders.map((ph) => {
    const same = ph.pure ? placeholders.findIndex((p) => p.pure && p.exprText.trim() === ph.exprText.trim()) : -1;
    if (same >= 0) return same;
    placeholders.push(ph);
    return placeholders.length - 1;
  });
  let cooked = '';
  const spans: { start: number; end: number }[] = [];
  for (const [k, c] of cookedPieces.entries()) {
    cooked += c.value;
    append(spans, c.spans);
    const ph = shape.placeholders[k];
    if (k < cookedPieces.length - 1 && ph) {
      const m = markerText(prefix, markerOf[k]!);
      cooked += m;
      for (let u = 0; u < m.length; u++) spans.push({ start: ph.rawStart, end: ph.rawEnd });
    }
  }
  const quote = fileText[shape.start]!;
  const first = shape.pieces[0]!;
  const last = shape.pieces[shape.pieces.length - 1]!;
  const rawNewlines =
    shape.kind === 'template' && shape.pieces.some((p) => /[\r\n]/.test(fileText.slice(p.start, p.end)));
  return {
    file: shape.file,
    kind: shape.kind,
    quote,
    start: shape.start,
    end: shape.end,
    contentStart: first.start,
    contentEnd: last.end,
    cooked,
    spans,
    placeholders,
    prefix,
    rawNewlines,
  };
}

/** Source offset of a value offset (for finding positions). */
export function sourceOffsetOf(model: LiteralModel, offset: number): number {
  if (offset >= model.spans.length) return model.contentEnd;
  return model.spans[Math.max(0, offset)]!.start;
}

export function markerPattern(prefix: string): RegExp {
  return new RegExp(`\\$\\{${prefix}(\\d+)\\}|\\$${prefix}(\\d+)(?![A-Za-z0-9_])`, 'g');
}

interface Token {
  key: string;
  text: string;
  start: number;
  end: number;
  marker?: number;
}

function tokenize(text: string, prefix: string): Token[] {
  const tokens: Token[] = [];
  const plain = (from: number, to: number) => {
    const re = /\r?\n|[ \t]+|[^ \t\r\n]+|\r/g;
    re.lastIndex = 0;
    const s = text.slice(from, to);
    for (let m = re.exec(s); m; m = re.exec(s))
      tokens.push({ key: `t${m[0]}`, text: m[0], start: from + m.index, end: from + m.index + m[0].length });
  };
  const re = markerPattern(prefix);
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    plain(at, m.index);
    const n = Number(m[1] ?? m[2]);
    tokens.push({ key: `m${n}`, text: m[0], start: m.index, end: m.index + m[0].length, marker: n });
    at = m.index + m[0].length;
  }
  plain(at, text.length);
  return tokens;
}

/** Writes `text` (no markers) as literal source for this literal's quote. */
export function encodeText(text: string, quote: string, rawNewlines: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else if (quote === '`' && ch === '$' && (text[i + 1] === '{' || i === text.length - 1)) out += '\\$';
    else if (ch === '\n') out += quote === '`' && rawNewlines ? '\n' : '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\u2028') out += '\\u2028';
    else if (ch === '\u2029') out += '\\u2029';
    else if (ch === '\0') out += '\\x00';
    else out += ch;
  }
  return out;
}

/** Literal source for a new value that may hold markers (written back as `${expr}`). */
export function encodeValue(model: LiteralModel, value: string): string {
  let out = '';
  let at = 0;
  const re = markerPattern(model.prefix);
  for (let m = re.exec(value); m; m = re.exec(value)) {
    out += encodeText(value.slice(at, m.index), model.quote, model.rawNewlines);
    const ph = model.placeholders[Number(m[1] ?? m[2])]!;
    out += `\${${ph.exprText}}`;
    at = m.index + m[0].length;
  }
  return out + encodeText(value.slice(at), model.quote, model.rawNewlines);
}

/**
 * Text edits turning the literal's value into `value`: a token diff (words, blanks, line breaks, markers), so
 * unchanged words keep their source form; changed runs separated only by blanks become one edit.
 */
export function literalEdits(model: LiteralModel, value: string): TextEdit[] {
  if (value === model.cooked) return [];
  const oldT = tokenize(model.cooked, model.prefix);
  const newT = tokenize(value, model.prefix);
  const changes = diffArrays(
    oldT.map((t) => t.key),
    newT.map((t) => t.key),
  );
  interface Hunk {
    oldFrom: number;
    oldTo: number;
    newFrom: number;
    newTo: number;
  }
  const hunks: Hunk[] = [];
  let oi = 0;
  let ni = 0;
  let pending: Hunk | undefined;
  for (const ch of changes) {
    const n = ch.count ?? ch.value.length;
    if (!ch.added && !ch.removed) {
      if (pending) hunks.push(pending);
      pending = undefined;
      oi += n;
      ni += n;
      continue;
    }
    pending ??= { oldFrom: oi, oldTo: oi, newFrom: ni, newTo: ni };
    if (ch.removed) {
      oi += n;
      pending.oldTo = oi;
    } else {
      ni += n;
      pending.newTo = ni;
    }
  }
  if (pending) hunks.push(pending);
  // Merge hunks separated by blanks only (the replaced call shares spaces with the old one, by chance).
  const merged: Hunk[] = [];
  for (const h of hunks) {
    const prev = merged[merged.length - 1];
    if (prev && oldT.slice(prev.oldTo, h.oldFrom).every((t) => /^[ \t]+$/.test(t.text))) {
      prev.oldTo = h.oldTo;
      prev.newTo = h.newTo;
    } else merged.push({ ...h });
  }
  const rawStart = (k: number) => (k < oldT.length ? model.spans[oldT[k]!.start]!.start : model.contentEnd);
  const rawEnd = (k: number) => model.spans[oldT[k]!.end - 1]!.end;
  return merged.map((h) => {
    const start = rawStart(h.oldFrom);
    const end = h.oldTo > h.oldFrom ? rawEnd(h.oldTo - 1) : start;
    const text = encodeValue(
      model,
      newT
        .slice(h.newFrom, h.newTo)
        .map((t) => t.text)
        .join(''),
    );
    return { file: model.file, start, end, text };
  });
}

/** The whole literal written anew (for tests and replacement snippets). */
export function literalSource(
  model: Pick<LiteralModel, 'quote' | 'rawNewlines' | 'prefix' | 'placeholders'>,
  value: string,
): string {
  return `${model.quote}${encodeValue(model as LiteralModel, value)}${model.quote}`;
}

/** Replaces markers in a message with the placeholders' source (`${dir}`). */
export function showMarkers(model: Pick<LiteralModel, 'prefix' | 'placeholders'>, text: string): string {
  return text.replace(
    markerPattern(model.prefix),
    (_, a: string | undefined, b: string | undefined) =>
      `\${${model.placeholders[Number(a ?? b)]?.exprText.trim() ?? '?'}}`,
  );
}
