/**
 * Small text facts about YAML source needed to place new lines: indentation, line boundaries, how to write a scalar.
 * Used to build TextEdits; never to re-serialise a node.
 */
import { isMap, isScalar, isSeq, type Node, type ParsedNode, type YAMLMap } from 'yaml';
import type { SourceFile } from '../pipeline/source.js';
import { plainSafe } from './scalar.js';

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just after the line break that ends the line holding `offset` (or the text's end). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** The indentation (spaces) of the line holding `offset`. */
export function lineIndent(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ ]*/.exec(text.slice(start))![0];
}

/** The column at which a block map's keys start. */
export function mapIndent(file: SourceFile, map: YAMLMap): number {
  const first = map.items[0]?.key as ParsedNode | undefined;
  return first?.range ? columnOf(file.text, first.range[0]) : 0;
}

/** The indentation step the file uses (2 when it cannot tell). */
export function indentStep(file: SourceFile): number {
  const m = /\n( +)\S/.exec(file.text);
  return m ? Math.min(m[1]!.length, 8) : 2;
}

/** A scalar as YAML text that parses back to `value` in a block context (plain when safe, else double-quoted). */
export function yamlScalar(value: string, flow = false): string {
  const plain =
    value !== '' &&
    plainSafe(value) &&
    !/^\s|\s$/.test(value) &&
    !(flow && /[,[\]{}]/.test(value)) &&
    !/^(true|false|null|~|yes|no|on|off|[-+]?\d[\d._]*(e[-+]?\d+)?)$/i.test(value);
  return plain ? value : `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

/** End of a node's last line (after any trailing comment), before the line break. */
export function endOfNodeLine(text: string, node: ParsedNode): number {
  const end = node.range[1];
  const probe = end > node.range[0] && text[end - 1] === '\n' ? end - 1 : end;
  const nl = text.indexOf('\n', probe);
  const lineEnd = nl < 0 ? text.length : nl;
  return lineEnd > 0 && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
}

export function isFlow(node: Node | null | undefined): boolean {
  return !!node && (isMap(node) || isSeq(node)) && !!(node as { flow?: boolean }).flow;
}

export function scalarString(node: ParsedNode | null | undefined): string | undefined {
  return node && isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')
    ? String(node.value)
    : undefined;
}
