import { buildkitAuthSource, compareAuth, readCredentials, refHost } from './registry-auth.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const CI = { ciRegistry: 'registry.example.com', ciRegistryUser: 'u', ciRegistryPassword: 'p' };
const file = (auths: Record<string, unknown>) => JSON.stringify({ auths });

test('auth and username/password mean the same; https:// keys are hosts', () => {
  expect(readCredentials(file({ 'https://registry.example.com/': { auth: b64('u:p') } })).auths).toEqual({
    'registry.example.com': 'u:p',
  });
  expect(
    compareAuth({
      ...CI,
      kanikoFile: file({ 'registry.example.com': { auth: b64('u:p') } }),
      buildkitFile: file({ 'registry.example.com': { username: 'u', password: 'p' } }),
      usedRefs: [],
    }),
  ).toEqual([]);
});

test("Kaniko's GitLab helper: no file before → the migrated job must write CI_REGISTRY credentials when it uses that registry", () => {
  const used = ['registry.example.com/group/proj:1'];
  const helper = file({ 'registry.example.com': { username: 'u', password: 'p' } });
  expect(compareAuth({ ...CI, kanikoFile: undefined, buildkitFile: helper, usedRefs: used })).toEqual([]);
  expect(compareAuth({ ...CI, kanikoFile: undefined, buildkitFile: undefined, usedRefs: used })[0]).toMatch(
    /built-in GitLab helper/,
  );
  // not pushing there: the entry is optional, but must be right if present
  expect(
    compareAuth({ ...CI, kanikoFile: undefined, buildkitFile: undefined, usedRefs: ['docker.io/acme/app:1'] }),
  ).toEqual([]);
  expect(
    compareAuth({
      ...CI,
      kanikoFile: undefined,
      buildkitFile: file({ 'registry.example.com': { username: 'u', password: 'x' } }),
      usedRefs: [],
    })[0],
  ).toMatch(/not CI_REGISTRY_USER/);
});

test('lost, changed or extra credentials are problems', () => {
  const two = file({ 'registry.example.com': { auth: b64('u:p') }, 'gitlab.example.com': { auth: b64('d:q') } });
  expect(
    compareAuth({
      ...CI,
      kanikoFile: two,
      buildkitFile: file({ 'registry.example.com': { auth: b64('u:p') } }),
      usedRefs: [],
    }),
  ).toEqual(['auth: the Kaniko job has credentials for gitlab.example.com; the migrated job has none']);
  expect(
    compareAuth({ ...CI, kanikoFile: file({}), buildkitFile: file({ 'ghcr.io': { auth: b64('a:b') } }), usedRefs: [] }),
  ).toEqual(['auth: the migrated job has credentials for ghcr.io that the Kaniko job did not have']);
  expect(compareAuth({ ...CI, kanikoFile: '{not json', buildkitFile: undefined, usedRefs: [] })[0]).toMatch(
    /^before: registry auth file is not JSON/,
  );
});

test('buildctl reads DOCKER_AUTH_CONFIG first (only the {"auths":{h:{"auth":…}}} shape)', () => {
  const env = file({ 'registry.example.com': { auth: b64('u:p') } });
  expect(
    compareAuth({ ...CI, kanikoFile: env, buildkitFile: undefined, buildkitDockerAuthConfig: env, usedRefs: [] }),
  ).toEqual([]);
  const wrongShape = file({ 'registry.example.com': { username: 'u', password: 'p' } });
  expect(
    compareAuth({
      ...CI,
      kanikoFile: env,
      buildkitFile: undefined,
      buildkitDockerAuthConfig: wrongShape,
      usedRefs: [],
    }),
  ).toHaveLength(1);
});

test('refHost', () => {
  expect(refHost('alpine')).toBe('docker.io');
  expect(refHost('acme/app:1')).toBe('docker.io');
  expect(refHost('registry.example.com:5000/a/b')).toBe('registry.example.com:5000');
  expect(refHost('localhost/a')).toBe('localhost');
});

test('buildkitAuthSource: DOCKER_AUTH_CONFIG of the accepted shape, else $DOCKER_CONFIG (no home fallback), else home', () => {
  const files: Record<string, string> = { '/h/.docker/config.json': 'home', '/p/cfg/config.json': 'dc' };
  const read = (f: string) => files[f];
  const dac = file({ r: { auth: b64('u:p') } });
  expect(buildkitAuthSource({ DOCKER_AUTH_CONFIG: dac, DOCKER_CONFIG: 'cfg', HOME: '/h' }, '/p', read)).toEqual({
    from: 'DOCKER_AUTH_CONFIG',
    json: dac,
  });
  // username/password is not the shape buildctl takes from the env: the files count
  const notAccepted = file({ r: { username: 'u', password: 'p' } });
  expect(buildkitAuthSource({ DOCKER_AUTH_CONFIG: notAccepted, DOCKER_CONFIG: 'cfg' }, '/p', read)).toEqual({
    from: 'DOCKER_CONFIG',
    file: '/p/cfg/config.json',
    json: 'dc',
  });
  expect(buildkitAuthSource({ DOCKER_CONFIG: '/elsewhere', HOME: '/h' }, '/p', read)).toEqual({
    from: 'DOCKER_CONFIG',
    file: '/elsewhere/config.json',
    json: undefined,
  });
  expect(buildkitAuthSource({ HOME: '/h' }, '/p', read)).toEqual({
    from: 'home',
    file: '/h/.docker/config.json',
    json: 'home',
  });
});
