/**
 * The TypeScript host of the job recipe: a generator's CI job object literal. Its script items are string and template
 * literals (inline, in constants, in arrays, spreads and `.concat(…)`), its image and variables are properties
 * (through spreads and constants). Edits are text ranges of the literals and properties concerned, written in their
 * own quoting; everything else stays.
 */
import type * as TM from 'ts-morph';
import { messages } from '../findings/registry.js';
import type { PlanEnv } from '../kaniko/context.js';
import { buildkitImageFor, classifyImage, type KanikoImageKind } from '../kaniko/images.js';
import { parseScript } from '../shell/index.js';
import type { ParsedScript } from '../shell/types.js';
import type { TextEdit } from '../text/edits.js';
import { applyValueEdits, type ValueEdit } from '../text/value-edit.js';
import type { Ast, PropHit, StringLike } from '../typescript/ast.js';
import { encodeText, literalEdits, showMarkers, sourceOffsetOf, type LiteralModel } from '../typescript/literal.js';
import { checkMarkers } from '../typescript/placeholders.js';
import {
  scanUsage,
  translateArgVariable,
  type ArgVariable,
  type Usage,
  type VariableDefinition,
  type VariableWorld,
} from './arg-variables.js';
import { BUILDKIT_HOME, KANIKO_DOCKER_DIR } from './auth.js';
import type { Change, HostImage, HostTerms, JobHost, Place, Refusal } from './host.js';
import { migrateJob, type JobOutcome } from './recipe.js';
import { BUILDKITD_FLAGS, NO_PROCESS_SANDBOX } from './variables.js';

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

export interface JobPlan extends JobOutcome {
  node: TM.ObjectLiteralExpression;
  name?: string;
  file: string;
  /** Every string literal read as a script item (claimed: not migrated on its own). */
  claimed: Set<TM.Node>;
}

export interface JobContext {
  ast: Ast;
  env: PlanEnv;
  buildkitImage?: string;
  /** Object literals other job objects spread (`{ ...base, script }`): an image-only one is a template. */
  spreadSources?: Set<TM.Node>;
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
function readVariables(
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

interface ImageRead {
  status: 'absent' | 'unknown' | 'read';
  kind: KanikoImageKind;
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

/** A plan with nothing decided yet. */
export function emptyPlan(ast: Ast, obj: TM.ObjectLiteralExpression): JobPlan {
  return {
    node: obj,
    name: jobName(ast, obj),
    file: ast.pathOf(obj.getSourceFile()),
    kaniko: false,
    manual: false,
    template: false,
    findings: [],
    edits: [],
    touches: new Set(),
    reads: new Set([ast.key(obj)]),
    claimed: new Set(),
    expectedCalls: [],
    calls: 0,
    flags: [],
  };
}

/** One job object through the recipe. */
export function analyseJob(ctx: JobContext, obj: TM.ObjectLiteralExpression): JobPlan {
  const plan = emptyPlan(ctx.ast, obj);
  const host = new TypeScriptJobHost(ctx, obj, plan);
  const outcome = migrateJob(host, { env: ctx.env, buildkitImage: ctx.buildkitImage, job: plan.name });
  return { ...plan, ...outcome };
}

class TypeScriptJobHost implements JobHost<Item> {
  readonly items: Item[];
  readonly image: HostImage<Item>;
  readonly terms: HostTerms = { in: 'this job object', byHand: 'the image and script' };
  readonly reads: Set<string>;
  readonly opaque?: { text: string; at: Place };
  readonly unreadable?: Place;
  readonly template: boolean;
  private readonly ast: Ast;
  private readonly read: ImageRead;
  private readonly varsHit?: PropHit;
  private readonly vars: Map<string, { prop: TM.Node; value: TM.Node; holder: TM.ObjectLiteralExpression }>;
  private readonly unknownVars: TM.Node[];
  private usageOf?: Usage<Item>;

  constructor(
    private readonly ctx: JobContext,
    private readonly obj: TM.ObjectLiteralExpression,
    plan: JobPlan,
  ) {
    const { ast } = ctx;
    const { Node } = ast.tm;
    this.ast = ast;
    this.reads = plan.reads;
    const script: ScriptRead = { items: [], opaque: [], reads: plan.reads, unreadable: [] };
    for (const key of SCRIPT_KEYS) {
      const hit = ast.lookup(obj, key, plan.reads);
      if (!hit) continue;
      if (hit.unknown) {
        script.opaque.push(hit.unknown);
        continue;
      }
      readScript(ast, hit.prop && Node.isShorthandPropertyAssignment(hit.prop) ? hit.prop : hit.value, script);
    }
    this.items = script.items;
    for (const i of this.items) {
      plan.claimed.add(i.node);
      plan.reads.add(ast.key(i.node));
    }
    for (const u of script.unreadable) plan.claimed.add(u);
    const { hit: varsHit, vars, unknown } = readVariables(ast, obj, plan.reads);
    this.varsHit = varsHit;
    this.vars = vars;
    this.unknownVars = unknown;
    const image = readImage(ctx, obj, vars);
    this.read = image;
    for (const r of image.reads) plan.reads.add(r);
    for (const l of image.literals) plan.claimed.add(l);
    const o = script.opaque[0];
    if (o) this.opaque = { text: short(o), at: this.place(o, o.getStart()) };
    const u = script.unreadable[0];
    if (u) this.unreadable = this.place(u, u.getStart());
    this.template = !!ctx.spreadSources?.has(obj);
    const setNode = image.at ?? obj;
    this.image = {
      status: image.status,
      kind: image.kind,
      ref: image.ref,
      setAt: this.place(setNode, setNode.getStart()),
      ...(image.status === 'read' && image.at ? { nameAt: this.place(image.at, image.at.getStart()) } : {}),
      ...(image.status !== 'read'
        ? {
            refusal: (item: Item) => {
              const where =
                image.status === 'absent'
                  ? 'not set in this object (the runner default, or set later by the generator)'
                  : `${short(image.at!)}, which this tool cannot read`;
              const at = image.at ?? item.node;
              return {
                message: messages('KB206').imageNotEditable(where, "['']"),
                at: this.place(at, at.getStart()),
              };
            },
          }
        : {}),
    };
  }

  private place(node: TM.Node, offset: number, show?: (m: string) => string): Place {
    const sf = node.getSourceFile();
    return { file: this.ast.pathOf(sf), ...this.ast.position(sf, offset), ...(show ? { show } : {}) };
  }

  key(item: Item): string {
    return this.ast.key(item.node);
  }

  at(item: Item, valueOffset: number): Place {
    return this.place(item.node, sourceOffsetOf(item.model, valueOffset), (m) => showMarkers(item.model, m));
  }

  itemAt(item: Item): Place {
    return this.at(item, 0);
  }

  linesRemovable(): boolean {
    return true;
  }

  removeLines(): undefined {
    // A literal's lines are removed as a value edit, with the item's other edits.
    return undefined;
  }

  /** A variable's value as a literal whose value is fully known (no placeholders). */
  private literalOf(name: string): { model: LiteralModel; literal: StringLike } | undefined {
    const v = this.vars.get(name);
    const s = v && this.ast.stringOf(v.value);
    const model = s && this.ast.model(s.literal);
    return model && !model.placeholders.length ? { model, literal: s.literal } : undefined;
  }

  variable(name: string): string | undefined {
    return this.literalOf(name)?.model.cooked;
  }

  hasVariable(name: string): boolean {
    return this.vars.has(name);
  }

  translate(name: string, env: PlanEnv): ArgVariable<Item> {
    return translateArgVariable(this.world(), name, env);
  }

  private world(): VariableWorld<Item> {
    const own = (v: string): VariableDefinition | undefined => {
      const found = this.vars.get(v);
      if (!found) return undefined;
      const lit = this.literalOf(v);
      const file = this.ast.pathOf(found.value.getSourceFile());
      if (!lit) return { key: this.ast.key(found.value), file, edit: () => undefined };
      const { model, literal } = lit;
      return {
        value: model.cooked,
        key: this.ast.key(literal),
        file,
        edit: (end, parts) => literalEdits(model, parts.join(' ') + model.cooked.slice(end)),
      };
    };
    return {
      definitions: (v) => {
        const d = own(v);
        return d ? [d] : [];
      },
      own,
      usage: () => (this.usageOf ??= scanUsage(this.items)),
      isOwnItem: () => true,
      missingParts: () => this.unknownVars.map(short),
    };
  }

  spansLines(): boolean {
    // A literal's call is written on one line.
    return false;
  }

  encode(item: Item, edits: ValueEdit[]): Change | Refusal {
    const value = applyValueEdits(item.model.cooked, edits);
    if (value === item.model.cooked) return { edits: [], touches: [] };
    const check = checkMarkers(item.model, value);
    if (!check.ok)
      return { code: 'KB502', message: `${check.reason}; the job is left unchanged`, at: this.itemAt(item) };
    return { edits: literalEdits(item.model, value), touches: [this.ast.key(item.node)] };
  }

  insertBefore(item: Item, lines: string[]): Change | undefined {
    const { element } = item;
    if (!element) return undefined;
    const { ast } = this;
    const layout = ast.listLayout(element);
    const q = quoteFor(ast, element);
    const sep = layout.ownLine ? `,\n${layout.indent}` : ', ';
    const text = lines.map((l) => `${q}${encodeText(l, q, false)}${q}${sep}`).join('');
    return {
      edits: [{ file: ast.pathOf(element.getSourceFile()), start: layout.pos, end: layout.pos, text }],
      touches: [ast.key(element.getParentOrThrow())],
    };
  }

  insertAfter(): undefined {
    return undefined;
  }

  dockerConfig(): Change | undefined {
    const lit = this.literalOf('DOCKER_CONFIG');
    if (!lit || !lit.model.cooked.startsWith(KANIKO_DOCKER_DIR)) return undefined;
    return { edits: literalEdits(lit.model, `${BUILDKIT_HOME}/.docker`), touches: [this.ast.key(lit.literal)] };
  }

  imageEdits(buildkitImage: string | undefined): Change | Refusal {
    const image = this.read;
    const edits = image.edits((ref) => buildkitImageFor(ref, buildkitImage));
    if (typeof edits === 'string')
      return { code: 'KB206', message: edits, at: this.place(image.at!, image.at!.getStart()) };
    return { edits, touches: image.touches };
  }

  sandbox(): Change | Refusal | undefined {
    const { ast, obj } = this;
    const flags = this.vars.get(BUILDKITD_FLAGS);
    const flagsLit = flags && ast.stringOf(flags.value);
    const flagsModel = flagsLit && ast.model(flagsLit.literal);
    if (flagsModel) {
      if (flagsModel.cooked.split(/\s+/).includes(NO_PROCESS_SANDBOX)) return undefined;
      return {
        edits: literalEdits(flagsModel, `${flagsModel.cooked.trimEnd()} ${NO_PROCESS_SANDBOX}`.trimStart()),
        touches: [ast.key(flagsLit.literal)],
      };
    }
    if (flags)
      return {
        code: 'KB206',
        message: `BUILDKITD_FLAGS is set to ${short(flags.value)}, which this tool cannot read; make sure it holds ${NO_PROCESS_SANDBOX}, then run again`,
        at: this.place(flags.value, flags.value.getStart()),
      };
    const e = variableEdits(ast, obj, this.read.hit!, this.varsHit);
    if (typeof e === 'string') return { code: 'KB206', message: e, at: this.place(obj, obj.getStart()) };
    return { edits: e.edits, touches: [e.touches] };
  }
}

function quoteFor(ast: Ast, node: TM.Node): string {
  const n = ast.unwrap(node);
  if (ast.tm.Node.isStringLiteral(n)) return n.getText()[0]!;
  return ast.preferredQuote(node.getSourceFile(), node.getParent());
}

function short(node: TM.Node): string {
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

function readImage(ctx: JobContext, obj: TM.ObjectLiteralExpression, vars: Map<string, { value: TM.Node }>): ImageRead {
  const { ast } = ctx;
  const { Node } = ast.tm;
  const reads: string[] = [];
  const none = (status: 'absent' | 'unknown', at?: TM.Node): ImageRead => ({
    status,
    kind: 'other',
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
      kind: classifyImage(name.model.cooked),
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
    kind: classifyImage(name.model.cooked),
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
 * `BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox'` where the job reads its variables: the effective `variables`
 * object (the job's own, or the spread object's), else a new `variables:` next to the `image` key the job got its image from.
 */
function variableEdits(
  ast: Ast,
  obj: TM.ObjectLiteralExpression,
  imageHit: PropHit,
  varsHit: PropHit | undefined,
): { edits: TextEdit[]; touches: string } | string {
  const { Node } = ast.tm;
  const vobjOf = varsHit?.prop ? ast.objectOf(varsHit.value) : undefined;
  const q = ast.preferredQuote(obj.getSourceFile(), vobjOf ?? (imageHit.prop ? imageHit.holder : obj));
  const pair = `${BUILDKITD_FLAGS}: ${q}${NO_PROCESS_SANDBOX}${q}`;
  if (varsHit?.unknown)
    return `the job's variables come from ${short(varsHit.unknown)}; add ${BUILDKITD_FLAGS}: ${NO_PROCESS_SANDBOX} by hand, then run again`;
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
