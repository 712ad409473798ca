/**
 * Migrating a whole project: load → index jobs → analyse each job → settle shared templates → apply edits → verify.
 * The CLI, the library API and the GitLab bulk mode all come through `migrateSource`.
 */
import { isScalar, visit, type ParsedNode } from 'yaml';
import { finding } from '../findings/finding.js';
import { messages } from '../findings/registry.js';
import { mergeFindings } from '../findings/merge.js';
import type { Finding } from '../findings/types.js';
import type { FileSource } from '../pipeline/load.js';
import { Pipeline } from '../pipeline/jobs.js';
import { parseSource, positionIn, type InputError, type SourceFile } from '../pipeline/source.js';
import { applyEdits, dedupe, type TextEdit } from '../text/edits.js';
import { acceptEdits, readersOf, type SharingTerms } from './sharing.js';
import { ownCopies } from '../job/split.js';
import { leaveUnchanged, type PassThrough } from '../job/recipe.js';
import { analyseJob, type JobMigration } from '../job/yaml-job.js';
import { CacheRefs, type CacheJob } from '../kaniko/cache-refs.js';
import type { FragmentHost, PlanEnv } from '../kaniko/types.js';
import type { IncludeResolver, IncludeUse } from '../pipeline/includes.js';
import { planFeeds, type Feed, type TemplateJob } from './feeds.js';
import { planSwitches, type IncludeSwitch } from './include-switch.js';
import {
  planTransition,
  transitionView,
  type MigrationMode,
  type TransitionPlan,
  type TransitionJob,
} from './transition.js';

export interface MigrateOptions {
  /** The pipeline file, relative to the root. Default `.gitlab-ci.yml`. */
  entry?: string;
  /** Image to use instead of `moby/buildkit:rootless` / the pinned release. */
  buildkitImage?: string;
  /** Reads other projects' files for `include: project` and `component` (else they are noted, KB103). */
  resolver?: IncludeResolver;
  /**
   * Each other project's template file migrated on its own, by label, kept for a whole run (a group's consumers
   * include the same few files). Made per call when absent.
   */
  templateRuns?: Map<string, Promise<ProjectResult>>;
  /** The template files being migrated on their own above this one (a cycle of includes across projects). */
  templateStack?: readonly string[];
  /**
   * The rollout without a flag day (src/project/include-switch.ts): these includes switch to the template's BuildKit
   * version, and this project's variables are translated only for the templates it switches (the Kaniko version keeps
   * reading them as Kaniko flags until then). Absent: every template is taken as migrated in place.
   */
  includeSwitches?: readonly IncludeSwitch[];
  /**
   * `transition`: keep each Kaniko job and add a BuildKit twin and a compare job beside it; `cut-over` (as `direct`,
   * the default): migrate, removing the twins and compare jobs of a file in transition (src/project/transition.ts).
   */
  mode?: MigrationMode;
}

/** What planning also needs: the Kaniko jobs of the other projects' template files this pipeline includes. */
export interface PlanOptions extends MigrateOptions {
  templateJobs?: readonly TemplateJob[];
}

export interface FileResult {
  path: string;
  original: string;
  output: string;
  changed: boolean;
  findings: Finding[];
  edits: TextEdit[];
}

/** `transition`: the job is unchanged and runs beside its BuildKit twin (`JobResult.transition`). */
export type JobStatus = 'migrated' | 'manual' | 'unchanged' | 'transition';

export interface JobResult {
  name: string;
  file: string;
  status: JobStatus;
  calls: number;
  flags: { flag: string; manual: boolean }[];
  /** Variables of executor flags the call expands, and how the migrated call reads them (JobOutcome); absent: none. */
  passThrough?: PassThrough[];
  /** With passThrough: what a consumer's variable fed into the job's migrated call needs of it (not in reports). */
  feedHost?: FragmentHost;
  /** The other project's template file (its label) the job builds with Kaniko through (KB601); absent otherwise. */
  template?: string;
  /** The job's BuildKit twin and compare job: added or kept by a transition, removed by a cut-over. */
  transition?: TransitionJob;
}

export interface ProjectResult {
  files: FileResult[];
  jobs: JobResult[];
  /** Files that could not be read or parsed: nothing was written for them. */
  failed: { path: string; error: InputError }[];
  /** Includes of other projects' files, components, remote files and templates (absent: none). */
  includes?: IncludeUse[];
  /** Variables of this project that feed Kaniko flags into another project's template (absent: none). */
  feeds?: Feed[];
  /** The other projects' files this pipeline includes, as their own migration left them (absent: none). */
  templates?: TemplateSummary[];
}

/** Another project's included file, migrated on its own. */
export interface TemplateSummary {
  /** Its label: `group/templates:ci/kaniko.yml@main`. */
  file: string;
  /** Kaniko jobs in it (with what it includes of its own project), and how many of them are left for a person. */
  kanikoJobs: number;
  manualJobs: number;
  /** Text edits its migration makes (0: nothing to change there, e.g. already migrated). */
  changes: number;
}

/** Everything one planning pass decides, before verification. */
export interface ProjectPlan {
  files: SourceFile[];
  /** The job index the plan was made from. */
  pipeline: Pipeline;
  jobs: JobMigration[];
  edits: TextEdit[];
  outputs: Map<string, string>;
  findings: Finding[];
  /** This project's variables that feed flags into other projects' templates. */
  feeds: Feed[];
  /** Jobs whose data the feed edits change on purpose (their variables). */
  feedOwners: Set<string>;
  /** Jobs built from another project's Kaniko template: job name → the template file's label. */
  templateUsers: Map<string, string>;
  /** The templates (labels) whose include this plan switches to their BuildKit version. */
  switched: Set<string>;
  /** The twins and compare jobs this plan adds, keeps or removes. */
  transition: TransitionPlan;
  /** The names of the jobs kaniko2buildkit added for a transition before this plan (planned as if absent). */
  transitionNames: string[];
}

/** The nodes (of those some job touches) that a job that is not migrated reads. */
function notMigratedReads(readers: Map<string, JobMigration[]>): Set<string> {
  const out = new Set<string>();
  for (const [key, list] of readers) if (list.some((o) => !o.kaniko || o.manual)) out.add(key);
  return out;
}

/** Hidden templates that some other job extends or `!reference`s: their users are analysed instead. */
function usedTemplates(pipeline: Pipeline, files: SourceFile[]): Set<string> {
  const used = new Set<string>();
  for (const name of pipeline.names()) for (const anc of pipeline.extendsChain(name)) if (anc !== name) used.add(anc);
  const aliased = new Set<string>();
  for (const file of files) {
    // parseSource collected both while it checked the file; a file made another way is walked
    if (file.references && file.aliased) {
      for (const { node } of file.references)
        if (isScalar(node.items[0])) used.add(String((node.items[0] as { value: unknown }).value));
      for (const name of file.aliased) aliased.add(`${file.path}#${name}`);
      continue;
    }
    for (const doc of file.docs) {
      visit(doc, {
        Seq(_, node) {
          if (node.tag === '!reference' && isScalar(node.items[0]))
            used.add(String((node.items[0] as { value: unknown }).value));
        },
        Alias(_, node) {
          aliased.add(`${file.path}#${node.source}`);
        },
      });
    }
  }
  // A hidden job whose mapping is an anchor that some alias (`<<: *tpl`) uses is a template, like an extended one.
  for (const name of pipeline.names()) {
    for (const def of pipeline.definitions(name))
      if (def.map.anchor && aliased.has(`${def.file.path}#${def.map.anchor}`)) used.add(name);
  }
  return used;
}

/**
 * Plans the migration of every job (or, with `only`, of just those jobs: the verification's second run re-plans the
 * jobs that built with Kaniko, as no edit can make another job build with Kaniko).
 */
export function planProject(
  given: SourceFile[],
  source: Pick<FileSource, 'exists'>,
  opts: PlanOptions,
  excluded = new Map<string, Finding>(),
  only?: string[],
): ProjectPlan {
  // a file in transition is planned without the blocks kaniko2buildkit added (they are the tool's own: see transition.ts)
  const view = transitionView(given);
  const files = view.files;
  const pipeline = new Pipeline(files);
  const cycles = only ? [] : pipeline.extendsCycles();
  if (cycles.length)
    return refused(
      files,
      pipeline,
      cycles.map((c) => cycleFinding(pipeline, c)),
    );
  const deep = only ? undefined : pipeline.extendsTooDeep();
  if (deep) return refused(files, pipeline, [tooDeepFinding(pipeline, deep)]);
  let names: string[];
  if (only) names = only.filter((n) => pipeline.definitions(n).length);
  else {
    const used = usedTemplates(pipeline, files);
    names = pipeline.names().filter((n) => !pipeline.isHidden(n) || !used.has(n));
  }
  // Every job's registry caches are recorded while it is planned; once all are, builds sharing a cache repository
  // get a ref each (kaniko/cache-refs.ts) and those jobs are planned again with it.
  const caches = new CacheRefs();
  const envOf = (name: string): PlanEnv => ({
    fileExists: (p: string) => source.exists(p),
    cacheRef: (use) => caches.ask(name, use),
  });
  const jobs = names.map((n) => {
    const job = analyseJob(pipeline, n, { env: envOf(n), buildkitImage: opts.buildkitImage });
    if (job.kaniko) return job;
    // most jobs of a long file: only the sharing check reads them again, and only their reads
    pipeline.forget(n);
    return slim(job);
  });
  const writers = new Map<string, CacheJob>();
  for (const job of jobs)
    if (job.kaniko && !job.manual)
      writers.set(job.name, { parallel: pipeline.lookup(job.name, 'parallel') !== undefined });
  const recached = caches.settle(writers);
  jobs.forEach((job, i) => {
    if (recached.has(job.name))
      jobs[i] = analyseJob(pipeline, job.name, { env: envOf(job.name), buildkitImage: opts.buildkitImage });
  });
  // A template that also makes a job that is not migrated must not gain BUILDKITD_FLAGS: such jobs get it themselves.
  let readers = readersOf(jobs);
  // the nodes some job that is not migrated reads, found once (not once for each job that reads them: a template that
  // 20,000 jobs extend has 20,000 readers); the loops below replace jobs, they do not change the ones readers holds
  let readByOther = notMigratedReads(readers);
  let replanned = false;
  jobs.forEach((job, i) => {
    const map = job.variablesIn;
    if (map && job.kaniko && !job.manual && readByOther.has(map)) {
      jobs[i] = analyseJob(pipeline, job.name, {
        env: envOf(job.name),
        buildkitImage: opts.buildkitImage,
        ownVariables: true,
      });
      replanned = true;
    }
  });
  if (replanned) {
    readers = readersOf(jobs);
    readByOther = notMigratedReads(readers);
  }
  // A job sharing its image or anchored script items with a job that is not migrated gets its own copies of them.
  replanned = false;
  jobs.forEach((job, i) => {
    if (!job.kaniko || job.manual) return;
    // (the job itself is migrated, so a reader that is not is another job)
    const shared = new Set([...job.touches].filter((k) => readByOther.has(k)));
    if (!shared.size) return;
    const own = analyseJob(pipeline, job.name, {
      env: envOf(job.name),
      buildkitImage: opts.buildkitImage,
      ownVariables: true,
    });
    const split = ownCopies(pipeline, job.name, own, shared, opts.buildkitImage);
    if (split) {
      jobs[i] = split;
      replanned = true;
    }
  });
  if (replanned) readers = readersOf(jobs);
  for (const job of jobs) {
    const why = excluded.get(job.name);
    if (why && job.kaniko && !job.manual) {
      job.manual = true;
      job.edits = [];
      job.findings.push({ ...why, job: job.name, column: why.column ?? 1 });
      leaveUnchanged(job, job.name);
    }
  }
  const foreignFiles = new Set(files.filter((f) => f.origin).map((f) => f.path));
  if (foreignFiles.size) for (const job of jobs) throughTemplate(job, foreignFiles);
  const feeds = opts.templateJobs?.length
    ? planFeeds(pipeline, feedingTemplates(opts.templateJobs, opts.includeSwitches), envOf(''))
    : { edits: [], findings: [], feeds: [], owners: new Set<string>(), users: new Map<string, string>() };
  const switches = planSwitches(files, opts.includeSwitches ?? []);
  const transition = planTransition(
    {
      pipeline,
      files,
      blocks: view.blocks,
      analyse: (name, retag) =>
        analyseJob(pipeline, name, { env: { ...envOf(name), retag }, buildkitImage: opts.buildkitImage }),
    },
    jobs,
    opts.mode ?? 'direct',
  );
  const edits = dedupe([
    ...acceptEdits(jobs, readers, PIPELINE_SHARING),
    ...feeds.edits,
    ...switches.edits,
    ...transition.edits,
  ]);
  const outputs = new Map<string, string>();
  for (const file of files) {
    const mine = edits.filter((e) => e.file === file.path);
    outputs.set(file.path, mine.length ? applyEdits(file.text, mine) : file.text);
  }
  return {
    files,
    pipeline,
    jobs,
    edits,
    outputs,
    findings: mergeFindings([
      ...jobs.flatMap((j) => j.findings),
      ...feeds.findings,
      ...switches.findings,
      ...transition.findings,
    ]),
    feeds: feeds.feeds,
    feedOwners: feeds.owners,
    templateUsers: feeds.users,
    switched: switches.switched,
    transition,
    transitionNames: view.blocks.map((b) => b.name),
  };
}

/** An `extends` cycle (KB113), at the `extends` of its first member. */
function cycleFinding(pipeline: Pipeline, cycle: string[]): Finding {
  return extendsFinding(pipeline, 'KB113', cycle, (shown) => `extends cycle: ${shown}; GitLab rejects the pipeline`);
}

/** `extends` nested deeper than GitLab allows (KB117), at the `extends` of the deepest job. */
function tooDeepFinding(pipeline: Pipeline, { chain, jobs }: { chain: string[]; jobs: number }): Finding {
  const others = jobs > 1 ? ` (${jobs} jobs are nested deeper than that)` : '';
  return extendsFinding(
    pipeline,
    'KB117',
    chain,
    (shown) =>
      `extends nested too deep: ${chain[0]} has ${chain.length - 1} ancestors (${shown}), GitLab allows 10${others}; GitLab rejects the pipeline`,
  );
}

/** A finding at the `extends` of `names[0]`, saying `say` of the names (a long list shortened to a line). */
function extendsFinding(
  pipeline: Pipeline,
  code: 'KB113' | 'KB117',
  names: string[],
  say: (shown: string) => string,
): Finding {
  const at = pipeline.ownLookup(names[0]!, 'extends');
  const place = at ? positionIn(at.file.lineStarts, (at.node as ParsedNode).range[0]) : { line: 1, column: 1 };
  const shown =
    names.length > 12
      ? `${names.slice(0, 6).join(' → ')} → … (${names.length - 9} more) → ${names.slice(-3).join(' → ')}`
      : names.join(' → ');
  return finding(code, say(shown), {
    file: at?.file.path ?? pipeline.definitions(names[0]!)[0]?.file.path ?? '',
    ...place,
    job: names[0]!,
  });
}

/** A plan that changes nothing, for a pipeline GitLab rejects: only the findings that say why. */
function refused(files: SourceFile[], pipeline: Pipeline, findings: Finding[]): ProjectPlan {
  return {
    files,
    pipeline,
    jobs: [],
    edits: [],
    outputs: new Map(files.map((f) => [f.path, f.text])),
    findings,
    feeds: [],
    feedOwners: new Set(),
    templateUsers: new Map(),
    switched: new Set(),
    transition: { edits: [], findings: [], jobs: new Map(), twins: [] },
    transitionNames: [],
  };
}

/** Lists a job that does not build with Kaniko never gains: one frozen empty list for all (a push would throw). */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/**
 * A job that does not build with Kaniko, as the rest of planning reads it (the sharing check: its reads and touches;
 * the reports: its findings), with the lists it never fills shared, so that thousands of such jobs cost little.
 */
function slim(job: JobMigration): JobMigration {
  const none = <T>(list: T[]): T[] => (list.length ? list : NONE);
  return {
    kaniko: false,
    manual: job.manual,
    template: job.template,
    findings: none(job.findings),
    edits: none(job.edits),
    touches: job.touches,
    reads: job.reads,
    expectedCalls: none(job.expectedCalls),
    calls: job.calls,
    flags: none(job.flags),
    passThrough: none(job.passThrough),
    name: job.name,
    file: job.file,
    at: job.at,
    ...(job.variablesIn !== undefined ? { variablesIn: job.variablesIn } : {}),
  };
}

/** With a rollout, only the templates whose include switches now read this project's variables as buildctl arguments. */
function feedingTemplates(jobs: readonly TemplateJob[], switches?: readonly IncludeSwitch[]): readonly TemplateJob[] {
  if (!switches) return jobs;
  const switched = new Set(switches.map((s) => s.template));
  return jobs.map((j) => (switched.has(j.file) ? j : { ...j, passThrough: [] }));
}

/**
 * A job whose Kaniko call lives in another project's file (read-only here): that file is migrated in its own project,
 * so the job gets no edits and one KB601 instead of findings about text it does not own.
 */
function throughTemplate(job: JobMigration, foreignFiles: ReadonlySet<string>): void {
  if (!job.kaniko) return;
  const foreign = (file: string) => foreignFiles.has(file);
  const edited = job.edits.find((e) => foreign(e.file));
  const needPerson = job.findings.filter((f) => f.severity === 'manual' || f.severity === 'error');
  const leftThere = job.manual && needPerson.length > 0 && needPerson.every((f) => foreign(f.file));
  if (!edited && !leftThere) return;
  const label = edited?.file ?? needPerson[0]!.file;
  job.viaTemplate = label;
  job.manual = false;
  job.edits = [];
  job.touches.clear();
  job.findings = [
    finding(
      'KB601',
      leftThere
        ? `builds with Kaniko through ${label}, which is left for a person in its own project (${needPerson[0]!.code}: ${needPerson[0]!.message})`
        : `builds with Kaniko through ${label}: that file is migrated in its own project; this job changes when it includes the BuildKit version`,
      { file: job.file, line: job.at.line, column: job.at.column, job: job.name },
    ),
  ];
}

function markManual(job: JobMigration, code: 'KB202' | 'KB211', message: string, at?: TextEdit): void {
  job.manual = true;
  job.edits = [];
  const file = at?.file ?? job.file;
  const where = file === job.file ? job.at : { line: 0, column: 0 };
  job.findings.push(finding(code, message, { file, ...where, job: job.name }));
  leaveUnchanged(job, job.name);
}

/** How a pipeline names shared nodes in KB202 and KB211. */
const PIPELINE_SHARING: SharingTerms<JobMigration> = {
  shared: (key, other) =>
    `shares a template or anchor in ${key.split('#')[0]} with job "${other.name}", which ${other.kaniko ? 'is left for a person' : 'does not build with Kaniko'}; split the template or migrate both by hand`,
  overlap: messages('KB211').otherJob({ other: 'job', same: 'lines', cause: 'a template shared in an unusual way' }),
  markManual,
};

/** Re-reads migrated texts (used by verification and by tests). */
export function reparse(outputs: Map<string, string>): SourceFile[] {
  return [...outputs].map(([path, text]) => parseSource(path, text));
}
