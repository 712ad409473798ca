/**
 * `compare` against a REAL registry: Debian's `docker-registry` on 127.0.0.1 without auth, and the images the test
 * assembles itself (tar layers made with tar-stream, pushed through the distribution API). Each case plants known
 * differences between image A and image B, and `compare --format json` must report exactly those: the whole list of
 * differences and of expected differences is asserted, so a difference too many fails as much as one missing.
 *
 * Skipped, with a console message, when docker-registry is not installed (.ci/run installs it as root).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { runCli } from '../helpers.js';
import { Pusher, pushImage, pushIndex, tarLayer, type Descriptor, type TestEntry } from '../support/oci-push.js';
import { REGISTRY_BIN, startRegistry, type Registry } from '../support/registry.js';

const present = fs.existsSync(REGISTRY_BIN);
if (!present)
  console.warn(`compare real-registry: SKIPPED, needs ${REGISTRY_BIN} (apt-get install docker-registry; .ci/run does)`);
const maybe = present ? describe : describe.skip;

export const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n';

/** The base image's layer: /etc, /bin/sh, /app/old.txt, /cache/a. */
export const baseLayer = (): Promise<Buffer> =>
  tarLayer([
    { name: 'etc', type: 'directory' },
    { name: 'etc/passwd', content: PASSWD },
    { name: 'etc/group', content: 'root:x:0:\napp:x:1000:\n' },
    { name: 'bin', type: 'directory' },
    { name: 'bin/sh', content: '#!/fake/shell\n', mode: 0o755 },
    { name: 'app', type: 'directory' },
    { name: 'app/old.txt', content: 'old\n' },
    { name: 'cache', type: 'directory' },
    { name: 'cache/a', content: 'a\n' },
  ]);

interface AppOptions {
  runMode?: number;
  dataOwner?: number;
  otherOwner?: number;
  link?: string;
  data?: string;
  mtime?: number;
}

/** The application's layer (what a COPY writes): /app/run.sh, data.txt, other.txt, current → v1, v1/, v2/. */
const appLayer = (o: AppOptions = {}): Promise<Buffer> => {
  const t = o.mtime !== undefined ? { mtime: o.mtime } : {};
  const entries: TestEntry[] = [
    { name: 'app/run.sh', content: 'echo run\n', mode: o.runMode ?? 0o755, ...t },
    { name: 'app/data.txt', content: o.data ?? 'data\n', uid: o.dataOwner ?? 0, gid: o.dataOwner ?? 0, ...t },
    { name: 'app/other.txt', content: 'other\n', uid: o.otherOwner ?? 0, gid: o.otherOwner ?? 0, ...t },
    { name: 'app/current', type: 'symlink', linkname: o.link ?? 'v1', ...t },
    { name: 'app/v1', type: 'directory', ...t },
    { name: 'app/v2', type: 'directory', ...t },
  ];
  return tarLayer(entries);
};

interface Json {
  platforms: {
    platform: string;
    differences: { area: string; path: string; change: string; fields: object[]; code?: string; explain?: string }[];
    expected: { kind: string; code: string; summary: string; count?: number; examples?: string[] }[];
  }[];
  same: boolean;
  blobsRead: number;
}

maybe('compare against a real docker-registry', () => {
  let reg: Registry;
  let p: Pusher;
  const ref = (name: string) => `${reg.host}/${name}`;
  const compare = async (a: string, b: string, ...flags: string[]) => {
    const r = await runCli(['compare', '--format', 'json', ...flags, ref(a), ref(b)], {
      env: { HOME: '/nonexistent' },
    });
    if (r.code === 2) throw new Error(r.stderr);
    return { code: r.code, json: JSON.parse(r.stdout) as Json, stderr: r.stderr };
  };
  /** Each platform's differences without their explanation text (asserted apart), and expected kinds. */
  const only = (j: Json) => j.platforms.map((x) => x.differences.map(({ explain: _e, ...d }) => d));
  /** A path in both images that differs in `fields`. */
  const changed = (path: string, fields: object[], code?: string) => ({
    area: 'filesystem',
    path,
    change: 'changed',
    fields,
    ...(code ? { code } : {}),
  });
  const layersExpected = (summary: string) => ({ kind: 'layers', code: 'KB707', summary, count: 0 });

  beforeAll(async () => {
    reg = await startRegistry([], 15000, { auth: 'none' });
    p = new Pusher(reg.host);
    const base = await baseLayer();
    const app = await appLayer();
    await pushImage(p, 'same-a', '1', { layers: [base, app] });
    await pushImage(p, 'same-b', '1', { layers: [base, app] });
    await pushImage(p, 'app', 'plain', { layers: [base, app] });
    await pushImage(p, 'app', 'mode', { layers: [base, await appLayer({ runMode: 0o644 })] });
    await pushImage(p, 'app', 'link', { layers: [base, await appLayer({ link: 'v2' })] });
    await pushImage(p, 'app', 'touched', { layers: [base, await appLayer({ mtime: 1800000000 })] });
    const upper = await tarLayer([{ name: 'app/.wh.old.txt' }, { name: 'cache/.wh..wh..opq' }, { name: 'cache/b' }]);
    await pushImage(p, 'app', 'whiteout', { layers: [base, app, upper] });
    await pushImage(p, 'app', 'env-a', { layers: [base, app], config: { Env: ['PATH=/bin', 'A=1'] } });
    await pushImage(p, 'app', 'env-b', { layers: [base, app], config: { Env: ['PATH=/bin', 'A=1', 'EXTRA=1'] } });
    const user = { User: 'app' };
    await pushImage(p, 'app', 'owner-a', {
      layers: [base, await appLayer({ dataOwner: 1000, otherOwner: 2000 })],
      config: user,
    });
    await pushImage(p, 'app', 'owner-b', { layers: [base, app], config: user });
  }, 60000);
  afterAll(async () => reg?.stop());

  test('the same files in two repositories: nothing reported, exit 0, each shared blob fetched once', async () => {
    const before = reg.log().length;
    const r = await compare('same-a:1', 'same-b:1');
    expect(r.code).toBe(0);
    expect(r.json.same).toBe(true);
    expect(r.json.platforms).toEqual([
      expect.objectContaining({ platform: 'linux/amd64', differences: [], expected: [] }),
    ]);
    expect(r.json.blobsRead).toBe(2);
    // the registry's access log: each layer blob GET once, though both images hold both layers
    const layers = [await baseLayer(), await appLayer()].map(
      (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`,
    );
    const gets = () =>
      [
        ...reg
          .log()
          .slice(before)
          .matchAll(/"GET \/v2\/[^ ]+\/blobs\/(sha256:[0-9a-f]{64})/g),
      ].map((m) => m[1]);
    // the registry writes its access log after the answer: wait for the lines, then a little longer for any more
    for (let i = 0; i < 50 && !layers.every((d) => gets().includes(d)); i++)
      await new Promise((w) => setTimeout(w, 100));
    await new Promise((w) => setTimeout(w, 300));
    for (const d of layers) expect(gets().filter((g) => g === d)).toHaveLength(1);
    const text = await runCli(['compare', ref('same-a:1'), ref('same-b:1')], { env: {} });
    expect(text.stdout).toContain('no difference');
    expect(text.stdout).toMatch(/0 differences, 0 expected differences: the images are the same\n$/);
  });

  test("one file's mode differs", async () => {
    const r = await compare('app:plain', 'app:mode');
    expect(r.code).toBe(1);
    expect(only(r.json)).toEqual([[changed('/app/run.sh', [{ field: 'mode', a: '0755', b: '0644' }])]]);
    expect(r.json.platforms[0]!.expected).toEqual([layersExpected('layers: 2 → 2, 1 shared')]);
  });

  test('ownership differs: explained as COPY ownership only where the config User owns the file in A', async () => {
    const r = await compare('app:owner-a', 'app:owner-b');
    expect(r.code).toBe(1);
    const fields = (owner: number) => [
      { field: 'uid', a: owner, b: 0 },
      { field: 'gid', a: owner, b: 0 },
    ];
    expect(only(r.json)).toEqual([
      [
        changed('/app/data.txt', fields(1000), 'KB701'),
        // uid 2000 is not the User's: the same shape otherwise, so no explanation
        changed('/app/other.txt', fields(2000)),
      ],
    ]);
    expect(r.json.platforms[0]!.differences[0]!.explain).toBe(
      'COPY ownership: Kaniko copied as USER app (uid 1000, gid 1000), BuildKit as root — add `--chown=app` to the ' +
        'COPY/ADD that writes /app/data.txt if it should belong to app',
    );
    // the reversed comparison has not the shape (B's owner is not root): nothing explained
    const back = await compare('app:owner-b', 'app:owner-a');
    expect(back.json.platforms[0]!.differences.map((d) => d.code)).toEqual([undefined, undefined]);
  });

  test('a whiteout and an opaque directory in an upper layer of B', async () => {
    const r = await compare('app:plain', 'app:whiteout');
    expect(r.code).toBe(1);
    expect(only(r.json)).toEqual([
      [
        {
          area: 'filesystem',
          path: '/app/old.txt',
          change: 'removed',
          fields: [{ field: 'entry', a: expect.objectContaining({ type: 'file', size: 4 }) }],
        },
        {
          area: 'filesystem',
          path: '/cache/a',
          change: 'removed',
          fields: [{ field: 'entry', a: expect.objectContaining({ type: 'file', size: 2 }) }],
        },
        {
          area: 'filesystem',
          path: '/cache/b',
          change: 'added',
          fields: [{ field: 'entry', b: expect.objectContaining({ type: 'file', size: 0 }) }],
        },
      ],
    ]);
    expect(r.json.platforms[0]!.expected).toEqual([
      { kind: 'history', code: 'KB707', summary: 'history: 2 entries → 3' },
      { ...layersExpected('layers: 2 → 3, 2 shared'), count: 1 },
    ]);
  });

  test('an extra ENV', async () => {
    const r = await compare('app:env-a', 'app:env-b');
    expect(r.code).toBe(1);
    expect(only(r.json)).toEqual([
      [{ area: 'config', path: 'Env EXTRA', change: 'added', fields: [{ field: 'value', b: '1' }] }],
    ]);
    expect(r.json.platforms[0]!.expected).toEqual([]);
  });

  test('a symlink retargeted', async () => {
    const r = await compare('app:plain', 'app:link');
    expect(r.code).toBe(1);
    expect(only(r.json)).toEqual([[changed('/app/current', [{ field: 'linkname', a: 'v1', b: 'v2' }])]]);
  });

  test('timestamps only: expected differences, exit 0; exit 1 with --strict', async () => {
    const r = await compare('app:plain', 'app:touched');
    expect(r.code).toBe(0);
    expect(only(r.json)).toEqual([[]]);
    expect(r.json.platforms[0]!.expected).toEqual([
      {
        kind: 'timestamps',
        code: 'KB706',
        summary: '6 paths in both images with another mtime',
        examples: ['/app/current', '/app/data.txt', '/app/other.txt', '/app/run.sh', '/app/v1'],
        count: 6,
      },
      layersExpected('layers: 2 → 2, 1 shared'),
    ]);
    const strict = await compare('app:plain', 'app:touched', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.json.same).toBe(false);
  });

  test('a multi-platform index with one platform different (and an attestation manifest in B)', async () => {
    const base = await baseLayer();
    const app = await appLayer();
    const platform = (architecture: string, variant?: string) => ({
      os: 'linux',
      architecture,
      ...(variant ? { variant } : {}),
    });
    const entry = (d: Descriptor, architecture: string, variant?: string): Descriptor => ({
      ...d,
      platform: platform(architecture, variant),
    });
    const amd = await pushImage(p, 'multi', undefined, { layers: [base, app] });
    const armA = await pushImage(p, 'multi', undefined, {
      layers: [base, app],
      architecture: 'arm64',
      variant: 'v8',
    });
    const armB = await pushImage(p, 'multi', undefined, {
      layers: [base, await appLayer({ data: 'data, arm64\n' })],
      architecture: 'arm64',
      variant: 'v8',
    });
    const attestation = await pushImage(p, 'multi', undefined, {
      layers: [Buffer.from('{"_type":"https://in-toto.io/Statement/v0.1"}')],
    });
    await pushIndex(p, 'multi', 'a', [entry(amd, 'amd64'), entry(armA, 'arm64', 'v8')]);
    await pushIndex(p, 'multi', 'b', [
      entry(amd, 'amd64'),
      entry(armB, 'arm64', 'v8'),
      { ...attestation, platform: { os: 'unknown', architecture: 'unknown' } },
    ]);
    const r = await compare('multi:a', 'multi:b');
    expect(r.code).toBe(1);
    expect(r.json.platforms.map((x) => x.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(only(r.json)).toEqual([
      [],
      [
        changed('/app/data.txt', [
          { field: 'size', a: 5, b: 12 },
          { field: 'digest', a: expect.stringMatching(/^sha256:/), b: expect.stringMatching(/^sha256:/) },
        ]),
      ],
    ]);
    expect(r.json.platforms[0]!.expected).toEqual([
      { kind: 'attestations', code: 'KB707', summary: 'attestation manifests in the index: 0 → 1' },
    ]);
    expect(r.json.platforms[1]!.expected).toEqual([layersExpected('layers: 2 → 2, 1 shared')]);
    const amd64 = await compare('multi:a', 'multi:b', '--platform', 'linux/amd64');
    expect(amd64.code).toBe(0);
    expect(amd64.json.platforms.map((x) => [x.platform, x.differences])).toEqual([['linux/amd64', []]]);
    // a single image compared with an index: its platform is read from its config
    const one = await compare('app:plain', 'multi:b', '--platform', 'linux/amd64');
    expect(one.code).toBe(0);
  });

  test("Kaniko's known behaviours, each explained by its code (§2.10), and nothing else", async () => {
    const base = await baseLayer();
    const history = (mode: string) => [
      { created_by: 'FROM base' },
      { created_by: `ENV MODE=${mode}`, empty_layer: true },
      { created_by: 'ARG MODE=dev', empty_layer: true },
      { created_by: 'COPY . /' },
    ];
    const config = (mode: string) => ({
      User: 'app',
      WorkingDir: '/srv/app',
      Env: [`MODE=${mode}`],
      Volumes: { '/data': {} },
    });
    // Kaniko: COPY as USER app, the implicit parent /opt/tool 0700, /srv left to root, /data mkdir-ed, ENV won
    const kaniko = await tarLayer([
      { name: 'srv', type: 'directory' },
      { name: 'srv/app', type: 'directory', uid: 1000, gid: 1000 },
      { name: 'opt/tool', type: 'directory', mode: 0o700 },
      { name: 'opt/tool/bin', content: 'tool\n', mode: 0o755 },
      { name: 'app/data.txt', content: 'data\n', uid: 1000, gid: 1000 },
      { name: 'data', type: 'directory' },
    ]);
    const buildkit = await tarLayer([
      { name: 'srv', type: 'directory', uid: 1000, gid: 1000 },
      { name: 'srv/app', type: 'directory', uid: 1000, gid: 1000 },
      { name: 'opt/tool', type: 'directory', mode: 0o755 },
      { name: 'opt/tool/bin', content: 'tool\n', mode: 0o755 },
      { name: 'app/data.txt', content: 'data\n' },
    ]);
    await pushImage(p, 'known', 'kaniko', { layers: [base, kaniko], config: config('prod'), history: history('prod') });
    await pushImage(p, 'known', 'buildkit', {
      layers: [base, buildkit],
      config: config('dev'),
      history: history('prod'),
    });
    const r = await compare('known:kaniko', 'known:buildkit');
    expect(r.code).toBe(1);
    const owner = (a: number, b: number) => [
      { field: 'uid', a, b },
      { field: 'gid', a, b },
    ];
    expect(only(r.json)).toEqual([
      [
        {
          area: 'config',
          path: 'Env MODE',
          change: 'changed',
          fields: [{ field: 'value', a: 'prod', b: 'dev' }],
          code: 'KB704',
        },
        changed('/app/data.txt', owner(1000, 0), 'KB701'),
        {
          area: 'filesystem',
          path: '/data',
          change: 'removed',
          fields: [{ field: 'entry', a: { type: 'dir', mode: '0755', uid: 0, gid: 0 } }],
          code: 'KB705',
        },
        changed('/opt/tool', [{ field: 'mode', a: '0700', b: '0755' }], 'KB702'),
        changed('/srv', owner(0, 1000), 'KB703'),
      ],
    ]);
    for (const d of r.json.platforms[0]!.differences) expect(d.explain).toMatch(/\S/);
    expect(r.json.platforms[0]!.expected).toEqual([layersExpected('layers: 2 → 2, 1 shared')]);
    // each code's documentation is there for `explain`
    const explained = await runCli(['explain', 'KB703']);
    expect(explained.stdout).toContain('Implicit WORKDIR parents');
  });

  test('a Docker v2 manifest with gzip layers against an OCI one with plain tar layers: the same files', async () => {
    await pushImage(p, 'app', 'docker', { layers: [await baseLayer(), await appLayer()], docker: true });
    const r = await compare('app:plain', 'app:docker');
    expect(r.code).toBe(0);
    expect(only(r.json)).toEqual([[]]);
    // other blobs (gzip), the same diff ids: only the layer boundaries count as expected
    expect(r.json.platforms[0]!.expected).toEqual([layersExpected('layers: 2 → 2, 0 shared')]);
  });

  test('the text report: a tree under each directory, marks and the verdict', async () => {
    const r = await runCli(['compare', ref('app:plain'), ref('app:whiteout')], { env: {} });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines.slice(3)).toEqual([
      'linux/amd64',
      '  filesystem',
      '    /app',
      expect.stringMatching(/^ {6}- old\.txt \(only in A\) {2}file 0644 0:0 4 B sha256:[0-9a-f]{12}$/),
      '    /cache',
      expect.stringMatching(/^ {6}- a \(only in A\) {2}file 0644 0:0 2 B sha256:/),
      expect.stringMatching(/^ {6}\+ b \(only in B\) {2}file 0644 0:0 0 B sha256:/),
      '  expected differences (not failures; --strict counts them)',
      '    KB707 history: 2 entries → 3',
      '    KB707 layers: 2 → 3, 2 shared',
      '',
      '3 differences (0 explained), 2 expected differences: the images differ',
      '',
    ]);
    expect(r.stdout).not.toContain('\x1b[');
    const coloured = await runCli(['compare', '--color', ref('app:plain'), ref('app:whiteout')], { env: {} });
    expect(coloured.stdout).toContain('\x1b[');
    const forced = await runCli(['compare', ref('app:plain'), ref('app:whiteout')], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\x1b[');
    const off = await runCli(['compare', '--no-color', ref('app:plain'), ref('app:whiteout')], {
      env: { FORCE_COLOR: '1' },
    });
    expect(off.stdout).not.toContain('\x1b[');
    const md = await runCli(['compare', '--format', 'markdown', ref('app:plain'), ref('app:whiteout')], { env: {} });
    expect(md.stdout).toContain('| - | `/app/old.txt` (only in A) |');
  });

  test('errors: exit 2 with the reason on stderr', async () => {
    const missing = await runCli(['compare', ref('app:plain'), ref('app:no-such-tag')], { env: {} });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(
      /^kaniko2buildkit compare: http:\/\/127\.0\.0\.1:\d+\/v2\/app\/manifests\/no-such-tag: 404 /,
    );
    const bad = await runCli(['compare', 'not a ref', ref('app:plain')], { env: {} });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not an image reference');
    const platform = await runCli(['compare', '--platform', 'linux/s390x', ref('app:plain'), ref('app:mode')], {
      env: {},
    });
    expect(platform.code).toBe(2);
    expect(platform.stderr).toContain('--platform linux/s390x: in neither image');
  });
});
