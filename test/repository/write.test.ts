/**
 * Issue 18, items 1–4: the repository writer stages every file beside it, checks the bytes on disk, renames them
 * together under a journal, refuses a link swapped in, and writes nothing of a repository with an error. Each test is
 * one of the trial's reproductions (the full disk and the kill -9 have files of their own: full-disk.test.ts,
 * kill.test.ts).
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateRepository } from '../../src/repository/migrate.js';
import { diskRepository } from '../../src/repository/source.js';
import { writeBlockers, writeRepository } from '../../src/repository/write.js';
import { JOURNAL_NAME } from '../../src/repository/names.js';
import { leftovers } from './write-helpers.js';
import type { FileResult } from '../../src/project/plan.js';
import { finding } from '../../src/findings/finding.js';
import { runCli, tempRepo } from '../helpers.js';
import { builtCli, DOCKERFILE, kanikoJob, plainJob } from '../stress/helpers.js';

const ROOT_FILE = `include: ci/build.yml\n${kanikoJob('build-a')}`;
const TEMPLATE = kanikoJob('build-b');

/** A repository whose migration changes two files: the root file and the template it includes. */
function twoFiles(): string {
  return tempRepo({ '.gitlab-ci.yml': ROOT_FILE, 'ci/build.yml': TEMPLATE, Dockerfile: DOCKERFILE });
}

async function planned(root: string) {
  const result = await migrateRepository(diskRepository(root));
  expect(result.files.filter((f) => f.changed).map((f) => f.path)).toEqual(['.gitlab-ci.yml', 'ci/build.yml']);
  return result;
}

function unchanged(root: string): void {
  expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(ROOT_FILE);
  expect(readFileSync(join(root, 'ci/build.yml'), 'utf8')).toBe(TEMPLATE);
  expect(leftovers(root)).toEqual([]);
}

describe('item 1: the bytes on disk are checked before the rename', () => {
  test('a write that reports every byte written but leaves fewer on disk (a silently short write): KB106 naming the file, the original stays, no temporary file', async () => {
    const root = twoFiles();
    const result = await planned(root);
    const out = await writeRepository(root, result, {
      io: {
        // what a full disk did to write-file-atomic: the call says it wrote `length`, half of it reached the file
        write: async (handle, buffer, offset, length) => {
          await handle.write(buffer, offset, Math.ceil(length / 2));
          return { bytesWritten: length };
        },
      },
    });
    expect(out.written).toEqual([]);
    expect(out.findings.map((f) => [f.file, f.code, f.message])).toEqual([
      [
        '.gitlab-ci.yml',
        'KB106',
        expect.stringMatching(
          /^cannot write: the file on disk holds \d+ bytes, not the \d+ written \(the file is as it was\)$/,
        ),
      ],
      [
        'ci/build.yml',
        'KB106',
        'not written: another file of this repository could not be written (the file is as it was)',
      ],
    ]);
    unchanged(root);
  });

  test('a write that makes no progress (0 bytes) or fails with ENOSPC on the second file: nothing of the repository written', async () => {
    for (const fail of [
      async () => ({ bytesWritten: 0 }),
      async (): Promise<{ bytesWritten: number }> => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    ]) {
      const root = twoFiles();
      const result = await planned(root);
      const out = await writeRepository(root, result, {
        io: {
          // the root file is staged whole; the template's writes fail
          write: async (handle, buffer, offset, length) =>
            buffer.includes('build-b') ? fail() : handle.write(buffer, offset, length),
        },
      });
      expect(out.written).toEqual([]);
      const [second, first] = out.findings; // the file that failed first
      expect(second).toMatchObject({ file: 'ci/build.yml', code: 'KB106' });
      expect(second!.message).toMatch(
        /^cannot write: (short write: 0 of \d+ bytes went out \(is the disk full\?\)|no space left on device \(ENOSPC\)) \(the file is as it was\)$/,
      );
      expect(first).toMatchObject({ file: '.gitlab-ci.yml', code: 'KB106' });
      expect(first!.message).toMatch(/^not written: another file of this repository could not be written/);
      unchanged(root);
    }
  });

  test('a write that goes out in small pieces is completed (partial writes are looped on)', async () => {
    const root = twoFiles();
    const result = await planned(root);
    const out = await writeRepository(root, result, {
      io: { write: (handle, buffer, offset, length) => handle.write(buffer, offset, Math.min(length, 7)) },
    });
    expect(out.findings).toEqual([]);
    expect(out.written).toEqual(['.gitlab-ci.yml', 'ci/build.yml']);
    for (const f of result.files) expect(readFileSync(join(root, f.path), 'utf8')).toBe(f.output);
    expect(leftovers(root)).toEqual([]);
  });

  test('mode and owner are kept, and the file is replaced (a new inode), not rewritten in place', async () => {
    const root = twoFiles();
    chmodSync(join(root, 'ci/build.yml'), 0o640);
    const before = statSync(join(root, 'ci/build.yml'));
    const result = await planned(root);
    const out = await writeRepository(root, result);
    expect(out.findings).toEqual([]);
    const after = statSync(join(root, 'ci/build.yml'));
    expect(after.mode & 0o7777).toBe(0o640);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
    expect(after.ino).not.toBe(before.ino);
    expect(leftovers(root)).toEqual([]);
  });
});

describe('item 2: a repository is written all or nothing', () => {
  test('the second rename fails: the first file, already renamed, is rolled back; KB106 names the file', async () => {
    const root = twoFiles();
    const result = await planned(root);
    const { rename } = await import('node:fs/promises');
    const out = await writeRepository(root, result, {
      io: {
        rename: async (from, to) => {
          if (to.endsWith('/ci/build.yml'))
            throw Object.assign(new Error("EACCES: permission denied, rename '…'"), { code: 'EACCES' });
          return rename(from, to);
        },
      },
    });
    expect(out.written).toEqual([]);
    expect(out.findings.map((f) => [f.file, f.code, f.message])).toEqual([
      ['ci/build.yml', 'KB106', 'cannot write: permission denied (the file is as it was)'],
      [
        '.gitlab-ci.yml',
        'KB106',
        'not written: another file of this repository could not be written (the file is as it was)',
      ],
    ]);
    unchanged(root);
  });

  // As root, the CLI runs as user 65534 (nobody) here: root may write into a read-only folder.
  test('the reproduction: the included template cannot be written (a read-only folder), so the root file is not written either; exit 2', () => {
    const root = twoFiles();
    chmodSync(root, 0o777);
    for (const f of ['.gitlab-ci.yml', 'ci/build.yml', 'Dockerfile']) chmodSync(join(root, f), 0o666);
    chmodSync(join(root, 'ci'), 0o555);
    try {
      const asRoot = process.getuid?.() === 0;
      const r = spawnSync(process.execPath, [builtCli(), 'migrate', '.'], {
        cwd: root,
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      expect(r.stderr).toMatch(
        /^ci\/build\.yml {2}KB106 {2}error {3}cannot write: permission denied \(the file is as it was\)/m,
      );
      expect(r.stderr).toMatch(
        /^\.gitlab-ci\.yml {2}KB106 {2}error {3}not written: another file of this repository could not be written/m,
      );
      expect(r.status).toBe(2);
      unchanged(root);
    } finally {
      chmodSync(join(root, 'ci'), 0o755);
    }
  }, 180_000);

  const blocked: [string, Record<string, string>, RegExp][] = [
    [
      'KB104 (an include outside the repository)',
      { '.gitlab-ci.yml': `include: ../outside.yml\n${kanikoJob('build')}` },
      /KB104/,
    ],
    [
      'KB108 (an include cycle)',
      {
        '.gitlab-ci.yml': `include: ci/a.yml\n${kanikoJob('build')}`,
        'ci/a.yml': `include: .gitlab-ci.yml\n${plainJob('test')}`,
      },
      /KB108/,
    ],
  ];
  test.each(blocked)('a repository with %s is not written at all; exit 2', async (_, files, code) => {
    const root = tempRepo({ ...files, Dockerfile: DOCKERFILE });
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(code);
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB115 {2}error {3}not written: this repository has an error \(.*KB10[48] .*\); nothing of it is written/m,
    );
    for (const [path, text] of Object.entries(files)) expect(readFileSync(join(root, path), 'utf8')).toBe(text);
    expect(leftovers(root)).toEqual([]);
  });

  test('KB105 on one job ("self-check failed, nothing written"): no job of the repository is written, so the message is true', async () => {
    const root = twoFiles();
    const result = await planned(root);
    // the self-check refused a job of the template; the other jobs' edits are in the result, as migrateSource leaves them
    const refused = finding(
      'KB105',
      'self-check failed, nothing written: an executor call is still there after the edit',
      {
        file: 'ci/build.yml',
        line: 0,
        job: 'build-b',
      },
    );
    result.files[0]!.findings.push(refused);
    expect(writeBlockers(result).map((f) => [f.file, f.code])).toEqual([
      ['.gitlab-ci.yml', 'KB115'],
      ['ci/build.yml', 'KB115'],
    ]);
    const out = await writeRepository(root, result);
    expect(out.written).toEqual([]);
    expect(out.findings[0]!.message).toBe(
      'not written: this repository has an error (ci/build.yml: KB105 self-check failed, nothing written: an executor call is still there after the edit); nothing of it is written',
    );
    unchanged(root);
  });

  test('a file that failed to read (a `failed` entry) blocks the write of the others', async () => {
    const root = twoFiles();
    const result = await planned(root);
    const { InputError } = await import('../../src/pipeline/source.js');
    const blockedBy = {
      ...result,
      failed: [{ path: 'ci/x.yml', error: new InputError('ci/x.yml', 3, 1, 'bad', 'KB101') }],
    };
    const out = await writeRepository(root, blockedBy);
    expect(out.written).toEqual([]);
    expect(out.findings.map((f) => f.message)).toEqual([
      'not written: this repository has an error (ci/x.yml:3:1: KB101 bad); nothing of it is written',
      'not written: this repository has an error (ci/x.yml:3:1: KB101 bad); nothing of it is written',
    ]);
    unchanged(root);
  });
});

describe('item 4: a symbolic link swapped in after the read is not followed', () => {
  function outsideCopy(text: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'k2b-outside-'));
    writeFileSync(join(dir, 'victim.yml'), text);
    return join(dir, 'victim.yml');
  }

  test('between the read and the write (the same text outside): KB107, nothing of the repository written, the outside file untouched', async () => {
    const root = twoFiles();
    const victim = outsideCopy(ROOT_FILE);
    const result = await planned(root);
    const out = await writeRepository(root, result, {
      beforeWrite: () => {
        rmSync(join(root, '.gitlab-ci.yml'));
        symlinkSync(victim, join(root, '.gitlab-ci.yml'));
      },
    });
    expect(out.written).toEqual([]);
    expect(out.findings.map((f) => [f.file, f.code, f.message])).toEqual([
      [
        '.gitlab-ci.yml',
        'KB107',
        `it now leads outside the repository (a symbolic link to ${victim}): not written; run again`,
      ],
      ['ci/build.yml', 'KB107', 'not written: another file of this project changed on disk during the run; run again'],
    ]);
    expect(readFileSync(victim, 'utf8')).toBe(ROOT_FILE);
    expect(readFileSync(join(root, 'ci/build.yml'), 'utf8')).toBe(TEMPLATE);
    expect(leftovers(root)).toEqual([]);
  });

  test('at the last moment, after staging (a link to the same text inside or outside): KB107, nothing renamed', async () => {
    for (const inside of [false, true]) {
      const root = twoFiles();
      const victim = inside ? join(root, 'ci/copy.yml') : outsideCopy(TEMPLATE);
      if (inside) writeFileSync(victim, TEMPLATE);
      const result = await planned(root);
      const out = await writeRepository(root, result, {
        beforeRename: () => {
          rmSync(join(root, 'ci/build.yml'));
          symlinkSync(victim, join(root, 'ci/build.yml'));
        },
      });
      expect(out.written).toEqual([]);
      expect(out.findings.map((f) => [f.file, f.code, f.message])).toEqual([
        ['ci/build.yml', 'KB107', 'it was replaced by a symbolic link after it was read: not written; run again'],
        [
          '.gitlab-ci.yml',
          'KB107',
          'not written: another file of this project changed on disk during the run; run again',
        ],
      ]);
      expect(readFileSync(victim, 'utf8')).toBe(TEMPLATE);
      expect(lstatSync(join(root, 'ci/build.yml')).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(ROOT_FILE);
      expect(leftovers(root)).toEqual([]);
    }
  });

  test('a file replaced by another one (a new inode, same text) after the staging: KB107', async () => {
    const root = twoFiles();
    const result = await planned(root);
    const out = await writeRepository(root, result, {
      beforeRename: () => {
        rmSync(join(root, 'ci/build.yml'));
        writeFileSync(join(root, 'ci/build.yml'), TEMPLATE);
      },
    });
    expect(out.written).toEqual([]);
    expect(out.findings[0]).toMatchObject({
      file: 'ci/build.yml',
      code: 'KB107',
      message: 'it was replaced by another file after it was read: not written; run again',
    });
    unchanged(root);
  });

  test('a pipeline file that was a link inside the repository at read time is still written through to its target', async () => {
    const root = tempRepo({ 'ci/real.yml': kanikoJob('build'), Dockerfile: DOCKERFILE });
    symlinkSync('ci/real.yml', join(root, '.gitlab-ci.yml'));
    const result = await migrateRepository(diskRepository(root));
    const out = await writeRepository(root, result);
    expect(out.findings).toEqual([]);
    expect(lstatSync(join(root, '.gitlab-ci.yml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, 'ci/real.yml'), 'utf8')).toContain('buildctl-daemonless.sh build');
    expect(leftovers(root)).toEqual([]);
  });
});

/** The changed files of a result, for a hand-made one. */
export function changedFile(path: string, original: string, output: string): FileResult {
  return { path, original, output, changed: true, edits: [], findings: [] };
}

test('the journal is gone after a write, and a second write of the same repository while one runs is refused', async () => {
  const root = twoFiles();
  const result = await planned(root);
  let inner: Awaited<ReturnType<typeof writeRepository>> | undefined;
  const out = await writeRepository(root, result, {
    beforeRename: async () => {
      expect(existsSync(join(root, JOURNAL_NAME))).toBe(true);
      inner = await writeRepository(root, { files: [changedFile('Dockerfile', DOCKERFILE, 'FROM scratch\n')] });
    },
  });
  expect(out.written).toEqual(['.gitlab-ci.yml', 'ci/build.yml']);
  expect(inner!.written).toEqual([]);
  expect(inner!.findings[0]!.message).toMatch(
    /^cannot write: another run of kaniko2buildkit is writing this repository \(\.kaniko2buildkit-journal\.json is there\)/,
  );
  expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  expect(leftovers(root)).toEqual([]);
});
