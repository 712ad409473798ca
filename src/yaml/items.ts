/** New script items inserted before an existing one, in the list's own style (block `- x` lines or flow `[x, …]`). */
import { isSeq, type ParsedNode } from 'yaml';
import type { ScriptItem } from '../pipeline/jobs.js';
import type { TextEdit } from '../text/edits.js';
import { endOfNodeLine, lineStartOf, yamlScalar } from './text.js';

export function insertItemsBefore(item: ScriptItem, lines: string[]): TextEdit | undefined {
  const list = item.list?.node;
  if (!list || !isSeq(list)) return undefined;
  const { file } = item;
  const text = file.text;
  const start = item.node.range![0];
  if (list.flow) {
    return { file: file.path, start, end: start, text: lines.map((l) => `${yamlScalar(l, true)}, `).join('') };
  }
  const lineStart = lineStartOf(text, start);
  const lead = text.slice(lineStart, start);
  const m = /^( *)- +$/.exec(lead);
  if (!m) return undefined; // the item shares its line with something else (`- - x`, a comment…): let the caller fall back
  return {
    file: file.path,
    start: lineStart,
    end: lineStart,
    text: lines.map((l) => `${m[1]}- ${yamlScalar(l)}${file.eol}`).join(''),
  };
}

/** New script items inserted after an existing one (same styles as insertItemsBefore). */
export function insertItemsAfter(item: ScriptItem, lines: string[]): TextEdit | undefined {
  const list = item.list?.node;
  if (!list || !isSeq(list)) return undefined;
  const { file } = item;
  const text = file.text;
  const [start, end] = item.node.range!;
  if (list.flow)
    return { file: file.path, start: end, end, text: lines.map((l) => `, ${yamlScalar(l, true)}`).join('') };
  const m = /^( *)- +$/.exec(text.slice(lineStartOf(text, start), start));
  if (!m) return undefined;
  const at = endOfNodeLine(text, item.node as ParsedNode);
  return {
    file: file.path,
    start: at,
    end: at,
    text: lines.map((l) => `${file.eol}${m[1]}- ${yamlScalar(l)}`).join(''),
  };
}
