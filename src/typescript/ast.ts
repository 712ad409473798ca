/**
 * Reading generator code with ts-morph: property lookup through spreads, constants through identifiers (also imported
 * from another source of the run), string-like literals as `LiteralModel`s, and script lists as items.
 * Types only are imported from ts-morph here; the module object comes in from the caller's dynamic import.
 */
import type * as TM from 'ts-morph';
import { buildLiteral, type LiteralModel, type Placeholder } from './literal.js';

export type TsMorph = typeof TM;
export type StringLike = TM.StringLiteral | TM.NoSubstitutionTemplateLiteral | TM.TemplateExpression;

export class Ast {
  private readonly models = new Map<TM.Node, LiteralModel | null>();
  private readonly fileQuotes = new Map<TM.SourceFile, string>();

  constructor(
    readonly tm: TsMorph,
    /** The path each source file is reported under (relative to the repository root). */
    readonly pathOf: (sf: TM.SourceFile) => string,
  ) {}

  key(node: TM.Node): string {
    return `${this.pathOf(node.getSourceFile())}#${node.getStart()}`;
  }

  unwrap(node: TM.Node): TM.Node {
    const { Node } = this.tm;
    let n = node;
    for (;;) {
      if (
        Node.isParenthesizedExpression(n) ||
        Node.isAsExpression(n) ||
        Node.isNonNullExpression(n) ||
        Node.isSatisfiesExpression(n) ||
        Node.isTypeAssertion(n)
      )
        n = n.getExpression();
      else return n;
    }
  }

  isStringLike(node: TM.Node): node is StringLike {
    const { Node } = this.tm;
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node))
      return !Node.isTaggedTemplateExpression(node.getParent());
    if (Node.isTemplateExpression(node)) return !Node.isTaggedTemplateExpression(node.getParent());
    return false;
  }

  /** The name of a property assignment, `{ 'before_script': … }` included; undefined for computed names. */
  propName(p: TM.Node): string | undefined {
    const { Node } = this.tm;
    if (!Node.isPropertyAssignment(p) && !Node.isShorthandPropertyAssignment(p)) return undefined;
    const n = p.getNameNode();
    if (Node.isIdentifier(n)) return n.getText();
    if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n)) return n.getLiteralValue();
    if (Node.isNumericLiteral(n)) return n.getText();
    return undefined;
  }

  /** The declaration an identifier names, following imports between sources of the run. */
  declarationOf(id: TM.Node): TM.Node | undefined {
    const { Node } = this.tm;
    let sym: TM.Symbol | undefined;
    try {
      if (Node.isShorthandPropertyAssignment(id)) sym = id.getValueSymbol();
      else sym = id.getSymbol();
      let decl = sym?.getDeclarations()[0];
      if (
        decl &&
        (Node.isImportSpecifier(decl) ||
          Node.isImportClause(decl) ||
          Node.isNamespaceImport(decl) ||
          Node.isExportSpecifier(decl))
      ) {
        decl = sym?.getAliasedSymbol()?.getDeclarations()[0] ?? decl;
      }
      return decl;
    } catch {
      return undefined;
    }
  }

  /** The initializer of the `const` an identifier names (followed through identifier chains). */
  constValue(node: TM.Node, depth = 0): { value: TM.Node; decl: TM.VariableDeclaration } | undefined {
    const { Node } = this.tm;
    if (depth > 10) return undefined;
    const n = this.unwrap(node);
    if (!Node.isIdentifier(n) && !Node.isShorthandPropertyAssignment(n)) return undefined;
    const decl = this.declarationOf(n);
    if (!decl || !Node.isVariableDeclaration(decl)) return undefined;
    const stmt = decl.getVariableStatement();
    if (!stmt || stmt.getDeclarationKind() !== 'const') return undefined;
    const init = decl.getInitializer();
    if (!init) return undefined;
    const value = this.unwrap(init);
    if (Node.isIdentifier(value)) return this.constValue(value, depth + 1) ?? { value, decl };
    return { value, decl };
  }

  /** The object literal an expression is (inline, or a const holding one). */
  objectOf(node: TM.Node): TM.ObjectLiteralExpression | undefined {
    const { Node } = this.tm;
    const n = this.unwrap(node);
    if (Node.isObjectLiteralExpression(n)) return n;
    const c = this.constValue(n);
    return c && Node.isObjectLiteralExpression(c.value) ? c.value : undefined;
  }

  /** A string literal, or a const holding one. */
  stringOf(node: TM.Node): { literal: StringLike; decl?: TM.VariableDeclaration } | undefined {
    const n = this.unwrap(node);
    if (this.isStringLike(n)) return { literal: n };
    const c = this.constValue(n);
    return c && this.isStringLike(c.value) ? { literal: c.value, decl: c.decl } : undefined;
  }

  /**
   * A key of an object literal as JavaScript evaluates it: the last own property or spread (of an object literal this
   * tool can read) that sets it. Spreads of something unreadable are assumed not to set it, unless nothing else does.
   */
  lookup(obj: TM.ObjectLiteralExpression, key: string, reads?: Set<string>, depth = 0): PropHit | undefined {
    const { Node } = this.tm;
    let hit: PropHit | undefined;
    let unknown: TM.Node | undefined;
    if (depth > 10) return undefined;
    for (const p of obj.getProperties()) {
      if (Node.isPropertyAssignment(p) && this.propName(p) === key) {
        hit = { prop: p, holder: obj, value: p.getInitializerOrThrow() };
      } else if (Node.isShorthandPropertyAssignment(p) && this.propName(p) === key) {
        hit = { prop: p, holder: obj, value: p };
      } else if (Node.isSpreadAssignment(p)) {
        const src = this.objectOf(p.getExpression());
        if (src) {
          reads?.add(this.key(src));
          const inner = this.lookup(src, key, reads, depth + 1);
          if (inner) hit = inner;
        } else unknown = p;
      }
    }
    return hit ?? (unknown ? { unknown } : undefined);
  }

  /** The literal as shell text (cached); undefined when its escapes cannot be read exactly. */
  model(node: StringLike): LiteralModel | undefined {
    const cached = this.models.get(node);
    if (cached !== undefined) return cached ?? undefined;
    const m = this.buildModel(node);
    this.models.set(node, m ?? null);
    return m;
  }

  private buildModel(node: StringLike): LiteralModel | undefined {
    const { Node } = this.tm;
    const sf = node.getSourceFile();
    const text = sf.getFullText();
    const file = this.pathOf(sf);
    if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
      const start = node.getStart();
      const end = node.getEnd();
      return buildLiteral(text, {
        file,
        kind: Node.isStringLiteral(node) ? 'string' : 'template',
        start,
        end,
        pieces: [{ start: start + 1, end: end - 1 }],
        placeholders: [],
        cookedPieces: [node.getLiteralValue()],
      });
    }
    const head = node.getHead();
    const pieces = [{ start: head.getStart() + 1, end: head.getEnd() - 2 }];
    const cooked = [head.getLiteralText()];
    const placeholders: Placeholder[] = [];
    let prevEnd = head.getEnd();
    for (const span of node.getTemplateSpans()) {
      const lit = span.getLiteral();
      const tail = Node.isTemplateTail(lit);
      placeholders.push({
        exprText: text.slice(prevEnd, lit.getStart()),
        rawStart: prevEnd - 2,
        rawEnd: lit.getStart() + 1,
        pure: this.isPure(span.getExpression()),
      });
      pieces.push({ start: lit.getStart() + 1, end: lit.getEnd() - (tail ? 1 : 2) });
      cooked.push(lit.getLiteralText());
      prevEnd = lit.getEnd();
    }
    return buildLiteral(text, {
      file,
      kind: 'template',
      start: node.getStart(),
      end: node.getEnd(),
      pieces,
      placeholders,
      cookedPieces: cooked,
    });
  }

  /** Evaluating the expression again, or not at all, changes nothing (names, properties, literals, operators on those). */
  isPure(node: TM.Node): boolean {
    const { Node, SyntaxKind } = this.tm;
    const n = this.unwrap(node);
    if (
      Node.isIdentifier(n) ||
      Node.isThisExpression(n) ||
      Node.isStringLiteral(n) ||
      Node.isNumericLiteral(n) ||
      Node.isNoSubstitutionTemplateLiteral(n)
    )
      return true;
    if (
      [SyntaxKind.TrueKeyword, SyntaxKind.FalseKeyword, SyntaxKind.NullKeyword, SyntaxKind.UndefinedKeyword].includes(
        n.getKind(),
      )
    )
      return true;
    if (Node.isPropertyAccessExpression(n)) return this.isPure(n.getExpression());
    if (Node.isElementAccessExpression(n))
      return this.isPure(n.getExpression()) && !!n.getArgumentExpression() && this.isPure(n.getArgumentExpression()!);
    if (Node.isTemplateExpression(n)) return n.getTemplateSpans().every((s) => this.isPure(s.getExpression()));
    if (Node.isConditionalExpression(n))
      return this.isPure(n.getCondition()) && this.isPure(n.getWhenTrue()) && this.isPure(n.getWhenFalse());
    if (Node.isBinaryExpression(n)) {
      const op = n.getOperatorToken().getKind();
      const assigns = op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment;
      return !assigns && this.isPure(n.getLeft()) && this.isPure(n.getRight());
    }
    if (Node.isPrefixUnaryExpression(n)) {
      const op = n.getOperatorToken();
      return op !== SyntaxKind.PlusPlusToken && op !== SyntaxKind.MinusMinusToken && this.isPure(n.getOperand());
    }
    return false;
  }

  /** Where a new element can go before `element` in its list: same line (`'a', `) or its own line. */
  listLayout(element: TM.Node): { pos: number; ownLine: boolean; indent: string } {
    const text = element.getSourceFile().getFullText();
    const pos = element.getStart();
    const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
    const lead = text.slice(lineStart, pos);
    return /^[ \t]*$/.test(lead) ? { pos, ownLine: true, indent: lead } : { pos, ownLine: false, indent: '' };
  }

  /** The quote new strings get: the one string literals in `near` use (the object edited), else the file's usual one. */
  preferredQuote(sf: TM.SourceFile, near?: TM.Node): string {
    const count = (root: TM.Node) => {
      let single = 0;
      let double = 0;
      const look = (n: TM.Node) => {
        if (this.tm.Node.isStringLiteral(n)) {
          if (n.getText().startsWith("'")) single++;
          else double++;
        }
      };
      look(root);
      root.forEachDescendant(look);
      return { single, double };
    };
    if (near) {
      const c = count(near);
      if (c.single !== c.double) return c.double > c.single ? '"' : "'";
    }
    let file = this.fileQuotes.get(sf);
    if (!file) {
      const c = count(sf);
      file = c.double > c.single ? '"' : "'";
      this.fileQuotes.set(sf, file);
    }
    return file;
  }

  /** 1-based line and column of an offset. */
  position(sf: TM.SourceFile, offset: number): { line: number; column: number } {
    const { line, column } = sf.getLineAndColumnAtPos(offset);
    return { line, column };
  }
}

export type PropHit =
  | {
      prop: TM.PropertyAssignment | TM.ShorthandPropertyAssignment;
      holder: TM.ObjectLiteralExpression;
      value: TM.Node;
      unknown?: undefined;
    }
  | { unknown: TM.Node; prop?: undefined };
