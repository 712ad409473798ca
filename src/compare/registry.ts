/**
 * A small read-only client of the OCI distribution API over Node's global `fetch`: manifests and image indexes (OCI
 * and Docker v2), and blobs as streams whose sha256 is checked as they pass. Auth as `docker pull` does it: the
 * request goes out as it is; on a 401 the `WWW-Authenticate` challenge says `Basic` (the credentials are sent) or
 * `Bearer realm=…,service=…,scope=…` (a token is asked of the realm, with the credentials as basic auth when there
 * are any, anonymously otherwise), and the answer is kept for the repository. HTTPS always, except for loopback hosts
 * and `insecure`, where plain HTTP is used when HTTPS does not connect.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { redactor } from '../gitlab/redact.js';
import type { Credentials } from './auth.js';
import { isLoopback, type ImageLocation } from './reference.js';

export class RegistryError extends Error {}

export const MANIFEST_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

const ACCEPT = Object.values(MANIFEST_TYPES).join(', ');
/** A manifest or a config larger than this is refused (they are JSON documents of a few KiB). */
export const DOCUMENT_LIMIT = 16 * 1024 * 1024;

export interface RegistryOptions {
  /** Credentials for a host as config files name it (`docker.io` for Docker Hub). */
  credentials: (authHost: string) => Credentials | undefined;
  /** Plain HTTP allowed for every host, not only loopback. */
  insecure?: boolean;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
}

export interface FetchedManifest {
  mediaType: string;
  /** `sha256:…` of the bytes as served. */
  digest: string;
  document: unknown;
}

type Repo = Pick<ImageLocation, 'host' | 'authHost' | 'repository'>;

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="…",service="…",scope="…"` → its scheme and parameters. */
export function parseChallenge(header: string): Challenge {
  const m = /^\s*(\S+)\s*(.*)$/.exec(header);
  const params: Record<string, string> = {};
  for (const p of (m?.[2] ?? '').matchAll(/([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g))
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { scheme: (m?.[1] ?? '').toLowerCase(), params };
}

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The registry's own error text (`{"errors":[{"code","message"}]}`), else the start of the body. */
async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const doc = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (doc.errors?.length) return doc.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    // not JSON
  }
  return text.slice(0, 200).trim();
}

export class RegistryClient {
  private readonly fetch: typeof fetch;
  private readonly bases = new Map<string, Promise<string>>();
  private readonly authorizations = new Map<string, Promise<string | undefined>>();
  /** Every secret sent (passwords, identity tokens, the Basic value, bearer tokens): kept out of error messages. */
  private readonly secrets = new Set<string>();

  constructor(private readonly options: RegistryOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  /** The server's error text, with every secret sent redacted (a server or a proxy may echo a request's headers). */
  private async errorText(res: Response): Promise<string> {
    return redactor(...this.secrets)(await errorText(res));
  }

  /** `https://host` or, for loopback and `insecure` hosts where HTTPS does not connect, `http://host`. */
  private base(host: string): Promise<string> {
    let known = this.bases.get(host);
    if (!known) {
      known = (async () => {
        if (!this.options.insecure && !isLoopback(host)) return `https://${host}`;
        try {
          const res = await this.fetch(`https://${host}/v2/`, { signal: AbortSignal.timeout(10000) });
          await res.body?.cancel();
          return `https://${host}`;
        } catch {
          return `http://${host}`;
        }
      })();
      this.bases.set(host, known);
    }
    return known;
  }

  /** The Authorization header a 401 challenge asks for, or undefined (no credentials for Basic). */
  private async authorize(repo: Repo, challenge: string | null): Promise<string | undefined> {
    const creds = this.options.credentials(repo.authHost);
    const basic =
      creds && !creds.identityToken ? Buffer.from(`${creds.username}:${creds.password}`).toString('base64') : undefined;
    for (const secret of [creds?.password, creds?.identityToken, basic]) if (secret) this.secrets.add(secret);
    const c = parseChallenge(challenge ?? '');
    if (c.scheme === 'basic') return basic && `Basic ${basic}`;
    if (c.scheme !== 'bearer' || !c.params.realm)
      throw new RegistryError(
        `${repo.host}: 401 with an authentication challenge compare cannot answer: ${challenge ?? '(none)'}`,
      );
    const realm = new URL(c.params.realm);
    if (realm.protocol !== 'https:' && !isLoopback(realm.host) && !this.options.insecure)
      throw new RegistryError(
        `${repo.host}: the token service ${realm.origin} is plain HTTP (pass --insecure to allow it)`,
      );
    const scope = c.params.scope ?? `repository:${repo.repository}:pull`;
    let res: Response;
    if (creds?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        service: c.params.service ?? '',
        scope,
        client_id: 'kaniko2buildkit',
      });
      res = await this.fetch(realm, { method: 'POST', body: form });
    } else {
      if (c.params.service) realm.searchParams.set('service', c.params.service);
      realm.searchParams.set('scope', scope);
      res = await this.fetch(realm, basic ? { headers: { Authorization: `Basic ${basic}` } } : {});
    }
    if (!res.ok)
      throw new RegistryError(
        `${repo.host}: the token service ${realm.origin} refused ${creds ? `the credentials from ${creds.source}` : 'an anonymous token'} (${res.status}): ${await this.errorText(res)}`,
      );
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`${repo.host}: the token service ${realm.origin} sent no token`);
    this.secrets.add(token);
    return `Bearer ${token}`;
  }

  /** GET `/v2/<repository>/<path>`, answering one auth challenge; a response that is not 2xx throws. */
  private async get(repo: Repo, path: string, accept?: string): Promise<Response> {
    const url = `${await this.base(repo.host)}/v2/${repo.repository}/${path}`;
    const key = `${repo.host}/${repo.repository}`;
    const send = async (auth: string | undefined) =>
      this.fetch(url, { headers: { ...(accept ? { Accept: accept } : {}), ...(auth ? { Authorization: auth } : {}) } });
    let res: Response;
    try {
      const sent = this.authorizations.get(key);
      res = await send(await sent);
      if (res.status === 401) {
        const challenge = res.headers.get('www-authenticate');
        await res.body?.cancel();
        // a request sent at the same time may have been answered already: its token serves this one too
        let auth = this.authorizations.get(key);
        if (auth === sent) {
          auth = this.authorize(repo, challenge);
          this.authorizations.set(key, auth);
        }
        res = await send(await auth);
      }
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new RegistryError(`${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    if (!res.ok) {
      const creds = this.options.credentials(repo.authHost);
      const who =
        res.status === 401 || res.status === 403
          ? creds
            ? ` with the credentials from ${creds.source}`
            : ' without credentials'
          : '';
      throw new RegistryError(
        `${url}: ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${who}: ${await this.errorText(res)}`,
      );
    }
    return res;
  }

  /** A JSON document of at most DOCUMENT_LIMIT bytes, read whole. */
  private async document(res: Response, what: string): Promise<Buffer> {
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > DOCUMENT_LIMIT)
      throw new RegistryError(`${what}: ${length} bytes, more than a manifest or config can be`);
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > DOCUMENT_LIMIT) throw new RegistryError(`${what}: more than ${DOCUMENT_LIMIT} bytes`);
    return body;
  }

  /** The manifest or index `reference` (a tag or a digest) names. */
  async manifest(repo: Repo, reference: string): Promise<FetchedManifest> {
    const what = `${repo.host}/${repo.repository}:${reference}`;
    const res = await this.get(repo, `manifests/${reference}`, ACCEPT);
    const body = await this.document(res, what);
    const digest = sha256(body);
    if (reference.includes(':') && reference !== digest)
      throw new RegistryError(`${what}: the registry sent a manifest whose digest is ${digest}`);
    let document: unknown;
    try {
      document = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryError(`${what}: the manifest is not JSON`);
    }
    const declared = (document as { mediaType?: unknown }).mediaType;
    const mediaType =
      (typeof declared === 'string' && declared) || res.headers.get('content-type')?.split(';')[0]?.trim() || '';
    return { mediaType, digest, document };
  }

  /** A small blob (an image config) read whole and parsed as JSON; its digest is checked. */
  async json(repo: Repo, digest: string): Promise<unknown> {
    const what = `${repo.host}/${repo.repository}@${digest}`;
    const body = await this.document(await this.get(repo, `blobs/${digest}`), what);
    if (sha256(body) !== digest) throw new RegistryError(`${what}: the blob's content does not match its digest`);
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryError(`${what}: not JSON`);
    }
  }

  /** A blob as a stream; it errors at its end when the bytes do not match `digest` (sha256 only). */
  async blob(repo: Repo, digest: string): Promise<Readable> {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new RegistryError(`${digest}: only sha256 digests are read`);
    const res = await this.get(repo, `blobs/${digest}`);
    if (!res.body) throw new RegistryError(`${repo.host}/${repo.repository}@${digest}: an empty answer`);
    const hash = createHash('sha256');
    const check = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
      flush(done) {
        const got = `sha256:${hash.digest('hex')}`;
        done(
          got === digest
            ? null
            : new RegistryError(`${repo.host}/${repo.repository}@${digest}: the blob's content is ${got}`),
        );
      },
    });
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    body.on('error', (e) => check.destroy(e));
    return body.pipe(check);
  }
}
