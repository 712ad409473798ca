/**
 * Issue 18 item 3 and must-show 2: `migrate --recursive` over 200 two-file repositories (the root file and the
 * template it includes both change), killed with SIGKILL at seeded random moments (20 trials), then the tool run again
 * on the same tree: afterwards every repository is consistent (both files original, or both migrated) and no file of
 * the tool (temporary file, backup, journal) is left anywhere. The kill moments are drawn by progress (after the k-th
 * repository began to be written, k random) and, in every fourth trial, by time from the start (planning included).
 * Before the fix, 13 of 24 such trials left a repository half-written, and temporary files behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateRepository } from '../../src/repository/migrate.js';
import { diskRepository } from '../../src/repository/source.js';
import { recoverRepository } from '../../src/repository/write.js';
import { JOURNAL_NAME } from '../../src/repository/names.js';
import { builtCli, DOCKERFILE, kanikoJob } from '../stress/helpers.js';
import { walk } from './write-helpers.js';

const REPOS = 200;
const TRIALS = 20;
const PATHS = ['.gitlab-ci.yml', 'ci/build.yml'] as const;

/** mulberry32: a small seeded PRNG, the same moments on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const name = (i: number) => `r${String(i).padStart(3, '0')}`;
const original = (i: number) => ({
  '.gitlab-ci.yml': `include: ci/build.yml\n${kanikoJob(`build-a${i}`)}`,
  'ci/build.yml': kanikoJob(`build-b${i}`),
});

/** The tree of repositories, every file as it was before any run (a consistent tree: its files written again). */
function reset(tree: string, fresh = false): void {
  for (let i = 0; i < REPOS; i++) {
    const dir = join(tree, name(i));
    if (fresh) mkdirSync(join(dir, 'ci'), { recursive: true });
    for (const [p, text] of Object.entries(original(i))) writeFileSync(join(dir, p), text);
    if (fresh) writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  }
}

/** Whether repository `i` has begun to be written: a journal, or a root file no longer the original's size. */
function begun(tree: string, i: number): boolean {
  const dir = join(tree, name(i));
  if (existsSync(join(dir, JOURNAL_NAME))) return true;
  const size = statSync(join(dir, '.gitlab-ci.yml'), { throwIfNoEntry: false })?.size;
  return size !== Buffer.byteLength(original(i)['.gitlab-ci.yml']);
}

/** Runs the CLI on the tree and kills it with SIGKILL at the moment `when` picks; resolves once it is gone. */
async function killedRun(cli: string, tree: string, when: { after: number } | { ms: number }): Promise<string> {
  // several repositories written at once: more of them in flight when the kill comes
  const child = spawn(process.execPath, [cli, 'migrate', '--recursive', '--concurrency', '8', '--no-sources', tree], {
    stdio: 'ignore',
  });
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  if ('ms' in when) setTimeout(() => child.kill('SIGKILL'), when.ms);
  else
    void (async () => {
      // the repositories are written about in their order: a pointer moves past those begun (a few ahead looked at)
      let next = 0;
      while (!gone) {
        while (next < REPOS && begun(tree, next)) next++;
        let ahead = next;
        for (let i = next; i < Math.min(REPOS, next + 8); i++) if (begun(tree, i)) ahead = i + 1;
        if (ahead >= when.after) {
          child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
  return exited;
}

/** Each repository: both files original, or both migrated (as `migrated` holds them); no file of the tool left. */
function consistent(tree: string, migrated: Map<string, string>): { original: number; migrated: number } {
  const counts = { original: 0, migrated: 0 };
  for (let i = 0; i < REPOS; i++) {
    const dir = join(tree, name(i));
    const states = PATHS.map((p) => {
      const now = readFileSync(join(dir, p), 'utf8');
      if (now === original(i)[p]) return 'original';
      if (now === migrated.get(`${name(i)}/${p}`)) return 'migrated';
      return 'other';
    });
    if (states[0] !== states[1] || states[0] === 'other')
      throw new Error(`${name(i)} is not consistent: ${PATHS.map((p, k) => `${p} ${states[k]}`).join(', ')}`);
    counts[states[0] as 'original' | 'migrated']++;
  }
  // nothing but the repositories' own files (a temporary file of any name, a backup, a journal would show here)
  expect(walk(tree).filter((p) => !/^r\d{3}\/(\.gitlab-ci\.yml|ci\/build\.yml|Dockerfile)$/.test(p))).toEqual([]);
  return counts;
}

test('kill -9 at random moments during `migrate --recursive`, then a second run: every repository all original or all migrated, nothing of ours left', async () => {
  const cli = builtCli();
  const base = mkdtempSync(join(tmpdir(), 'k2b-kill-'));
  const tree = join(base, 'tree');
  try {
    // the migrated texts, from the library (the same migration the CLI runs)
    reset(tree, true);
    const migrated = new Map<string, string>();
    for (let i = 0; i < REPOS; i++) {
      const result = await migrateRepository(diskRepository(join(tree, name(i))));
      for (const f of result.files) if (f.changed) migrated.set(`${name(i)}/${f.path}`, f.output);
    }
    expect(migrated.size).toBe(REPOS * 2);

    const random = prng(18);
    const left: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      reset(tree);
      const when = trial % 4 === 3 ? { ms: Math.floor(random() * 3000) } : { after: Math.floor(random() * REPOS) };
      const end = await killedRun(cli, tree, when);
      // what the kill left: journals to settle
      left.push(
        Array.from({ length: REPOS }, (_, i) => existsSync(join(tree, name(i), JOURNAL_NAME))).filter(Boolean).length,
      );
      // (a run that ended before its moment came leaves a consistent tree all the same)
      expect(['SIGKILL', 'exit 0']).toContain(end);
      if (trial === TRIALS - 1) {
        // the last: a second run in write mode settles every repository and migrates what is left, to the end
        const last = spawnSync(process.execPath, [cli, 'migrate', '--recursive', '--no-sources', tree], {
          encoding: 'utf8',
        });
        expect(last.status).toBe(0);
        expect(consistent(tree, migrated)).toEqual({ original: 0, migrated: REPOS });
      } else if (trial % 4 === 0) {
        // the second run: the tool in check mode (it settles each repository before reading it; writes nothing)
        const again = spawnSync(process.execPath, [cli, 'migrate', '--recursive', '--check', '--no-sources', tree], {
          encoding: 'utf8',
        });
        expect([0, 1]).toContain(again.status);
        consistent(tree, migrated);
      } else {
        // the second run's first step (what every run does to a repository before reading it), through the library
        for (let i = 0; i < REPOS; i++) await recoverRepository(join(tree, name(i)));
        consistent(tree, migrated);
      }
    }
    // at least one kill came in the middle of a repository's write (a journal was left to settle)
    expect(left.some((n) => n > 0)).toBe(true);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}, 180_000);
