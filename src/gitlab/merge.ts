/**
 * `report merge`: the shard reports of one run (`gitlab --shard I/N --format json`, one per shard) joined into the
 * report of the whole run. Each report's projects are self-contained records (`ProjectRecord`); the union of them
 * goes through the same functions as a live run (`gitlabBody`, `gitlabMarkdown`, `gitlabText`), so the merged report
 * is what one run over the whole group prints (with `shard: null`).
 *
 * Refused (a `MergeError`, naming the files): a file that is not such a report, reports of different runs (another
 * `url`, `group`, `mode` or `branch`, or another shard count), a shard given twice, a project in two reports.
 * Missing shards are a warning: the merge is made of what there is.
 */
import { PROJECT_STATUSES } from '../bulk/outcome.js';
import { REPORT_KIND, type GitLabJson, type ProjectRecord, type RunInfo } from './report.js';
import type { Shard } from './shard.js';

export class MergeError extends Error {}

export interface ReportInput {
  /** The file name, as given (for messages). */
  file: string;
  text: string;
}

export interface Merged {
  info: RunInfo;
  records: ProjectRecord[];
  /** Shards (1-based) that no report covers, when the reports are shards; else empty. */
  missingShards: number[];
  /** N of the shards, or null when the reports were no shards. */
  total: number | null;
}

const OUTCOMES = new Set(['planned', 'opened', 'updated', 'waiting', 'skipped', 'failed']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nullable = (v: unknown, type: string) => v === null || typeof v === type;

/** What is wrong with one record, or undefined. */
function badRecord(p: unknown): string | undefined {
  if (!isObject(p)) return 'not an object';
  if (typeof p.id !== 'number' || typeof p.path !== 'string') return 'no id or path';
  if (!PROJECT_STATUSES.includes(p.status as never)) return `status ${JSON.stringify(p.status)}`;
  if (!OUTCOMES.has(p.outcome as string)) return `outcome ${JSON.stringify(p.outcome)}`;
  if (!nullable(p.webUrl, 'string') || !nullable(p.reason, 'string') || !nullable(p.commit, 'string'))
    return 'webUrl, reason or commit of the wrong type';
  if (p.mergeRequest !== null && !(isObject(p.mergeRequest) && typeof p.mergeRequest.url === 'string'))
    return 'mergeRequest of the wrong type';
  if (
    typeof p.withKaniko !== 'boolean' ||
    !Array.isArray(p.files) ||
    !Array.isArray(p.jobs) ||
    !Array.isArray(p.errors)
  )
    return 'no per-project report (withKaniko, files, jobs, errors): written by an older kaniko2buildkit? run it again';
  for (const f of p.files as unknown[])
    if (!isObject(f) || typeof f.path !== 'string' || typeof f.changed !== 'boolean' || !Array.isArray(f.findings))
      return 'a file entry of the wrong shape';
  const findings = [...(p.files as { findings: unknown[] }[]).flatMap((f) => f.findings), ...(p.errors as unknown[])];
  for (const x of findings)
    if (!isObject(x) || typeof x.path !== 'string' || !Array.isArray(x.job))
      return 'a finding without its path or list of jobs: written by an older kaniko2buildkit? run it again';
  return undefined;
}

/** One report, checked: a `gitlab --format json` report whose projects are all records. */
export function readReport({ file, text }: ReportInput): GitLabJson {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new MergeError(`${file}: not a JSON report: ${(e as Error).message}`);
  }
  if (!isObject(body) || body.kind !== REPORT_KIND)
    throw new MergeError(
      `${file}: not a report of \`kaniko2buildkit gitlab --format json\` (kind ${JSON.stringify(isObject(body) ? body.kind : undefined)})`,
    );
  if (typeof body.url !== 'string' || !nullable(body.group, 'string') || typeof body.branch !== 'string')
    throw new MergeError(`${file}: url, group or branch missing`);
  if (body.mode !== 'dry-run' && body.mode !== 'apply')
    throw new MergeError(`${file}: mode ${JSON.stringify(body.mode)}`);
  const shard = body.shard;
  if (
    shard !== undefined &&
    shard !== null &&
    !(
      isObject(shard) &&
      Number.isInteger(shard.index) &&
      Number.isInteger(shard.total) &&
      (shard.index as number) >= 1 &&
      (shard.index as number) <= (shard.total as number)
    )
  )
    throw new MergeError(`${file}: shard ${JSON.stringify(shard)} is not {index, total} with 1 ≤ index ≤ total`);
  if (!Array.isArray(body.projects)) throw new MergeError(`${file}: no projects list`);
  body.projects.forEach((p: unknown, i) => {
    const bad = badRecord(p);
    if (bad) throw new MergeError(`${file}: project ${i + 1}: ${bad}`);
  });
  return { ...(body as unknown as GitLabJson), shard: (shard as Shard | undefined) ?? null };
}

const RUN_FIELDS = ['url', 'group', 'mode', 'branch'] as const;

export function mergeReports(inputs: readonly ReportInput[]): Merged {
  if (!inputs.length) throw new MergeError('no report to merge');
  const reports = inputs.map((input) => ({ file: input.file, body: readReport(input) }));
  const first = reports[0]!;
  for (const r of reports.slice(1))
    for (const field of RUN_FIELDS)
      if (r.body[field] !== first.body[field])
        throw new MergeError(
          `${r.file}: another run: ${field} ${JSON.stringify(r.body[field])}, where ${first.file} has ${JSON.stringify(first.body[field])}`,
        );

  // shards: all of one N, each index once; or no shards at all
  const sharded = reports.filter((r) => r.body.shard);
  const whole = reports.find((r) => !r.body.shard);
  if (sharded.length && whole)
    throw new MergeError(
      `${whole.file} is a whole run (no --shard), ${sharded[0]!.file} is shard ${sharded[0]!.body.shard!.index}/${sharded[0]!.body.shard!.total}: merge shard reports of one run`,
    );
  let total: number | null = null;
  const seen = new Map<number, string>();
  for (const r of sharded) {
    const s = r.body.shard!;
    total ??= s.total;
    if (s.total !== total)
      throw new MergeError(
        `${r.file}: shard ${s.index}/${s.total}, where ${sharded[0]!.file} is one of ${total}: another run`,
      );
    const other = seen.get(s.index);
    if (other !== undefined) throw new MergeError(`shard ${s.index}/${s.total} is given twice: ${other} and ${r.file}`);
    seen.set(s.index, r.file);
  }
  const missingShards = total === null ? [] : [...Array(total).keys()].map((i) => i + 1).filter((i) => !seen.has(i));

  // projects: each in one report only (by id; by path too, for a project known only by its path)
  const owner = new Map<string, string>();
  const records: ProjectRecord[] = [];
  for (const r of reports)
    for (const p of r.body.projects) {
      for (const key of [...(p.id > 0 ? [`id ${p.id}`] : []), `path ${p.path.toLowerCase()}`]) {
        const other = owner.get(key);
        if (other !== undefined)
          throw new MergeError(
            `project ${p.path}${p.id > 0 ? ` (id ${p.id})` : ''} is in two reports: ${other} and ${r.file}`,
          );
        owner.set(key, r.file);
      }
      records.push(p);
    }

  const b = first.body;
  const info: RunInfo = { url: b.url, group: b.group ?? undefined, mode: b.mode, branch: b.branch };
  return { info, records, missingShards, total };
}
