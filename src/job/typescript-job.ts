/**
 * The TypeScript host of the job recipe: a generator's CI job object literal. Its script items are string and template
 * literals (inline, in constants, in arrays, spreads and `.concat(…)`), its image and variables are properties
 * (through spreads and constants). Edits are text ranges of the literals and properties concerned, written in their
 * own quoting; everything else stays.
 */
import type * as TM from 'ts-morph';
import { messages } from '../findings/registry.js';
import type { PlanEnv } from '../kaniko/context.js';
import { buildkitImageFor, classifyImage } from '../kaniko/images.js';
import { applyValueEdits, type ValueEdit } from '../text/value-edit.js';
import type { Ast, PropHit, StringLike } from '../typescript/ast.js';
import {
  addVariable,
  quoteFor,
  readImage,
  readScript,
  readVariables,
  short,
  SCRIPT_KEYS,
  jobName,
  type ImageRead,
  type Item,
  type ScriptRead,
} from '../typescript/job-object.js';
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
import { migrateJob, undecided, type JobOutcome } from './recipe.js';
import { BUILDKITD_FLAGS, NO_PROCESS_SANDBOX } from './variables.js';

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

/** A plan with nothing decided yet. */
export function emptyPlan(ast: Ast, obj: TM.ObjectLiteralExpression): JobPlan {
  return {
    ...undecided(new Set([ast.key(obj)])),
    node: obj,
    name: jobName(ast, obj),
    file: ast.pathOf(obj.getSourceFile()),
    claimed: new Set(),
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
    const image = readImage(ast, obj, vars);
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
      kind: image.ref !== undefined ? classifyImage(image.ref) : 'other',
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

  markerValue(item: Item, name: string): string | undefined {
    const { model, node } = item;
    if (!name.startsWith(model.prefix)) return undefined;
    const ph = model.placeholders[Number(name.slice(model.prefix.length))];
    const { Node } = this.ast.tm;
    if (!ph || !/^\d+$/.test(name.slice(model.prefix.length)) || !Node.isTemplateExpression(node)) return undefined;
    let prevEnd = node.getHead().getEnd();
    for (const span of node.getTemplateSpans()) {
      if (prevEnd - 2 === ph.rawStart) {
        const s = this.ast.stringOf(span.getExpression());
        const m = s && this.ast.model(s.literal);
        return m && !m.placeholders.length ? m.cooked : undefined;
      }
      prevEnd = span.getLiteral().getEnd();
    }
    return undefined;
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
    const e = addVariable(ast, obj, this.read.hit!, this.varsHit, BUILDKITD_FLAGS, NO_PROCESS_SANDBOX);
    if (typeof e === 'string') return { code: 'KB206', message: e, at: this.place(obj, obj.getStart()) };
    return { edits: e.edits, touches: [e.touches] };
  }
}
