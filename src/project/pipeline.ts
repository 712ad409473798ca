/**
 * Migrating a YAML pipeline from any file source: load the entry file and its includes, plan every job, verify the
 * result, and plan again without the jobs that failed verification (at most three rounds). Nothing is written here.
 *
 * Files of other projects (`include: project`, `component`, read through `opts.resolver`) are read-only here: each is
 * migrated on its own, as its project would migrate it, and this pipeline is planned against that result (its jobs
 * built from a template get KB601, its variables that feed flags into a template's call KB603/KB604).
 */
import type { Finding } from '../findings/types.js';
import { originLabel, type IncludeOrigin } from '../pipeline/includes.js';
import { loadProject, type FileSource, type LoadedProject } from '../pipeline/load.js';
import { parseSource, type SourceFile } from '../pipeline/source.js';
import type { TemplateJob } from './feeds.js';
import {
  planProject,
  type FileResult,
  type JobResult,
  type MigrateOptions,
  type PlanOptions,
  type ProjectResult,
  type TemplateSummary,
} from './plan.js';
import { verifyProject } from './verify.js';

export async function migrateSource(source: FileSource, opts: MigrateOptions = {}): Promise<ProjectResult> {
  const entry = opts.entry ?? '.gitlab-ci.yml';
  const loaded = await loadProject(source, entry, { resolver: opts.resolver });
  const templates = await withTemplatesMigrated(loaded, opts);
  const planOpts: PlanOptions = { ...opts, templateJobs: templates.jobs };
  const own = templates.files;
  let excluded = new Map<string, Finding>();
  let plan = planProject(own, source, planOpts, excluded);
  let verdict = verifyProject(plan, source, planOpts);
  for (let round = 0; verdict.failedJobs.size && round < 3; round++) {
    excluded = new Map([...excluded, ...verdict.failedJobs]);
    plan = planProject(own, source, planOpts, excluded);
    verdict = verifyProject(plan, source, planOpts);
  }
  const fileErrors = verdict.fileErrors;
  const files: FileResult[] = own
    .filter((file) => !file.origin)
    .map((file) => {
      const error = fileErrors.get(file.path);
      const output = error ? file.text : plan.outputs.get(file.path)!;
      const findings = [
        ...loaded.findings.filter((f) => f.file === file.path),
        ...plan.findings.filter((f) => f.file === file.path),
        ...(error ? [error] : []),
      ].sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
      return {
        path: file.path,
        original: file.text,
        output,
        changed: output !== file.text,
        findings,
        edits: error ? [] : plan.edits.filter((e) => e.file === file.path),
      };
    });
  // If any file failed verification, nothing of this project is written: a job's edits may span files.
  if (fileErrors.size) for (const f of files) Object.assign(f, { output: f.original, changed: false, edits: [] });
  const jobs: JobResult[] = plan.jobs
    .filter((j) => j.kaniko)
    .map((j) => {
      // a twin or a cut-over of this run is there only when the files are written; a twin from before stays either way
      const t = plan.transition.jobs.get(j.name);
      const transition = t && (t.state === 'running' || !fileErrors.size) ? t : undefined;
      return {
        name: j.name,
        file: j.file,
        status: j.manual
          ? 'manual'
          : transition && transition.state !== 'cut-over'
            ? 'transition'
            : j.edits.length && !fileErrors.size
              ? 'migrated'
              : 'unchanged',
        calls: j.calls,
        flags: j.flags,
        ...(j.passThrough.length
          ? { passThrough: j.passThrough, ...(j.feedHost ? { feedHost: j.feedHost } : {}) }
          : {}),
        ...(j.viaTemplate ? { template: j.viaTemplate } : {}),
        ...(transition ? { transition } : {}),
      };
    });
  for (const [name, template] of plan.templateUsers) {
    if (jobs.some((j) => j.name === name)) continue;
    const def = plan.pipeline.definitions(name).at(-1);
    jobs.push({ name, file: def?.file.path ?? '', status: 'unchanged', calls: 0, flags: [], template });
  }
  // a job built through a template whose include is switched to its BuildKit version is migrated by that switch
  if (!fileErrors.size)
    for (const job of jobs)
      if (job.template && job.status === 'unchanged' && plan.switched.has(job.template)) job.status = 'migrated';
  for (const feed of fileErrors.size ? [] : plan.feeds) {
    // a job built from a template that this project feeds flags into has a change of its own here
    for (const name of feed.jobs) {
      const job = jobs.find((j) => j.name === name);
      const status = feed.outcome === 'translated' ? 'migrated' : 'manual';
      if (job) job.status = job.status === 'manual' || status === 'manual' ? 'manual' : status;
      else jobs.push({ name, file: feed.file, status, calls: 0, flags: [], template: feed.template });
    }
  }
  return {
    files,
    jobs,
    failed: loaded.failed,
    ...(loaded.includes.length ? { includes: loaded.includes } : {}),
    ...(plan.feeds.length ? { feeds: plan.feeds } : {}),
    ...(templates.summaries.length ? { templates: templates.summaries } : {}),
  };
}

/**
 * Another project's file migrated on its own, as its project would migrate it (with what it includes), once per run:
 * `opts.templateRuns` keeps each run by label; inside a template's own run (`opts.templateStack`), by the chain of
 * labels too, so that two chains entering a cycle of includes across projects from opposite ends never wait on each
 * other.
 */
export function migrateTemplate(origin: IncludeOrigin, opts: MigrateOptions): Promise<ProjectResult> {
  const label = originLabel(origin);
  const stack = opts.templateStack ?? [];
  const runs = opts.templateRuns ?? new Map<string, Promise<ProjectResult>>();
  const key = stack.length ? `${stack.join(' > ')} > ${label}` : label;
  let run = runs.get(key);
  if (!run)
    runs.set(
      key,
      (run = migrateSource(origin.source, {
        entry: origin.file,
        buildkitImage: opts.buildkitImage,
        resolver: opts.resolver,
        templateRuns: runs,
        templateStack: [...stack, label],
      })),
    );
  return run;
}

/**
 * The pipeline's files with every file of another project replaced by that project's own migration of it, and the
 * Kaniko jobs of those files. Each file a file of this repository includes is migrated on its own (with what it
 * includes), once per run (`opts.templateRuns`); a file met again inside its own migration is taken as it is.
 */
async function withTemplatesMigrated(
  loaded: LoadedProject,
  opts: MigrateOptions,
): Promise<{ files: SourceFile[]; jobs: TemplateJob[]; summaries: TemplateSummary[] }> {
  const byLabel = new Map(loaded.files.map((f) => [f.path, f]));
  const roots = loaded.includes
    .filter((u) => u.read && !byLabel.get(u.at.file)?.origin)
    .map((u) => byLabel.get(u.read!)?.origin)
    .filter((o): o is IncludeOrigin => !!o);
  if (!roots.length) return { files: loaded.files, jobs: [], summaries: [] };
  const runs = opts.templateRuns ?? new Map<string, Promise<ProjectResult>>();
  const stack = opts.templateStack ?? [];
  const outputs = new Map<string, string>();
  const jobs: TemplateJob[] = [];
  const summaries: TemplateSummary[] = [];
  for (const origin of roots) {
    const label = originLabel(origin);
    if (stack.includes(label) || summaries.some((s) => s.file === label)) continue;
    const alone = await migrateTemplate(origin, { ...opts, templateRuns: runs });
    const kaniko = alone.jobs.filter((j) => !j.template);
    summaries.push({
      file: label,
      kanikoJobs: kaniko.length,
      manualJobs: kaniko.filter((j) => j.status === 'manual').length,
      changes: alone.files.reduce((n, f) => n + f.edits.length, 0),
    });
    const there = (file: string) => originLabel({ project: origin.project, ref: origin.ref, file });
    for (const f of alone.files) if (f.changed && !outputs.has(there(f.path))) outputs.set(there(f.path), f.output);
    for (const j of alone.jobs)
      if (!j.template)
        jobs.push({
          file: there(j.file),
          name: j.name,
          migrated: j.status === 'migrated',
          passThrough: j.passThrough ?? [],
          ...(j.feedHost ? { feedHost: j.feedHost } : {}),
        });
  }
  const files = loaded.files.map((f) => {
    const output = f.origin && outputs.get(f.path);
    if (!output) return f;
    const migrated = parseSource(f.path, output);
    migrated.origin = f.origin;
    return migrated;
  });
  return { files, jobs, summaries };
}
