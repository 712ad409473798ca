/**
 * Migrating one repository, from any RepositorySource (disk, memory, the GitLab API): its YAML pipeline (the entry
 * file and its local includes, through `migrateSource` in src/project/pipeline.ts) and its pipeline generator sources
 * (through `migrateTypeScriptTexts` in src/project/generators.ts), in one result. Every front door comes through here:
 * `migrate PATH`, `migrate --recursive`, `gitlab` and the library's `migrateProject`. Nothing is written here
 * (src/repository/write.ts writes a result to disk; the GitLab door commits it through the API).
 */
import { append } from '../text/append.js';
import { finding } from '../findings/finding.js';
import { describeReadError } from '../pipeline/load.js';
import type { IncludeResolver } from '../pipeline/includes.js';
import { InputError } from '../pipeline/source.js';
import type { FileResult, JobResult, ProjectResult } from '../project/plan.js';
import type { Finding } from '../findings/types.js';
import { migrateSource } from '../project/pipeline.js';
import type { IncludeSwitch } from '../project/include-switch.js';
import type { MigrationMode } from '../project/transition.js';
import type { RepositorySource } from './source.js';

export interface RepositoryOptions {
  /**
   * The YAML pipeline file, relative to the root (default `.gitlab-ci.yml`); `null`: no YAML pipeline is read (a
   * generator source given on its own). A missing entry is no failure when the repository has generator sources.
   */
  entry?: string | null;
  /** The generator sources to migrate as well, a glob relative to the root; undefined: none. */
  sources?: string;
  /** Image to use instead of `moby/buildkit:rootless` / the pinned release. */
  buildkitImage?: string;
  /** Reads other projects' files for `include: project` and `component` (see MigrateOptions). */
  resolver?: IncludeResolver;
  /** Other projects' template files migrated on their own, kept for a whole run (see MigrateOptions). */
  templateRuns?: Map<string, Promise<ProjectResult>>;
  /** Includes to switch to a template's BuildKit version (the rollout; see MigrateOptions). */
  includeSwitches?: readonly IncludeSwitch[];
  /** Direct migration (default), a transition beside the Kaniko jobs, or the cut-over (see MigrateOptions). */
  mode?: MigrationMode;
}

/**
 * The YAML files first (entry, then includes, as read), then the generator sources with a change or a finding.
 * `failed` also holds a part that threw (a bug, an API error the loader did not catch): KB106 "cannot migrate",
 * for the entry (the YAML part) or for `''`, the repository (the generator sources).
 */
export type RepositoryResult = ProjectResult;

/** The TypeScript front end, imported once and only when a repository has generator sources (ts-morph stays unloaded
 * until one of them mentions Kaniko or an executor). One import for every caller: parallel dynamic imports of one
 * module fail under Jest's VM modules (jestjs/jest#11434). */
let front: Promise<typeof import('../project/generators.js')> | undefined;

export async function migrateRepository(
  source: RepositorySource,
  opts: RepositoryOptions = {},
): Promise<RepositoryResult> {
  const entry = opts.entry === undefined ? '.gitlab-ci.yml' : opts.entry;
  const result: RepositoryResult = { files: [], jobs: [], failed: [] };
  let sources: string[] = [];
  try {
    if (opts.sources) sources = await source.listSources(opts.sources);
  } catch (e) {
    result.failed.push(thrown('', `cannot list the generator sources: ${describeReadError(e)}`));
  }
  if (entry !== null) {
    // A missing entry with generator sources: a generator-only repository, not a failure.
    let entryMissing = false;
    const watched = {
      read: async (path: string) => {
        const text = await source.read(path);
        if (path === entry && text === undefined) entryMissing = true;
        return text;
      },
      exists: (path: string) => source.exists(path),
      list: async (folder: string) => source.list?.(folder),
    };
    try {
      const yaml = await migrateSource(watched, {
        entry,
        buildkitImage: opts.buildkitImage,
        resolver: opts.resolver,
        templateRuns: opts.templateRuns,
        includeSwitches: opts.includeSwitches,
        mode: opts.mode,
      });
      const skip = entryMissing && sources.length > 0;
      add(result, skip ? { ...yaml, failed: yaml.failed.filter((f) => f.path !== entry) } : yaml);
    } catch (e) {
      result.failed.push(thrown(entry, `cannot migrate: ${describeReadError(e)}`));
    }
  }
  if (sources.length) {
    try {
      const generated = await migrateGenerators(source, sources, opts.buildkitImage);
      add(result, opts.mode === 'transition' ? withoutTwins(generated) : generated);
    } catch (e) {
      result.failed.push(thrown('', `cannot migrate the generator sources: ${describeReadError(e)}`));
    }
  }
  return result;
}

/**
 * A transition gives no twins to jobs written by pipeline generators (their YAML is made when the pipeline runs, so
 * there is no block to insert a twin beside): their files stay as they are, and each job that would migrate says so.
 */
function withoutTwins(part: { files: FileResult[]; jobs: JobResult[] }): { files: FileResult[]; jobs: JobResult[] } {
  const notes = new Map<string, Finding[]>();
  const jobs = part.jobs.map((j) => {
    if (j.status !== 'migrated') return j;
    const why =
      'no BuildKit twin: a job written by a pipeline generator gets none; a plain migrate migrates it directly';
    notes.set(j.file, [...(notes.get(j.file) ?? []), finding('KB221', why, { file: j.file, line: 0, job: j.name })]);
    return { ...j, status: 'unchanged' as const };
  });
  const files = part.files.map((f) =>
    f.changed || notes.has(f.path)
      ? {
          ...f,
          output: f.original,
          changed: false,
          edits: [],
          findings: [...f.findings, ...(notes.get(f.path) ?? [])],
        }
      : f,
  );
  return { files, jobs };
}

function add(to: RepositoryResult, part: Partial<ProjectResult>): void {
  append(to.files, part.files ?? []);
  append(to.jobs, part.jobs ?? []);
  append(to.failed, part.failed ?? []);
  if (part.includes) append((to.includes ??= []), part.includes);
  if (part.feeds) append((to.feeds ??= []), part.feeds);
  if (part.templates) append((to.templates ??= []), part.templates);
}

function thrown(path: string, message: string): ProjectResult['failed'][number] {
  return { path, error: new InputError(path, 0, 0, message, 'KB106') };
}

/**
 * The generator sources `paths`: each read (an unreadable one is a KB106 finding on its file, the others go on);
 * when none mentions Kaniko or an executor there is nothing to migrate and ts-morph is not loaded.
 */
async function migrateGenerators(
  source: RepositorySource,
  paths: string[],
  buildkitImage: string | undefined,
): Promise<{ files: FileResult[]; jobs: JobResult[] }> {
  const ts = await (front ??= import('../project/generators.js'));
  const texts = new Map<string, string>();
  const unreadable: FileResult[] = [];
  for (const path of paths) {
    try {
      const text = await source.readSource(path);
      if (text !== undefined) texts.set(path, text);
    } catch (e) {
      const message = (e as Error).message;
      const f = finding('KB106', message, { file: path, line: 0 });
      unreadable.push({ path, original: '', output: '', changed: false, edits: [], findings: [f] });
    }
  }
  if (![...texts.values()].some(ts.mayMatter)) return { files: unreadable, jobs: [] };
  const migrated = await ts.migrateTypeScriptTexts(texts, {
    // `__K2B…_` names are the placeholders src/typescript/placeholders.ts puts for template expressions: a path
    // holding one is not known, whatever the repository holds
    env: { fileExists: (p) => (/__K2B\d*_/.test(p) ? undefined : source.exists(p)) },
    buildkitImage,
  });
  return { files: [...unreadable, ...migrated.files], jobs: migrated.jobs };
}
