/**
 * Reads one shell word (quotes, escapes, expansions) from the source, producing its segments.
 * Expansions are only delimited here, never evaluated; `$(...)` bodies are handed to the parser
 * (through `ScanContext.commandSubstitution`) because only a real parse finds their end reliably
 * (`$(case x in a) ...;; esac)`, comments, heredocs).
 */
import type { Segment, ShellSyntaxError, Word } from './types.js';
import { SegmentBuilder, segmentsValue } from './words.js';

export interface ScanContext {
  readonly src: string;
  readonly errors: ShellSyntaxError[];
  /** Parses a `$(...)` body starting at `start` (just after `$(`); returns the offset just after its `)`. */
  commandSubstitution(start: number): number;
  /**
   * Current nesting of compound commands and expansions, shared by everything reading one script,
   * so that hostile input cannot exhaust the stack (see MAX_NESTING).
   */
  readonly nesting: { depth: number };
}

/** Nesting beyond which readers stop recursing: deeper constructs are skimmed and reported. */
export const MAX_NESTING = 200;

/** Characters that end an unquoted word. */
export function isWordBreak(c: string | undefined): boolean {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case ';':
    case '&':
    case '|':
    case '<':
    case '>':
    case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

/** Characters with a meaning inside an unquoted word (everything else is a plain literal). */
function isWordSpecial(c: string): boolean {
  switch (c) {
    case '\\':
    case "'":
    case '"':
    case '$':
    case '`':
    case '*':
    case '?':
    case '[':
      return true;
    default:
      return isWordBreak(c);
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAM = '@*#?-$!';

/**
 * Scans the word starting at `start` (which must not be a word break). Returns the word and the
 * offset where scanning stopped: past a trailing line continuation, which is not part of the word.
 */
export function scanWord(ctx: ScanContext, start: number): { word: Word; next: number } {
  const { src } = ctx;
  const b = new SegmentBuilder();
  let pos = start;
  let end = start;
  // `[` caches: where the last bracket search failed (up to a word break) and the last `]` found,
  // so a word full of `[` stays linear.
  let noCloseBefore = -1;
  let knownClose = -1;
  if (src[pos] === '~') {
    // Tilde expansion (`~`, `~/x`, `~user`): the value depends on $HOME / the passwd database,
    // so the word stays non-static; the `~` itself is kept as a marked literal segment.
    b.tilde();
    end = ++pos;
  }
  while (pos < src.length) {
    const c = src[pos]!;
    if (isWordBreak(c)) break;
    switch (c) {
      case '\\': {
        if (src[pos + 1] === '\n') {
          pos += 2; // line continuation: removed, joins what is around it
          continue;
        }
        if (pos + 1 >= src.length) {
          b.literal('\\', 'none'); // a backslash at the very end stays literal (dash)
          pos++;
          break;
        }
        const ch = String.fromCodePoint(src.codePointAt(pos + 1)!);
        b.literal(ch, 'escaped');
        pos += 1 + ch.length;
        break;
      }
      case "'":
        pos = scanSingle(ctx, pos, b);
        break;
      case '"':
        pos = scanDouble(ctx, pos, b);
        break;
      case '$': {
        const r = scanDollar(ctx, pos, false);
        if (r) {
          b.push(r.segment);
          pos = r.end;
        } else {
          b.literal('$', 'none');
          pos++;
        }
        break;
      }
      case '`': {
        const e = scanBackquote(ctx, pos);
        b.push({ kind: 'command', raw: src.slice(pos, e), quoted: false });
        pos = e;
        break;
      }
      case '*':
      case '?':
        b.glob(c);
        pos++;
        break;
      case '[': {
        if (knownClose > pos) {
          // Inside a bracket expression found earlier (one with quoted parts): still a pattern.
          b.glob('[');
          pos++;
          break;
        }
        const found = pos < noCloseBefore ? undefined : findBracketClose(src, pos);
        if (!found || found.close < 0) {
          if (found) noCloseBefore = found.stop;
          b.literal('[', 'none'); // no `]`: an ordinary character (the `[` command)
          pos++;
        } else if (!/['"\\$`]/.test(src.slice(pos, found.close))) {
          b.glob(src.slice(pos, found.close + 1));
          pos = found.close + 1;
        } else {
          // A bracket expression with quoted parts: mark the `[` and read the rest normally.
          knownClose = found.close;
          b.glob('[');
          pos++;
        }
        break;
      }
      default: {
        let p = pos + 1;
        while (p < src.length && !isWordSpecial(src[p]!)) p++;
        b.literal(src.slice(pos, p), 'none');
        pos = p;
      }
    }
    end = pos;
  }
  const segments = b.finish();
  const word: Word = { raw: src.slice(start, end), start, end, segments };
  const value = segmentsValue(segments);
  if (value !== undefined) word.value = value;
  return { word, next: pos };
}

/** Finds the `]` closing a bracket expression at `open`, within the current word. */
function findBracketClose(src: string, open: number): { close: number; stop: number } {
  let p = open + 1;
  if (src[p] === '!' || src[p] === '^') p++;
  if (src[p] === ']') p++; // a leading `]` is a member of the set
  for (; p < src.length; p++) {
    const c = src[p];
    if (c === ']') return { close: p, stop: p };
    if (isWordBreak(c)) break;
  }
  return { close: -1, stop: p };
}

function scanSingle(ctx: ScanContext, pos: number, b: SegmentBuilder): number {
  const close = ctx.src.indexOf("'", pos + 1);
  if (close < 0) {
    ctx.errors.push({ message: 'unterminated single quote', offset: pos });
    b.literal(ctx.src.slice(pos + 1), 'single');
    return ctx.src.length;
  }
  singleText(ctx.src.slice(pos + 1, close), b);
  return close + 1;
}

/**
 * Single-quoted text, where a GitLab `$[[ inputs.x ]]` is still replaced before the shell runs (interpolation is
 * textual): it is an opaque part of the word, not literal text, so `'$[[ inputs.dockerfile ]]'` has no static value.
 */
function singleText(text: string, b: SegmentBuilder): void {
  let at = 0;
  for (let open = text.indexOf('$[['); open >= 0; open = text.indexOf('$[[', at)) {
    const close = text.indexOf(']]', open + 3);
    if (close < 0) break;
    if (open > at) b.literal(text.slice(at, open), 'single');
    b.push({ kind: 'interpolation', raw: text.slice(open, close + 2), quoted: true, single: true });
    at = close + 2;
  }
  if (at < text.length || at === 0) b.literal(text.slice(at), 'single');
}

/** Reads `"..."` starting at the opening quote; returns the offset after the closing quote. */
export function scanDouble(ctx: ScanContext, pos: number, b: SegmentBuilder): number {
  const { src } = ctx;
  let p = pos + 1;
  let buf = '';
  b.literal('', 'double'); // `""` is an (empty) argument of its own
  const flush = (): void => {
    if (buf) b.literal(buf, 'double');
    buf = '';
  };
  while (p < src.length) {
    const c = src[p]!;
    if (c === '"') {
      flush();
      return p + 1;
    }
    if (c === '\\') {
      const nx = src[p + 1];
      if (nx === '\n') p += 2;
      else if (nx === '$' || nx === '`' || nx === '"' || nx === '\\') {
        buf += nx;
        p += 2;
      } else {
        buf += '\\'; // other backslashes are literal inside double quotes
        p++;
      }
      continue;
    }
    if (c === '$') {
      const r = scanDollar(ctx, p, true);
      if (r) {
        flush();
        b.push(r.segment);
        p = r.end;
      } else {
        buf += '$';
        p++;
      }
      continue;
    }
    if (c === '`') {
      flush();
      const e = scanBackquote(ctx, p);
      b.push({ kind: 'command', raw: src.slice(p, e), quoted: true });
      p = e;
      continue;
    }
    let q = p + 1;
    while (q < src.length && !'"\\$`'.includes(src[q]!)) q++;
    buf += src.slice(p, q);
    p = q;
  }
  ctx.errors.push({ message: 'unterminated double quote', offset: pos });
  flush();
  return src.length;
}

/** Reads an expansion starting with `$`, or returns undefined when the `$` is literal. */
export function scanDollar(
  ctx: ScanContext,
  pos: number,
  quoted: boolean,
): { segment: Segment; end: number } | undefined {
  const { src } = ctx;
  const nx = src[pos + 1];
  if (nx === undefined) return undefined;
  if (nx === '[' && src[pos + 2] === '[') {
    // GitLab `$[[ inputs.x ]]`: replaced before any shell sees the script, so opaque.
    const close = src.indexOf(']]', pos + 3);
    let end = close + 2;
    if (close < 0) {
      ctx.errors.push({ message: "unterminated '$[['", offset: pos });
      end = src.length;
    }
    return { segment: { kind: 'interpolation', raw: src.slice(pos, end), quoted }, end };
  }
  if (nx === '(') {
    if (src[pos + 2] === '(') {
      const end = nested(
        ctx,
        pos,
        () => scanArith(ctx, pos + 3, pos),
        () => skimBalanced(src, pos + 3, '(', ')', 2),
      );
      return { segment: { kind: 'arith', raw: src.slice(pos, end), quoted }, end };
    }
    const end = ctx.commandSubstitution(pos + 2);
    return { segment: { kind: 'command', raw: src.slice(pos, end), quoted }, end };
  }
  if (nx === '{') {
    const end = nested(
      ctx,
      pos,
      () => scanBraces(ctx, pos + 2, quoted, pos),
      () => skimBalanced(src, pos + 2, '{', '}', 1),
    );
    return {
      segment: { kind: 'param', raw: src.slice(pos, end), name: braceParamName(src.slice(pos + 2, end - 1)), quoted },
      end,
    };
  }
  if (NAME_START.test(nx)) {
    // Names may be split by line continuations (`$a\<newline>b` is `$ab`).
    let p = pos + 2;
    let name = nx;
    for (;;) {
      if (src[p] === '\\' && src[p + 1] === '\n' && NAME_CHAR.test(src[p + 2] ?? '')) p += 2;
      else if (NAME_CHAR.test(src[p] ?? '')) name += src[p++];
      else break;
    }
    return { segment: { kind: 'param', raw: src.slice(pos, p), name, quoted }, end: p };
  }
  if ((nx >= '0' && nx <= '9') || SPECIAL_PARAM.includes(nx)) {
    // Positional parameters after `$` are a single digit: `$10` is `${1}0`.
    return { segment: { kind: 'param', raw: src.slice(pos, pos + 2), name: nx, quoted }, end: pos + 2 };
  }
  // Anything else leaves the `$` literal. That includes `$'...'` and `$"..."`, read the POSIX (dash)
  // way as `$` followed by a quoted string; bash and busybox decode `$'a\tb'` C-style instead.
  return undefined;
}

/** Runs a recursive scan one nesting level down, or the flat `skim` when too deep. */
function nested(ctx: ScanContext, at: number, scan: () => number, skim: () => number): number {
  if (ctx.nesting.depth >= MAX_NESTING) {
    ctx.errors.push({ message: 'expansions nested too deeply', offset: at });
    return skim();
  }
  ctx.nesting.depth++;
  try {
    return scan();
  } finally {
    ctx.nesting.depth--;
  }
}

/**
 * Offset after the `close` that balances `depth` already-open `open`s, counting brackets and
 * skipping backslash escapes and single quotes only: a flat fallback for pathological nesting.
 */
export function skimBalanced(src: string, start: number, open: string, close: string, depth: number): number {
  for (let p = start; p < src.length; p++) {
    const c = src[p];
    if (c === '\\') p++;
    else if (c === "'") {
      const q = src.indexOf("'", p + 1);
      if (q < 0) break;
      p = q;
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return p + 1;
  }
  return src.length;
}

/** The parameter a `${...}` body refers to: `X` for `${X:-d}`, `${#X}`, `${X%s}`; `1`, `@`, `#`… */
function braceParamName(body: string): string {
  const whole = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?\-$!])$/;
  if (body.startsWith('#') && whole.test(body.slice(1))) return body.slice(1);
  const m = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?\-$!])/.exec(body);
  return m ? m[0] : '';
}

/**
 * Finds the `}` ending `${...}` (`pos` is just after `${`). Quotes, escapes and nested expansions
 * inside may contain `}`. Single quotes only quote when the `${...}` itself is unquoted: inside
 * double quotes dash reads `"${X-'}'}"` as `${X-'}` followed by `'}`.
 */
function scanBraces(ctx: ScanContext, pos: number, quoted: boolean, open: number): number {
  const { src } = ctx;
  let p = pos;
  while (p < src.length) {
    const c = src[p]!;
    if (c === '}') return p + 1;
    if (c === '\\') p += 2;
    else if (c === "'" && !quoted) {
      const close = src.indexOf("'", p + 1);
      if (close < 0) break;
      p = close + 1;
    } else if (c === '"') p = scanDouble(ctx, p, new SegmentBuilder());
    else if (c === '$') p = scanDollar(ctx, p, quoted)?.end ?? p + 1;
    else if (c === '`') p = scanBackquote(ctx, p);
    else p++;
  }
  ctx.errors.push({ message: "unterminated '${'", offset: open });
  return src.length;
}

/** Finds the `))` ending `$((...))` (`pos` is just after `$((`), counting parentheses. */
function scanArith(ctx: ScanContext, pos: number, open: number): number {
  const { src } = ctx;
  let depth = 0;
  let p = pos;
  while (p < src.length) {
    const c = src[p]!;
    if (c === '(') {
      depth++;
      p++;
    } else if (c === ')') {
      if (depth > 0) {
        depth--;
        p++;
      } else if (src[p + 1] === ')') return p + 2;
      else {
        ctx.errors.push({ message: "expected '))' to end '$(('", offset: p });
        return p + 1;
      }
    } else if (c === '\\') p += 2;
    else if (c === '"') p = scanDouble(ctx, p, new SegmentBuilder());
    else if (c === '$') p = scanDollar(ctx, p, true)?.end ?? p + 1;
    else if (c === '`') p = scanBackquote(ctx, p);
    else p++;
  }
  ctx.errors.push({ message: "unterminated '$(('", offset: open });
  return src.length;
}

/**
 * Finds the end of a backquoted command (`pos` at the opening backquote): the first backquote not
 * escaped by a backslash (POSIX leaves quotes inside undefined; shells do not look at them).
 */
export function scanBackquote(ctx: ScanContext, pos: number): number {
  const { src } = ctx;
  let p = pos + 1;
  while (p < src.length) {
    const c = src[p];
    if (c === '\\') p += 2;
    else if (c === '`') return p + 1;
    else p++;
  }
  ctx.errors.push({ message: 'unterminated backquote', offset: pos });
  return src.length;
}
