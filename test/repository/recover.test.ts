/**
 * Issue 18 item 3: a write cut short leaves its journal, and the next run settles it before reading: cut before the
 * first rename, the temporary files go; half-way through the renames, the set is completed (every temporary file was
 * checked on disk before the first rename); half-way through undoing a failed write, the rollback is finished. Each
 * state is laid out here as a killed run leaves it (the kill -9 test, kill.test.ts, makes them for real).
 */
import { spawn, spawnSync } from 'node:child_process';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { migrateRepository } from '../../src/repository/migrate.js';
import { diskRepository } from '../../src/repository/source.js';
import { recoverRepository, writeRepository } from '../../src/repository/write.js';
import { JOURNAL_NAME, ourName } from '../../src/repository/names.js';
import type { Journal, JournalState } from '../../src/repository/journal.js';
import { runCli, tempRepo } from '../helpers.js';
import { DOCKERFILE, kanikoJob } from '../stress/helpers.js';
import { leftovers } from './write-helpers.js';

const ROOT_FILE = `include: ci/build.yml\n${kanikoJob('build-a')}`;
const TEMPLATE = kanikoJob('build-b');
const PATHS = ['.gitlab-ci.yml', 'ci/build.yml'];

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

/** The migrated texts of the two-file repository. */
async function migratedTexts(): Promise<Map<string, string>> {
  const root = tempRepo({ '.gitlab-ci.yml': ROOT_FILE, 'ci/build.yml': TEMPLATE, Dockerfile: DOCKERFILE });
  const result = await migrateRepository(diskRepository(root));
  return new Map(result.files.filter((f) => f.changed).map((f) => [f.path, f.output]));
}

/**
 * The repository as a run with `pid` killed in `state` leaves it: the journal, a temporary file and a backup per file;
 * in `renaming` and `rolling-back`, the first `renamed` files replaced.
 */
function killedIn(state: JournalState, migrated: Map<string, string>, pid: number, renamed = 1): string {
  const root = tempRepo({ '.gitlab-ci.yml': ROOT_FILE, 'ci/build.yml': TEMPLATE, Dockerfile: DOCKERFILE });
  const entries = PATHS.map((target) => ({
    target,
    temp: relative(root, ourName(join(root, target), 'tmp', pid)),
    backup: relative(root, ourName(join(root, target), 'orig', pid)),
  }));
  const journal: Journal = { tool: 'kaniko2buildkit', version: 1, pid, state, entries };
  writeFileSync(join(root, JOURNAL_NAME), JSON.stringify(journal));
  for (const e of entries) {
    writeFileSync(join(root, e.temp), migrated.get(e.target)!);
    linkSync(join(root, e.target), join(root, e.backup));
  }
  const done = state === 'staging' ? 0 : renamed;
  for (const e of entries.slice(0, done)) renameSync(join(root, e.temp), join(root, e.target));
  // a journal's own temporary file, left by a kill while the journal was being replaced
  writeFileSync(ourName(join(root, JOURNAL_NAME), 'tmp', pid), '{"tool":"kaniko2buildkit"');
  return root;
}

const texts = (root: string) => PATHS.map((p) => readFileSync(join(root, p), 'utf8'));

describe('recoverRepository', () => {
  let migrated: Map<string, string>;
  beforeAll(async () => {
    migrated = await migratedTexts();
  });

  test('cut short while staging: the temporary files and backups go, every file is as it was', async () => {
    const pid = deadPid();
    const root = killedIn('staging', migrated, pid);
    const notes = await recoverRepository(root);
    expect(notes.map((n) => [n.file, n.code, n.severity, n.message])).toEqual(
      PATHS.map((p) => [
        p,
        'KB114',
        'warning',
        `an earlier run (pid ${pid}) was interrupted before any file was replaced: its temporary files are removed; the file is as it was`,
      ]),
    );
    expect(texts(root)).toEqual([ROOT_FILE, TEMPLATE]);
    expect(leftovers(root)).toEqual([]);
  });

  test.each([1, 0, 2])(
    'cut short after %i rename(s): completed, both files migrated, nothing of ours left',
    async (renamed) => {
      const pid = deadPid();
      const root = killedIn('renaming', migrated, pid, renamed);
      expect(texts(root).filter((t, i) => t === migrated.get(PATHS[i]!))).toHaveLength(renamed);
      const notes = await recoverRepository(root);
      expect(notes.map((n) => [n.file, n.message])).toEqual(
        PATHS.map((p) => [
          p,
          `an earlier run (pid ${pid}) was interrupted half-way through replacing the files of this repository: completed, the file is migrated as that run staged and checked it`,
        ]),
      );
      expect(texts(root)).toEqual(PATHS.map((p) => migrated.get(p)));
      expect(leftovers(root)).toEqual([]);
    },
  );

  test('cut short while undoing a failed write: the rollback is finished, both files as they were', async () => {
    const pid = deadPid();
    const root = killedIn('rolling-back', migrated, pid, 1);
    const notes = await recoverRepository(root);
    for (const n of notes)
      expect(n.message).toMatch(/while it undid a failed write: rolled back, the file is as it was$/);
    expect(texts(root)).toEqual([ROOT_FILE, TEMPLATE]);
    expect(leftovers(root)).toEqual([]);
  });

  test('a file replaced by someone since the interrupted run is not overwritten when the set is completed', async () => {
    const root = killedIn('renaming', migrated, deadPid(), 1);
    const edited = `${TEMPLATE}# edited after the crash\n`;
    rmSync(join(root, 'ci/build.yml'));
    writeFileSync(join(root, 'ci/build.yml'), edited);
    const notes = await recoverRepository(root);
    expect(notes[1]).toMatchObject({
      file: 'ci/build.yml',
      message: expect.stringMatching(
        /this file was not settled: the file was changed or replaced since that run: left as it is$/,
      ),
    });
    expect(readFileSync(join(root, 'ci/build.yml'), 'utf8')).toBe(edited);
    expect(leftovers(root)).toEqual([]);
  });

  test('no journal: nothing to do, and files of ours left by a process that is gone are removed (a live one is not)', async () => {
    const root = tempRepo({ '.gitlab-ci.yml': ROOT_FILE, Dockerfile: DOCKERFILE });
    const stray = ourName(join(root, '.gitlab-ci.yml'), 'tmp', deadPid());
    const live = ourName(join(root, '.gitlab-ci.yml'), 'tmp', process.pid);
    writeFileSync(stray, 'half');
    writeFileSync(live, 'being written');
    expect(await recoverRepository(root)).toEqual([]);
    expect(leftovers(root)).toEqual([relative(root, live)]);
  });

  test("the journal of a run that is still going is left alone (and this run's write is refused meanwhile)", async () => {
    const child = spawn('sleep', ['30']);
    try {
      const root = killedIn('renaming', migrated, child.pid!);
      const before = leftovers(root).sort();
      const notes = await recoverRepository(root);
      expect(notes.map((n) => n.message)).toEqual([
        `another run of kaniko2buildkit (pid ${child.pid}) is writing this repository: its journal is left alone`,
      ]);
      expect(leftovers(root).sort()).toEqual(before);
      const result = await migrateRepository(diskRepository(root));
      const out = await writeRepository(root, result);
      expect(out.written).toEqual([]);
      expect(out.findings[0]!.message).toMatch(/another run of kaniko2buildkit is writing this repository/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a journal this tool did not write (a path outside the repository, names not ours) is left as it is and reported', async () => {
    for (const entries of [
      [{ target: '../outside.yml', temp: '../.outside.yml.k2b-tmp-1-0011223344556677', backup: '.gitlab-ci.yml' }],
      [{ target: '.gitlab-ci.yml', temp: 'Dockerfile', backup: 'ci/build.yml' }],
    ]) {
      const root = tempRepo({ '.gitlab-ci.yml': ROOT_FILE, 'ci/build.yml': TEMPLATE, Dockerfile: DOCKERFILE });
      const journal = { tool: 'kaniko2buildkit', version: 1, pid: deadPid(), state: 'renaming', entries };
      writeFileSync(join(root, JOURNAL_NAME), JSON.stringify(journal));
      const notes = await recoverRepository(root);
      expect(notes.map((n) => [n.file, n.code, n.message])).toEqual([
        [
          JOURNAL_NAME,
          'KB114',
          `${JOURNAL_NAME} cannot be read as a journal of this tool: left as it is (no file of this repository is written while it is there); remove it`,
        ],
      ]);
      expect(texts(root)).toEqual([ROOT_FILE, TEMPLATE]);
      expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
    }
  });

  test('`migrate` on a repository cut short half-way: completed, and the report says so (KB114)', async () => {
    const pid = deadPid();
    const root = killedIn('renaming', migrated, pid);
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^ci/build\\.yml {2}KB114 {2}warning {1}an earlier run \\(pid ${pid}\\) was interrupted half-way`,
        'm',
      ),
    );
    expect(texts(root)).toEqual(PATHS.map((p) => migrated.get(p)));
    expect(leftovers(root)).toEqual([]);
  });

  test('`migrate --recursive --dry-run` settles it too: the repository is never read half-written', async () => {
    const root = killedIn('staging', migrated, deadPid());
    const r = await runCli(['migrate', '--recursive', '--dry-run', '--format', 'json', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('KB114');
    expect(texts(root)).toEqual([ROOT_FILE, TEMPLATE]);
    expect(leftovers(root)).toEqual([]);
  });
});
