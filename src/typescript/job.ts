/**
 * One CI job object literal of a generator, migrated the way the YAML path migrates a job (src/job/job.ts): every
 * executor call through `migrateScriptText` (one flag table, same findings), registry auth moved or added, stray Kaniko
 * paths reported, the image switched to BuildKit with `entrypoint: ['']`, and BUILDKITD_FLAGS added. A job migrates
 * whole or not at all. Edits are text ranges of the literals and properties concerned; everything else stays.
 */
import type * as TM from 'ts-morph';
import { renderCall } from '../buildkit/render.js';
import type { Finding, Severity } from '../findings/types.js';
import { executorIndex, readKanikoCall } from '../kaniko/call.js';
import { planCall, type PlanEnv } from '../kaniko/context.js';
import { buildkitImageFor, classifyImage, isBuildkitImage, type KanikoImageKind } from '../kaniko/images.js';
import {
  BUILDKIT_HOME,
  GITLAB_REGISTRY_AUTH,
  KANIKO_DOCKER_DIR,
  MKDIR_DOCKER,
  scanJobAuth,
  UNSET_DOCKER_AUTH_CONFIG,
} from '../job/auth.js';
import type { TextEdit } from '../text/edits.js';
import { CERT_SETUP, scanKanikoPaths } from '../job/kaniko-paths.js';
import { joinParts, type ValueEdit } from '../yaml/scalar.js';
import { migrateScriptText } from '../job/script.js';
import { BUILDKITD_FLAGS, NO_PROCESS_SANDBOX } from '../job/variables.js';
import { parseScript } from '../shell/index.js';
import type { ParsedScript, SimpleCommand } from '../shell/types.js';
import type { Ast, PropHit, StringLike } from './ast.js';
import { encodeText, literalEdits, showMarkers, sourceOffsetOf, type LiteralModel } from './literal.js';
import { checkMarkers } from './placeholders.js';

export const SCRIPT_KEYS = ['before_script', 'script', 'scripts'] as const;

export interface Item {
  node: StringLike;
  model: LiteralModel;
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

export interface JobPlan {
  node: TM.ObjectLiteralExpression;
  name?: string;
  file: string;
  /** Builds with Kaniko (image or executor call). */
  kaniko: boolean;
  manual: boolean;
  /** A Kaniko image object without calls that other job objects spread: migrated through them. */
  template: boolean;
  findings: Finding[];
  edits: TextEdit[];
  touches: Set<string>;
  reads: Set<string>;
  /** Every string literal read as a script item (claimed: not migrated on its own). */
  claimed: Set<TM.Node>;
  calls: number;
  flags: { flag: string; manual: boolean }[];
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
    out.items.push({ node: n, model, parsed: parseScript(model.cooked), element });
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
): { hit?: PropHit; vars: Map<string, { prop: TM.Node; value: TM.Node; holder: TM.ObjectLiteralExpression }> } {
  const { Node } = ast.tm;
  const hit = ast.lookup(obj, 'variables', reads);
  const vars = new Map<string, { prop: TM.Node; value: TM.Node; holder: TM.ObjectLiteralExpression }>();
  if (!hit || hit.unknown) return { hit, vars };
  const vobj = ast.objectOf(hit.value);
  if (!vobj) return { hit, vars };
  const walk = (o: TM.ObjectLiteralExpression, depth: number) => {
    if (depth > 10) return;
    for (const p of o.getProperties()) {
      if (Node.isSpreadAssignment(p)) {
        const src = ast.objectOf(p.getExpression());
        if (src) walk(src, depth + 1);
        continue;
      }
      const name = ast.propName(p);
      if (name === undefined) continue;
      if (Node.isPropertyAssignment(p)) vars.set(name, { prop: p, value: p.getInitializerOrThrow(), holder: o });
      else if (Node.isShorthandPropertyAssignment(p)) vars.set(name, { prop: p, value: p, holder: o });
    }
  };
  walk(vobj, 0);
  return { hit, vars };
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
    calls: 0,
    flags: [],
  };
}

export function analyseJob(ctx: JobContext, obj: TM.ObjectLiteralExpression): JobPlan {
  const { ast } = ctx;
  const { Node } = ast.tm;
  const plan = emptyPlan(ast, obj);
  const add = (code: string, severity: Severity, node: TM.Node, offset: number, message: string) => {
    const nsf = node.getSourceFile();
    const { line, column } = ast.position(nsf, offset);
    plan.findings.push({
      code,
      severity,
      file: ast.pathOf(nsf),
      line,
      column,
      ...(plan.name ? { job: plan.name } : {}),
      message,
    });
    if (severity === 'manual' || severity === 'error') plan.manual = true;
  };
  const addAt = (code: string, severity: Severity, item: Item, valueOffset: number, message: string) =>
    add(code, severity, item.node, sourceOffsetOf(item.model, valueOffset), showMarkers(item.model, message));

  // --- script items ---------------------------------------------------------------------------------------------------
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
  const items = script.items;
  for (const i of items) {
    plan.claimed.add(i.node);
    plan.reads.add(ast.key(i.node));
  }
  for (const u of script.unreadable) plan.claimed.add(u);
  const callsOf = (i: Item) =>
    i.parsed.commands.map((c) => ({ command: c, head: executorIndex(c) })).filter((c) => c.head >= 0);
  const calls = items.flatMap((i) => callsOf(i).map((c) => ({ item: i, ...c })));
  plan.calls = calls.length;

  // --- image ----------------------------------------------------------------------------------------------------------
  const { hit: varsHit, vars } = readVariables(ast, obj, plan.reads);
  const image = readImage(ctx, obj, vars);
  for (const r of image.reads) plan.reads.add(r);
  for (const l of image.literals) plan.claimed.add(l);
  const imageIsKaniko = image.kind === 'kaniko' || image.kind === 'kaniko-like';
  if (!imageIsKaniko && !calls.length) return plan;
  if (image.ref !== undefined && isBuildkitImage(image.ref)) return plan;
  plan.kaniko = true;

  if (script.unreadable.length) {
    add(
      'KB209',
      'manual',
      script.unreadable[0]!,
      script.unreadable[0]!.getStart(),
      'this script item uses an escape sequence this tool does not rewrite in place; migrate the job by hand',
    );
    return plan;
  }
  if (!calls.length && ctx.spreadSources?.has(obj)) {
    plan.template = true;
    plan.kaniko = false;
    return plan;
  }
  if (!calls.length) {
    const ext = items
      .map((i) => i.parsed.commands.find((c) => /\.sh$|^\.\//.test(c.words[0]?.value ?? '')))
      .find(Boolean);
    const hint = ext
      ? ` (the script runs ${ext.words[0]!.raw}, which may call it)`
      : script.opaque.length
        ? ` (part of the script is ${short(script.opaque[0]!)}, which this tool cannot read; calls written elsewhere are migrated there, see KB501)`
        : '';
    add(
      'KB203',
      'manual',
      image.at ?? obj,
      (image.at ?? obj).getStart(),
      `uses a Kaniko image but calls no executor in this job object${hint}; migrate the image and script by hand`,
    );
    return plan;
  }
  if (image.status !== 'read') {
    const where =
      image.status === 'absent'
        ? 'not set in this object (the runner default, or set later by the generator)'
        : `${short(image.at!)}, which this tool cannot read`;
    add(
      'KB206',
      'manual',
      image.at ?? obj,
      (image.at ?? calls[0]!.item.node).getStart(),
      `calls the Kaniko executor but its image is ${where}; set the image to moby/buildkit:rootless with entrypoint [''] by hand, then run again`,
    );
    return plan;
  }
  if (image.kind !== 'kaniko') {
    add(
      'KB205',
      'warning',
      image.at!,
      image.at!.getStart(),
      `the image ${image.ref} is not a stock Kaniko image but the job calls the executor from it, so it is a Kaniko build image; replaced by BuildKit. If it also carried tools the script uses, add them another way`,
    );
  }

  // --- calls ----------------------------------------------------------------------------------------------------------
  const values = new Map<Item, string>();
  const valueInserts = new Map<Item, { offset: number; text: string }[]>();
  const listInserts: { element: TM.Node; lines: string[] }[] = [];
  const insertBefore = (i: Item, offset: number, lines: string[]) => {
    if (i.element && offset === 0) listInserts.push({ element: i.element, lines });
    else valueInserts.set(i, [...(valueInserts.get(i) ?? []), { offset, text: lines.map((l) => `${l}\n`).join('') }]);
  };
  const itemsWithCalls = new Set(calls.map((c) => c.item));
  for (const item of itemsWithCalls) {
    const r = migrateScriptText(item.model.cooked, ctx.env);
    for (const f of r.findings) addAt(f.code, f.severity, item, f.offset ?? callsOf(item)[0]!.command.start, f.message);
    for (const { command, head } of callsOf(item)) {
      const call = readKanikoCall(command, head);
      for (const use of call.uses)
        plan.flags.push({
          flag: use.flag.name,
          manual: r.findings.some((f) => f.severity === 'manual' && f.offset === use.nameWord.start),
        });
      for (const p of call.problems)
        plan.flags.push({ flag: p.kind === 'unknown-flag' ? p.text : `(${p.kind})`, manual: true });
    }
    if (r.manual) continue;
    let output = r.output;
    // As in YAML lists, steps a call needs before it (the buildkitd.toml) become list items of their own.
    if (item.element) {
      for (const { command, head } of callsOf(item)) {
        const planned = planCall(readKanikoCall(command, head), ctx.env);
        const before = planned.manual ? [] : renderCall(planned.plan).before;
        if (!before.length) continue;
        const block = `${before.join('\n')}\n`;
        const at = output.indexOf(block);
        if (at < 0) continue;
        output = output.slice(0, at) + output.slice(at + block.length);
        insertBefore(item, 0, before);
      }
    }
    values.set(item, output);
  }

  // --- registry auth and other Kaniko paths (as src/job/job.ts; items with calls went through migrateScriptText) ----
  const auth = scanJobAuth(items, (i) => i.model.cooked);
  const callCommands = new Set<SimpleCommand>(calls.map((c) => c.command));
  const others = items.filter((i) => !itemsWithCalls.has(i));
  const paths = scanKanikoPaths(others, callCommands);
  const otherEdits = new Map<Item, ValueEdit[]>();
  const editOther = (i: Item, e: ValueEdit) => otherEdits.set(i, [...(otherEdits.get(i) ?? []), e]);
  for (const { item, edit } of paths.edits) editOther(item, edit);
  for (const f of paths.findings) addAt(f.code, f.severity, f.item, f.offset, f.message);
  if (paths.certSetupBefore) insertBefore(paths.certSetupBefore.item, paths.certSetupBefore.offset, CERT_SETUP);
  for (const { item: i, scan } of auth.scans) {
    if (!itemsWithCalls.has(i)) for (const e of scan.edits) editOther(i, e);
    if (scan.credentialHelpers.length) {
      addAt(
        'KB403',
        'manual',
        i,
        0,
        `the registry config names credential helpers (${scan.credentialHelpers.join(', ')}) that the BuildKit image does not have; write the credentials into ~/.docker/config.json ("auths") instead`,
      );
    }
  }
  for (const [i, edits] of otherEdits) {
    const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
    if (sorted.some((e, n) => n > 0 && e.end > sorted[n - 1]!.start)) {
      addAt('KB211', 'manual', i, sorted[0]!.start, 'two rewrites of this script item overlap; migrate it by hand');
      continue;
    }
    let v = i.model.cooked;
    for (const e of sorted) v = v.slice(0, e.start) + joinParts(e) + v.slice(e.end);
    values.set(i, v);
  }
  if (auth.mkdirBefore) insertBefore(auth.mkdirBefore.item, auth.mkdirBefore.offset, [MKDIR_DOCKER]);
  let mentionsAuth = auth.mentionsAuth;
  const dockerAuthConfig = auth.dockerAuthConfig;
  const dockerConfig = vars.get('DOCKER_CONFIG');
  const dockerConfigLit = dockerConfig && ast.stringOf(dockerConfig.value);
  const dockerConfigModel = dockerConfigLit && ast.model(dockerConfigLit.literal);
  if (dockerConfigModel && dockerConfigModel.cooked.startsWith(KANIKO_DOCKER_DIR)) {
    plan.edits.push(...literalEdits(dockerConfigModel, `${BUILDKIT_HOME}/.docker`));
    plan.touches.add(ast.key(dockerConfigLit.literal));
    mentionsAuth = true;
  }
  const firstCallItem = calls[0]!.item;
  if (vars.has('DOCKER_AUTH_CONFIG') || dockerAuthConfig) {
    insertBefore(firstCallItem, 0, [UNSET_DOCKER_AUTH_CONFIG]);
    addAt(
      'KB405',
      'warning',
      firstCallItem,
      0,
      'DOCKER_AUTH_CONFIG is set for this job: buildctl (v0.24+) would read it instead of ~/.docker/config.json, where Kaniko never read it; the job now unsets it before the build so the push credentials win',
    );
  }
  if (script.opaque.length && !plan.manual) {
    const o = script.opaque[0]!;
    add(
      'KB505',
      'warning',
      o,
      o.getStart(),
      `part of the script is ${short(o)}, which this tool cannot read: check that it writes no registry config to /kaniko/.docker and uses no other Kaniko path${mentionsAuth ? '' : "; no registry login was added for Kaniko's built-in GitLab helper (see KB402)"}`,
    );
  } else if (!mentionsAuth && !plan.manual) {
    insertBefore(firstCallItem, 0, [MKDIR_DOCKER, GITLAB_REGISTRY_AUTH]);
    addAt(
      'KB402',
      'info',
      firstCallItem,
      0,
      'Kaniko logged in to $CI_REGISTRY by itself (its built-in GitLab helper); the job now writes those credentials to ~/.docker/config.json',
    );
  }
  if (plan.manual) {
    plan.edits = [];
    return plan;
  }

  // --- literal edits ---------------------------------------------------------------------------------------------------
  for (const i of items) {
    let v = values.get(i) ?? i.model.cooked;
    const ins = valueInserts.get(i);
    if (ins) {
      for (const { offset, text } of mergeInserts(ins)) {
        const at = v.slice(0, offset) === i.model.cooked.slice(0, offset) ? offset : 0;
        v = v.slice(0, at) + text + v.slice(at);
      }
    }
    if (v === i.model.cooked) continue;
    const check = checkMarkers(i.model, v);
    if (!check.ok) {
      addAt('KB502', 'manual', i, 0, `${check.reason}; the job is left unchanged`);
      plan.edits = [];
      return plan;
    }
    plan.edits.push(...literalEdits(i.model, v));
    plan.touches.add(ast.key(i.node));
  }
  for (const { element, lines } of listInserts) {
    const layout = ast.listLayout(element);
    const q = quoteFor(ast, element);
    const sep = layout.ownLine ? `,\n${layout.indent}` : ', ';
    plan.edits.push({
      file: ast.pathOf(element.getSourceFile()),
      start: layout.pos,
      end: layout.pos,
      text: lines.map((l) => `${q}${encodeText(l, q, false)}${q}${sep}`).join(''),
    });
    plan.touches.add(ast.key(element.getParentOrThrow()));
  }

  // --- image and variables ------------------------------------------------------------------------------------------------
  const imageEdits = image.edits((ref) => buildkitImageFor(ref, ctx.buildkitImage));
  if (typeof imageEdits === 'string') {
    add('KB206', 'manual', image.at!, image.at!.getStart(), imageEdits);
    plan.edits = [];
    return plan;
  }
  plan.edits.push(...imageEdits);
  for (const t of image.touches) plan.touches.add(t);
  const flags = vars.get(BUILDKITD_FLAGS);
  const flagsLit = flags && ast.stringOf(flags.value);
  const flagsModel = flagsLit && ast.model(flagsLit.literal);
  if (flagsModel) {
    if (!flagsModel.cooked.split(/\s+/).includes(NO_PROCESS_SANDBOX)) {
      plan.edits.push(...literalEdits(flagsModel, `${flagsModel.cooked.trimEnd()} ${NO_PROCESS_SANDBOX}`.trimStart()));
      plan.touches.add(ast.key(flagsLit.literal));
    }
  } else if (flags) {
    add(
      'KB206',
      'manual',
      flags.value,
      flags.value.getStart(),
      `BUILDKITD_FLAGS is set to ${short(flags.value)}, which this tool cannot read; make sure it holds ${NO_PROCESS_SANDBOX}, then run again`,
    );
    plan.edits = [];
    return plan;
  } else {
    const e = variableEdits(ast, obj, image.hit!, varsHit);
    if (typeof e === 'string') {
      add('KB206', 'manual', obj, obj.getStart(), e);
      plan.edits = [];
      return plan;
    }
    plan.edits.push(...e.edits);
    plan.touches.add(e.touches);
  }
  return plan;
}

function mergeInserts(list: { offset: number; text: string }[]): { offset: number; text: string }[] {
  const by = new Map<number, string>();
  for (const i of list) by.set(i.offset, (by.get(i.offset) ?? '') + i.text);
  return [...by].map(([offset, text]) => ({ offset, text })).sort((a, b) => b.offset - a.offset);
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
