/** New script items inserted before an existing one, in the list's own style (block `- x` lines or flow `[x, …]`). */
import { isSeq } from 'yaml';
import type { ScriptItem } from '../pipeline/jobs.js';
import type { TextEdit } from './edits.js';
import { lineStartOf, yamlScalar } from './yaml-text.js';

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
  return { file: file.path, start: lineStart, end: lineStart, text: lines.map((l) => `${m[1]}- ${yamlScalar(l)}${file.eol}`).join('') };
}
