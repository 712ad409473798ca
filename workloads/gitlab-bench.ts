/**
 * The GitLab measure of the bench (run by bench/gitlab.ts, and its smoke test in test/gitlab/bench.test.ts): the real
 * CLI, as a whole process, audits a group of `n` projects served by the GitLab stand-in with added latency per API
 * call. API calls, not CPU, bound this mode; the measure is the share the run reaches of `calls × latency ÷
 * concurrency`, the wall time if each of the `concurrency` projects in hand kept one call in flight all the time (the
 * bound ÷ the wall time: less for serial phases, CPU not hidden behind the waits, start-up; more where a project has
 * two calls in flight at once, as its pipeline file and its tree: `maxInFlight` tells how many the stand-in saw at
 * once).
 *
 * The group: the template project of workloads/group.ts (with its tag and its component) and a second one that only
 * holds a job without Kaniko, then in a cycle of 20: 9 consumers of the template project (workloads/group.ts's six
 * cases), one of its component (with inputs), the eight repositories of workloads/repos.ts with Kaniko or not (own
 * jobs, a local include, partial, manual, already BuildKit, plain pipelines that include the second template project),
 * one project without a pipeline file and one empty repository.
 */
import { spawn } from 'node:child_process';
import { MockGitLab } from './gitlab-server.js';
import {
  COMPONENT_FILE,
  COMPONENT_TEMPLATE,
  componentConsumer,
  consumers,
  TEMPLATE_PROJECT,
  templateFiles,
} from './group.js';
import { repoFiles, type Kind } from './repos.js';

export const BENCH_GROUP = 'group';
export const SHARED_PROJECT = `${BENCH_GROUP}/ci-shared`;
const TOKEN = 'glpat-bench-token';

type Slot = 'consumer' | 'component' | Exclude<Kind, 'nested'> | 'no-ci' | 'empty';

const CYCLE: Slot[] = [
  ...Array<Slot>(9).fill('consumer'),
  'component',
  'kaniko',
  'kaniko',
  'include',
  'partial',
  'manual',
  'buildkit',
  'plain',
  'plain',
  'no-ci',
  'empty',
];

const sharedFiles: Record<string, string> = {
  '.gitlab-ci.yml': 'include:\n  - local: security.yml\n',
  'security.yml': '.secret-scan:\n  stage: test\n  image: alpine:3.20\n  script:\n    - echo scanning\n',
};

/** The stand-in (not started) serving the bench group of `n` projects (at least the two template projects). */
export function benchGroup(n: number, latencyMs = 0): { server: MockGitLab; token: string; slots: Slot[] } {
  const s = new MockGitLab(TOKEN);
  s.latencyMs = latencyMs;
  s.tag(s.project(TEMPLATE_PROJECT, { ...templateFiles, [COMPONENT_TEMPLATE]: COMPONENT_FILE }), 'v1.0.0');
  s.project(SHARED_PROJECT, sharedFiles);
  const pool = consumers(Math.max(6, n));
  const slots: Slot[] = [];
  for (let i = 0; i < n - 2; i++) {
    const slot = CYCLE[i % CYCLE.length]!;
    slots.push(slot);
    const path = `${BENCH_GROUP}/svc-${String(i + 1).padStart(4, '0')}`;
    if (slot === 'consumer') s.project(path, pool[i]!.files);
    else if (slot === 'component') s.project(path, componentConsumer(path).files);
    else if (slot === 'no-ci')
      s.project(path, { Dockerfile: `FROM alpine:3.20\nRUN echo ${i}\n`, 'README.md': '# x\n' });
    else if (slot === 'empty') s.project(path, {}, { empty: true });
    else if (slot === 'plain') {
      const files = repoFiles(slot, i);
      files['.gitlab-ci.yml'] =
        `include:\n  - project: ${SHARED_PROJECT}\n    file: security.yml\n\n${files['.gitlab-ci.yml']}\nscan:\n  extends: .secret-scan\n`;
      s.project(path, files);
    } else s.project(path, repoFiles(slot, i));
  }
  return { server: s, token: TOKEN, slots };
}

export interface GitLabBench {
  /** Projects served, and audited (in the report). */
  projects: number;
  audited: number;
  /** API requests the run made, in all and by kind. */
  calls: number;
  callsBy: Record<string, number>;
  latencyMs: number;
  concurrency: number;
  /** The most calls in progress at once, as the stand-in saw them. */
  maxInFlight: number;
  /** Wall time of the CLI process, spawn to exit, in ms. */
  wallMs: number;
  /** `calls × latencyMs ÷ concurrency`, in ms. */
  boundMs: number;
  /** boundMs ÷ wallMs. */
  share: number;
  /** CPU time of this process (the stand-in's) during the run, in ms. */
  standInCpuMs: number;
  /** Projects by status in the report. */
  statuses: Record<string, number>;
}

export interface GitLabBenchOptions {
  /** bin/kaniko2buildkit.js of the checkout to measure (it runs the built dist/). */
  cli: string;
  projects: number;
  latencyMs: number;
  concurrency: number;
  /** Node flags for the CLI process, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

function kindOf(path: string): string {
  if (path.startsWith('/groups/')) return 'group pages';
  if (path.includes('/repository/files/')) return 'file reads';
  if (path.includes('/repository/tree')) return 'trees';
  if (/^\/projects\/[^/?]+(\?|$)/.test(path)) return 'project lookups';
  return 'other';
}

/** Runs the CLI's `gitlab` audit (as a child process) against the bench group served from this process. */
export async function benchGitLab(opts: GitLabBenchOptions): Promise<GitLabBench> {
  const { server, token } = benchGroup(opts.projects, opts.latencyMs);
  const url = await server.start();
  try {
    const args = [
      ...(opts.nodeArgs ?? []),
      opts.cli,
      'gitlab',
      '--url',
      url,
      '--group',
      BENCH_GROUP,
      '--concurrency',
      String(opts.concurrency),
      '--format',
      'json',
      '--no-progress',
    ];
    const cpu = process.cpuUsage();
    const start = performance.now();
    const child = spawn(process.execPath, args, {
      env: { ...process.env, GITLAB_TOKEN: token, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c));
    });
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const stderr = Buffer.concat(err).toString('utf8');
    if (code !== 0) throw new Error(`kaniko2buildkit gitlab exited ${code}: ${stderr.slice(0, 2000)}`);
    const report = JSON.parse(Buffer.concat(out).toString('utf8')) as { projects: { status: string }[] };
    const statuses: Record<string, number> = {};
    for (const p of report.projects) statuses[p.status] = (statuses[p.status] ?? 0) + 1;
    const callsBy: Record<string, number> = {};
    for (const r of server.requests) callsBy[kindOf(r.path)] = (callsBy[kindOf(r.path)] ?? 0) + 1;
    const calls = server.requests.length;
    const boundMs = (calls * opts.latencyMs) / opts.concurrency;
    return {
      projects: server.projects.length,
      audited: report.projects.length,
      calls,
      callsBy,
      latencyMs: opts.latencyMs,
      concurrency: opts.concurrency,
      maxInFlight: server.maxInFlight,
      wallMs,
      boundMs,
      share: boundMs / wallMs,
      standInCpuMs: (used.user + used.system) / 1000,
      statuses,
    };
  } finally {
    await server.stop();
  }
}
