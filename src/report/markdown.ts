/**
 * The Markdown report, fit for a merge request description: what changed (files and jobs; what would change when
 * nothing was written), for a merge request links to the changed lines on its source branch, what the runners need
 * once migrated jobs run (when a job is migrated), what needs a person (errors and `manual` findings, each code
 * explained once with what to do), warnings, notes, and the diff collapsed in `<details>` when the report carries
 * the texts. The GitLab bulk mode uses `markdownReport` as is; a merge request's description is `gitlab/run.ts`
 * `mergeRequestDescription`.
 */
import { Chalk } from 'chalk';
import { APPARMOR_TOML, DOCKER_SECURITY_OPT } from '../findings/codes/kb8-doctor.js';
import { jobNames } from '../findings/merge.js';
import { codeDoc, requireCode } from '../findings/registry.js';
import type { Code, Finding, Severity } from '../findings/types.js';
import { BUILDKITD_FLAGS, NO_PROCESS_SANDBOX } from '../job/variables.js';
import { changedLines, unifiedDiff, type LineRange } from './diff.js';
import { cell, code, fenced, inline } from './md.js';
import { allFindings, summarise, type RunReport, type Summary } from './model.js';
import { jobCounts, statusText, summaryRows } from './status.js';

const plain = new Chalk({ level: 0 });

function where(f: Finding): string {
  return code(f.line ? `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}` : f.file);
}

function item(f: Finding, withCode: boolean): string {
  const names = jobNames(f);
  const job = names.length ? ` · job ${names.map(code).join(', ')}` : '';
  return `- ${where(f)}${withCode ? ` · ${code(f.code)}` : ''}${job} · ${inline(f.message)}`;
}

/** Changed files: written ones `changed`, the others (a dry run, a check, a refused write) `would change`. */
function fileCounts(s: Summary): string {
  const pending = s.changed - s.written;
  if (!pending) return `**${s.written}** of ${s.files} file(s) changed`;
  if (!s.written) return `**${pending}** of ${s.files} file(s) would change`;
  return `**${s.written}** of ${s.files} file(s) changed, **${pending}** would change (not written)`;
}

function headline(report: RunReport): string {
  const s = summarise(report);
  const jobs = s.kanikoJobs
    ? `Kaniko jobs: ${jobCounts(s, (n) => `**${n}**`)}, **${s.manual}** left for a person${s.transition ? `, **${s.transition}** in transition` : ''}${s.unchanged ? `, ${s.unchanged} unchanged` : ''}`
    : 'no Kaniko job found';
  const f = s.findings;
  return `${fileCounts(s)} · ${jobs} · findings: ${f.error} error, ${f.manual} manual, ${f.warning} warning, ${f.info} info`;
}

function changes(report: RunReport): string[] {
  const rows = summaryRows(report);
  const s = summarise(report);
  const out = [s.changed && !s.written ? '### What would change' : '### What changed', ''];
  if (!report.files.some((f) => f.changed)) out.push('Nothing changes.', '');
  if (!rows.length) return out;
  out.push('| File | Job | Status | Error | Manual | Warning | Info |', '|---|---|---|--:|--:|--:|--:|');
  for (const r of rows) {
    const n = r.findings;
    out.push(
      `| ${r.job === null ? cell(code(r.file)) : ''} | ${r.job === null ? '' : cell(code(r.job))} | ${statusText(r)} | ${n.error} | ${n.manual} | ${n.warning} | ${n.info} |`,
    );
  }
  out.push('');
  return out;
}

/** Findings of the given severities grouped by code, each code's `explain` text given once in the whole report. */
function explained(title: string, findings: Finding[], done: Set<string>): string[] {
  if (!findings.length) return [];
  const out = [`### ${title}`, ''];
  const codes = [...new Set(findings.map((f) => f.code))];
  for (const c of codes) {
    const doc = codeDoc(c);
    out.push(`#### ${code(c)}${doc ? ` ${doc.title}` : ''}`, '');
    for (const f of findings.filter((x) => x.code === c)) out.push(item(f, false));
    out.push('');
    if (doc && !done.has(c)) {
      done.add(c);
      out.push(`**Why:** ${doc.explanation}`, '', `**What to do:** ${doc.todo}`, '');
    }
  }
  return out;
}

function listed(title: string, findings: Finding[], collapsed: boolean): string[] {
  if (!findings.length) return [];
  const items = findings.map((f) => item(f, true));
  const hint = 'Run `kaniko2buildkit explain CODE` for what a code means and what to do.';
  if (!collapsed) return [`### ${title}`, '', ...items, '', hint, ''];
  return ['<details>', `<summary>${title}</summary>`, '', ...items, '', '</details>', ''];
}

function diffs(report: RunReport): string[] {
  const files = report.files.filter((f) => f.changed && f.original !== f.output);
  if (!files.length) return [];
  const body = files.map((f) => unifiedDiff(f.path, f.original, f.output, plain, f.edits)).join('\n');
  return [
    '<details>',
    `<summary>Diff (${files.length} file${files.length === 1 ? '' : 's'})</summary>`,
    '',
    fenced('diff', body),
    '',
    '</details>',
    '',
  ];
}

/**
 * What a migrated job needs of the runner it runs on, which Kaniko did not: after the merge it fails on a runner
 * without it. Each point names the doctor code (KB8xx) that diagnoses the failure, with its title, and the setting
 * that avoids it (the same text `explain` and `runner-config` use).
 */
function runners(): string[] {
  const fails = (c: Code) => `${code(c)} ${inline(requireCode(c).title)}.`;
  return [
    '### After the merge: what the runners need',
    '',
    'The migrated jobs run rootless BuildKit, which needs more of the runner than Kaniko did. What fails, and how to avoid it:',
    '',
    `- **Kubernetes executor**: ${fails('KB801')} Add the pod annotation to the runner's ${code('config.toml')} (${code('kaniko2buildkit runner-config config.toml')} does, in a Helm ${code('values.yaml')} too):`,
    '',
    ...fenced('toml', APPARMOR_TOML.join('\n'))
      .split('\n')
      .map((l) => `  ${l}`),
    '',
    `- **Docker executor**: ${fails('KB808')} Set ${code(DOCKER_SECURITY_OPT)} under ${code('[runners.docker]')}.`,
    `- **Every migrated job**: ${fails('KB803')} The migration sets ${code(`${BUILDKITD_FLAGS}: ${NO_PROCESS_SANDBOX}`)} in its variables: keep it.`,
    '',
    `A job that fails all the same: ${code('kaniko2buildkit doctor job.log')} explains its log.`,
    '',
  ];
}

/** Where the merge request's changes are: its project's web URL and source branch. */
export interface MergeRequestLinks {
  webUrl: string;
  branch: string;
}

/** `a/b c` → `a/b%20c`: each segment of a path or branch encoded (brackets too: a Markdown link), the slashes kept. */
const segments = (path: string) =>
  path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[()!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');

function lineLink(links: MergeRequestLinks, path: string, r: LineRange): string {
  const anchor = r.end > r.start ? `L${r.start}-${r.end}` : `L${r.start}`;
  const text = r.end > r.start ? `${r.start}–${r.end}` : `${r.start}`;
  return `[${text}](${links.webUrl.replace(/\/+$/, '')}/-/blob/${segments(links.branch)}/${segments(path)}#${anchor})`;
}

/** Each changed file with links to its changed lines on the merge request's source branch. */
function changedLinesSection(report: RunReport, links: MergeRequestLinks): string[] {
  const files = report.files.filter((f) => f.changed && f.original !== f.output);
  if (!files.length) return [];
  const out = [`### Changed lines on ${code(links.branch)}`, ''];
  for (const f of files) {
    const ranges = changedLines(f.original, f.output, f.edits);
    out.push(`- ${code(f.path)}: lines ${ranges.map((r) => lineLink(links, f.path, r)).join(', ')}`);
  }
  out.push('');
  return out;
}

export interface MarkdownOptions {
  /** The report is a merge request's description: link each changed line on its source branch. */
  mergeRequest?: MergeRequestLinks;
}

export function markdownReport(report: RunReport, opts: MarkdownOptions = {}): string {
  const all = allFindings(report);
  const of = (s: Severity) => all.filter((f) => f.severity === s);
  const done = new Set<string>();
  const needs = [
    ...explained('Errors: fix these first', of('error'), done),
    ...explained('Needs a person', of('manual'), done),
  ];
  const lines = [
    '## Kaniko → rootless BuildKit',
    '',
    headline(report),
    '',
    ...changes(report),
    ...(opts.mergeRequest ? changedLinesSection(report, opts.mergeRequest) : []),
    ...(summarise(report).migrated ? runners() : []),
    ...needs,
    ...listed('Warnings', of('warning'), false),
    ...listed(`Notes (${of('info').length})`, of('info'), true),
    ...diffs(report),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
