/**
 * "Does the migrated pipeline build the same thing?" — the comparison behind test/same-build.test.ts, kept here
 * so it can be unit-tested on hand-written before/after pairs.
 *
 * For every effective job (gitlab-ci-local, see effective-jobs.ts):
 * - reported `manual`: the job must be byte-identical (effective job deep-equal, and its top-level text unchanged);
 * - with a Kaniko call: run the original script with the stub executor and the migrated one with the stub buildctl
 *   (stub-run.ts); calls pair up in order, their BuildDescriptions are equal (build-description.ts), the registry
 *   credentials match (registry-auth.ts), and the job uses `moby/buildkit:*rootless` with `entrypoint: [""]` and
 *   `--oci-worker-no-process-sandbox` in BUILDKITD_FLAGS;
 * - any other job: effective job deep-equal.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML, { isMap, isScalar } from 'yaml';
import {
  describeBuildctl,
  CACHE_WITHOUT_REPO,
  describeKaniko,
  diffDescriptions,
  hasUnicodeSpaceEntries,
  type BuildDescription,
  type DiffOptions,
  repositoryOf,
} from './build-description.js';
import {
  isKanikoJob,
  isRootlessBuildkitImage,
  readEffectivePipeline,
  type EffectiveJob,
  type EffectivePipeline,
} from './effective-jobs.js';
import { canonical, compareAuth } from './registry-auth.js';
import { gitlabEnv, mergeVariables, runJobScript, type RunResult } from './stub-run.js';

export interface FindingLike {
  code: string;
  severity: 'info' | 'warning' | 'manual' | 'error';
  job?: string;
  message: string;
}

export interface CompareInput {
  /** the repository folder before migration */
  inputRoot: string;
  /** migrated files (relative path → text); files not listed are unchanged */
  outputFiles: Record<string, string>;
  findings: FindingLike[];
  shell: 'sh' | 'busybox';
  entry?: string;
  /** how strictly BuildDescriptions are compared (see DiffOptions) */
  diffOptions?: DiffOptions;
  /**
   * Jobs in transition (the result's `jobs[].transition`): a Kaniko job with a twin added (`added`) or kept
   * (`running`) must be byte-identical, its twin must build what it builds but push to the verification tag, and its
   * compare job must need both; after a `cut-over` the twin and the compare job are gone and the job is migrated.
   */
  transition?: { job: string; state: 'added' | 'running' | 'cut-over'; twin: string; compare: string }[];
  /** Kaniko jobs the result reports `unchanged` (e.g. given no twin, KB221): byte-identical, as `manual` ones. */
  unchanged?: string[];
}

export interface CallPair {
  before: BuildDescription;
  after: BuildDescription;
  /** set when the Kaniko argv had Unicode spaces and was compared as if they were separators */
  lenient?: boolean;
}

export interface JobReport {
  job: string;
  kind: 'kaniko' | 'manual' | 'other';
  problems: string[];
  pairs: CallPair[];
}

export interface CompareResult {
  jobs: JobReport[];
  /** all problems, prefixed with the job name */
  problems: string[];
}

function listYaml(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listYaml(dir, r));
    else if (/\.ya?ml$/i.test(e.name)) out.push(r);
  }
  return out;
}

/** Source text of each top-level key `name` (key through end of value, trailing blanks trimmed), over all documents of a YAML text. */
export function topLevelEntryTexts(text: string, name: string): string[] {
  const out: string[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (!('contents' in doc) || !isMap(doc.contents)) continue;
    for (const pair of doc.contents.items) {
      const key = pair.key;
      if (!isScalar(key) || String(key.value) !== name || !key.range) continue;
      const valueEnd = (pair.value as { range?: [number, number, number] } | null)?.range?.[2] ?? key.range[2];
      out.push(text.slice(key.range[0], valueEnd).trimEnd());
    }
  }
  return out;
}

/** The job as data, with the global variables merged in (gitlab-ci-local prints them separately). */
function jobData(pipeline: EffectivePipeline, job: EffectiveJob): string {
  return canonical({ ...job.raw, variables: { ...pipeline.variables, ...job.variables } });
}

function jobEnv(pipeline: EffectivePipeline, job: EffectiveJob): Record<string, string> {
  return mergeVariables(gitlabEnv({ CI_JOB_NAME: job.name }), pipeline.variables, job.variables);
}

function scriptLines(job: EffectiveJob): string[] {
  return [...job.before_script, ...job.script];
}

export async function compareProject(input: CompareInput): Promise<CompareResult> {
  const entry = input.entry ?? '.gitlab-ci.yml';
  // the hand-written input needs no schema check; the migrated output gets one
  const before = await readEffectivePipeline(input.inputRoot, { entry, validate: false });
  const after = await readEffectivePipeline(input.inputRoot, { entry, overlay: input.outputFiles, validate: true });
  const manual = new Set(input.findings.filter((f) => f.severity === 'manual' && f.job).map((f) => f.job!));
  const reports: JobReport[] = [];
  const transition = input.transition ?? [];
  // a Kaniko job beside its twin is unchanged, as a job left for a person is
  for (const t of transition) if (t.state !== 'cut-over') manual.add(t.job);
  for (const name of input.unchanged ?? []) manual.add(name);
  const added = new Map(
    transition
      .filter((t) => t.state === 'added')
      .flatMap((t) => [
        [t.twin, t],
        [t.compare, t],
      ]),
  );
  const removed = new Set(transition.filter((t) => t.state === 'cut-over').flatMap((t) => [t.twin, t.compare]));

  for (const [name, a] of Object.entries(after.jobs)) {
    if (name in before.jobs) continue;
    const t = added.get(name);
    if (!t) reports.push({ job: name, kind: 'other', problems: ['job appeared after migration'], pairs: [] });
    else if (name === t.compare) reports.push(compareJobReport(a, t));
    else if (!before.jobs[t.job]) reports.push({ job: name, kind: 'other', problems: [`no job ${t.job}`], pairs: [] });
    else reports.push(await compareKanikoJob(input, before, before.jobs[t.job]!, after, a, verificationTag));
  }
  const yamlFiles = listYaml(input.inputRoot);
  for (const [name, b] of Object.entries(before.jobs)) {
    const a = after.jobs[name];
    if (!a && removed.has(name)) continue;
    if (!a) {
      reports.push({ job: name, kind: 'other', problems: ['job disappeared after migration'], pairs: [] });
      continue;
    }
    if (manual.has(name)) {
      const problems: string[] = [];
      if (jobData(before, b) !== jobData(after, a)) problems.push('reported manual, but its effective job changed');
      for (const f of yamlFiles) {
        const orig = fs.readFileSync(path.join(input.inputRoot, f), 'utf8');
        const out = input.outputFiles[f] ?? orig;
        if (canonical(topLevelEntryTexts(orig, name)) !== canonical(topLevelEntryTexts(out, name)))
          problems.push(`reported manual, but its text in ${f} changed`);
      }
      reports.push({ job: name, kind: 'manual', problems, pairs: [] });
    } else if (isKanikoJob(b)) {
      reports.push(await compareKanikoJob(input, before, b, after, a));
    } else {
      const [x, y] = [jobData(before, b), jobData(after, a)];
      const problems = x === y ? [] : [`a job without a Kaniko call changed:\n  before ${x}\n  after  ${y}`];
      reports.push({ job: name, kind: 'other', problems, pairs: [] });
    }
  }
  return { jobs: reports, problems: reports.flatMap((r) => r.problems.map((p) => `${r.job}: ${p}`)) };
}

/** The name a transition's twin pushes `ref` to: the same repository at `kaniko2buildkit-$CI_COMMIT_SHORT_SHA`. */
export function verificationTag(ref: string): string {
  return `${repositoryOf(ref)}:kaniko2buildkit-${gitlabEnv().CI_COMMIT_SHORT_SHA}`;
}

/** A transition's compare job: in node:20-alpine, needing both builds, allowed to fail, keeping compare.md. */
function compareJobReport(a: EffectiveJob, t: { job: string; twin: string }): JobReport {
  const problems: string[] = [];
  const raw = a.raw as { needs?: unknown; allow_failure?: unknown; artifacts?: { paths?: unknown; when?: unknown } };
  const needs = ((raw.needs ?? []) as (string | { job: string })[]).map((n) => (typeof n === 'string' ? n : n.job));
  if (a.image?.name !== 'node:20-alpine') problems.push(`image is ${JSON.stringify(a.image?.name)}`);
  if (canonical([...needs].sort()) !== canonical([t.job, t.twin].sort())) problems.push(`needs ${canonical(needs)}`);
  if (raw.allow_failure !== true) problems.push('not allow_failure: true');
  if (canonical(raw.artifacts?.paths) !== canonical(['compare.md']) || raw.artifacts?.when !== 'always')
    problems.push(`artifacts ${canonical(raw.artifacts ?? null)}`);
  if (!a.script.some((l) => l.includes(' compare ') && l.includes('--format markdown')))
    problems.push('its script does not run kaniko2buildkit compare --format markdown');
  return { job: a.name, kind: 'other', problems, pairs: [] };
}

async function compareKanikoJob(
  input: CompareInput,
  beforePipeline: EffectivePipeline,
  b: EffectiveJob,
  afterPipeline: EffectivePipeline,
  a: EffectiveJob,
  /** A twin's pushed names (transition): what the Kaniko call's destinations become. */
  pushedAs?: (ref: string) => string,
): Promise<JobReport> {
  const problems: string[] = [];
  const pairs: CallPair[] = [];

  // the migrated job's shape (§0, §4)
  if (!a.image || !isRootlessBuildkitImage(a.image.name))
    problems.push(`image is ${JSON.stringify(a.image?.name ?? null)}, not moby/buildkit:*rootless`);
  if (canonical(a.image?.entrypoint ?? null) !== canonical(['']))
    problems.push(`image entrypoint is ${JSON.stringify(a.image?.entrypoint ?? null)}, not [""]`);

  let runB: RunResult | undefined;
  let runA: RunResult | undefined;
  try {
    runB = await runJobScript(scriptLines(b), {
      env: jobEnv(beforePipeline, b),
      shell: input.shell,
      projectDir: input.inputRoot,
      image: 'kaniko',
      keep: true,
    });
    runA = await runJobScript(scriptLines(a), {
      env: jobEnv(afterPipeline, a),
      shell: input.shell,
      projectDir: input.inputRoot,
      image: 'buildkit',
      keep: true,
    });
    if (runB.exitCode !== 0)
      problems.push(`the original script fails under the stubs (exit ${runB.exitCode}): ${runB.stderr.trim()}`);
    if (runA.exitCode !== runB.exitCode)
      problems.push(`the migrated script exits ${runA.exitCode} (original ${runB.exitCode}): ${runA.stderr.trim()}`);

    const kanikoCalls = runB.calls.filter((c) => c.tool === 'kaniko');
    const buildctlCalls = runA.calls.filter((c) => c.tool === 'buildctl');
    if (runB.calls.some((c) => c.tool !== 'kaniko')) problems.push('the original script calls buildctl');
    if (runA.calls.some((c) => c.tool !== 'buildctl'))
      problems.push('the migrated script still calls the Kaniko executor');
    if (kanikoCalls.length === 0) problems.push('the original script made no Kaniko call under the stubs');
    if (kanikoCalls.length !== buildctlCalls.length)
      problems.push(`${kanikoCalls.length} Kaniko call(s) before, ${buildctlCalls.length} buildctl call(s) after`);

    const warned = input.findings.some((f) => f.job === b.name && f.severity !== 'info');
    const n = Math.min(kanikoCalls.length, buildctlCalls.length);
    const usedRefs: string[] = [];
    for (let i = 0; i < n; i++) {
      const kc = kanikoCalls[i]!;
      const bc = buildctlCalls[i]!;
      let dB = describeKaniko(kc.argv, { cwd: kc.cwd, env: kc.env, projectDir: runB.cwd });
      let lenient = false;
      if (dB.unknown.length > 0 && hasUnicodeSpaceEntries(kc.argv)) {
        // sh does not split on U+3000 & co., so Kaniko itself would reject the call. Compare against what the
        // author evidently meant, but only if the migrator said something about this job.
        if (!warned)
          problems.push(
            `call ${i + 1}: the Kaniko argv has Unicode spaces (${JSON.stringify(kc.argv.filter((x) => /[^\x00-\x7f]/.test(x)))}) and no warning/manual/error finding says so`,
          );
        dB = describeKaniko(kc.argv, {
          cwd: kc.cwd,
          env: kc.env,
          projectDir: runB.cwd,
          unicodeSpacesAsSeparators: true,
        });
        lenient = true;
      }
      if (dB.unknown.includes(CACHE_WITHOUT_REPO)) {
        // Kaniko refuses the call; the evident intent is the build without a registry cache, if the migrator said so.
        if (!warned)
          problems.push(
            `call ${i + 1}: Kaniko refuses --cache with --no-push and no --cache-repo, and no warning/manual/error finding says so`,
          );
        dB = { ...dB, unknown: dB.unknown.filter((u) => u !== CACHE_WITHOUT_REPO) };
        lenient = true;
      }
      const dA = describeBuildctl(bc.argv, {
        cwd: bc.cwd,
        env: bc.env,
        projectDir: runA.cwd,
        buildkitdConfig: bc.buildkitdConfig,
      });
      if (pushedAs) dB = { ...dB, images: [...new Set(dB.images.map(pushedAs))].sort() };
      pairs.push({ before: dB, after: dA, lenient });
      for (const d of diffDescriptions(dB, dA, input.diffOptions)) problems.push(`call ${i + 1}: ${d}`);
      if (!(bc.env.BUILDKITD_FLAGS ?? '').split(/\s+/).includes('--oci-worker-no-process-sandbox'))
        problems.push(
          `call ${i + 1}: BUILDKITD_FLAGS is ${JSON.stringify(bc.env.BUILDKITD_FLAGS ?? null)}, without --oci-worker-no-process-sandbox`,
        );
      usedRefs.push(...dB.images, ...dB.cacheImport, ...dB.cacheExport);
    }

    const kEnv = kanikoCalls[0]?.env ?? {};
    const bEnv = buildctlCalls[0]?.env ?? {};
    problems.push(
      ...compareAuth({
        kanikoFile: runB.files.dockerConfig,
        buildkitFile: bEnv.DOCKER_CONFIG ? runA.files.dockerConfig : runA.files.home,
        buildkitDockerAuthConfig: bEnv.DOCKER_AUTH_CONFIG,
        ciRegistry: kEnv.CI_REGISTRY,
        ciRegistryUser: kEnv.CI_REGISTRY_USER,
        ciRegistryPassword: kEnv.CI_REGISTRY_PASSWORD,
        usedRefs: usedRefs.filter((r) => !r.startsWith('oci:')),
      }),
    );
  } finally {
    runB?.cleanup();
    runA?.cleanup();
  }
  return { job: a.name, kind: 'kaniko', problems, pairs };
}
