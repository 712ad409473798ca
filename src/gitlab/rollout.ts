/**
 * The rollout of a shared template without a flag day (`gitlab --apply`, the default when a template has consumers).
 * Migrating a template in place breaks every consumer not migrated in the same instant, so for each template file F of
 * a project P that other audited projects include:
 *
 * 1. **add**: P's merge request adds F's BuildKit version beside it (besidePath: `templates/kaniko-buildkit.yml`, the
 *    same job and template names); nothing that includes F changes.
 * 2. **switch**: once that file is at the ref a consumer includes, the consumer's merge request switches the include
 *    and translates its variables in one change, and links step 1's merge request. Until then the consumer waits.
 * 3. **remove**: once no audited project includes F at P's default branch (consumers pinned to a tag keep reading it
 *    there), P's merge request deletes F.
 *
 * Every run reads where things stand from GitLab (which file is at which ref), so a rerun redoes nothing that is done:
 * an open merge request is updated, a merged one is not opened again. `in-place` instead updates F in P and translates
 * the consumers' variables in their own merge requests, to be merged together.
 */
import { append } from '../text/append.js';
import type { Feed } from '../project/feeds.js';
import { besidePath, type IncludeSwitch } from '../project/include-switch.js';
import { migrateTemplate } from '../project/pipeline.js';
import type { FileResult, JobResult, ProjectResult } from '../project/plan.js';
import { splitLabel } from '../bulk/graph.js';
import { componentRelease, type IncludeResolver, type IncludeUse } from '../pipeline/includes.js';
import { mergeRequestsFrom, readFile } from './api.js';
import type { FileChange } from './apply.js';
import type { ProjectAudit } from './audit.js';
import type { GitLabClient } from './client.js';
import type { Project } from './types.js';

export type RolloutMode = 'beside' | 'in-place';

/** One project's part in the rollout of one template file. */
export interface RolloutStep {
  /** The Kaniko template: `group/ci-templates:templates/kaniko.yml` (no ref: the step is about the file). */
  template: string;
  step: 'add' | 'switch' | 'remove' | 'in-place';
  /** The template project's step, or a consumer's. */
  role: 'template' | 'consumer';
  /** `ready`: this run's merge request holds it; `waiting`: not yet (`reason` says for what); `done`. */
  state: 'ready' | 'waiting' | 'done';
  reason?: string;
  /** The file of the BuildKit version. */
  beside?: string;
  /** The template project's merge request of step 1 (or of the in-place change), when there is one. */
  after?: { iid: number; url: string; state: string };
}

/** What the rollout asks of one project in this run. */
export interface ProjectRollout {
  steps: RolloutStep[];
  /** Files to create or delete in the template project (with its own changes). */
  changes: FileChange[];
  /** Files of the project's own result not to write (a template with consumers is not changed in place). */
  keep: Set<string>;
  /** The files the changes make, and their Kaniko jobs, for the report. */
  files: FileResult[];
  jobs: JobResult[];
  /** The includes this project switches now (a consumer). */
  switches: IncludeSwitch[];
  /** The project is a consumer of a template being rolled out (its variables wait for the switch). */
  consumer: boolean;
}

export interface RolloutOptions {
  mode: RolloutMode;
  /** The migration branch (the template project's step-1 merge request comes from it). */
  branch: string;
  resolver: IncludeResolver;
  templateRuns: Map<string, Promise<ProjectResult>>;
  buildkitImage?: string;
  /** The template projects' latest merge requests from the branch, by project id (filled while planning). */
  mergeRequests?: Map<number, Promise<RolloutStep['after'] | undefined>>;
}

/** A consumer's include of a template file that needs migrating. */
interface Use {
  audit: ProjectAudit;
  use: IncludeUse & { read: string; file: string };
}

const NOT_IN_RUN =
  'is not among the projects of this run (another --shard, or left out by --project/--skip-project): a rollout needs the template project and its consumers in one run';

const norm = (path: string) => path.replace(/^\/+|\/+$/g, '').toLowerCase();

/** The header of the BuildKit version: what it is and what to do with it. */
export function besideText(file: string, migrated: string): string {
  return `# The BuildKit version of ${file}, added beside it by kaniko2buildkit: include this file instead of ${file}.\n# ${file} is removed once no project includes it any more.\n${migrated}`;
}

/** Every include (in a project's own files) of another project's template file that its own migration changes. */
function templateUses(audits: readonly ProjectAudit[]): Map<string, Use[]> {
  const out = new Map<string, Use[]>();
  for (const audit of audits) {
    const result = audit.result;
    if (!result?.includes) continue;
    const own = new Set(result.files.map((f) => f.path));
    for (const use of result.includes) {
      if ((use.kind !== 'project' && use.kind !== 'component') || !use.read || !use.file || !own.has(use.at.file))
        continue;
      const summary = result.templates?.find((t) => t.file === use.read);
      if (!summary?.kanikoJobs || !summary.changes) continue;
      const key = `${norm(use.target)}\0${use.file}`;
      const list = out.get(key) ?? [];
      if (!list.some((u) => u.audit === audit && u.use.read === use.read)) list.push({ audit, use: use as Use['use'] });
      out.set(key, list);
    }
  }
  return out;
}

function emptyPart(): ProjectRollout {
  return { steps: [], changes: [], keep: new Set(), files: [], jobs: [], switches: [], consumer: false };
}

/** The rollout's part of each project (by full path) in this run. */
export async function planRollout(
  client: GitLabClient,
  audits: readonly ProjectAudit[],
  opts: RolloutOptions,
): Promise<Map<string, ProjectRollout>> {
  const parts = new Map<string, ProjectRollout>();
  const part = (path: string) => {
    let p = parts.get(path);
    if (!p) parts.set(path, (p = emptyPart()));
    return p;
  };
  const byPath = new Map(audits.map((a) => [norm(a.project.path_with_namespace), a]));
  const uses = templateUses(audits);
  for (const list of uses.values()) {
    const first = list[0]!.use;
    const owner = byPath.get(norm(first.target));
    const consumers = list.filter((u) => u.audit !== owner);
    if (!consumers.length) continue;
    await templateRollout(client, first.target, first.file, owner, consumers, opts, part);
  }
  // A template whose consumers have all switched: nothing includes it any more, but its BuildKit version is included,
  // and the Kaniko version may still be there to remove (step 3).
  for (const [key, { project, file }] of await switchedTemplates(audits, opts.resolver))
    if (!uses.has(key)) await templateRollout(client, project, file, byPath.get(norm(project)), [], opts, part);
  return parts;
}

const BESIDE_HEADER = /^# The BuildKit version of (\S+), added beside it by kaniko2buildkit/;

/** The Kaniko templates (by key) whose BuildKit version this tool added and some audited project includes. */
async function switchedTemplates(
  audits: readonly ProjectAudit[],
  resolver: IncludeResolver,
): Promise<Map<string, { project: string; file: string }>> {
  const out = new Map<string, { project: string; file: string }>();
  for (const audit of audits) {
    const own = new Set(audit.result?.files.map((f) => f.path));
    for (const use of audit.result?.includes ?? []) {
      if ((use.kind !== 'project' && use.kind !== 'component') || !use.read || !use.file || !own.has(use.at.file))
        continue;
      if (!use.file.includes('-buildkit')) continue;
      const there = await resolver.project(use.target, splitLabel(use.read).ref);
      const text = typeof there === 'string' ? undefined : await there.source.read(use.file);
      const kaniko = text && BESIDE_HEADER.exec(text)?.[1];
      if (kaniko && besidePath(kaniko) === use.file)
        out.set(`${norm(use.target)}\0${kaniko}`, { project: use.target, file: kaniko });
    }
  }
  return out;
}

/** A project's default branch through the resolver (the template project may be outside the selection). */
async function atDefault(resolver: IncludeResolver, project: string) {
  const found = await resolver.project(project, undefined);
  return typeof found === 'string' ? { reason: found } : found;
}

async function templateRollout(
  client: GitLabClient,
  projectPath: string,
  file: string,
  owner: ProjectAudit | undefined,
  consumers: readonly Use[],
  opts: RolloutOptions,
  part: (path: string) => ProjectRollout,
): Promise<void> {
  const template = `${projectPath}:${file}`;
  const beside = besidePath(file);
  /** Every consumer's step, the same for all of them. */
  const toConsumers = (step: Pick<RolloutStep, 'step' | 'state' | 'reason' | 'beside' | 'after'>) => {
    for (const u of consumers) {
      const p = part(u.audit.project.path_with_namespace);
      p.consumer = true;
      p.steps.push({ template, role: 'consumer', ...step });
    }
  };
  const wait = (reason: string, after?: RolloutStep['after']) =>
    toConsumers({ step: opts.mode === 'in-place' ? 'in-place' : 'switch', state: 'waiting', reason, beside, after });
  const main = await atDefault(opts.resolver, projectPath);
  if ('reason' in main) return wait(`the template project cannot be read: ${main.reason}`);
  const project: Project | undefined = owner?.project;
  const ownerPart = owner && part(owner.project.path_with_namespace);
  const ownerStep = (step: Omit<RolloutStep, 'role'>) => ownerPart?.steps.push({ ...step, role: 'template' });
  const [kanikoText, besideNow] = await Promise.all([main.source.read(file), main.source.read(beside)]);
  const stepOne = project && (await latestMergeRequest(client, project, opts));

  // The BuildKit version made from the Kaniko one as it is on the default branch.
  const migrated = async () => {
    if (kanikoText === undefined) return `${file} is not on ${main.ref}`;
    const alone = await migrateTemplate(
      { project: projectPath, ref: main.ref, file, source: main.source },
      { buildkitImage: opts.buildkitImage, resolver: opts.resolver, templateRuns: opts.templateRuns },
    );
    const changed = alone.files.filter((f) => f.changed);
    if (changed.length !== 1 || changed[0]!.path !== file)
      return `its BuildKit version spans ${changed.length} files (${changed.map((f) => f.path).join(', ')}): the rollout beside it handles a template in one file; use --rollout in-place`;
    const jobs = alone.jobs.filter((j) => j.file === file && !j.template);
    return Object.assign(changed[0]!, { jobs });
  };

  if (opts.mode === 'in-place') {
    const made = await migrated();
    if (typeof made === 'string') return wait(made);
    if (!owner || !ownerPart) return wait(`${projectPath} ${NOT_IN_RUN}`);
    ownerStep({ template, step: 'in-place', state: 'ready' });
    const lastCommitId = (await readFile(client, owner.project.id, file, main.ref))?.lastCommitId;
    if (lastCommitId === undefined) return wait(`${file} is not on ${main.ref}`);
    ownerPart.changes.push({ path: file, content: made.output, lastCommitId });
    ownerPart.files.push(made);
    append(ownerPart.jobs, made.jobs);
    return toConsumers({
      step: 'in-place',
      state: 'ready',
      reason: `merge together with ${projectPath}'s merge request from ${opts.branch} (${file} changes in place)`,
      after: stepOne,
    });
  }

  if (besideNow === undefined) {
    // Step 1: the BuildKit version beside the Kaniko one.
    const made = await migrated();
    if (typeof made === 'string') {
      ownerStep({ template, step: 'add', state: 'waiting', reason: made, beside });
      return wait(`${template} cannot get its BuildKit version beside it: ${made}`);
    }
    if (!owner || !ownerPart) {
      wait(`${beside} is not on ${projectPath}@${main.ref}, and ${projectPath} ${NOT_IN_RUN}`);
      return;
    }
    const content = besideText(file, made.output);
    ownerStep({ template, step: 'add', state: 'ready', beside, after: stepOne });
    ownerPart.changes.push({ path: beside, content });
    const { jobs, ...result } = made;
    ownerPart.files.push({ ...result, path: beside, original: '', output: content, edits: [] });
    append(
      ownerPart.jobs,
      jobs.map((j) => ({ ...j, file: beside })),
    );
    ownerPart.keep.add(file);
    return wait(`waits for ${projectPath}'s merge request that adds ${beside}: merge it, then run again`, stepOne);
  }

  // Step 2: each consumer whose include can read the BuildKit version switches to it.
  ownerStep({ template, step: 'add', state: 'done', beside, after: stepOne });
  if (ownerPart) ownerPart.keep.add(file);
  const after = stepOne && `${projectPath}!${stepOne.iid}, ${stepOne.state}`;
  let stillAtDefault = 0;
  for (const { audit, use } of consumers) {
    const p = part(audit.project.path_with_namespace);
    p.consumer = true;
    // the ref the include reads: as named, or the release a component's `~latest`/`1.2` names (the label's ref)
    const read = splitLabel(use.read).ref;
    const moving = use.kind === 'component' && componentRelease(use.ref ?? '', []) !== null;
    const followsDefault = !moving && (use.ref === undefined || use.ref === main.ref);
    // a moving version reads the next release too: it keeps the Kaniko version until it has switched
    if (followsDefault || moving) stillAtDefault++;
    const refused = (audit.result?.feeds ?? []).filter((f: Feed) => f.template === use.read && f.outcome === 'refused');
    const step: RolloutStep = { template, role: 'consumer', step: 'switch', state: 'ready', beside, after: stepOne };
    p.steps.push(step);
    if (refused.length) {
      step.state = 'waiting';
      step.reason = `${refused.map((f) => `$${f.variable} (${f.file}:${f.line})`).join(', ')} cannot become buildctl arguments (KB604): write it as buildctl arguments, then run again`;
      continue;
    }
    if (!followsDefault) {
      const there = await opts.resolver.project(projectPath, read);
      const has = typeof there !== 'string' && (await there.source.read(beside)) !== undefined;
      if (!has) {
        step.state = 'waiting';
        step.reason = moving
          ? `version ${use.ref} reads release ${read}, which has no ${beside}: publish a release that holds it (made after ${after ?? 'the merge request that added it'}), then run again`
          : `pinned to ${use.ref}, which has no ${beside}: include a ref that has it (a release made after ${after ?? 'the merge request that added it'}), then run again`;
        continue;
      }
    }
    p.switches.push({ template: use.read, project: use.target, file, ref: use.ref, to: beside, after });
  }

  // Step 3: the Kaniko version goes once nothing audited reads it at the default branch.
  if (kanikoText === undefined) return;
  const selfUse = owner?.result?.files.some((f) => f.path === file);
  if (stillAtDefault || selfUse) {
    const who = selfUse
      ? `${projectPath}'s own pipeline includes it`
      : `${stillAtDefault} project(s) still include it at ${main.ref}`;
    ownerStep({ template, step: 'remove', state: 'waiting', reason: `${file} stays: ${who}` });
    return;
  }
  if (!owner || !ownerPart) return;
  const lastCommitId = (await readFile(client, owner.project.id, file, main.ref))?.lastCommitId;
  if (lastCommitId === undefined) return;
  ownerStep({
    template,
    step: 'remove',
    state: 'ready',
    reason: `no audited project includes ${file} at ${main.ref} any more (a project pinned to a tag keeps reading it there; projects outside the audited group are not known)`,
  });
  ownerPart.changes.push({ path: file, content: null, lastCommitId });
}

/** A step's reason with the merge request it waits for. */
export function stepReason(s: RolloutStep): string {
  return `${s.template}: ${s.reason ?? s.state}${s.after && s.state === 'waiting' && s.after.state !== 'merged' ? ` (!${s.after.iid}, ${s.after.state}: ${s.after.url})` : ''}`;
}

/**
 * After the template projects' merge requests of this run are opened: the steps waiting for one (or merged together
 * with one) name it.
 */
export function linkSteps(
  parts: ReadonlyMap<string, ProjectRollout>,
  opened: ReadonlyMap<string, { iid: number; url: string }>,
): void {
  for (const part of parts.values())
    for (const step of part.steps) {
      const owner = step.template.slice(0, step.template.lastIndexOf(':'));
      const mr = opened.get(owner);
      if (!step.after && mr && step.role === 'consumer') step.after = { iid: mr.iid, url: mr.url, state: 'opened' };
    }
}

/** Whether a project has a template step of its own (its merge request goes first). */
export const ownsSteps = (part: ProjectRollout | undefined): boolean =>
  !!part?.steps.some((s) => s.role === 'template' && s.state === 'ready');

/**
 * The latest merge request from the migration branch in the template project (open or merged): asked once per
 * project for a whole planning (a template project holds several templates).
 */
function latestMergeRequest(
  client: GitLabClient,
  project: Project,
  opts: RolloutOptions,
): Promise<RolloutStep['after'] | undefined> {
  const memo = (opts.mergeRequests ??= new Map());
  let found = memo.get(project.id);
  if (!found)
    memo.set(
      project.id,
      (found = mergeRequestsFrom(client, project.id, opts.branch, 'all').then((all) => {
        const latest = all.filter((m) => m.state !== 'closed').sort((a, b) => b.iid - a.iid)[0];
        return latest && { iid: latest.iid, url: latest.web_url, state: latest.state };
      })),
    );
  return found;
}

/** The rollout text of a merge request description (empty without steps). */
export function rolloutMarkdown(steps: readonly RolloutStep[]): string {
  const ready = steps.filter((s) => s.state === 'ready');
  if (!ready.length) return '';
  const lines = ['## Rollout without a flag day', ''];
  for (const s of ready) {
    const link = s.after ? ` [!${s.after.iid}](${s.after.url}) (${s.after.state})` : '';
    if (s.step === 'add')
      lines.push(
        `- **Step 1 of 3** for \`${s.template}\`: adds \`${s.beside}\`, its BuildKit version, beside it. Nothing that includes the Kaniko version changes. **Merge this first**; then run kaniko2buildkit again: it opens a merge request in each project that includes the template, switching its include.`,
      );
    else if (s.step === 'switch')
      lines.push(
        `- **Step 2 of 3** for \`${s.template}\`: switches this project's include to \`${s.beside}\`, the BuildKit version added by${link || ' the template project'}, and translates its variables for it in the same change. Merge it as one change; it is safe to merge now.`,
      );
    else if (s.step === 'remove')
      lines.push(
        `- **Step 3 of 3** for \`${s.template}\`: removes the Kaniko version: ${s.reason}. Merge it once you know of no other project that includes it.`,
      );
    else
      lines.push(
        `- **In place** for \`${s.template}\`: ${s.reason ?? `the template changes in place; every project that includes it must merge its merge request at the same time`}.${link ? ` Template change:${link}.` : ''}`,
      );
  }
  return `${lines.join('\n')}\n\n`;
}
