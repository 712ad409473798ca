/**
 * Recursive-descent reader for the POSIX shell grammar (as dash and busybox ash read it), keeping
 * only what a codemod needs: every simple command with its words, assignments, redirections and
 * the compound commands / lists it sits in. It never throws: syntax errors are collected and the
 * reader carries on with a best-effort result.
 */
import { type HeredocRequest, Lexer, type Operator, REDIRECT_OPS, type Token } from './lexer.js';
import type { Enclosure, ParsedScript, Redirect, ShellSyntaxError, SimpleCommand, Word } from './types.js';
import { MAX_NESTING, type ScanContext, skimBalanced } from './word-scanner.js';
import { asAssignment, heredocDelimiter, isAssignmentWord } from './words.js';

/** Reserved words that end a compound list when they appear in command position. */
const LIST_CLOSERS: ReadonlySet<string> = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}']);

const COMPOUND_STARTS: ReadonlySet<string> = new Set(['if', 'while', 'until', 'for', 'case', '{']);

export function parseScript(src: string): ParsedScript {
  const commands: SimpleCommand[] = [];
  const errors: ShellSyntaxError[] = [];
  try {
    new Parser(src, 0, commands, errors, { depth: 0 }).parseProgram();
  } catch (e) {
    // Last resort (e.g. a stack overflow from pathological nesting of `${...}`): keep what was read.
    errors.push({ message: `reader gave up: ${e instanceof Error ? e.message : String(e)}`, offset: 0 });
  }
  return { commands, errors };
}

class Parser {
  private readonly lexer: Lexer;
  private lookahead: Token | undefined;

  constructor(
    private readonly src: string,
    start: number,
    /** Where finished simple commands go (a throwaway array inside `$(...)`). */
    private readonly commands: SimpleCommand[],
    private readonly errors: ShellSyntaxError[],
    private readonly nesting: { depth: number },
  ) {
    const ctx: ScanContext = { src, errors, nesting, commandSubstitution: (at) => this.commandSubstitution(at) };
    this.lexer = new Lexer(ctx, start);
  }

  parseProgram(): void {
    for (;;) {
      this.parseCompoundList([]);
      const t = this.peek();
      if (t.kind === 'eof') return;
      this.error(`unexpected ${describe(t)}`, t.start);
      this.next();
    }
  }

  // ---- tokens -------------------------------------------------------------------------------

  private peek(): Token {
    return (this.lookahead ??= this.lexer.next());
  }

  private next(): Token {
    const t = this.peek();
    this.lookahead = undefined;
    return t;
  }

  private error(message: string, offset: number): void {
    this.errors.push({ message, offset });
  }

  private isOp(t: Token, op: Operator): boolean {
    return t.kind === 'op' && t.op === op;
  }

  /** Whether `t` is the unquoted reserved word `w` (only meaningful in command position). */
  private isWord(t: Token, w: string): boolean {
    return t.kind === 'word' && t.word.raw === w;
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.next();
  }

  private atListEnd(): boolean {
    const t = this.peek();
    if (t.kind === 'eof') return true;
    if (t.kind === 'op') return t.op === ')' || t.op === ';;';
    return t.kind === 'word' && LIST_CLOSERS.has(t.word.raw);
  }

  private expectWord(w: string, opener: Token): boolean {
    if (this.isWord(this.peek(), w)) {
      this.next();
      return true;
    }
    this.error(
      `expected '${w}' for ${describe(opener)} at ${opener.start}, found ${describe(this.peek())}`,
      this.peek().start,
    );
    return false;
  }

  private expectOp(op: Operator, opener: Token): boolean {
    if (this.isOp(this.peek(), op)) {
      this.next();
      return true;
    }
    this.error(
      `expected '${op}' for ${describe(opener)} at ${opener.start}, found ${describe(this.peek())}`,
      this.peek().start,
    );
    return false;
  }

  // ---- enclosures ---------------------------------------------------------------------------

  /**
   * Whether commands sit in a pipeline, an and-or list or a background job is only known after
   * they are read, so the enclosure is inserted afterwards, at the nesting level where the
   * construct was parsed (every command read since `from` shares that prefix).
   */
  private wrap(from: number, level: number, enclosure: Enclosure): void {
    for (let i = from; i < this.commands.length; i++) this.commands[i]!.enclosures.splice(level, 0, enclosure);
  }

  // ---- lists --------------------------------------------------------------------------------

  /** `and_or ((';' | '&' | newline) and_or)*`, up to a closing reserved word, `)`, `;;` or the end. */
  private parseCompoundList(ctx: Enclosure[]): void {
    for (;;) {
      this.skipNewlines();
      if (this.atListEnd()) return;
      const from = this.commands.length;
      this.parseAndOr(ctx);
      const t = this.peek();
      if (this.isOp(t, ';') || t.kind === 'newline') this.next();
      else if (this.isOp(t, '&')) {
        this.next();
        this.wrap(from, ctx.length, 'background');
      } else if (!this.atListEnd()) this.error(`expected ';' or a newline before ${describe(t)}`, t.start);
    }
  }

  private parseAndOr(ctx: Enclosure[]): void {
    const from = this.commands.length;
    this.parsePipeline(ctx);
    let count = 1;
    while (this.isOp(this.peek(), '&&') || this.isOp(this.peek(), '||')) {
      this.next();
      this.skipNewlines();
      this.parsePipeline(ctx);
      count++;
    }
    if (count > 1) this.wrap(from, ctx.length, 'and-or');
  }

  private parsePipeline(ctx: Enclosure[]): void {
    const from = this.commands.length;
    if (this.isWord(this.peek(), '!')) this.next();
    this.parseCommand(ctx);
    let count = 1;
    while (this.isOp(this.peek(), '|')) {
      this.next();
      this.skipNewlines();
      this.parseCommand(ctx);
      count++;
    }
    if (count > 1) this.wrap(from, ctx.length, 'pipeline');
  }

  // ---- commands -----------------------------------------------------------------------------

  /** One command. Always consumes a token unless the list ends here. */
  private parseCommand(ctx: Enclosure[]): void {
    const t = this.peek();
    if (this.atListEnd()) {
      this.error(`expected a command before ${describe(t)}`, t.start);
      return;
    }
    const compound = t.kind === 'word' ? COMPOUND_STARTS.has(t.word.raw) : this.isOp(t, '(');
    if (compound) {
      if (this.nesting.depth >= MAX_NESTING) {
        this.error('compound commands nested too deeply', t.start);
        this.next();
        return;
      }
      this.nesting.depth++;
      this.parseCompound(ctx, t);
      this.nesting.depth--;
      this.parseRedirects(); // `done < file`, `} > log`: read (heredocs!) but not reported
      return;
    }
    if (t.kind === 'word' && t.word.raw === 'function') {
      this.parseFunctionKeyword(ctx);
      return;
    }
    if (t.kind === 'word' || t.kind === 'io-number' || (t.kind === 'op' && REDIRECT_OPS.has(t.op))) {
      this.parseSimple(ctx, []);
      return;
    }
    this.error(`unexpected ${describe(t)}`, t.start);
    this.next();
  }

  private parseCompound(ctx: Enclosure[], t: Token): void {
    if (t.kind === 'op') return this.parseSubshell(ctx);
    switch (t.kind === 'word' ? t.word.raw : '') {
      case 'if':
        return this.parseIf(ctx);
      case 'while':
        return this.parseLoop(ctx, 'while');
      case 'until':
        return this.parseLoop(ctx, 'until');
      case 'for':
        return this.parseFor(ctx);
      case 'case':
        return this.parseCase(ctx);
      default:
        return this.parseGroup(ctx);
    }
  }

  private parseSubshell(ctx: Enclosure[]): void {
    const open = this.next();
    this.parseCompoundList([...ctx, 'subshell']);
    this.expectOp(')', open);
  }

  private parseGroup(ctx: Enclosure[]): void {
    const open = this.next();
    this.parseCompoundList([...ctx, 'group']);
    this.expectWord('}', open);
  }

  private parseIf(ctx: Enclosure[]): void {
    const inner: Enclosure[] = [...ctx, 'if'];
    const kw = this.next();
    this.parseCompoundList(inner);
    this.expectWord('then', kw);
    this.parseCompoundList(inner);
    while (this.isWord(this.peek(), 'elif')) {
      const elif = this.next();
      this.parseCompoundList(inner);
      this.expectWord('then', elif);
      this.parseCompoundList(inner);
    }
    if (this.isWord(this.peek(), 'else')) {
      this.next();
      this.parseCompoundList(inner);
    }
    this.expectWord('fi', kw);
  }

  private parseLoop(ctx: Enclosure[], kind: 'while' | 'until'): void {
    const inner: Enclosure[] = [...ctx, kind];
    const kw = this.next();
    this.parseCompoundList(inner);
    this.parseDoGroup(inner, kw);
  }

  private parseDoGroup(inner: Enclosure[], opener: Token): void {
    this.expectWord('do', opener);
    this.parseCompoundList(inner);
    this.expectWord('done', opener);
  }

  /** `for name [in word...] (';' | newline) do ... done`, also `for name; do` and `for name do`. */
  private parseFor(ctx: Enclosure[]): void {
    const inner: Enclosure[] = [...ctx, 'for'];
    const kw = this.next();
    if (this.peek().kind === 'word') this.next();
    else this.error(`expected a variable name after 'for'`, this.peek().start);
    this.skipNewlines();
    if (this.isWord(this.peek(), 'in')) {
      this.next();
      while (this.peek().kind === 'word') this.next();
      const sep = this.peek();
      if (this.isOp(sep, ';') || sep.kind === 'newline') this.next();
      else this.error(`expected ';' or a newline after the 'for' word list, found ${describe(sep)}`, sep.start);
    } else if (this.isOp(this.peek(), ';')) this.next();
    this.skipNewlines();
    this.parseDoGroup(inner, kw);
  }

  /** `case word in [(]pattern[|pattern]...) list ;; ... esac` */
  private parseCase(ctx: Enclosure[]): void {
    const inner: Enclosure[] = [...ctx, 'case'];
    const kw = this.next();
    if (this.peek().kind === 'word') this.next();
    else this.error(`expected a word after 'case'`, this.peek().start);
    this.skipNewlines();
    if (!this.expectWord('in', kw)) return;
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (this.isWord(t, 'esac')) {
        this.next();
        return;
      }
      if (t.kind === 'eof') {
        this.error(`expected 'esac' for 'case' at ${kw.start}`, t.start);
        return;
      }
      if (this.isOp(t, '(')) this.next();
      if (!this.readPatternWord()) return;
      while (this.isOp(this.peek(), '|')) {
        this.next();
        if (!this.readPatternWord()) return;
      }
      if (!this.expectOp(')', kw)) return;
      this.parseCompoundList(inner);
      if (this.isOp(this.peek(), ';;')) this.next();
      else if (!this.isWord(this.peek(), 'esac')) {
        this.error(`expected ';;' or 'esac', found ${describe(this.peek())}`, this.peek().start);
        return;
      }
    }
  }

  private readPatternWord(): boolean {
    const t = this.peek();
    if (t.kind === 'word') {
      this.next();
      return true;
    }
    this.error(`expected a case pattern, found ${describe(t)}`, t.start);
    return false;
  }

  /** bash's `function name [()] body`, read leniently; otherwise `function` is an ordinary command. */
  private parseFunctionKeyword(ctx: Enclosure[]): void {
    const kw = this.next() as Extract<Token, { kind: 'word' }>;
    const name = this.peek();
    if (name.kind !== 'word') return this.parseSimple(ctx, [kw.word]);
    this.next();
    const after = this.peek();
    if (this.isOp(after, '(')) {
      this.next();
      this.expectOp(')', after);
      return this.parseFunctionBody(ctx, name);
    }
    if (after.kind === 'word' && COMPOUND_STARTS.has(after.word.raw)) return this.parseFunctionBody(ctx, name);
    this.parseSimple(ctx, [kw.word, name.word]);
  }

  private parseFunctionBody(ctx: Enclosure[], name: Token): void {
    this.skipNewlines();
    const t = this.peek();
    if ((t.kind === 'word' && COMPOUND_STARTS.has(t.word.raw)) || this.isOp(t, '(')) {
      this.parseCommand([...ctx, 'function']);
    } else this.error(`expected a compound command as the body of function ${describe(name)}`, t.start);
  }

  /**
   * Assignments, words and redirections. `name()` right after the first word makes it a function
   * definition instead. `words` may hold words already read by the caller.
   */
  private parseSimple(ctx: Enclosure[], words: Word[]): void {
    const assignments: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'io-number' || (t.kind === 'op' && REDIRECT_OPS.has(t.op))) {
        const r = this.parseRedirect();
        if (r) redirects.push(r);
      } else if (t.kind === 'word') {
        this.next();
        // Assignments are only recognised before the command name.
        if (words.length === 0 && isAssignmentWord(t.word)) assignments.push(asAssignment(t.word));
        else {
          words.push(t.word);
          if (words.length === 1 && assignments.length === 0 && redirects.length === 0 && this.isOp(this.peek(), '(')) {
            const open = this.next();
            this.expectOp(')', open);
            return this.parseFunctionBody(ctx, t);
          }
        }
      } else break;
    }
    // Redirections may come first, last or between words: take the extremes.
    let start = Infinity;
    let end = -Infinity;
    for (const part of [assignments, words, redirects]) {
      for (const p of part) {
        start = Math.min(start, p.start);
        end = Math.max(end, p.end);
      }
    }
    if (start === Infinity) return;
    this.commands.push({ assignments, words, redirects, start, end, enclosures: [...ctx] });
  }

  private parseRedirects(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'io-number' && !(t.kind === 'op' && REDIRECT_OPS.has(t.op))) return;
      this.parseRedirect();
    }
  }

  /** `[n]op word`; for `<<` / `<<-`, queues the heredoc so its body is read at the next newline. */
  private parseRedirect(): Redirect | undefined {
    let t = this.next();
    const start = t.start;
    let fd: number | undefined;
    if (t.kind === 'io-number') {
      fd = t.fd;
      t = this.next(); // the lexer only emits an io number right before `<` or `>`
    }
    if (t.kind !== 'op') return undefined;
    const op = t.op;
    const target = this.peek();
    if (target.kind !== 'word') {
      this.error(`expected a word after '${op}', found ${describe(target)}`, target.start);
      return undefined;
    }
    this.next();
    const redirect: Redirect = { op, target: target.word, start, end: target.end };
    if (fd !== undefined) redirect.fd = fd;
    if (op === '<<' || op === '<<-') {
      const { delimiter, quoted } = heredocDelimiter(target.word);
      const request: HeredocRequest = {
        delimiter,
        stripTabs: op === '<<-',
        offset: start,
        done: (body, bodyStart, bodyEnd) => {
          redirect.heredoc = { body, start: bodyStart, end: bodyEnd, quoted };
        },
      };
      this.lexer.addHeredoc(request);
    }
    return redirect;
  }

  // ---- command substitution -----------------------------------------------------------------

  /**
   * Reads a `$(...)` body with a nested parser (its commands are not reported) and returns the
   * offset after its `)`. Past the nesting limit, only parentheses and quotes are tracked.
   */
  private commandSubstitution(start: number): number {
    if (this.nesting.depth >= MAX_NESTING) {
      this.error('command substitutions nested too deeply', start - 2);
      return skimBalanced(this.src, start, '(', ')', 1);
    }
    this.nesting.depth++;
    const nested = new Parser(this.src, start, [], this.errors, this.nesting);
    try {
      for (;;) {
        nested.parseCompoundList([]);
        const t = nested.peek();
        if (nested.isOp(t, ')')) return t.end;
        if (t.kind === 'eof') {
          this.error("unterminated '$('", start - 2);
          return this.src.length;
        }
        nested.error(`unexpected ${describe(t)}`, t.start);
        nested.next();
      }
    } finally {
      this.nesting.depth--;
    }
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'word':
      return `'${t.word.raw.length > 40 ? `${t.word.raw.slice(0, 40)}…` : t.word.raw}'`;
    case 'op':
      return `'${t.op}'`;
    case 'io-number':
      return `'${t.fd}'`;
    case 'newline':
      return 'newline';
    case 'eof':
      return 'end of input';
  }
}
