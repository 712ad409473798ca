/**
 * The tool checks its own result before anything is written:
 * the edited text parses; text outside the edits is unchanged; every migrated job now holds exactly the buildctl calls
 * that were planned (read back by the same shell reader) and no executor call; every other top-level key is unchanged
 * as data; and migrating the result again changes nothing.
 */
import type { Finding } from '../findings/types.js';
import type { FileSource } from '../pipeline/load.js';
import { Pipeline, keyName } from '../pipeline/jobs.js';
import { InputError, jobsMap, parseSource, type SourceFile } from '../pipeline/source.js';
import { BUILDCTL_COMMAND } from '../buildkit/render.js';
import { outsideUnchanged } from './edits.js';
import { BUILDKITD_FLAGS, hasSandboxFlag, NO_PROCESS_SANDBOX } from './variables.js';
import { findCalls, jobItems } from './job-items.js';
import { planProject, type MigrateOptions, type ProjectPlan } from './project.js';

export interface Verdict {
  /** Jobs whose result did not read back as planned: migrate the rest without them. */
  failedJobs: Map<string, Finding>;
  /** Files whose result failed a whole-file check: nothing of the project is written. */
  fileErrors: Map<string, Finding>;
}

function error(file: string, message: string, job?: string): Finding {
  return { code: 'KB105', severity: 'error', file, line: 0, job, message: `self-check failed, nothing written: ${message}` };
}

function topLevelData(file: SourceFile): Map<string, string> {
  const out = new Map<string, string>();
  const map = jobsMap(file);
  if (!map) return out;
  const data = file.docs[file.jobsDoc]!.toJS({ maxAliasCount: -1 }) as Record<string, unknown>;
  for (const pair of map.items) {
    const k = keyName(pair);
    if (k !== undefined) out.set(k, JSON.stringify(data?.[k] ?? null));
  }
  return out;
}

export function verifyProject(plan: ProjectPlan, source: Pick<FileSource, 'exists'>, opts: MigrateOptions): Verdict {
  const failedJobs = new Map<string, Finding>();
  const fileErrors = new Map<string, Finding>();
  const migrated = plan.jobs.filter((j) => j.kaniko && !j.manual && j.edits.length);
  if (!plan.edits.length) return { failedJobs, fileErrors };

  const after: SourceFile[] = [];
  for (const file of plan.files) {
    const text = plan.outputs.get(file.path)!;
    if (text === file.text) {
      after.push(file);
      continue;
    }
    try {
      after.push(parseSource(file.path, text));
    } catch (e) {
      const where = e instanceof InputError ? ` (line ${e.line}, column ${e.column} of the result)` : '';
      fileErrors.set(file.path, error(file.path, `the migrated text is not valid YAML${where}: ${(e as Error).message}`));
      continue;
    }
    if (!outsideUnchanged(file.text, text, plan.edits.filter((e) => e.file === file.path))) {
      fileErrors.set(file.path, error(file.path, 'text outside the edits changed'));
    }
  }
  if (fileErrors.size) return { failedJobs, fileErrors };

  const before = new Pipeline(plan.files);
  const now = new Pipeline(after);
  for (const job of migrated) {
    const items = jobItems(now, job.name);
    const leftover = findCalls(items);
    const found = items.flatMap((i) => i.parsed.commands).filter((c) => c.words[0]?.value === BUILDCTL_COMMAND).map((c) => c.words.map((w) => w.raw));
    const want = job.expectedCalls.map((c) => JSON.stringify(c)).sort();
    const got = found.map((c) => JSON.stringify(c)).sort();
    const missing = want.filter((w) => !got.includes(w));
    const file = job.edits[0]?.file ?? plan.files[0]!.path;
    if (leftover.length || missing.length) {
      failedJobs.set(job.name, error(file, leftover.length ? 'an executor call is still there after the edit' : `the rewritten call reads back differently: ${missing[0]}`, job.name));
    } else if (!hasSandboxFlag(now.variables(job.name))) {
      failedJobs.set(job.name, error(file, `the job does not see ${BUILDKITD_FLAGS}: ${NO_PROCESS_SANDBOX} after the edit`, job.name));
    }
  }

  // Every job that is not migrated, and every other top-level key, is unchanged as data. Hidden templates (`.x`) and the
  // global keys a migrated job inherits from may change: they are where the edited text lives.
  const owned = new Set<string>(['variables', 'default', 'image', 'before_script', 'after_script', 'include']);
  for (const job of migrated) for (const n of before.extendsChain(job.name)) owned.add(n);
  for (const n of before.names()) if (before.isHidden(n) && !plan.jobs.some((j) => j.name === n && (!j.kaniko || j.manual))) owned.add(n);
  for (const file of after) {
    const old = plan.files.find((f) => f.path === file.path)!;
    if (old === file) continue;
    const a = topLevelData(old);
    const b = topLevelData(file);
    for (const [k, v] of a) {
      if (owned.has(k)) continue;
      if (b.get(k) !== v) fileErrors.set(file.path, error(file.path, `"${k}" is not a migrated job but its data changed`));
    }
  }
  if (fileErrors.size || failedJobs.size) return { failedJobs, fileErrors };

  const again = planProject(after, source, opts);
  if (again.edits.length) {
    const e = again.edits[0]!;
    fileErrors.set(e.file, error(e.file, 'a second run would change the result again'));
  }
  return { failedJobs, fileErrors };
}
