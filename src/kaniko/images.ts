/** What counts as a Kaniko image, and what BuildKit image replaces it. */

/** Repository path endings of Kaniko executor images (a registry mirror or dependency-proxy prefix may stand before them). */
const KANIKO_REPOSITORIES = [
  'kaniko-project/executor',
  'chainguard/kaniko',
  'osscontainertools/kaniko',
  'martizih/kaniko',
];

/**
 * The newest BuildKit release verified for this tool (moby/buildkit v0.32.2; tags from its
 * `.github/workflows/buildkit.yml`). Pinned Kaniko images get this tag.
 */
export const BUILDKIT_PINNED_IMAGE = 'moby/buildkit:v0.32.2-rootless';
export const BUILDKIT_IMAGE = 'moby/buildkit:rootless';

export interface ImageRef {
  /** Everything before the tag/digest. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, tag, digest };
}

export type KanikoImageKind = 'kaniko' | 'kaniko-like' | 'other';

/**
 * `kaniko`: a known Kaniko executor repository (also behind a mirror prefix).
 * `kaniko-like`: a name mentioning kaniko (a team's own rebuild, e.g. `hitnslab/kaniko-executor`), Kaniko only if the job calls the executor.
 */
export function classifyImage(ref: string): KanikoImageKind {
  const { repository } = parseImageRef(ref);
  const repo = repository.toLowerCase();
  if (KANIKO_REPOSITORIES.some((r) => repo === r || repo.endsWith(`/${r}`))) return 'kaniko';
  if (repo.includes('kaniko')) return 'kaniko-like';
  return 'other';
}

/** Pinned means a version or digest, not a moving tag like `debug` or `latest`. */
export function isPinned(ref: string): boolean {
  const { tag, digest } = parseImageRef(ref);
  if (digest) return true;
  if (!tag) return false;
  return /\d+\.\d+/.test(tag);
}

/** Where each Kaniko repository is normally pulled from; any other prefix is a mirror or a proxy. */
const HOME_REGISTRIES: Record<string, string[]> = {
  'kaniko-project/executor': ['gcr.io/'],
  'chainguard/kaniko': ['cgr.dev/'],
  'osscontainertools/kaniko': ['ghcr.io/'],
  'martizih/kaniko': ['', 'docker.io/', 'index.docker.io/'],
};

/**
 * A Kaniko image pulled through a mirror or GitLab's dependency proxy: the prefix before the Kaniko repository.
 * The dependency proxy serves Docker Hub, where moby/buildkit lives, so its prefix can stay.
 */
export function imageMirror(ref: string): { prefix: string; proxy: boolean } | undefined {
  const { repository } = parseImageRef(ref);
  for (const [repo, homes] of Object.entries(HOME_REGISTRIES)) {
    if (!repository.toLowerCase().endsWith(repo)) continue;
    const prefix = repository.slice(0, repository.length - repo.length);
    if (homes.includes(prefix.toLowerCase())) return undefined;
    return { prefix, proxy: /CI_DEPENDENCY_PROXY/.test(prefix) };
  }
  return undefined;
}

/**
 * A Kaniko image named through the job's variables (`gcr.io/kaniko-project/executor:${KANIKO_VERSION}`), with every
 * variable's value known: the name GitLab pulls, and the variables it read. Undefined when the name reads no
 * variable, or one whose value is not known here.
 */
export function resolveImageVariables(
  ref: string,
  value: (variable: string) => string | undefined,
): { ref: string; variables: { name: string; value: string }[] } | undefined {
  const variables: { name: string; value: string }[] = [];
  let unknown = false;
  const resolved = ref.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, a?: string, b?: string) => {
      const name = (a ?? b)!;
      const v = value(name);
      if (v === undefined || v.includes('$')) {
        unknown = true;
        return m;
      }
      if (!variables.some((x) => x.name === name)) variables.push({ name, value: v });
      return v;
    },
  );
  return variables.length && !unknown ? { ref: resolved, variables } : undefined;
}

export function buildkitImageFor(kanikoRef: string, override?: string): string {
  if (override) return override;
  const image = isPinned(kanikoRef) ? BUILDKIT_PINNED_IMAGE : BUILDKIT_IMAGE;
  const mirror = imageMirror(kanikoRef);
  return mirror?.proxy ? `${mirror.prefix}${image}` : image;
}

export function isBuildkitImage(ref: string): boolean {
  return parseImageRef(ref).repository.toLowerCase().endsWith('moby/buildkit');
}
