/**
 * `migrate` on pipeline generators (issue 7): folders are read for TypeScript/JavaScript generator sources (`--sources`,
 * `--no-sources`) besides `.gitlab-ci.yml`, a .ts file can be a target of its own, and the generator files go through the
 * same report, diff, --check and atomic writer as the YAML ones. The generator is fixtures/typescript/job-objects.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMigrate } from '../../src/cli/migrate.js';
import type { CliIO } from '../../src/cli/io.js';
import { globForPath, listSourceFiles } from '../../src/typescript/files.js';
import { runCli, tempRepo } from '../helpers.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(REPO, 'fixtures', 'typescript', 'job-objects');
const GENERATOR = 'ci/generate.ts';
const INPUT = readFileSync(join(FIXTURE, 'input', GENERATOR), 'utf8');
const EXPECTED = readFileSync(join(FIXTURE, 'expected', GENERATOR), 'utf8');
/** The fixture's findings: code, line, column, job (paths relative to the repository). */
const FINDINGS = JSON.parse(readFileSync(join(FIXTURE, 'findings.json'), 'utf8')) as {
  code: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  job: string;
}[];

// builds web/ of the fixture (no Dockerfile at the root: it would change how the generator's build-worker resolves)
const KANIKO_JOB = `build:
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context web --dockerfile web/Dockerfile --destination registry.example.com/app:1
`;
const BUILDCTL =
  'buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=web --local dockerfile=web --output type=image,name=registry.example.com/app:1,push=true';

/** The YAML job as migrated: BuildKit image and command, no Kaniko left. */
function expectMigratedYaml(text: string): void {
  expect(text).toContain('name: moby/buildkit:rootless');
  expect(text).toContain(`    - ${BUILDCTL}\n`);
  expect(text).not.toContain('kaniko');
}

/** A repository (with `.git`) holding the fixture generator; with `yaml`, a Kaniko .gitlab-ci.yml too. */
function generatorRepo(yaml = false): string {
  const root = mkdtempSync(join(tmpdir(), 'k2b-tscli-'));
  cpSync(join(FIXTURE, 'input'), root, { recursive: true });
  mkdirSync(join(root, '.git'));
  if (yaml) writeFileSync(join(root, '.gitlab-ci.yml'), KANIKO_JOB);
  return root;
}

/** Every file of a folder (but .git) with its bytes, to show that nothing was written. */
function snapshot(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== '.git') Object.assign(out, snapshot(root, p));
    } else out[p] = readFileSync(join(root, p)).toString('base64');
  }
  return out;
}

const read = (root: string, p: string) => readFileSync(join(root, p), 'utf8');
const lineOf = (text: string, start: string) => text.split('\n').find((l) => l.startsWith(start))!;

interface JsonReport {
  files: {
    path: string;
    changed: boolean;
    written: boolean;
    status: string;
    findings: { code: string; severity: string; job: string[]; line: number | null; column: number | null }[];
  }[];
  jobs: { name: string; path: string; status: string }[];
  errors: { code: string; path: string; message: string }[];
  summary: { files: number; changed: number; kanikoJobs: number; migrated: number };
}

async function json(args: string[], cwd: string): Promise<{ code: number; report: JsonReport }> {
  const r = await runCli(['migrate', '--format', 'json', ...args], { cwd });
  expect(r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
}

test('the fixture still differs from its expected output (else the tests below prove nothing)', () => {
  expect(INPUT).not.toBe(EXPECTED);
  expect(lineOf(INPUT, 'const KANIKO =')).toBe("const KANIKO = 'gcr.io/kaniko-project/executor:v1.23.2-debug';");
  expect(lineOf(EXPECTED, 'const KANIKO =')).not.toContain('kaniko-project');
});

describe('a folder with generator sources and no .gitlab-ci.yml', () => {
  test('--dry-run prints the diff of the .ts file and writes nothing', async () => {
    const root = generatorRepo();
    const before = snapshot(root);
    const r = await runCli(['migrate', '--dry-run', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('--- a/ci/generate.ts\n+++ b/ci/generate.ts\n');
    expect(r.stdout).toContain(`-${lineOf(INPUT, 'const KANIKO =')}\n`);
    expect(r.stdout).toContain(`+${lineOf(EXPECTED, 'const KANIKO =')}\n`);
    expect(r.stdout).toContain("-        name: 'gcr.io/kaniko-project/executor:debug',\n");
    expect(r.stdout).not.toContain('ci/pipeline.ts'); // no Kaniko there: not listed
    expect(r.stdout).not.toContain('no .gitlab-ci.yml');
    expect(r.stdout).toMatch(/^ci\/generate\.ts +would migrate/m);
    expect(r.stdout).toMatch(/^ +build-web +would migrate/m);
    expect(snapshot(root)).toEqual(before);
  });

  test('write mode rewrites the generator to the fixture output; --check exits 1 before and 0 after', async () => {
    const root = generatorRepo();
    const pipeline = read(root, 'ci/pipeline.ts');
    expect((await runCli(['migrate', '--check'], { cwd: root })).code).toBe(1);
    expect(read(root, GENERATOR)).toBe(INPUT); // --check wrote nothing

    const w = await runCli(['migrate'], { cwd: root });
    expect(w.code).toBe(0);
    expect(w.stdout).not.toContain('--- a/'); // no diff when writing
    expect(read(root, GENERATOR)).toBe(EXPECTED);
    expect(read(root, 'ci/pipeline.ts')).toBe(pipeline);

    const again = await runCli(['migrate', '--check'], { cwd: root });
    expect(again.code).toBe(0);
    expect(read(root, GENERATOR)).toBe(EXPECTED);
  });

  test('--format json lists the generator, its findings and its Kaniko jobs', async () => {
    const root = generatorRepo();
    const { code, report } = await json(['--dry-run'], root);
    expect(code).toBe(0);
    expect(report.files.map((f) => [f.path, f.changed, f.written, f.status])).toEqual([
      [GENERATOR, true, false, 'migrated'],
    ]);
    expect(
      report.files[0]!.findings.map((f) => ({
        code: f.code,
        severity: f.severity,
        line: f.line,
        column: f.column,
        job: f.job,
      })),
    ).toEqual(
      FINDINGS.map((f) => ({ code: f.code, severity: f.severity, line: f.line, column: f.column, job: [f.job] })),
    );
    expect(report.jobs.map((j) => [j.name, j.path, j.status])).toEqual([
      ['build-web', GENERATOR, 'migrated'],
      ['build-api', GENERATOR, 'migrated'],
      ['build-worker', GENERATOR, 'migrated'],
    ]);
    expect(report.errors).toEqual([]);
    expect(report.summary).toEqual(expect.objectContaining({ files: 1, changed: 1, kanikoJobs: 3, migrated: 3 }));
  });

  test('written files are marked written in the JSON report', async () => {
    const root = generatorRepo();
    const { code, report } = await json([], root);
    expect(code).toBe(0);
    expect(report.files.map((f) => [f.path, f.written])).toEqual([[GENERATOR, true]]);
    expect(read(root, GENERATOR)).toBe(EXPECTED);
  });

  test('markdown and codequality name the generator file', async () => {
    const root = generatorRepo();
    const md = await runCli(['migrate', '--check', '--format', 'markdown'], { cwd: root });
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('ci/generate.ts');
    expect(md.stdout).toContain('build-api');
    const cq = await runCli(['migrate', '--check', '--fail-on', 'never', '--format', 'codequality'], { cwd: root });
    expect(cq.code).toBe(1); // a change is pending
    const issues = JSON.parse(cq.stdout) as {
      check_name: string;
      location: { path: string; lines: { begin: number } };
    }[];
    // each job that would be migrated (where the generator defines it), then the findings
    expect(issues.map((i) => [i.check_name, i.location.path, i.location.lines.begin])).toEqual([
      ['pending-migration', GENERATOR, 19],
      ['pending-migration', GENERATOR, 32],
      ['pending-migration', GENERATOR, 38],
      ...FINDINGS.map((f) => [f.code, GENERATOR, f.line]),
    ]);
    expect(read(root, GENERATOR)).toBe(INPUT);
  });

  test('paths are shown from the working directory, and written there', async () => {
    const root = generatorRepo();
    const parent = dirname(root);
    const name = root.slice(parent.length + 1);
    const { code, report } = await json([name], parent);
    expect(code).toBe(0);
    expect(report.files.map((f) => f.path)).toEqual([`${name}/${GENERATOR}`]);
    expect(report.jobs.map((j) => j.path)).toEqual([
      `${name}/${GENERATOR}`,
      `${name}/${GENERATOR}`,
      `${name}/${GENERATOR}`,
    ]);
    expect(read(root, GENERATOR)).toBe(EXPECTED);
  });

  test('--sources restricting to a glob that matches nothing: the folder has nothing to migrate (exit 2, the old message)', async () => {
    const root = generatorRepo();
    for (const args of [['--sources', 'tools/**/*.ts'], ['--sources', ''], ['--no-sources']]) {
      const r = await runCli(['migrate', '--dry-run', ...args, '.'], { cwd: root });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain('no .gitlab-ci.yml in this folder');
      expect(r.stdout).not.toContain('--- a/ci/generate.ts');
    }
    expect(read(root, GENERATOR)).toBe(INPUT);
  });

  test('--sources matching the generator migrates it', async () => {
    const root = generatorRepo();
    const { code, report } = await json(['--sources', 'ci/generate.ts', '--dry-run'], root);
    expect(code).toBe(0);
    expect(report.files.map((f) => f.path)).toEqual([GENERATOR]);
  });

  test('an unreadable --sources glob is a usage error', async () => {
    const root = generatorRepo();
    const r = await runCli(['migrate', '--sources', 'ci/{a,b', '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--sources');
    expect(read(root, GENERATOR)).toBe(INPUT);
  });
});

describe('a folder with .gitlab-ci.yml and generator sources', () => {
  test('both are migrated in one run: diff, JSON, write, check', async () => {
    const root = generatorRepo(true);
    const before = snapshot(root);
    const dry = await runCli(['migrate', '--dry-run'], { cwd: root });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('--- a/.gitlab-ci.yml');
    expect(dry.stdout).toContain('--- a/ci/generate.ts');
    expect(snapshot(root)).toEqual(before);

    const { report } = await json(['--check'], root);
    expect(report.files.map((f) => [f.path, f.changed])).toEqual([
      ['.gitlab-ci.yml', true],
      [GENERATOR, true],
    ]);
    expect(report.jobs.map((j) => [j.name, j.path])).toEqual([
      ['build', '.gitlab-ci.yml'],
      ['build-web', GENERATOR],
      ['build-api', GENERATOR],
      ['build-worker', GENERATOR],
    ]);

    expect((await runCli(['migrate'], { cwd: root })).code).toBe(0);
    expectMigratedYaml(read(root, '.gitlab-ci.yml'));
    expect(read(root, GENERATOR)).toBe(EXPECTED);
    expect((await runCli(['migrate', '--check'], { cwd: root })).code).toBe(0);
  });

  test('--sources that matches nothing, --sources "" and --no-sources leave the generator out', async () => {
    for (const args of [['--sources', 'tools/**/*.ts'], ['--sources', ''], ['--no-sources']]) {
      const root = generatorRepo(true);
      const { code, report } = await json(args, root);
      expect({ args, code }).toEqual({ args, code: 0 });
      expect(report.files.map((f) => f.path)).toEqual(['.gitlab-ci.yml']);
      expect(report.jobs.map((j) => j.name)).toEqual(['build']);
      expectMigratedYaml(read(root, '.gitlab-ci.yml'));
      expect(read(root, GENERATOR)).toBe(INPUT);
    }
  });

  test('a generator file changed on disk during the run is not written, nor the YAML of the same project (KB107)', async () => {
    const root = generatorRepo(true);
    let out = '';
    let err = '';
    const io: CliIO = {
      stdout: (s) => void (out += s),
      stderr: (s) => void (err += s),
      readStdin: async () => '',
      cwd: root,
      env: {},
      isTTY: false,
    };
    const edited = `${INPUT}// edited meanwhile\n`;
    const code = await runMigrate(['.'], { format: 'json', failOn: 'manual' }, io, {
      signals: false,
      beforeWrite: (files) => {
        expect(files.sort()).toEqual([join(root, '.gitlab-ci.yml'), join(root, GENERATOR)].sort());
        writeFileSync(join(root, GENERATOR), edited);
      },
    });
    expect(code).toBe(2);
    expect(err).toMatch(/KB107 {2}error /); // the errors are on stderr, the JSON report alone on stdout
    const report = JSON.parse(out) as JsonReport;
    expect(report.files.map((f) => [f.path, f.written, f.findings.some((x) => x.code === 'KB107')])).toEqual([
      ['.gitlab-ci.yml', false, true],
      [GENERATOR, false, true],
    ]);
    expect(read(root, GENERATOR)).toBe(edited);
    expect(read(root, '.gitlab-ci.yml')).toBe(KANIKO_JOB);
  });
});

describe('which sources a folder run reads', () => {
  test('node_modules, dist and build are skipped by default; a glob naming build/ reads it', async () => {
    const root = generatorRepo();
    for (const dir of ['node_modules/some-pkg', 'dist', 'build']) {
      mkdirSync(join(root, dir, 'ci'), { recursive: true });
      writeFileSync(join(root, dir, GENERATOR), INPUT);
      writeFileSync(join(root, dir, 'ci/pipeline.ts'), read(root, 'ci/pipeline.ts'));
    }
    const all = await json(['--dry-run'], root);
    expect(all.report.files.map((f) => f.path)).toEqual([GENERATOR]);

    const build = await json(['--dry-run', '--sources', 'build/ci/*.ts'], root);
    expect(build.code).toBe(0);
    expect(build.report.files.map((f) => [f.path, f.changed])).toEqual([[`build/${GENERATOR}`, true]]);
    await runCli(['migrate', '--sources', 'build/**'], { cwd: root });
    expect(read(root, `build/${GENERATOR}`)).toBe(EXPECTED);
    expect(read(root, GENERATOR)).toBe(INPUT);
    expect(read(root, `dist/${GENERATOR}`)).toBe(INPUT);
  });

  test('test files are read by default (documented in --help), so tests pinning the jobs change with the generator', async () => {
    const root = generatorRepo();
    const spec = [
      "import { generate } from './generate.js';",
      "test('build-worker', () => {",
      "  expect(generate()['build-worker']).toEqual({ stage: 'build', image: 'gcr.io/kaniko-project/executor:debug', script: ['/kaniko/executor --context worker --no-push --tar-path worker.tar'] });",
      '});',
      '',
    ].join('\n');
    writeFileSync(join(root, 'ci/generate.test.ts'), spec);
    const { report } = await json(['--dry-run'], root);
    expect(report.files.map((f) => [f.path, f.changed])).toEqual([
      ['ci/generate.test.ts', true],
      [GENERATOR, true],
    ]);
    const help = await runCli(['migrate', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('test files (*.test.ts, *.spec.ts) are included');
    // and a glob leaves them out
    const only = await json(['--dry-run', '--sources', 'ci/generate.ts'], root);
    expect(only.report.files.map((f) => f.path)).toEqual([GENERATOR]);
  });

  test('a folder with neither .gitlab-ci.yml nor generator sources still exits 2 with the message', async () => {
    const cases: Record<string, string>[] = [
      { 'README.md': 'x' },
      { 'README.md': 'x', 'types.d.ts': 'export type X = 1;\n', 'node_modules/p/index.js': 'module.exports = 1;\n' },
    ];
    for (const files of cases) {
      const root = tempRepo(files);
      const r = await runCli(['migrate', '--dry-run', '.'], { cwd: root });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no .gitlab-ci.yml in this folder');
    }
  });

  test('a folder whose sources mention no Kaniko (and no .gitlab-ci.yml) is an input error: a typo must not pass', async () => {
    const root = tempRepo({ 'src/index.ts': 'export const x = 1;\n', 'src/util.js': 'module.exports = 2;\n' });
    const r = await runCli(['migrate', '--check', '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      ".  KB106  error   no .gitlab-ci.yml in this folder, and none of the 2 generator source(s) matching --sources '**/*.{ts,mts,cts,js,mjs}' mentions Kaniko or BuildKit: nothing to migrate\n",
    );
  });

  test('sources that mention no Kaniko beside one that does are read but not listed', async () => {
    const root = tempRepo({ 'src/index.ts': 'export const x = 1;\n', 'ci/generate.ts': `// ${'kaniko'}\n` });
    const { code, report } = await json(['--check'], root);
    expect(code).toBe(0);
    expect(report.files).toEqual([]);
    expect(report.errors).toEqual([]);
  });
});

describe('a generator source file as the target', () => {
  test('the one file is migrated (its repository is the root: Dockerfiles resolve as in the folder run)', async () => {
    const root = generatorRepo(true);
    const dry = await json(['--dry-run', GENERATOR], root);
    expect(dry.code).toBe(0);
    expect(dry.report.files.map((f) => f.path)).toEqual([GENERATOR]); // not the .gitlab-ci.yml
    expect(dry.report.files[0]!.findings.map((f) => [f.code, f.line])).toEqual(FINDINGS.map((f) => [f.code, f.line]));
    expect((await runCli(['migrate', '--check', GENERATOR], { cwd: root })).code).toBe(1);

    expect((await runCli(['migrate', GENERATOR], { cwd: root })).code).toBe(0);
    expect(read(root, GENERATOR)).toBe(EXPECTED);
    expect(read(root, '.gitlab-ci.yml')).toBe(KANIKO_JOB);
    expect((await runCli(['migrate', '--check', GENERATOR], { cwd: root })).code).toBe(0);
  });

  test('from another folder, and with --no-sources (an explicit file is read all the same)', async () => {
    const root = generatorRepo();
    const r = await runCli(['migrate', '--no-sources', join(root, GENERATOR)], { cwd: join(root, 'api') });
    expect(r.code).toBe(0);
    expect(read(root, GENERATOR)).toBe(EXPECTED);
  });

  test('a file under build/ and a file whose name holds glob characters', async () => {
    const root = generatorRepo();
    mkdirSync(join(root, 'build'));
    for (const p of ['build/gen.ts', 'ci/gen[1]{a,b}*.ts', 'ci/gen1a.ts'])
      writeFileSync(join(root, p), INPUT.replace("'./pipeline.js'", "'../ci/pipeline.js'"));
    for (const p of ['build/gen.ts', 'ci/gen[1]{a,b}*.ts']) {
      const { code, report } = await json(['--dry-run', p], root);
      expect({ p, code }).toEqual({ p, code: 0 });
      expect(report.files.map((f) => [f.path, f.changed])).toEqual([[p, true]]);
    }
  });

  test('a declaration file is no generator (exit 2); other files are still YAML', async () => {
    const root = generatorRepo();
    writeFileSync(join(root, 'ci/types.d.ts'), 'export type X = 1;\n');
    const d = await runCli(['migrate', 'ci/types.d.ts'], { cwd: root });
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('declaration file');
    writeFileSync(join(root, 'ci/build.yml'), KANIKO_JOB);
    expect((await runCli(['migrate', 'ci/build.yml'], { cwd: root })).code).toBe(0);
    expectMigratedYaml(read(root, 'ci/build.yml'));
  });
});

describe('listing helpers (src/typescript/files.ts)', () => {
  test('globForPath matches exactly its path', () => {
    const root = tempRepo({
      'a/x[1].ts': '',
      'a/x1.ts': '',
      'a/{b}.ts': '',
      'a/b.ts': '',
      'a/c?.ts': '',
      'a/cd.ts': '',
    });
    expect(listSourceFiles(root, globForPath('a/x[1].ts'))).toEqual(['a/x[1].ts']);
    expect(listSourceFiles(root, globForPath('a/{b}.ts'))).toEqual(['a/{b}.ts']);
    expect(listSourceFiles(root, globForPath('./a/c?.ts'))).toEqual(['a/c?.ts']);
  });

  test('skipped folders are entered only when a glob names them; .git never', () => {
    const root = tempRepo({
      'build/a.ts': '',
      'dist/b.ts': '',
      'node_modules/p/c.ts': '',
      '.git/d.ts': '',
      'src/e.ts': '',
    });
    expect(listSourceFiles(root)).toEqual(['src/e.ts']);
    expect(listSourceFiles(root, '**/*.ts')).toEqual(['src/e.ts']);
    expect(listSourceFiles(root, 'build/**, node_modules/p/*.ts')).toEqual(['build/a.ts', 'node_modules/p/c.ts']);
    expect(listSourceFiles(root, '.git/*.ts')).toEqual([]);
  });
});
