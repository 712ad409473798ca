/**
 * The rollout of shared templates in the group report: for each template file, every project's step in this run (the
 * template project's add or remove, each consumer's switch), its state and its merge request or what it waits for.
 * Made of the records alone, so a merge of shard reports shows the same.
 */
import type { ChalkInstance } from 'chalk';
import { cell, code, inline } from '../report/md.js';
import type { RolloutStep } from './rollout.js';

/** What the rollout section is made of: a project's path, its merge request, its steps. */
export interface RolloutRecord {
  path: string;
  mergeRequest: { iid: number; url: string } | null;
  rollout?: RolloutStep[];
}

interface Row {
  project: string;
  step: RolloutStep;
  link?: string;
}

const ORDER: Record<RolloutStep['step'], number> = { add: 1, 'in-place': 1, switch: 2, remove: 3 };
const NAME: Record<RolloutStep['step'], string> = {
  add: 'step 1 add',
  'in-place': 'in place',
  switch: 'step 2 switch',
  remove: 'step 3 remove',
};

function byTemplate(records: readonly RolloutRecord[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of records)
    for (const step of r.rollout ?? []) {
      const rows = out.get(step.template) ?? [];
      rows.push({ project: r.path, step, link: step.state === 'ready' ? r.mergeRequest?.url : undefined });
      out.set(step.template, rows);
    }
  for (const rows of out.values())
    rows.sort((a, b) => ORDER[a.step.step] - ORDER[b.step.step] || (a.project < b.project ? -1 : 1));
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function headline(template: string, rows: readonly Row[]): string {
  const count = (step: RolloutStep['step'], state: RolloutStep['state']) =>
    rows.filter((r) => r.step.step === step && r.step.state === state).length;
  const beside = rows.find((r) => r.step.beside)?.step.beside;
  const parts = [
    `${count('switch', 'ready')} switch now`,
    `${count('switch', 'waiting')} wait`,
    ...(count('remove', 'ready') ? ['the Kaniko version is removed'] : []),
  ];
  return `Rollout of ${template}${beside ? ` (BuildKit version beside it: ${beside})` : ''}: ${parts.join(', ')}`;
}

function what(row: Row): string {
  const s = row.step;
  const detail = s.state === 'waiting' ? s.reason : s.state === 'done' ? 'merged' : (row.link ?? s.reason ?? 'ready');
  return `${s.state}${detail ? `: ${detail}` : ''}`;
}

export function rolloutText(records: readonly RolloutRecord[], c: ChalkInstance): string {
  const lines: string[] = [];
  for (const [template, rows] of byTemplate(records)) {
    lines.push(c.bold(headline(template, rows)));
    const width = rows.reduce((w, r) => Math.max(w, r.project.length), 0);
    for (const r of rows) lines.push(`  ${NAME[r.step.step].padEnd(13)}  ${r.project.padEnd(width)}  ${what(r)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function rolloutSection(records: readonly RolloutRecord[]): string {
  const out: string[] = [];
  for (const [template, rows] of byTemplate(records)) {
    if (!out.length) out.push('## Rollout without a flag day', '');
    out.push(`- ${inline(headline(template, rows))}`, '', '| Step | Project | State |', '|---|---|---|');
    for (const r of rows) out.push(`| ${NAME[r.step.step]} | ${cell(code(r.project))} | ${cell(inline(what(r)))} |`);
    out.push('');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
