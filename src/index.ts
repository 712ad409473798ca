/**
 * kaniko2buildkit as a library.
 *
 *   const result = await migrateProject({ root: 'path/to/repo' });
 *   for (const f of result.files) if (f.changed) writeFileSync(f.path, f.output);
 *
 *   const one = await migrateText(yamlText, { fileName: '.gitlab-ci.yml' });
 */
import { DiskSource, MemorySource } from './pipeline/fs-source.js';
import { migrateSource, type MigrateOptions, type ProjectResult } from './project/plan.js';

export type { Finding, Severity, CodeDoc } from './findings/types.js';
export type { FileResult, JobResult, MigrateOptions, ProjectResult } from './project/plan.js';
export type { FileSource } from './pipeline/load.js';
export { CODES, codeDoc } from './findings/registry.js';
export { FLAGS } from './kaniko/flags.js';
export { migrateSource } from './project/plan.js';
export { DiskSource, MemorySource } from './pipeline/fs-source.js';

/** Migrates a repository folder: its `.gitlab-ci.yml` (or `entry`) and every file that includes locally. Writes nothing. */
export async function migrateProject(opts: { root: string } & MigrateOptions): Promise<ProjectResult> {
  return migrateSource(new DiskSource(opts.root), opts);
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
