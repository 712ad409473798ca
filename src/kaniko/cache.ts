/**
 * `--cache` with `--cache-repo` and `--no-push-cache`, planned together: the BuildKit registry cache in the repository
 * Kaniko used (Kaniko `pkg/cache/cache.go` `Destination`: `--cache-repo`, else the first destination's repository +
 * `/cache`), checked as Kaniko's `cacheFlagsValid` (`cmd/executor/cmd/root.go`) does.
 */
import { field } from '../plan/build-plan.js';
import { concat, displayText, lit, renderWord, type ShellText } from '../shell/quote.js';
import { CACHE_TAG } from './cache-refs.js';
import { repositoryOf } from './refs.js';
import type { CallState } from './types.js';

export { CACHE_TAG } from './cache-refs.js';

export function planCache(ctx: CallState): void {
  if (ctx.bool('cache') !== true) return;
  const repoUse = ctx.last('cache-repo');
  let repo: ShellText | undefined = repoUse?.value;
  if (repo && displayText(repo).startsWith('oci:')) {
    ctx.report(
      'KB310',
      '--cache-repo oci:… (a local OCI layout cache) is not mapped yet: use --export-cache type=local,dest=DIR',
      repoUse,
    );
    return;
  }
  if ((!repo || displayText(repo) === '') && !ctx.push && ctx.bool('no-push-cache') !== true) {
    // Kaniko checks this before anything else and stops (cacheFlagsValid; the oss fork accepts it with --no-push-cache).
    ctx.report(
      'KB319',
      '--cache with --no-push and no --cache-repo: Kaniko refused to run this ("if using cache with --no-push, specify cache repo with --cache-repo"); the migrated call builds with BuildKit\'s own cache only',
      ctx.last('cache'),
    );
    return;
  }
  // a fragment fed into another project's template call: the cache goes where that call's --cache would put it
  if ((!repo || displayText(repo) === '') && ctx.host) {
    if (!ctx.host.cacheRepo) {
      ctx.report(
        'KB309',
        "the template's call derives its cache repository from an image name only known when the job runs; add --cache-repo REPO here and run again",
        ctx.last('cache'),
      );
      return;
    }
    repo = ctx.host.cacheRepo;
  }
  if (!repo || displayText(repo) === '') {
    const first = ctx.firstImageName();
    if (!first) {
      ctx.report(
        'KB309',
        'Kaniko derives the cache repository from the first --destination, and there is none here; add --cache-repo REPO to the Kaniko call and run again',
      );
      return;
    }
    const base = repositoryOf(first);
    if (base) repo = concat(base, lit('/cache'));
    else {
      // The tag is only known at run time: strip it in the job as Kaniko did (`:tag` after the last `/`).
      repo = concat(
        [{ kind: 'command', raw: `$(echo ${renderWord(first)} | sed 's#:[^:/]*$##')`, quoted: true }],
        lit('/cache'),
      );
      ctx.report(
        'KB314',
        `the cache repository is derived from --destination ${displayText(first)} when the job runs (its tag stripped, /cache added), as Kaniko did; consider a fixed --cache-repo`,
      );
    }
  }
  const writes = ctx.bool('no-push-cache') !== true;
  // Several builds writing one repository each get their own ref (cache-refs.ts): the pipeline decides.
  const shown = displayText(repo);
  const decision = ctx.cacheRef({
    repo: shown,
    key: expandVariables(shown, ctx),
    call: ctx.call.command.words.map((w) => w.raw).join(' '),
    dockerfile: displayText(concat(ctx.plan.dockerfileDir, lit('/'), ctx.plan.filename ?? lit('Dockerfile'))),
    writes,
  });
  if (decision) ctx.report('KB321', decision.message, ctx.last('cache'));
  const ref = concat(repo, lit(':'), decision?.tag ?? lit(CACHE_TAG));
  ctx.plan.importCache.push([field('type', lit('registry')), field('ref', ref)]);
  for (const tag of decision?.imports ?? [])
    ctx.plan.importCache.push([field('type', lit('registry')), field('ref', concat(repo, lit(':'), tag))]);
  if (writes) {
    // Kaniko caches every stage and only warns when a cache push fails: ignore-error=true.
    ctx.plan.exportCache.push([
      field('type', lit('registry')),
      field('ref', ref),
      field('mode', lit('max')),
      field('ignore-error', lit('true')),
    ]);
  }
}

/**
 * The cache repository `--cache` uses in this call when it is known before the job runs: `--cache-repo`, else the
 * first image's repository + `/cache` (what planCache writes; a consumer's `--cache=true` fed into the call goes there).
 */
export function callCacheRepo(ctx: CallState): ShellText | undefined {
  const written = ctx.last('cache-repo')?.value;
  if (written && displayText(written) !== '') return displayText(written).startsWith('oci:') ? undefined : written;
  const first = ctx.firstImageName();
  const base = first && repositoryOf(first);
  return base ? concat(base, lit('/cache')) : undefined;
}

/** `$V`/`${V}` replaced by the job's value of V where the pipeline file gives one (a few levels deep). */
function expandVariables(text: string, ctx: CallState): string {
  let out = text;
  for (let depth = 0; depth < 4; depth++) {
    const next = out.replace(
      /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
      (m, a?: string, b?: string) => {
        const v = ctx.variableValue((a ?? b)!);
        return v ?? m;
      },
    );
    if (next === out) break;
    out = next;
  }
  return out;
}
