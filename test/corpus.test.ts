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
import { cloudRegistry, refHost } from '../src/job/auth.js';
import { Pipeline } from '../src/pipeline/jobs.js';
import { parseSource } from '../src/pipeline/source.js';
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

  test('every registry a migrated job pushes to has credentials, a helper, or a finding that says it has none', async () => {
    // Kaniko logged in to $CI_REGISTRY (its GitLab helper) and to ECR/GCR/ACR (its keychains) by itself; buildctl
    // does neither. Each ref a migrated job pushes or caches to (--destination, --cache-repo in its original script or
    // variables) must reach a host the migrated job has credentials for: a config.json write naming it (the
    // $CI_REGISTRY login for $CI_REGISTRY* refs), a credential helper put on PATH and named for it, or a finding of
    // the job that says it has none (KB410 naming the ref, KB505 a part nobody can read, KB405 DOCKER_AUTH_CONFIG kept).
    const lost: string[] = [];
    const open: string[] = [];
    let refs = 0;
    const scalar = (v: unknown) => (v && typeof v === 'object' && 'value' in v ? String(v.value) : undefined);
    for (const file of files) {
      const r = await migrateText(readFileSync(join(CORPUS, file), 'utf8'), { fileName: file });
      const before = new Pipeline(r.files.map((f) => parseSource(f.path, f.original)));
      const after = new Pipeline(r.files.map((f) => parseSource(f.path, f.output)));
      const findings = r.files.flatMap((f) => f.findings);
      const items = (p: Pipeline, job: string) =>
        (['before_script', 'script'] as const).flatMap((k) => p.scriptItems(job, k).map((i) => String(i.node.value)));
      for (const job of r.jobs.filter((j) => j.status === 'migrated')) {
        const vars = before.variables(job.name);
        const variable = (v: string) => {
          const loc = vars.get(v);
          return loc ? scalar(before.deref(loc).node) : undefined;
        };
        // Comment lines are not calls (`# kaniko's --destination argument:`).
        const original = [...items(before, job.name), ...[...vars.keys()].map((v) => variable(v) ?? '')]
          .join('\n')
          .replace(/^\s*#.*$/gm, '');
        // `for DEST in $LIST; do echo "--destination $DEST"; done`: the refs are the list's words.
        const loops = new Map(
          [...original.matchAll(/\bfor (\w+) in ([^;\n]+)[;\n]/g)].map((m) => [m[1]!, m[2]!.trim()]),
        );
        const originalWrites = items(before, job.name).filter((i) => /config\.json/.test(i));
        const migrated = items(after, job.name);
        const writes = migrated.filter(
          (i) => /config\.json/.test(i) && /(>|\btee\b|\bcp\b|\bmv\b|\binstall\b)/.test(i),
        );
        const mine = findings.filter((f) => f.job?.split(', ').includes(job.name));
        const says = (code: string, text?: string) =>
          mine.some((f) => f.code === code && (text === undefined || f.message.includes(text)));
        const opaque = says('KB505') || says('KB405', 'kept');
        const pushed = /--(?:destination|cache-repo)(?:=|\s+)("[^"]*"|'[^']*'|[^\s"';]+)/g;
        const found = [...original.matchAll(pushed)].map((m) => m[1]!.replace(/^(["'])(.*)\1$/, '$2'));
        for (const ref of found.flatMap((r) => loops.get(r.replace(/^\$\{?(\w+)\}?$/, '$1'))?.split(/\s+/) ?? [r])) {
          const h = refHost(ref, variable);
          refs++;
          let ok: boolean;
          if (!h) ok = writes.some((w) => /\$\{?CI_REGISTRY\b/.test(w));
          else if ('unknown' in h) {
            const name = h.unknown.replace(/^\$\{?|\}$/g, '');
            ok = says('KB410', ref) || writes.some((w) => new RegExp(`\\$\\{?${name}\\b`).test(w));
          } else {
            const host = h.host;
            // A registry the Kaniko job had no login for either (no config naming it, not $CI_REGISTRY, not a cloud
            // registry its keychains served): nothing to lose; counted apart.
            if (!cloudRegistry(host) && !originalWrites.some((w) => w.toLowerCase().includes(host))) {
              open.push(`${file} ${job.name}: ${host}`);
              continue;
            }
            const names = host === 'docker.io' ? [host, 'index.docker.io'] : [host];
            const helper = writes.some((w) => /credHelpers/.test(w) && w.includes(host));
            const onPath = migrated.some((i) => /docker-credential-ecr-login/.test(i) && /PATH=/.test(i));
            ok =
              writes.some((w) => names.some((n) => w.toLowerCase().includes(n))) ||
              (helper && onPath) ||
              mine.some((f) => f.message.includes(host));
          }
          if (!ok && !opaque)
            lost.push(`${file} ${job.name}: ${ref} (${h ? ('host' in h ? h.host : h.unknown) : '$CI_REGISTRY'})`);
        }
      }
    }
    console.log(
      `Registry refs pushed or cached to by migrated corpus jobs: ${refs}; with no login in the Kaniko job either: ${open.length ? open.join('; ') : 'none'}`,
    );
    expect(refs).toBeGreaterThan(50);
    expect(lost).toEqual([]);
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
