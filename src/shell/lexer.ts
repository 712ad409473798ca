/**
 * Splits shell source into tokens: words, operators, io numbers and newlines. Comments are
 * dropped here; here-document bodies are read here too, right after the newline that ends the
 * line holding their `<<` (the parser tells the lexer about each `<<` as soon as it has read its
 * delimiter word, before asking for any token past it).
 */
import type { ShellSyntaxError, Word } from './types.js';
import { type ScanContext, isWordBreak, scanWord } from './word-scanner.js';

export type Operator =
  '&&' | '||' | ';;' | ';' | '&' | '|' | '(' | ')' | '<<-' | '<<' | '<>' | '<&' | '<' | '>>' | '>&' | '>|' | '>';

export type Token =
  | { kind: 'word'; word: Word; start: number; end: number }
  | { kind: 'op'; op: Operator; start: number; end: number }
  /** Digits right before `<` or `>`: the fd of the redirection that follows. */
  | { kind: 'io-number'; fd: number; start: number; end: number }
  | { kind: 'newline'; start: number; end: number }
  | { kind: 'eof'; start: number; end: number };

export const REDIRECT_OPS: ReadonlySet<string> = new Set(['<<-', '<<', '<>', '<&', '<', '>>', '>&', '>|', '>']);

/** Longest match first. */
const OPERATORS: readonly Operator[] = [
  '<<-',
  '&&',
  '||',
  ';;',
  '<<',
  '<>',
  '<&',
  '>>',
  '>&',
  '>|',
  ';',
  '&',
  '|',
  '(',
  ')',
  '<',
  '>',
];

export interface HeredocRequest {
  delimiter: string;
  stripTabs: boolean;
  /** Where the `<<` is, for error messages. */
  offset: number;
  /** Receives the body (tabs already stripped for `<<-`) and its offsets in the source. */
  done(body: string, start: number, end: number): void;
}

export class Lexer {
  private pos: number;
  private pending: HeredocRequest[] = [];

  constructor(
    private readonly ctx: ScanContext,
    start = 0,
  ) {
    this.pos = start;
  }

  private get errors(): ShellSyntaxError[] {
    return this.ctx.errors;
  }

  /** Queues a here-document whose body starts after the next newline token. */
  addHeredoc(request: HeredocRequest): void {
    this.pending.push(request);
  }

  next(): Token {
    const { src } = this.ctx;
    for (;;) {
      // Blanks and line continuations between tokens.
      while (this.pos < src.length) {
        const c = src[this.pos];
        if (c === ' ' || c === '\t') this.pos++;
        else if (c === '\\' && src[this.pos + 1] === '\n') this.pos += 2;
        else break;
      }
      const start = this.pos;
      if (start >= src.length) {
        this.abandonHeredocs();
        return { kind: 'eof', start, end: start };
      }
      const c = src[start]!;
      if (c === '#') {
        // A comment only starts a word; `a#b` is a word (handled by scanWord).
        const nl = src.indexOf('\n', start);
        this.pos = nl < 0 ? src.length : nl;
        continue;
      }
      if (c === '\n') {
        this.pos++;
        this.readHeredocs();
        return { kind: 'newline', start, end: start + 1 };
      }
      if (isWordBreak(c)) {
        const op = OPERATORS.find((o) => src.startsWith(o, start))!;
        this.pos = start + op.length;
        return { kind: 'op', op, start, end: this.pos };
      }
      const { word, next } = scanWord(this.ctx, start);
      this.pos = next;
      if (/^[0-9]+$/.test(word.raw) && (src[next] === '<' || src[next] === '>')) {
        return { kind: 'io-number', fd: Number(word.raw), start, end: word.end };
      }
      return { kind: 'word', word, start, end: word.end };
    }
  }

  private readHeredocs(): void {
    const { src } = this.ctx;
    const requests = this.pending;
    this.pending = [];
    for (const req of requests) {
      const start = this.pos;
      let body = '';
      let p = start;
      for (;;) {
        if (p >= src.length) {
          this.errors.push({
            message: `here-document delimited by end of input (wanted '${req.delimiter}')`,
            offset: req.offset,
          });
          req.done(body, start, src.length);
          this.pos = src.length;
          break;
        }
        const nl = src.indexOf('\n', p);
        const lineEnd = nl < 0 ? src.length : nl;
        const next = nl < 0 ? src.length : nl + 1;
        let line = src.slice(p, lineEnd);
        if (req.stripTabs) line = line.replace(/^\t+/, '');
        if (line === req.delimiter) {
          req.done(body, start, p);
          this.pos = next;
          break;
        }
        body += line + src.slice(lineEnd, next);
        p = next;
      }
    }
  }

  /** Heredocs whose line never ended: report them and give them empty bodies. */
  private abandonHeredocs(): void {
    for (const req of this.pending) {
      this.errors.push({ message: `missing here-document body (wanted '${req.delimiter}')`, offset: req.offset });
      req.done('', this.pos, this.pos);
    }
    this.pending = [];
  }
}
