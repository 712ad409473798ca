/**
 * kaniko2buildkit as a library.
 *
 *   const result = await migrateProject({ root: 'path/to/repo' }); // .gitlab-ci.yml, its includes, generator sources
 *   for (const f of result.files) if (f.changed) writeFileSync(f.path, f.output);
 *
 *   const gitlabLike = await migrateRepository(memoryRepository(texts), { sources: 'ci/**\/*.ts' });
 *
 *   const one = await migrateText(yamlText, { fileName: '.gitlab-ci.yml' });
 */
import { MemorySource } from './pipeline/fs-source.js';
import type { MigrateOptions, ProjectResult } from './project/plan.js';
import { migrateSource } from './project/pipeline.js';
import { migrateRepository } from './repository/migrate.js';
import { diskRepository } from './repository/source.js';
import { resolveSources } from './typescript/files.js';

export type { Finding, Severity, CodeDoc } from './findings/types.js';
export type { FileResult, JobResult, JobStatus, MigrateOptions, ProjectResult } from './project/plan.js';
export type { MigrationMode, TransitionJob } from './project/transition.js';
export type { FileSource } from './pipeline/load.js';
export { CODES, codeDoc } from './findings/registry.js';
export { FLAGS } from './kaniko/flags.js';
export { migrateSource };
export { DiskSource, MemorySource } from './pipeline/fs-source.js';
export { migrateRepository, type RepositoryOptions, type RepositoryResult } from './repository/migrate.js';
export { diskRepository, memoryRepository, type RepositorySource } from './repository/source.js';
export {
  recoverRepository,
  writeBlockers,
  writeRepository,
  type WriteHooks,
  type WriteOutcome,
} from './repository/write.js';
export { checkoutResolver, localProjects } from './bulk/checkouts.js';
export type { IncludeResolver, ProjectFiles } from './pipeline/includes.js';

export interface ProjectOptions extends MigrateOptions {
  root: string;
  /**
   * The pipeline generator sources (TypeScript/JavaScript) to migrate as well, a glob relative to `root`, as
   * `migrate --sources` (default `**\/*.{ts,mts,cts,js,mjs}`); `false` or `''`: none.
   */
  sources?: string | false;
}

/**
 * Migrates a repository folder as `kaniko2buildkit migrate DIR` does: its `.gitlab-ci.yml` (or `entry`), every file
 * that includes locally, and its generator sources (a folder with generator sources needs no pipeline file). Writes
 * nothing (`writeRepository(root, result)` writes as the command does: all or nothing, and nothing of a result with
 * an error; call `recoverRepository(root)` first, as the command does, to settle a write of an earlier run that was
 * cut short). A file that cannot be read or parsed is in `failed`; so is a part of the migration that threw (KB106
 * "cannot migrate").
 */
export async function migrateProject(opts: ProjectOptions): Promise<ProjectResult> {
  return migrateRepository(diskRepository(opts.root), {
    entry: opts.entry,
    sources: resolveSources(opts.sources),
    buildkitImage: opts.buildkitImage,
    resolver: opts.resolver,
    templateRuns: opts.templateRuns,
    mode: opts.mode,
  });
}

/** Migrates one pipeline text on its own (includes are not read). Writes nothing. */
export async function migrateText(
  text: string,
  opts: { fileName?: string } & MigrateOptions = {},
): Promise<ProjectResult> {
  const fileName = opts.fileName ?? '.gitlab-ci.yml';
  return migrateSource(new MemorySource(new Map([[fileName, text]])), { ...opts, entry: fileName });
}
export { migrateScriptText, type ScriptMigration } from './job/script.js';
export {
  buildkitImageFor,
  classifyImage,
  isBuildkitImage,
  BUILDKIT_IMAGE,
  BUILDKIT_PINNED_IMAGE,
} from './kaniko/images.js';
export {
  migrateTypeScriptSources,
  migrateTypeScriptProject,
  type TypeScriptMigrateOptions,
} from './project/generators.js';
export { MissingTsMorph } from './typescript/optional.js';
export {
  compareImages,
  CompareError,
  RegistryError,
  LayerError,
  type CompareOptions,
  type CompareResult,
  type PlatformComparison,
  type Difference,
  type ExpectedDifference,
} from './compare/index.js';
export { compareText, compareJson, compareMarkdown } from './compare/format.js';
