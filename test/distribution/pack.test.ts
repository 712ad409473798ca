/**
 * The package as a user gets it. `npm pack` runs in a copy of the files the Dockerfile's first stage copies (its
 * prepack builds dist/ there, so the repository's own dist/ is not rewritten under other tests), then the tarball is installed with `npm ci
 * --omit=dev` from a folder scripts/install-lock.mjs writes (the locked versions the tests ran with), offline: a
 * temporary npm cache holds only the dependency tarballs, copied from the cache `npm ci` filled, and the registry is
 * a loopback port nothing listens on. The installed command then runs from another folder: --version, a YAML
 * migration of a copy of examples/shop without ts-morph, a generator source without ts-morph (the error that names
 * it) and with it (a second install that adds it, as the error says). Also: what the tarball holds (no source map
 * pointing outside it, a LICENSE, no install script, metadata without placeholders) and that the library's
 * declarations type-check for a TypeScript user without ts-morph.
 *
 * When npm cannot install offline here (a dependency tarball is not in the npm cache, or npm says ENOTCACHED), the
 * install tests are skipped with a console message; the tarball's contents are still checked.
 */
import type { SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contextCopies, dockerStages, must, npmEnv, run } from './support.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
const OFFLINE_REGISTRY = 'http://127.0.0.1:9/';
const KANIKO_JOB =
  'build:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n' +
  '    - /kaniko/executor --context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"\n';

const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-pack-')));

// --- pack, in a copy of what the package is made of ---------------------------------------------------------------
// exactly what the Dockerfile's pack stage copies from the build context: so this also shows it is enough to pack
const stage = path.join(work, 'stage');
fs.mkdirSync(stage);
const dockerPack = dockerStages(fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8'))[0]!;
for (const f of contextCopies(dockerPack)) fs.cpSync(path.join(REPO, f), path.join(stage, f), { recursive: true });
fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
const packed = run('npm', ['pack', '--json', '--pack-destination', work], stage);
const packInfo = JSON.parse(must(packed, 'npm pack')) as [
  { filename: string; size: number; unpackedSize: number; files: { path: string }[] },
];
const tarball = path.join(work, path.basename(packInfo[0].filename));
const unpacked = path.join(work, 'unpacked');
fs.mkdirSync(unpacked);
must(run('tar', ['-xzf', tarball, '-C', unpacked], work), 'tar -x');
const pkgDir = path.join(unpacked, 'package');
const packedFiles = packInfo[0].files.map((f) => f.path).sort();

// --- install offline ----------------------------------------------------------------------------------------------
const userCache = must(run('npm', ['config', 'get', 'cache'], work), 'npm config get cache').trim();
const cache = path.join(work, 'cache');

/** Copies the tarballs a lock names from the user's npm cache (content addressed by integrity); the missing ones. */
function seedCache(lockFile: string): string[] {
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as {
    packages: Record<string, { integrity?: string; resolved?: string }>;
  };
  const missing: string[] = [];
  for (const [at, e] of Object.entries(lock.packages)) {
    if (!at || !e.integrity || e.resolved?.startsWith('file:')) continue;
    const [algo, b64] = e.integrity.split(/\s+/)[0]!.split(/-(.*)/s);
    const hex = Buffer.from(b64!, 'base64').toString('hex');
    const rel = path.join('_cacache', 'content-v2', algo!, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    if (!fs.existsSync(path.join(userCache, rel))) {
      missing.push(at.replace(/^.*node_modules\//, ''));
      continue;
    }
    fs.mkdirSync(path.dirname(path.join(cache, rel)), { recursive: true });
    fs.copyFileSync(path.join(userCache, rel), path.join(cache, rel));
  }
  return missing;
}

interface Install {
  dir: string;
  output: string;
}

/** Installs the tarball into `name` (with ts-morph when asked); a reason to skip when npm cannot do it offline. */
function install(name: string, withTsMorph: boolean): Install | string {
  const dir = path.join(work, name);
  const lockArgs = [tarball, dir, '--registry', OFFLINE_REGISTRY, ...(withTsMorph ? ['--with-ts-morph'] : [])];
  must(run(process.execPath, [path.join(REPO, 'scripts', 'install-lock.mjs'), ...lockArgs], work), 'install-lock');
  const missing = seedCache(path.join(dir, 'package-lock.json'));
  if (missing.length) return `the npm cache (${userCache}) lacks ${missing.join(', ')}`;
  const r = run(
    'npm',
    ['ci', '--omit=dev', '--offline', '--cache', cache, '--registry', OFFLINE_REGISTRY, '--no-audit'],
    dir,
  );
  if (r.status !== 0 && /ENOTCACHED/.test(r.stdout + r.stderr))
    return `npm ci --offline: ${(r.stderr.match(/npm error .*ENOTCACHED.*|npm error request to .*/) ?? [r.stderr])[0]}`;
  return { dir, output: must(r, `npm ci in ${name}`) + r.stderr };
}

const yamlOnly = install('install', false);
const withTsMorph = typeof yamlOnly === 'string' ? yamlOnly : install('install-ts-morph', true);
const skip = typeof yamlOnly === 'string' ? yamlOnly : typeof withTsMorph === 'string' ? withTsMorph : undefined;
if (skip) console.warn(`distribution/pack: the install tests are SKIPPED: npm cannot install offline here (${skip})`);
const installed = skip ? test.skip : test;

/** A folder that is neither the repository nor the install: the command runs from here. */
const elsewhere = path.join(work, 'elsewhere');
fs.mkdirSync(elsewhere);
fs.cpSync(path.join(REPO, 'examples', 'shop'), path.join(elsewhere, 'shop'), { recursive: true });
const GENERATOR = path.join(REPO, 'fixtures', 'typescript', 'job-objects', 'input');
fs.cpSync(GENERATOR, path.join(elsewhere, 'generator'), { recursive: true });
// a repository with both: the YAML pipeline of examples/shop and the generator sources of the fixture
fs.cpSync(GENERATOR, path.join(elsewhere, 'mixed'), { recursive: true });
fs.cpSync(path.join(REPO, 'examples', 'shop'), path.join(elsewhere, 'mixed'), { recursive: true });

function cli(inst: Install | string, args: string[]): SpawnSyncReturns<string> {
  const bin = path.join((inst as Install).dir, 'node_modules', '.bin');
  return run('kaniko2buildkit', args, elsewhere, npmEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH}` }));
}

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('the tarball npm pack makes', () => {
  test('holds the command, the library and its declarations, a LICENSE and the README; no sources, tests or maps', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(packedFiles).toEqual(
      expect.arrayContaining(['bin/kaniko2buildkit.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js']),
    );
    expect(packedFiles.filter((f) => !/^(bin|dist)\//.test(f))).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(packedFiles.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(fs.readFileSync(path.join(pkgDir, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  test('no source map and no sourceMappingURL points at a file the package does not hold', () => {
    const inside = (p: string) => !path.relative(pkgDir, p).startsWith('..') && fs.existsSync(p);
    const dangling: string[] = [];
    for (const f of packedFiles) {
      const file = path.join(pkgDir, f);
      if (f.endsWith('.map')) {
        const map = JSON.parse(fs.readFileSync(file, 'utf8')) as { sources?: string[]; sourceRoot?: string };
        for (const s of map.sources ?? [])
          if (!inside(path.resolve(path.dirname(file), map.sourceRoot ?? '', s))) dangling.push(`${f} → ${s}`);
      } else if (/\.[cm]?js$|\.d\.[cm]?ts$/.test(f)) {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(fs.readFileSync(file, 'utf8'))?.[1];
        if (url && !url.startsWith('data:') && !inside(path.resolve(path.dirname(file), url)))
          dangling.push(`${f} → ${url}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  test('its package.json: no install script, ts-morph an optional peer, MIT, keywords, no placeholder address', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown> & {
      scripts?: Record<string, string>;
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
      keywords?: string[];
    };
    // npm counts these as install scripts of a package installed from a file or git (prepare included)
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts?.[s]).toBeUndefined();
    expect(pkg.dependencies?.['ts-morph']).toBeUndefined();
    expect(pkg.peerDependencies?.['ts-morph']).toBeDefined();
    expect(pkg.peerDependenciesMeta?.['ts-morph']?.optional).toBe(true);
    expect(pkg.license).toBe('MIT');
    expect(pkg.keywords?.length).toBeGreaterThan(3);
    // repository/homepage/bugs only with a real address: none of the reserved example hosts or a "your-…" stand-in
    const addresses = JSON.stringify([pkg.repository, pkg.homepage, pkg.bugs] as unknown[]);
    expect(addresses).not.toMatch(/example\.(com|org|net)|\.invalid\b|\.test\b|localhost|your[-_]|<[^>]*>|TODO/i);
  });
});

describe('installed from the tarball, offline, without dev dependencies', () => {
  installed('installs without ts-morph or TypeScript, and npm printed no install-scripts warning', () => {
    const inst = yamlOnly as Install;
    expect(inst.output).not.toMatch(/install-scripts|allowScripts/);
    expect(fs.existsSync(path.join(inst.dir, 'node_modules', PKG.name, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(fs.existsSync(path.join(inst.dir, 'node_modules', 'ts-morph'))).toBe(false);
    expect(fs.existsSync(path.join(inst.dir, 'node_modules', 'typescript'))).toBe(false);
  });

  installed('kaniko2buildkit --version, from another folder', () => {
    const r = cli(yamlOnly, ['--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(PKG.version);
    expect(r.status).toBe(0);
  });

  installed('migrate --dry-run on a copy of examples/shop: the diff, nothing written, no ts-morph needed', () => {
    const before = fs.readFileSync(path.join(elsewhere, 'shop', '.gitlab-ci.yml'), 'utf8');
    const r = cli(yamlOnly, ['migrate', '--dry-run', 'shop']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('+      buildctl-daemonless.sh build');
    expect(r.stdout).toMatch(
      /2 file\(s\) read, 2 would change; Kaniko jobs: 2 \(2 would migrate, 0 left for a person\)/,
    );
    expect(fs.readFileSync(path.join(elsewhere, 'shop', '.gitlab-ci.yml'), 'utf8')).toBe(before);
  });

  installed(
    'generator sources without ts-morph: exit 2, the error names the package, the YAML is still migrated',
    () => {
      const r = cli(yamlOnly, ['migrate', '--dry-run', 'mixed']);
      expect(r.status).toBe(2);
      // the error on stderr (stdout carries the report), the diff of the YAML part of the same run on stdout
      expect(r.stderr).toMatch(
        /^mixed {2}KB106 {2}error {3}cannot migrate the generator sources: .*needs the package ts-morph/m,
      );
      expect(r.stderr).toContain('`npm install ts-morph`');
      expect(r.stderr).toContain('--no-sources');
      expect(r.stdout).toContain('+      buildctl-daemonless.sh build');
      // --no-sources, as it says: the YAML pipeline only, and no error
      const yaml = cli(yamlOnly, ['migrate', '--dry-run', '--no-sources', 'mixed']);
      expect(yaml.status).toBe(0);
      expect(yaml.stdout).toMatch(/2 file\(s\) read, 2 would change/);
    },
  );

  installed('with ts-morph installed beside it, as the error says, the generator source migrates', () => {
    const r = cli(withTsMorph, ['migrate', '--dry-run', 'generator']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/would change; Kaniko jobs: 3 \(3 would migrate, 0 left for a person\)/);
  });

  installed('the library: imported by name, migrateText works, MissingTsMorph is exported', () => {
    const code =
      "import { migrateText, MissingTsMorph } from 'kaniko2buildkit';\n" +
      `const r = await migrateText(${JSON.stringify(KANIKO_JOB)});\n` +
      'console.log(JSON.stringify({ changed: r.files[0].changed, error: new MissingTsMorph().code }));\n';
    const r = run(process.execPath, ['--input-type=module', '-e', code], (yamlOnly as Install).dir);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ changed: true, error: 'K2B_MISSING_TS_MORPH' });
  });

  installed('its declarations type-check for a TypeScript user without ts-morph (skipLibCheck off)', () => {
    const dir = (yamlOnly as Install).dir;
    fs.writeFileSync(
      path.join(dir, 'consumer.ts'),
      "import { migrateProject, migrateTypeScriptSources, MissingTsMorph, type ProjectResult } from 'kaniko2buildkit';\n" +
        "const r: ProjectResult = await migrateProject({ root: '.', sources: false });\n" +
        "const files = await migrateTypeScriptSources('.').catch((e: unknown) => (e instanceof MissingTsMorph ? [] : []));\n" +
        'console.log(r.files.length, files.length);\n',
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [path.join(REPO, 'node_modules', '@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...readJson(dir), type: 'module' }));
    const r = run(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

function readJson(dir: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
}
