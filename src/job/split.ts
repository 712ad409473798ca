/**
 * A Kaniko job that shares a template or anchor with a job that is not migrated gets its own copies of what the
 * migration changes, instead of being left for a person (KB202):
 * - the image: an `image:` mapping of its own (it replaces the template's: key by key under `extends`, whole under
 *   `<<:`, and its `name` and `entrypoint` are the only keys a migration sets);
 * - script items reached through an alias in its own list (`- *setup`): the alias item becomes the migrated copies of
 *   the anchored items, re-indented to the alias.
 * The shared nodes stay as they are for the other job. Anything else shared (an item inherited through `extends`,
 * a `!reference`, variables) keeps the job for a person, as before.
 */
import { isAlias, isScalar, isSeq, type Alias, type Node, type ParsedNode, type YAMLSeq } from 'yaml';
import { finding } from '../findings/finding.js';
import { buildkitImageFor } from '../kaniko/images.js';
import { nodeKey, ownPair, type JobDef, type Pipeline } from '../pipeline/jobs.js';
import { applyEdits, type TextEdit } from '../text/edits.js';
import { imageEdits, imageNodeKeys, readJobImage } from './image.js';
import type { JobMigration } from './yaml-job.js';
import { columnOf, endOfNodeLine, indentStep, isFlow, lineStartOf, yamlScalar } from '../yaml/text.js';

export function ownCopies(
  pipeline: Pipeline,
  name: string,
  job: JobMigration,
  shared: Set<string>,
  buildkitImage?: string,
): JobMigration | undefined {
  const defs = pipeline.definitions(name);
  const def = defs[0];
  if (defs.length !== 1 || !def || isFlow(def.map) || job.manual) return undefined;
  let edits = [...job.edits];
  const touches = new Set(job.touches);
  const copied: string[] = [];
  const ownKey = nodeKey({ node: def.map, file: def.file, doc: def.doc });

  // --- The image ------------------------------------------------------------------------------------------------------
  const image = readJobImage(pipeline, name);
  const imageKeys = image ? imageNodeKeys(image) : [];
  if (image && imageKeys.some((k) => shared.has(k))) {
    if (image.variable || image.input || ownPair(def.map, 'image')) return undefined;
    const theirs = imageEdits(image, buildkitImage);
    edits = edits.filter(
      (e) => !theirs.some((t) => t.file === e.file && t.start === e.start && t.end === e.end && t.text === e.text),
    );
    edits.push(ownImage(def, buildkitImageFor(image.ref ?? '', buildkitImage)));
    for (const k of imageKeys) touches.delete(k);
    touches.add(ownKey);
    copied.push('its own image');
  }

  // --- Script items reached through an alias in the job's own list --------------------------------------------------------
  for (const key of [...touches].filter((k) => shared.has(k))) {
    if (!touches.has(key)) continue; // copied with an earlier item of the same anchor
    const found = aliasReaching(def, key);
    if (!found) return undefined;
    const copy = copyAnchored(def, found.alias, found.target, edits);
    if (!copy) return undefined;
    edits = edits.filter((e) => !copy.consumed.includes(e));
    edits.push(copy.edit);
    for (const item of found.target.items as ParsedNode[])
      touches.delete(nodeKey({ node: item, file: def.file, doc: def.doc }));
    touches.delete(nodeKey({ node: found.target, file: def.file, doc: def.doc }));
    touches.add(ownKey);
    copied.push(`its own copy of the items of *${found.alias.source}`);
  }
  if ([...touches].some((k) => shared.has(k))) return undefined;
  return {
    ...job,
    edits,
    touches,
    findings: [
      ...job.findings,
      finding(
        'KB215',
        `shares a template or anchor with a job that is not migrated; this job gets ${copied.join(' and ')}, and the shared one stays as it was`,
        { file: job.file, ...job.at, job: name },
      ),
    ],
  };
}

/** `image:` with the BuildKit name and an empty entrypoint, placed after `extends:` (or the job's first key). */
function ownImage(def: JobDef, target: string): TextEdit {
  const text = def.file.text;
  const eol = def.file.eol;
  const after = ownPair(def.map, 'extends') ?? def.map.items[0]!;
  const indent = ' '.repeat(columnOf(text, (after.key as ParsedNode).range[0]));
  const step = ' '.repeat(indentStep(def.file));
  const at = endOfNodeLine(text, (after.value ?? after.key) as ParsedNode);
  return {
    file: def.file.path,
    start: at,
    end: at,
    text: `${eol}${indent}image:${eol}${indent}${step}name: ${yamlScalar(target)}${eol}${indent}${step}entrypoint: [""]`,
  };
}

/** The alias item of the job's own `before_script`/`script` list whose anchored sequence holds the node `key`. */
function aliasReaching(def: JobDef, key: string): { alias: Alias; target: YAMLSeq } | undefined {
  const keyOf = (node: Node) => nodeKey({ node, file: def.file, doc: def.doc });
  for (const list of ['before_script', 'script']) {
    const seq = ownPair(def.map, list)?.value;
    if (!seq || !isSeq(seq) || isFlow(seq)) continue;
    for (const item of seq.items) {
      if (!isAlias(item)) continue;
      const target = item.resolve(def.doc);
      if (
        target &&
        isSeq(target) &&
        !isFlow(target) &&
        (keyOf(target) === key || target.items.some((i) => keyOf(i as Node) === key))
      )
        return { alias: item, target };
    }
  }
  return undefined;
}

/**
 * The text that replaces `- *anchor` with the anchored items, the job's edits of them applied and their lines moved
 * to the alias item's indentation. Undefined when that cannot be done exactly (anchors inside, a comment after the
 * alias, an edit crossing the items' bounds, lines indented less than the items).
 */
function copyAnchored(
  def: JobDef,
  alias: Alias,
  target: YAMLSeq,
  edits: TextEdit[],
): { edit: TextEdit; consumed: TextEdit[] } | undefined {
  const text = def.file.text;
  const items = target.items as ParsedNode[];
  if (!items.length || items.some((i) => hasAnchor(i))) return undefined;
  const [aStart, aEnd] = (alias as unknown as ParsedNode).range;
  const aLine = lineStartOf(text, aStart);
  const lead = /^( *)- +$/.exec(text.slice(aLine, aStart));
  const rest = text.slice(aEnd, endOfNodeLine(text, alias as unknown as ParsedNode));
  if (!lead || rest.trim() !== '') return undefined;
  const seqStart = items[0]!.range[0];
  const start = lineStartOf(text, seqStart);
  const from = columnOf(text, (target as unknown as ParsedNode).range[0]);
  if (text.slice(start, start + from).trim() !== '' || text[start + from] !== '-') return undefined;
  const end = endOfNodeLine(text, items[items.length - 1]!);
  const inFile = edits.filter((e) => e.file === def.file.path);
  const mine = inFile.filter((e) => e.start >= start && e.end <= end); // insertions at either end included
  if (inFile.some((e) => !mine.includes(e) && e.start < end && e.end > start)) return undefined;
  const inner = applyEdits(
    text.slice(start, end),
    mine.map((e) => ({ ...e, start: e.start - start, end: e.end - start })),
  );
  const to = lead[1]!.length;
  const lines: string[] = [];
  for (const line of inner.split('\n')) {
    const body = line.replace(/\r$/, '');
    const cr = line.endsWith('\r') ? '\r' : '';
    if (body.trim() === '') lines.push(cr);
    else if (body.startsWith(' '.repeat(from))) lines.push(' '.repeat(to) + body.slice(from) + cr);
    else return undefined;
  }
  return { edit: { file: def.file.path, start: aLine, end: aEnd, text: lines.join('\n') }, consumed: mine };
}

function hasAnchor(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  if ((node as { anchor?: string }).anchor) return true;
  if (isScalar(node)) return false;
  const items = (node as { items?: unknown[] }).items;
  return (
    Array.isArray(items) &&
    items.some(
      (i) => hasAnchor(i) || (i && typeof i === 'object' && 'value' in i && hasAnchor((i as { value: unknown }).value)),
    )
  );
}
