/**
 * The Markdown report, fit for a merge request description: what changed (files and jobs), what needs a person
 * (errors and `manual` findings, each code explained once with what to do), warnings, notes, and the diff collapsed
 * in `<details>` when the report carries the texts. The GitLab bulk mode uses `markdownReport` as is.
 */
import { Chalk } from 'chalk';
import { jobNames } from '../findings/merge.js';
import { codeDoc } from '../findings/registry.js';
import type { Finding, Severity } from '../findings/types.js';
import { unifiedDiff } from './diff.js';
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
    ? `Kaniko jobs: ${jobCounts(s, (n) => `**${n}**`)}, **${s.manual}** left for a person${s.unchanged ? `, ${s.unchanged} unchanged` : ''}`
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
  const body = files.map((f) => unifiedDiff(f.path, f.original, f.output, plain)).join('\n');
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

export function markdownReport(report: RunReport): string {
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
    ...needs,
    ...listed('Warnings', of('warning'), false),
    ...listed(`Notes (${of('info').length})`, of('info'), true),
    ...diffs(report),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
