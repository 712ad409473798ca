/**
 * Image references as `docker pull` reads them (`[host[:port]/]path[:tag][@digest]`), and where one lives: the
 * registry host the distribution API is asked on (Docker Hub's `docker.io` is `registry-1.docker.io`, a one-part
 * path is `library/x`), the repository and the tag or digest. `--buildkit-image` (cli/options.ts) checks with the
 * same parser.
 */
import { isRegistryHost } from '../kaniko/refs.js';

/** An image reference, split as the registry client splits it (distribution/reference). */
export interface ImageReference {
  /** The registry host (and port); undefined for Docker Hub written without one. */
  domain?: string;
  /** The repository path inside the registry (`moby/buildkit`). */
  path: string;
  tag?: string;
  digest?: string;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** A CI/CD variable in a reference (`$VAR`, `${VAR}`): GitLab expands it before the runner pulls. */
const VARIABLE = /\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * Parses an image reference as `docker pull` would (`[host[:port]/]path[:tag][@digest]`, lower-case path components,
 * at most 255 characters for the name); a CI/CD variable counts as any valid part. An error message when it does not
 * parse.
 */
export function parseImageReference(ref: string): ImageReference | string {
  if (ref.trim() === '') return 'an empty reference';
  if (/\s/.test(ref)) return 'it holds a space';
  // a variable may stand for any part; `0` is valid in every one of them (host, port, path, tag)
  const text = ref.replace(VARIABLE, '0');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      return `"${ref.slice(ref.indexOf('@') + 1)}" is not a digest (algorithm:hex, e.g. sha256:…)`;
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return `"${tag}" is not a tag (letters, digits, _ . -, not starting with . or -, at most 128)`;
  }
  if (rest === '') return 'no repository name';
  if (rest.length > 255) return 'the repository name is longer than 255 characters';
  const parts = rest.split('/');
  let domain: string | undefined;
  const first = parts[0]!;
  if (parts.length > 1 && isRegistryHost(first)) {
    domain = first;
    parts.shift();
    if (!DOMAIN.test(domain)) return `"${domain}" is not a registry host[:port]`;
  }
  for (const p of parts) {
    if (!PATH_COMPONENT.test(p))
      return p === ''
        ? 'an empty path component (two slashes, or a slash at an end)'
        : `"${p}" is not a repository path component (lower-case letters and digits, separated by . _ __ or -)`;
  }
  return {
    ...(domain ? { domain } : {}),
    path: parts.join('/'),
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** Where an image lives, as the distribution API names it. */
export interface ImageLocation {
  /** The reference as given. */
  ref: string;
  /** `host[:port]` the API is asked on (`registry-1.docker.io` for Docker Hub). */
  host: string;
  /** The host as Docker config files and `CI_REGISTRY` name it (`docker.io` for Docker Hub). */
  authHost: string;
  repository: string;
  /** The tag or digest the manifest is asked for (`latest` when neither is given). */
  reference: string;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Where `ref` lives, or an error message saying why it is not a reference to read. */
export function locateImage(ref: string): ImageLocation | string {
  if (/\$/.test(ref)) return `${ref}: holds a variable ($…): expand it first`;
  const parsed = parseImageReference(ref);
  if (typeof parsed === 'string') return `${ref}: not an image reference: ${parsed}`;
  const domain = parsed.domain ?? 'docker.io';
  const hub = DOCKER_HUB.has(domain);
  const repository = hub && !parsed.path.includes('/') ? `library/${parsed.path}` : parsed.path;
  return {
    ref,
    host: hub ? 'registry-1.docker.io' : domain,
    authHost: hub ? 'docker.io' : domain,
    repository,
    reference: parsed.digest ?? parsed.tag ?? 'latest',
  };
}

/** Is `host` (`host[:port]`) the loopback interface, where plain HTTP is allowed without `--insecure`? */
export function isLoopback(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
