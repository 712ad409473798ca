/**
 * The real-world corpus (../shared/corpus/real-world): 33 public GitLab CI files that use Kaniko.
 * They are other people's files: read from ../shared, never copied here. Without that folder the suite says so and skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { migrateText } from '../src/index.js';
import { runCli, SHARED } from './helpers.js';
import { findBusybox } from './support/stub-run.js';

const CORPUS = join(SHARED, 'corpus', 'real-world');
const files = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.yml'))
      .sort()
  : [];
const run = files.length ? describe : describe.skip;
if (!files.length) console.warn(`SKIPPED: the real-world corpus is not at ${CORPUS}; the corpus test did not run.`);

interface Row {
  file: string;
  code: number;
  report: {
    jobs: { name: string; status: string; calls: number; flags: { flag: string; manual: boolean }[] }[];
    files: { findings: { code: string; severity: string; message: string }[] }[];
  };
}

run('real-world corpus', () => {
  const rows: Row[] = [];

  beforeAll(async () => {
    for (const file of files) {
      const r = await runCli(['migrate', '--dry-run', '--format', 'json', join(CORPUS, file)]);
      rows.push({ file, code: r.code, report: JSON.parse(r.stdout) });
      if (r.stderr.includes('    at ')) throw new Error(`${file} crashed:\n${r.stderr}`);
    }
  }, 120_000);

  test('no file crashes; each gives a report', () => {
    expect(rows).toHaveLength(files.length);
    for (const row of rows) {
      expect(row.code).toBeLessThanOrEqual(2);
      expect(Array.isArray(row.report.files)).toBe(true);
    }
  });

  test('the script of every migrated job is valid sh (dash, and busybox sh when installed)', async () => {
    const shells = [['sh', '-n'], ...(findBusybox() ? [['busybox', 'sh', '-n']] : [])];
    const dir = mkdtempSync(join(tmpdir(), 'k2b-sh-'));
    const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v.flat(Infinity) : [v]);
    const problems: string[] = [];
    let jobs = 0;
    try {
      for (const file of files) {
        const r = await migrateText(readFileSync(join(CORPUS, file), 'utf8'), { fileName: file });
        if (!r.files[0]!.changed) continue;
        const doc = parse(r.files[0]!.output, { merge: true, maxAliasCount: -1, logLevel: 'error' }) as Record<
          string,
          Record<string, unknown>
        >;
        for (const job of r.jobs.filter((j) => j.status === 'migrated')) {
          jobs++;
          const script = join(dir, 'job.sh');
          writeFileSync(script, [...list(doc[job.name]!.before_script), ...list(doc[job.name]!.script)].join('\n'));
          for (const [cmd, ...args] of shells) {
            const p = spawnSync(cmd!, [...args, script], { encoding: 'utf8' });
            if (p.status !== 0) problems.push(`${file} ${job.name} (${cmd}): ${p.stderr.trim()}`);
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(jobs).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  }, 120_000);

  test('prints migrated and manual Kaniko calls, by flag; more than 95% of the calls migrate', () => {
    // A call is an executor command in a pipeline file. A Kaniko job whose script only runs a script file of its
    // repository (KB203) has no call here: it is counted and listed apart, not as a call.
    let migratedCalls = 0;
    let manualCalls = 0;
    const outside: string[] = [];
    const byFlag = new Map<string, { migrated: number; manual: number; caused: number }>();
    const reasons = new Map<string, number>();
    for (const row of rows) {
      for (const job of row.report.jobs) {
        if (job.status === 'migrated') migratedCalls += job.calls;
        else if (job.status === 'manual' && job.calls > 0) manualCalls += job.calls;
        else if (job.status === 'manual') outside.push(`${row.file} ${job.name}`);
        for (const f of job.flags) {
          const e = byFlag.get(f.flag) ?? { migrated: 0, manual: 0, caused: 0 };
          if (job.status === 'migrated') e.migrated++;
          else e.manual++;
          if (f.manual) e.caused++;
          byFlag.set(f.flag, e);
        }
      }
      for (const f of row.report.files.flatMap((x) => x.findings))
        if (f.severity === 'manual') reasons.set(f.code, (reasons.get(f.code) ?? 0) + 1);
    }
    const share = (100 * migratedCalls) / Math.max(1, migratedCalls + manualCalls);
    const lines = [
      `Real-world corpus: ${files.length} files, ${migratedCalls + manualCalls} Kaniko executor calls in them: ${migratedCalls} migrated without a manual finding, ${manualCalls} left for a person (${share.toFixed(1)}% migrated)`,
      `Kaniko jobs with no executor call in the pipeline file (KB203: a script file of the repository calls it, or the image runs other tools): ${outside.length}, not counted as calls: ${outside.join('; ')}`,
      'flag                               in migrated jobs  in manual jobs  itself needs a person',
      ...[...byFlag]
        .sort((a, b) => b[1].migrated + b[1].manual - a[1].migrated - a[1].manual)
        .map(
          ([flag, e]) =>
            `${flag.padEnd(35)}${String(e.migrated).padStart(16)}${String(e.manual).padStart(16)}${String(e.caused).padStart(23)}`,
        ),
      'manual findings by code: ' + [...reasons].map(([c, n]) => `${c}×${n}`).join(', '),
    ];
    let flagUses = 0;
    let flagManual = 0;
    for (const [flag, e] of byFlag) {
      if (flag.startsWith('(')) continue;
      flagUses += e.migrated + e.manual;
      flagManual += e.caused;
    }
    lines.push(
      `Kaniko flag uses mapped without a manual finding of their own: ${flagUses - flagManual}/${flagUses} (${((100 * (flagUses - flagManual)) / Math.max(1, flagUses)).toFixed(1)}%)`,
    );
    console.log(lines.join('\n'));
    expect(share).toBeGreaterThan(95);
    // Every manual finding names its reason; every job without a call in the file says so (KB203).
    for (const row of rows)
      for (const f of row.report.files.flatMap((x) => x.findings))
        if (f.severity === 'manual') expect(f.message.length).toBeGreaterThan(20);
    for (const o of outside) {
      const [file, ...job] = o.split(' ');
      const findings = rows.find((r) => r.file === file)!.report.files.flatMap((x) => x.findings);
      expect(findings.some((f) => f.code === 'KB203' || f.code === 'KB202')).toBe(true);
      expect(job.length).toBeGreaterThan(0);
    }
  });
});
