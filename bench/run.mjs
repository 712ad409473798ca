/**
 * `npm run bench`: the performance targets of issues 6 and 16, measured in one run on this machine, on the built dist/.
 *
 *   node bench/run.mjs [--sizes=100,1000,10000] [--bulk=200|--no-bulk] [--gitlab=2000|--no-gitlab]
 *                      [--gitlab-latency=20] [--gitlab-concurrency=4] [--no-profile] [--json=FILE]
 *                      [--no-processes] [--pairs=5] [--jobs=10000] [--no-big] [--big-pairs=N] [--repos=1000|--no-repos]
 *                      [--profile-processes=1] [--markdown[=FILE]] [--no-shapes] [--shape-pairs=3]
 *
 * The library, in this process (issue 6):
 * - migrate time per file, as a ratio to one yaml `parseDocument` of the same text (target ≤ 1.5×): the real-world
 *   corpus (the 33 public GitLab CI files that test/corpus.test.ts reads: not part of this repository, looked for in
 *   shared/corpus/real-world beside the checkout, skipped with a message when absent) and generated pipelines;
 * - growth: 10× the jobs costs at most 12× the time;
 * - peak memory (maxRSS of a fresh process, median of three) of migrating the largest pipeline, as a ratio to
 *   parseDocument (≤ 1.5×);
 * The CLI as users run it, whole processes (issue 16; bench/processes.mjs: paired rounds A B A B …, a ratio per
 * round, the median of at least --pairs rounds; CPU time and peak memory from /usr/bin/time); --no-processes skips them:
 * - `migrate --check` and `--dry-run` of a --jobs-job pipeline, generate.mjs's and the denser one (every 4th job a
 *   Kaniko build with --cache=true), against a process that only runs `parseDocument` on the file (bench/parse.mjs):
 *   time ≤ 1.0×, peak memory ≤ 1.2×; growth of `--dry-run` from a tenth of the jobs: ≤ 10× the time;
 * - issue 18's shapes (bench/generate.mjs; --no-shapes skips them): jobs as GitLab documents them (every 4th a Kaniko
 *   build, `--context $CI_PROJECT_DIR`), 2,000 → 20,000, with `--check` and `--dry-run`; 100 → 1,000 included local
 *   files; a chain of 100 → 1,000 local includes; 2,000 → 20,000 jobs extending one template; 4,000 → 40,000 jobs
 *   with `<<: *d`; each `--check` (the work of a write, without writing) at n and 10n in --shape-pairs paired rounds:
 *   ≤ 10× the time for 10× the jobs;
 * - start-up: `--version` ≤ 1.3× and `migrate --dry-run examples/shop` ≤ 2.0× `node -e 0`;
 * - a pipeline of about 10 MiB (generate.mjs's shape, within the size limit of src/pipeline/fs-source.ts; --no-big
 *   skips it): `--dry-run` under 5× one parseDocument process, peak memory under 1 GiB;
 * - `migrate --recursive --dry-run` over --repos generated repositories (workloads/repos.ts): repositories per second,
 *   CPU use (user + sys ÷ wall: 2.0 is both cores busy; ≥ 1.6), and the share of the run that printing the report
 *   takes (the run against the same run with --quiet; informational);
 * - `benchBulk` of workloads/bulk.ts through bench/bulk.ts, when that file is there (repositories per second;
 *   informational);
 * - `benchGitLab` of workloads/gitlab-bench.ts through bench/gitlab.ts: the CLI's `gitlab` audit of a 2,000-project
 *   group served by the GitLab stand-in (in this process) with 20 ms added per API call, as the share of the bound
 *   `calls × latency ÷ concurrency` it reaches (≥ 90 %), with the most calls the stand-in saw in flight at once.
 * Where a time target is missed, the largest generated case that missed is run again under `--cpu-prof` and the
 * profile summarised; so is the CLI of the whole-process rows that missed most (--profile-processes of them, run
 * unbundled through bench/cli-main.mjs so that the profile has the functions' names), and the CLI of the GitLab
 * audit when its share is missed. --markdown prints the table as Markdown at the end (=FILE: writes it there), for
 * the README.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import {
  generateDensePipeline,
  generateDocumentedPipeline,
  generateExtendsOne,
  generateIncludeChain,
  generateManyIncludes,
  generateMergeKeys,
  generatePipeline,
  writeRepo,
} from './generate.mjs';
import { median, pairedMedian, rounds, TIME } from './processes.mjs';
import { summarizeProfile } from './profile.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const opt = (name, fallback) => {
  const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  return a === undefined ? fallback : a.includes('=') ? a.slice(a.indexOf('=') + 1) : true;
};
const SIZES = String(opt('sizes', '100,1000,10000')).split(',').map(Number);
const BULK = opt('no-bulk', false) ? 0 : Number(opt('bulk', 200));
const GITLAB = opt('no-gitlab', false) ? 0 : Number(opt('gitlab', 2000));
const GITLAB_LATENCY = Number(opt('gitlab-latency', 20));
const PROFILE = !opt('no-profile', false);
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'real-world');
const CLI = join(ROOT, 'bin', 'kaniko2buildkit.js');
const PARSE = join(ROOT, 'bench', 'parse.mjs');
const PROCESSES = !opt('no-processes', false);
const PAIRS = Math.max(1, Number(opt('pairs', 5)));
const JOBS = Number(opt('jobs', 10_000));
const BIG = !opt('no-big', false);
const BIG_PAIRS = Math.max(1, Number(opt('big-pairs', PAIRS)));
const REPOS = opt('no-repos', false) ? 0 : Number(opt('repos', 1000));
const PROFILE_PROCESSES = Number(opt('profile-processes', 1));
const SHAPES = !opt('no-shapes', false);
const SHAPE_PAIRS = Math.max(1, Number(opt('shape-pairs', 3)));
/** The size limit of a pipeline file (src/pipeline/fs-source.ts MAX_FILE_BYTES). */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (npm run bench does).');
  process.exit(2);
}
const { migrateText } = await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href);

const work = mkdtempSync(join(tmpdir(), 'k2b-bench-'));
const rows = [];
const notes = [];
const fmtMs = (ms) => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`);
const ratio = (x) => `${x.toFixed(2)}×`;
/** A result row: PASS when `value` is at most `limit` (at least, with `atLeast`); info without a value. */
function row(metric, measured, target, value, limit, atLeast = false) {
  const result = value === undefined ? 'info' : (atLeast ? value >= limit : value <= limit) ? 'PASS' : 'MISS';
  rows.push({ metric, measured, target, result, value, limit, ...(atLeast ? { atLeast } : {}) });
  console.error(`  ${result.padEnd(4)} ${metric}: ${measured}`);
}

/** Median time of `fn` after a warm-up, repeated until `minMs` of runs (at least `minRuns`). */
async function timeIt(fn, { minRuns = 3, minMs = 1500, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < minMs) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
    if (times.length >= 200) break;
  }
  return median(times);
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const loadAtStart = load();
console.error(
  `bench: machine ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, ${platform()} ${release()}, Node ${process.version}; load average ${loadAtStart}`,
);

// --- 1. migrate vs parseDocument: the corpus --------------------------------------------------------------------------
if (existsSync(CORPUS)) {
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  let parseTotal = 0;
  let migrateTotal = 0;
  const ratios = [];
  for (const f of files) {
    const text = readFileSync(join(CORPUS, f), 'utf8');
    const p = await timeIt(() => parseDocument(text), { minRuns: 5, minMs: 150 });
    const m = await timeIt(() => migrateText(text, { fileName: f }), { minRuns: 5, minMs: 150 });
    parseTotal += p;
    migrateTotal += m;
    ratios.push({ f, r: m / p });
  }
  ratios.sort((a, b) => b.r - a.r);
  row(
    `migrate / parseDocument, corpus (${files.length} files, per file)`,
    `${ratio(migrateTotal / parseTotal)} (${fmtMs(migrateTotal / files.length)} vs ${fmtMs(parseTotal / files.length)} a file; median file ${ratio(median(ratios.map((x) => x.r)))}, worst ${ratios[0].f} ${ratio(ratios[0].r)})`,
    '≤ 1.5×',
    migrateTotal / parseTotal,
    1.5,
  );
} else {
  console.error(`bench: SKIPPED the corpus: ${CORPUS} is not there`);
  notes.push(`corpus skipped: ${CORPUS} not found`);
}

// --- 2. migrate vs parseDocument: generated pipelines, and growth -----------------------------------------------------
const generated = new Map();
for (const n of SIZES) {
  const text = generatePipeline(n);
  const file = join(work, `pipeline-${n}.yml`);
  writeFileSync(file, text);
  const big = text.length > 300_000;
  const p = await timeIt(() => parseDocument(text), big ? { minRuns: 2, minMs: 0 } : {});
  const pNoUnique = await timeIt(() => parseDocument(text, { uniqueKeys: false }), big ? { minRuns: 2, minMs: 0 } : {});
  const m = await timeIt(() => migrateText(text), big ? { minRuns: 1, minMs: 0 } : {});
  generated.set(n, { file, parse: p, migrate: m, bytes: text.length });
  row(
    `migrate / parseDocument, ${n.toLocaleString('en')} jobs (${(text.length / 1e6).toFixed(2)} MB)`,
    `${ratio(m / p)} (${fmtMs(m)} vs ${fmtMs(p)}; parseDocument without its quadratic uniqueKeys check: ${fmtMs(pNoUnique)}, ${ratio(m / pNoUnique)})`,
    '≤ 1.5×',
    m / p,
    1.5,
  );
}
const sizes = [...generated.keys()];
for (let i = 1; i < sizes.length; i++) {
  const [a, b] = [generated.get(sizes[i - 1]), generated.get(sizes[i])];
  const jobs = sizes[i] / sizes[i - 1];
  if (jobs !== 10) continue;
  row(
    `growth ${sizes[i - 1].toLocaleString('en')} → ${sizes[i].toLocaleString('en')} jobs (10× the jobs)`,
    `${(b.migrate / a.migrate).toFixed(1)}× the time (parseDocument: ${(b.parse / a.parse).toFixed(1)}×)`,
    '≤ 12×',
    b.migrate / a.migrate,
    12,
  );
}

// --- 3. peak memory ---------------------------------------------------------------------------------------------------
const largest = sizes[sizes.length - 1];
{
  const { file } = generated.get(largest);
  const child = (mode) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'child.mjs'), mode, file], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(`bench/child.mjs ${mode} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  // peak memory depends on when the collector runs: the median of three fresh processes, for each side alike
  const medianOf = (mode) => {
    const runs = [child(mode), child(mode), child(mode)].sort((a, b) => a.maxRssKb - b.maxRssKb);
    return runs[1];
  };
  const baseline = medianOf('baseline');
  const parse = medianOf('parse');
  const migrate = medianOf('migrate');
  const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
  row(
    `peak memory (maxRSS), ${largest.toLocaleString('en')} jobs: migrate / parseDocument`,
    `${ratio(migrate.maxRssKb / parse.maxRssKb)} (${mb(migrate.maxRssKb)} vs ${mb(parse.maxRssKb)}; above a process that only loads the modules and the text, ${mb(baseline.maxRssKb)}: ${ratio((migrate.maxRssKb - baseline.maxRssKb) / Math.max(1, parse.maxRssKb - baseline.maxRssKb))})`,
    '≤ 1.5×',
    migrate.maxRssKb / parse.maxRssKb,
    1.5,
  );
}

// --- 5. bulk (another engineer's bench/bulk.ts) and the GitLab audit (bench/gitlab.ts), compiled from the sources ----
/**
 * The TypeScript files named (repository-relative, without `.ts`: `bench/bulk`, `workloads/repos`) that are there,
 * compiled in one tsc run into `work`; name → compiled module URL.
 */
function compileBench(names) {
  const there = names.filter((n) => existsSync(join(ROOT, `${n}.ts`)));
  if (!there.length) return new Map();
  const out = join(work, 'ts');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      ...there.map((n) => join(ROOT, `${n}.ts`)),
      '--outDir',
      out,
      '--rootDir',
      ROOT,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--strict',
      '--skipLibCheck',
      '--types',
      'node',
      '--esModuleInterop',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  // the repository workers of src/bulk/isolation.ts are the build's (../../dist/bulk/ from the compiled src/bulk/)
  symlinkSync(join(ROOT, 'dist'), join(out, 'dist'));
  const compiled = new Map();
  for (const n of there) {
    const js = join(out, `${n}.js`);
    if (existsSync(js)) compiled.set(n, pathToFileURL(js).href);
    else notes.push(`${n}.ts did not compile: ${(r.stdout + r.stderr).split('\n')[0]}`);
  }
  return compiled;
}
const compiled = compileBench([
  ...(BULK ? ['bench/bulk'] : []),
  ...(GITLAB ? ['bench/gitlab'] : []),
  ...(PROCESSES && REPOS ? ['workloads/repos'] : []),
]);

// --- 6. the CLI as whole processes (issue 16) -------------------------------------------------------------------------
/** Whole-process rows that missed, with the command line to profile: { metric, over: value ÷ limit, args, cwd }. */
const missedProcesses = [];
/** Folders made outside `work` (the generated repositories), removed at the end: a profile may want them. */
const cleanup = [];

/** A whole-process row: `row` and, when it missed, the command to profile. */
function processRow(metric, measured, target, value, limit, profile) {
  row(metric, measured, target, value, limit);
  if (value !== undefined && value > limit && profile)
    missedProcesses.push({ metric, over: value / limit, ...profile });
}
const mib = (kb) => `${(kb / 1024).toFixed(0)} MiB`;
const s1 = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : fmtMs(ms));
const n = (x) => x.toLocaleString('en');
const progress = (what) => (i) => console.error(`  … ${what}: round ${i}`);

async function processRows() {
  if (!TIME) notes.push('/usr/bin/time is not there: no CPU time or peak memory of the processes');
  console.error(`bench: whole processes, ${PAIRS} paired rounds each (after a warm-up round)`);

  // start-up: node -e 0 against the two commands, in the same rounds
  {
    const shop = ['migrate', '--dry-run', '--no-color', 'examples/shop'];
    const r = rounds(
      {
        node: { args: ['-e', '0'] },
        version: { args: [CLI, '--version'] },
        shop: { args: [CLI, ...shop], cwd: ROOT },
      },
      Math.max(PAIRS, 15),
    );
    const v = pairedMedian(r.version, r.node, (a, b) => a.ms / b.ms);
    const d = pairedMedian(r.shop, r.node, (a, b) => a.ms / b.ms);
    const base = fmtMs(median(r.node.map((x) => x.ms)));
    processRow(
      'process: kaniko2buildkit --version / node -e 0',
      `${ratio(v)} (${fmtMs(median(r.version.map((x) => x.ms)))} vs ${base})`,
      '≤ 1.3×',
      v,
      1.3,
    );
    processRow(
      'process: migrate --dry-run examples/shop / node -e 0',
      `${ratio(d)} (${fmtMs(median(r.shop.map((x) => x.ms)))} vs ${base})`,
      '≤ 2.0×',
      d,
      2,
      { args: shop, cwd: ROOT },
    );
  }

  // the two pipeline shapes: --check and --dry-run against parseDocument, and the growth of --dry-run
  for (const [shape, gen] of [
    ['generated', generatePipeline],
    ['dense', generateDensePipeline],
  ]) {
    const file = join(work, `process-${shape}-${JOBS}.yml`);
    const small = join(work, `process-${shape}-${JOBS / 10}.yml`);
    const text = gen(JOBS);
    writeFileSync(file, text);
    writeFileSync(small, gen(JOBS / 10));
    const check = ['migrate', '--check', '--no-color', file];
    const dry = ['migrate', '--dry-run', '--no-color', file];
    const r = rounds(
      {
        parse: { args: [PARSE, file] },
        check: { args: [CLI, ...check], ok: [0, 1] },
        dry: { args: [CLI, ...dry] },
        drySmall: { args: [CLI, 'migrate', '--dry-run', '--no-color', small] },
      },
      PAIRS,
      progress(`${shape} ${n(JOBS)} jobs`),
    );
    const what = `${n(JOBS)} jobs (${shape}, ${(text.length / 1e6).toFixed(2)} MB)`;
    for (const [name, args] of [
      ['--check', check],
      ['--dry-run', dry],
    ]) {
      const runs = name === '--check' ? r.check : r.dry;
      const t = pairedMedian(runs, r.parse, (a, b) => a.ms / b.ms);
      processRow(
        `process: migrate ${name}, ${what} / a parseDocument process`,
        `${ratio(t)} (${s1(median(runs.map((x) => x.ms)))} vs ${s1(median(r.parse.map((x) => x.ms)))})`,
        '≤ 1.0×',
        t,
        1,
        { args },
      );
      if (TIME) {
        const m = pairedMedian(runs, r.parse, (a, b) => a.maxRssKb / b.maxRssKb);
        processRow(
          `process: peak memory of migrate ${name}, ${what} / the parseDocument process`,
          `${ratio(m)} (${mib(median(runs.map((x) => x.maxRssKb)))} vs ${mib(median(r.parse.map((x) => x.maxRssKb)))})`,
          '≤ 1.2×',
          m,
          1.2,
        );
      }
    }
    const g = pairedMedian(r.dry, r.drySmall, (a, b) => a.ms / b.ms);
    processRow(
      `process: growth of migrate --dry-run, ${n(JOBS / 10)} → ${n(JOBS)} jobs (${shape})`,
      `${g.toFixed(1)}× the time (${s1(median(r.drySmall.map((x) => x.ms)))} → ${s1(median(r.dry.map((x) => x.ms)))})`,
      '≤ 10×',
      g,
      10,
      { args: dry },
    );
  }

  // a pipeline as large as the size limit allows
  if (BIG) {
    const perJob = generatePipeline(1000).length / 1000;
    let jobs = Math.floor((0.99 * MAX_FILE_BYTES) / perJob);
    let text = generatePipeline(jobs);
    while (text.length > MAX_FILE_BYTES) text = generatePipeline((jobs = Math.floor(jobs * 0.98)));
    const file = join(work, 'process-big.yml');
    writeFileSync(file, text);
    const dry = ['migrate', '--dry-run', '--no-color', file];
    const r = rounds(
      { parse: { args: [PARSE, file] }, dry: { args: [CLI, ...dry] } },
      BIG_PAIRS,
      progress(`${n(jobs)} jobs`),
    );
    const t = pairedMedian(r.dry, r.parse, (a, b) => a.ms / b.ms);
    const what = `${n(jobs)} jobs (${(text.length / 2 ** 20).toFixed(2)} MiB)`;
    processRow(
      `process: migrate --dry-run, ${what} / a parseDocument process`,
      `${ratio(t)} (${s1(median(r.dry.map((x) => x.ms)))} vs ${s1(median(r.parse.map((x) => x.ms)))})`,
      '< 5×',
      t,
      5,
      { args: dry },
    );
    if (TIME) {
      const peak = median(r.dry.map((x) => x.maxRssKb));
      processRow(
        `process: peak memory of migrate --dry-run, ${what}`,
        `${mib(peak)} (the parseDocument process: ${mib(median(r.parse.map((x) => x.maxRssKb)))})`,
        '< 1 GiB',
        peak / 1024,
        1024,
      );
    }
  }

  // issue 18 item 7: the shapes that grew faster than their jobs, each at n and 10n, as whole processes
  if (SHAPES) await shapeRows();

  // many repositories: migrate --recursive --dry-run
  if (REPOS && compiled.has('workloads/repos')) {
    const { generateRepos } = await import(compiled.get('workloads/repos'));
    const gen = generateRepos(REPOS);
    cleanup.push(gen.root);
    {
      const rec = ['migrate', '--recursive', '--dry-run', '--no-progress', '--no-color', gen.root];
      const r = rounds(
        {
          rec: { args: [CLI, ...rec], ok: [0, 1] },
          quiet: { args: [CLI, ...rec, '--quiet'], ok: [0, 1] },
        },
        PAIRS,
        progress(`--recursive, ${n(REPOS)} repositories`),
      );
      const wall = median(r.rec.map((x) => x.ms));
      processRow(
        `process: migrate --recursive --dry-run, ${n(REPOS)} repositories: repositories per second`,
        `${(REPOS / (wall / 1000)).toFixed(0)} repositories/s (${s1(wall)}${TIME ? `, peak memory ${mib(median(r.rec.map((x) => x.maxRssKb)))}` : ''})`,
        '—',
      );
      if (TIME) {
        const cpu = median(r.rec.map((x) => x.cpuMs / x.ms));
        row(
          `process: migrate --recursive --dry-run, ${n(REPOS)} repositories: CPU use (user + sys ÷ wall; ${cpus().length} cores)`,
          `${cpu.toFixed(2)} (${s1(median(r.rec.map((x) => x.cpuMs)))} of CPU in ${s1(wall)})`,
          '≥ 1.6',
          cpu,
          1.6,
          true,
        );
        if (cpu < 1.6) missedProcesses.push({ metric: 'recursive CPU use', over: 1.6 / cpu, args: rec });
      }
      const share = pairedMedian(r.rec, r.quiet, (a, b) => (a.ms - b.ms) / a.ms);
      row(
        `process: migrate --recursive --dry-run, ${n(REPOS)} repositories: printing the report (the run against it with --quiet)`,
        `${(100 * share).toFixed(0)} % of the run (${s1(wall)} vs ${s1(median(r.quiet.map((x) => x.ms)))} with --quiet)`,
        '—',
      );
    }
  } else if (REPOS) notes.push('workloads/repos.ts did not compile: no --recursive rows');
}

/**
 * Issue 18 item 7's shapes (bench/generate.mjs), each written as a repository at n and at 10n jobs (files, for the
 * includes) and run as `migrate --check` (the planning and verification a write does, without writing) in paired
 * rounds: the growth of the time, target ≤ 10× for 10× the jobs. The documented shape and the `<<: *d` one (every
 * job edited, a few lines apart: the diff's worst case) also run `--dry-run`.
 */
async function shapeRows() {
  const shapes = [
    ['jobs as GitLab documents them (every 4th Kaniko)', generateDocumentedPipeline, 2000, ['--check', '--dry-run']],
    ['included local files', generateManyIncludes, 100, ['--check']],
    ['a chain of local includes', generateIncludeChain, 100, ['--check']],
    ['jobs extending one template', generateExtendsOne, 2000, ['--check']],
    ['jobs with <<: *d', generateMergeKeys, 4000, ['--check', '--dry-run']],
  ];
  console.error(`bench: growth of issue 18's shapes, ${SHAPE_PAIRS} paired rounds each (after a warm-up round)`);
  for (const [shape, gen, small, modes] of shapes) {
    const dirs = {};
    for (const size of [small, 10 * small]) {
      dirs[size] = mkdtempSync(join(work, 'shape-'));
      await writeRepo(dirs[size], gen(size));
    }
    for (const mode of modes) {
      const args = (size) => ['migrate', mode, '--no-color', dirs[size]];
      const ok = mode === '--check' ? [1] : [0];
      const r = rounds(
        { small: { args: [CLI, ...args(small)], ok }, big: { args: [CLI, ...args(10 * small)], ok } },
        SHAPE_PAIRS,
        progress(`${shape}, ${mode}`),
      );
      const g = pairedMedian(r.big, r.small, (a, b) => a.ms / b.ms);
      processRow(
        `process: growth of migrate ${mode}, ${n(small)} → ${n(10 * small)} ${shape}`,
        `${g.toFixed(1)}× the time (${s1(median(r.small.map((x) => x.ms)))} → ${s1(median(r.big.map((x) => x.ms)))})`,
        '≤ 10×',
        g,
        10,
        { args: args(10 * small) },
      );
    }
  }
}

if (PROCESSES) await processRows();

if (BULK && compiled.has('bench/bulk')) {
  const { benchBulk } = await import(compiled.get('bench/bulk'));
  const b = await benchBulk(BULK);
  row(
    `bulk: benchBulk(${BULK}) from bench/bulk.ts`,
    `${b.reposPerSecond.toFixed(0)} repositories/s; one single-file repository ${fmtMs(b.singleFileMs)}`,
    '—',
  );
} else if (BULK && !existsSync(join(ROOT, 'bench', 'bulk.ts')))
  notes.push('bench/bulk.ts is not there: no bulk numbers');

// --- 7. the GitLab audit: API latency, not CPU, bounds it -------------------------------------------------------------
let gitlabMissed;
if (GITLAB && compiled.has('bench/gitlab')) {
  const { benchGitLab, DEFAULT_GITLAB_CONCURRENCY } = await import(compiled.get('bench/gitlab'));
  const concurrency = Number(opt('gitlab-concurrency', DEFAULT_GITLAB_CONCURRENCY));
  const options = { cli: CLI, projects: GITLAB, latencyMs: GITLAB_LATENCY, concurrency };
  const g = await benchGitLab(options);
  const pct = (x) => `${(100 * x).toFixed(0)} %`;
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const n = (x) => x.toLocaleString('en');
  const strict = (g.calls * g.latencyMs) / Math.max(g.concurrency, g.maxInFlight) / g.wallMs;
  row(
    `gitlab audit, ${n(g.audited)} projects, ${g.latencyMs} ms a call, --concurrency ${g.concurrency}: share of calls × latency ÷ concurrency`,
    `${pct(g.share)} (bound ${s(g.boundMs)} = ${n(g.calls)} calls × ${g.latencyMs} ms ÷ ${g.concurrency}; wall ${s(g.wallMs)}; up to ${g.maxInFlight} calls in flight at once (calls × latency ÷ ${g.maxInFlight}: ${pct(strict)}); stand-in CPU ${s(g.standInCpuMs)})`,
    '≥ 90 %',
    g.share,
    0.9,
    true,
  );
  if (g.share < 0.9) gitlabMissed = options;
}

// --- the table --------------------------------------------------------------------------------------------------------
const w = [Math.max(...rows.map((r) => r.metric.length)), Math.max(...rows.map((r) => r.measured.length)), 7];
const line = (a, b, c, d) => `${a.padEnd(w[0])}  ${b.padEnd(w[1])}  ${c.padEnd(w[2])}  ${d}`;
const machine = `${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM, ${platform()} ${release()}, Node ${process.version}; load average ${loadAtStart} at the start, ${load()} at the end`;
console.log(`\nkaniko2buildkit bench, ${new Date().toISOString().slice(0, 10)}: ${machine}\n`);
console.log(line('metric', 'measured', 'target', 'result'));
console.log(line('-'.repeat(w[0]), '-'.repeat(w[1]), '-'.repeat(w[2]), '------'));
for (const r of rows) console.log(line(r.metric, r.measured, r.target, r.result));
for (const n of notes) console.log(`note: ${n}`);
const missed = rows.filter((r) => r.result === 'MISS');
console.log(
  `\n${rows.filter((r) => r.result === 'PASS').length} of ${rows.filter((r) => r.result !== 'info').length} targets met${missed.length ? `; missed: ${missed.map((r) => r.metric).join('; ')}` : ''}`,
);

const markdown = opt('markdown', undefined);
if (markdown) {
  const cell = (x) => String(x).replace(/\|/g, '\\|');
  const md = [
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.`,
    '',
    '| metric | measured | target | result |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${cell(r.metric)} | ${cell(r.measured)} | ${cell(r.target)} | ${r.result} |`),
    '',
  ].join('\n');
  if (typeof markdown === 'string') writeFileSync(markdown, md);
  else console.log(`\n${md}`);
}

const json = opt('json', undefined);
if (typeof json === 'string')
  writeFileSync(json, `${JSON.stringify({ machine, date: new Date().toISOString(), rows, notes }, null, 2)}\n`);

// --- profile where time targets are missed ----------------------------------------------------------------------------
if (PROFILE && missed.some((r) => r.metric.startsWith('migrate /') || r.metric.startsWith('growth'))) {
  const dir = join(work, 'prof');
  // the largest generated pipeline whose ratio missed (else the largest), migrated often enough for a steady profile
  const size =
    [...sizes]
      .reverse()
      .find((n) =>
        missed.some((r) => r.metric.startsWith('migrate /') && r.metric.includes(`, ${n.toLocaleString('en')} jobs`)),
      ) ?? largest;
  const repeat = Math.max(1, Math.round(10_000 / size));
  const { file } = generated.get(size);
  spawnSync(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', dir, join(ROOT, 'bench', 'child.mjs'), 'migrate', file, String(repeat)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const prof = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (prof)
    console.log(
      `\nWhere the time goes: migrating the ${size.toLocaleString('en')}-job pipeline ${repeat} time(s) under --cpu-prof\n${summarizeProfile(join(dir, prof))}`,
    );
}
if (PROFILE && gitlabMissed) {
  const dir = join(work, 'prof-gitlab');
  const { benchGitLab } = await import(compiled.get('bench/gitlab'));
  await benchGitLab({ ...gitlabMissed, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  const prof = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (prof)
    console.log(
      `\nWhere the time goes: the gitlab audit of ${gitlabMissed.projects.toLocaleString('en')} projects under --cpu-prof (idle: waiting on the API)\n${summarizeProfile(join(dir, prof))}`,
    );
}
if (PROFILE && PROFILE_PROCESSES > 0 && missedProcesses.length) {
  // the rows that missed most (value ÷ limit), one profile of the command each, unbundled so that names show
  const worst = [...missedProcesses].sort((a, b) => b.over - a.over);
  const seen = new Set();
  for (const m of worst) {
    const key = m.args.join(' ');
    if (seen.has(key)) continue;
    if (seen.size >= PROFILE_PROCESSES) break;
    seen.add(key);
    const dir = join(work, `prof-process-${seen.size}`);
    spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, join(ROOT, 'bench', 'cli-main.mjs'), ...m.args], {
      cwd: m.cwd ?? ROOT,
      stdio: 'ignore',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const prof = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
    if (prof)
      console.log(
        `\nWhere the time goes: ${m.metric} (missed by ${m.over.toFixed(2)}×): kaniko2buildkit ${key.replace(work, '$WORK')} under --cpu-prof (bench/cli-main.mjs: the unbundled CLI)\n${summarizeProfile(join(dir, prof))}`,
      );
  }
}
for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
process.exitCode = missed.length ? 1 : 0;
