/**
 * A token service for the registry's `auth: token` (the Docker Registry v2 token spec), served by the test on
 * 127.0.0.1: GET `/token?service=…&scope=repository:NAME:ACTIONS` with basic auth of a known user answers
 * `{"token": JWT}`, an ES256 JWT whose `x5c` header carries a self-signed certificate (made with `openssl req`) that the
 * registry trusts as its `rootcertbundle`. Wrong or missing credentials get a 401. Every request is counted.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { RegistryUser, TokenAuth } from './registry.js';

export interface TokenServer {
  auth: TokenAuth;
  /** Token requests so far (granted or not). */
  requests(): number;
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export function opensslMissing(): boolean {
  return spawnSync('openssl', ['version']).status !== 0;
}

export async function startTokenServer(users: RegistryUser[]): Promise<TokenServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-token-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'].concat([
      '-subj',
      '/CN=k2b-token',
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
  const certificate = fs.readFileSync(cert, 'utf8');
  const privateKey = crypto.createPrivateKey(fs.readFileSync(key));
  const der = new crypto.X509Certificate(certificate).raw.toString('base64');
  fs.rmSync(dir, { recursive: true, force: true });
  const service = 'k2b-registry';
  const issuer = 'k2b-token-issuer';
  let count = 0;

  const server = http.createServer((req, res) => {
    count++;
    const url = new URL(req.url ?? '/', 'http://x');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [user, password] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(/:(.*)/s) : [];
    if (url.pathname !== '/token' || !users.some((u) => u.user === user && u.password === password)) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ details: 'wrong credentials' }));
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((s) => {
      const m = /^repository:([^:]+):(.+)$/.exec(s);
      return m ? [{ type: 'repository', name: m[1], actions: m[2]!.split(',') }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', x5c: [der] };
    const claims = {
      iss: issuer,
      sub: user,
      aud: url.searchParams.get('service') ?? service,
      exp: now + 600,
      nbf: now - 10,
      iat: now,
      jti: crypto.randomBytes(8).toString('hex'),
      access,
    };
    const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = crypto.sign('sha256', Buffer.from(signed), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token: `${signed}.${b64url(signature)}`, expires_in: 600 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    auth: { realm: `http://127.0.0.1:${port}/token`, service, issuer, certificate },
    requests: () => count,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
