/**
 * Image references as shell text, read as Kaniko reads `--destination` (go-containerregistry `pkg/name`:
 * `NewTag`, `Repository.Name`): the repository, the tag, the normalised Docker Hub name.
 */
import { displayText, lit, splitLast, staticText, type ShellText } from '../shell/quote.js';

/** `repo:tag` → repo, following `name.NewTag`: the tag is after the last `:` that has no `/` after it. */
export function repositoryOf(ref: ShellText): ShellText | undefined {
  const shown = displayText(ref);
  if (shown.includes('@')) {
    const at = splitLast(ref, '@');
    return at ? repositoryOf(at[0]) : undefined;
  }
  const parts = splitLast(ref, ':', '/');
  if (parts) return parts[0];
  // No tag: the whole text is the repository, but only if it is not all one unknown variable that may hold a tag.
  const last = ref[ref.length - 1];
  if (last && last.kind === 'literal') return ref;
  return undefined;
}

/** The tag of a reference, `latest` when none is written. */
export function tagOf(ref: ShellText): ShellText {
  const parts = splitLast(ref, ':', '/');
  return parts ? parts[1] : lit('latest');
}

/**
 * Whether the first `/`-part of an image name is a registry host (docker's reference rule: it holds a `.` or a `:`,
 * is `localhost`, or has capitals, which a repository path may not), not the first part of a Docker Hub path.
 */
export function isRegistryHost(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

/** `Repository.Name()`: Docker Hub names become `index.docker.io/[library/]x`. */
export function normaliseRepository(repo: ShellText): ShellText {
  const shown = staticText(repo);
  if (shown === undefined) return repo;
  const parts = shown.split('/');
  const first = parts[0]!;
  const isRegistry = parts.length > 1 && isRegistryHost(first);
  if (isRegistry && first !== 'docker.io' && first !== 'index.docker.io') return repo;
  const path = isRegistry ? parts.slice(1) : parts;
  return lit(`index.docker.io/${path.length === 1 ? 'library/' : ''}${path.join('/')}`);
}

/** GitLab's predefined variables that hold a repository without a tag (`$CI_REGISTRY_IMAGE`). */
const TAGLESS_VARIABLES = new Set(['CI_REGISTRY_IMAGE']);

/**
 * The same repository as `ref`, at `tag` (`$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA` → `$CI_REGISTRY_IMAGE:<tag>`); undefined
 * when the repository cannot be told from the text (one variable that may hold a tag, a digest).
 */
export function withTag(ref: ShellText, tag: ShellText): ShellText | undefined {
  if (displayText(ref).includes('@')) return undefined;
  const last = ref[ref.length - 1];
  const repo = ref.length === 1 && last?.kind === 'param' && TAGLESS_VARIABLES.has(last.name) ? ref : repositoryOf(ref);
  return repo && [...repo, ...lit(':'), ...tag];
}
