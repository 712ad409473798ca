/**
 * The project's own .gitlab-ci.yml and Dockerfile. The pipeline passes `kaniko2buildkit migrate --check` (the CLI
 * built from the current sources), gitlab-ci-local reads it (GitLab's schema included), its build-image job is what
 * kaniko2buildkit writes when it migrates the Kaniko job that makes the same build, and its test job runs .ci/run.
 * The Dockerfile: multi-stage from node:20-alpine, the image installed from the tarball `npm pack` makes, a non-root
 * user, the command on PATH and no ENTRYPOINT. (No Docker engine runs here, so the image itself is not built by the
 * tests; pack.test.ts runs the commands of its first stage on the files that stage copies.)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { migrateText } from '../../src/index.js';
import { readEffectivePipeline } from '../support/effective-jobs.js';
import { builtCli } from '../stress/helpers.js';
import { contextCopies, dockerStages } from './support.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CI_FILE = path.join(REPO, '.gitlab-ci.yml');
const ciText = fs.readFileSync(CI_FILE, 'utf8');
const ci = YAML.parse(ciText) as Record<string, Record<string, unknown>>;

/** The Kaniko job that makes the image: what build-image would have been before BuildKit. */
const KANIKO_BUILD_IMAGE = `build-image:
  stage: image
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_REF_SLUG"
`;

describe("the project's .gitlab-ci.yml", () => {
  test('node bin/kaniko2buildkit.js migrate --check .gitlab-ci.yml exits 0: no Kaniko job, nothing pending', () => {
    const r = spawnSync(process.execPath, [builtCli(), 'migrate', '--check', '.gitlab-ci.yml'], {
      cwd: REPO,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('1 file(s) read, 0 would change');
    expect(r.status).toBe(0);
  });

  test('gitlab-ci-local --preview reads it: the test job, then build-image', async () => {
    const only = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-own-ci-'));
    try {
      fs.copyFileSync(CI_FILE, path.join(only, '.gitlab-ci.yml'));
      const pipeline = await readEffectivePipeline(only, { noCache: true });
      expect(Object.keys(pipeline.jobs).sort()).toEqual(['build-image', 'test']);
      expect(pipeline.raw.stages).toEqual(expect.arrayContaining(['test', 'image']));
      expect(pipeline.jobs.test!.image).toEqual({ name: 'node:20-bookworm', entrypoint: null });
      expect(pipeline.jobs.test!.script).toContain('bash .ci/run');
      expect(pipeline.jobs['build-image']!.image).toEqual({ name: 'moby/buildkit:rootless', entrypoint: [''] });
    } finally {
      fs.rmSync(only, { recursive: true, force: true });
    }
  }, 60000);

  test('build-image is what kaniko2buildkit writes for the Kaniko job making the same image', async () => {
    const migrated = await migrateText(KANIKO_BUILD_IMAGE);
    expect(migrated.files[0]!.changed).toBe(true);
    const want = (YAML.parse(migrated.files[0]!.output) as Record<string, Record<string, unknown>>)['build-image']!;
    const own = ci['build-image']!;
    for (const key of ['stage', 'image', 'variables', 'script'])
      expect({ [key]: own[key] }).toEqual({ [key]: want[key] });
    // and the same text: each script line as the tool writes it (plain scalars: the value is the text)
    for (const line of want.script as string[]) expect(ciText).toContain(`    - ${line}\n`);
  });

  test('the test job runs .ci/run, which installs the Debian packages the tests need, and keeps the tarball', () => {
    const job = ci.test!;
    expect(job.image).toBe('node:20-bookworm');
    expect(job.script).toEqual(['bash .ci/run', 'npm pack']);
    expect((job.artifacts as { paths: string[] }).paths).toEqual(['kaniko2buildkit-*.tgz']);
    const ciRun = fs.readFileSync(path.join(REPO, '.ci', 'run'), 'utf8');
    for (const pkg of ['busybox', 'docker-registry', 'skopeo', 'apache2-utils', 'rsync', 'npm ci', 'npm test'])
      expect(ciRun).toContain(pkg);
  });
});

describe('the Dockerfile', () => {
  const text = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  const stages = dockerStages(text);
  const final = stages.at(-1)!;
  const ops = (op: string) => final.instructions.filter((i) => i.op === op).map((i) => i.args);

  test('multi-stage, from node:20-alpine', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toBe('node:20-alpine');
  });

  test('the first stage packs a tarball with npm pack and installs it without dev dependencies', () => {
    const run = stages[0]!.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
    const packs = run.find((r) => r.includes('npm pack'));
    expect(packs).toBeDefined();
    expect(packs).toMatch(/npm pack .*install-lock\.mjs \/tmp\/kaniko2buildkit-\*\.tgz .*npm ci --omit=dev/);
    for (const f of contextCopies(stages[0]!)) expect(fs.existsSync(path.join(REPO, f))).toBe(true);
  });

  test('the image: the installed folder only, the command on PATH, a non-root user, no ENTRYPOINT', () => {
    expect(ops('COPY')).toEqual([`--from=${stages[0]!.name} /opt/kaniko2buildkit /opt/kaniko2buildkit`]);
    expect(ops('RUN')).toEqual([]);
    expect(ops('ENV').join(' ')).toMatch(/PATH=\/opt\/kaniko2buildkit\/node_modules\/\.bin:\$PATH/);
    const user = ops('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // node's image has ENTRYPOINT docker-entrypoint.sh: cleared, so a GitLab job's script runs as written
    expect(ops('ENTRYPOINT')).toEqual(['[]']);
    expect(ops('CMD')).toEqual(['["kaniko2buildkit", "--help"]']);
  });

  test('.dockerignore leaves out what a checkout has built or installed', () => {
    const ignored = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'dist', '.git', '*.tgz']) expect(ignored).toContain(p);
  });
});
