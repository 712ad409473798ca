/**
 * A read-only scan of a TOML document's statements with their offsets, for surgical edits.
 *
 * It does not build values: `smol-toml` does that. It only finds where each table header and key/value statement
 * starts and ends (multi-line strings and arrays included), and reads the keys. Run it on text that `smol-toml`
 * has already parsed: on invalid TOML its results are unspecified (it never throws on them, it may stop early).
 */

export interface TomlStatement {
  kind: 'table' | 'array-table' | 'keyval';
  /** Header path (`[a."b.c"]` → ['a', 'b.c']), or the key as written for a key/value (`x.y = 1` → ['x', 'y']). */
  key: string[];
  /** For a key/value: the path of the table it belongs to (the last header before it; [] at the top). */
  table: string[];
  /** Offset of the line the statement starts on. */
  lineStart: number;
  /** Offset of the statement's first character (after indentation). */
  start: number;
  /** Offset just past the statement's last character (`]`, `]]` or the value's end). */
  end: number;
  /** Offset just past the end-of-line that ends the statement's last line (or the text's length at EOF). */
  lineEnd: number;
  /** 1-based line of `start`. */
  line: number;
  /** Leading whitespace of the statement's first line. */
  indent: string;
  /** Key/value only: the value's span. */
  valueStart?: number;
  valueEnd?: number;
}

const BARE_KEY_CHAR = /[A-Za-z0-9_\-\u00B2-\uFFFF]/;

export function scanToml(text: string): TomlStatement[] {
  const out: TomlStatement[] = [];
  let pos = 0;
  let table: string[] = [];
  const n = text.length;

  const lineNumberAt = (() => {
    const starts = [0];
    for (let i = 0; i < n; i++) if (text[i] === '\n') starts.push(i + 1);
    return (offset: number): number => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    };
  })();

  const skipSpaces = (): void => {
    while (pos < n && (text[pos] === ' ' || text[pos] === '\t')) pos++;
  };
  /** Whitespace, newlines and comments (inside arrays). */
  const skipBlank = (): void => {
    for (;;) {
      skipSpaces();
      if (text[pos] === '\r' || text[pos] === '\n') pos++;
      else if (text[pos] === '#') while (pos < n && text[pos] !== '\n') pos++;
      else return;
    }
  };
  /** Rest of a line after a statement: spaces, an optional comment, the end of line. Returns the offset past it. */
  const skipToLineEnd = (): number => {
    while (pos < n && text[pos] !== '\n') pos++;
    if (pos < n) pos++;
    return pos;
  };

  const readBasicString = (): string => {
    // at opening quote
    pos++;
    let s = '';
    while (pos < n && text[pos] !== '"') {
      if (text[pos] === '\\') {
        const c = text[pos + 1];
        const simple: Record<string, string> = {
          b: '\b',
          t: '\t',
          n: '\n',
          f: '\f',
          r: '\r',
          e: '\x1b',
          '"': '"',
          '\\': '\\',
        };
        if (c !== undefined && c in simple) {
          s += simple[c];
          pos += 2;
        } else if (c === 'u' || c === 'U' || c === 'x') {
          const len = c === 'u' ? 4 : c === 'U' ? 8 : 2;
          s += String.fromCodePoint(parseInt(text.slice(pos + 2, pos + 2 + len), 16));
          pos += 2 + len;
        } else {
          s += c ?? '';
          pos += 2;
        }
      } else {
        s += text[pos];
        pos++;
      }
    }
    pos++; // closing quote
    return s;
  };
  const readLiteralString = (): string => {
    const close = text.indexOf("'", pos + 1);
    const s = text.slice(pos + 1, close < 0 ? n : close);
    pos = close < 0 ? n : close + 1;
    return s;
  };

  const readKey = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipSpaces();
      const c = text[pos];
      if (c === '"') parts.push(readBasicString());
      else if (c === "'") parts.push(readLiteralString());
      else {
        const from = pos;
        while (pos < n && BARE_KEY_CHAR.test(text[pos]!)) pos++;
        parts.push(text.slice(from, pos));
        if (pos === from) return parts; // malformed; stop
      }
      skipSpaces();
      if (text[pos] === '.') pos++;
      else return parts;
    }
  };

  const skipMultiline = (delim: '"""' | "'''"): void => {
    pos += 3;
    const q = delim[0];
    while (pos < n) {
      if (delim === '"""' && text[pos] === '\\') {
        pos += 2;
        continue;
      }
      if (text.startsWith(delim, pos)) {
        pos += 3;
        // Up to two more quotes right before the closing delimiter belong to the content.
        let extra = 0;
        while (extra < 2 && text[pos] === q) {
          pos++;
          extra++;
        }
        return;
      }
      pos++;
    }
  };

  const skipValue = (): void => {
    const c = text[pos];
    if (text.startsWith('"""', pos)) return skipMultiline('"""');
    if (text.startsWith("'''", pos)) return skipMultiline("'''");
    if (c === '"') {
      readBasicString();
      return;
    }
    if (c === "'") {
      readLiteralString();
      return;
    }
    if (c === '[') {
      pos++;
      for (;;) {
        skipBlank();
        if (pos >= n) return;
        if (text[pos] === ']') {
          pos++;
          return;
        }
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        const before = pos;
        skipValue();
        if (pos === before) pos++; // never loop on garbage
      }
    }
    if (c === '{') {
      pos++;
      for (;;) {
        skipBlank();
        if (pos >= n) return;
        if (text[pos] === '}') {
          pos++;
          return;
        }
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        const before = pos;
        readKey();
        skipSpaces();
        if (text[pos] === '=') pos++;
        skipSpaces();
        skipValue();
        if (pos === before) pos++;
      }
    }
    // Numbers, booleans, dates and times; a date and a time may be separated by one space.
    const from = pos;
    while (pos < n && !/[\s#,\]}]/.test(text[pos]!)) pos++;
    if (/^\d{4}-\d\d-\d\d$/.test(text.slice(from, pos)) && text[pos] === ' ' && /\d/.test(text[pos + 1] ?? '')) {
      pos++;
      while (pos < n && !/[\s#,\]}]/.test(text[pos]!)) pos++;
    }
  };

  while (pos < n) {
    const lineStart = pos;
    skipSpaces();
    const indent = text.slice(lineStart, pos);
    const c = text[pos];
    if (c === undefined) break;
    if (c === '\n' || c === '\r' || c === '#') {
      skipToLineEnd();
      continue;
    }
    const start = pos;
    if (c === '[') {
      const array = text[pos + 1] === '[';
      pos += array ? 2 : 1;
      const key = readKey();
      skipSpaces();
      pos += array ? 2 : 1;
      const end = pos;
      table = key;
      out.push({
        kind: array ? 'array-table' : 'table',
        key,
        table: key,
        lineStart,
        start,
        end,
        lineEnd: skipToLineEnd(),
        line: lineNumberAt(start),
        indent,
      });
      continue;
    }
    const key = readKey();
    skipSpaces();
    if (text[pos] === '=') pos++;
    skipSpaces();
    const valueStart = pos;
    skipValue();
    const valueEnd = pos;
    out.push({
      kind: 'keyval',
      key,
      table,
      lineStart,
      start,
      end: valueEnd,
      lineEnd: skipToLineEnd(),
      line: lineNumberAt(start),
      indent,
      valueStart,
      valueEnd,
    });
  }
  return out;
}

/** A key written as TOML: bare parts where allowed, basic strings otherwise. */
export function formatKey(parts: readonly string[]): string {
  return parts.map((p) => (/^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p))).join('.');
}
