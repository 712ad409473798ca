/**
 * The diff around edits (src/report/diff.ts) on texts made to confuse it: lines from a three-word alphabet (so that a
 * line matches many others), many edits close together (more than one piece holds, so a run of them is cut between
 * two), edits that add, remove or replace lines, and a text with or without its last newline. Whatever the pieces, the
 * patch applies to the old text and gives the new one, its hunks keep the context the whole-file diff keeps, and the
 * changed lines are lines of the new text.
 */
import { Chalk } from 'chalk';
import { applyPatch, parsePatch } from 'diff';
import fc from 'fast-check';
import { changedLines, unifiedDiff } from '../../src/report/diff.js';
import type { TextEdit } from '../../src/text/edits.js';

const plain = new Chalk({ level: 0 });
const word = fc.constantFrom('a', 'b', 'job:', '  script: [x]');
const lines = (min: number, max: number) => fc.array(word, { minLength: min, maxLength: max });

/** A text of lines and edits of whole lines of it: each a line index, how many lines it replaces, and its lines. */
const shape = fc.record({
  text: lines(1, 400),
  newline: fc.boolean(),
  edits: fc.array(fc.record({ at: fc.nat(), drop: fc.nat({ max: 2 }), put: lines(0, 3) }), { maxLength: 120 }),
});

interface Shape {
  text: string[];
  newline: boolean;
  edits: { at: number; drop: number; put: string[] }[];
}

function build({ text, newline, edits }: Shape) {
  const before = text.join('\n') + (newline ? '\n' : '');
  const starts = [0];
  for (let i = 0; i < text.length; i++) starts.push(starts[i]! + text[i]!.length + 1);
  const end = (line: number) => Math.min(before.length, starts[line]!);
  // edits at distinct lines, none overlapping the one before it
  const taken: TextEdit[] = [];
  let free = 0;
  for (const e of [...edits].sort((x, y) => x.at - y.at)) {
    const at = Math.max(free, e.at % text.length);
    const to = Math.min(text.length, at + e.drop);
    if (at >= text.length) break;
    const put = e.put.map((l) => `${l}\n`).join('');
    taken.push({ file: 'f', start: end(at), end: end(to), text: put });
    free = Math.max(to, at + 1);
  }
  let after = '';
  let from = 0;
  for (const e of taken) {
    after += before.slice(from, e.start) + e.text;
    from = e.end;
  }
  after += before.slice(from);
  return { before, after, edits: taken };
}

test('the patch made around the edits gives the new text, with the whole diff context', () => {
  fc.assert(
    fc.property(shape, (s) => {
      const { before, after, edits } = build(s);
      if (before === after) return;
      const patch = unifiedDiff('f', before, after, plain, edits);
      expect(applyPatch(before, patch)).toBe(after);
      // every hunk starts and ends with context, as far as the text has it (a change is never cut from its context)
      for (const h of parsePatch(patch)[0]!.hunks) {
        const body = h.lines.filter((l) => !l.startsWith('\\'));
        const lead = body.findIndex((l) => !l.startsWith(' '));
        expect(lead === 3 || h.oldStart <= 1).toBe(true);
        const trail = [...body].reverse().findIndex((l) => !l.startsWith(' '));
        expect(trail === 3 || h.oldStart + h.oldLines - 1 === s.text.length).toBe(true);
      }
      const newLines = after.split('\n').length;
      for (const r of changedLines(before, after, edits)) {
        expect(r.start).toBeGreaterThanOrEqual(1);
        expect(r.end).toBeLessThanOrEqual(newLines);
      }
    }),
    { seed: 18, numRuns: 300 },
  );
});

test('a run of edits close together is cut into pieces, and the diff is still the whole-file diff', () => {
  // every fourth line edited, 400 edits: more than one piece; each edit unambiguous, so the two diffs agree exactly
  const text = Array.from({ length: 1600 }, (_, i) => `line ${i}`);
  const { before, after, edits } = build({
    text,
    newline: true,
    edits: Array.from({ length: 400 }, (_, i) => ({ at: 4 * i + 1, drop: 1, put: [`new ${i}`, `more ${i}`] })),
  });
  expect(edits).toHaveLength(400);
  expect(unifiedDiff('f', before, after, plain, edits)).toBe(unifiedDiff('f', before, after, plain));
  expect(changedLines(before, after, edits)).toEqual(changedLines(before, after));
});
