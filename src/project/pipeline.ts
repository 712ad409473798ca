/**
 * Migrating a YAML pipeline from any file source: load the entry file and its local includes, plan every job, verify
 * the result, and plan again without the jobs that failed verification (at most three rounds). Nothing is written here.
 */
import type { Finding } from '../findings/types.js';
import { loadProject, type FileSource } from '../pipeline/load.js';
import { planProject, type FileResult, type JobResult, type MigrateOptions, type ProjectResult } from './plan.js';
import { verifyProject } from './verify.js';

export async function migrateSource(source: FileSource, opts: MigrateOptions = {}): Promise<ProjectResult> {
  const entry = opts.entry ?? '.gitlab-ci.yml';
  const loaded = await loadProject(source, entry);
  let excluded = new Map<string, Finding>();
  let plan = planProject(loaded.files, source, opts, excluded);
  let verdict = verifyProject(plan, source, opts);
  for (let round = 0; verdict.failedJobs.size && round < 3; round++) {
    excluded = new Map([...excluded, ...verdict.failedJobs]);
    plan = planProject(loaded.files, source, opts, excluded);
    verdict = verifyProject(plan, source, opts);
  }
  const fileErrors = verdict.fileErrors;
  const files: FileResult[] = loaded.files.map((file) => {
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
    .map((j) => ({
      name: j.name,
      file: j.file,
      status: j.manual ? 'manual' : j.edits.length && !fileErrors.size ? 'migrated' : 'unchanged',
      calls: j.calls,
      flags: j.flags,
    }));
  return { files, jobs, failed: loaded.failed };
}
