/**
 * Helpers over word segments: building them while scanning, telling whether a word is static,
 * turning a command-position word into an assignment, and rendering segments back to shell text.
 */
import type { Segment, Word } from './types.js';

type LiteralSegment = Extract<Segment, { kind: 'literal' }>;
type LiteralQuote = LiteralSegment['quote'];

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ASSIGNMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Accumulates segments for one word. Adjacent literals written the same way are merged
 * (`'a''b'` is one single-quoted literal `ab`) so callers see one segment per quoting style run;
 * a tilde segment is never merged, so it stays recognisable.
 */
export class SegmentBuilder {
  private segs: Segment[] = [];

  literal(text: string, quote: LiteralQuote): void {
    const last = this.segs[this.segs.length - 1];
    if (last?.kind === 'literal' && last.quote === quote && !last.tilde) last.text += text;
    else this.segs.push({ kind: 'literal', text, quote });
  }

  tilde(): void {
    this.segs.push({ kind: 'literal', text: '~', quote: 'none', tilde: true });
  }

  glob(raw: string): void {
    const last = this.segs[this.segs.length - 1];
    if (last?.kind === 'glob') last.raw += raw;
    else this.segs.push({ kind: 'glob', raw });
  }

  push(segment: Segment): void {
    this.segs.push(segment);
  }

  /**
   * Empty quotes (`''`, `""`) only matter when they are all the word has (they make an empty
   * argument), so empty literals are dropped otherwise and their neighbours merged again.
   */
  finish(): Segment[] {
    if (this.segs.length <= 1) return this.segs;
    const kept = this.segs.filter((s) => s.kind !== 'literal' || s.text !== '');
    if (kept.length === 0) return [this.segs[0]!];
    const out = new SegmentBuilder();
    for (const s of kept) {
      if (s.kind === 'literal' && !s.tilde) out.literal(s.text, s.quote);
      else out.push({ ...s });
    }
    return out.segs;
  }
}

/** The value of fully literal segments, or undefined when any part is only known at run time. */
export function segmentsValue(segments: readonly Segment[]): string | undefined {
  let value = '';
  for (const s of segments) {
    if (s.kind !== 'literal' || s.tilde) return undefined;
    value += s.text;
  }
  return value;
}

/**
 * A word's value after quote removal, when it can be known without running the shell.
 *
 * With `env`, plain `$NAME` / `${NAME}` parameters whose name is a key of `env` are substituted;
 * an unquoted one is only substituted when field splitting and pathname expansion cannot change
 * it (no blanks, no glob characters, and the word does not end up empty). Anything else
 * (`${X:-d}`, `$1`, `$(...)`, globs, `~`) leaves the value unknown.
 */
export function staticValue(word: Word, env?: Readonly<Record<string, string | undefined>>): string | undefined {
  if (!env) return segmentsValue(word.segments);
  let value = '';
  let quotedPart = false;
  for (const s of word.segments) {
    if (s.kind === 'literal') {
      if (s.tilde) return undefined;
      value += s.text;
      if (s.quote !== 'none') quotedPart = true;
      continue;
    }
    if (s.kind !== 'param' || !NAME_RE.test(s.name)) return undefined;
    if (s.raw !== `$${s.name}` && s.raw !== `\${${s.name}}`) return undefined;
    const v = env[s.name];
    if (v === undefined) return undefined;
    if (s.quoted) quotedPart = true;
    else if (/[\s*?[]/.test(v)) return undefined;
    value += v;
  }
  // An unquoted expansion that comes out empty removes the whole word: not representable as a value.
  if (value === '' && !quotedPart) return undefined;
  return value;
}

/** Whether a word in command-name position is a `NAME=value` assignment. */
export function isAssignmentWord(word: Word): boolean {
  const first = word.segments[0];
  return first?.kind === 'literal' && first.quote === 'none' && ASSIGNMENT_RE.test(first.text);
}

/**
 * Re-reads a word as an assignment: pathname expansion does not apply to assignment values (glob
 * segments become literals) while tilde expansion does, after the `=` and after each unquoted `:`
 * (dash: `A=a:~/x` gives `a:$HOME/x`).
 */
export function asAssignment(word: Word): Word {
  const b = new SegmentBuilder();
  let first = true;
  let prevEndsTildeBoundary = false;
  for (const s of word.segments) {
    if (s.kind === 'glob') {
      b.literal(s.raw, 'none');
      prevEndsTildeBoundary = false;
    } else if (s.kind === 'literal' && s.quote === 'none' && !s.tilde) {
      // Split the text before each `~` that follows `=` (the first one) or `:`.
      const eq = first ? s.text.indexOf('=') : -1;
      let from = 0;
      for (let i = 0; i < s.text.length; i++) {
        if (s.text[i] !== '~') continue;
        const boundary = i === 0 ? prevEndsTildeBoundary : s.text[i - 1] === ':' || i - 1 === eq;
        if (!boundary) continue;
        if (i > from) b.literal(s.text.slice(from, i), 'none');
        b.tilde();
        from = i + 1;
      }
      if (from < s.text.length) b.literal(s.text.slice(from), 'none');
      prevEndsTildeBoundary = s.text.endsWith(':') || (first && eq === s.text.length - 1);
    } else {
      b.push(s.kind === 'literal' ? { ...s } : s);
      prevEndsTildeBoundary = false;
    }
    first = false;
  }
  const segments = b.finish();
  const out: Word = { raw: word.raw, start: word.start, end: word.end, segments };
  const value = segmentsValue(segments);
  if (value !== undefined) out.value = value;
  return out;
}

/**
 * Heredoc delimiter: the word after quote removal, expansions left as written
 * (`<<"E$X"` ends at a line `E$X`); any quoting at all turns body expansion off.
 */
export function heredocDelimiter(word: Word): { delimiter: string; quoted: boolean } {
  let delimiter = '';
  let quoted = false;
  for (const s of word.segments) {
    if (s.kind === 'literal') {
      delimiter += s.text;
      if (s.quote !== 'none') quoted = true;
    } else if (s.kind === 'glob') delimiter += s.raw;
    else {
      delimiter += s.raw;
      if (s.quoted) quoted = true;
    }
  }
  return { delimiter, quoted };
}

/** Characters that must be escaped to stay literal outside quotes. */
const UNQUOTED_SPECIAL = /[\s|&;<>()$`\\"'*?[]/;
const DOUBLE_SPECIAL = /[\\"$`]/g;

/**
 * Renders segments as the shell text of one word that reads back to the same value and the same
 * expansions. Quoting follows each literal's `quote` where it can express the text (a single-quoted
 * `'` or an escaped newline cannot be written that way, so they are re-quoted), which keeps edits small.
 */
export function renderSegmentsRaw(segments: readonly Segment[]): string {
  let out = '';
  let inDouble = false;
  let prev: Segment | undefined;
  for (const s of segments) {
    const single = s.kind === 'interpolation' && s.single;
    const double = s.kind === 'literal' ? s.quote === 'double' : s.kind !== 'glob' && s.quoted && !single;
    // `$X` followed by a name character would read as a longer name: separate them with `""`.
    const glued =
      prev?.kind === 'param' &&
      /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(prev.raw) &&
      s.kind === 'literal' &&
      /^[A-Za-z0-9_]/.test(s.text);
    if (inDouble && (!double || glued)) {
      out += '"';
      inDouble = false;
    }
    if (glued && !double) out += '""';
    if (double && !inDouble) {
      out += '"';
      inDouble = true;
    }
    if (s.kind === 'literal') out += renderLiteral(s, out === '');
    else out += single ? `'${s.raw}'` : s.raw;
    prev = s;
  }
  if (inDouble) out += '"';
  return out;
}

function renderLiteral(s: LiteralSegment, atWordStart: boolean): string {
  if (s.tilde) return '~';
  switch (s.quote) {
    case 'double':
      return s.text.replace(DOUBLE_SPECIAL, (c) => `\\${c}`);
    case 'single':
      return `'${s.text.replace(/'/g, `'\\''`)}'`;
    case 'escaped':
      return Array.from(s.text, (c) => (c === '\n' ? `'\n'` : `\\${c}`)).join('');
    case 'none': {
      let text = '';
      for (const c of s.text) {
        if (c === '\n') text += `'\n'`;
        else if (UNQUOTED_SPECIAL.test(c) || (atWordStart && text === '' && (c === '#' || c === '~'))) text += `\\${c}`;
        else text += c;
      }
      return text;
    }
  }
}
