/**
 * The job index: jobs and hidden templates across all loaded files, and the *effective job* view GitLab computes
 * (own keys, `<<:` merge keys, `extends`, `default:`, global keywords, aliases, `!reference`), where every value
 * remembers the file and node it really lives in. Edits go to that node, once, whoever inherits it.
 */
import { append } from '../text/append.js';
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Document,
  type Node,
  type Pair,
  type ParsedNode,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { jobsMap, type SourceFile } from './source.js';

/** A node together with the file and document it lives in. */
export interface Located<T extends Node = ParsedNode> {
  node: T;
  file: SourceFile;
  doc: Document.Parsed;
  /** The mapping and pair whose key gave this value (before aliases and `!reference` were followed). */
  holder?: { map: YAMLMap<ParsedNode, ParsedNode>; pair: Pair<ParsedNode, ParsedNode> };
}

export interface JobDef {
  name: string;
  file: SourceFile;
  doc: Document.Parsed;
  map: YAMLMap<ParsedNode, ParsedNode>;
  key: Scalar;
}

export type ScriptKey = 'before_script' | 'script' | 'after_script';

export interface ScriptItem extends Located<Scalar> {
  key: ScriptKey;
  /** The sequence holding the item, when it is a list item (new items can then be inserted before it). */
  list?: Located<YAMLMap | ParsedNode>;
}

/** Top-level keys that are not jobs. */
export const GLOBAL_KEYWORDS = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'types',
  'spec',
]);

/** Keywords `default:` (and the old global keywords) supply to jobs. */
const DEFAULTABLE = new Set([
  'image',
  'before_script',
  'after_script',
  'services',
  'cache',
  'tags',
  'timeout',
  'retry',
  'interruptible',
  'artifacts',
  'hooks',
  'id_tokens',
]);

export function keyName(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return typeof k.value === 'string' ? k.value : k.value === null ? undefined : String(k.value);
  return undefined;
}

function isMergePair(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol';
}

export function nodeKey(loc: Located<Node>): string {
  const range = (loc.node as ParsedNode).range;
  return `${loc.file.path}#${range?.[0]}:${range?.[1]}`;
}

export class Pipeline {
  private readonly defs = new Map<string, JobDef[]>();
  private readonly globals: { file: SourceFile; doc: Document.Parsed; map: YAMLMap<ParsedNode, ParsedNode> }[] = [];
  /**
   * Answers already given (the documents never change once parsed): every job is asked for its ancestors, its image
   * and its scripts several times by the planner and the checks. Callers treat what they get as read-only.
   */
  private readonly memo = {
    extendsOf: new Map<string, string[]>(),
    chain: new Map<string, string[]>(),
    /** job → key → answer (a map per job: a 10,000-job file asks each of them a dozen keys) */
    lookup: new Map<string, Map<string, Located | undefined>>(),
    /**
     * key → what `default:` or the global keyword gives it, the same for every job that inherits it (each job asked
     * every file for it: 1,000 included files made that quadratic)
     */
    fallback: new Map<string, Located | undefined>(),
    /** The global `variables:` of all files, in the order they apply (computed once, not once a job). */
    globalVariables: undefined as Map<string, Located> | undefined,
  };

  constructor(readonly files: SourceFile[]) {
    // Included files first, the including file last: GitLab lets the including file override.
    for (const file of [...files].reverse()) {
      const map = jobsMap(file);
      if (!map) continue;
      const doc = file.docs[file.jobsDoc]!;
      this.globals.push({ file, doc, map });
      // A job given twice in one file is its last definition (GitLab's YAML loader keeps the last value of a key);
      // definitions in several files are merged, the including file's last.
      const last = new Map<string, Pair>();
      for (const pair of map.items) {
        const name = keyName(pair);
        if (name !== undefined) last.set(name, pair);
      }
      for (const pair of map.items) {
        const name = keyName(pair);
        if (name === undefined || GLOBAL_KEYWORDS.has(name) || last.get(name) !== pair) continue;
        if (!isMap(resolveAlias(pair.value as ParsedNode, doc))) continue;
        const list = this.defs.get(name) ?? [];
        list.push({
          name,
          file,
          doc,
          map: resolveAlias(pair.value as ParsedNode, doc) as YAMLMap<ParsedNode, ParsedNode>,
          key: pair.key as Scalar,
        });
        this.defs.set(name, list);
      }
    }
  }

  /** All job and template names, in file order. */
  names(): string[] {
    return [...this.defs.keys()];
  }

  definitions(name: string): JobDef[] {
    return this.defs.get(name) ?? [];
  }

  isHidden(name: string): boolean {
    return name.startsWith('.');
  }

  /**
   * What the job is built from that the files read do not hold: `extends` targets and `!reference [job, …]` jobs
   * defined nowhere (in a file of another project, or an include that is not there). Such a job may set anything.
   */
  missingParts(name: string): string[] {
    const out = new Set<string>();
    for (const n of this.extendsChain(name)) if (!this.definitions(n).length) out.add(`extends ${n}`);
    const visit = (node: unknown, depth: number) => {
      if (isMap(node)) for (const pair of node.items) visit(pair.value, depth + 1);
      if (depth > 10 || !isSeq(node)) return;
      if (node.tag === '!reference') {
        const job = node.items[0];
        if (isScalar(job) && !this.definitions(String(job.value)).length && job.value !== 'default')
          out.add(`!reference [${String(job.value)}, …]`);
        return;
      }
      for (const i of node.items) visit(i, depth + 1);
    };
    for (const key of ['before_script', 'script', 'variables']) visit(this.effective(name, key)?.node, 0);
    return [...out];
  }

  /** Names of the jobs and templates this one extends, directly. */
  extendsOf(name: string): string[] {
    let out = this.memo.extendsOf.get(name);
    if (out) return out;
    const node = this.ownLookup(name, 'extends')?.node;
    if (isScalar(node) && typeof node.value === 'string') out = [node.value as string];
    else if (isSeq(node))
      out = (node.items as ParsedNode[]).filter((s) => isScalar(s)).map((s) => String((s as Scalar).value));
    else out = [];
    this.memo.extendsOf.set(name, out);
    return out;
  }

  /** A key set on the job itself (its definitions and their merge keys), not inherited. */
  ownLookup(name: string, key: string): Located | undefined {
    const defs = this.definitions(name);
    for (let i = defs.length - 1; i >= 0; i--) {
      const def = defs[i]!;
      const found = lookupInMap(def.map, key, def.doc, def.file);
      if (found) return found;
    }
    return undefined;
  }

  /** The effective value of `key` for a job, with where it lives; `!reference` and aliases followed. */
  lookup(name: string, key: string, seen?: Set<string>): Located | undefined {
    if (seen) return this.lookupFrom(name, key, seen);
    let answers = this.memo.lookup.get(name);
    if (!answers) this.memo.lookup.set(name, (answers = new Map()));
    if (answers.has(key)) return answers.get(key);
    const found = this.lookupFrom(name, key, new Set());
    answers.set(key, found);
    return found;
  }

  private lookupFrom(name: string, key: string, seen: Set<string>): Located | undefined {
    if (seen.has(name)) return undefined; // extends cycle: GitLab rejects it; stop here
    seen.add(name);
    const own = this.ownLookup(name, key);
    if (own) return this.deref(own);
    const parents = this.extendsOf(name);
    for (let i = parents.length - 1; i >= 0; i--) {
      const found = this.lookupFrom(parents[i]!, key, seen);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Drops the answers kept for one job's lookups (they are found again when asked): the planner keeps them only for
   * the jobs it asks again, so that a long file's thousands of other jobs do not hold a map each.
   */
  forget(name: string): void {
    this.memo.lookup.delete(name);
  }

  /** Like lookup, then `default:` and the global keywords for the keys they supply. */
  effective(name: string, key: string): Located | undefined {
    const found = this.lookup(name, key);
    if (found || !DEFAULTABLE.has(key) || !this.inheritsDefault(name, key)) return found;
    const memo = this.memo.fallback;
    if (memo.has(key)) return memo.get(key);
    const fallback = this.fallbackOf(key);
    memo.set(key, fallback);
    return fallback;
  }

  /** What `default:` (else the global keyword) gives `key`, the including file's value winning. */
  private fallbackOf(key: string): Located | undefined {
    for (let i = this.globals.length - 1; i >= 0; i--) {
      const g = this.globals[i]!;
      const def = lookupInMap(g.map, 'default', g.doc, g.file);
      if (def && isMap(def.node)) {
        const v = lookupInMap(def.node as YAMLMap<ParsedNode, ParsedNode>, key, def.doc, def.file);
        if (v) return this.deref(v);
      }
    }
    for (let i = this.globals.length - 1; i >= 0; i--) {
      const g = this.globals[i]!;
      const v = lookupInMap(g.map, key, g.doc, g.file);
      if (v) return this.deref(v);
    }
    return undefined;
  }

  private inheritsDefault(name: string, key: string): boolean {
    const inherit = this.lookup(name, 'inherit');
    if (!inherit || !isMap(inherit.node)) return true;
    const d = ownPair(inherit.node as YAMLMap<ParsedNode, ParsedNode>, 'default')?.value;
    if (!d) return true;
    if (isScalar(d)) return d.value !== false;
    if (isSeq(d)) return d.items.some((i) => isScalar(i) && i.value === key);
    return true;
  }

  /** Job and global variables, job values last (they win): name → where the value lives. */
  variables(name: string): Map<string, Located> {
    if (!this.memo.globalVariables) {
      const global = new Map<string, Located>();
      for (const g of this.globals) {
        const v = lookupInMap(g.map, 'variables', g.doc, g.file);
        if (v) addVariables(global, this.deref(v));
      }
      this.memo.globalVariables = global;
    }
    // a copy of each, as each call made its own before
    const out = new Map<string, Located>();
    for (const [k, loc] of this.memo.globalVariables) out.set(k, { ...loc });
    const chain = this.extendsChain(name);
    for (const job of chain) {
      for (const def of this.definitions(job)) {
        const v = lookupInMap(def.map, 'variables', def.doc, def.file);
        if (v) addVariables(out, this.deref(v));
      }
    }
    return out;
  }

  /**
   * The `extends` cycles among the jobs and templates (GitLab rejects a pipeline with one), each as the names in
   * order, the first repeated at the end: `.a → .b → .a`. One walk over the graph, without recursion.
   */
  extendsCycles(): string[][] {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[][] = [];
    for (const root of this.names()) {
      if (state.has(root)) continue;
      const path: string[] = [];
      const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
      state.set(root, 'open');
      path.push(root);
      while (stack.length) {
        const top = stack.at(-1)!;
        const parents = this.extendsOf(top.name);
        if (top.next < parents.length) {
          const p = parents[top.next++]!;
          if (!this.definitions(p).length) continue;
          const seen = state.get(p);
          if (seen === 'open') cycles.push([...path.slice(path.indexOf(p)), p]);
          else if (!seen) {
            state.set(p, 'open');
            path.push(p);
            stack.push({ name: p, next: 0 });
          }
          continue;
        }
        state.set(top.name, 'done');
        stack.pop();
        path.pop();
      }
    }
    return cycles;
  }

  /** The job and its ancestors, farthest ancestor first (the order GitLab merges them in). */
  extendsChain(name: string, seen?: Set<string>): string[] {
    if (seen) return this.chainFrom(name, seen);
    let out = this.memo.chain.get(name);
    if (!out) this.memo.chain.set(name, (out = this.chainFrom(name, new Set())));
    return out;
  }

  /** Ancestors first, each once (depth-first, in `extends` order); a loop, not recursion: a chain is as long as a
   * file makes it. */
  private chainFrom(start: string, seen: Set<string>): string[] {
    const out: string[] = [];
    if (seen.has(start)) return out;
    seen.add(start);
    const stack = [{ name: start, next: 0, parents: this.extendsOf(start) }];
    while (stack.length) {
      const top = stack.at(-1)!;
      if (top.next < top.parents.length) {
        const p = top.parents[top.next++]!;
        if (!seen.has(p)) {
          seen.add(p);
          stack.push({ name: p, next: 0, parents: this.extendsOf(p) });
        }
        continue;
      }
      out.push(top.name);
      stack.pop();
    }
    return out;
  }

  /**
   * The job with the most `extends` ancestors along one chain, when that is more than `max` (GitLab's
   * Extendable::Entry::MAX_NESTING_LEVELS, 10: "nesting too deep in `extends`"), with that chain (the job first) and
   * how many jobs are nested too deep; undefined when none is. For a pipeline without cycles (extendsCycles).
   */
  extendsTooDeep(max = 10): { chain: string[]; jobs: number } | undefined {
    const depth = new Map<string, number>();
    const defined = (n: string) => this.definitions(n).length > 0;
    for (const root of this.names()) {
      if (depth.has(root)) continue;
      const stack = [{ name: root, next: 0, parents: this.extendsOf(root).filter(defined) }];
      while (stack.length) {
        const top = stack.at(-1)!;
        if (top.next < top.parents.length) {
          const p = top.parents[top.next++]!;
          if (!depth.has(p)) stack.push({ name: p, next: 0, parents: this.extendsOf(p).filter(defined) });
          continue;
        }
        depth.set(
          top.name,
          top.parents.reduce((d, p) => Math.max(d, (depth.get(p) ?? 0) + 1), 0),
        );
        stack.pop();
      }
    }
    let deepest: string | undefined;
    let jobs = 0;
    for (const [name, d] of depth)
      if (d > max) {
        jobs++;
        if (!deepest || d > depth.get(deepest)!) deepest = name;
      }
    if (!deepest) return undefined;
    const chain = [deepest];
    for (let at = deepest; depth.get(at)! > 0;) {
      at = this.extendsOf(at)
        .filter(defined)
        .reduce((a, b) => (depth.get(b)! > depth.get(a)! ? b : a));
      chain.push(at);
    }
    return { chain, jobs };
  }

  /**
   * Every mapping a job's keys come from: its definitions and those of its `extends` ancestors (deep-merged by GitLab),
   * with the mappings they merge by `<<:` (shallow). A change to any of them can change the job's data.
   */
  sourceMaps(name: string): Located<YAMLMap>[] {
    const out: Located<YAMLMap>[] = [];
    const seen = new Set<YAMLMap>();
    const add = (map: YAMLMap<ParsedNode, ParsedNode>, doc: Document.Parsed, file: SourceFile, depth: number) => {
      if (seen.has(map) || depth > 20) return;
      seen.add(map);
      out.push({ node: map, file, doc });
      for (const merge of mergePairs(map))
        for (const target of mergeSources(merge, doc)) add(target, doc, file, depth + 1);
    };
    for (const job of this.extendsChain(name))
      for (const def of this.definitions(job)) add(def.map, def.doc, def.file, 0);
    return out;
  }

  /** Script items of a job's `key`, with `!reference` entries expanded to the items they point at. */
  scriptItems(name: string, key: ScriptKey): ScriptItem[] {
    const loc = this.effective(name, key);
    return loc ? this.itemsOf(loc, key, 0) : [];
  }

  private itemsOf(loc: Located, key: ScriptKey, depth: number): ScriptItem[] {
    if (depth > 10) return [];
    const node = loc.node;
    if (isScalar(node)) return [{ ...loc, node, key }];
    if (!isSeq(node)) return [];
    const out: ScriptItem[] = [];
    for (const raw of node.items as ParsedNode[]) {
      // the common case first: a plain list item (no alias, no `!reference`) is its own item
      if (isScalar(raw)) {
        out.push({ node: raw, file: loc.file, doc: loc.doc, holder: loc.holder, key, list: loc });
        continue;
      }
      const item = this.deref({ ...loc, node: raw });
      // reached through an alias or `!reference`: the item lives elsewhere, so no list to insert into here
      if (isScalar(item.node)) out.push({ ...item, node: item.node, key });
      else if (isSeq(item.node)) append(out, this.itemsOf(item, key, depth + 1));
    }
    return out;
  }

  /** Follows aliases and `!reference [job, key, …]` to the node that holds the value. */
  deref(loc: Located, depth = 0): Located {
    if (depth > 10) return loc;
    const node = loc.node;
    if (isAlias(node)) {
      const target = node.resolve(loc.doc) as ParsedNode | undefined;
      return target ? { ...this.deref({ ...loc, node: target }, depth + 1), holder: loc.holder } : loc;
    }
    if (isSeq(node) && node.tag === '!reference') {
      const path = node.items.map((i) => (isScalar(i) ? String(i.value) : ''));
      const [job, ...keys] = path;
      if (!job || !keys.length) return loc;
      let found = this.lookup(job, keys[0]!) ?? (job === 'default' ? undefined : undefined);
      for (const k of keys.slice(1)) {
        if (!found || !isMap(found.node)) return loc;
        const next = lookupInMap(found.node as YAMLMap<ParsedNode, ParsedNode>, k, found.doc, found.file);
        found = next && this.deref(next, depth + 1);
      }
      return found ? { ...this.deref(found, depth + 1), holder: loc.holder } : loc;
    }
    return loc;
  }
}

function addVariables(out: Map<string, Located>, loc: Located): void {
  if (!isMap(loc.node)) return;
  for (const pair of (loc.node as YAMLMap<ParsedNode, ParsedNode>).items) {
    const name = keyName(pair);
    if (name === undefined) continue;
    if (isMergePair(pair)) continue;
    const value = pair.value as ParsedNode | null;
    if (!value) continue;
    let node = value;
    if (isAlias(node)) node = (node.resolve(loc.doc) as ParsedNode | undefined) ?? node;
    // `VAR: { value: x, description: … }`
    if (isMap(node)) {
      const v = ownPair(node as YAMLMap<ParsedNode, ParsedNode>, 'value')?.value;
      if (v) node = v;
    }
    out.set(name, { ...loc, node });
  }
}

/** The keys of one large mapping, indexed once: a top-level map of 10,000 jobs is asked for `variables` once a job. */
interface MapIndex {
  /** Each explicit key's last pair that has a value (a key given twice: GitLab keeps the last). */
  keys: Map<string, Pair<ParsedNode, ParsedNode>>;
  /** The `<<:` pairs, in order. */
  merges: Pair<ParsedNode, ParsedNode>[];
}

/** Parsed documents are never changed (edits are made to the text), so an index stays true for a mapping's life. */
const indexes = new WeakMap<YAMLMap, MapIndex>();
/** Mappings with more pairs than this are indexed; a job's own few keys are quicker to scan than to index. */
const INDEX_FROM = 16;

function indexOf(map: YAMLMap<ParsedNode, ParsedNode>): MapIndex | undefined {
  if (map.items.length <= INDEX_FROM) return undefined;
  let index = indexes.get(map);
  if (index) return index;
  index = { keys: new Map(), merges: [] };
  for (const pair of map.items) {
    if (!pair.value) continue;
    if (isMergePair(pair)) index.merges.push(pair);
    else {
      const name = keyName(pair);
      if (name !== undefined) index.keys.set(name, pair);
    }
  }
  indexes.set(map, index);
  return index;
}

/** The pair of an explicit key (the last with a value: GitLab's YAML loader keeps the last value of a key given twice). */
function explicitPair(map: YAMLMap<ParsedNode, ParsedNode>, key: string): Pair<ParsedNode, ParsedNode> | undefined {
  const index = indexOf(map);
  if (index) return index.keys.get(key);
  return lastPair(map, (p) => !!p.value && !isMergePair(p) && keyName(p) === key);
}

function lastPair(
  map: YAMLMap<ParsedNode, ParsedNode>,
  test: (p: Pair<ParsedNode, ParsedNode>) => boolean,
): Pair<ParsedNode, ParsedNode> | undefined {
  for (let i = map.items.length - 1; i >= 0; i--) if (test(map.items[i]!)) return map.items[i];
  return undefined;
}

/** The `<<:` pairs of a mapping, in order. */
function mergePairs(map: YAMLMap<ParsedNode, ParsedNode>): Pair<ParsedNode, ParsedNode>[] {
  return indexOf(map)?.merges ?? map.items.filter((p) => p.value && isMergePair(p));
}

/** A key in a mapping; explicit keys win over `<<:` merges, earlier merge sources over later ones. */
export function lookupInMap(
  map: YAMLMap<ParsedNode, ParsedNode>,
  key: string,
  doc: Document.Parsed,
  file: SourceFile,
  depth = 0,
): Located | undefined {
  if (depth > 20) return undefined;
  const pair = explicitPair(map, key);
  if (pair) return { node: pair.value as ParsedNode, file, doc, holder: { map, pair } };
  for (const merge of mergePairs(map)) {
    for (const target of mergeSources(merge, doc)) {
      const found = lookupInMap(target, key, doc, file, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** The mappings a `<<:` pair merges (an alias, a mapping, or a list of them). */
function mergeSources(merge: Pair<ParsedNode, ParsedNode>, doc: Document.Parsed): YAMLMap<ParsedNode, ParsedNode>[] {
  const sources = isSeq(merge.value) ? (merge.value.items as ParsedNode[]) : [merge.value as ParsedNode];
  return sources.map((src) => resolveAlias(src, doc)).filter((t) => isMap(t)) as YAMLMap<ParsedNode, ParsedNode>[];
}

export function resolveAlias(node: ParsedNode | null | undefined, doc: Document.Parsed): ParsedNode | null | undefined {
  let n = node;
  for (let i = 0; i < 10 && n && isAlias(n); i++) n = n.resolve(doc) as ParsedNode | undefined;
  return n;
}

/** The pair holding `key` directly in `map` (no merges), for edits next to it: the last, the one that takes effect. */
export function ownPair(map: YAMLMap<ParsedNode, ParsedNode>, key: string): Pair<ParsedNode, ParsedNode> | undefined {
  return lastPair(map, (p) => keyName(p) === key);
}
