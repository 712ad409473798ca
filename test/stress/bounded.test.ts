/**
 * Issue 18 item 7, bounded work: each shape that grew faster than its jobs finishes at a size where it used to take
 * minutes (the bundled CLI in a child process; the test's time limit is the property, with room for a loaded machine:
 * `npm run bench` measures the growth), and its result is right: every Kaniko job migrated, one merged finding naming
 * all the jobs of a shared template.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateDocumentedPipeline,
  generateExtendsOne,
  generateIncludeChain,
  generateManyIncludes,
  generateMergeKeys,
  writeRepo,
} from '../../workloads/shapes.mjs';
import { builtCli } from './helpers.js';

interface Report {
  summary: { kanikoJobs: number; migrated: number; manual: number; findings: { error: number } };
  files: { path: string; findings: { code: string; job: string | string[] }[] }[];
}

/** The children running: a test that runs out of time must not leave its CLI behind (afterEach ends them). */
const running = new Set<ChildProcess>();

/** `migrate ARGS DIR`: the exit code, the output and the errors. */
function run(
  cli: string,
  args: string[],
  dir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'migrate', ...args, '--no-color', dir], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    running.add(child);
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/** `migrate --check --format json` of the folder: the exit code and the report. */
async function check(cli: string, dir: string): Promise<{ code: number | null; report: Report; stderr: string }> {
  const { code, stdout, stderr } = await run(cli, ['--check', '--format', 'json'], dir);
  try {
    return { code, report: JSON.parse(stdout) as Report, stderr };
  } catch (e) {
    throw new Error(`no JSON report (exit ${code}): ${stderr.slice(0, 2000)} ${String(e)}`);
  }
}

// each took minutes before the indexes at these sizes (8,000 jobs extending one template: over 2 minutes; the issue
// saw 20,000 jobs as documented take 90 s) and takes seconds after them
const SHAPES: [string, () => string | Record<string, string>, number][] = [
  ['30,000 jobs as GitLab documents them, every fourth a Kaniko build', () => generateDocumentedPipeline(30_000), 7500],
  ['600 included files', () => generateManyIncludes(600), 600],
  ['a chain of 600 includes', () => generateIncludeChain(600), 600],
  ['8,000 jobs extending one template', () => generateExtendsOne(8000), 8000],
  ['8,000 jobs merging one anchor with <<: *d', () => generateMergeKeys(8000), 8000],
];

describe('bounded work: each shape finishes and is migrated', () => {
  let cli: string;
  beforeAll(() => {
    cli = builtCli();
  }, 120_000);
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
  });

  test.each(SHAPES)(
    '%s',
    async (_, generate, kaniko) => {
      const dir = await writeRepo(mkdtempSync(join(tmpdir(), 'k2b-bounded-')), generate());
      try {
        const { code, report, stderr } = await check(cli, dir);
        expect(stderr).toBe('');
        expect(code).toBe(1); // changes pending
        expect(report.summary).toMatchObject({ kanikoJobs: kaniko, migrated: kaniko, manual: 0 });
        expect(report.summary.findings.error).toBe(0);
        // a template's findings are merged into one naming every job built from it
        if (kaniko === 8000) {
          const merged = report.files[0]!.findings.find((f) => f.code === 'KB402')!;
          expect(merged.job).toHaveLength(8000);
          expect((merged.job as string[]).slice(0, 2)).toEqual(['build-0', 'build-1']);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  // the diff of a dry run: Kaniko jobs a few jobs apart made one stretch of the whole file, diffed at once
  test('--dry-run of 16,000 jobs as GitLab documents them prints every change', async () => {
    const dir = await writeRepo(mkdtempSync(join(tmpdir(), 'k2b-bounded-')), generateDocumentedPipeline(16_000));
    try {
      const { code, stdout, stderr } = await run(cli, ['--dry-run'], dir);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout.match(/^\+ {4}- buildctl-daemonless\.sh build /gm)).toHaveLength(4000);
      expect(stdout.match(/^- {4}- \/kaniko\/executor /gm)).toHaveLength(4000);
      expect(stdout.match(/^@@ /gm)).toHaveLength(4000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
