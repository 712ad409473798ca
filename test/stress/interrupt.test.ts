/**
 * Killing a run over 200 repositories half-way: every file is afterwards either byte for byte the original or
 * byte for byte the complete migration (computed with the library), no temporary file is left, and the CLI's
 * summary names exactly the files it wrote.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { migrateProject } from '../../src/index.js';
import { builtCli, DOCKERFILE, kanikoJob, plainJob } from './helpers.js';

const REPOS = 200;

interface Expected {
  /** path relative to the parent folder → original and migrated text */
  files: Map<string, { original: string; migrated: string }>;
  parent: string;
  names: string[];
}

/** 200 repositories of 40 jobs (every 4th a Kaniko build); every 5th also includes a file with more builds. */
async function generate(): Promise<Expected> {
  const parent = mkdtempSync(join(tmpdir(), 'k2b-interrupt-'));
  const names: string[] = [];
  const files = new Map<string, { original: string; migrated: string }>();
  for (let i = 0; i < REPOS; i++) {
    const name = `repo-${String(i).padStart(3, '0')}`;
    names.push(name);
    let main = `# repository ${i}\nstages: [test, build]\n`;
    const layout: Record<string, string> = { Dockerfile: DOCKERFILE };
    if (i % 5 === 0) {
      main += 'include:\n  - local: ci/build.yml\n';
      layout['ci/build.yml'] = Array.from({ length: 10 }, (_, j) => kanikoJob(`inc-${j}`)).join('\n');
    }
    for (let j = 0; j < 40; j++) main += `\n${j % 4 === 0 ? kanikoJob(`build-${j}`) : plainJob(`test-${j}`)}`;
    layout['.gitlab-ci.yml'] = main;
    for (const [path, text] of Object.entries(layout)) {
      mkdirSync(dirname(join(parent, name, path)), { recursive: true });
      writeFileSync(join(parent, name, path), text);
    }
    const result = await migrateProject({ root: join(parent, name) });
    for (const f of result.files) {
      expect(f.changed).toBe(true);
      files.set(`${name}/${f.path}`, { original: f.original, migrated: f.output });
    }
  }
  return { files, parent, names };
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/** Runs the CLI over all repositories and sends `signal` once at least `after` files were written. */
async function runAndKill(
  cli: string,
  x: Expected,
  signal: NodeJS.Signals,
  after: number,
  args = ['migrate', ...x.names],
) {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: x.parent,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, sig) => res({ code, signal: sig })),
  );
  let sentAt = -1;
  const entries = [...x.files];
  // poll the files (the entry files in order) until enough of them changed
  const poll = async () => {
    for (;;) {
      let written = 0;
      for (const [path, f] of entries) if (readFileSync(join(x.parent, path), 'utf8') !== f.original) written++;
      if (written >= after) {
        sentAt = written;
        child.kill(signal);
        return;
      }
      if (child.exitCode !== null) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await Promise.race([poll(), exited]);
  const end = await exited;
  return { ...end, stdout, stderr, sentAt };
}

function check(x: Expected) {
  let written = 0;
  let original = 0;
  const done: string[] = [];
  for (const [path, f] of x.files) {
    const now = readFileSync(join(x.parent, path), 'utf8');
    if (now === f.migrated) {
      written++;
      done.push(path);
    } else if (now === f.original) original++;
    else throw new Error(`${path} is neither the original nor the complete migration`);
  }
  // no temporary file, backup or journal of the writer left behind (src/repository/names.ts)
  for (const name of x.names) {
    for (const f of listFiles(join(x.parent, name)))
      expect(['.gitlab-ci.yml', 'Dockerfile', 'ci/build.yml']).toContain(f);
  }
  return { written, original, done };
}

/**
 * After a stop: every file is the original or the complete migration, some are still the original, the summary's
 * "written:" list is exactly the files migrated now, the rest are named, and a project's files went together (an
 * included file is migrated exactly when its entry file is). Returns how many files were written.
 */
function checkStopped(x: Expected, stderr: string, signal: string): number {
  const { written, original, done } = check(x);
  expect(original).toBeGreaterThan(0);
  expect(stderr).toContain(`kaniko2buildkit: stopped by ${signal}: ${written} file(s) written`);
  const listed = stderr
    .split('\nwritten:\n')[1]!
    .split(/\n(?=\S)/)[0]!
    .trim()
    .split('\n')
    .map((s) => s.trim());
  expect(listed.sort()).toEqual(done.sort());
  expect(stderr).toMatch(/not processed \(run again for these\):\n {2}repo-\d{3}/);
  for (const name of x.names.filter((_, i) => i % 5 === 0))
    expect(done.includes(`${name}/ci/build.yml`)).toBe(done.includes(`${name}/.gitlab-ci.yml`));
  return written;
}

describe('interrupting a run over 200 repositories', () => {
  let cli = '';
  let template: Expected;
  beforeAll(async () => {
    cli = builtCli();
    template = await generate();
  }, 120_000);
  const made: string[] = [];
  afterAll(() => {
    for (const dir of [template?.parent, ...made]) if (dir) rmSync(dir, { recursive: true, force: true });
  });
  /** A fresh copy of the 200 repositories, as generated. */
  const fresh = (): Expected => {
    const parent = mkdtempSync(join(tmpdir(), 'k2b-interrupt-'));
    made.push(parent);
    cpSync(template.parent, parent, { recursive: true });
    return { ...template, parent };
  };

  test.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s: every file is the original or the complete migration; the summary names what was written',
    async (signal, exitCode) => {
      const x = fresh();
      const r = await runAndKill(cli, x, signal, 20);
      expect(r.sentAt).toBeGreaterThanOrEqual(20); // the run was still going when the signal came
      expect(r.signal).toBeNull(); // it stopped on its own, not killed by the signal
      expect(r.code).toBe(exitCode);
      expect(checkStopped(x, r.stderr, signal)).toBeGreaterThanOrEqual(20);
    },
    120_000,
  );

  test('--recursive, SIGINT: the repository being written is finished, the rest is not written, the summary says so', async () => {
    const x = fresh();
    const r = await runAndKill(cli, x, 'SIGINT', 20, ['migrate', '--recursive', '--concurrency', '1', '.']);
    expect(r.sentAt).toBeGreaterThanOrEqual(20);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    checkStopped(x, r.stderr, 'SIGINT');
  }, 120_000);

  // SIGKILL cannot be caught: each rename keeps every file whole (a journal may be left for the next run to settle:
  // test/repository/kill.test.ts).
  test('SIGKILL: every file is still the original or the complete migration', async () => {
    const x = fresh();
    const r = await runAndKill(cli, x, 'SIGKILL', 10);
    expect(r.signal).toBe('SIGKILL');
    for (const [path, f] of x.files)
      expect([f.original, f.migrated]).toContain(readFileSync(join(x.parent, path), 'utf8'));
  }, 120_000);
});
