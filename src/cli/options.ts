/**
 * Options checked before a command runs: options that do nothing in the mode asked for (refused when ignoring them
 * could mislead a CI job, warned about otherwise), and the `--buildkit-image` reference.
 */
import type { Command } from 'commander';
import { parseImageReference, type ImageReference } from '../compare/reference.js';
import type { MigrationMode } from '../project/transition.js';

/** Was the option given (on the command line, or by an environment variable commander reads), not defaulted? */
export function given(cmd: Command, key: string): boolean {
  const source = cmd.getOptionValueSource(key);
  return source !== undefined && source !== 'default' && source !== 'implied';
}

/** The flag as the user typed it, for messages (`--fail-on`, `--no-progress`). */
export function flagName(cmd: Command, key: string): string {
  const option = cmd.options.find(
    (o) => o.attributeName() === key && (o.negate ? cmd.getOptionValue(key) === false : true),
  );
  return option?.long ?? `--${key}`;
}

/** An option that only means something together with another one: what to say when it is given alone. */
export interface Needs {
  /** The option's key (commander's attribute name, `failOn`). */
  key: string;
  /** Is the mode it needs on? */
  when: boolean;
  /** The mode it needs, as the user writes it (`--check`). */
  mode: string;
  /** Refuse (exit 2) rather than warn: ignoring it would let a run pass that the user meant to fail. */
  refuse?: boolean;
}

/**
 * Options given where they do nothing: the refusals (each a line; the command exits 2) and the warnings (each a line;
 * the command goes on, ignoring them).
 */
export function ineffective(cmd: Command, needs: readonly Needs[]): { refusals: string[]; warnings: string[] } {
  const refusals: string[] = [];
  const warnings: string[] = [];
  for (const n of needs) {
    if (n.when || !given(cmd, n.key)) continue;
    const flag = flagName(cmd, n.key);
    if (n.refuse) refusals.push(`${flag} applies only with ${n.mode}: add ${n.mode}, or leave ${flag} out`);
    else warnings.push(`${flag} applies only with ${n.mode}; ignored`);
  }
  return { refusals, warnings };
}

// ---- --transition, --cut-over ----

/** The flags that choose the migration mode (`migrate` and `gitlab`). */
export interface ModeFlags {
  transition?: boolean;
  cutOver?: boolean;
}

/** The mode the flags ask for (`direct` without either); an error message when both are given. */
export function migrationMode(flags: ModeFlags): MigrationMode | { error: string } {
  if (flags.transition && flags.cutOver)
    return { error: '--transition and --cut-over exclude each other: a run either starts a transition or ends it' };
  return flags.transition ? 'transition' : flags.cutOver ? 'cut-over' : 'direct';
}

/** The help lines of both flags. */
export const MODE_HELP = {
  transition:
    'keep each Kaniko job and add beside it a BuildKit twin (pushing to the verification tag :kaniko2buildkit-$CI_COMMIT_SHORT_SHA) and a compare job; a second run changes nothing',
  cutOver:
    'end a transition: remove the twins and compare jobs and migrate the Kaniko jobs, exactly as a direct migration (a plain run does the same)',
};

// ---- --buildkit-image ----

// the parser lives with the registry client (src/compare/reference.ts); exported here as before
export { parseImageReference, type ImageReference };

/**
 * Checks `--buildkit-image`: an error when the reference does not parse, a warning when it names BuildKit's rootful
 * image (`moby/buildkit`, `:latest`, `:vX.Y.Z`, `-ubuntu` …, any tag without `rootless`), which the jobs the tool
 * writes cannot run with. Nothing to say when the tag is a variable or only a digest: it cannot be told.
 */
export function checkBuildkitImage(ref: string): { error?: string; warning?: string } {
  const parsed = parseImageReference(ref);
  if (typeof parsed === 'string')
    return { error: `--buildkit-image ${JSON.stringify(ref)}: not an image reference: ${parsed}` };
  // on Docker Hub, or behind a mirror or GitLab's dependency proxy (`$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/moby/buildkit`)
  if (parsed.path !== 'moby/buildkit' && !parsed.path.endsWith('/moby/buildkit')) return {};
  if (parsed.digest && !parsed.tag) return {};
  const beforeDigest = ref.split('@')[0]!;
  const rawTag =
    beforeDigest.lastIndexOf(':') > beforeDigest.lastIndexOf('/')
      ? beforeDigest.slice(beforeDigest.lastIndexOf(':') + 1)
      : '';
  if (/\$/.test(rawTag)) return {};
  const tag = parsed.tag ?? 'latest';
  if (/rootless/.test(tag)) return {};
  const version = /^(v\d+\.\d+\.\d+(?:-rc\d+)?)(?:-ubuntu)?$/.exec(tag)?.[1];
  const instead = version
    ? `moby/buildkit:${version}-rootless`
    : 'moby/buildkit:rootless, or a pinned moby/buildkit:vX.Y.Z-rootless';
  const named = parsed.tag ? ref : `${ref} (:latest)`;
  return {
    warning:
      `--buildkit-image ${named} is BuildKit's rootful image: it runs as root and has no rootlesskit, so ` +
      'buildctl-daemonless.sh would start buildkitd as root (which needs a privileged runner) instead of rootless as ' +
      'uid 1000, as the migrated jobs expect, and buildkitd refuses their BUILDKITD_FLAGS=--oci-worker-no-process-sandbox ' +
      `("can't enable NoProcessSandbox without Rootless"). Use ${instead}.`,
  };
}

/**
 * Says on stderr what `ineffective` and `checkBuildkitImage` found (`kaniko2buildkit: …`, `kaniko2buildkit: warning:
 * …`); false when the command must stop (exit 2).
 */
export function checkOptions(
  io: { stderr: (s: string) => void },
  cmd: Command,
  needs: readonly Needs[],
  buildkitImage: string | undefined,
  prefix = 'kaniko2buildkit',
): boolean {
  const { refusals, warnings } = ineffective(cmd, needs);
  const image = buildkitImage === undefined ? {} : checkBuildkitImage(buildkitImage);
  if (image.error) refusals.push(image.error);
  if (image.warning) warnings.push(image.warning);
  for (const r of refusals) io.stderr(`${prefix}: ${r}\n`);
  for (const w of warnings) io.stderr(`${prefix}: warning: ${w}\n`);
  return refusals.length === 0;
}
