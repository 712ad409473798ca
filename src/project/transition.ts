/**
 * Transition mode: run BuildKit beside Kaniko for a while, then cut over (issue 17).
 *
 * `--transition` keeps each Kaniko job unchanged and inserts, right after its block, a BuildKit twin and a compare
 * job; `--cut-over` (or any plain migration of a file in transition) removes both and migrates the Kaniko job. The
 * decisions, and why:
 *
 * - **The twin is the direct migration of the job, re-tagged.** Every pushed name moves to the same repository at the
 *   verification tag `kaniko2buildkit-$CI_COMMIT_SHORT_SHA` (the recipe plans with `PlanEnv.retag`, so the buildctl
 *   call is rendered by the one renderer). When the job's whole definition is its own block (see `unsupported`), the
 *   twin is that block's text with the recipe's edits applied and the key renamed: same stage, `needs`, rules and
 *   variables. Otherwise (`extends`, anchors, aliases, merge keys, `!reference`, a job defined twice, edits of
 *   `default:` or global keys) the twin is `extends: JOB` and sets what the re-tagged migration changes in the job's
 *   effective view (`overrides`): GitLab gives it the rest. A hidden job, a job with several calls, names that cannot
 *   be re-tagged and component inputs read as flags get KB221 and stay unchanged, candidates for direct migration.
 * - **The compare job** (`<job>-compare`) runs in `node:20-alpine` with `npx kaniko2buildkit@<this version>` (or the
 *   `kaniko2buildkit` on PATH, when its image is changed to this tool's container image), needs
 *   both jobs, has `allow_failure: true`, writes `compare.md` (artifact, `when: always`) and prints it. It copies the
 *   Kaniko job's `stage`, `tags`, `rules`/`only`/`except` and `variables` (its own text, or for a twin that extends
 *   the job, their effective values as JSON), so it exists exactly when both
 *   jobs do (a `needs:` on a job that rules leave out is a pipeline error) and sees the variables the image names
 *   read. Its shell is POSIX (busybox sh): the exit status of `compare` survives the `cat`, without `pipefail`.
 * - **Markers.** Each added block starts with one comment line, `# kaniko2buildkit transition: twin of "JOB"; …`.
 *   The block is inserted as one edit at the end of the Kaniko job's last line: a blank line, the marker, the block
 *   (twice). Cut-over removes from that blank line to the end of the block's last line, the exact inverse, so a
 *   transition then a cut-over gives the direct migration byte for byte.
 * - **Files in transition are planned without the added blocks** (`transitionView`: the jobs mapping without them,
 *   node offsets unchanged), so the twin never changes how the Kaniko job is planned (a twin reading `$KANIKO_ARGS`
 *   would be "another command" reading it), a second `--transition` sees the job already in transition and changes
 *   nothing, and the verification compares only what was there before.
 */
import { isMap, isPair, isScalar, isSeq, visit, type Node, type Pair, type ParsedNode } from 'yaml';
import { finding } from '../findings/finding.js';
import { messages } from '../findings/registry.js';
import type { Finding } from '../findings/types.js';
import { GLOBAL_KEYWORDS, keyName, ownPair, Pipeline, type Located } from '../pipeline/jobs.js';
import { jobsMap, parseSource, type SourceFile } from '../pipeline/source.js';
import { withTag } from '../kaniko/refs.js';
import type { PlanEnv } from '../kaniko/types.js';
import { displayText, lit, renderWord, type ShellText } from '../shell/quote.js';
import { applyEdits, type TextEdit } from '../text/edits.js';
import type { JobMigration } from '../job/yaml-job.js';
import { toolVersion } from './version.js';
import { endOfNodeLine, indentStep, lineStartOf, mapIndent, yamlScalar } from '../yaml/text.js';

/**
 * How a run migrates: `direct` (the default) and `cut-over` plan the same (a file in transition is cut over either
 * way; the name only tells the doors what to call the change); `transition` adds twins instead.
 */
export type MigrationMode = 'direct' | 'transition' | 'cut-over';

/** The tag a twin pushes to: never one that users pull. */
export const VERIFICATION_TAG: ShellText = [
  ...lit('kaniko2buildkit-'),
  { kind: 'param', raw: '$CI_COMMIT_SHORT_SHA', name: 'CI_COMMIT_SHORT_SHA', quoted: false },
];

/** The image the compare job runs in. */
export const COMPARE_IMAGE = 'node:20-alpine';

type BlockKind = 'twin' | 'compare';

const MARKER = /^# kaniko2buildkit transition: (twin|compare) of ("(?:[^"\\]|\\.)*")/;

function markerLine(kind: BlockKind, job: string): string {
  return `# kaniko2buildkit transition: ${kind} of ${JSON.stringify(job)}; migrate --cut-over removes this job`;
}

/** A block kaniko2buildkit added for the transition, found by its marker. */
export interface TransitionBlock {
  file: string;
  kind: BlockKind;
  /** The Kaniko job it was added for. */
  job: string;
  /** The added job's own name. */
  name: string;
  /** What cut-over removes: from the blank line before the marker to the end of the block's last line. */
  start: number;
  end: number;
}

/** What the transition did with one Kaniko job (JobResult.transition). */
export interface TransitionJob {
  /** `added`: its twin is added by this run; `running`: it was in transition already; `cut-over`: removed now. */
  state: 'added' | 'running' | 'cut-over';
  twin: string;
  compare: string;
}

/** The top-level pair's marked block, if the line before its key is a marker. */
function blockOf(file: SourceFile, pair: Pair): TransitionBlock | undefined {
  const key = pair.key as ParsedNode | null;
  const name = keyName(pair);
  if (!key?.range || name === undefined) return undefined;
  const text = file.text;
  const keyStart = key.range[0];
  if (keyStart === 0 || lineStartOf(text, keyStart) !== keyStart) return undefined;
  const markerStart = lineStartOf(text, keyStart - 1);
  const m = MARKER.exec(text.slice(markerStart, keyStart));
  if (!m) return undefined;
  let job: string;
  try {
    job = JSON.parse(m[2]!) as string;
  } catch {
    return undefined;
  }
  const eol = file.eol;
  let start = markerStart;
  if (text.slice(start - eol.length, start) === eol) start -= eol.length;
  if (text.slice(start - eol.length, start) === eol) start -= eol.length;
  return { file: file.path, kind: m[1] as BlockKind, job, name, start, end: blockEnd(text, pair) };
}

/**
 * The end of a top-level job's text (before a line break): its last line of content (with a comment on that line),
 * and the indented comment lines right after it (a blank line or a line at column 0 ends it: those comments are the
 * next key's, though the parser gives them to the value's range).
 */
function blockEnd(text: string, pair: Pair): number {
  let end = contentEnd(text, pair);
  for (;;) {
    const next = /^\r?\n([ \t]+#[^\r\n]*)/.exec(text.slice(end));
    if (!next) return end;
    end += next[0].length;
  }
}

function contentEnd(text: string, pair: Pair): number {
  let node = (pair.value ?? pair.key) as ParsedNode | null;
  for (let depth = 0; node && depth < 100; depth++) {
    const last: unknown = isMap(node) || isSeq(node) ? (node.flow ? undefined : node.items.at(-1)) : undefined;
    if (!last) break;
    node = (isPair(last) ? (last.value ?? last.key) : last) as ParsedNode | null;
  }
  if (!node?.range) return (pair.key as ParsedNode).range[1];
  if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
    // a block scalar's range runs over its trailing blank lines: its content ends at its last non-blank character
    let at = node.range[1];
    while (at > node.range[0] && /\s/.test(text[at - 1]!)) at--;
    return at;
  }
  return endOfNodeLine(text, node);
}

/**
 * The files as planning sees them: a file with transition blocks gets a jobs mapping without them (the same nodes,
 * offsets into the same text), and the blocks.
 */
export function transitionView(files: SourceFile[]): { files: SourceFile[]; blocks: TransitionBlock[] } {
  const blocks: TransitionBlock[] = [];
  const out = files.map((file) => {
    const map = jobsMap(file);
    if (!map || file.origin || !file.text.includes('# kaniko2buildkit transition:')) return file;
    const hidden = new Set<Pair>();
    for (const pair of map.items) {
      const b = blockOf(file, pair);
      if (b) {
        blocks.push(b);
        hidden.add(pair);
      }
    }
    if (!hidden.size) return file;
    const shown = shallowCopy(map, { items: map.items.filter((p) => !hidden.has(p)) });
    const doc = file.docs[file.jobsDoc]!;
    const view = shallowCopy(doc, { contents: shown as typeof doc.contents });
    return { ...file, docs: file.docs.map((d) => (d === doc ? view : d)) };
  });
  return { files: out, blocks };
}

/**
 * A copy of a node or document with some properties replaced: every own property kept as it is, the yaml package's
 * node-type symbol too (not enumerable, so `Object.assign` would lose it and `isMap`, `isDocument` would fail).
 */
function shallowCopy<T extends object>(of: T, replace: Partial<T>): T {
  const copy = Object.create(Object.getPrototypeOf(of) as object, Object.getOwnPropertyDescriptors(of)) as T;
  return Object.assign(copy, replace);
}

/** What planning the transition adds to a project plan. */
export interface TransitionPlan {
  edits: TextEdit[];
  findings: Finding[];
  /** By Kaniko job. */
  jobs: Map<string, TransitionJob>;
  /** The twins this run adds, with the buildctl calls each must hold (for the verification). */
  twins: { name: string; job: string; file: string; expectedCalls: string[][] }[];
}

export interface TransitionContext {
  pipeline: Pipeline;
  files: SourceFile[];
  blocks: TransitionBlock[];
  /** The job analysed again with the destinations re-tagged (the recipe, with `PlanEnv.retag`). */
  analyse(name: string, retag: PlanEnv['retag']): JobMigration;
}

/** Migrates directly (`migrated`): the recipe planned edits for a job it did not leave for a person. */
const migrates = (job: JobMigration) => job.kaniko && !job.manual && !job.viaTemplate && job.edits.length > 0;

/**
 * Transition mode: each job that would migrate gets a twin and a compare job (or KB221), and no edits of its own.
 * Other modes: the blocks of each job that migrates now are removed (cut-over), the others stay (KB223).
 */
export function planTransition(ctx: TransitionContext, jobs: JobMigration[], mode: MigrationMode): TransitionPlan {
  const plan: TransitionPlan = { edits: [], findings: [], jobs: new Map(), twins: [] };
  const byJob = new Map<string, TransitionBlock[]>();
  for (const b of ctx.blocks) byJob.set(b.job, [...(byJob.get(b.job) ?? []), b]);
  const named = (kind: BlockKind, job: string) => byJob.get(job)?.find((b) => b.kind === kind)?.name ?? '';
  if (mode !== 'transition') {
    for (const [name, blocks] of byJob) {
      const job = jobs.find((j) => j.name === name);
      const where = { file: job?.file ?? blocks[0]!.file, line: job?.at.line ?? 0, column: job?.at.column, job: name };
      if (!job || !migrates(job)) {
        const why = !job ? 'is not in the pipeline' : !job.kaniko ? 'does not build with Kaniko' : 'is not migrated';
        plan.findings.push(
          finding('KB223', `the transition jobs of "${name}" stay: "${name}" ${why} in this run`, where),
        );
        continue;
      }
      for (const b of blocks) plan.edits.push({ file: b.file, start: b.start, end: b.end, text: '' });
      const t: TransitionJob = { state: 'cut-over', twin: named('twin', name), compare: named('compare', name) };
      plan.jobs.set(name, t);
      plan.findings.push(
        finding('KB222', `cut over: "${t.twin}" and "${t.compare}" removed, the job itself migrated`, where),
      );
    }
    return plan;
  }
  const taken = new Set<string>([...GLOBAL_KEYWORDS, ...ctx.pipeline.names(), ...ctx.blocks.map((b) => b.name)]);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    taken.add(name);
    return name;
  };
  for (const job of jobs) {
    if (!migrates(job)) continue;
    const where = { file: job.file, line: job.at.line, column: job.at.column, job: job.name };
    const blocks = byJob.get(job.name);
    job.edits = [];
    // what the direct migration would do is no news in a run that leaves the job as it is (a twin's is: kept below)
    const planned = job.findings;
    job.findings = [];
    if (blocks) {
      const t: TransitionJob = { state: 'running', twin: named('twin', job.name), compare: named('compare', job.name) };
      plan.jobs.set(job.name, t);
      plan.findings.push(finding('KB220', messages('KB220').running(t.twin), where));
      continue;
    }
    const made = makeTwin(ctx, job, fresh);
    if (typeof made === 'string') {
      plan.findings.push(finding('KB221', `no BuildKit twin: ${made}; a plain migrate migrates it directly`, where));
      continue;
    }
    job.findings = planned;
    plan.edits.push(made.edit);
    plan.twins.push({ name: made.twin, job: job.name, file: job.file, expectedCalls: made.expectedCalls });
    plan.jobs.set(job.name, { state: 'added', twin: made.twin, compare: made.compare });
    plan.findings.push(finding('KB220', messages('KB220').added(made.twin, made.compare), where));
  }
  return plan;
}

interface Twin {
  edit: TextEdit;
  twin: string;
  compare: string;
  expectedCalls: string[][];
}

/** Why the job's definition is not all in its own block (undefined: it is). */
function unsupported(pipeline: Pipeline, job: JobMigration): string | undefined {
  const defs = pipeline.definitions(job.name);
  if (pipeline.isHidden(job.name)) return 'a hidden job does not run';
  if (defs.length !== 1) return 'the job is defined in more than one place';
  const def = defs[0]!;
  if (pipeline.extendsOf(job.name).length) return 'the job uses extends, so its twin would be built from shared parts';
  const text = def.file.text;
  const keyStart = def.key.range![0];
  if (lineStartOf(text, keyStart) !== keyStart || def.map.flow)
    return 'the job is not written as a block mapping at the start of a line';
  if (def.map.anchor) return 'the job is an anchor (&' + def.map.anchor + ') other jobs may use';
  let shape: string | undefined;
  visit(def.map as Node, {
    Alias() {
      shape = 'the job uses an alias';
      return visit.BREAK;
    },
    Node(_, node) {
      if ((node as { anchor?: string }).anchor) shape = 'the job defines an anchor';
      else if (isSeq(node) && node.tag === '!reference') shape = 'the job uses !reference';
      return shape ? visit.BREAK : undefined;
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<') {
        shape = 'the job uses a merge key (<<)';
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return shape;
}

function makeTwin(ctx: TransitionContext, job: JobMigration, fresh: (base: string) => string): Twin | string {
  if (ctx.pipeline.isHidden(job.name)) return 'a hidden job does not run';
  if (job.calls !== 1) return `the job has ${job.calls} executor calls, and the compare job compares one image`;
  const def = ctx.pipeline.definitions(job.name).at(-1)!;
  const file = def.file;
  const text = file.text;
  const pair = jobsPair(file, def.key);
  if (!pair || file.origin) return 'the job is not a top-level key of a file of this project';
  if (lineStartOf(text, def.key.range![0]) !== def.key.range![0] || def.map.flow)
    return 'the job is not written as a block mapping at the start of a line';
  const start = def.key.range![0];
  const end = blockEnd(text, pair);
  const pushed: { from: ShellText; to: ShellText }[] = [];
  const untaggable: string[] = [];
  const again = ctx.analyse(job.name, (d) => {
    const to = withTag(d, VERIFICATION_TAG);
    if (!to) untaggable.push(displayText(d));
    else pushed.push({ from: d, to });
    return to ?? d;
  });
  if (untaggable.length)
    return `the verification tag cannot be put on ${untaggable[0]} (its repository is not written out)`;
  if (again.manual || !again.edits.length) return 'its migration with the verification tag needs a person';
  if (again.passThrough.some((p) => p.role === 'names' || p.role === 'push'))
    return 'its image names or --no-push come from a variable of flags';
  if (!pushed.length) return 'it pushes no image (--no-push), so there is nothing to compare';
  // an input is interpolated in the whole file: the Kaniko job and a twin cannot read it in two forms
  if (again.passThrough.some((p) => p.input))
    return 'its call reads component inputs as flags, and one file cannot give them to Kaniko and BuildKit alike';
  const twin = fresh(`${job.name}-buildkit`);
  const compare = fresh(`${job.name}-compare`);
  const outside = [...job.edits, ...again.edits].some((e) => e.file !== file.path || e.start < start || e.end > end);
  let body: string[];
  let compareBody: string[];
  if (outside || unsupported(ctx.pipeline, job)) {
    const made = overrides(ctx, job.name, again.edits, file, def.map);
    if (typeof made === 'string') return made;
    body = [`${yamlScalar(twin)}:`, `${made.ind}extends: ${yamlScalar(job.name)}`, ...made.lines];
    compareBody = compareJob(file, def.map, job.name, twin, compare, pushed[0]!, made.copied);
  } else {
    const keyEdit = { file: file.path, start: def.key.range![0], end: def.key.range![1], text: yamlScalar(twin) };
    const shifted = [...again.edits, keyEdit].map((e) => ({ ...e, start: e.start - start, end: e.end - start }));
    body = [applyEdits(text.slice(start, end), shifted)];
    compareBody = compareJob(file, def.map, job.name, twin, compare, pushed[0]!);
  }
  const insert = ['', '', markerLine('twin', job.name), ...body, '', markerLine('compare', job.name), ...compareBody];
  return {
    edit: { file: file.path, start: end, end, text: insert.join(file.eol) },
    twin,
    compare,
    expectedCalls: again.expectedCalls,
  };
}

/** The keys of a job its migration changes; a twin that `extends` the job sets them (arrays replace, maps merge). */
const OVERRIDDEN = ['image', 'before_script', 'script', 'after_script'] as const;

const dataOf = (loc: Located | undefined): string | undefined =>
  loc ? JSON.stringify(loc.node.toJS(loc.doc, { maxAliasCount: -1 })) : undefined;

/**
 * A twin for a job whose definition is not all in its own block (it extends templates, uses anchors, aliases or
 * `!reference`, or its migration edits `default:` or global keys): the twin `extends` the Kaniko job, so GitLab gives
 * it everything the job has, and sets what the migration changes in the job's effective view, read back from the
 * files with the re-tagged migration applied (the files themselves are not changed): its image, its script lists
 * whole (GitLab replaces arrays), the variables whose value changes. Values are written as JSON, which YAML reads as
 * it is. Also what the compare job copies of the job's effective view (stage, tags, rules, variables).
 */
function overrides(
  ctx: TransitionContext,
  name: string,
  edits: readonly TextEdit[],
  file: SourceFile,
  map: Parameters<typeof ownPair>[0],
): { ind: string; lines: string[]; copied: (key: string) => string[] } | string {
  let now: Pipeline;
  try {
    now = new Pipeline(
      ctx.files.map((f) => {
        const mine = edits.filter((e) => e.file === f.path);
        return mine.length ? { ...parseSource(f.path, applyEdits(f.text, mine)), origin: f.origin } : f;
      }),
    );
  } catch {
    return 'its migration does not read back as YAML';
  }
  const ind = ' '.repeat(mapIndent(file, map));
  const step = ' '.repeat(indentStep(file));
  const before = ctx.pipeline;
  const lines: string[] = [];
  // script lists compared item by item as GitLab runs them (`!reference`s followed, nested lists flattened)
  const items = (p: Pipeline, key: Exclude<(typeof OVERRIDDEN)[number], 'image'>) =>
    p.scriptItems(name, key).map((i) => JSON.stringify(i.node.toJS(i.doc)));
  for (const key of OVERRIDDEN) {
    const after = now.effective(name, key);
    if (!after) {
      if (before.effective(name, key)) return `its migration removes ${key}`;
      continue;
    }
    if (key === 'image') {
      if (dataOf(after) !== dataOf(before.effective(name, key))) lines.push(`${ind}image: ${dataOf(after)}`);
      continue;
    }
    const list = items(now, key);
    if (JSON.stringify(list) === JSON.stringify(items(before, key))) continue;
    lines.push(`${ind}${key}:`, ...list.map((i) => `${ind}${step}- ${i}`));
  }
  const vars = now.variables(name);
  const old = before.variables(name);
  const gone = [...old.keys()].find((k) => !vars.has(k));
  if (gone) return `its migration removes the variable ${gone}`;
  const changed = [...vars].filter(([k, v]) => dataOf(v) !== dataOf(old.get(k)));
  if (changed.length)
    lines.push(`${ind}variables:`, ...changed.map(([k, v]) => `${ind}${step}${yamlScalar(k)}: ${dataOf(v)}`));
  const copied = (key: string): string[] => {
    if (key === 'variables') {
      const all = [...old].map(([k, v]) => `${ind}${step}${yamlScalar(k)}: ${dataOf(v)}`);
      return all.length ? [`${ind}variables:`, ...all] : [];
    }
    const v = dataOf(before.lookup(name, key));
    return v === undefined ? [] : [`${ind}${key}: ${v}`];
  };
  return { ind, lines, copied };
}

function jobsPair(file: SourceFile, key: Node): Pair | undefined {
  return jobsMap(file)?.items.find((p) => p.key === key && isMap(p.value));
}

/** The Kaniko job's own keys the compare job copies verbatim (so it runs exactly when both jobs do). */
const COPIED_KEYS = ['stage', 'tags', 'rules', 'only', 'except', 'variables'];

/** The compare job's lines (the first is its key). */
function compareJob(
  file: SourceFile,
  map: Parameters<typeof ownPair>[0],
  job: string,
  twin: string,
  compare: string,
  images: { from: ShellText; to: ShellText },
  fromView?: (key: string) => string[],
): string[] {
  const ind = ' '.repeat(mapIndent(file, map));
  const step = ' '.repeat(indentStep(file));
  const ownText = (key: string) => {
    const p = ownPair(map, key);
    const k = p?.key as ParsedNode | undefined;
    if (!p || !k?.range) return [];
    const end = p.value ? endOfNodeLine(file.text, p.value) : k.range[1];
    return file.text.slice(lineStartOf(file.text, k.range[0]), end).split(/\r?\n/);
  };
  const copied = fromView ?? ownText;
  // the command from the image when it has it (the container image of this tool), else this version through npx
  const tool = `$(command -v kaniko2buildkit || echo npx --yes kaniko2buildkit@${toolVersion()})`;
  const script =
    `status=0; ${tool} compare ${renderWord(images.from)} ${renderWord(images.to)}` +
    ` --format markdown > compare.md || status=$?; cat compare.md; exit "$status"`;
  return [
    `${yamlScalar(compare)}:`,
    ...copied('stage'),
    `${ind}image: ${COMPARE_IMAGE}`,
    `${ind}needs: [${yamlScalar(job, true)}, ${yamlScalar(twin, true)}]`,
    ...COPIED_KEYS.slice(1).flatMap(copied),
    `${ind}script:`,
    `${ind}${step}- '${script.replace(/'/g, "''")}'`,
    `${ind}allow_failure: true`,
    `${ind}artifacts:`,
    `${ind}${step}when: always`,
    `${ind}${step}paths: [compare.md]`,
  ];
}
