/**
 * The known-difference matchers are honest: each attaches its code to the shape it describes and to nothing that
 * only looks like it (another field differing too, the other direction, a User that does not own the file, no ARG
 * in the history, a directory that is not a volume). Images are built in memory.
 */
import { configDifferences, filesystemDifferences } from '../../src/compare/diff.js';
import { explainDifferences } from '../../src/compare/explain.js';
import { flatten } from '../../src/compare/filesystem.js';
import type { ImageConfig, LoadedImage } from '../../src/compare/image.js';
import type { LayerEntry } from '../../src/compare/layer.js';

const PASSWD = 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n';

function entry(path: string, extra: Partial<LayerEntry> = {}): LayerEntry {
  const type = extra.type ?? 'file';
  return { path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, size: 0, ...extra };
}

function image(top: LayerEntry[], config: ImageConfig['config'] = {}, history: string[] = []): LoadedImage {
  return {
    manifest: { digest: 'sha256:x', mediaType: '', config: { digest: 'sha256:c' }, layers: [] },
    config: { config, history: history.map((created_by) => ({ created_by })) },
    fs: flatten([[entry('etc', { type: 'dir' }), entry('etc/passwd', { text: PASSWD })], top]),
  };
}

/** `[path, code]` of every difference between the two images. */
function codes(a: LoadedImage, b: LoadedImage): [string, string | undefined][] {
  const diffs = [...configDifferences(a.config, b.config), ...filesystemDifferences(a.fs, b.fs)];
  return explainDifferences(diffs, a, b).map((d) => [d.path, d.code]);
}

const owned = (uid: number, extra: Partial<LayerEntry> = {}) => entry('app/f', { uid, gid: uid, ...extra });

test('KB701 COPY ownership: only owner fields, A owned by the User (a name or a uid), B by root', () => {
  expect(codes(image([owned(1000)], { User: 'app' }), image([owned(0)], { User: 'app' }))).toEqual([
    ['/app/f', 'KB701'],
  ]);
  expect(codes(image([owned(1000)], { User: '1000:1000' }), image([owned(0)]))).toEqual([
    ['User', undefined],
    ['/app/f', 'KB701'],
  ]);
  // the mode differs too: not only ownership
  expect(codes(image([owned(1000, { mode: 0o600 })], { User: 'app' }), image([owned(0)], { User: 'app' }))).toEqual([
    ['/app/f', undefined],
  ]);
  // the User is root, or another user, or unknown to /etc/passwd
  for (const User of ['', 'nobody', '2000'])
    expect(codes(image([owned(1000)], { User }), image([owned(0)], { User }))).toEqual([['/app/f', undefined]]);
  // the other direction
  expect(codes(image([owned(0)], { User: 'app' }), image([owned(1000)], { User: 'app' }))).toEqual([
    ['/app/f', undefined],
  ]);
});

test('KB703 WORKDIR parents: a parent of the WorkingDir, root in A, the User in B', () => {
  const cfg = { User: 'app', WorkingDir: '/srv/app' };
  const dirs = (uid: number) => [
    entry('srv', { type: 'dir', uid, gid: uid }),
    entry('srv/app', { type: 'dir', uid: 1000, gid: 1000 }),
  ];
  expect(codes(image(dirs(0), cfg), image(dirs(1000), cfg))).toEqual([['/srv', 'KB703']]);
  expect(codes(image(dirs(1000), cfg), image(dirs(0), cfg))).toEqual([['/srv', undefined]]);
  const elsewhere = { ...cfg, WorkingDir: '/work' };
  expect(codes(image(dirs(0), elsewhere), image(dirs(1000), elsewhere))).toEqual([['/srv', undefined]]);
});

test('KB702 implicit parents: a directory differing only in mode, written with what it holds', () => {
  const tool = (mode: number) => [entry('opt', { type: 'dir', mode }), entry('opt/bin')];
  expect(codes(image(tool(0o700)), image(tool(0o755)))).toEqual([['/opt', 'KB702']]);
  // written by another layer than anything under it: not the parent a step created
  const a = image([entry('opt', { type: 'dir', mode: 0o700 })]);
  const b = image([entry('opt', { type: 'dir', mode: 0o755 })]);
  expect(codes(a, b)).toEqual([['/opt', undefined]]);
});

test('KB704 ENV and ARG: only when a history declares the ARG of that name', () => {
  const env = (v: string) => ({ Env: [`MODE=${v}`] });
  expect(codes(image([], env('prod'), ['ARG MODE=dev']), image([], env('dev')))).toEqual([['Env MODE', 'KB704']]);
  expect(codes(image([], env('prod'), ['ARG MODEL=dev']), image([], env('dev')))).toEqual([['Env MODE', undefined]]);
  expect(codes(image([], env('prod')), image([], env('dev')))).toEqual([['Env MODE', undefined]]);
});

test('KB705 VOLUME: a directory only in A that is (the parent of) one of its volumes', () => {
  const volumes = { Volumes: { '/data/db': {} } };
  expect(codes(image([entry('data', { type: 'dir' })], volumes), image([], volumes))).toEqual([['/data', 'KB705']]);
  expect(codes(image([entry('data', { type: 'dir' })]), image([]))).toEqual([['/data', undefined]]);
  // only in B: Kaniko is the one that mkdirs
  expect(codes(image([], volumes), image([entry('data', { type: 'dir' })], volumes))).toEqual([['/data', undefined]]);
});
