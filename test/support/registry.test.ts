import { freePort, skopeoAuthFile } from './registry.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('skopeoAuthFile: auth passed through byte for byte, username/password made an auth, keys made hosts', () => {
  const raw = JSON.stringify({
    auths: {
      'https://127.0.0.1:5000/v1/': { username: 'u', password: 'p' },
      '127.0.0.1:5001': { auth: 'not base64!' },
      '127.0.0.1:5002': { identitytoken: 'tok' },
      '127.0.0.1:5003': {},
    },
    credHelpers: { 'x.example.com': 'ecr-login' },
  });
  const { json, helpers } = skopeoAuthFile(raw);
  expect(JSON.parse(json)).toEqual({
    auths: {
      '127.0.0.1:5000': { auth: b64('u:p') },
      '127.0.0.1:5001': { auth: 'not base64!' },
      '127.0.0.1:5002': { identitytoken: 'tok' },
    },
  });
  expect(helpers).toEqual({ 'x.example.com': 'ecr-login' });
});

test('skopeoAuthFile: no file or not JSON gives no credentials (buildctl warns and pushes anonymously)', () => {
  expect(skopeoAuthFile(undefined).json).toBe('{"auths":{}}');
  expect(skopeoAuthFile('{"auths":').json).toBe('{"auths":{}}');
});

test('freePort gives a port on loopback', async () => {
  const p = await freePort();
  expect(p).toBeGreaterThan(0);
  expect(p).toBeLessThan(65536);
});
