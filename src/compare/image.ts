/**
 * An image as `compare` reads it from its registry: the manifest (or each platform's manifest of an index), the
 * config, and the flattened filesystem. Layer blobs are read through a `LayerCache`: a blob that both images (or two
 * platforms) hold is fetched and read once, and at most `concurrency` blobs stream at once.
 */
import { flatten, type Filesystem } from './filesystem.js';
import { readLayer, type LayerEntry } from './layer.js';
import type { Limit } from './limit.js';
import type { ImageLocation } from './reference.js';
import { MANIFEST_TYPES, RegistryClient, RegistryError } from './registry.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: Platform & { 'os.version'?: string };
  annotations?: Record<string, string>;
}

/** One platform's image manifest (OCI or Docker v2). */
export interface ImageManifest {
  digest: string;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** What a reference resolves to: one manifest, or an index with a manifest per platform. */
export interface ResolvedImage {
  location: ImageLocation;
  /** The index's digest when the reference names an index. */
  index?: { digest: string; annotations?: Record<string, string> };
  /** Each platform's manifest descriptor (one without a platform when there is no index). */
  manifests: Descriptor[];
  /** Index entries that are not images of a platform (BuildKit's attestation manifests, `unknown/unknown`). */
  attestations: number;
}

/** The config blob, as far as compare reads it. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: Record<string, unknown>;
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[];
  rootfs?: { diff_ids?: string[] };
}

export interface LoadedImage {
  manifest: ImageManifest;
  config: ImageConfig;
  fs: Filesystem;
}

export const platformName = (p: Platform | undefined): string =>
  p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown';

/** `linux/arm64/v8` → a platform; undefined when it is not `os/arch[/variant]`. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  return { os: parts[0]!, architecture: parts[1]!, ...(parts[2] ? { variant: parts[2] } : {}) };
}

const INDEX_TYPES = new Set<string>([MANIFEST_TYPES.ociIndex, MANIFEST_TYPES.dockerList]);
const IMAGE_TYPES = new Set<string>([MANIFEST_TYPES.ociManifest, MANIFEST_TYPES.dockerManifest]);

function kindOf(mediaType: string, doc: Record<string, unknown>): 'index' | 'image' | undefined {
  if (INDEX_TYPES.has(mediaType)) return 'index';
  if (IMAGE_TYPES.has(mediaType)) return 'image';
  if (!mediaType && Array.isArray(doc.manifests)) return 'index';
  if (!mediaType && doc.config && Array.isArray(doc.layers)) return 'image';
  return undefined;
}

export async function resolveImage(client: RegistryClient, location: ImageLocation): Promise<ResolvedImage> {
  const got = await client.manifest(location, location.reference);
  const doc = (got.document ?? {}) as Record<string, unknown>;
  const kind = kindOf(got.mediaType, doc);
  if (doc.schemaVersion === 1)
    throw new RegistryError(`${location.ref}: a schema 1 manifest (deprecated); compare reads OCI and Docker v2 only`);
  if (kind === 'image')
    return { location, manifests: [{ digest: got.digest, mediaType: got.mediaType }], attestations: 0 };
  if (kind !== 'index')
    throw new RegistryError(`${location.ref}: not an image manifest or index (${got.mediaType || 'no media type'})`);
  const all = (Array.isArray(doc.manifests) ? doc.manifests : []) as Descriptor[];
  const images = all.filter((d) => d.platform?.os !== 'unknown' && (!d.mediaType || IMAGE_TYPES.has(d.mediaType)));
  return {
    location,
    index: {
      digest: got.digest,
      ...(doc.annotations ? { annotations: doc.annotations as Record<string, string> } : {}),
    },
    manifests: images,
    attestations: all.length - images.length,
  };
}

/** Reads each layer blob once: keyed by digest, so both images share what they share. */
export class LayerCache {
  private readonly layers = new Map<string, Promise<LayerEntry[]>>();

  constructor(
    private readonly client: RegistryClient,
    private readonly limit: Limit,
  ) {}

  /** How many distinct blobs were read. */
  get size(): number {
    return this.layers.size;
  }

  read(location: ImageLocation, layer: Descriptor): Promise<LayerEntry[]> {
    let entries = this.layers.get(layer.digest);
    if (!entries) {
      const what = `${location.host}/${location.repository}@${layer.digest}`;
      entries = this.limit(async () => readLayer(await this.client.blob(location, layer.digest), what));
      this.layers.set(layer.digest, entries);
    }
    return entries;
  }
}

/** The manifest, config and flattened filesystem of one platform's image. */
export async function loadImage(
  client: RegistryClient,
  cache: LayerCache,
  location: ImageLocation,
  descriptor: Descriptor,
): Promise<LoadedImage> {
  const got = await client.manifest(location, descriptor.digest);
  const doc = (got.document ?? {}) as Record<string, unknown>;
  if (kindOf(got.mediaType, doc) !== 'image')
    throw new RegistryError(`${location.ref}@${descriptor.digest}: not an image manifest (${got.mediaType})`);
  const manifest: ImageManifest = {
    digest: got.digest,
    mediaType: got.mediaType,
    config: doc.config as Descriptor,
    layers: (doc.layers ?? []) as Descriptor[],
    ...(doc.annotations ? { annotations: doc.annotations as Record<string, string> } : {}),
  };
  const [config, ...layers] = await Promise.all([
    client.json(location, manifest.config.digest) as Promise<ImageConfig>,
    ...manifest.layers.map((l) => cache.read(location, l)),
  ]);
  return { manifest, config, fs: flatten(layers) };
}
