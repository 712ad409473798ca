/**
 * The job image: find where the Kaniko image really is set (own key, template, anchor, `default:`, a variable),
 * and the edits that make it `moby/buildkit:rootless` with `entrypoint: [""]`.
 */
import { isMap, isScalar, isSeq, type ParsedNode, type Scalar, type YAMLMap } from 'yaml';
import { buildkitImageFor, classifyImage, type KanikoImageKind } from '../kaniko/images.js';
import { lookupInMap, nodeKey, ownPair, type Located, type Pipeline } from '../pipeline/jobs.js';
import { repoPath } from '../pipeline/load.js';
import { jobsMap, type SourceFile } from '../pipeline/source.js';
import type { TextEdit } from '../text/edits.js';
import { columnOf, endOfNodeLine, isFlow, scalarString, yamlScalar } from '../yaml/text.js';

export interface JobImage {
  /** Where the image is set (scalar or map). */
  image: Located;
  /** The scalar holding the image name (the image scalar, the map's `name:`, or a variable's value). */
  nameNode?: Located<Scalar>;
  /** The name as written, variables resolved when they could be. */
  ref?: string;
  kind: KanikoImageKind;
  /** The variable the name came from, when it did. */
  variable?: string;
  /** The CI/CD component input the name came from (`$[[ inputs.image ]]`): its default and the values includers pass. */
  input?: string;
  /** Further scalars holding the same image (values passed to the component input by including files). */
  extraNames?: Located<Scalar>[];
}

const VAR_ONLY = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/;

export function readJobImage(pipeline: Pipeline, job: string): JobImage | undefined {
  const image = pipeline.effective(job, 'image');
  if (!image) return undefined;
  let nameLoc: Located | undefined = image;
  if (isMap(image.node)) {
    const n = lookupInMap(image.node as YAMLMap<ParsedNode, ParsedNode>, 'name', image.doc, image.file);
    nameLoc = n && pipeline.deref(n);
  }
  if (!nameLoc || !isScalar(nameLoc.node)) return { image, kind: 'other' };
  const written = scalarString(nameLoc.node) ?? '';
  const input = /^\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]$/.exec(written.trim())?.[1];
  if (input) {
    const nodes = [specDefault(nameLoc.file, input), ...passedInputs(pipeline, nameLoc.file.path, input)].filter(
      (n): n is Located<Scalar> => !!n,
    );
    const kaniko = nodes.filter((n) => classifyImage(scalarString(n.node as ParsedNode) ?? '') !== 'other');
    if (!kaniko.length) return { image, ref: written, kind: 'other', input };
    const first = kaniko[0]!;
    const ref = scalarString(first.node as ParsedNode)!;
    return { image, nameNode: first, ref, kind: classifyImage(ref), input, extraNames: kaniko.slice(1) };
  }
  const varName = VAR_ONLY.exec(written)?.[1];
  if (varName) {
    const v = pipeline.variables(job).get(varName);
    const value = v && isScalar(v.node) ? scalarString(v.node) : undefined;
    if (v && value !== undefined && isScalar(v.node)) {
      return { image, nameNode: v as Located<Scalar>, ref: value, kind: classifyImage(value), variable: varName };
    }
    return { image, ref: written, kind: 'other', variable: varName };
  }
  return { image, nameNode: nameLoc as Located<Scalar>, ref: written, kind: classifyImage(written) };
}

/** `spec: inputs: NAME: default: …` of a component file. */
function specDefault(file: SourceFile, input: string): Located<Scalar> | undefined {
  if (file.jobsDoc !== 1) return undefined;
  const doc = file.docs[0]!;
  const node = doc.getIn(['spec', 'inputs', input, 'default'], true) as ParsedNode | undefined;
  return node && isScalar(node) ? { node: node as Scalar, file, doc } : undefined;
}

/** Values that including files pass for this input: `include: [{ local: path, inputs: { NAME: value } }]`. */
export function passedInputs(pipeline: Pipeline, path: string, input: string): Located<Scalar>[] {
  const out: Located<Scalar>[] = [];
  for (const file of pipeline.files) {
    const map = jobsMap(file);
    const inc = map && (ownPair(map, 'include')?.value as ParsedNode | undefined);
    if (!inc) continue;
    const doc = file.docs[file.jobsDoc]!;
    for (const entry of isSeq(inc) ? (inc.items as ParsedNode[]) : [inc]) {
      if (!isMap(entry)) continue;
      const local = scalarString(entry.get('local', true) as ParsedNode | undefined);
      if (local === undefined || repoPath(local) !== path) continue;
      const value = (entry as YAMLMap).getIn(['inputs', input], true) as ParsedNode | undefined;
      if (value && isScalar(value)) out.push({ node: value as Scalar, file, doc });
    }
  }
  return out;
}

/** Node keys an image edit touches: what other jobs must not share unless they migrate too. */
export function imageNodeKeys(img: JobImage): string[] {
  const keys = [nodeKey(img.image)];
  if (img.nameNode) keys.push(nodeKey(img.nameNode));
  for (const n of img.extraNames ?? []) keys.push(nodeKey(n));
  return keys;
}

function hasEmptyEntrypoint(node: ParsedNode | undefined): boolean {
  return (
    !!node &&
    isSeq(node) &&
    node.items.length === 1 &&
    isScalar(node.items[0]) &&
    (node.items[0] as Scalar).value === ''
  );
}

export function imageEdits(img: JobImage, override: string | undefined): TextEdit[] {
  const target = buildkitImageFor(img.ref ?? '', override);
  const { file } = img.image;
  const text = file.text;
  const edits: TextEdit[] = [];
  const nameText = img.variable ? `$${img.variable}` : target;
  const indirect = img.variable !== undefined || img.input !== undefined;
  if (indirect) {
    for (const n of [img.nameNode, ...(img.extraNames ?? [])]) {
      if (!n) continue;
      const value = scalarString(n.node as ParsedNode) ?? '';
      edits.push({
        file: n.file.path,
        start: n.node.range![0],
        end: n.node.range![1],
        text: yamlScalar(buildkitImageFor(value, override)),
      });
    }
  }
  const node = img.image.node;
  if (isScalar(node)) {
    // A one-line flow map keeps the diff to the one line and is valid wherever the scalar stood (anchors included).
    const name = indirect ? scalarString(node)! : target;
    edits.push({
      file: file.path,
      start: node.range[0],
      end: node.range[1],
      text: `{ name: ${yamlScalar(name, true)}, entrypoint: [""] }`,
    });
    return edits;
  }
  if (!isMap(node)) return edits;
  const map = node as YAMLMap<ParsedNode, ParsedNode>;
  const namePair = ownPair(map, 'name');
  if (!indirect && img.nameNode) {
    const n = img.nameNode.node;
    const text = img.nameNode.file.text;
    // an empty value (`name:` and nothing) sits right after the colon: the new name needs its space
    const bare = n.range![0] === n.range![1] && text[n.range![0] - 1] === ':';
    edits.push({
      file: img.nameNode.file.path,
      start: n.range![0],
      end: n.range![1],
      text: `${bare ? ' ' : ''}${yamlScalar(nameText, isFlow(map))}`,
    });
  }
  const entry = ownPair(map, 'entrypoint');
  if (entry?.value) {
    if (!hasEmptyEntrypoint(entry.value))
      edits.push({ file: file.path, start: entry.value.range[0], end: entry.value.range[1], text: '[""]' });
  } else if (namePair?.value) {
    if (isFlow(map)) {
      edits.push({
        file: file.path,
        start: namePair.value.range[1],
        end: namePair.value.range[1],
        text: ', entrypoint: [""]',
      });
    } else {
      const at = endOfNodeLine(text, namePair.value);
      const indent = ' '.repeat(columnOf(text, (namePair.key as ParsedNode).range[0]));
      edits.push({ file: file.path, start: at, end: at, text: `${file.eol}${indent}entrypoint: [""]` });
    }
  }
  return edits;
}
