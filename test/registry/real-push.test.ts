/**
 * The migrated job's registry login, checked against a REAL registry.
 *
 * The same-build test compares credentials with a JS oracle; this one pushes. For a fixture: migrateProject's output
 * is read back with gitlab-ci-local (as same-build does), the migrated job script runs under the stub harness
 * (stub-run.ts, BuildKit image, busybox sh when installed, as uid 1000 when the tests run as root) with
 * CI_REGISTRY / CI_REGISTRY_IMAGE / CI_REGISTRY_USER / CI_REGISTRY_PASSWORD pointing at a local `docker-registry`
 * with htpasswd auth (test/support/registry.ts). Each recorded buildctl call is then replayed as a real push:
 * its `--output type=image,name=…,push=true` refs (describeBuildctl), the credentials buildctl would read for that
 * call's env and files (registry-auth.ts `buildkitAuthSource`), and `skopeo copy` of a tiny OCI image with exactly
 * those credentials; the registry API must then have the manifest.
 *
 * Negative controls bypass the tool's fix (or break the login on purpose) and must be REFUSED by the registry, so a
 * wrong config.json (bad base64, wrong host key, a folder buildctl does not read, DOCKER_AUTH_CONFIG winning) fails.
 *
 * Credential helpers (credHelpers) are not run: for that fixture the helper's path is checked instead. Skipped,
 * with a console message, when docker-registry, skopeo or htpasswd is missing (.ci/run installs them as root).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateProject } from '../../src/index.js';
import { describeBuildctl, splitRef } from '../support/build-description.js';
import { readEffectivePipeline } from '../support/effective-jobs.js';
import { FIXTURES } from '../support/fixtures.js';
import { buildkitAuthSource, type BuildkitAuthSource } from '../support/registry-auth.js';
import {
  manifestStatus,
  missingRegistryTools,
  skopeoAuthFile,
  skopeoPush,
  startRegistry,
  tinyOciLayout,
  type Registry,
  type RegistryUser,
} from '../support/registry.js';
import { findBusybox, gitlabEnv, mergeVariables, runJobScript, type RunResult } from '../support/stub-run.js';

const missing = missingRegistryTools();
if (missing.length > 0)
  console.warn(
    `real-push: SKIPPED, the real registry push test needs ${missing.join(', ')} (.ci/run installs them as root)`,
  );
const shell: 'sh' | 'busybox' = findBusybox() ? 'busybox' : 'sh';
if (shell === 'sh' && missing.length === 0)
  console.warn('real-push: busybox is not installed, the migrated jobs run with dash instead');
/** the rootless BuildKit image runs as uid 1000; the harness can switch only when the tests run as root */
const JOB_UID = process.getuid?.() === 0 ? 1000 : undefined;
if (JOB_UID === undefined && missing.length === 0)
  console.warn('real-push: not root, so the migrated jobs run as the current user, not as uid 1000');

/** 9 + 1 + 16 characters: base64 of `user:password` ends in `=` (the bad-base64 control strips it) */
const PUSHER: RegistryUser = {
  user: 'ci-pusher',
  password: Math.random().toString(16).slice(2, 10).padEnd(8, '0') + 'Pw5x7Qz9',
};
/** project CI/CD settings credentials the registry does not accept for a push (a read-only deploy token's stand-in) */
const READ_ONLY: RegistryUser = { user: 'deploy-reader', password: 'read-only-token' };
const readOnlyAuthConfig = (host: string): string =>
  JSON.stringify({
    auths: { [host]: { auth: Buffer.from(`${READ_ONLY.user}:${READ_ONLY.password}`).toString('base64') } },
  });

const UNSET = 'unset DOCKER_AUTH_CONFIG';

interface Push {
  ref: string;
  source: BuildkitAuthSource;
  code: number;
  stderr: string;
  /** GET /v2/<name>/manifests/<tag> with the push user afterwards */
  manifest: number;
}

interface JobRun {
  run: RunResult;
  lines: string[];
  pushes: Push[];
  /** per buildctl call: credHelpers / credsStore named by the file it reads */
  helpers: Record<string, string>[];
  problems: string[];
}

interface Case {
  fixture: string;
  /** a fresh repository path per case, so every case pushes its own refs */
  repo: string;
  /** variables as project CI/CD settings give them (they win over the YAML's) */
  settings?: (reg: Registry) => Record<string, string>;
  /** changes to the migrated script items, to break the login on purpose */
  edit?: (lines: string[]) => string[];
}

const d = missing.length > 0 ? describe.skip : describe;

d('a real push with the credentials the migrated job sets up', () => {
  let reg: Registry;
  let tmp: string;
  let layout: string;
  const migrated = new Map<string, Awaited<ReturnType<typeof readEffectivePipeline>>>();

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-real-push-')));
    layout = tinyOciLayout(path.join(tmp, 'oci'));
    reg = await startRegistry([PUSHER]);
  }, 60000);

  afterAll(async () => {
    await reg?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function migratedPipeline(fixture: string) {
    let p = migrated.get(fixture);
    if (!p) {
      const root = path.join(FIXTURES, fixture, 'input');
      const result = await migrateProject({ root });
      const overlay = Object.fromEntries(result.files.filter((f) => f.changed).map((f) => [f.path, f.output]));
      p = await readEffectivePipeline(root, { overlay, validate: true });
      migrated.set(fixture, p);
    }
    return p;
  }

  const readFile = (f: string): string | undefined => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };

  async function runAndPush(c: Case): Promise<JobRun> {
    const pipeline = await migratedPipeline(c.fixture);
    const jobs = Object.values(pipeline.jobs);
    if (jobs.length !== 1) throw new Error(`${c.fixture}: expected one job, got ${jobs.map((j) => j.name).join(', ')}`);
    const job = jobs[0]!;
    const predefined = gitlabEnv({
      CI_JOB_NAME: job.name,
      CI_REGISTRY: reg.host,
      CI_REGISTRY_IMAGE: `${reg.host}/${c.repo}`,
      CI_REGISTRY_USER: PUSHER.user,
      CI_REGISTRY_PASSWORD: PUSHER.password,
    });
    const env = { ...mergeVariables(predefined, pipeline.variables, job.variables), ...(c.settings?.(reg) ?? {}) };
    const original = [...job.before_script, ...job.script];
    const lines = c.edit ? c.edit(original) : original;
    const run = await runJobScript(lines, {
      env,
      shell,
      projectDir: path.join(FIXTURES, c.fixture, 'input'),
      image: 'buildkit',
      keep: true,
      uid: JOB_UID,
    });
    const out: JobRun = { run, lines, pushes: [], helpers: [], problems: [] };
    try {
      if (run.exitCode !== 0) out.problems.push(`the migrated script exits ${run.exitCode}: ${run.stderr.trim()}`);
      const calls = run.calls.filter((x) => x.tool === 'buildctl');
      if (calls.length === 0) out.problems.push('no buildctl call');
      for (const [i, call] of calls.entries()) {
        const desc = describeBuildctl(call.argv, { cwd: call.cwd, env: call.env, projectDir: run.cwd });
        if (!desc.push || desc.images.length === 0) {
          out.problems.push(`call ${i + 1} pushes nothing: ${JSON.stringify(call.argv)}`);
          continue;
        }
        const source = buildkitAuthSource(call.env, call.cwd, readFile);
        const { json, helpers } = skopeoAuthFile(source.json);
        out.helpers.push(helpers);
        const authFile = path.join(tmp, `auth-${c.repo.replace(/\W/g, '_')}-${i}.json`);
        fs.writeFileSync(authFile, json, { mode: 0o600 });
        for (const ref of desc.images) {
          if (!ref.startsWith(`${reg.host}/`)) {
            out.problems.push(`call ${i + 1} pushes to ${ref}, not the test registry: not pushed`);
            continue;
          }
          const r = await skopeoPush(layout, ref, authFile);
          const { repository, tag } = splitRef(ref);
          const name = repository.slice(reg.host.length + 1);
          const manifest = await manifestStatus(reg, name, tag ?? 'latest', PUSHER);
          out.pushes.push({ ref, source, code: r.code, stderr: r.stderr.trim(), manifest });
        }
      }
    } finally {
      run.cleanup();
    }
    return out;
  }

  /** Problems of a run that must have pushed every ref (empty: all pushed and all manifests there). */
  function pushProblems(j: JobRun): string[] {
    const p = [...j.problems];
    if (j.pushes.length === 0) p.push('nothing was pushed');
    for (const x of j.pushes) {
      if (x.code !== 0)
        p.push(`push of ${x.ref} refused (credentials from ${x.source.from} ${x.source.file ?? ''}): ${x.stderr}`);
      if (x.manifest !== 200) p.push(`manifest of ${x.ref}: HTTP ${x.manifest}, not 200`);
    }
    return p;
  }

  /** A negative control: the script ran, every push was attempted and every one was refused and left nothing. */
  function expectRefused(j: JobRun): void {
    expect(j.problems).toEqual([]);
    expect(j.pushes.length).toBeGreaterThan(0);
    for (const x of j.pushes) {
      expect({ ref: x.ref, refused: x.code !== 0, manifest: x.manifest }).toEqual({
        ref: x.ref,
        refused: true,
        manifest: 404,
      });
      expect(x.stderr).toMatch(/unauthorized|authentication required|denied|decod|base64|illegal/i);
    }
  }

  test('the registry answers and refuses an anonymous manifest read', async () => {
    expect(reg.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await manifestStatus(reg, 'group/none', 'x')).toBe(401);
    expect(await manifestStatus(reg, 'group/none', 'x', PUSHER)).toBe(404);
  });

  test('the job scripts run as uid 1000 (when the tests run as root), with HOME their own', async () => {
    const run = await runJobScript(['id -u', 'touch ~/x && ls -n ~/x'], {
      env: gitlabEnv(),
      shell,
      image: 'buildkit',
      uid: JOB_UID,
    });
    expect(run.exitCode).toBe(0);
    const uid = String(JOB_UID ?? process.getuid?.());
    expect(run.stdout.split('\n')[0]).toBe(uid);
    expect(run.stdout.split('\n')[1]!.split(/\s+/)[2]).toBe(uid);
  });

  // the $CI_REGISTRY login fixtures: Kaniko's built-in GitLab helper (auth-none) and the hand-written logins
  test.each([
    'auth-none',
    'auth-echo',
    'auth-printf',
    'auth-heredoc',
    'auth-docker-config',
    'seed',
    'multi-destination',
  ])(
    '%s: the migrated job pushes to the registry',
    async (fixture) => {
      const j = await runAndPush({ fixture, repo: `group/${fixture}` });
      expect(pushProblems(j)).toEqual([]);
      expect(j.pushes.every((x) => x.source.from !== 'DOCKER_AUTH_CONFIG')).toBe(true);
    },
    120000,
  );

  test('auth-destination-variable: the push registry from a settings variable, the CI_REGISTRY login', async () => {
    const j = await runAndPush({
      fixture: 'auth-destination-variable',
      repo: 'group/destination-variable',
      settings: (r) => ({ REGISTRY: `${r.host}/group/destination-variable` }),
    });
    expect(pushProblems(j)).toEqual([]);
    expect(j.pushes.map((x) => x.ref)).toEqual([`${reg.host}/group/destination-variable/web:1f0a2b3c`]);
  }, 120000);

  test('auth-config-folder-moved: DOCKER_CONFIG moved to $HOME/.docker, created, and read there', async () => {
    const j = await runAndPush({ fixture: 'auth-config-folder-moved', repo: 'group/folder-moved' });
    expect(pushProblems(j)).toEqual([]);
    const call = j.run.calls.find((x) => x.tool === 'buildctl')!;
    expect(call.env.DOCKER_CONFIG).toBe(`${j.run.home}/.docker`);
    expect(j.pushes[0]!.source).toMatchObject({ from: 'DOCKER_CONFIG', file: `${j.run.home}/.docker/config.json` });
  }, 120000);

  describe('DOCKER_AUTH_CONFIG from the project settings holds credentials that cannot push', () => {
    const settings = (r: Registry) => ({ DOCKER_AUTH_CONFIG: readOnlyAuthConfig(r.host) });

    test.each(['auth-none', 'auth-printf', 'seed'])(
      '%s: the migrated job unsets it and still pushes',
      async (fixture) => {
        const j = await runAndPush({ fixture, repo: `group/dac-${fixture}`, settings });
        expect(j.lines).toContain(UNSET);
        expect(pushProblems(j)).toEqual([]);
        const call = j.run.calls.find((x) => x.tool === 'buildctl')!;
        expect(call.env.DOCKER_AUTH_CONFIG).toBeUndefined();
      },
      120000,
    );

    test('control: without the `unset DOCKER_AUTH_CONFIG` line the registry refuses the push', async () => {
      const j = await runAndPush({
        fixture: 'auth-printf',
        repo: 'group/dac-bypassed',
        settings,
        edit: (lines) => {
          expect(lines).toContain(UNSET);
          return lines.filter((l) => l !== UNSET);
        },
      });
      expect(j.pushes.map((x) => x.source.from)).toEqual(['DOCKER_AUTH_CONFIG']);
      expectRefused(j);
    }, 120000);
  });

  describe('controls: a broken login is refused by the registry', () => {
    test('wrong password in config.json', async () => {
      const j = await runAndPush({
        fixture: 'auth-printf',
        repo: 'group/wrong-password',
        settings: () => ({ CI_REGISTRY_PASSWORD: `${PUSHER.password}-wrong` }),
      });
      expectRefused(j);
    }, 120000);

    test('bad base64 in an `auth` entry (padding stripped: Go decodes strictly, Buffer.from would not care)', async () => {
      const j = await runAndPush({
        fixture: 'seed',
        repo: 'group/bad-base64',
        edit: (lines) => replaceOnce(lines, "base64 | tr -d '\\n'", "base64 | tr -d '\\n='"),
      });
      expectRefused(j);
    }, 120000);

    test('wrong host key (the port left out)', async () => {
      const j = await runAndPush({
        fixture: 'auth-printf',
        repo: 'group/wrong-key',
        edit: (lines) =>
          replaceOnce(lines, '"$CI_REGISTRY" "$CI_REGISTRY_USER"', '"${CI_REGISTRY%:*}" "$CI_REGISTRY_USER"'),
      });
      expectRefused(j);
    }, 120000);

    test('config.json in a folder buildctl does not read', async () => {
      const j = await runAndPush({
        fixture: 'auth-printf',
        repo: 'group/other-folder',
        edit: (lines) => lines.map((l) => l.split('~/.docker').join('"$CI_PROJECT_DIR/.docker"')),
      });
      expect(j.pushes[0]!.source).toMatchObject({ from: 'home', json: undefined });
      expectRefused(j);
    }, 120000);
  });

  test('auth-cloud-ecr: credHelpers are not run for real; the helper is where the script put it, on PATH', async () => {
    const pipeline = await migratedPipeline('auth-cloud-ecr');
    const job = Object.values(pipeline.jobs)[0]!;
    const env = mergeVariables(gitlabEnv({ CI_JOB_NAME: job.name }), pipeline.variables, job.variables);
    const run = await runJobScript([...job.before_script, ...job.script], {
      env,
      shell,
      projectDir: path.join(FIXTURES, 'auth-cloud-ecr', 'input'),
      image: 'buildkit',
      keep: true,
      uid: JOB_UID,
    });
    try {
      expect(run.exitCode).toBe(0);
      const call = run.calls.find((x) => x.tool === 'buildctl')!;
      const { helpers } = skopeoAuthFile(buildkitAuthSource(call.env, call.cwd, readFile).json);
      const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
      expect(helpers).toEqual({ [host]: 'ecr-login' });
      const bin = (call.env.PATH ?? '')
        .split(':')
        .map((dir) => path.join(dir, `docker-credential-${helpers[host]!}`))
        .find((f) => fs.existsSync(f));
      expect(bin).toBe(path.join(run.home, 'bin', 'docker-credential-ecr-login'));
      fs.accessSync(bin!, fs.constants.X_OK);
    } finally {
      run.cleanup();
    }
  }, 120000);
});

function replaceOnce(lines: string[], from: string, to: string): string[] {
  const i = lines.findIndex((l) => l.includes(from));
  expect(i).toBeGreaterThanOrEqual(0);
  return lines.map((l, k) => (k === i ? l.replace(from, to) : l));
}
