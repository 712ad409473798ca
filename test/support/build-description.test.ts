import {
  describeBuildctl,
  describeKaniko,
  diffDescriptions,
  normaliseImageRef,
  parseCsvRecord,
  repositoryOf,
  type DescribeContext,
} from './build-description.js';

const P = '/builds/group/proj';
const R = 'registry.example.com/group/proj';
const files = new Set([
  `${P}/Dockerfile`,
  `${P}/dockerfiles/foo.dockerfile`,
  `${P}/app/Dockerfile`,
  `${P}/app/app.dockerfile`,
  `${P}/services/api/Dockerfile`,
]);
const ctx = (env: Record<string, string> = {}): DescribeContext => ({
  cwd: P,
  env,
  projectDir: P,
  exists: (p) => files.has(p),
});

const K = (argv: string[], env?: Record<string, string>) => describeKaniko(argv, ctx(env));
const B = (argv: string[], env?: Record<string, string>) => describeBuildctl(argv, ctx(env));
const same = (k: string[], b: string[], env?: Record<string, string>) => diffDescriptions(K(k, env), B(b, env));

/** buildctl argv for a plain build of ./Dockerfile with the given extra args */
const bk = (...extra: string[]) => [
  'build',
  '--frontend',
  'dockerfile.v0',
  '--local',
  'context=.',
  '--local',
  'dockerfile=.',
  ...extra,
];

describe('the seed pair (article: Kaniko job vs BuildKit job)', () => {
  const kanikoAsMeant = [
    '--cache=true',
    '--context',
    P,
    '--dockerfile',
    `${P}/dockerfiles/foo.dockerfile`,
    '--build-arg',
    'BAR=baz',
    '--destination',
    `${R}:1f0a2b3c`,
    '--destination',
    `${R}:latest`,
  ];
  // what sh really passes: U+3000 is not a separator, the quotes are removed, so one word
  const kanikoAsRun = [
    '--cache=true',
    '--context',
    P,
    '--dockerfile',
    `${P}/dockerfiles/foo.dockerfile`,
    '--build-arg\u3000BAR=baz',
    '--destination',
    `${R}:1f0a2b3c`,
    '--destination',
    `${R}:latest`,
  ];
  const buildctlArticle = [
    'build',
    '--frontend',
    'dockerfile.v0',
    '--local',
    'context=.',
    '--local',
    'dockerfile=./dockerfiles',
    '--opt',
    'filename=foo.dockerfile',
    '--opt',
    'build-arg:BAR=baz',
    '--export-cache',
    `type=registry,ref=${R}:cache`,
    '--import-cache',
    `type=registry,ref=${R}:cache`,
    '--output',
    `type=image,"name=${R}:1f0a2b3c,${R}:latest",push=true`,
  ];

  test('describes the same build, given the GitLab-docs cache convention and the author-meant build-arg', () => {
    const d = describeKaniko(kanikoAsRun, { ...ctx(), unicodeSpacesAsSeparators: true });
    expect(diffDescriptions(d, B(buildctlArticle), { inferredCacheMayUseImageRepo: true })).toEqual([]);
    expect(diffDescriptions(K(kanikoAsMeant), B(buildctlArticle), { inferredCacheMayUseImageRepo: true })).toEqual([]);
  });

  test('strictly, the cache repository differs: Kaniko infers <repo>/cache, the article uses <repo>:cache', () => {
    expect(diffDescriptions(K(kanikoAsMeant), B(buildctlArticle))).toEqual([
      `cacheImport: before ["${R}/cache"], after ["${R}"]`,
      `cacheExport: before ["${R}/cache"], after ["${R}"]`,
    ]);
    const fixed = buildctlArticle.map((a) => a.replace(`ref=${R}:cache`, `ref=${R}/cache:buildkit`));
    expect(diffDescriptions(K(kanikoAsMeant), B(fixed))).toEqual([]);
  });

  test('as sh runs it, Kaniko gets one unknown flag `--build-arg　BAR=baz` (Kaniko would refuse to start)', () => {
    const d = K(kanikoAsRun);
    expect(d.unknown).toEqual(['--build-arg\u3000BAR=baz']);
    expect(d.buildArgs).toEqual({});
  });

  test('a BuildKit description of the seed', () => {
    expect(B(buildctlArticle)).toMatchObject({
      context: '$CI_PROJECT_DIR',
      dockerfile: '$CI_PROJECT_DIR/dockerfiles/foo.dockerfile',
      buildArgs: { BAR: 'baz' },
      images: [`${R}:1f0a2b3c`, `${R}:latest`],
      push: true,
      unknown: [],
    });
  });
});

describe('the comparator can fail', () => {
  test('two destinations with their tags swapped are detected', () => {
    const k = ['--context', P, '--destination', `${R}/a:1`, '--destination', `${R}/b:2`];
    expect(same(k, bk('--output', `type=image,"name=${R}/a:1,${R}/b:2",push=true`))).toEqual([]);
    expect(same(k, bk('--output', `type=image,"name=${R}/a:2,${R}/b:1",push=true`))).toEqual([
      `images: before ["${R}/a:1","${R}/b:2"], after ["${R}/a:2","${R}/b:1"]`,
    ]);
  });

  test.each([
    ['push=false', `type=image,name=${R}:1,push=false`, ['images', 'push']],
    ['push missing', `type=image,name=${R}:1`, ['images', 'push']],
    ['other tag', `type=image,name=${R}:2,push=true`, ['images']],
  ])('%s', (_n, output, keys) => {
    const diffs = same(['--context', P, '--destination', `${R}:1`], bk('--output', output));
    expect(diffs.map((d) => d.split(':')[0])).toEqual(keys);
  });

  test('a different build-arg value, label, target, platform or context', () => {
    const k = [
      '--context',
      P,
      '--destination',
      `${R}:1`,
      '--build-arg',
      'A=1',
      '--label',
      'l=x',
      '--target',
      'prod',
      '--custom-platform',
      'linux/arm64',
    ];
    const out = ['--output', `type=image,name=${R}:1,push=true`];
    const good = bk(
      ...out,
      '--opt',
      'build-arg:A=1',
      '--opt',
      'label:l=x',
      '--opt',
      'target=prod',
      '--opt',
      'platform=linux/arm64',
    );
    expect(same(k, good)).toEqual([]);
    expect(
      same(
        k,
        good.map((a) => (a === 'build-arg:A=1' ? 'build-arg:A=2' : a)),
      ),
    ).toHaveLength(1);
    expect(
      same(
        k,
        good.map((a) => (a === 'label:l=x' ? 'label:l=y' : a)),
      ),
    ).toHaveLength(1);
    expect(
      same(
        k,
        good.map((a) => (a === 'target=prod' ? 'target=dev' : a)),
      ),
    ).toHaveLength(1);
    expect(
      same(
        k,
        good.map((a) => (a === 'platform=linux/arm64' ? 'platform=linux/amd64' : a)),
      ),
    ).toHaveLength(1);
    expect(
      same(
        k,
        good.map((a) => (a === 'context=.' ? 'context=./app' : a)),
      ),
    ).toEqual([`context: before "$CI_PROJECT_DIR", after "$CI_PROJECT_DIR/app"`]);
  });
});

describe('Kaniko argv (cobra/pflag)', () => {
  const base = {
    context: '$CI_PROJECT_DIR',
    dockerfile: '$CI_PROJECT_DIR/Dockerfile',
    images: [`${R}:x`],
    push: true,
    unknown: [],
  };
  test.each([
    ['--flag=v', ['--context=' + P, '--dockerfile=Dockerfile', `--destination=${R}:x`]],
    ['--flag v', ['--context', P, '--dockerfile', 'Dockerfile', '--destination', `${R}:x`]],
    ['short', ['-c', P, '-f', 'Dockerfile', '-d', `${R}:x`]],
    ['short attached', [`-c${P}`, '-fDockerfile', `-d${R}:x`]],
    ['short with =', [`-c=${P}`, '-f=Dockerfile', `-d=${R}:x`]],
    [
      'deprecated alias + ignored flags',
      ['-c', P, '-d', `${R}:x`, '--snapshotMode=redo', '--verbosity', 'debug', '--cleanup', '-v=info'],
    ],
  ])('%s', (_n, argv) => {
    expect(K(argv)).toMatchObject(base);
  });

  test('bool spellings', () => {
    const d = (x: string[]) => K(['-c', P, '-d', `${R}:x`, ...x]);
    expect(d(['--cache']).cacheImport).toEqual([`${R}/cache`]);
    expect(d(['--cache=true']).cacheExport).toEqual([`${R}/cache`]);
    expect(d(['--cache=1']).cacheExport).toEqual([`${R}/cache`]);
    expect(d(['--cache=false']).cacheImport).toEqual([]);
    expect(d(['--cache', '--cache=false']).cacheImport).toEqual([]);
    // `--cache true`: `true` is a positional argument, which Kaniko rejects
    expect(d(['--cache', 'true']).unknown).toEqual(['positional argument: true']);
    expect(d(['--cache=yes']).unknown).toEqual(['bad bool value: --cache=yes']);
  });

  test('repeated --destination keeps commas inside one destination', () => {
    expect(K(['-c', P, '-d', `${R}:a,${R}:b`]).images).toEqual([`${R}:a,${R}:b`]);
  });

  test('--build-arg K without = takes the env value, empty when unset', () => {
    const d = K(
      [
        '-c',
        P,
        '--no-push',
        '--build-arg',
        'PROXY',
        '--build-arg',
        'UNSET',
        '--build-arg',
        'E=',
        '--build-arg',
        'S=a b=c',
      ],
      { PROXY: 'http://p:3128' },
    );
    expect(d.buildArgs).toEqual({ PROXY: 'http://p:3128', UNSET: '', E: '', S: 'a b=c' });
  });

  test('relative --dockerfile: cwd first, then the context', () => {
    expect(K(['-c', `${P}/app`, '-f', 'Dockerfile', '--no-push']).dockerfile).toBe('$CI_PROJECT_DIR/Dockerfile');
    expect(K(['-c', 'app', '-f', 'app.dockerfile', '--no-push']).dockerfile).toBe('$CI_PROJECT_DIR/app/app.dockerfile');
    expect(K(['-c', 'app', '-f', 'nope', '--no-push']).unknown).toEqual(['Dockerfile not found (Kaniko fails): nope']);
  });

  test('--context-sub-path: used with dir://, ignored for a plain path', () => {
    const noRootDockerfile: DescribeContext = { ...ctx(), exists: (p) => files.has(p) && p !== `${P}/Dockerfile` };
    const withScheme = describeKaniko(
      [`--context=dir://${P}`, '--context-sub-path', 'services/api', '--no-push'],
      noRootDockerfile,
    );
    expect(withScheme.context).toBe('$CI_PROJECT_DIR/services/api');
    expect(withScheme.dockerfile).toBe('$CI_PROJECT_DIR/services/api/Dockerfile');
    const plain = K(['--context', P, '--context-sub-path', 'services/api', '--no-push']);
    expect(plain.context).toBe('$CI_PROJECT_DIR');
    expect(plain.dockerfile).toBe('$CI_PROJECT_DIR/Dockerfile');
  });

  test('--no-push, KANIKO_NO_PUSH, missing destination', () => {
    expect(K(['-c', P, '-d', `${R}:x`, '--no-push'])).toMatchObject({ push: false, images: [], unknown: [] });
    expect(K(['-c', P, '-d', `${R}:x`], { KANIKO_NO_PUSH: 'true' })).toMatchObject({ push: false });
    expect(K(['-c', P]).unknown).toEqual(['no --destination and no --no-push (Kaniko fails)']);
  });

  test('cache: inferred, explicit repo, --no-push-cache', () => {
    expect(K(['-c', P, '-d', `${R}/app:1`, '-d', `${R}:2`, '--cache'])).toMatchObject({
      cacheImport: [`${R}/app/cache`],
      cacheExport: [`${R}/app/cache`],
    });
    expect(K(['-c', P, '-d', `${R}:1`, '--cache', '--cache-repo', `${R}/kc`])).toMatchObject({
      cacheImport: [`${R}/kc`],
      cacheExport: [`${R}/kc`],
    });
    expect(K(['-c', P, '-d', `${R}:1`, '--cache', '--cache-repo', `${R}/kc`, '--no-push-cache'])).toMatchObject({
      cacheImport: [`${R}/kc`],
      cacheExport: [],
    });
    expect(K(['-c', P, '-d', `${R}:1`, '--cache-repo', `${R}/kc`])).toMatchObject({ cacheImport: [], cacheExport: [] });
  });

  test('--tar-path: relative to the cwd; RepoTags are the destinations', () => {
    expect(K(['-c', P, '-d', `${R}:1`, '--tar-path', 'image.tar', '--no-push']).tar).toEqual({
      path: '$CI_PROJECT_DIR/image.tar',
      names: [`${R}:1`],
    });
    expect(K(['-c', P, '--tarPath=/tmp/x.tar', '--no-push']).tar).toEqual({ path: '/tmp/x.tar', names: [] });
  });

  test('unknown and unmodelled flags are reported', () => {
    expect(K(['-c', P, '-d', `${R}:1`, '--skip-default-registry-fallback', '--frobnicate', '-x']).unknown).toEqual([
      'unmodelled Kaniko flag: --skip-default-registry-fallback',
      '--frobnicate',
      '-x',
    ]);
  });
});

describe('buildctl argv', () => {
  test.each([[['--build-arg', 'A=1']], [['--tag', `${R}:1`]], [['--file', 'Dockerfile']], [['--push']]])(
    'buildctl has no %j flag: reported as not understood',
    (extra) => {
      const d = B(bk('--output', `type=image,name=${R}:1,push=true`, ...extra));
      expect(d.unknown[0]).toBe(extra[0]);
      expect(d.buildArgs).toEqual({});
    },
  );

  test('a Kaniko-only flag that reaches buildctl shows up', () => {
    const d = B(bk('--cache=true', '--output', `type=image,name=${R}:1,push=true`));
    expect(d.unknown).toEqual(['--cache=true']);
    expect(
      same(['-c', P, '-d', `${R}:1`], bk('--output', `type=image,name=${R}:1,push=true`, '--destination', `${R}:1`)),
    ).toContain('not understood in the buildctl call: --destination');
  });

  test('--output is one CSV record; a quoted field holds several names', () => {
    expect(B(bk('--output', `type=image,"name=${R}:a,${R}:b",push=true`)).images).toEqual([`${R}:a`, `${R}:b`]);
    expect(B(bk('-o', `type=image,name=${R}:a,push=`)).images).toEqual([`${R}:a`]); // empty bool = true
    // a quote in the middle of a field is a CSV error
    expect(B(bk('--output', `type=image,name="${R}:a,${R}:b",push=true`)).unknown[0]).toMatch(/not valid CSV/);
    expect(B(bk('--output', `type=image,name=${R}:a,push=true,compression=zstd`)).unknown).toEqual([
      'unmodelled image output attribute: compression=zstd',
    ]);
    expect(B(bk('--output', `type=registry,name=${R}:a`)).unknown[0]).toMatch(/unmodelled output type "registry"/);
  });

  test('--local dockerfile is a dir, --opt filename the name; defaults to Dockerfile', () => {
    expect(
      B([
        'build',
        '--frontend=dockerfile.v0',
        '--local',
        'context=app',
        '--local',
        'dockerfile=app',
        '--opt',
        'filename=app.dockerfile',
        '--output',
        'type=docker,dest=x.tar',
      ]),
    ).toMatchObject({
      context: '$CI_PROJECT_DIR/app',
      dockerfile: '$CI_PROJECT_DIR/app/app.dockerfile',
      tar: { path: '$CI_PROJECT_DIR/x.tar', names: [] },
      push: false,
      unknown: [],
    });
    expect(
      B(['build', '--frontend', 'dockerfile.v0', '--local', 'context=.', '--local', 'dockerfile=./Dockerfile']).unknown,
    ).toEqual(['Dockerfile not found (buildctl fails): $CI_PROJECT_DIR/Dockerfile/Dockerfile']);
  });

  test('cache refs compare by repository; legacy bare form; type=local', () => {
    const d = B(
      bk(
        '--import-cache',
        `type=registry,ref=${R}/cache:buildkit`,
        '--export-cache',
        `type=registry,ref=${R}/cache:other,mode=max,ignore-error=true`,
      ),
    );
    expect(d).toMatchObject({ cacheImport: [`${R}/cache`], cacheExport: [`${R}/cache`], unknown: [] });
    expect(B(bk('--export-cache', `${R}/cache:x`)).cacheExport).toEqual([`${R}/cache`]);
    expect(B(bk('--export-cache', 'type=inline')).unknown[0]).toMatch(/unmodelled --export-cache type "inline"/);
  });

  test('--opt build-arg:K without = is rejected by buildctl ≤0.32.2', () => {
    expect(B(bk('--opt', 'build-arg:K')).unknown).toEqual([
      "--opt without '=' (buildctl ≤0.32.2 rejects it): --opt build-arg:K",
    ]);
  });

  test('global flags before build; SOURCE_DATE_EPOCH in the env becomes a build-arg', () => {
    const d = B(['--debug', '--addr=unix:///x', ...bk('--progress=plain')], { SOURCE_DATE_EPOCH: '0' });
    expect(d).toMatchObject({ unknown: [], buildArgs: { SOURCE_DATE_EPOCH: '0' } });
    expect(B(['frobnicate']).unknown[0]).toMatch(/expected the 'build' command/);
  });
});

describe('registry mirrors (Kaniko flags vs buildkitd.toml)', () => {
  const toml = (t: string | null, explicit = true) => ({ explicit, content: t });
  const Bm = (t: string | null, explicit = true) =>
    describeBuildctl(bk('--output', `type=image,name=${R}:1,push=true`), {
      ...ctx(),
      buildkitdConfig: toml(t, explicit),
    });
  const k = [
    '-c',
    P,
    '-d',
    `${R}:1`,
    '--registry-mirror',
    'mirror.gcr.io',
    '--registry-mirror=https://m2.example.com/dh/',
  ];

  test('same mirrors, same order', () => {
    expect(K(k).registryMirrors).toEqual({ 'docker.io': ['mirror.gcr.io', 'm2.example.com/dh'] });
    expect(
      diffDescriptions(K(k), Bm('[registry."docker.io"]\n  mirrors = ["mirror.gcr.io", "m2.example.com/dh"]\n')),
    ).toEqual([]);
  });
  test('order, a missing config file, or no config at all are differences', () => {
    expect(
      diffDescriptions(K(k), Bm('[registry."docker.io"]\nmirrors = ["m2.example.com/dh", "mirror.gcr.io"]\n')),
    ).toHaveLength(1);
    expect(diffDescriptions(K(k), Bm(null)).join('\n')).toMatch(/--config file that does not exist/);
    expect(diffDescriptions(K(k), Bm(null, false))).toEqual([
      `registryMirrors: before {"docker.io":["mirror.gcr.io","m2.example.com/dh"]}, after {}`,
    ]);
  });
  test('plain-HTTP mirror, registry map, KANIKO_REGISTRY_MIRROR', () => {
    const d = K(
      [
        '-c',
        P,
        '--no-push',
        '--registry-mirror',
        'http://m.local:5000',
        '--registry-map',
        'index.docker.io=dh.mirror;quay.io=q.mirror',
      ],
      { KANIKO_REGISTRY_MIRROR: 'env.mirror' },
    );
    expect(d.registryMirrors).toEqual({
      'docker.io': ['http://m.local:5000', 'env.mirror', 'dh.mirror'],
      'quay.io': ['q.mirror'],
    });
    const b = Bm('[registry."docker.io"]\nmirrors = ["m.local:5000"]\n[registry."m.local:5000"]\nhttp = true\n');
    expect(b.registryMirrors).toEqual({ 'docker.io': ['http://m.local:5000'] });
    expect(b.unknown).toEqual([]);
    expect(Bm('[registry."docker.io"]\nmirrors = ["a"]\nca = ["/x.crt"]\n').unknown).toEqual([
      'unmodelled buildkitd.toml setting: registry."docker.io".ca',
    ]);
  });
});

describe('refs and CSV', () => {
  test('normalisation', () => {
    expect(normaliseImageRef('alpine')).toBe('docker.io/library/alpine:latest');
    expect(normaliseImageRef('index.docker.io/acme/app:1')).toBe('docker.io/acme/app:1');
    expect(normaliseImageRef('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(repositoryOf('registry.example.com:5000/g/p:tag')).toBe('registry.example.com:5000/g/p');
    expect(repositoryOf('r.io/g/p@sha256:abc')).toBe('r.io/g/p');
  });
  test('CSV', () => {
    expect(parseCsvRecord('a=1,"b=2,3",c=')).toEqual(['a=1', 'b=2,3', 'c=']);
    expect(parseCsvRecord('"x=""q"""')).toEqual(['x="q"']);
    expect(() => parseCsvRecord('a="b"')).toThrow(/bare quote/);
    expect(() => parseCsvRecord('"a"b')).toThrow(/extraneous/);
  });
});
