/**
 * The group graph: for every other project's template file that holds Kaniko jobs, the projects that build through it
 * (at which ref), which of them feed Kaniko flags into its call through variables, and what each must change. It is
 * made from the per-project results alone (their `jobs[].template`, `feeds` and `templates`), so a sharded run's
 * reports give the same graph once merged.
 */
import { printable } from '../text/printable.js';
import type { ChalkInstance } from 'chalk';
import type { Feed } from '../project/feeds.js';
import type { TemplateSummary } from '../project/plan.js';
import { cell, code, inline } from '../report/md.js';
import type { ProjectStatus } from './outcome.js';

export interface GraphConsumer {
  project: string;
  status: ProjectStatus;
  /** The jobs that build through the template. */
  jobs: string[];
  /** Variables that feed Kaniko flags into the template's call, where they are set, and what became of each. */
  feeds: { variable: string; file: string; line: number; outcome: 'translated' | 'refused' }[];
}

export interface GraphTemplate {
  /** `group/templates:ci/kaniko.yml@main` */
  template: string;
  project: string;
  file: string;
  ref: string;
  kanikoJobs: number;
  manualJobs: number;
  /** Text edits the template's own migration makes. */
  changes: number;
  /** Sorted by project path. */
  consumers: GraphConsumer[];
}

/** Splits a label `project:file@ref` (the last `@` and the first `:` after the project's path). */
export function splitLabel(label: string): { project: string; file: string; ref: string } {
  const at = label.lastIndexOf('@');
  const head = at > 0 ? label.slice(0, at) : label;
  const colon = head.indexOf(':');
  return {
    project: colon > 0 ? head.slice(0, colon) : head,
    file: colon > 0 ? head.slice(colon + 1) : '',
    ref: at > 0 ? label.slice(at + 1) : '',
  };
}

/** What the graph needs of one project: its jobs (those built through a template name it), feeds and templates. */
export interface GraphInput {
  project: string;
  status: ProjectStatus;
  jobs?: readonly { name: string; template?: string }[];
  feeds?: readonly Feed[];
  templates?: readonly TemplateSummary[];
}

export function groupGraph(projects: readonly GraphInput[]): GraphTemplate[] {
  const byLabel = new Map<string, GraphTemplate>();
  const node = (label: string, summary?: TemplateSummary): GraphTemplate => {
    let t = byLabel.get(label);
    if (!t) {
      const { project, file, ref } = splitLabel(label);
      t = { template: label, project, file, ref, kanikoJobs: 0, manualJobs: 0, changes: 0, consumers: [] };
      byLabel.set(label, t);
    }
    if (summary)
      Object.assign(t, { kanikoJobs: summary.kanikoJobs, manualJobs: summary.manualJobs, changes: summary.changes });
    return t;
  };
  for (const r of projects) {
    const p = r;
    const summaries = new Map((r.templates ?? []).map((s) => [s.file, s]));
    const mine = new Map<string, GraphConsumer>();
    const consumer = (label: string) => {
      let c = mine.get(label);
      if (!c) {
        c = { project: p.project, status: p.status, jobs: [], feeds: [] };
        mine.set(label, c);
        node(label, summaries.get(label)).consumers.push(c);
      }
      return c;
    };
    for (const j of r.jobs ?? []) if (j.template) consumer(j.template).jobs.push(j.name);
    for (const f of r.feeds ?? [])
      consumer(f.template).feeds.push({ variable: f.variable, file: f.file, line: f.line, outcome: f.outcome });
  }
  const out = [...byLabel.values()].filter((t) => t.kanikoJobs > 0 || t.consumers.length);
  for (const t of out) {
    t.consumers.sort((a, b) => (a.project < b.project ? -1 : a.project > b.project ? 1 : 0));
    for (const c of t.consumers) c.jobs.sort();
  }
  return out.sort((a, b) => b.consumers.length - a.consumers.length || (a.template < b.template ? -1 : 1));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "37 projects build with Kaniko through `group/t:k.yml@main`: migrate that file (1 change) and 12 consumers' variables" */
export function graphLine(t: GraphTemplate): string {
  const feeding = t.consumers.filter((c) => c.feeds.length).length;
  const what =
    t.changes > 0
      ? `migrate that file (${plural(t.changes, 'change')})`
      : t.manualJobs
        ? `migrate that file by hand (${plural(t.manualJobs, 'job')} left for a person)`
        : 'that file has nothing to change';
  const feeds = feeding ? ` and ${plural(feeding, "consumer's variables", "consumers' variables")}` : '';
  return `${plural(t.consumers.length, 'project builds', 'projects build')} with Kaniko through ${t.template}: ${what}${feeds}`;
}

function consumerText(c: GraphConsumer): string {
  if (!c.feeds.length) return 'nothing to change of its own (switch the include when the BuildKit version is there)';
  return c.feeds
    .map(
      (f) =>
        `$${f.variable} (${f.file}:${f.line}) ${f.outcome === 'translated' ? 'translated to buildctl arguments' : 'needs a person'}`,
    )
    .join('; ');
}

export function graphText(graph: readonly GraphTemplate[], c: ChalkInstance): string {
  if (!graph.length) return '';
  const lines: string[] = [];
  for (const t of graph) {
    lines.push(c.bold(graphLine(t)));
    const width = t.consumers.reduce((w, x) => Math.max(w, x.project.length), 0);
    for (const x of t.consumers) lines.push(`  ${printable(x.project.padEnd(width))}  ${consumerText(x)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function graphMarkdown(graph: readonly GraphTemplate[]): string {
  if (!graph.length) return '';
  const out = ['## Templates shared across projects', ''];
  for (const t of graph) {
    out.push(`- ${inline(graphLine(t))}`, '');
    if (!t.consumers.length) continue;
    out.push('| Project | Jobs | Its own change |', '|---|---|---|');
    for (const x of t.consumers)
      out.push(`| ${cell(code(x.project))} | ${cell(x.jobs.join(', '))} | ${cell(inline(consumerText(x)))} |`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
