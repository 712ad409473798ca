/**
 * Pushing images the tests assemble themselves, through the distribution API of a (loopback) registry:
 *
 * - `tarLayer(entries)`: an uncompressed tar layer (gzipped for Docker v2 manifests) made with tar-stream (files, dirs, symlinks, whiteouts, xattrs).
 * - `Pusher`: blob upload (POST, then one PUT, or PATCH chunks from a stream then PUT `?digest=`), manifest and index
 *   PUT; answers a 401 with basic auth or, for `Bearer` challenges, a token asked of the realm with push scope.
 * - `imageConfig`, `pushImage`, `pushIndex`: an OCI config, manifest and index around the layers.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import tar from 'tar-stream';

export interface TestEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  /** Seconds since the epoch (default 1700000000). */
  mtime?: number;
  xattrs?: Record<string, string>;
}

export const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

const sha256 = (b: Buffer): string => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

/** An uncompressed tar of the entries, in order. */
export async function tarLayer(entries: TestEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = type === 'file' ? Buffer.from(e.content ?? '') : undefined;
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        {
          name: e.name,
          type,
          mode: e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
          uid: e.uid ?? 0,
          gid: e.gid ?? 0,
          mtime: new Date((e.mtime ?? 1700000000) * 1000),
          ...(e.linkname ? { linkname: e.linkname } : {}),
          ...(e.xattrs
            ? { pax: Object.fromEntries(Object.entries(e.xattrs).map(([k, v]) => [`SCHILY.xattr.${k}`, v])) }
            : {}),
        } as tar.Header,
        body ?? Buffer.alloc(0),
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
}

export interface Credentials {
  user: string;
  password: string;
}

export class Pusher {
  private authorization: string | undefined;

  constructor(
    readonly host: string,
    private readonly creds?: Credentials,
  ) {}

  /** A request to the registry (`/v2/…` or an upload Location), answering one 401 challenge. */
  async request(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const full = url.startsWith('http') ? url : `http://${this.host}${url}`;
    const send = () =>
      fetch(full, {
        ...init,
        headers: { ...(init.headers ?? {}), ...(this.authorization ? { Authorization: this.authorization } : {}) },
      } as RequestInit);
    let res = await send();
    if (res.status === 401) {
      await res.arrayBuffer();
      await this.answer(res.headers.get('www-authenticate') ?? '');
      res = await send();
    }
    return res;
  }

  private async answer(challenge: string): Promise<void> {
    const basic = this.creds ? Buffer.from(`${this.creds.user}:${this.creds.password}`).toString('base64') : undefined;
    if (/^basic/i.test(challenge)) {
      this.authorization = `Basic ${basic}`;
      return;
    }
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const realm = new URL(params.realm!);
    realm.searchParams.set('service', params.service ?? '');
    // push and pull on whichever repository was asked for
    realm.searchParams.set('scope', (params.scope ?? '').replace(/:pull$/, ':pull,push'));
    const res = await fetch(realm, basic ? { headers: { Authorization: `Basic ${basic}` } } : {});
    if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
    this.authorization = `Bearer ${((await res.json()) as { token: string }).token}`;
  }

  private async ok(res: Response, what: string): Promise<Response> {
    if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
    return res;
  }

  private async startUpload(repo: string): Promise<string> {
    return this.location(
      await this.ok(await this.request(`/v2/${repo}/blobs/uploads/`, { method: 'POST' }), 'POST upload'),
    );
  }

  private location(res: Response): string {
    const loc = res.headers.get('location');
    if (!loc) throw new Error('no Location in the upload answer');
    return loc.startsWith('http') ? loc : `http://${this.host}${loc}`;
  }

  private static withDigest(location: string, digest: string): string {
    const u = new URL(location);
    u.searchParams.set('digest', digest);
    return u.toString();
  }

  /** A blob in one PUT. */
  async blob(repo: string, body: Buffer): Promise<{ digest: string; size: number }> {
    const digest = sha256(body);
    const head = await this.request(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
    if (head.ok) return { digest, size: body.length };
    const location = await this.startUpload(repo);
    await this.ok(
      await this.request(Pusher.withDigest(location, digest), {
        method: 'PUT',
        body: body as unknown as BodyInit,
        headers: { 'Content-Type': 'application/octet-stream' },
      }),
      'PUT blob',
    );
    return { digest, size: body.length };
  }

  /** A blob from chunks (PATCH each, hashed on the way), never held whole. */
  async streamBlob(repo: string, chunks: AsyncIterable<Buffer>): Promise<{ digest: string; size: number }> {
    let location = await this.startUpload(repo);
    const hash = crypto.createHash('sha256');
    let size = 0;
    for await (const chunk of chunks) {
      hash.update(chunk);
      const res = await this.ok(
        await this.request(location, {
          method: 'PATCH',
          body: chunk as unknown as BodyInit,
          headers: {
            'Content-Type': 'application/octet-stream',
            'Content-Range': `${size}-${size + chunk.length - 1}`,
          },
        }),
        'PATCH blob',
      );
      await res.arrayBuffer();
      size += chunk.length;
      location = this.location(res);
    }
    const digest = `sha256:${hash.digest('hex')}`;
    await this.ok(await this.request(Pusher.withDigest(location, digest), { method: 'PUT' }), 'PUT blob end');
    return { digest, size };
  }

  async manifest(repo: string, tag: string, mediaType: string, doc: object): Promise<Descriptor> {
    const body = Buffer.from(JSON.stringify(doc));
    await this.ok(
      await this.request(`/v2/${repo}/manifests/${tag}`, {
        method: 'PUT',
        body: body as unknown as BodyInit,
        headers: { 'Content-Type': mediaType },
      }),
      `PUT manifest ${repo}:${tag}`,
    );
    return { mediaType, digest: sha256(body), size: body.length };
  }
}

export interface ImageSpec {
  layers: Buffer[];
  /** `config` of the config blob (Env, User, WorkingDir, …). */
  config?: Record<string, unknown>;
  architecture?: string;
  variant?: string;
  created?: string;
  history?: { created?: string; created_by?: string; empty_layer?: boolean }[];
  annotations?: Record<string, string>;
  /** Docker's v2 schema 2 media types (manifest, config, gzip layers) instead of OCI's. */
  docker?: boolean;
}

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export function imageConfig(spec: ImageSpec, diffIds: string[]): object {
  return {
    architecture: spec.architecture ?? 'amd64',
    os: 'linux',
    ...(spec.variant ? { variant: spec.variant } : {}),
    created: spec.created ?? '2026-01-01T00:00:00Z',
    config: spec.config ?? {},
    rootfs: { type: 'layers', diff_ids: diffIds },
    history:
      spec.history ?? diffIds.map(() => ({ created: spec.created ?? '2026-01-01T00:00:00Z', created_by: 'test' })),
  };
}

/** Pushes the layers, the config and the manifest; `tag` undefined: by digest only (for an index). */
export async function pushImage(
  p: Pusher,
  repo: string,
  tag: string | undefined,
  spec: ImageSpec,
): Promise<Descriptor> {
  const layers = [];
  for (const l of spec.layers)
    layers.push(
      spec.docker
        ? { mediaType: DOCKER_LAYER, ...(await p.blob(repo, zlib.gzipSync(l, { level: 1 }))) }
        : { mediaType: LAYER_TAR, ...(await p.blob(repo, l)) },
    );
  return pushManifest(p, repo, tag, spec, layers, spec.layers.map(sha256));
}

/** The config and manifest around layers already pushed (their descriptors and diff ids). */
export async function pushManifest(
  p: Pusher,
  repo: string,
  tag: string | undefined,
  spec: ImageSpec,
  layers: Omit<Descriptor, 'platform'>[],
  diffIds: string[],
): Promise<Descriptor> {
  const config = await p.blob(repo, Buffer.from(JSON.stringify(imageConfig(spec, diffIds))));
  const mediaType = spec.docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const doc = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: spec.docker ? DOCKER_CONFIG : OCI_CONFIG, ...config },
    layers,
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  };
  const body = Buffer.from(JSON.stringify(doc));
  return p.manifest(repo, tag ?? sha256(body), mediaType, doc);
}

export async function pushIndex(p: Pusher, repo: string, tag: string, manifests: Descriptor[]): Promise<Descriptor> {
  return p.manifest(repo, tag, OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests });
}
