/**
 * A real, local image registry for the real-push test (test/registry/real-push.test.ts), and the client side:
 *
 * - `startRegistry`: Debian's `docker-registry` (distribution 2.8, `/usr/bin/docker-registry serve CONFIG.yml`) on
 *   127.0.0.1 and a free port, filesystem storage in a temp dir, `auth: htpasswd` with users made by
 *   `htpasswd -Bbn`. Ready when `/v2/` answers 401. Only ever loopback. `{ auth: 'none' }` starts it without auth
 *   (ready at 200); `{ auth: { token } }` with `auth: token` (a realm, service, issuer and certificate bundle the
 *   caller serves: see test/support/token-server.ts).
 * - `tinyOciLayout`: a minimal OCI image layout written by hand (one gzip layer with one file, config, manifest,
 *   index.json), the thing skopeo pushes.
 * - `skopeoPush`: `skopeo copy --dest-tls-verify=false --dest-authfile FILE oci:LAYOUT docker://REF`.
 * - `skopeoAuthFile`: the credentials buildctl would read (the raw JSON of registry-auth.ts `buildkitAuthSource`),
 *   as an auth file skopeo reads the same way.
 * - `manifestStatus`: GET `/v2/<name>/manifests/<tag>` with basic auth (node fetch), the HTTP status.
 *
 * `registryTools()` says which of the three programs are missing; the test skips, with a console message, when any is.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { runProcess } from './effective-jobs.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface RegistryUser {
  user: string;
  password: string;
}

export interface Registry {
  /** `127.0.0.1:PORT`, the registry host as image refs name it */
  host: string;
  port: number;
  users: RegistryUser[];
  /** what the registry printed so far */
  log(): string;
  stop(): Promise<void>;
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** The programs the real-push test needs that are not installed (empty: all there). */
export function missingRegistryTools(): string[] {
  const missing: string[] = [];
  if (!fs.existsSync(REGISTRY_BIN)) missing.push(`${REGISTRY_BIN} (apt-get install docker-registry)`);
  if (!which('skopeo')) missing.push('skopeo (apt-get install skopeo)');
  if (!which('htpasswd')) missing.push('htpasswd (apt-get install apache2-utils)');
  return missing;
}

/** A port the kernel says is free on 127.0.0.1 (listen on port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}

function htpasswdLine(u: RegistryUser): string {
  const r = spawnSync('htpasswd', ['-Bbn', u.user, u.password], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`htpasswd -Bbn failed: ${r.stderr}`);
  return r.stdout.trim();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `auth: token` of the registry config: the token service the registry sends clients to, and whose tokens it trusts. */
export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the certificate whose key signs the tokens. */
  certificate: string;
}

export interface RegistryOptions {
  /** `htpasswd` (default: the users), `none`, or bearer tokens from a token service. */
  auth?: 'htpasswd' | 'none' | { token: TokenAuth };
}

/** Starts the registry; retries with another port if it exits early (the port was taken in between). */
export async function startRegistry(
  users: RegistryUser[],
  timeoutMs = 15000,
  options: RegistryOptions = {},
): Promise<Registry> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(users, timeoutMs, options);
    } catch (e) {
      lastError = (e as Error).message;
    }
  }
  throw new Error(`the registry did not start: ${lastError}`);
}

function authConfig(dir: string, options: RegistryOptions): string[] {
  const auth = options.auth ?? 'htpasswd';
  if (auth === 'none') return [];
  if (auth === 'htpasswd')
    return ['auth:', '  htpasswd:', '    realm: k2b-test', `    path: ${JSON.stringify(path.join(dir, 'htpasswd'))}`];
  fs.writeFileSync(path.join(dir, 'token-cert.pem'), auth.token.certificate);
  return [
    'auth:',
    '  token:',
    `    realm: ${JSON.stringify(auth.token.realm)}`,
    `    service: ${JSON.stringify(auth.token.service)}`,
    `    issuer: ${JSON.stringify(auth.token.issuer)}`,
    `    rootcertbundle: ${JSON.stringify(path.join(dir, 'token-cert.pem'))}`,
  ];
}

async function startOnce(users: RegistryUser[], timeoutMs: number, options: RegistryOptions): Promise<Registry> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-registry-')));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  fs.writeFileSync(path.join(dir, 'htpasswd'), users.map(htpasswdLine).join('\n') + '\n');
  fs.mkdirSync(path.join(dir, 'data'));
  const config = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(path.join(dir, 'data'))}`,
    'http:',
    `  addr: ${JSON.stringify(host)}`,
    `  secret: ${JSON.stringify(crypto.randomBytes(16).toString('hex'))}`,
    ...authConfig(dir, options),
    '',
  ].join('\n');
  const configFile = path.join(dir, 'config.yml');
  fs.writeFileSync(configFile, config);

  // a minimal env: the registry reads REGISTRY_* variables as config overrides, none may leak in
  const child = spawn(REGISTRY_BIN, ['serve', configFile], {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (log += d.toString('utf8')));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('close', () => {
      exited = true;
      resolve();
    }),
  );
  child.on('error', (e) => (log += `spawn error: ${e.message}\n`));

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(t);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`docker-registry exited before answering on ${host}:\n${log}`);
    }
    try {
      const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      const ready = options.auth === 'none' ? 200 : 401;
      if (res.status === ready) break;
      await stop();
      throw new Error(`/v2/ answered ${res.status}, not ${ready} (auth ${JSON.stringify(options.auth ?? 'htpasswd')})`);
    } catch (e) {
      if ((e as Error).message.startsWith('/v2/ answered')) throw e;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${host} within ${timeoutMs} ms:\n${log}`);
    }
    await sleep(100);
  }
  return { host, port, users, log: () => log, stop };
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** HTTP status of GET /v2/<name>/manifests/<tag> on the (loopback) registry, with basic auth when given. */
export async function manifestStatus(reg: Registry, name: string, tag: string, creds?: RegistryUser): Promise<number> {
  const headers: Record<string, string> = { Accept: MANIFEST_ACCEPT };
  if (creds) headers.Authorization = `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}`;
  const res = await fetch(`http://${reg.host}/v2/${name}/manifests/${encodeURIComponent(tag)}`, { headers });
  await res.arrayBuffer();
  return res.status;
}

/** One ustar entry (regular file, mode 0644, root-owned, mtime 0). */
function tarEntry(name: string, data: Buffer): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** Writes a minimal OCI image layout (one layer holding `/hello`) to `dir` and returns `dir`. */
export function tinyOciLayout(dir: string): string {
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');
  const put = (b: Buffer): { digest: string; size: number } => {
    const d = sha(b);
    fs.writeFileSync(path.join(blobs, d), b);
    return { digest: `sha256:${d}`, size: b.length };
  };
  const tar = Buffer.concat([
    tarEntry('hello', Buffer.from('built by kaniko2buildkit real-push test\n')),
    Buffer.alloc(1024),
  ]);
  const layer = put(zlib.gzipSync(tar));
  const config = put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [`sha256:${sha(tar)}`] },
      }),
    ),
  );
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    ),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }],
    }),
  );
  return dir;
}

/**
 * The auth file for skopeo holding what buildctl would send: `raw` is the JSON buildctl reads (undefined: no file).
 *
 * Both read `auths` keys by host (scheme and path stripped) and decode `auth` with Go's strict base64, so an `auth`
 * string is passed through byte for byte (bad base64 stays bad). docker/cli also reads `username`/`password`
 * fields, containers/image does not: those become an `auth`. Not JSON (buildctl warns and goes on without
 * credentials) and entries without credentials give no entry. `credHelpers`/`credsStore` are not carried over
 * (the real push does not run credential helpers); `helpers` lists them so the caller can decide.
 */
export function skopeoAuthFile(raw: string | undefined): { json: string; helpers: Record<string, string> } {
  const auths: Record<string, Record<string, string>> = {};
  const helpers: Record<string, string> = {};
  let doc: unknown;
  try {
    doc = raw === undefined ? {} : JSON.parse(raw);
  } catch {
    doc = {};
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const d = doc as { auths?: unknown; credHelpers?: unknown; credsStore?: unknown };
    if (d.auths && typeof d.auths === 'object') {
      for (const [key, entry] of Object.entries(d.auths as Record<string, unknown>)) {
        const e = (entry ?? {}) as Record<string, unknown>;
        const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0]!;
        if (typeof e.auth === 'string' && e.auth !== '') auths[host] = { auth: e.auth };
        else if (typeof e.username === 'string' || typeof e.password === 'string')
          auths[host] = {
            auth: Buffer.from(`${String(e.username ?? '')}:${String(e.password ?? '')}`).toString('base64'),
          };
        else if (typeof e.identitytoken === 'string') auths[host] = { identitytoken: e.identitytoken };
      }
    }
    if (d.credHelpers && typeof d.credHelpers === 'object')
      for (const [h, name] of Object.entries(d.credHelpers as Record<string, unknown>)) helpers[h] = String(name);
    if (typeof d.credsStore === 'string') helpers['*'] = d.credsStore;
  }
  return { json: JSON.stringify({ auths }), helpers };
}

export interface PushResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `skopeo copy` of the OCI layout to `docker://REF` with exactly `authFile` (a private HOME and an empty
 * env, so neither ~/.docker nor REGISTRY_AUTH_FILE nor XDG_RUNTIME_DIR auth can be used instead).
 */
export function skopeoPush(layout: string, ref: string, authFile: string, timeoutMs = 60000): Promise<PushResult> {
  if (!/^127\.0\.0\.1:\d+\//.test(ref)) throw new Error(`refusing to push to ${ref}: only 127.0.0.1 registries`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-skopeo-'));
  const args = ['--insecure-policy', 'copy', '--retry-times=0', '--dest-tls-verify=false'];
  return runProcess(
    'skopeo',
    [...args, '--dest-authfile', authFile, `oci:${layout}`, `docker://${ref}`],
    home,
    { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: home },
    timeoutMs,
  ).finally(() => fs.rmSync(home, { recursive: true, force: true }));
}
