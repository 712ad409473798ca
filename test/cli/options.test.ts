/** Options that do nothing in the mode asked for, and the --buildkit-image reference. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkBuildkitImage, parseImageReference } from '../../src/cli/options.js';
import { KANIKO_JOB, kanikoRepo, runCli } from '../helpers.js';

const ci = (root: string) => readFileSync(join(root, '.gitlab-ci.yml'), 'utf8');

describe('options that do nothing in the mode asked for', () => {
  test('--fail-on without --check is refused (exit 2, nothing written): a CI gate would pass and write files', async () => {
    const root = kanikoRepo();
    const r = await runCli(['migrate', '--fail-on', 'warning', '.'], { cwd: root });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'kaniko2buildkit: --fail-on applies only with --check: add --check, or leave --fail-on out\n',
    });
    expect(ci(root)).toBe(KANIKO_JOB);
    expect((await runCli(['migrate', '--check', '--fail-on', 'never', '.'], { cwd: root })).code).toBe(1);
  });

  test('--concurrency and --no-progress without --recursive are warned about, and the run goes on', async () => {
    const root = kanikoRepo();
    const r = await runCli(['migrate', '--dry-run', '--concurrency', '4', '--no-progress', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'kaniko2buildkit: warning: --concurrency applies only with --recursive; ignored\n' +
        'kaniko2buildkit: warning: --no-progress applies only with --recursive; ignored\n',
    );
    expect(r.stdout).toContain('+    - buildctl-daemonless.sh build');
    const recursive = await runCli(['migrate', '-r', '--dry-run', '--concurrency', '4', '--no-progress', '.'], {
      cwd: root,
    });
    expect(recursive.stderr).toBe('');
  });

  test('defaults are never reported (--fail-on manual is the default)', async () => {
    const r = await runCli(['migrate', '--dry-run', '.'], { cwd: kanikoRepo() });
    expect(r.stderr).toBe('');
  });

  test('gitlab: --labels, --draft, --title, --skip-existing without --apply are warned about', async () => {
    const r = await runCli([
      'gitlab',
      '--url',
      'https://gitlab.example.com',
      '--group',
      'g',
      '--draft',
      '--labels',
      'ci',
    ]);
    expect(r.stderr).toContain('kaniko2buildkit gitlab: warning: --labels applies only with --apply; ignored\n');
    expect(r.stderr).toContain('kaniko2buildkit gitlab: warning: --draft applies only with --apply; ignored\n');
    expect(r.stderr).toContain('no token'); // and the run went on to its own checks
  });
});

describe('--buildkit-image', () => {
  test.each([
    'moby/buildkit:rootless',
    'moby/buildkit:v0.32.2-rootless',
    'docker.io/moby/buildkit:v0.32.2-rootless',
    'registry.example.com:5000/mirror/moby/buildkit:rootless',
    '${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/moby/buildkit:rootless',
    '$CI_REGISTRY/tools/buildkit:$BUILDKIT_TAG',
    'moby/buildkit@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'localhost/buildkit',
    '[::1]:5000/buildkit:rootless',
  ])('%s parses and needs no word', (ref) => {
    expect(typeof parseImageReference(ref)).toBe('object');
    expect(checkBuildkitImage(ref)).toEqual({});
  });

  test.each([
    ['', 'an empty reference'],
    ['moby/buildkit rootless', 'it holds a space'],
    ['moby/BuildKit:rootless', '"BuildKit" is not a repository path component'],
    ['moby/buildkit:', '"" is not a tag'],
    ['moby/buildkit:-rootless', '"-rootless" is not a tag'],
    ['moby//buildkit', 'an empty path component'],
    ['registry.example.com:port/buildkit', '"registry.example.com:port" is not a registry host[:port]'],
    ['moby/buildkit@sha256:abc', 'is not a digest'],
  ])('%j does not parse: %s', (ref, message) => {
    expect(parseImageReference(ref)).toContain(message);
    expect(checkBuildkitImage(ref).error).toContain('not an image reference');
  });

  test('a reference that does not parse is an input error: exit 2, nothing written', async () => {
    const root = kanikoRepo();
    const r = await runCli(['migrate', '--buildkit-image', 'moby/BuildKit:rootless', '.'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'kaniko2buildkit: --buildkit-image "moby/BuildKit:rootless": not an image reference: "BuildKit" is not a repository path component (lower-case letters and digits, separated by . _ __ or -)\n',
    );
    expect(ci(root)).toBe(KANIKO_JOB);
  });

  test.each([
    ['moby/buildkit:latest', 'moby/buildkit:rootless, or a pinned moby/buildkit:vX.Y.Z-rootless'],
    ['moby/buildkit', 'moby/buildkit:rootless, or a pinned moby/buildkit:vX.Y.Z-rootless'],
    ['moby/buildkit:v0.32.2', 'moby/buildkit:v0.32.2-rootless'],
    ['docker.io/moby/buildkit:v0.23.0-ubuntu', 'moby/buildkit:v0.23.0-rootless'],
    ['${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/moby/buildkit:master', 'moby/buildkit:rootless'],
  ])('the rootful %s: a warning explaining why the migrated jobs will not run, naming %s', async (ref, instead) => {
    const { warning } = checkBuildkitImage(ref);
    expect(warning).toContain("is BuildKit's rootful image");
    expect(warning).toContain('rootless as uid 1000');
    expect(warning).toContain("can't enable NoProcessSandbox without Rootless");
    expect(warning).toContain(`Use ${instead}`);
  });

  test('the rootful image: warned on stderr, the run goes on with it', async () => {
    const root = kanikoRepo();
    const r = await runCli(['migrate', '--dry-run', '--buildkit-image', 'moby/buildkit:v0.32.2', '.'], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^kaniko2buildkit: warning: --buildkit-image moby\/buildkit:v0\.32\.2 is BuildKit's rootful/,
    );
    expect(r.stdout).toContain('+    name: moby/buildkit:v0.32.2');
  });
});
