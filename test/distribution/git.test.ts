/**
 * Installing from a git URL. npm clones the repository, runs `npm install` in the clone (because the package has a
 * prepack script), which runs the root's postprepare, `npm run build`, and packs the clone's files: dist/ must be
 * in that tarball although git does not hold it. The README's route is `npm pack git+https://…` followed by
 * `npm install -g ./kaniko2buildkit-*.tgz`; this runs the first step on a bare clone of this repository's HEAD
 * (`git+file://`, the same fetcher as https), offline from the npm cache `npm ci` filled. What is committed is tested,
 * not the working tree. About 45 s: the clone's `npm install` is a full one, dev dependencies included.
 *
 * Skipped with a console message when the repository is not a git checkout, git is missing, or npm cannot install
 * offline here (ENOTCACHED).
 */
import type { SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmEnv, run as runCommand } from './support.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const run = (cmd: string, args: string[], cwd: string) => runCommand(cmd, args, cwd, npmEnv(), 300000);

const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-git-')));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

let skip: string | undefined;
let packed: SpawnSyncReturns<string> | undefined;
let head: SpawnSyncReturns<string> | undefined;
try {
  head = run('git', ['rev-parse', 'HEAD'], REPO);
} catch {
  head = undefined; // no git
}
if (!head || head.status !== 0) skip = 'this is not a git checkout (or git is missing)';
else {
  const bare = path.join(work, 'kaniko2buildkit.git');
  const clone = run('git', ['clone', '-q', '--bare', REPO, bare], work);
  if (clone.status !== 0) throw new Error(`git clone --bare failed: ${clone.stderr}`);
  const spec = `git+file://${bare}#${head.stdout.trim()}`;
  packed = run('npm', ['pack', spec, '--offline', '--json', '--pack-destination', work], work);
  if (packed.status !== 0 && /ENOTCACHED/.test(packed.stdout + packed.stderr))
    skip = 'npm cannot install the dev dependencies offline here (ENOTCACHED)';
}
if (skip) console.warn(`distribution/git: SKIPPED: ${skip}`);
const maybe = skip ? test.skip : test;

maybe('npm pack git+URL builds dist/ in the clone and packs it, with no install script', () => {
  const r = packed!;
  if (r.status !== 0) throw new Error(`npm pack of the git URL failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const info = JSON.parse(r.stdout) as [{ filename: string; files: { path: string }[] }];
  const files = info[0].files.map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(['bin/kaniko2buildkit.js', 'dist/cli/main.js', 'dist/index.d.ts']));
  const unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  const tar = run('tar', ['-xzf', path.join(work, path.basename(info[0].filename)), '-C', unpacked], work);
  expect(tar.status).toBe(0);
  const pkg = JSON.parse(fs.readFileSync(path.join(unpacked, 'package', 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts?.[s]).toBeUndefined();
  // the build is the one the clone made from the committed sources
  expect(fs.readFileSync(path.join(unpacked, 'package', 'dist', 'cli', 'main.js'), 'utf8')).toContain('export');
});
