/**
 * Reading and editing a generator's CI job object literal: its script items (string and template literals inline, in
 * constants, arrays, spreads and `.concat(…)`), its variables and image (through spreads and constants), and the
 * text edits that change them in the object's own layout and quoting. What the job means is the job recipe's
 * (src/job/typescript-job.ts is its host); nothing here knows Kaniko.
 */
import type * as TM from 'ts-morph';
import { parseScript } from '../shell/index.js';
import type { ParsedScript } from '../shell/types.js';
import type { TextEdit } from '../text/edits.js';
import type { Ast, PropHit, StringLike } from './ast.js';
import { encodeText, literalEdits, type LiteralModel } from './literal.js';

export const SCRIPT_KEYS = ['before_script', 'script', 'scripts'] as const;

export interface Item {
  node: StringLike;
  model: LiteralModel;
  /** The literal's value, as the shell reads it (placeholders as markers). */
  script: string;
  parsed: ParsedScript;
  /** The list element new items go before (the literal, or the name of the const holding it); none for a lone string. */
  element?: TM.Node;
}

export interface ScriptRead {
  items: Item[];
  /** Parts of the list this tool cannot read (function results, spreads of non-constants, …). */
  opaque: TM.Node[];
  /** Nodes read (consts, spread sources), for the sharing check. */
  reads: Set<string>;
  /** Literals that look like script items but whose escapes could not be read. */
  unreadable: TM.Node[];
}

const VAR_ONLY = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/;

/** Script items of a `script:` value: literals, arrays, spreads and `.concat(…)` of those, consts holding them. */
export function readScript(ast: Ast, value: TM.Node, out: ScriptRead, element?: TM.Node, depth = 0): void {
  const { Node } = ast.tm;
  if (depth > 20) {
    out.opaque.push(value);
    return;
  }
  const n = ast.unwrap(value);
  if (ast.isStringLike(n)) {
    const model = ast.model(n);
    if (!model) {
      out.unreadable.push(n);
      return;
    }
    out.items.push({ node: n, model, script: model.cooked, parsed: parseScript(model.cooked), element });
    return;
  }
  if (Node.isArrayLiteralExpression(n)) {
    out.reads.add(ast.key(n));
    for (const el of n.getElements()) {
      if (Node.isSpreadElement(el)) readScript(ast, el.getExpression(), out, undefined, depth + 1);
      else if (Node.isOmittedExpression(el)) continue;
      else readScript(ast, el, out, el, depth + 1);
    }
    return;
  }
  if (Node.isCallExpression(n)) {
    const callee = n.getExpression();
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'concat') {
      out.reads.add(ast.key(n));
      readScript(ast, callee.getExpression(), out, undefined, depth + 1);
      for (const arg of n.getArguments())
        readScript(ast, arg, out, ast.isStringLike(ast.unwrap(arg)) || ast.stringOf(arg) ? arg : undefined, depth + 1);
      return;
    }
  }
  if (Node.isIdentifier(n) || Node.isShorthandPropertyAssignment(n)) {
    const c = ast.constValue(n);
    if (c && (ast.isStringLike(c.value) || Node.isArrayLiteralExpression(c.value) || Node.isCallExpression(c.value))) {
      out.reads.add(ast.key(c.decl));
      readScript(ast, c.value, out, element, depth + 1);
      return;
    }
  }
  out.opaque.push(n);
}

/** Effective variables of a job object: name → the value node (through spreads). */
export function readVariables(
  ast: Ast,
  obj: TM.ObjectLiteralExpression,
  reads: Set<string>,
): {
  hit?: PropHit;
  vars: Map<string, { prop: TM.Node; value: TM.Node; holder: TM.ObjectLiteralExpression }>;
  /** Spreads this tool cannot follow: they may set any variable. */
  unknown: TM.Node[];
} {
  const { Node } = ast.tm;
  const hit = ast.lookup(obj, 'variables', reads);
  const vars = new Map<string, { prop: TM.Node; value: TM.Node; holder: TM.ObjectLiteralExpression }>();
  const unknown: TM.Node[] = [];
  if (!hit) return { hit, vars, unknown };
  if (hit.unknown) return { hit, vars, unknown: [hit.unknown] };
  const vobj = ast.objectOf(hit.value);
  if (!vobj) return { hit, vars, unknown: [hit.value] };
  const walk = (o: TM.ObjectLiteralExpression, depth: number) => {
    if (depth > 10) return;
    for (const p of o.getProperties()) {
      if (Node.isSpreadAssignment(p)) {
        const src = ast.objectOf(p.getExpression());
        if (src) walk(src, depth + 1);
        else unknown.push(p.getExpression());
        continue;
      }
      const name = ast.propName(p);
      if (name === undefined) continue;
      if (Node.isPropertyAssignment(p)) vars.set(name, { prop: p, value: p.getInitializerOrThrow(), holder: o });
      else if (Node.isShorthandPropertyAssignment(p)) vars.set(name, { prop: p, value: p, holder: o });
    }
  };
  walk(vobj, 0);
  return { hit, vars, unknown };
}

export interface ImageRead {
  status: 'absent' | 'unknown' | 'read';
  /** The image name, as the generator writes it. */
  ref?: string;
  /** The node the finding points at. */
  at?: TM.Node;
  hit?: PropHit;
  edits: (target: (ref: string) => string) => TextEdit[] | string;
  reads: string[];
  touches: string[];
  /** The literals holding the image name. */
  literals: TM.Node[];
}

export function quoteFor(ast: Ast, node: TM.Node): string {
  const n = ast.unwrap(node);
  if (ast.tm.Node.isStringLiteral(n)) return n.getText()[0]!;
  return ast.preferredQuote(node.getSourceFile(), node.getParent());
}

export function short(node: TM.Node): string {
  const t = node.getText().replace(/\s+/g, ' ');
  return `\`${t.length > 60 ? `${t.slice(0, 57)}...` : t}\``;
}

/** A name for findings: the property key, the variable, or the first string argument of the call the object is given to. */
export function jobName(ast: Ast, obj: TM.Node): string | undefined {
  const { Node } = ast.tm;
  let n: TM.Node = obj;
  let parent = n.getParent();
  while (
    parent &&
    (Node.isParenthesizedExpression(parent) || Node.isAsExpression(parent) || Node.isSatisfiesExpression(parent))
  ) {
    n = parent;
    parent = n.getParent();
  }
  if (!parent) return undefined;
  if (Node.isPropertyAssignment(parent)) return ast.propName(parent);
  if (Node.isVariableDeclaration(parent)) return parent.getName();
  if (Node.isCallExpression(parent) || Node.isNewExpression(parent)) {
    const args = parent.getArguments();
    const before = args.slice(0, Math.max(0, args.indexOf(n as TM.Expression)));
    const named = [...before].reverse().find((a) => Node.isStringLiteral(a) || Node.isNoSubstitutionTemplateLiteral(a));
    if (named && (Node.isStringLiteral(named) || Node.isNoSubstitutionTemplateLiteral(named)))
      return named.getLiteralValue();
  }
  if (Node.isReturnStatement(parent) || Node.isArrowFunction(parent)) {
    const fn = parent.getFirstAncestor(
      (a) => Node.isFunctionDeclaration(a) || Node.isVariableDeclaration(a) || Node.isMethodDeclaration(a),
    );
    if (fn && (Node.isFunctionDeclaration(fn) || Node.isVariableDeclaration(fn) || Node.isMethodDeclaration(fn)))
      return fn.getName();
  }
  return undefined;
}

export function readImage(ast: Ast, obj: TM.ObjectLiteralExpression, vars: Map<string, { value: TM.Node }>): ImageRead {
  const { Node } = ast.tm;
  const reads: string[] = [];
  const none = (status: 'absent' | 'unknown', at?: TM.Node): ImageRead => ({
    status,
    at,
    edits: () => [],
    reads,
    touches: [],
    literals: [],
  });
  const hit = ast.lookup(obj, 'image');
  if (!hit) return none('absent');
  if (hit.unknown) return none('unknown', hit.unknown);
  const prop = hit.prop;
  const value = Node.isShorthandPropertyAssignment(prop) ? prop : ast.unwrap(hit.value);
  reads.push(ast.key(hit.holder));

  /** A name string: inline, a const, or `$VAR` of the job's variables. */
  const nameOf = (
    node: TM.Node,
  ): { model: LiteralModel; literal: StringLike; via?: 'const' | 'variable'; variable?: string } | undefined => {
    const s = ast.stringOf(node);
    const model = s && ast.model(s.literal);
    if (!s || !model) return undefined;
    const v = VAR_ONLY.exec(model.cooked)?.[1];
    if (v) {
      const vv = vars.get(v);
      const vs = vv && ast.stringOf(vv.value);
      const vm = vs && ast.model(vs.literal);
      if (vs && vm) return { model: vm, literal: vs.literal, via: 'variable', variable: v };
      return undefined;
    }
    if (s.decl) reads.push(ast.key(s.decl));
    return { model, literal: s.literal, via: s.decl ? 'const' : undefined };
  };
  const q = () => ast.preferredQuote(obj.getSourceFile(), value);
  const str = (s: string, quote = q()) => `${quote}${encodeText(s, quote, false)}${quote}`;

  const imgObj = ast.objectOf(value);
  if (!imgObj) {
    const name = nameOf(value);
    if (!name) return none('unknown', value);
    reads.push(ast.key(name.literal));
    return {
      status: 'read',
      ref: name.model.cooked,
      at: value,
      hit,
      reads,
      touches: [ast.key(name.literal), ast.key(value)],
      literals: [name.literal],
      edits: (target) => {
        const path = ast.pathOf(value.getSourceFile());
        const literalQuote = name.model.kind === 'string' ? name.model.quote : q();
        if (!name.via) {
          return [
            {
              file: path,
              start: value.getStart(),
              end: value.getEnd(),
              text: `{ name: ${str(target(name.model.cooked), literalQuote)}, entrypoint: [${literalQuote}${literalQuote}] }`,
            },
          ];
        }
        // Through a const or a job variable: the const gets the new name, the key becomes { name: <same>, entrypoint }.
        const edits = literalEdits(name.model, target(name.model.cooked));
        const keep = Node.isShorthandPropertyAssignment(value) ? value.getName() : value.getText();
        const text = `{ name: ${keep}, entrypoint: [${literalQuote}${literalQuote}] }`;
        if (Node.isShorthandPropertyAssignment(value))
          edits.push({ file: path, start: value.getStart(), end: value.getEnd(), text: `image: ${text}` });
        else edits.push({ file: path, start: value.getStart(), end: value.getEnd(), text });
        return edits;
      },
    };
  }
  reads.push(ast.key(imgObj));
  const nameHit = ast.lookup(imgObj, 'name');
  if (!nameHit || nameHit.unknown) return none('unknown', imgObj);
  const nameNode = Node.isShorthandPropertyAssignment(nameHit.prop) ? nameHit.prop : nameHit.value;
  const name = nameOf(nameNode);
  if (!name) return none('unknown', nameNode);
  reads.push(ast.key(name.literal));
  return {
    status: 'read',
    ref: name.model.cooked,
    at: nameNode,
    hit,
    reads,
    touches: [ast.key(name.literal), ast.key(imgObj)],
    literals: [name.literal],
    edits: (target) => {
      const edits: TextEdit[] = literalEdits(name.model, target(name.model.cooked));
      if (name.model.kind === 'template' && name.model.placeholders.length) {
        // the new name has no placeholders: write the whole literal anew
        edits.length = 0;
        edits.push({
          file: name.model.file,
          start: name.model.start,
          end: name.model.end,
          text: `\`${encodeText(target(name.model.cooked), '`', false)}\``,
        });
      }
      const path = ast.pathOf(imgObj.getSourceFile());
      const quote = name.model.kind === 'string' ? name.model.quote : q();
      const entry = ast.lookup(imgObj, 'entrypoint');
      if (entry?.unknown) return `the image's entrypoint comes from ${short(entry.unknown)}; set it to [''] by hand`;
      if (entry && entry.prop) {
        if (entry.holder !== imgObj) return `the image's entrypoint comes from a spread object; set it to [''] by hand`;
        const v = ast.unwrap(entry.value);
        const emptyOne =
          Node.isArrayLiteralExpression(v) &&
          v.getElements().length === 1 &&
          (() => {
            const s = ast.stringOf(v.getElements()[0]!);
            const m = s && ast.model(s.literal);
            return !!m && m.cooked === '' && !s.decl;
          })();
        if (!emptyOne)
          edits.push({
            file: path,
            start: entry.value.getStart(),
            end: entry.value.getEnd(),
            text: `[${quote}${quote}]`,
          });
      } else {
        edits.push(
          ...insertProperty(
            ast,
            imgObj,
            nameHit.holder === imgObj ? nameHit.prop : undefined,
            `entrypoint: [${quote}${quote}]`,
          ),
        );
      }
      return edits;
    },
  };
}

/** Adds `text` as a property after `after` (or as the last property), in the object's own layout; comments stay on their lines. */
export function insertProperty(
  ast: Ast,
  obj: TM.ObjectLiteralExpression,
  after: TM.Node | undefined,
  text: string,
): TextEdit[] {
  const sf = obj.getSourceFile();
  const src = sf.getFullText();
  const file = ast.pathOf(sf);
  const props = obj.getProperties();
  const anchor = after ?? props[props.length - 1];
  if (!anchor) return [{ file, start: obj.getStart() + 1, end: obj.getEnd() - 1, text: ` ${text} ` }];
  const multiline = src.slice(obj.getStart(), obj.getEnd()).includes('\n');
  const end = anchor.getEnd();
  let k = end;
  for (;;) {
    const m = /^(?:[ \t]+|\/\*[^\n]*?\*\/)/.exec(src.slice(k));
    if (m) k += m[0].length;
    else break;
  }
  const hasComma = src[k] === ',';
  if (!multiline) {
    if (hasComma) return [{ file, start: k + 1, end: k + 1, text: ` ${text},` }];
    return [{ file, start: end, end, text: `, ${text}` }];
  }
  const lineStart = src.lastIndexOf('\n', anchor.getStart() - 1) + 1;
  const indent = /^[ \t]*/.exec(src.slice(lineStart))![0];
  // The rest of the anchor's line after its comma: blanks and a comment stay there, the new property goes below.
  const from = hasComma ? k + 1 : end;
  const rest = /^[ \t]*(?:\/\/[^\r\n]*|\/\*[^\r\n]*?\*\/[ \t]*)?(?=\r?\n)/.exec(src.slice(from));
  const lineEnd = rest ? from + rest[0].length : undefined;
  const eol = src.includes('\r\n') ? '\r\n' : '\n';
  if (hasComma) {
    const at = lineEnd ?? k + 1;
    return [{ file, start: at, end: at, text: `${eol}${indent}${text},` }];
  }
  if (lineEnd !== undefined && lineEnd > end) {
    return [
      { file, start: end, end, text: ',' },
      { file, start: lineEnd, end: lineEnd, text: `${eol}${indent}${text}` },
    ];
  }
  return [{ file, start: end, end, text: `,${eol}${indent}${text}` }];
}

/**
 * A variable (`BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox'`) where the job reads its variables: the effective `variables`
 * object (the job's own, or the spread object's), else a new `variables:` next to the `image` key the job got its image from.
 */
export function addVariable(
  ast: Ast,
  obj: TM.ObjectLiteralExpression,
  imageHit: PropHit,
  varsHit: PropHit | undefined,
  name: string,
  value: string,
): { edits: TextEdit[]; touches: string } | string {
  const { Node } = ast.tm;
  const vobjOf = varsHit?.prop ? ast.objectOf(varsHit.value) : undefined;
  const q = ast.preferredQuote(obj.getSourceFile(), vobjOf ?? (imageHit.prop ? imageHit.holder : obj));
  const pair = `${name}: ${q}${value}${q}`;
  if (varsHit?.unknown)
    return `the job's variables come from ${short(varsHit.unknown)}; add ${name}: ${value} by hand, then run again`;
  if (varsHit?.prop) {
    const vobj = ast.tm.Node.isObjectLiteralExpression(ast.unwrap(varsHit.value))
      ? (ast.unwrap(varsHit.value) as TM.ObjectLiteralExpression)
      : undefined;
    if (vobj) return { edits: insertProperty(ast, vobj, undefined, pair), touches: ast.key(vobj) };
    // `variables: SHARED` (a const or any expression): spread it into a new object
    const v = varsHit.value;
    const file = ast.pathOf(v.getSourceFile());
    if (Node.isShorthandPropertyAssignment(varsHit.prop)) {
      return {
        edits: [
          {
            file,
            start: varsHit.prop.getStart(),
            end: varsHit.prop.getEnd(),
            text: `variables: { ...variables, ${pair} }`,
          },
        ],
        touches: ast.key(varsHit.prop),
      };
    }
    return {
      edits: [{ file, start: v.getStart(), end: v.getEnd(), text: `{ ...${v.getText()}, ${pair} }` }],
      touches: ast.key(v),
    };
  }
  if (!imageHit.prop) return 'the image key could not be found';
  return {
    edits: insertProperty(ast, imageHit.holder, imageHit.prop, `variables: { ${pair} }`),
    touches: ast.key(imageHit.holder),
  };
}
