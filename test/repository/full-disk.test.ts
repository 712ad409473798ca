/**
 * Issue 18 item 1, the trial's reproduction: on a 96 KB tmpfs a 300-job file was cut where it still parsed, and the
 * run said "migrated", exit 0. The writer now checks the bytes on disk before the rename: exit 2, KB106 naming the
 * file, the original as it was, no file of the tool left. Needs root (mount); CI runs as root.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers.js';
import { slowPipeline } from '../support/slow-pipeline.js';
import { leftovers } from './write-helpers.js';

/** A 96 KB tmpfs mounted on a new folder, or why there is none. */
function smallDisk(): { dir: string } | { why: string } {
  if (process.getuid?.() !== 0) return { why: 'needs root (mount -t tmpfs)' };
  const dir = mkdtempSync(join(tmpdir(), 'k2b-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmdirSync(dir);
    return { why: `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}` };
  }
  return { dir };
}

const disk = smallDisk();
const run = 'dir' in disk ? describe : describe.skip;
const title = 'dir' in disk ? 'a full disk (96 KB tmpfs)' : `a full disk (96 KB tmpfs): skipped: ${disk.why}`;

afterAll(() => {
  if ('dir' in disk) {
    spawnSync('umount', [disk.dir]);
    rmdirSync(disk.dir);
  }
});

run(title, () => {
  test('a 300-job file whose migration does not fit: exit 2, KB106 naming the file, the original stays, nothing of ours left', async () => {
    const root = (disk as { dir: string }).dir;
    const text = slowPipeline(300);
    writeFileSync(join(root, '.gitlab-ci.yml'), text);
    writeFileSync(join(root, 'Dockerfile'), 'FROM alpine:3.20\n');
    // the migration is larger than the space left beside the original
    const dry = await runCli(['migrate', '--dry-run', '.'], { cwd: root });
    expect(dry.code).toBe(0);
    const r = await runCli(['migrate', '.'], { cwd: root });
    expect(r.stderr).toMatch(
      /^\.gitlab-ci\.yml {2}KB106 {2}error {3}cannot write: no space left on device \(ENOSPC\) \(the file is as it was\)/m,
    );
    expect(r.code).toBe(2);
    expect(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')).toBe(text);
    expect(leftovers(root)).toEqual([]);
    // and a check still says there is work to do
    const check = await runCli(['migrate', '--check', '.'], { cwd: root });
    expect(check.code).toBe(1);
  });
});
