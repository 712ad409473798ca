/**
 * `compareImages(A, B)`: reads two images from their registries and says what differs, platform by platform (an
 * index's platforms are paired by os/architecture/variant; `platform` picks one), with the known Kaniko/BuildKit
 * behaviours explained and the expected differences apart.
 */
import { findCredentials, type Credentials } from './auth.js';
import {
  configDifferences,
  expectedDifferences,
  filesystemDifferences,
  type Difference,
  type ExpectedDifference,
} from './diff.js';
import { explainDifferences } from './explain.js';
import {
  LayerCache,
  loadImage,
  parsePlatform,
  platformName,
  resolveImage,
  type Descriptor,
  type ImageConfig,
  type ResolvedImage,
} from './image.js';
import { limit } from './limit.js';
import { locateImage, type ImageLocation } from './reference.js';
import { RegistryClient, RegistryError } from './registry.js';

export { RegistryError } from './registry.js';
export { LayerError } from './layer.js';
export type { Difference, ExpectedDifference } from './diff.js';

export interface CompareOptions {
  /** `os/arch[/variant]`: compare only this platform of an index (a single image must be of it). */
  platform?: string;
  /** Plain HTTP for every registry, not only loopback ones. */
  insecure?: boolean;
  /** Expected differences count as differences. */
  strict?: boolean;
  /** How many blobs stream at once (default 4). */
  concurrency?: number;
  /** Where credentials are looked for (DOCKER_AUTH_CONFIG, DOCKER_CONFIG, CI_REGISTRY…); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The home folder holding `.docker/config.json`; default os.homedir(). */
  home?: string;
  fetch?: typeof fetch;
  /** Warnings (a credential helper not run); default: none said. */
  warn?: (message: string) => void;
}

export class CompareError extends Error {}

export interface PlatformComparison {
  platform: string;
  /** The platform's manifest digest in each image (absent: the image has no such platform). */
  a?: string;
  b?: string;
  differences: Difference[];
  expected: ExpectedDifference[];
}

export interface CompareResult {
  a: { ref: string; digest: string };
  b: { ref: string; digest: string };
  strict: boolean;
  platforms: PlatformComparison[];
  /** Nothing differs (with `strict`, no expected difference either). */
  same: boolean;
  /** Layer blobs read (a blob both images hold counts once). */
  blobsRead: number;
}

/** `linux/arm64` and `linux/arm64/v8` are one platform. */
function platformKey(p: { os?: string; architecture?: string; variant?: string } | undefined): string {
  if (!p) return 'unknown';
  const variant = p.architecture === 'arm64' && p.variant === 'v8' ? undefined : p.variant;
  return platformName({ os: p.os ?? '', architecture: p.architecture ?? '', ...(variant ? { variant } : {}) });
}

/** Each platform's descriptor; a single manifest's platform is read from its config. */
async function platformsOf(client: RegistryClient, image: ResolvedImage): Promise<Map<string, Descriptor>> {
  const out = new Map<string, Descriptor>();
  if (image.index) {
    for (const d of image.manifests) if (!out.has(platformKey(d.platform))) out.set(platformKey(d.platform), d);
    return out;
  }
  const d = image.manifests[0]!;
  const got = await client.manifest(image.location, d.digest);
  const config = (got.document as { config?: Descriptor }).config;
  if (!config?.digest) throw new RegistryError(`${image.location.ref}: the manifest names no config`);
  out.set(platformKey((await client.json(image.location, config.digest)) as ImageConfig), d);
  return out;
}

function locate(ref: string): ImageLocation {
  const loc = locateImage(ref);
  if (typeof loc === 'string') throw new CompareError(loc);
  return loc;
}

export async function compareImages(refA: string, refB: string, options: CompareOptions = {}): Promise<CompareResult> {
  const a = locate(refA);
  const b = locate(refB);
  let wanted: string | undefined;
  if (options.platform !== undefined) {
    const p = parsePlatform(options.platform);
    if (!p) throw new CompareError(`--platform ${options.platform}: not os/arch[/variant] (linux/amd64, linux/arm/v7)`);
    wanted = platformKey(p);
  }
  const env = options.env ?? process.env;
  const found = new Map<string, Credentials | undefined>();
  const credentials = (host: string): Credentials | undefined => {
    if (!found.has(host)) {
      const lookup = findCredentials(host, env, options.home);
      for (const w of lookup.warnings) options.warn?.(w);
      found.set(host, lookup.credentials);
    }
    return found.get(host);
  };
  const client = new RegistryClient({ credentials, insecure: options.insecure, fetch: options.fetch });
  const cache = new LayerCache(client, limit(options.concurrency ?? 4));
  const [ra, rb] = await Promise.all([resolveImage(client, a), resolveImage(client, b)]);
  const [pa, pb] = await Promise.all([platformsOf(client, ra), platformsOf(client, rb)]);
  let names = [...new Set([...pa.keys(), ...pb.keys()])].sort();
  if (wanted !== undefined) {
    if (!pa.has(wanted) && !pb.has(wanted))
      throw new CompareError(
        `--platform ${options.platform}: in neither image (A has ${[...pa.keys()].join(', ')}; B has ${[...pb.keys()].join(', ')})`,
      );
    names = [wanted];
  }
  const strict = options.strict ?? false;
  const platforms: PlatformComparison[] = [];
  // one platform after another: the layers of both images of a platform stream together, within the limit
  for (const name of names) {
    const da = pa.get(name);
    const db = pb.get(name);
    if (!da || !db) {
      platforms.push({
        platform: name,
        ...(da ? { a: da.digest } : {}),
        ...(db ? { b: db.digest } : {}),
        differences: [
          {
            area: 'platform',
            path: name,
            change: da ? 'removed' : 'added',
            fields: [da ? { field: 'manifest', a: da.digest } : { field: 'manifest', b: db!.digest }],
          },
        ],
        expected: [],
      });
      continue;
    }
    const [ia, ib] = await Promise.all([loadImage(client, cache, a, da), loadImage(client, cache, b, db)]);
    const differences = explainDifferences(
      [...configDifferences(ia.config, ib.config), ...filesystemDifferences(ia.fs, ib.fs)],
      ia,
      ib,
    );
    platforms.push({ platform: name, a: da.digest, b: db.digest, differences, expected: expectedDifferences(ia, ib) });
  }
  const attestations = [ra.attestations, rb.attestations];
  if (attestations[0] !== attestations[1] && platforms[0])
    platforms[0].expected.push({
      kind: 'attestations',
      code: 'KB707',
      summary: `attestation manifests in the index: ${attestations[0]} → ${attestations[1]}`,
    });
  const same = platforms.every((p) => p.differences.length === 0 && (!strict || p.expected.length === 0));
  return {
    a: { ref: refA, digest: ra.index?.digest ?? ra.manifests[0]!.digest },
    b: { ref: refB, digest: rb.index?.digest ?? rb.manifests[0]!.digest },
    strict,
    platforms,
    same,
    blobsRead: cache.size,
  };
}
