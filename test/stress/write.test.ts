/** Writing: atomic, mode kept, and refused (KB107) when the file changed on disk between read and write. */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io.js';
import { runMigrate, type MigrateFlags, type MigrateHooks } from '../../src/cli/migrate.js';
import { DiskSource } from '../../src/pipeline/fs-source.js';
import type { FileSource } from '../../src/pipeline/load.js';
import { runCli, tempRepo } from '../helpers.js';
import { builtCli, DOCKERFILE, kanikoJob, plainJob } from './helpers.js';

const FLAGS: MigrateFlags = { format: 'text', failOn: 'manual' };

async function migrate(paths: string[], cwd: string, hooks: MigrateHooks) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => '',
    cwd,
    env: {},
    isTTY: false,
  };
  const code = await runMigrate(paths, FLAGS, io, { signals: false, ...hooks });
  return { code, stdout, stderr };
}

const SOMEONE_ELSE = '# edited by someone else during the run\n';

describe('writing', () => {
  test('a file changed on disk between read and write is not written (KB107), exit 2; other paths still are', async () => {
    const root = tempRepo({ '.gitlab-ci.yml': kanikoJob('build'), Dockerfile: DOCKERFILE });
    const other = tempRepo({ '.gitlab-ci.yml': kanikoJob('build'), Dockerfile: DOCKERFILE });
    const r = await migrate([root, other], root, {
      beforeWrite: (files) => {
        if (files[0]!.startsWith(root)) writeFileSync(join(root, '.gitlab-ci.yml'), SOMEONE_ELSE + kanikoJob('build'));
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB107 {2}error {3}the file changed on disk while it was being migrated: not written; run again/m,
    );
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(SOMEONE_ELSE + kanikoJob('build'));
    expect(readFileSync(join(other, '.gitlab-ci.yml'), 'utf8')).toContain('buildctl-daemonless.sh build');
  });

  test('a FileSource wrapper that changes the file right after reading it: KB107, nothing of the project written', async () => {
    const root = tempRepo({
      '.gitlab-ci.yml': `include: ci/build.yml\n${plainJob('test')}`,
      'ci/build.yml': kanikoJob('build'),
      Dockerfile: DOCKERFILE,
    });
    const entry = readFileSync(join(root, '.gitlab-ci.yml'), 'utf8');
    const source = (dir: string): FileSource => {
      const disk = new DiskSource(dir);
      return {
        exists: (p) => disk.exists(p),
        async read(p) {
          const text = await disk.read(p);
          if (p === '.gitlab-ci.yml') writeFileSync(join(dir, p), text + SOMEONE_ELSE); // a concurrent edit of a file that is not changed
          if (p === 'ci/build.yml') writeFileSync(join(dir, p), SOMEONE_ELSE + text);
          return text;
        },
      };
    };
    const r = await migrate(['.'], root, { source });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ci\/build\.yml {2}KB107 {2}error /m);
    expect(readFileSync(join(root, 'ci/build.yml'), 'utf8')).toBe(SOMEONE_ELSE + kanikoJob('build'));
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(entry + SOMEONE_ELSE);
  });

  test('when one file of a project changed on disk, no file of that project is written', async () => {
    const root = tempRepo({
      '.gitlab-ci.yml': `include: ci/build.yml\n${kanikoJob('build-a')}`,
      'ci/build.yml': kanikoJob('build-b'),
      Dockerfile: DOCKERFILE,
    });
    const r = await migrate(['.'], root, {
      beforeWrite: () => writeFileSync(join(root, 'ci/build.yml'), SOMEONE_ELSE),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB107 {2}error {3}not written: another file of this project changed on disk during the run/m,
    );
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(`include: ci/build.yml\n${kanikoJob('build-a')}`);
    expect(readFileSync(join(root, 'ci/build.yml'), 'utf8')).toBe(SOMEONE_ELSE);
  });

  test('a file deleted before the write is not recreated', async () => {
    const root = tempRepo({
      '.gitlab-ci.yml': `include: ci/build.yml\n${plainJob('test')}`,
      'ci/build.yml': kanikoJob('build'),
      Dockerfile: DOCKERFILE,
    });
    const { rmSync } = await import('node:fs');
    const r = await migrate(['.'], root, { beforeWrite: () => rmSync(join(root, 'ci/build.yml')) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^ci\/build\.yml {2}KB107 {2}error {3}cannot read it again before writing \(.*ENOENT.*\): not written/m,
    );
    expect(readdirSync(join(root, 'ci'))).toEqual([]);
  });

  test.each([0o600, 0o640, 0o755].map((m) => [m.toString(8), m] as const))(
    'the file mode %s is kept, and no temporary file is left',
    async (_, mode) => {
      const root = tempRepo({ '.gitlab-ci.yml': kanikoJob('build'), Dockerfile: DOCKERFILE });
      chmodSync(join(root, '.gitlab-ci.yml'), mode);
      const r = await runCli(['migrate', '.'], { cwd: root });
      expect(r.code).toBe(0);
      expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toContain('buildctl-daemonless.sh build');
      expect(statSync(join(root, '.gitlab-ci.yml')).mode & 0o777).toBe(mode);
      expect(readdirSync(root).sort()).toEqual(['.gitlab-ci.yml', 'Dockerfile']);
    },
  );

  test('a pipeline file that is a symbolic link inside the repository: the target is written, the link stays', async () => {
    const root = tempRepo({ 'ci/real.yml': kanikoJob('build'), Dockerfile: DOCKERFILE });
    symlinkSync('ci/real.yml', join(root, '.gitlab-ci.yml'));
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(lstatSync(join(root, '.gitlab-ci.yml')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(root, '.gitlab-ci.yml'))).toBe('ci/real.yml');
    expect(readFileSync(join(root, 'ci/real.yml'), 'utf8')).toContain('buildctl-daemonless.sh build');
  });

  // As root, the CLI runs as user 65534 (nobody) here: root may write into a read-only folder.
  test('a write that fails (a read-only folder) is reported and leaves the file as it was', async () => {
    const root = tempRepo({ '.gitlab-ci.yml': kanikoJob('build'), Dockerfile: DOCKERFILE });
    chmodSync(join(root, '.gitlab-ci.yml'), 0o666);
    chmodSync(root, 0o555);
    try {
      let code: number;
      let out: string;
      if (process.getuid?.() === 0) {
        const r = spawnSync(process.execPath, [builtCli(), 'migrate', '.'], {
          cwd: root,
          uid: 65534,
          gid: 65534,
          encoding: 'utf8',
          env: { PATH: process.env.PATH },
        });
        [code, out] = [r.status!, r.stdout + r.stderr];
      } else {
        const r = await runCli(['migrate', '.'], { cwd: root });
        [code, out] = [r.code, r.stdout + r.stderr];
      }
      expect(out).toMatch(
        /^\.gitlab-ci\.yml {2}KB106 {2}error {3}cannot write: permission denied \(the file is as it was\)/m,
      );
      expect(code).toBe(2);
      expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(kanikoJob('build'));
      expect(readdirSync(root).sort()).toEqual(['.gitlab-ci.yml', 'Dockerfile']);
    } finally {
      chmodSync(root, 0o755);
    }
  }, 60_000);
});
