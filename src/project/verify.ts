/**
 * The tool checks its own result before anything is written:
 * the edited text parses; text outside the edits is unchanged; every migrated job now holds exactly the buildctl calls
 * that were planned (read back by the same shell reader) and no executor call; every other top-level key is unchanged
 * as data; and migrating the result again changes nothing.
 */
import type { ParsedNode } from 'yaml';
import { finding } from '../findings/finding.js';
import type { Finding } from '../findings/types.js';
import type { FileSource } from '../pipeline/load.js';
import { GLOBAL_KEYWORDS, Pipeline, keyName } from '../pipeline/jobs.js';
import { InputError, jobsMap, type SourceFile } from '../pipeline/source.js';
import { BUILDCTL_COMMAND } from '../buildkit/render.js';
import { outsideUnchanged, type TextEdit } from '../text/edits.js';
import { BUILDKITD_FLAGS, hasSandboxFlag, NO_PROCESS_SANDBOX } from '../job/variables.js';
import { findCalls, jobItems } from '../job/job-items.js';
import { parseKept } from '../yaml/partial-parse.js';
import { planProject, type PlanOptions, type ProjectPlan } from './plan.js';

export interface Verdict {
  /** Jobs whose result did not read back as planned: migrate the rest without them. */
  failedJobs: Map<string, Finding>;
  /** Files whose result failed a whole-file check: nothing of the project is written. */
  fileErrors: Map<string, Finding>;
}

function error(file: string, message: string, job?: string): Finding {
  return finding('KB105', `self-check failed, nothing written: ${message}`, { file, line: 0, job });
}

/**
 * The top-level keys (not in `owned`) whose data an edit can have changed: the keys whose text an edit touches, and the
 * keys that may use an alias of an anchored node holding an edit. Every other key keeps its text, and so its data.
 */
function keysToCompare(file: SourceFile, owned: Set<string>, edits: TextEdit[]): string[] {
  // edits come sorted by start and do not overlap: the first edit ending at or after `start` is the only candidate
  const touches = (start: number, end: number) => {
    let lo = 0;
    let hi = edits.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edits[mid]!.end < start) lo = mid + 1;
      else hi = mid;
    }
    return lo < edits.length && edits[lo]!.start <= end;
  };
  const edited = (file.anchors ?? []).filter((a) => {
    const r = (a.node as ParsedNode).range;
    return r && touches(r[0], r[2]);
  });
  const out: string[] = [];
  for (const pair of jobsMap(file)?.items ?? []) {
    const k = keyName(pair);
    if (k === undefined || owned.has(k)) continue;
    const start = (pair.key as ParsedNode | null)?.range?.[0] ?? 0;
    const end = (pair.value as ParsedNode | null)?.range?.[2] ?? start;
    if (touches(start, end)) out.push(k);
    else if (edited.length) {
      const text = file.text.slice(start, end);
      if (edited.some((a) => text.includes(`*${a.name}`))) out.push(k);
    }
  }
  return out;
}

/** The data of some top-level keys, as JSON text (a key given twice: its last value). */
function topLevelData(file: SourceFile, keys: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const wanted = new Set(keys);
  const doc = file.docs[file.jobsDoc]!;
  for (const pair of jobsMap(file)?.items ?? []) {
    const k = keyName(pair);
    // a key given twice is its last value, as GitLab reads it
    if (k === undefined || !wanted.has(k)) continue;
    out.set(k, JSON.stringify((pair.value as ParsedNode | null)?.toJS(doc, { maxAliasCount: -1 }) ?? null));
  }
  return out;
}

export function verifyProject(plan: ProjectPlan, source: Pick<FileSource, 'exists'>, opts: PlanOptions): Verdict {
  const failedJobs = new Map<string, Finding>();
  const fileErrors = new Map<string, Finding>();
  const migrated = plan.jobs.filter((j) => j.kaniko && !j.manual && j.edits.length);
  if (!plan.edits.length) return { failedJobs, fileErrors };
  const before = plan.pipeline;

  // Every job that is not migrated, and every other top-level key, is unchanged as data. Hidden templates (`.x`) and the
  // global keys a migrated job inherits from may change: they are where the edited text lives.
  const owned = new Set<string>(['variables', 'default', 'image', 'before_script', 'after_script', 'include']);
  for (const job of migrated) for (const n of before.extendsChain(job.name)) owned.add(n);
  for (const n of plan.feedOwners) owned.add(n);
  const kept = new Set(plan.jobs.filter((j) => !j.kaniko || j.manual).map((j) => j.name));
  for (const n of before.names()) if (before.isHidden(n) && !kept.has(n)) owned.add(n);
  // Hidden keys that are not jobs (`.setup: &setup [items]`) hold anchored text; the jobs using it are compared.
  for (const file of plan.files)
    for (const pair of jobsMap(file)?.items ?? []) {
      const k = keyName(pair);
      if (k?.startsWith('.') && !kept.has(k) && !before.definitions(k).length) owned.add(k);
    }

  // The result is read back with what the checks below look at: the Kaniko jobs (re-planned by the second run), what
  // they read, the global keywords, the keys whose data is compared; the rest of a long file is not composed again.
  const kaniko = plan.jobs.filter((j) => j.kaniko);
  const names = new Set<string>(GLOBAL_KEYWORDS);
  for (const job of kaniko) for (const n of before.extendsChain(job.name)) names.add(n);
  // the jobs a transition added, now or before (the second run must see them to leave their Kaniko jobs alone)
  for (const n of plan.transitionNames) names.add(n);
  for (const t of plan.transition.jobs.values()) if (t.state !== 'cut-over') names.add(t.twin).add(t.compare);
  const after: SourceFile[] = [];
  const compare = new Map<string, string[]>();
  for (const file of plan.files) {
    const text = plan.outputs.get(file.path)!;
    if (text === file.text) {
      after.push(file);
      continue;
    }
    const edits = plan.edits.filter((e) => e.file === file.path);
    if (!outsideUnchanged(file.text, text, edits)) {
      fileErrors.set(file.path, error(file.path, 'text outside the edits changed'));
      continue;
    }
    const keys = keysToCompare(file, owned, edits);
    compare.set(file.path, keys);
    const prefix = `${file.path}#`;
    const offsets = kaniko.flatMap((j) =>
      [...j.reads].filter((k) => k.startsWith(prefix)).map((k) => Number(k.slice(prefix.length).split(':')[0])),
    );
    try {
      after.push(parseKept(file, text, edits, { names: new Set([...names, ...keys]), offsets }));
    } catch (e) {
      const where = e instanceof InputError ? ` (line ${e.line}, column ${e.column} of the result)` : '';
      fileErrors.set(
        file.path,
        error(file.path, `the migrated text is not valid YAML${where}: ${(e as Error).message}`),
      );
    }
  }
  if (fileErrors.size) return { failedJobs, fileErrors };

  const now = new Pipeline(after);
  // a twin added for the transition holds its planned calls as a migrated job does (a failure is its Kaniko job's)
  const checked = [
    ...migrated.map((j) => ({ name: j.name, owner: j.name, expectedCalls: j.expectedCalls, file: j.edits[0]?.file })),
    ...plan.transition.twins.map((t) => ({ name: t.name, owner: t.job, expectedCalls: t.expectedCalls, file: t.file })),
  ];
  for (const job of checked) {
    const items = jobItems(now, job.name);
    const leftover = findCalls(items);
    // a buildctl call cannot hide in an item without the word: only those are read by the shell reader again
    const found = items
      .filter((i) => i.script.includes(BUILDCTL_COMMAND))
      .flatMap((i) => i.parsed.commands)
      .filter((c) => c.words[0]?.value === BUILDCTL_COMMAND)
      .map((c) => c.words.map((w) => w.raw));
    const want = job.expectedCalls.map((c) => JSON.stringify(c)).sort();
    const got = found.map((c) => JSON.stringify(c)).sort();
    const missing = want.filter((w) => !got.includes(w));
    const file = job.file ?? plan.files[0]!.path;
    if (!items.length || leftover.length || missing.length) {
      failedJobs.set(
        job.owner,
        error(
          file,
          !items.length
            ? `the job "${job.name}" is not there after the edit`
            : leftover.length
              ? 'an executor call is still there after the edit'
              : `the rewritten call reads back differently: ${missing[0]}`,
          job.name,
        ),
      );
    } else if (!hasSandboxFlag(now.variables(job.name))) {
      failedJobs.set(
        job.owner,
        error(file, `the job does not see ${BUILDKITD_FLAGS}: ${NO_PROCESS_SANDBOX} after the edit`, job.name),
      );
    }
  }

  for (const file of after) {
    const old = plan.files.find((f) => f.path === file.path)!;
    if (old === file) continue;
    const keys = compare.get(file.path) ?? [];
    const a = topLevelData(old, keys);
    const b = topLevelData(file, keys);
    for (const [k, v] of a) {
      if (b.get(k) !== v)
        fileErrors.set(file.path, error(file.path, `"${k}" is not a migrated job but its data changed`));
    }
  }
  if (fileErrors.size || failedJobs.size) return { failedJobs, fileErrors };

  const again = planProject(
    after,
    source,
    opts,
    undefined,
    kaniko.map((j) => j.name),
  );
  if (again.edits.length) {
    const e = again.edits[0]!;
    fileErrors.set(e.file, error(e.file, 'a second run would change the result again'));
  }
  return { failedJobs, fileErrors };
}
