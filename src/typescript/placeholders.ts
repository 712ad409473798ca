/**
 * Template placeholders through the shell rewrite: each `${expr}` went in as the marker `${__K2B_n}` (a shell variable of
 * unknown value); after the rewrite every marker must still be a whole marker, in the same quoting as before (or moved
 * from unquoted into double quotes), and an expression that is not a plain name or property must still be evaluated
 * exactly once. Otherwise it cannot be written back as a placeholder meaning the same, and the literal stays (KB502).
 */
import { markerPattern, type LiteralModel } from './literal.js';

export type QuoteState = 'none' | 'single' | 'double' | 'escaped' | 'comment';

/** The quoting each offset of a shell script stands in (innermost, `$(…)` and backquotes opening a new level). */
export function quoteStates(script: string, offsets: number[]): QuoteState[] {
  const want = new Map<number, QuoteState>();
  const wanted = new Set(offsets);
  type Ctx = 'none' | 'double' | 'cmd' | 'backquote';
  const stack: Ctx[] = ['none'];
  const top = () => stack[stack.length - 1]!;
  const record = (i: number, s: QuoteState) => {
    if (wanted.has(i) && !want.has(i)) want.set(i, s);
  };
  let wordStart = true;
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    const ctx = top();
    if (ctx === 'double') {
      record(i, 'double');
      if (c === '\\') {
        record(i + 1, 'escaped');
        i++;
      } else if (c === '"') stack.pop();
      else if (c === '$' && script[i + 1] === '(') {
        stack.push('cmd');
        i++;
      } else if (c === '`') stack.push('backquote');
      continue;
    }
    // unquoted text: top level, inside $( ) or backquotes
    if (c === '#' && wordStart) {
      while (i < script.length && script[i] !== '\n') record(i++, 'comment');
      wordStart = true;
      continue;
    }
    record(i, 'none');
    if (c === '\\') {
      record(i + 1, 'escaped');
      i++;
      wordStart = false;
    } else if (c === "'") {
      const close = script.indexOf("'", i + 1);
      const end = close < 0 ? script.length : close;
      for (let k = i + 1; k < end; k++) record(k, 'single');
      i = end;
      wordStart = false;
    } else if (c === '"') {
      stack.push('double');
      wordStart = false;
    } else if (c === '$' && script[i + 1] === '(') {
      stack.push('cmd');
      i++;
      wordStart = true;
    } else if (c === ')' && ctx === 'cmd') {
      stack.pop();
      wordStart = false;
    } else if (c === '`') {
      if (ctx === 'backquote') stack.pop();
      else stack.push('backquote');
      wordStart = true;
    } else {
      wordStart = /[\s;&|()<>]/.test(c);
    }
  }
  return offsets.map((o) => want.get(o) ?? 'none');
}

export interface MarkerCheck {
  ok: boolean;
  /** Why not, for the KB502 message (markers shown as `${expr}`). */
  reason?: string;
  /** Value offset in the output of the offending marker. */
  offset?: number;
}

/** Checks that `output` (the rewritten value of `model`) can be written back with its placeholders. */
export function checkMarkers(model: LiteralModel, output: string): MarkerCheck {
  if (!model.placeholders.length) return { ok: true };
  const input = model.cooked;
  const find = (text: string) =>
    [...text.matchAll(markerPattern(model.prefix))].map((m) => ({
      index: m.index!,
      n: Number(m[1] ?? m[2]),
      length: m[0].length,
    }));
  const before = find(input);
  const after = find(output);
  // Any stray piece of a marker (the prefix outside a whole marker) means the rewrite cut one apart.
  const covered = (i: number) => after.some((m) => i >= m.index && i < m.index + m.length);
  for (let i = output.indexOf(model.prefix); i >= 0; i = output.indexOf(model.prefix, i + 1)) {
    if (!covered(i)) return { ok: false, reason: 'a placeholder was split by the rewrite', offset: i };
  }
  // A marker may stand several times (one placeholder used twice): each use after must be in a quoting it had before.
  const stateBefore = new Map<number, Set<QuoteState>>();
  const sb = quoteStates(
    input,
    before.map((m) => m.index),
  );
  before.forEach((m, k) => stateBefore.set(m.n, new Set([...(stateBefore.get(m.n) ?? []), sb[k]!])));
  const sa = quoteStates(
    output,
    after.map((m) => m.index),
  );
  for (const [k, m] of after.entries()) {
    const was = stateBefore.get(m.n) ?? new Set<QuoteState>(['none']);
    const now = sa[k]!;
    const expr = model.placeholders[m.n]?.exprText.trim() ?? '?';
    if (now === 'escaped' || now === 'comment' || (!was.has(now) && !(was.has('none') && now === 'double'))) {
      return {
        ok: false,
        reason: `\${${expr}} would stand ${describe(now)} instead of ${[...was].map(describe).join(' or ')}, so the generated shell text would mean something else`,
        offset: m.index,
      };
    }
  }
  for (const [n, ph] of model.placeholders.entries()) {
    if (ph.pure) continue;
    const uses = after.filter((m) => m.n === n).length;
    const had = before.filter((m) => m.n === n).length;
    if (uses !== had) {
      return {
        ok: false,
        reason: `\${${ph.exprText.trim()}} is not a plain name or property, and the rewrite would evaluate it ${uses} time${uses === 1 ? '' : 's'} instead of ${had}`,
      };
    }
  }
  return { ok: true };
}

function describe(s: QuoteState): string {
  return {
    none: 'unquoted',
    single: 'in single quotes',
    double: 'in double quotes',
    escaped: 'escaped',
    comment: 'in a comment',
  }[s];
}
