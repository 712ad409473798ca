/**
 * `compare` and registry auth, against REAL docker-registry instances: one with htpasswd (basic auth; GitLab's CI
 * variables: CI_REGISTRY_USER/CI_REGISTRY_PASSWORD, CI_JOB_TOKEN as gitlab-ci-token), one with `auth: token` whose
 * token service the test serves (test/support/token-server.ts: ES256 JWTs with a self-made certificate the registry
 * trusts), read with DOCKER_AUTH_CONFIG and $DOCKER_CONFIG/config.json. And one comparison across the two registries.
 *
 * Skipped, with a console message, when docker-registry, htpasswd or openssl is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers.js';
import { Pusher, pushImage, tarLayer } from '../support/oci-push.js';
import { missingRegistryTools, startRegistry, type Registry, type RegistryUser } from '../support/registry.js';
import { opensslMissing, startTokenServer, type TokenServer } from '../support/token-server.js';

const missing = missingRegistryTools().filter((m) => !m.startsWith('skopeo'));
if (opensslMissing()) missing.push('openssl');
if (missing.length)
  console.warn(`compare auth-registry: SKIPPED, needs ${missing.join(', ')} (.ci/run installs them as root)`);
const maybe = missing.length ? describe.skip : describe;

const CI_USER: RegistryUser = { user: 'ci-reader', password: 'ci-secret-1' };
const JOB: RegistryUser = { user: 'gitlab-ci-token', password: 'glcbt-job-token-2' };
const auth = (u: RegistryUser) => Buffer.from(`${u.user}:${u.password}`).toString('base64');

maybe('compare with registry auth', () => {
  let basic: Registry;
  let token: Registry;
  let tokens: TokenServer;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-compare-home-'));

  beforeAll(async () => {
    tokens = await startTokenServer([CI_USER]);
    [basic, token] = await Promise.all([
      startRegistry([CI_USER, JOB]),
      startRegistry([], 15000, { auth: { token: tokens.auth } }),
    ]);
    const layer = await tarLayer([{ name: 'hello', content: 'hello\n' }]);
    const other = await tarLayer([{ name: 'hello', content: 'hello, other\n' }]);
    for (const [reg, creds] of [
      [basic, CI_USER],
      [token, CI_USER],
    ] as const) {
      const p = new Pusher(reg.host, creds);
      await pushImage(p, 'group/app', '1', { layers: [layer] });
      await pushImage(p, 'group/app', '2', { layers: [layer] });
      await pushImage(p, 'group/app', 'other', { layers: [other] });
    }
  }, 60000);
  afterAll(async () => {
    await Promise.all([basic?.stop(), token?.stop(), tokens?.stop()]);
    fs.rmSync(home, { recursive: true, force: true });
  });

  const run = (reg: Registry, env: NodeJS.ProcessEnv, b = 'group/app:2') =>
    runCli(['compare', `${reg.host}/group/app:1`, `${reg.host}/${b}`], { env: { HOME: home, ...env } });

  test('basic auth with CI_REGISTRY_USER / CI_REGISTRY_PASSWORD, and with CI_JOB_TOKEN as gitlab-ci-token', async () => {
    const ci = { CI_REGISTRY: basic.host, CI_REGISTRY_USER: CI_USER.user, CI_REGISTRY_PASSWORD: CI_USER.password };
    expect(await run(basic, ci)).toMatchObject({ code: 0, stderr: '' });
    expect((await run(basic, ci, 'group/app:other')).code).toBe(1);
    expect(await run(basic, { CI_REGISTRY: basic.host, CI_JOB_TOKEN: JOB.password })).toMatchObject({ code: 0 });
    // CI_REGISTRY names another registry: its variables are not sent here
    const elsewhere = await run(basic, { ...ci, CI_REGISTRY: 'registry.example.com' });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/401 Unauthorized without credentials/);
    const wrong = await run(basic, { ...ci, CI_REGISTRY_PASSWORD: 'wrong' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/401 Unauthorized with the credentials from CI_REGISTRY_USER/);
  });

  test('bearer tokens from the token service, with DOCKER_AUTH_CONFIG and with $DOCKER_CONFIG/config.json', async () => {
    const before = tokens.requests();
    const config = JSON.stringify({ auths: { [token.host]: { auth: auth(CI_USER) } } });
    expect(await run(token, { DOCKER_AUTH_CONFIG: config })).toMatchObject({ code: 0, stderr: '' });
    // one token for the repository, asked once (both images are in it)
    expect(tokens.requests() - before).toBe(1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-docker-config-'));
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ auths: { [`http://${token.host}/v2/`]: { auth: auth(CI_USER) } } }),
    );
    expect(await run(token, { DOCKER_CONFIG: dir })).toMatchObject({ code: 0 });
    expect((await run(token, { DOCKER_CONFIG: dir }, 'group/app:other')).code).toBe(1);
    // ~/.docker/config.json of HOME, with username and password fields
    fs.mkdirSync(path.join(home, '.docker'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.docker', 'config.json'),
      JSON.stringify({ auths: { [token.host]: { username: CI_USER.user, password: CI_USER.password } } }),
    );
    expect(await run(token, {})).toMatchObject({ code: 0 });
    fs.rmSync(path.join(home, '.docker'), { recursive: true });
    const wrong = await run(token, {
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [token.host]: { auth: auth({ ...CI_USER, password: 'nope' }) } } }),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /the token service http:\/\/127\.0\.0\.1:\d+ refused the credentials from DOCKER_AUTH_CONFIG \(401\)/,
    );
    const helper = await run(token, {
      DOCKER_AUTH_CONFIG: JSON.stringify({ credHelpers: { [token.host]: 'ecr-login' } }),
    });
    expect(helper.code).toBe(2);
    expect(helper.stderr).toContain('names the credential helper docker-credential-ecr-login');
  });

  test('across registries: the same image in both is the same', async () => {
    const env = {
      HOME: home,
      DOCKER_AUTH_CONFIG: JSON.stringify({
        auths: { [token.host]: { auth: auth(CI_USER) }, [basic.host]: { auth: auth(CI_USER) } },
      }),
    };
    const same = await runCli(['compare', `${basic.host}/group/app:1`, `${token.host}/group/app:2`], { env });
    expect(same).toMatchObject({ code: 0, stderr: '' });
    const differs = await runCli(['compare', `${basic.host}/group/app:1`, `${token.host}/group/app:other`], { env });
    expect(differs.code).toBe(1);
    expect(differs.stdout).toMatch(/~ hello {2}size 6 → 13, digest sha256:[0-9a-f]{12} → sha256:[0-9a-f]{12}/);
  });
});
