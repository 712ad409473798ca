import type { ParsedScript, SimpleCommand, Word } from '../../src/shell/index.js';
import { parseScript } from '../../src/shell/index.js';

/** Parses and checks invariants every result must satisfy: raw text matches offsets, source order. */
export function parse(src: string): ParsedScript {
  const result = parseScript(src);
  checkInvariants(src, result);
  return result;
}

export function checkInvariants(src: string, result: ParsedScript): void {
  let prev = -1;
  const checkWord = (w: Word): void => {
    if (w.raw !== src.slice(w.start, w.end))
      throw new Error(`raw ${JSON.stringify(w.raw)} does not match offsets ${w.start}-${w.end}`);
  };
  for (const c of result.commands) {
    if (c.start < prev) throw new Error('commands out of source order');
    prev = c.start;
    if (!(c.start >= 0 && c.start <= c.end && c.end <= src.length))
      throw new Error(`bad command offsets ${c.start}-${c.end}`);
    for (const w of [...c.assignments, ...c.words, ...c.redirects.map((r) => r.target)]) {
      checkWord(w);
      if (w.start < c.start || w.end > c.end) throw new Error('word outside its command');
    }
    for (const r of c.redirects) {
      if (r.heredoc && !(r.heredoc.start <= r.heredoc.end && r.heredoc.end <= src.length))
        throw new Error('bad heredoc offsets');
    }
  }
  for (const e of result.errors)
    if (!(e.offset >= 0 && e.offset <= src.length)) throw new Error(`bad error offset ${e.offset}`);
}

/** The only command of a script that must parse without errors. */
export function only(src: string): SimpleCommand {
  const { commands, errors } = parse(src);
  expect(errors).toEqual([]);
  expect(commands).toHaveLength(1);
  return commands[0]!;
}

/** Values of a command's words, `?raw` for a non-static word. */
export function values(c: SimpleCommand): string[] {
  return c.words.map((w) => w.value ?? `?${w.raw}`);
}

/** Word names of every command, for structure tests. */
export function names(result: ParsedScript): string[] {
  return result.commands.map((c) => c.words.map((w) => w.value ?? `?${w.raw}`).join(' '));
}
