import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  expandVariable,
  findBusybox,
  gitlabEnv,
  mapKanikoPaths,
  mapTmpPaths,
  mergeVariables,
  runJobScript,
} from './stub-run.js';

const busybox = findBusybox();
if (!busybox)
  console.warn(
    'busybox is not installed: the busybox variants of the stub-run tests are SKIPPED (apt-get install busybox to run them)',
  );
const shells: ('sh' | 'busybox')[] = busybox ? ['sh', 'busybox'] : ['sh'];

const seedAuth = `echo "{\\"auths\\":{\\"\${CI_REGISTRY}\\":{\\"auth\\":\\"$(printf "%s:%s" "\${CI_REGISTRY_USER}" "\${CI_REGISTRY_PASSWORD}" | base64 | tr -d '\\n')\\"}}}" > /kaniko/.docker/config.json`;

describe.each(shells)('runJobScript with %s', (shell) => {
  test('the seed script: argv recorded verbatim (U+3000 stays inside one word), auth file written under the stub /kaniko', async () => {
    const env = gitlabEnv();
    const r = await runJobScript(
      [
        'mkdir -p /kaniko/.docker',
        seedAuth,
        '/kaniko/executor --cache=true --context ${CI_PROJECT_DIR} --dockerfile "${CI_PROJECT_DIR}/dockerfiles/foo.dockerfile" --build-arg\u3000"BAR=baz" --destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA}" --destination "${CI_REGISTRY_IMAGE}:latest"',
      ],
      { env, shell },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]!.tool).toBe('kaniko');
    expect(r.calls[0]!.argv).toEqual([
      '--cache=true',
      '--context',
      r.cwd,
      '--dockerfile',
      `${r.cwd}/dockerfiles/foo.dockerfile`,
      '--build-arg\u3000BAR=baz',
      '--destination',
      'registry.example.com/group/proj:1f0a2b3c',
      '--destination',
      'registry.example.com/group/proj:latest',
    ]);
    const auth = JSON.parse(r.files.kaniko!) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(auth.auths['registry.example.com']!.auth, 'base64').toString()).toBe(
      `${env.CI_REGISTRY_USER}:${env.CI_REGISTRY_PASSWORD}`,
    );
    expect(r.files.dockerConfig).toBe(r.files.kaniko); // DOCKER_CONFIG=/kaniko/.docker/ from the Kaniko image env
    expect(r.files.home).toBeUndefined();
  });

  test('awkward argv survives the stub: spaces, quotes, $, newlines, commas, empty words', async () => {
    const r = await runJobScript(
      [
        'buildctl-daemonless.sh build --opt "build-arg:A=a b" --opt \'x="$y"\' "" "l1\nl2" --output type=image,\\"name=a,b\\",push=true',
      ],
      {
        env: {},
        shell,
        image: 'buildkit',
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.calls.map((c) => [c.tool, c.argv])).toEqual([
      [
        'buildctl',
        [
          'build',
          '--opt',
          'build-arg:A=a b',
          '--opt',
          'x="$y"',
          '',
          'l1\nl2',
          '--output',
          'type=image,"name=a,b",push=true',
        ],
      ],
    ]);
  });

  test('bare `executor` is stubbed; gcr.io/kaniko-project is not mapped; cwd is the project copy; HOME has no .docker', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-proj-'));
    fs.writeFileSync(path.join(project, 'Dockerfile'), 'FROM alpine\n');
    try {
      const r = await runJobScript(
        [
          'test -f Dockerfile',
          'test ! -e "$HOME/.docker"',
          'cd /tmp && cd - >/dev/null',
          'executor --destination gcr.io/kaniko-project/executor:x',
        ],
        {
          env: gitlabEnv(),
          shell,
          projectDir: project,
        },
      );
      expect(r.stderr).toBe('');
      expect(r.calls).toEqual([
        expect.objectContaining({
          tool: 'kaniko',
          argv: ['--destination', 'gcr.io/kaniko-project/executor:x'],
          cwd: r.cwd,
        }),
      ]);
      expect(r.calls[0]!.env.CI_PROJECT_DIR).toBe(r.cwd);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  test('set -e: the script stops at the first failing command', async () => {
    const r = await runJobScript(['false', '/kaniko/executor --no-push'], { env: {}, shell });
    expect(r.exitCode).not.toBe(0);
    expect(r.calls).toEqual([]);
  });

  test('DOCKER_CONFIG=/kaniko/.docker as a job variable is mapped too', async () => {
    const r = await runJobScript(
      ['mkdir -p "$DOCKER_CONFIG"', 'echo "{}" > "$DOCKER_CONFIG/config.json"', '/kaniko/executor --no-push'],
      {
        env: { DOCKER_CONFIG: '/kaniko/.docker' },
        shell,
      },
    );
    expect(r.exitCode).toBe(0);
    expect(r.files.kaniko).toBe('{}\n');
    expect(r.files.dockerConfig).toBe('{}\n');
  });

  test('a BuildKit-image script that still mentions /kaniko is refused, not run', async () => {
    const r = await runJobScript(['mkdir -p /kaniko/.docker', 'buildctl-daemonless.sh build'], {
      env: {},
      shell,
      image: 'buildkit',
    });
    expect(r.exitCode).toBe(126);
    expect(r.calls).toEqual([]);
    expect(r.stderr).toMatch(/still refers to \/kaniko/);
  });

  test('/tmp is private to the run; the buildkitd.toml named by BUILDKITD_FLAGS is snapshotted at call time', async () => {
    const r = await runJobScript(
      [
        "printf '%s\\n' '[registry.\"docker.io\"]' '  mirrors = [\"m\"]' > /tmp/buildkitd.toml",
        'BUILDKITD_FLAGS="$BUILDKITD_FLAGS --config /tmp/buildkitd.toml" buildctl-daemonless.sh build',
        'rm /tmp/buildkitd.toml',
        'buildctl-daemonless.sh build',
      ],
      { env: { BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' }, shell, image: 'buildkit' },
    );
    expect(r.stderr).toBe('');
    expect(fs.existsSync('/tmp/buildkitd.toml') && fs.readFileSync('/tmp/buildkitd.toml', 'utf8').includes('"m"')).toBe(
      false,
    );
    expect(r.calls[0]!.buildkitdConfig).toEqual({
      path: expect.stringMatching(/\/k2b-run-.*\/tmp\/buildkitd\.toml$/),
      explicit: true,
      content: '[registry."docker.io"]\n  mirrors = ["m"]\n',
    });
    expect(r.calls[1]!.buildkitdConfig).toEqual({
      path: expect.stringMatching(/\/home\/\.config\/buildkit\/buildkitd\.toml$/),
      explicit: false,
      content: null,
    });
  });

  test('~/.docker/config.json is reported as home', async () => {
    const r = await runJobScript(
      ['mkdir -p ~/.docker', 'echo "{\\"auths\\":{}}" > ~/.docker/config.json', 'buildctl-daemonless.sh build'],
      { env: {}, shell, image: 'buildkit' },
    );
    expect(r.files).toEqual({ home: '{"auths":{}}\n' });
  });
});

if (!busybox) {
  test.skip('busybox variants (busybox not installed)', () => undefined);
}

describe('variables', () => {
  test('expandVariable: $X, ${X}, $$, unknown → empty', () => {
    expect(expandVariable('$A-${B}-$$C-$NOPE.', { A: 'a', B: 'b' })).toBe('a-b-$C-.');
  });
  test('mergeVariables: predefined < global < job; expansion; expand: false', () => {
    const env = mergeVariables(
      { CI_REGISTRY_IMAGE: 'r/p', CI_COMMIT_REF_SLUG: 'main' },
      { IMG: { value: '$CI_REGISTRY_IMAGE/app', expand: true }, X: { value: 'global', expand: true } },
      {
        X: { value: '${X}-job', expand: true },
        RAW: { value: '$IMG', expand: false },
        TAG: { value: '$IMG:$CI_COMMIT_REF_SLUG', expand: true },
      },
    );
    expect(env).toMatchObject({ IMG: 'r/p/app', X: 'global-job', RAW: '$IMG', TAG: 'r/p/app:main' });
  });
  test('mapTmpPaths maps only the /tmp path prefix', () => {
    expect(mapTmpPaths('/tmp/a "/tmp" x/tmp/y https://h/tmp/z /tmpfoo --config=/tmp/b', '/P')).toBe(
      '/P/a "/P" x/tmp/y https://h/tmp/z /tmpfoo --config=/P/b',
    );
  });
  test('mapKanikoPaths maps only the /kaniko path prefix', () => {
    expect(
      mapKanikoPaths(
        '/kaniko/executor; cat /kaniko/.docker/config.json; gcr.io/kaniko-project/executor; $X/kaniko/y; /kaniko',
        '/S',
      ),
    ).toBe(
      '/S/kaniko/executor; cat /S/kaniko/.docker/config.json; gcr.io/kaniko-project/executor; $X/kaniko/y; /S/kaniko',
    );
  });
});
