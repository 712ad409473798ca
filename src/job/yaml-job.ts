/**
 * The YAML host of the job recipe: a pipeline job's script items are YAML scalars (in the job, a template, an anchor,
 * `default:`), its image and variables are nodes of the job index, and every edit is a text range of the file that
 * really holds the node (a template is edited once, for every job built from it).
 */
import { isMap, isScalar, type Pair, type ParsedNode, type Scalar, type YAMLMap } from 'yaml';
import { lookupInMap, nodeKey, ownPair, type Located, type Pipeline } from '../pipeline/jobs.js';
import { positionIn, type SourceFile } from '../pipeline/source.js';
import { messages } from '../findings/registry.js';
import type { PlanEnv } from '../kaniko/context.js';
import type { TextEdit } from '../text/edits.js';
import type { ValueEdit } from '../text/value-edit.js';
import { encodeScalarEdits, sourceOffset, spansLines } from '../yaml/scalar.js';
import { insertItemsAfter, insertItemsBefore } from '../yaml/items.js';
import { lineStartOf, nextLineStart } from '../yaml/text.js';
import {
  loneInput,
  scanUsage,
  translateArgVariable,
  translateInput,
  type InputWord,
  type InputWorld,
  type ArgVariable,
  type Usage,
  type VariableDefinition,
  type VariableWorld,
} from './arg-variables.js';
import { BUILDKIT_HOME, KANIKO_DOCKER_DIR } from './auth.js';
import type { Change, HostImage, HostTerms, JobHost, Place, Refusal } from './host.js';
import { imageEdits, imageNodeKeys, passedInputs, readJobImage, type JobImage } from './image.js';
import { executorIndex } from '../kaniko/call.js';
import { jobItems, type ParsedItem } from './job-items.js';
import { migrateJob, type JobOutcome } from './recipe.js';
import { addGlobalVariable, addVariable, BUILDKITD_FLAGS, hasSandboxFlag, NO_PROCESS_SANDBOX } from './variables.js';

export interface JobMigration extends JobOutcome {
  name: string;
  /** The file that defines the job (the last definition, when several files do), and where its name is. */
  file: string;
  at: { line: number; column: number };
  /** The mapping that gets the BUILDKITD_FLAGS variable (also in `touches`), when it is not the job's own (a template's). */
  variablesIn?: string;
  /** The other project's file (its label) the job builds with Kaniko through, set by the project (KB601). */
  viaTemplate?: string;
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

/** One pipeline job through the recipe. */
export function analyseJob(pipeline: Pipeline, name: string, opts: JobOptions): JobMigration {
  const def = pipeline.definitions(name).at(-1);
  const host = new YamlJobHost(pipeline, name, opts.ownVariables ?? false);
  const outcome = migrateJob(host, { env: opts.env, buildkitImage: opts.buildkitImage, job: name });
  return {
    ...outcome,
    name,
    file: def?.file.path ?? '',
    at: def ? positionIn(def.file.lineStarts, def.key.range![0]) : { line: 1, column: 1 },
    ...(host.variablesIn !== undefined ? { variablesIn: host.variablesIn } : {}),
  };
}

const placeOf = (loc: { file: SourceFile }, offset: number): Place => ({
  file: loc.file.path,
  ...positionIn(loc.file.lineStarts, offset),
});

class YamlJobHost implements JobHost<ParsedItem> {
  readonly items: ParsedItem[];
  readonly image: HostImage<ParsedItem>;
  readonly terms: HostTerms = { in: 'the pipeline file', byHand: 'that script' };
  readonly reads = new Set<string>();
  /** Set by `sandbox()` when the variable goes into a template's mapping. */
  variablesIn?: string;
  private readonly job?: JobImage;
  private jobVariables?: Map<string, Located>;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly name: string,
    private readonly ownVariables: boolean,
  ) {
    const image = readJobImage(pipeline, name);
    this.job = image;
    this.items = jobItems(pipeline, name);
    if (image) for (const k of imageNodeKeys(image)) this.reads.add(k);
    for (const i of this.items) this.reads.add(nodeKey(i.item));
    for (const m of pipeline.sourceMaps(name)) this.reads.add(nodeKey(m));
    // `extends` merges an `image:` mapping key by key into the job's own mapping: the job reads its ancestors' images
    // too, unless its own image is a name (which replaces theirs) or a mapping that sets both keys a migration edits.
    const ownImage = pipeline.ownLookup(name, 'image');
    const own = ownImage && pipeline.deref(ownImage).node;
    if (!own || !(isScalar(own) || (isMap(own) && own.has('name') && own.has('entrypoint')))) {
      for (const n of pipeline.extendsChain(name)) {
        const img = n === name ? undefined : pipeline.ownLookup(n, 'image');
        if (img) this.reads.add(nodeKey(pipeline.deref(img)));
      }
    }
    this.image = this.readImage(image);
  }

  private readImage(image: JobImage | undefined): HostImage<ParsedItem> {
    const anchor = image?.image ?? this.items[0]?.item;
    const setAt = anchor && placeOf(anchor, (anchor.node as ParsedNode).range[0]);
    const base = { kind: image?.kind ?? ('other' as const), ref: image?.ref, setAt };
    if (!image || !image.nameNode) {
      const where = image
        ? image.variable
          ? `the variable ${image.variable}`
          : `"${image.ref ?? 'a value known only at run time'}"`
        : 'no image (the runner default)';
      // no image, but a template the job extends is in a file not read: that file may well set it
      const unread = image
        ? []
        : this.pipeline
            .missingParts(this.name)
            .filter((p) => p.startsWith('extends '))
            .map((p) => p.slice('extends '.length));
      return {
        ...base,
        status: image ? 'unknown' : 'absent',
        refusal: (item, commandStart) => ({
          message: unread.length
            ? messages('KB206').templateNotRead(unread)
            : messages('KB206').imageNotEditable(where, '[""]'),
          at: image ? placeOf(image.image, (image.image.node as ParsedNode).range[0]) : this.at(item, commandStart),
        }),
      };
    }
    const nameAt = placeOf(image.nameNode, image.nameNode.node.range![0]);
    if (image.ref !== undefined && /\$\[\[/.test(image.ref) && !image.input) {
      return {
        ...base,
        status: 'read',
        nameAt,
        refusal: () => ({
          message: messages('KB206').componentInput(image.ref!),
          at: placeOf(image.image, (image.image.node as ParsedNode).range[0]),
        }),
      };
    }
    return { ...base, status: 'read', nameAt };
  }

  key(item: ParsedItem): string {
    return nodeKey(item.item);
  }

  at(item: ParsedItem, valueOffset: number): Place {
    return placeOf(item.item, sourceOffset(item.item.file, item.item.node, valueOffset));
  }

  itemAt(item: ParsedItem): Place {
    return placeOf(item.item, item.item.node.range![0]);
  }

  linesRemovable(item: ParsedItem): boolean {
    // Only a literal block keeps the value's lines as the file's lines.
    return item.item.node.type === 'BLOCK_LITERAL';
  }

  removeLines(item: ParsedItem, start: number, end: number): Change {
    const { file, node } = item.item;
    const last = Math.max(start, item.script[end - 1] === '\n' ? end - 2 : end - 1);
    const edit = {
      file: file.path,
      start: lineStartOf(file.text, sourceOffset(file, node, start)),
      end: nextLineStart(file.text, sourceOffset(file, node, last)),
      text: '',
    };
    return { edits: [edit], touches: [nodeKey(item.item)] };
  }

  private vars(): Map<string, Located> {
    return (this.jobVariables ??= this.pipeline.variables(this.name));
  }

  variable(name: string): string | undefined {
    const loc = this.vars().get(name);
    return loc && isScalar(loc.node) && typeof loc.node.value === 'string' ? loc.node.value : undefined;
  }

  hasVariable(name: string): boolean {
    return this.vars().has(name);
  }

  translate(name: string, env: PlanEnv): ArgVariable<ParsedItem> {
    return translateArgVariable(this.world(), name, env);
  }

  translateInput(item: ParsedItem, input: InputWord, env: PlanEnv): ArgVariable<ParsedItem> {
    return translateInput(inputWorld(this.pipeline, item.item.file, input.name), input, env);
  }

  inputScope(item: ParsedItem): string {
    return item.item.file.path;
  }

  private world(): VariableWorld<ParsedItem> {
    const { pipeline, name } = this;
    const ownNodes = new Set(this.items.map((i) => i.item.node as object));
    return {
      definitions: (v) => pipelineDefinitions(pipeline, v).map(variableDefinition),
      own: (v) => {
        const loc = pipeline.variables(name).get(v);
        return loc && variableDefinition(loc);
      },
      usage: () => pipelineUsage(pipeline),
      isOwnItem: (item) => ownNodes.has(item.item.node),
      missingParts: () => pipeline.missingParts(name),
    };
  }

  spansLines(item: ParsedItem, start: number, end: number): boolean {
    return spansLines(item.item.file, item.item.node, start, end);
  }

  encode(item: ParsedItem, edits: ValueEdit[]): Change | Refusal {
    const encoded = encodeScalarEdits(item.item.file, item.item.node, edits);
    if (!encoded)
      return {
        code: 'KB209',
        message: messages('KB209').yamlForm(),
        at: this.itemAt(item),
      };
    return { edits: encoded, touches: [nodeKey(item.item)] };
  }

  insertBefore(item: ParsedItem, lines: string[]): Change | undefined {
    const e = item.item.list ? insertItemsBefore(item.item, lines) : undefined;
    return e && { edits: [e], touches: [] };
  }

  insertAfter(item: ParsedItem, lines: string[]): Change | undefined {
    const type = item.item.node.type;
    if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') return undefined;
    const e = insertItemsAfter(item.item, lines);
    return e && { edits: [e], touches: [] };
  }

  dockerConfig(): Change | undefined {
    const loc = this.vars().get('DOCKER_CONFIG');
    if (!loc || !isScalar(loc.node) || !String(loc.node.value).startsWith(KANIKO_DOCKER_DIR)) return undefined;
    const n = loc.node;
    return {
      edits: [{ file: loc.file.path, start: n.range![0], end: n.range![1], text: `${BUILDKIT_HOME}/.docker` }],
      touches: [nodeKey(loc)],
    };
  }

  imageEdits(buildkitImage: string | undefined): Change {
    const image = this.job!;
    return { edits: imageEdits(image, buildkitImage), touches: imageNodeKeys(image) };
  }

  sandbox(): Change | undefined {
    if (hasSandboxFlag(this.vars())) return undefined;
    const v = variableEdits(this.pipeline, this.name, this.job!, this.ownVariables);
    if (!v.map) return { edits: v.edits, touches: [] };
    if (!this.pipeline.definitions(this.name).some((d) => d.map === v.map!.node)) this.variablesIn = nodeKey(v.map);
    return { edits: v.edits, touches: [nodeKey(v.map)] };
  }
}

/** A `variables:` definition as the job recipe reads and edits it. */
export function variableDefinition(loc: Located): VariableDefinition {
  const node = loc.node as Scalar;
  return {
    value: isScalar(loc.node) && typeof loc.node.value === 'string' ? loc.node.value : undefined,
    key: nodeKey(loc),
    file: loc.file.path,
    edit: (end, parts) =>
      encodeScalarEdits(loc.file, node, [
        { start: 0, end, parts, join: 'soft', multiline: spansLines(loc.file, node, 0, end) },
      ]),
  };
}

/**
 * One input of a file's `spec: inputs:` header, as the job recipe reads it: its spec, its default and the values the
 * pipeline's own local includes pass (`include: [{ local: FILE, inputs: { NAME: … } }]`), and whether the file
 * interpolates it anywhere but as a lone word of an executor call (counted over the jobs document's text, so a rule,
 * a job name, another command or even a comment counts: a translated value would change there too).
 */
function inputWorld(pipeline: Pipeline, file: SourceFile, name: string): InputWorld {
  if (file.jobsDoc !== 1)
    return { unreadable: 'is read in a file without a `spec: inputs:` header', definitions: [], readElsewhere: false };
  const doc = file.docs[0]!;
  const entry = doc.getIn(['spec', 'inputs', name], true) as ParsedNode | null | undefined;
  const inputs = doc.getIn(['spec', 'inputs'], true);
  if (!isMap(inputs) || !inputs.has(name)) return { definitions: [], readElsewhere: false };
  const map = isMap(entry) ? (entry as YAMLMap<ParsedNode, ParsedNode>) : undefined;
  const type = map?.get('type');
  const spec = {
    ...(type !== undefined ? { type: String(type) } : {}),
    restricted: !!map && (map.has('options') || map.has('regex')),
  };
  const definitions: VariableDefinition[] = [];
  const dflt = map && (map.get('default', true) as ParsedNode | undefined);
  if (dflt) definitions.push(variableDefinition({ node: dflt, file, doc }));
  for (const loc of passedInputs(pipeline, file.path, name)) definitions.push(variableDefinition(loc as Located));
  return { spec, definitions, readElsewhere: interpolations(file, name) > callInterpolations(pipeline, file, name) };
}

/** How often the file's jobs document interpolates the input (`$[[ inputs.NAME ]]`, with or without functions). */
function interpolations(file: SourceFile, name: string): number {
  const start = (file.docs[file.jobsDoc]!.contents as ParsedNode | null)?.range[0] ?? 0;
  const escaped = name.replace(/[-]/g, '\\-');
  return [...file.text.slice(start).matchAll(new RegExp(`\\$\\[\\[\\s*inputs\\.${escaped}\\s*[|\\]]`, 'g'))].length;
}

/** How often the file's script items pass the input to an executor call as a lone word (each item counted once). */
function callInterpolations(pipeline: Pipeline, file: SourceFile, name: string): number {
  const seen = new Set<object>();
  let n = 0;
  for (const job of pipeline.names())
    for (const item of jobItems(pipeline, job, true)) {
      if (item.item.file !== file || seen.has(item.item.node)) continue;
      seen.add(item.item.node);
      for (const c of item.parsed.commands) {
        const head = executorIndex(c);
        if (head >= 0) n += c.words.slice(head + 1).filter((w) => loneInput(w)?.name === name).length;
      }
    }
  return n;
}

/**
 * Every `variables:` definition of each variable, in any job or globally (one entry per node, in the order of the
 * first job that sees the node): built once for a pipeline, in one pass over its jobs, and not once for each call and
 * variable (issue 18: a variable defined nowhere made every Kaniko job scan every job, 20,000 jobs took 90 s).
 */
const definitionIndex = new WeakMap<Pipeline, Map<string, Map<string, Located>>>();

/** Every `variables:` definition of the name, in any job or globally (one entry per node). */
function pipelineDefinitions(pipeline: Pipeline, name: string): Located[] {
  let index = definitionIndex.get(pipeline);
  if (!index) {
    index = new Map();
    for (const job of pipeline.names())
      for (const [variable, loc] of pipeline.variables(job)) {
        let nodes = index.get(variable);
        if (!nodes) index.set(variable, (nodes = new Map()));
        nodes.set(nodeKey(loc), loc);
      }
    definitionIndex.set(pipeline, index);
  }
  const nodes = index.get(name);
  return nodes ? [...nodes.values()] : [];
}

const usageCache = new WeakMap<Pipeline, Usage<ParsedItem>>();

/** How each variable is set and read in the scripts of every job (after_script too), each item read once. */
function pipelineUsage(pipeline: Pipeline): Usage<ParsedItem> {
  let u = usageCache.get(pipeline);
  if (u) return u;
  const seen = new Set<object>();
  const items: ParsedItem[] = [];
  for (const job of pipeline.names()) {
    for (const item of jobItems(pipeline, job, true)) {
      if (seen.has(item.item.node)) continue;
      seen.add(item.item.node);
      items.push(item);
    }
  }
  usageCache.set(pipeline, (u = scanUsage(items)));
  return u;
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

export { NO_PROCESS_SANDBOX, BUILDKITD_FLAGS };
