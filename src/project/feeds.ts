/**
 * A project that includes another project's Kaniko template and sets the variables its call passes on as flags
 * (`KANIKO_EXTRA_ARGS: "--build-arg NODE_ENV=production --target runtime"`): the template's BuildKit version passes the
 * same variable to buildctl, so this project's values must become buildctl arguments in the same change that switches
 * its include. Each value this project's own files set, for a job built from such a template, is translated through
 * the flag table (KB603), or reported when it cannot be (KB604).
 */
import { append } from '../text/append.js';
import { finding } from '../findings/finding.js';
import type { Finding, Where } from '../findings/types.js';
import type { FragmentHost, PlanEnv } from '../kaniko/context.js';
import { isMap, isScalar, isSeq, type ParsedNode, type YAMLMap } from 'yaml';
import { componentFiles, parseComponent } from '../pipeline/includes.js';
import { nodeKey, ownPair, type Located, type Pipeline } from '../pipeline/jobs.js';
import { jobsMap, positionIn } from '../pipeline/source.js';
import type { TextEdit } from '../text/edits.js';
import { roleText, translateFlagValue, type FlagValueTranslation } from '../job/arg-variables.js';
import { variableDefinition } from '../job/yaml-job.js';
import type { PassThrough } from '../job/recipe.js';

/** A Kaniko job of another project's template file, as that file's own migration left it. */
export interface TemplateJob {
  /** The label of the file (see originLabel): `group/templates:kaniko.yml@main`. */
  file: string;
  /** The job's name in that file (a hidden template, or a job this pipeline runs as it is). */
  name: string;
  /** Whether the template's own migration migrated it (else it is left for a person there). */
  migrated: boolean;
  /** Variables of executor flags its call expands, and how its migrated call reads them. */
  passThrough: PassThrough[];
  /** Its migrated call, as the flags fed into it need it (the cache `--cache=true` goes to). */
  feedHost?: FragmentHost;
}

/** One variable of this project that feeds flags into a template's call. */
export interface Feed {
  /** The template file's label. */
  template: string;
  variable: string;
  /** Where this project sets it. */
  file: string;
  line: number;
  column: number;
  /** The jobs of this pipeline it reaches the template's call in. */
  jobs: string[];
  /** `translated`: rewritten to buildctl arguments (KB603); `refused`: left for a person (KB604). */
  outcome: 'translated' | 'refused';
  /** `variable` is an input of the template file that this project's include passes (`include: … inputs:`). */
  input?: true;
}

export interface FeedPlan {
  edits: TextEdit[];
  findings: Finding[];
  feeds: Feed[];
  /** The jobs whose variables the edits change (for the self-check: their data is meant to change). */
  owners: Set<string>;
  /** Every job of this pipeline built from a template's Kaniko job: job name → the template file's label. */
  users: Map<string, string>;
}

export function planFeeds(pipeline: Pipeline, templates: readonly TemplateJob[], env: PlanEnv): FeedPlan {
  const plan: FeedPlan = { edits: [], findings: [], feeds: [], owners: new Set(), users: new Map() };
  const byKey = new Map<string, Feed>();
  for (const t of templates) {
    const users = pipeline
      .names()
      .filter((n) => !pipeline.isHidden(n) && (n === t.name || pipeline.extendsChain(n).includes(t.name)));
    for (const job of users) if (!plan.users.has(job)) plan.users.set(job, t.file);
    if (!t.migrated || !t.passThrough.length) continue;
    for (const p of t.passThrough) if (p.input) feedInput(plan, pipeline, t, p.name, users, byKey, env);
    for (const job of users) {
      for (const { name: variable, role, input } of t.passThrough) {
        if (input) continue;
        const loc = pipeline.variables(job).get(variable);
        if (!loc || loc.file.origin) continue; // not set here, or set by the template project itself
        const key = nodeKey(loc);
        const known = byKey.get(key);
        if (known) {
          known.jobs.push(job);
          continue;
        }
        const def = variableDefinition(loc);
        const at = positionIn(loc.file.lineStarts, loc.node.range?.[0] ?? 0);
        const place = { file: loc.file.path, ...at, job };
        const value = def.value;
        const translation =
          value === undefined
            ? { kind: 'refused' as const, reason: 'it is not a plain string' }
            : role === 'inline'
              ? {
                  kind: 'refused' as const,
                  reason: `the template's BuildKit version no longer reads $${variable} (its flags only work inside the call, so the template's own value was written into the call)`,
                }
              : translateFlagValue(value, env, role, t.feedHost);
        if (translation.kind === 'unchanged') continue;
        const feed: Feed = {
          template: t.file,
          variable,
          file: loc.file.path,
          line: at.line,
          column: at.column,
          jobs: [job],
          outcome: 'refused',
        };
        byKey.set(key, feed);
        plan.feeds.push(feed);
        const into = `${t.file} (${t.name})`;
        const becomes = role === 'inline' ? '' : roleText(role);
        if (settleFeed(plan, feed, def, translation, { subject: `$${variable}`, into, becomes }, place))
          plan.owners.add(job);
      }
    }
  }
  return plan;
}

/**
 * A component input the template's call reads as flags (`$[[ inputs.args ]]`, passThrough `input`): every include of
 * that file in this project's own files that passes it (`include: [{ component: …, inputs: { args: … } }]`, or
 * `project:`/`file:` with `inputs:`) gets its value translated in place, as a variable's value is (KB603), or reported
 * (KB604). Only that scalar changes. An include is matched to the template file as GitLab resolves it: the project, the
 * file (a component's `templates/<name>.yml` or `templates/<name>/template.yml`) and the ref (none, or `~latest`, is the
 * ref the template was read at).
 */
function feedInput(
  plan: FeedPlan,
  pipeline: Pipeline,
  t: TemplateJob,
  input: string,
  users: string[],
  byKey: Map<string, Feed>,
  env: PlanEnv,
): void {
  const origin = pipeline.files.find((f) => f.path === t.file)?.origin;
  if (!origin) return;
  for (const file of pipeline.files) {
    if (file.origin) continue;
    const inc = jobsMap(file) && (ownPair(jobsMap(file)!, 'include')?.value as ParsedNode | null | undefined);
    if (!inc) continue;
    const doc = file.docs[file.jobsDoc]!;
    for (const entry of isSeq(inc) ? (inc.items as ParsedNode[]) : [inc]) {
      if (!isMap(entry) || !includesFile(entry as YAMLMap<ParsedNode, ParsedNode>, origin)) continue;
      const inputs = (entry as YAMLMap<ParsedNode, ParsedNode>).get('inputs', true) as ParsedNode | undefined;
      const node = isMap(inputs) ? (inputs.get(input, true) as ParsedNode | undefined) : undefined;
      if (!node) continue;
      const loc: Located = { node, file, doc };
      const key = nodeKey(loc);
      if (byKey.has(key)) continue;
      const def = variableDefinition(loc);
      const at = positionIn(file.lineStarts, node.range?.[0] ?? 0);
      const value = def.value;
      const translation =
        value === undefined
          ? { kind: 'refused' as const, reason: 'it is not a plain string' }
          : translateFlagValue(value, env, 'args', t.feedHost);
      if (translation.kind === 'unchanged') continue;
      const feed: Feed = {
        template: t.file,
        variable: input,
        file: file.path,
        line: at.line,
        column: at.column,
        jobs: [...users],
        outcome: 'refused',
        input: true,
      };
      byKey.set(key, feed);
      plan.feeds.push(feed);
      const place = { file: file.path, ...at, ...(users[0] !== undefined ? { job: users[0] } : {}) };
      const into = `${t.file} (${t.name}) ($[[ inputs.${input} ]])`;
      const subject = `the input ${input} this include passes`;
      settleFeed(plan, feed, def, translation, { subject, into, becomes: roleText('args') }, place);
    }
  }
}

/**
 * A feed's value translated in place (KB603, `true`) or reported (KB604): the one wording for variables and inputs.
 */
function settleFeed(
  plan: FeedPlan,
  feed: Feed,
  def: ReturnType<typeof variableDefinition>,
  translation: FlagValueTranslation,
  text: { subject: string; into: string; becomes: string },
  place: Where,
): boolean {
  const edits =
    translation.kind === 'translated' ? def.edit(def.value!.replace(/\s+$/, '').length, translation.parts) : undefined;
  if (translation.kind === 'translated' && edits) {
    feed.outcome = 'translated';
    append(plan.edits, edits);
    plan.findings.push(
      finding(
        'KB603',
        `${text.subject} feeds Kaniko flags into the call of ${text.into}; its value here becomes ${text.becomes}: ${JSON.stringify(def.value)} → ${JSON.stringify(translation.text)} (land it together with the switch to the template's BuildKit version)`,
        place,
      ),
    );
    return true;
  }
  const reason = translation.kind === 'refused' ? translation.reason : 'it cannot be edited in place';
  plan.findings.push(
    finding(
      'KB604',
      `${text.subject} feeds Kaniko flags into the call of ${text.into}, and its value here cannot become buildctl arguments: ${reason}`,
      place,
    ),
  );
  return false;
}

const normProject = (project: string) => project.replace(/^\/+|\/+$/g, '').toLowerCase();

/** Does this include entry read the template file (`component:`, or `project:` with `file:` and `ref:`)? */
function includesFile(
  entry: YAMLMap<ParsedNode, ParsedNode>,
  origin: { project: string; ref: string; file: string },
): boolean {
  const str = (key: string) => {
    const n = entry.get(key, true) as ParsedNode | undefined;
    return isScalar(n) && typeof n.value === 'string' ? n.value : undefined;
  };
  const sameRef = (ref: string | undefined) => ref === undefined || ref === '~latest' || ref === origin.ref;
  const component = str('component');
  if (component !== undefined) {
    const c = parseComponent(component);
    return (
      !!c &&
      normProject(c.project) === normProject(origin.project) &&
      sameRef(c.version) &&
      componentFiles(c.name).includes(origin.file)
    );
  }
  const project = str('project');
  if (project === undefined || normProject(project) !== normProject(origin.project) || !sameRef(str('ref')))
    return false;
  const files = entry.get('file', true) as ParsedNode | undefined;
  return (isSeq(files) ? (files.items as ParsedNode[]) : [files]).some(
    (f) => isScalar(f) && typeof f.value === 'string' && f.value.replace(/^\/+/, '') === origin.file,
  );
}
