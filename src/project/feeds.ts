/**
 * A project that includes another project's Kaniko template and sets the variables its call passes on as flags
 * (`KANIKO_EXTRA_ARGS: "--build-arg NODE_ENV=production --target runtime"`): the template's BuildKit version passes the
 * same variable to buildctl, so this project's values must become buildctl arguments in the same change that switches
 * its include. Each value this project's own files set, for a job built from such a template, is translated through
 * the flag table (KB603), or reported when it cannot be (KB604).
 */
import { finding } from '../findings/finding.js';
import type { Finding } from '../findings/types.js';
import type { PlanEnv } from '../kaniko/context.js';
import { nodeKey, type Pipeline } from '../pipeline/jobs.js';
import { positionIn } from '../pipeline/source.js';
import type { TextEdit } from '../text/edits.js';
import { roleText, translateFlagValue } from '../job/arg-variables.js';
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
    for (const job of users) {
      for (const { name: variable, role } of t.passThrough) {
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
              : translateFlagValue(value, env, role);
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
        if (translation.kind === 'translated') {
          const end = value!.replace(/\s+$/, '').length;
          const edits = def.edit(end, translation.parts);
          if (edits) {
            feed.outcome = 'translated';
            plan.edits.push(...edits);
            plan.owners.add(job);
            plan.findings.push(
              finding(
                'KB603',
                `$${variable} feeds Kaniko flags into the call of ${into}; its value here becomes ${role === 'inline' ? '' : roleText(role)}: ${JSON.stringify(value)} → ${JSON.stringify(translation.text)} (land it together with the switch to the template's BuildKit version)`,
                place,
              ),
            );
            continue;
          }
        }
        const reason = translation.kind === 'refused' ? translation.reason : 'it cannot be edited in place';
        plan.findings.push(
          finding(
            'KB604',
            `$${variable} feeds Kaniko flags into the call of ${into}, and its value here cannot become buildctl arguments: ${reason}`,
            place,
          ),
        );
      }
    }
  }
  return plan;
}
