/**
 * Job variables the BuildKit job needs (`BUILDKITD_FLAGS: --oci-worker-no-process-sandbox`), added next to the image:
 * in the same mapping (job, template or anchor), or in the global `variables:` when the image comes from `default:`.
 */
import { isAlias, isMap, isScalar, type Alias, type Pair, type ParsedNode, type YAMLMap } from 'yaml';
import { keyName, ownPair, type Located } from '../pipeline/jobs.js';
import { jobsMap, type SourceFile } from '../pipeline/source.js';
import type { TextEdit } from '../text/edits.js';
import { columnOf, endOfNodeLine, indentStep, isFlow, lineStartOf, mapIndent, yamlScalar } from '../yaml/text.js';

export const BUILDKITD_FLAGS = 'BUILDKITD_FLAGS';
export const NO_PROCESS_SANDBOX = '--oci-worker-no-process-sandbox';

/** The node an alias of `file` names (in the document that holds it). */
function aliasTarget(file: SourceFile, alias: Alias): unknown {
  const at = (alias as unknown as ParsedNode).range?.[0] ?? 0;
  const doc = file.docs.find((d) => d.range[0] <= at && at <= d.range[2]) ?? file.docs[file.jobsDoc];
  return doc && alias.resolve(doc);
}

/** The mapping that holds the pair whose value is `node`, searching the file's documents. */
export function ownerOf(
  file: SourceFile,
  node: ParsedNode,
): { map: YAMLMap<ParsedNode, ParsedNode>; pair: Pair<ParsedNode, ParsedNode> } | undefined {
  let found: { map: YAMLMap<ParsedNode, ParsedNode>; pair: Pair<ParsedNode, ParsedNode> } | undefined;
  const visit = (n: ParsedNode | null | undefined, depth: number): void => {
    if (!n || found || depth > 50) return;
    if (isMap(n)) {
      for (const p of (n as YAMLMap<ParsedNode, ParsedNode>).items) {
        if (p.value === node) {
          found = { map: n as YAMLMap<ParsedNode, ParsedNode>, pair: p };
          return;
        }
        visit(p.value, depth + 1);
      }
    } else if ('items' in n && Array.isArray((n as { items: unknown[] }).items)) {
      for (const i of (n as { items: ParsedNode[] }).items) visit(i, depth + 1);
    }
  };
  for (const doc of file.docs) visit(doc.contents as ParsedNode, 0);
  return found;
}

/**
 * Adds `name: value` to the variables of `map` (creating `variables:` right after `after` when there is none).
 * `current` is the existing value of `name` the job sees, if any.
 */
export function addVariable(
  file: SourceFile,
  map: YAMLMap<ParsedNode, ParsedNode>,
  after: Pair<ParsedNode, ParsedNode>,
  name: string,
  value: string,
): TextEdit[] {
  const text = file.text;
  const eol = file.eol;
  const vars = ownPair(map, 'variables');
  const line = `${name}: ${yamlScalar(value)}`;
  if (vars?.value && isMap(vars.value)) {
    const vmap = vars.value as YAMLMap<ParsedNode, ParsedNode>;
    if (isFlow(vmap)) {
      const close = text.lastIndexOf('}', vmap.range![1]);
      const sep = vmap.items.length ? ', ' : ' ';
      return [{ file: file.path, start: close, end: close, text: `${sep}${name}: ${yamlScalar(value, true)} ` }];
    }
    const last = vmap.items[vmap.items.length - 1]!;
    const at = endOfNodeLine(text, (last.value ?? last.key) as ParsedNode);
    const indent = ' '.repeat(mapIndent(file, vmap));
    return [{ file: file.path, start: at, end: at, text: `${eol}${indent}${line}` }];
  }
  // `variables: *v`: the anchored mapping may be shared with jobs that are not migrated (adding the variable to it
  // would change them), so this job gets a mapping of its own that merges the shared one: `{ <<: *v, NAME: value }`
  // (GitLab reads `<<:` merge keys, as YAML 1.1 defines them). A flow mapping fits wherever the alias stood.
  if (vars && isAlias(vars.value) && isMap(aliasTarget(file, vars.value))) {
    const alias = vars.value as unknown as ParsedNode;
    const [start, end] = alias.range;
    const raw = text.slice(start, end);
    return [{ file: file.path, start, end, text: `{ <<: ${raw}, ${name}: ${yamlScalar(value, true)} }` }];
  }
  if (vars) return []; // `variables:` with an odd value: left alone (the caller reports)
  if (isFlow(map)) {
    const at = ((after.value ?? after.key) as ParsedNode).range[1];
    return [{ file: file.path, start: at, end: at, text: `, variables: { ${name}: ${yamlScalar(value, true)} }` }];
  }
  const indentCol = columnOf(text, (after.key as ParsedNode).range[0]);
  const indent = ' '.repeat(indentCol);
  const step = ' '.repeat(indentStep(file));
  const at = endOfNodeLine(text, (after.value ?? after.key) as ParsedNode);
  return [{ file: file.path, start: at, end: at, text: `${eol}${indent}variables:${eol}${indent}${step}${line}` }];
}

/** Adds a global variable (top-level `variables:`), for images set in `default:` or globally. */
export function addGlobalVariable(file: SourceFile, name: string, value: string): TextEdit[] {
  const map = jobsMap(file);
  if (!map) return [];
  const vars = ownPair(map, 'variables');
  if (vars?.value && isMap(vars.value)) return addVariable(file, map, vars, name, value);
  const first = map.items.find((p) => keyName(p) === 'default' || keyName(p) === 'image') ?? map.items[0];
  if (!first || !isScalar(first.key)) return [];
  const at = lineStartOf(file.text, (first.key as ParsedNode).range[0]);
  const step = ' '.repeat(indentStep(file));
  return [
    {
      file: file.path,
      start: at,
      end: at,
      text: `variables:${file.eol}${step}${name}: ${yamlScalar(value)}${file.eol}`,
    },
  ];
}

/** True when the job already sees the flag in BUILDKITD_FLAGS. */
export function hasSandboxFlag(vars: Map<string, Located>): boolean {
  const v = vars.get(BUILDKITD_FLAGS);
  return !!v && isScalar(v.node) && String(v.node.value).split(/\s+/).includes(NO_PROCESS_SANDBOX);
}
