/**
 * Editing inside one YAML scalar without re-serialising it.
 *
 * A script item's shell text is the scalar's *value*; the shell reader gives offsets into that value. Here we map value
 * offsets back to source offsets (block literal, block folded, plain, and one-line quoted scalars) and encode replacement
 * text in the scalar's own style: a line break the shell should not see ("soft") becomes ` \` + newline in a literal block
 * and a folded newline in folded and plain scalars; a command separator ("hard") becomes a kept newline.
 * When a mapping is not possible the whole scalar is re-rendered in its style (one-line quoted forms).
 */
import { Scalar } from 'yaml';
import type { SourceFile } from '../pipeline/source.js';
import type { TextEdit } from '../text/edits.js';
import { joinParts, type ValueEdit } from '../text/value-edit.js';

interface ScalarMap {
  /** source offset of value[i]; length value.length + 1 (the last entry is the end offset). */
  at: number[];
  value: string;
  /** Block scalars: the content indentation. Plain: the indentation of continuation lines. */
  indent: string;
}

function lines(text: string, start: number, end: number): { start: number; end: number; eol: number }[] {
  const out: { start: number; end: number; eol: number }[] = [];
  let i = start;
  while (i < end) {
    let nl = text.indexOf('\n', i);
    if (nl < 0 || nl >= end) nl = end;
    const contentEnd = nl > i && text[nl - 1] === '\r' ? nl - 1 : nl;
    out.push({ start: i, end: contentEnd, eol: contentEnd });
    i = nl + 1;
  }
  return out;
}

function mapBlock(text: string, node: Scalar, folded: boolean): ScalarMap | undefined {
  const [start, , end] = node.range!;
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd < 0 || headerEnd >= end) return undefined;
  const header = text.slice(start, headerEnd).replace(/#.*$/, '');
  const explicit = /[1-9]/.exec(header)?.[0];
  const ls = lines(text, headerEnd + 1, end);
  let n: number | undefined;
  for (const l of ls) {
    const s = text.slice(l.start, l.end);
    if (s.trim() !== '') {
      n = s.length - s.trimStart().length;
      break;
    }
  }
  if (n === undefined) return undefined;
  if (explicit) {
    // Explicit indentation is relative to the parent; keep it simple: only when it matches the detected one.
    return undefined;
  }
  const at: number[] = [];
  let value = '';
  let prevKind: 'text' | 'spaced' | undefined;
  let prevEol = 0;
  let empties: number[] = [];
  for (const l of ls) {
    const s = text.slice(l.start, l.end);
    if (s.trim() === '') {
      empties.push(l.eol);
      continue;
    }
    if (s.length - s.trimStart().length < n) return undefined;
    const kind = /^[ \t]/.test(s.slice(n)) ? 'spaced' : 'text';
    if (prevKind) {
      if (folded && prevKind === 'text' && kind === 'text' && empties.length === 0) {
        value += ' ';
        at.push(prevEol);
      } else {
        const breaks = folded && prevKind === 'text' && kind === 'text' ? empties : [prevEol, ...empties];
        for (const b of breaks) {
          value += '\n';
          at.push(b);
        }
      }
    } else {
      for (const b of empties) {
        value += '\n';
        at.push(b);
      }
    }
    empties = [];
    for (let i = l.start + n; i < l.end; i++) {
      value += text[i];
      at.push(i);
    }
    prevKind = kind;
    prevEol = l.eol;
  }
  at.push(prevEol);
  return { at, value, indent: ' '.repeat(n) };
}

function mapPlain(text: string, node: Scalar): ScalarMap | undefined {
  const [start, valueEnd] = node.range!;
  const ls = lines(text, start, valueEnd);
  const at: number[] = [];
  let value = '';
  let empties = 0;
  let prevEnd = -1;
  let indent: string | undefined;
  ls.forEach((l, idx) => {
    let s = idx === 0 ? l.start : l.start;
    let e = l.end;
    if (idx > 0) while (s < e && (text[s] === ' ' || text[s] === '\t')) s++;
    while (e > s && (text[e - 1] === ' ' || text[e - 1] === '\t')) e--;
    if (s === e) {
      empties++;
      return;
    }
    if (idx > 0 && indent === undefined) indent = text.slice(l.start, s);
    if (prevEnd >= 0) {
      if (empties === 0) {
        value += ' ';
        at.push(prevEnd);
      } else {
        for (let k = 0; k < empties; k++) {
          value += '\n';
          at.push(prevEnd);
        }
      }
    }
    empties = 0;
    for (let i = s; i < e; i++) {
      value += text[i];
      at.push(i);
    }
    prevEnd = e;
  });
  at.push(prevEnd);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  return { at, value, indent: indent ?? ' '.repeat(start - lineStart) };
}

function mapQuotedLine(text: string, node: Scalar): ScalarMap | undefined {
  const [start, end] = node.range!;
  const src = text.slice(start, end);
  if (src.includes('\n')) return undefined;
  const at: number[] = [];
  let value = '';
  const double = node.type === Scalar.QUOTE_DOUBLE;
  for (let i = start + 1; i < end - 1; i++) {
    const c = text[i]!;
    if (!double && c === "'" && text[i + 1] === "'") {
      value += "'";
      at.push(i);
      i++;
      continue;
    }
    if (double && c === '\\') {
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', ' ': ' ' };
      if (e === undefined || !(e in simple)) return undefined;
      value += simple[e];
      at.push(i);
      i++;
      continue;
    }
    value += c;
    at.push(i);
  }
  at.push(end - 1);
  return { at, value, indent: '' };
}

const mapCache = new WeakMap<Scalar, ScalarMap | null>();

function mapScalar(text: string, node: Scalar): ScalarMap | undefined {
  const cached = mapCache.get(node);
  if (cached !== undefined) return cached ?? undefined;
  const m = computeMap(text, node);
  mapCache.set(node, m ?? null);
  return m;
}

function computeMap(text: string, node: Scalar): ScalarMap | undefined {
  let m: ScalarMap | undefined;
  switch (node.type) {
    case Scalar.BLOCK_LITERAL:
      m = mapBlock(text, node, false);
      break;
    case Scalar.BLOCK_FOLDED:
      m = mapBlock(text, node, true);
      break;
    case Scalar.PLAIN:
      m = mapPlain(text, node);
      break;
    default:
      m = mapQuotedLine(text, node);
  }
  if (!m) return undefined;
  const expected = String(node.value).replace(/\n+$/, '');
  return m.value.replace(/\n+$/, '') === expected ? m : undefined;
}

/** Does this text survive as (part of) a plain scalar? (`: ` and ` #` end or break it; §9 of the reference.) */
export function plainSafe(s: string): boolean {
  return !/: |:$| #|\t#|^#|^[-?:,[\]{}#&*!|>'"%@`] |^[[\]{}#&*!|>'"%@`]/m.test(s);
}

/**
 * Can this edit stay inside a plain scalar? Parts that start a line (multi-line layouts, or the start of the value)
 * must not start with an indicator; every part, read with the characters around it, must not hold `: ` or ` #`.
 */
function plainEditSafe(value: string, e: ValueEdit): boolean {
  if (e.multiline || e.start === 0) return e.parts.every(plainSafe);
  const around = `${value[e.start - 1] ?? ''}${e.parts.join(' ')}${value[e.end] ?? ''}`;
  return !/: |:$| #|\t#|\n/.test(around) && !(e.end >= value.length && around.endsWith(':'));
}

/** Is the scalar an entry of a flow collection: the first character before it, past spaces and line breaks, opens one or separates its entries? */
function inFlow(text: string, node: Scalar): boolean {
  let i = node.range![0] - 1;
  while (i >= 0 && /[ \t\r\n]/.test(text[i]!)) i--;
  return i >= 0 && /[[,{]/.test(text[i]!);
}

function yamlDoubleQuote(value: string): string {
  return `"${value
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')}"`;
}

/**
 * TextEdits that turn the scalar's value into the value with `edits` applied, in the scalar's style.
 * Returns undefined when the scalar cannot be edited in place (the caller reports it).
 */
export function encodeScalarEdits(file: SourceFile, node: Scalar, edits: ValueEdit[]): TextEdit[] | undefined {
  const text = file.text;
  const eol = file.eol;
  const map = mapScalar(text, node);
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  if (
    !map ||
    (node.type !== Scalar.BLOCK_LITERAL &&
      node.type !== Scalar.BLOCK_FOLDED &&
      node.type !== Scalar.PLAIN &&
      sorted.some((e) => e.join === 'hard' && e.parts.length > 1))
  ) {
    return rerender(file, node, sorted);
  }
  const out: TextEdit[] = [];
  for (const e of sorted) {
    const srcStart = map.at[e.start]!;
    // In a quoted scalar a character may be written as an escape (`\"`, `''`): it ends where the next one starts.
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
    const srcEnd = e.end > e.start ? (quoted ? map.at[e.end]! : map.at[e.end - 1]! + 1) : srcStart;
    const leadAt = e.leadFrom ?? e.start;
    const lineStart = map.value.lastIndexOf('\n', leadAt - 1) + 1;
    const lineLead = /^[ \t]*/.exec(map.value.slice(lineStart))![0];
    let soft = ' ';
    let hard: string;
    switch (node.type) {
      case Scalar.BLOCK_LITERAL:
        if (e.multiline) soft = ` \\${eol}${map.indent}${lineLead}${e.continuation ?? '  '}`;
        hard = `${eol}${map.indent}${lineLead}`;
        break;
      case Scalar.BLOCK_FOLDED:
        // A more-indented line keeps its line break when folded, so the call stays on one line there.
        if (e.multiline && lineLead === '') soft = `${eol}${map.indent}`;
        hard = `${eol}${eol}${map.indent}`;
        break;
      case Scalar.PLAIN:
        // in a flow collection (`script: [a, b]`) a plain scalar also ends at `,` `[` `]` `{` `}`
        if (!plainEditSafe(map.value, e) || (inFlow(text, node) && e.parts.some((p) => /[,[\]{}]/.test(p))))
          return rerender(file, node, sorted);
        if (e.multiline) soft = `${eol}${map.indent}`;
        hard = `${eol}${eol}${map.indent}`;
        break;
      default:
        hard = '';
        if (node.type === Scalar.QUOTE_DOUBLE && e.parts.some((p) => /["\\]/.test(p)))
          return rerender(file, node, sorted);
        if (node.type === Scalar.QUOTE_SINGLE && e.parts.some((p) => p.includes("'")))
          return rerender(file, node, sorted);
    }
    out.push({ file: file.path, start: srcStart, end: srcEnd, text: e.parts.join(e.join === 'soft' ? soft : hard) });
  }
  return out;
}

/** Replaces the whole scalar: for quoted styles, and plain scalars whose new text a plain scalar cannot hold. */
function rerender(file: SourceFile, node: Scalar, edits: ValueEdit[]): TextEdit[] | undefined {
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) return undefined;
  let value = String(node.value);
  for (const e of [...edits].sort((a, b) => b.start - a.start))
    value = value.slice(0, e.start) + joinParts(e) + value.slice(e.end);
  const [start, end] = node.range!;
  let rendered: string;
  if (node.type === Scalar.QUOTE_SINGLE && !value.includes('\n')) rendered = `'${value.replace(/'/g, "''")}'`;
  else rendered = yamlDoubleQuote(value);
  return [{ file: file.path, start, end, text: rendered }];
}

/** Source offset of a value offset (for positions in findings). */
export function sourceOffset(file: SourceFile, node: Scalar, valueOffset: number): number {
  const map = mapScalar(file.text, node);
  return map?.at[Math.min(valueOffset, map.at.length - 1)] ?? node.range![0];
}

/** Does value[start, end) span more than one source line? */
export function spansLines(file: SourceFile, node: Scalar, start: number, end: number): boolean {
  const map = mapScalar(file.text, node);
  if (!map || end <= start) return false;
  return file.text.slice(map.at[start]!, map.at[end - 1]! + 1).includes('\n');
}
