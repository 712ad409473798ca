/**
 * The parts of `compare` one by one, without a registry: references, credentials and their precedence, the registry
 * client against a stand-in `fetch` (HTTPS only off loopback, the Bearer and Basic challenges, digests checked), the
 * layer reader (gzip, zstd refused, PAX xattrs, hard links), whiteouts and implicit parents, the concurrency limit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { findCredentials } from '../../src/compare/auth.js';
import { filesystemDifferences } from '../../src/compare/diff.js';
import { flatten } from '../../src/compare/filesystem.js';
import { LayerError, readLayer, type LayerEntry } from '../../src/compare/layer.js';
import { limit } from '../../src/compare/limit.js';
import { isLoopback, locateImage } from '../../src/compare/reference.js';
import { parseChallenge, RegistryClient, RegistryError } from '../../src/compare/registry.js';
import { tarLayer } from '../support/oci-push.js';

const sha = (b: Buffer | string) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

describe('references', () => {
  test('Docker Hub, a registry with a port, a digest', () => {
    expect(locateImage('alpine')).toMatchObject({
      host: 'registry-1.docker.io',
      authHost: 'docker.io',
      repository: 'library/alpine',
      reference: 'latest',
    });
    expect(locateImage('docker.io/moby/buildkit:rootless')).toMatchObject({
      repository: 'moby/buildkit',
      reference: 'rootless',
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(locateImage(`localhost:5000/g/app:1@${digest}`)).toMatchObject({
      host: 'localhost:5000',
      repository: 'g/app',
      reference: digest,
    });
    expect(locateImage('$CI_REGISTRY_IMAGE:1')).toMatch(/holds a variable/);
    expect(locateImage('Not Valid')).toMatch(/not an image reference/);
    expect([isLoopback('localhost:5000'), isLoopback('127.0.0.1'), isLoopback('[::1]:5000')]).toEqual([
      true,
      true,
      true,
    ]);
    expect(isLoopback('registry.example.com')).toBe(false);
  });
});

describe('credentials', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-auth-'));
  const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-auth-dc-'));
  const entry = (user: string) => ({ auth: Buffer.from(`${user}:pw`).toString('base64') });
  fs.mkdirSync(path.join(home, '.docker'));
  fs.writeFileSync(
    path.join(home, '.docker', 'config.json'),
    JSON.stringify({ auths: { 'https://index.docker.io/v1/': entry('hub'), 'reg.example.com': entry('home') } }),
  );
  fs.writeFileSync(
    path.join(dockerConfig, 'config.json'),
    JSON.stringify({ auths: { 'https://reg.example.com/v2/': entry('docker-config') } }),
  );
  afterAll(() => [home, dockerConfig].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const user = (host: string, env: NodeJS.ProcessEnv) => findCredentials(host, env, home).credentials?.username;

  test('DOCKER_AUTH_CONFIG, then $DOCKER_CONFIG, then ~/.docker, then the CI variables', () => {
    const auth = JSON.stringify({ auths: { 'reg.example.com': entry('auth-config') } });
    const ci = { CI_REGISTRY: 'reg.example.com', CI_REGISTRY_USER: 'ci', CI_REGISTRY_PASSWORD: 'p' };
    expect(user('reg.example.com', { DOCKER_AUTH_CONFIG: auth, DOCKER_CONFIG: dockerConfig, ...ci })).toBe(
      'auth-config',
    );
    expect(user('reg.example.com', { DOCKER_CONFIG: dockerConfig, ...ci })).toBe('docker-config');
    expect(user('reg.example.com', ci)).toBe('home');
    expect(user('docker.io', {})).toBe('hub');
    expect(user('gitlab.example.com:5050', { ...ci, CI_REGISTRY: 'gitlab.example.com:5050' })).toBe('ci');
    expect(user('gitlab.example.com:5050', { CI_REGISTRY: 'gitlab.example.com:5050', CI_JOB_TOKEN: 't' })).toBe(
      'gitlab-ci-token',
    );
    expect(user('other.example.com', ci)).toBeUndefined();
  });
});

/** A stand-in registry behind `fetch`: answers by URL, records what was asked. */
function standIn(routes: (url: URL, init: RequestInit) => Response | Promise<Response>) {
  const asked: string[] = [];
  const f = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    asked.push(
      `${init.method ?? 'GET'} ${url.href} ${(init.headers as Record<string, string>)?.Authorization ?? ''}`.trim(),
    );
    return routes(url, init);
  }) as typeof fetch;
  return { fetch: f, asked };
}

describe('the registry client', () => {
  const loc = { host: 'reg.example.com', authHost: 'reg.example.com', repository: 'g/app' };
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json' }),
  );

  test('a Bearer challenge: a token asked of the realm with the credentials, then kept for the repository', async () => {
    const s = standIn((url, init) => {
      const auth = (init.headers as Record<string, string> | undefined)?.Authorization;
      if (url.host === 'auth.example.com')
        return Response.json({ token: auth === `Basic ${Buffer.from('u:p').toString('base64')}` ? 'T' : 'wrong' });
      if (auth !== 'Bearer T')
        return new Response('{}', {
          status: 401,
          headers: {
            'www-authenticate':
              'Bearer realm="https://auth.example.com/token",service="reg",scope="repository:g/app:pull"',
          },
        });
      return new Response(manifest);
    });
    const client = new RegistryClient({
      credentials: () => ({ username: 'u', password: 'p', source: 'test' }),
      fetch: s.fetch,
    });
    await client.manifest(loc, '1');
    await client.manifest(loc, '2');
    expect(s.asked).toEqual([
      'GET https://reg.example.com/v2/g/app/manifests/1',
      `GET https://auth.example.com/token?service=reg&scope=repository%3Ag%2Fapp%3Apull Basic ${Buffer.from('u:p').toString('base64')}`,
      'GET https://reg.example.com/v2/g/app/manifests/1 Bearer T',
      'GET https://reg.example.com/v2/g/app/manifests/2 Bearer T',
    ]);
  });

  test('a server that echoes the request headers in an error gets its secrets redacted', async () => {
    const password = 'pw-echoed-1234567890';
    const s = standIn((url, init) => {
      const auth = (init.headers as Record<string, string> | undefined)?.Authorization;
      if (url.host === 'auth.example.com') return Response.json({ token: 'tok-echoed-0987654321' });
      if (!auth)
        return new Response('{}', {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="https://auth.example.com/token",service="reg"' },
        });
      return new Response(
        `denied: Authorization ${auth}; Basic was ${Buffer.from(`u:${password}`).toString('base64')}`,
        {
          status: 403,
        },
      );
    });
    const client = new RegistryClient({
      credentials: () => ({ username: 'u', password, source: 'test' }),
      fetch: s.fetch,
    });
    const message = await client.manifest(loc, '1').then(
      () => '',
      (e: Error) => e.message,
    );
    expect(message).toContain('403');
    expect(message).toContain('[REDACTED]');
    expect(message).not.toContain('tok-echoed');
    expect(message).not.toContain(Buffer.from(`u:${password}`).toString('base64'));
  });

  test('plain HTTP only on loopback or with insecure', async () => {
    const refuse = standIn((url) => {
      if (url.protocol === 'https:') throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      return new Response(manifest);
    });
    const strict = new RegistryClient({ credentials: () => undefined, fetch: refuse.fetch });
    await expect(strict.manifest(loc, '1')).rejects.toThrow(
      'https://reg.example.com/v2/g/app/manifests/1: ECONNREFUSED',
    );
    const insecure = new RegistryClient({ credentials: () => undefined, fetch: refuse.fetch, insecure: true });
    await expect(insecure.manifest(loc, '1')).resolves.toMatchObject({ digest: sha(manifest) });
    expect(refuse.asked.at(-1)).toBe('GET http://reg.example.com/v2/g/app/manifests/1');
  });

  test('a Basic challenge, a blob whose bytes do not match its digest, a manifest digest checked', async () => {
    const s = standIn((url, init) =>
      (init.headers as Record<string, string> | undefined)?.Authorization
        ? new Response(url.pathname.includes('/blobs/') ? 'tampered' : manifest)
        : new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }),
    );
    const client = new RegistryClient({
      credentials: () => ({ username: 'u', password: 'p', source: 't' }),
      fetch: s.fetch,
    });
    const stream = await client.blob(loc, sha('original'));
    await expect(
      (async () => {
        for await (const _ of stream);
      })(),
    ).rejects.toThrow(/the blob's content is sha256:/);
    await expect(client.manifest(loc, sha('other'))).rejects.toThrow(/sent a manifest whose digest is/);
    expect(parseChallenge('Bearer realm="https://a/t",service="x y",scope="repository:a:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://a/t', service: 'x y', scope: 'repository:a:pull,push' },
    });
  });

  test('an identitytoken is sent to the token service as an OAuth2 refresh token; a plain-HTTP realm is refused', async () => {
    let form = '';
    const challenge = (realm: string) =>
      new Response('', { status: 401, headers: { 'www-authenticate': `Bearer realm="${realm}",service="reg"` } });
    const s = standIn(async (url, init) => {
      if (url.pathname === '/oauth2/token') {
        form = String(init.body);
        return Response.json({ access_token: 'A' });
      }
      const auth = (init.headers as Record<string, string> | undefined)?.Authorization;
      return auth === 'Bearer A' ? new Response(manifest) : challenge('https://auth.example.com/oauth2/token');
    });
    const creds = { username: '', password: '', identityToken: 'R', source: 'config' };
    await new RegistryClient({ credentials: () => creds, fetch: s.fetch }).manifest(loc, '1');
    expect(Object.fromEntries(new URLSearchParams(form))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'R',
      service: 'reg',
      scope: 'repository:g/app:pull',
      client_id: 'kaniko2buildkit',
    });
    const plain = standIn(() => challenge('http://auth.example.com/token'));
    await expect(
      new RegistryClient({ credentials: () => undefined, fetch: plain.fetch }).manifest(loc, '1'),
    ).rejects.toThrow(
      'reg.example.com: the token service http://auth.example.com is plain HTTP (pass --insecure to allow it)',
    );
  });

  test('a 401 without credentials says so', async () => {
    const s = standIn(
      () =>
        new Response('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', {
          status: 401,
          headers: { 'www-authenticate': 'Basic realm="r"' },
        }),
    );
    const client = new RegistryClient({ credentials: () => undefined, fetch: s.fetch });
    await expect(client.manifest(loc, '1')).rejects.toThrow(
      new RegistryError(
        'https://reg.example.com/v2/g/app/manifests/1: 401 without credentials: UNAUTHORIZED: authentication required',
      ),
    );
  });
});

describe('layers', () => {
  test('gzip and plain tar read alike; PAX xattrs; hard links; zstd refused', async () => {
    const tar = await tarLayer([
      { name: './usr/bin/tool', content: 'tool', mode: 0o4755, xattrs: { 'security.capability': 'cap' } },
      { name: 'usr/bin/tool2', type: 'link', linkname: './usr/bin/tool' },
      { name: 'usr/lib/', type: 'directory', mode: 0o1777 },
    ]);
    const plain = await readLayer(Readable.from([tar]), 'plain');
    const gzipped = await readLayer(Readable.from([zlib.gzipSync(tar, { level: 1 })]), 'gzip');
    expect(gzipped).toEqual(plain);
    expect(plain.map(({ mtime: _m, ...e }) => e)).toEqual([
      {
        path: 'usr/bin/tool',
        type: 'file',
        mode: 0o4755,
        uid: 0,
        gid: 0,
        size: 4,
        digest: sha('tool'),
        xattrs: { 'security.capability': 'cap' },
      },
      { path: 'usr/bin/tool2', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkname: 'usr/bin/tool' },
      { path: 'usr/lib', type: 'dir', mode: 0o1777, uid: 0, gid: 0, size: 0 },
    ]);
    const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
    await expect(readLayer(Readable.from([zstd]), 'z')).rejects.toThrow(
      new LayerError(`z: a zstd layer; Node ${process.versions.node} cannot decompress zstd`),
    );
    await expect(readLayer(Readable.from([Buffer.from('not a tar at all'.repeat(64))]), 'junk')).rejects.toThrow(
      LayerError,
    );
  });
});

describe('flattening', () => {
  const e = (path: string, type: LayerEntry['type'] = 'file', extra: Partial<LayerEntry> = {}): LayerEntry => ({
    path,
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    ...extra,
  });

  test('whiteouts hide lower layers only; opaque dirs; a file over a directory; implicit parents', () => {
    const fs = flatten([
      [e('a', 'dir'), e('a/x'), e('a/y'), e('b', 'dir'), e('b/z'), e('c', 'dir'), e('c/deep/file')],
      [e('a/.wh.x'), e('b/.wh..wh..opq'), e('b/new'), e('c'), e('n/.wh.m'), e('n/m')],
    ]);
    expect([...fs.keys()].sort()).toEqual(['a', 'a/y', 'b', 'b/new', 'c', 'n', 'n/m']);
    expect(fs.get('n')).toMatchObject({ type: 'dir', implicit: true, layer: 1 });
    expect(fs.get('c')).toMatchObject({ type: 'file', layer: 1 });
  });

  test('a tree only on one side is one difference, with the count of what it holds', () => {
    const a = flatten([[e('opt', 'dir'), e('opt/x'), e('opt/y')]]);
    const b = flatten([[e('etc', 'dir')]]);
    expect(filesystemDifferences(a, b).map((d) => [d.path, d.change, d.fields])).toEqual([
      ['/etc', 'added', [{ field: 'entry', b: { type: 'dir', mode: '0755', uid: 0, gid: 0 } }]],
      ['/opt', 'removed', [{ field: 'entry', a: { type: 'dir', mode: '0755', uid: 0, gid: 0, entries: 2 } }]],
    ]);
    const xa = flatten([[e('f', 'file', { xattrs: { 'user.a': '1' } })]]);
    const xb = flatten([[e('f')]]);
    expect(filesystemDifferences(xa, xb)[0]!.fields).toEqual([{ field: 'xattrs', a: { 'user.a': '1' }, b: {} }]);
  });
});

test('the limit runs at most n tasks at once, in order', async () => {
  const run = limit(2);
  let now = 0;
  let most = 0;
  const order: number[] = [];
  await Promise.all(
    [1, 2, 3, 4, 5].map((i) =>
      run(async () => {
        most = Math.max(most, ++now);
        await new Promise((r) => setTimeout(r, 5));
        order.push(i);
        now--;
      }),
    ),
  );
  expect(most).toBe(2);
  expect(order).toEqual([1, 2, 3, 4, 5]);
});

test('the library entry point: compareImages refuses a reference it cannot read before asking any registry', async () => {
  const { compareImages, CompareError } = await import('../../src/index.js');
  const f = (() => {
    throw new Error('no request may be sent');
  }) as unknown as typeof fetch;
  await expect(compareImages('Not A Ref', 'alpine', { fetch: f })).rejects.toThrow(CompareError);
  await expect(compareImages('alpine', 'alpine', { fetch: f, platform: 'linux' })).rejects.toThrow(
    '--platform linux: not os/arch[/variant]',
  );
});
