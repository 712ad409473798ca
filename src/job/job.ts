/**
 * One job, from its effective view to the edits that migrate it: image, variables, registry auth and every executor call.
 * A job migrates whole or not at all: when any part needs a person, no edit is proposed and the findings say why.
 */
import { isMap, isScalar, Scalar, type Pair, type ParsedNode, type YAMLMap } from 'yaml';
import { renderCall } from '../buildkit/render.js';
import { planCall, type CallFinding, type PlanEnv } from '../kaniko/context.js';
import { imageMirror, isBuildkitImage } from '../kaniko/images.js';
import { lookupInMap, nodeKey, ownPair, type Located, type Pipeline, type ScriptItem } from '../pipeline/jobs.js';
import { positionIn, type SourceFile } from '../pipeline/source.js';
import type { SimpleCommand } from '../shell/types.js';
import type { Severity } from '../findings/types.js';
import {
  BUILDKIT_HOME,
  GITLAB_REGISTRY_AUTH,
  KANIKO_DOCKER_DIR,
  MKDIR_DOCKER,
  scanJobAuth,
  UNSET_DOCKER_AUTH_CONFIG,
} from './auth.js';
import type { TextEdit } from '../text/edits.js';
import { imageEdits, imageNodeKeys, readJobImage, type JobImage } from './image.js';
import { encodeScalarEdits, sourceOffset, spansLines, type ValueEdit } from '../yaml/scalar.js';
import { addGlobalVariable, addVariable, BUILDKITD_FLAGS, hasSandboxFlag, NO_PROCESS_SANDBOX } from './variables.js';
import { insertItemsAfter, insertItemsBefore } from '../yaml/items.js';
import { CERT_SETUP, scanKanikoPaths } from './kaniko-paths.js';
import { findCalls, jobItems, type ParsedItem } from './job-items.js';
import { findWrappers, type Wrapper } from './wrappers.js';
import { readCallArguments, translateArgVariable, type ArgVariable } from './arg-variables.js';

export interface JobFinding {
  code: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  job: string;
  message: string;
}

export interface JobMigration {
  name: string;
  /** The file that defines the job (the last definition, when several files do), and where its name is. */
  file: string;
  at: { line: number; column: number };
  /** The job builds with Kaniko (image or executor call). */
  kaniko: boolean;
  /** Left for a person: no edits. */
  manual: boolean;
  findings: JobFinding[];
  edits: TextEdit[];
  /** Nodes this job's edits change: other jobs reading them must migrate too. */
  touches: Set<string>;
  /** The mapping that gets the BUILDKITD_FLAGS variable (also in `touches`), when it is not the job's own (a template's). */
  variablesIn?: string;
  /** Nodes this job reads (image and script items), for the sharing check. */
  reads: Set<string>;
  /** Every buildctl call the migrated job must contain, as word lists (checked after the edit). */
  expectedCalls: string[][];
  calls: number;
  /** Flags of the job's calls (for per-flag statistics). */
  flags: { flag: string; manual: boolean }[];
}

export interface JobOptions {
  buildkitImage?: string;
  /**
   * Put BUILDKITD_FLAGS in the job's own mapping even when its image comes from a template (used when that template
   * also makes a job that is not migrated, which must not gain the variable).
   */
  ownVariables?: boolean;
  env: PlanEnv;
}

export function analyseJob(pipeline: Pipeline, name: string, opts: JobOptions): JobMigration {
  const def = pipeline.definitions(name).at(-1);
  const result: JobMigration = {
    name,
    file: def?.file.path ?? '',
    at: def ? positionIn(def.file.lineStarts, def.key.range![0]) : { line: 1, column: 1 },
    kaniko: false,
    manual: false,
    findings: [],
    edits: [],
    touches: new Set(),
    reads: new Set(),
    expectedCalls: [],
    calls: 0,
    flags: [],
  };
  // The job's own variables (from the file) let planning follow `$DOCKERFILE` to the path it holds.
  let jobVariables: Map<string, Located> | undefined;
  const env: PlanEnv = {
    ...opts.env,
    variable: (v) => {
      const loc = (jobVariables ??= pipeline.variables(name)).get(v);
      return loc && isScalar(loc.node) && typeof loc.node.value === 'string' ? loc.node.value : undefined;
    },
  };
  const image = readJobImage(pipeline, name);
  const items = jobItems(pipeline, name);
  if (image) for (const k of imageNodeKeys(image)) result.reads.add(k);
  for (const i of items) result.reads.add(nodeKey(i.item));
  for (const m of pipeline.sourceMaps(name)) result.reads.add(nodeKey(m));
  // `extends` merges an `image:` mapping key by key into the job's own mapping: the job reads its ancestors' images too,
  // unless its own image is a name (which replaces theirs) or a mapping that sets both keys a migration edits.
  const ownImage = pipeline.ownLookup(name, 'image');
  const own = ownImage && pipeline.deref(ownImage).node;
  if (!own || !(isScalar(own) || (isMap(own) && own.has('name') && own.has('entrypoint')))) {
    for (const n of pipeline.extendsChain(name)) {
      const img = n === name ? undefined : pipeline.ownLookup(n, 'image');
      if (img) result.reads.add(nodeKey(pipeline.deref(img)));
    }
  }
  const wrappers = findWrappers(items);
  const calls = findCalls(items, wrappers);
  result.calls = calls.length;
  const imageIsKaniko = image?.kind === 'kaniko' || image?.kind === 'kaniko-like';
  if (!imageIsKaniko && !calls.length) return result;
  if (image?.ref && isBuildkitImage(image.ref)) return result;
  result.kaniko = true;

  const at = (loc: { file: SourceFile }, offset: number) => positionIn(loc.file.lineStarts, offset);
  const add = (code: string, severity: Severity, loc: { file: SourceFile }, offset: number, message: string) => {
    const { line, column } = at(loc, offset);
    result.findings.push({ code, severity, file: loc.file.path, line, column, job: name, message });
    if (severity === 'manual' || severity === 'error') result.manual = true;
  };
  const anchor: { file: SourceFile; node: { range?: unknown } } | undefined = image?.image ?? items[0]?.item;

  if (!calls.length) {
    const hidden = scanKanikoPaths(items, new Set()).findings.find((f) => f.code === 'KB210');
    if (hidden) {
      // Written in the file, but run from a string or a script the job writes: a call, left for a person.
      result.calls = 1;
      add(
        hidden.code,
        hidden.severity,
        hidden.item.item,
        sourceOffset(hidden.item.item.file, hidden.item.item.node, hidden.offset),
        hidden.message,
      );
      return result;
    }
    const ext = items
      .map((i) => i.parsed.commands.find((c) => /\.sh$|^\.\//.test(c.words[0]?.value ?? '')))
      .find(Boolean);
    const hint = ext ? ` (the script runs ${ext.words[0]!.raw}, which may call it)` : '';
    if (anchor)
      add(
        'KB203',
        'manual',
        anchor,
        (anchor.node as ParsedNode).range[0],
        `uses a Kaniko image but calls no executor in the pipeline file${hint}; migrate that script by hand`,
      );
    return result;
  }
  if (!image || !image.nameNode) {
    const where = image
      ? image.variable
        ? `the variable ${image.variable}`
        : `"${image.ref ?? 'a value known only at run time'}"`
      : 'no image (the runner default)';
    const loc = image?.image ?? calls[0]!.item.item;
    add(
      'KB206',
      'manual',
      loc,
      image
        ? (image.image.node as ParsedNode).range[0]
        : sourceOffset(calls[0]!.item.item.file, calls[0]!.item.item.node, calls[0]!.command.start),
      `calls the Kaniko executor but its image is ${where}; set the image to moby/buildkit:rootless with entrypoint [""] by hand, then run again`,
    );
    return result;
  }
  if (image.ref !== undefined && /\$\[\[/.test(image.ref) && !image.input) {
    add(
      'KB206',
      'manual',
      image.image,
      (image.image.node as ParsedNode).range[0],
      `the image comes from a component input (${image.ref}); change the input default by hand`,
    );
    return result;
  }

  const mirror = image.ref ? imageMirror(image.ref) : undefined;
  if (mirror && !mirror.proxy && !opts.buildkitImage) {
    add(
      'KB208',
      'warning',
      image.nameNode,
      image.nameNode.node.range![0],
      `the Kaniko image came through a mirror (${mirror.prefix}); the BuildKit image is set to Docker Hub's moby/buildkit. Mirror it there too and pass --buildkit-image, or edit the image`,
    );
  }
  if (image.kind !== 'kaniko') {
    add(
      'KB205',
      'warning',
      image.nameNode,
      image.nameNode.node.range![0],
      `the image ${image.ref} is not a stock Kaniko image but the job calls the executor from it, so it is a Kaniko build image; replaced by BuildKit. If it also carried tools the script uses, add them another way`,
    );
  }

  // --- The calls -------------------------------------------------------------------------------------------------
  const valueEdits = new Map<ScriptItem, ValueEdit[]>();
  const pushEdit = (item: ScriptItem, e: ValueEdit) => {
    const list = valueEdits.get(item) ?? [];
    list.push(e);
    valueEdits.set(item, list);
  };
  // Variables the calls expand, translated once per job (their assignments are edited once).
  const argVariables = new Map<string, ArgVariable>();
  const translate = (variable: string): ArgVariable => {
    let t = argVariables.get(variable);
    if (!t) {
      argVariables.set(variable, (t = translateArgVariable(pipeline, name, variable, env)));
      if (t.ok) {
        result.edits.push(...t.edits);
        for (const { item, edit } of t.scriptEdits) pushEdit(item, edit);
        for (const n of t.touches) result.touches.add(n);
        for (const n of t.reads) result.reads.add(n);
      }
    }
    return t;
  };
  for (const { item, command, head, wrapper } of calls) {
    const { call, vars, passthrough, findings: varFindings } = readCallArguments(command, head, wrapper, translate);
    const planned = planCall(call, env, vars);
    planned.plan.passthrough.push(...passthrough);
    planned.findings.push(...varFindings);
    const loc = item.item;
    for (const use of call.uses)
      result.flags.push({
        flag: use.flag.name,
        manual: planned.findings.some((f) => f.severity === 'manual' && f.offset === use.nameWord.start),
      });
    for (const p of call.problems)
      result.flags.push({ flag: p.kind === 'unknown-flag' ? p.text : `(${p.kind})`, manual: true });
    for (const f of planned.findings) reportCallFinding(f, loc, command.start);
    if (planned.manual) continue;
    const rendered = renderCall(planned.plan);
    const first = command.words[head]!;
    const lastWord = command.words[command.words.length - 1]!;
    if (rendered.after.length && !isStandalone(command, item.script, lastWord.end)) {
      add(
        'KB318',
        'manual',
        loc,
        sourceOffset(loc.file, loc.node, first.start),
        'the migrated call needs steps right after it (digest files), but the call is part of a pipeline or && / || list; put it on its own line, then run again',
      );
      continue;
    }
    result.expectedCalls.push(rendered.groups.flat());
    const inside = command.redirects.filter((r) => r.start > first.start && r.start < lastWord.end);
    const parts = rendered.groups.map((g) => g.join(' '));
    parts[0] = [...rendered.prefix, parts[0]].join(' ');
    for (const r of inside) parts.push(item.script.slice(r.start, r.end));
    parts[parts.length - 1] += rendered.suffix;
    const multiline = spansLines(loc.file, loc.node, first.start, lastWord.end);
    pushEdit(loc, {
      start: first.start,
      end: lastWord.end,
      parts,
      join: 'soft',
      multiline,
      continuation: continuationOf(item.script, first.start, lastWord.end),
    });
    if (rendered.after.length) {
      // After a call that ends a one-line item, the steps become items of their own; in a block, lines after the call.
      const block = loc.node.type === Scalar.BLOCK_LITERAL || loc.node.type === Scalar.BLOCK_FOLDED;
      const own =
        !block && item.script.slice(lastWord.end).trim() === '' ? insertItemsAfter(loc, rendered.after) : undefined;
      if (own) result.edits.push(own);
      else
        pushEdit(loc, {
          start: lastWord.end,
          end: lastWord.end,
          parts: ['', ...rendered.after],
          join: 'hard',
          multiline: true,
          leadFrom: first.start,
        });
    }
    if (rendered.before.length) insertBefore(item, 0, rendered.before);
  }

  function reportCallFinding(f: CallFinding, loc: ScriptItem, fallback: number) {
    add(f.code, f.severity, loc, sourceOffset(loc.file, loc.node, f.offset ?? fallback), f.message);
  }

  // --- Registry auth ---------------------------------------------------------------------------------------------
  const auth = scanJobAuth(items, (i) => i.script);
  // A path inside an executor call is an argument of the build (a `--build-arg` value): the call is rewritten whole.
  const callRanges = calls.map(({ item, command }) => ({ item, start: command.start, end: command.words.at(-1)!.end }));
  const inCall = (item: ParsedItem, e: ValueEdit) =>
    callRanges.some((r) => r.item === item && e.start >= r.start && e.end <= r.end);
  for (const { item: i, scan } of auth.scans) {
    for (const e of scan.edits) if (!inCall(i, e)) pushEdit(i.item, e);
    if (scan.credentialHelpers.length) {
      add(
        'KB403',
        'manual',
        i.item,
        i.item.node.range![0],
        `the registry config names credential helpers (${scan.credentialHelpers.join(', ')}) that the BuildKit image does not have; write the credentials into ~/.docker/config.json ("auths") instead`,
      );
    }
  }
  if (auth.mkdirBefore) insertBefore(auth.mkdirBefore.item, auth.mkdirBefore.offset, [MKDIR_DOCKER]);
  let mentionsAuth = auth.mentionsAuth;
  const dockerAuthConfig = auth.dockerAuthConfig;
  // Other paths of the Kaniko image (/busybox/sh, /kaniko/ssl, /kaniko/warmer, executor calls inside strings).
  const paths = scanKanikoPaths(
    items,
    new Set([...calls.map((c) => c.command), ...[...wrappers.values()].flatMap((w) => w.commands)]),
  );
  // The wrappers the calls went through are no longer written.
  for (const w of new Set(calls.map((c) => c.wrapper).filter((w): w is Wrapper => !!w))) {
    for (const { item, edit } of w.removals) {
      result.edits.push(edit);
      result.touches.add(nodeKey(item.item));
    }
  }
  for (const { item, edit } of paths.edits) pushEdit(item.item, edit);
  for (const f of paths.findings)
    add(f.code, f.severity, f.item.item, sourceOffset(f.item.item.file, f.item.item.node, f.offset), f.message);
  if (paths.certSetupBefore) insertBefore(paths.certSetupBefore.item, paths.certSetupBefore.offset, CERT_SETUP);
  const vars = pipeline.variables(name);
  const dockerConfig = vars.get('DOCKER_CONFIG');
  if (dockerConfig && isScalar(dockerConfig.node) && String(dockerConfig.node.value).startsWith(KANIKO_DOCKER_DIR)) {
    const n = dockerConfig.node;
    result.edits.push({
      file: dockerConfig.file.path,
      start: n.range![0],
      end: n.range![1],
      text: `${BUILDKIT_HOME}/.docker`,
    });
    result.touches.add(nodeKey(dockerConfig));
    mentionsAuth = true;
  }
  const { item: firstCallItem } = calls[0]!;
  if (vars.has('DOCKER_AUTH_CONFIG') || dockerAuthConfig) {
    insertBefore(firstCallItem, 0, [UNSET_DOCKER_AUTH_CONFIG]);
    add(
      'KB405',
      'warning',
      firstCallItem.item,
      firstCallItem.item.node.range![0],
      'DOCKER_AUTH_CONFIG is set for this job: buildctl (v0.24+) would read it instead of ~/.docker/config.json, where Kaniko never read it; the job now unsets it before the build so the push credentials win',
    );
  }
  // Kaniko's built-in GitLab helper (v1.9.0+) answered for $CI_REGISTRY on every registry call (push, cache, base
  // images); a job with no registry config of its own relied on it, so the migrated job writes those credentials.
  if (!mentionsAuth && !result.manual) {
    const item = firstCallItem;
    insertBefore(item, 0, [MKDIR_DOCKER, GITLAB_REGISTRY_AUTH]);
    add(
      'KB402',
      'info',
      item.item,
      item.item.node.range![0],
      'Kaniko logged in to $CI_REGISTRY by itself (its built-in GitLab helper); the job now writes those credentials to ~/.docker/config.json',
    );
  }

  function insertBefore(i: ParsedItem, valueOffset: number, lines: string[]) {
    if (i.item.list && valueOffset === 0) {
      const e = insertItemsBefore(i.item, lines);
      if (e) {
        result.edits.push(e);
        return;
      }
    }
    pushEdit(i.item, { start: valueOffset, end: valueOffset, parts: [...lines, ''], join: 'hard', multiline: true });
  }

  if (result.manual) {
    result.edits = [];
    return result;
  }

  // --- Encode value edits in each scalar's own style ----------------------------------------------------------------
  for (const [item, edits] of valueEdits) {
    const clash = edits.find((a, i) => edits.some((b, j) => j > i && a.start < b.end && b.start < a.end));
    if (clash) {
      add(
        'KB211',
        'manual',
        item,
        sourceOffset(item.file, item.node, clash.start),
        'two rewrites of this script item overlap (a Kaniko path inside a rewritten command); migrate it by hand',
      );
      result.edits = [];
      return result;
    }
    const encoded = encodeScalarEdits(item.file, item.node, edits);
    if (!encoded) {
      add(
        'KB209',
        'manual',
        item,
        item.node.range![0],
        'this script item cannot be edited in place (its YAML form is not supported); migrate it by hand',
      );
      result.edits = [];
      return result;
    }
    result.edits.push(...encoded);
    result.touches.add(nodeKey(item));
  }

  // --- Image and variables -------------------------------------------------------------------------------------------
  result.edits.push(...imageEdits(image, opts.buildkitImage));
  for (const k of imageNodeKeys(image)) result.touches.add(k);
  if (!hasSandboxFlag(vars)) {
    const v = variableEdits(pipeline, name, image, opts.ownVariables);
    result.edits.push(...v.edits);
    if (v.map) {
      result.touches.add(nodeKey(v.map));
      if (!pipeline.definitions(name).some((d) => d.map === v.map!.node)) result.variablesIn = nodeKey(v.map);
    }
  }
  return result;
}

/** The edits adding BUILDKITD_FLAGS, and the mapping that gets it (every job built from that mapping sees it). */
function variableEdits(
  pipeline: Pipeline,
  name: string,
  image: JobImage,
  ownVariables = false,
): { edits: TextEdit[]; map?: Located<YAMLMap> } {
  // The variable goes next to the `image:` key the job got its image from (the job, a template, an anchored map);
  // an image from `default:` or the global keyword gets a global variable (`default:` cannot hold variables).
  const holder = image.image.holder;
  const def = pipeline.definitions(name).at(-1);
  // A `<<:` merge is shallow: the job's own `variables:` would hide the template's. `extends` merges variables deeply.
  const viaExtends = (m: unknown) =>
    pipeline.extendsChain(name).some((n) => n !== name && pipeline.definitions(n).some((d) => d.map === m));
  const inJob = (after: Pair<ParsedNode, ParsedNode>) =>
    def && {
      edits: addVariable(def.file, def.map, after, BUILDKITD_FLAGS, NO_PROCESS_SANDBOX),
      map: { node: def.map, file: def.file, doc: def.doc },
    };
  const own = def && ownPair(def.map, 'variables');
  if (holder && def && holder.map !== def.map && !viaExtends(holder.map) && own) return inJob(own)!;
  // In the job's own mapping, when asked, and when that hides no `variables:` the job merges with `<<:` (shallow).
  if (ownVariables && def?.map.items[0] && (own || !lookupInMap(def.map, 'variables', def.doc, def.file)))
    return inJob(own ?? def.map.items[0])!;
  if (holder && pipeline.lookup(name, 'image')) {
    const file = pipeline.files.find((f) => f.docs.some((d) => d === image.image.doc)) ?? image.image.file;
    return {
      edits: addVariable(file, holder.map, holder.pair, BUILDKITD_FLAGS, NO_PROCESS_SANDBOX),
      map: { node: holder.map, file, doc: image.image.doc },
    };
  }
  // The image comes from `default:` (which cannot hold variables) or the global keyword: the job's own mapping.
  const first = def?.map.items[0];
  if (!def || !first) return { edits: addGlobalVariable(image.image.file, BUILDKITD_FLAGS, NO_PROCESS_SANDBOX) };
  return inJob(first)!;
}

/** A call that is a command of its own (not in a pipeline, `&&`/`||` list or background), with nothing after it on its line. */
function isStandalone(command: SimpleCommand, script: string, end: number): boolean {
  if (command.enclosures.some((e) => e === 'pipeline' || e === 'and-or' || e === 'background')) return false;
  const rest = script.slice(end).split('\n')[0]!;
  return /^\s*(;?\s*(#.*)?)?$/.test(rest);
}

/** Extra indentation of the call's continuation lines, relative to its first line (literal blocks). */
function continuationOf(script: string, start: number, end: number): string | undefined {
  const nl = script.indexOf('\n', start);
  if (nl < 0 || nl >= end) return undefined;
  const firstLineStart = script.lastIndexOf('\n', start - 1) + 1;
  const firstLead = /^[ \t]*/.exec(script.slice(firstLineStart))![0];
  const nextLead = /^[ \t]*/.exec(script.slice(nl + 1))![0];
  return nextLead.length > firstLead.length ? nextLead.slice(firstLead.length) : '';
}

export { NO_PROCESS_SANDBOX, BUILDKITD_FLAGS };
