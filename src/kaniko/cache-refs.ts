/**
 * One registry cache ref per build. Kaniko stored each layer under its own content-keyed tag (Kaniko
 * `pkg/cache/cache.go` `Destination`), so builds could share a cache repository; a BuildKit registry cache is one
 * manifest per ref (BuildKit `cache/remotecache/registry/registry.go`), so builds exporting to one ref overwrite each
 * other. CacheRefs sees every call of a pipeline: where one build writes a repository it keeps `:buildkit`; where
 * several do (`parallel:` jobs, several jobs, several calls of a job) each gets `buildkit-<job slug>[-<Dockerfile>]`,
 * the job part written `${CI_JOB_NAME_SLUG}` when only GitLab knows it (matrix values) or when several jobs run the
 * same call text (a template's script) (GitLab docs `ci/variables/predefined_variables.md`, `CI_JOB_NAME_SLUG`).
 */
import { lit, type ShellText } from '../shell/quote.js';
import type { CacheDecision, CacheUse } from './types.js';

/** The tag buildctl stores the registry cache under when one build writes the repository. */
export const CACHE_TAG = 'buildkit';

/** GitLab `lib/gitlab/utils.rb` `slugify` (how `$CI_JOB_NAME_SLUG` is made): lowercased, `[^a-z0-9]` → `-`, 63 bytes, no `-` at the ends. */
export function gitlabSlug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

const JOB_SLUG: ShellText = [{ kind: 'param', raw: '${CI_JOB_NAME_SLUG}', name: 'CI_JOB_NAME_SLUG', quoted: true }];

interface Writer {
  job: string;
  use: CacheUse;
}

/** What the pipeline knows about a job beyond its calls. */
export interface CacheJob {
  /** `parallel:` (a matrix or a count): GitLab runs several instances, told apart only by `$CI_JOB_NAME_SLUG`. */
  parallel: boolean;
}

interface Tag {
  tag: ShellText;
  shown: string;
  /** The tag as another job can name it (not for a parallel job, whose instances GitLab names). */
  named?: string;
}

export class CacheRefs {
  private readonly seen = new Map<string, Writer[]>();
  private decided?: Map<string, CacheDecision>;

  private static id(job: string, use: CacheUse): string {
    return `${job}\u0000${use.call}\u0000${use.key}\u0000${use.writes}`;
  }

  /** Called while planning: records the use, and answers once `settle` has run. */
  ask(job: string, use: CacheUse): CacheDecision | undefined {
    if (this.decided) return this.decided.get(CacheRefs.id(job, use));
    const list = this.seen.get(use.key) ?? [];
    if (!list.some((w) => CacheRefs.id(w.job, w.use) === CacheRefs.id(job, use))) list.push({ job, use });
    this.seen.set(use.key, list);
    return undefined;
  }

  /** Decides every ref from the uses of the jobs that migrate (`jobs`); returns the jobs whose calls change. */
  settle(jobs: ReadonlyMap<string, CacheJob>): Set<string> {
    const decided = new Map<string, CacheDecision>();
    const changed = new Set<string>();
    for (const uses of this.seen.values()) {
      const live = uses.filter((w) => jobs.has(w.job));
      const writers = live.filter((w) => w.use.writes);
      if (!writers.length || (writers.length === 1 && !jobs.get(writers[0]!.job)!.parallel)) continue;
      const tags = tagsOf(writers, jobs);
      for (const w of writers) {
        const t = tags.get(w)!;
        const others = writers.filter((o) => o.job !== w.job).map((o) => `"${o.job}"`);
        const why = jobs.get(w.job)!.parallel
          ? `written by every parallel instance of job "${w.job}" (parallel:)`
          : `written by ${others.length ? `job ${[...new Set(others)].join(', ')}` : 'several calls of this job'}`;
        decided.set(CacheRefs.id(w.job, w.use), {
          tag: t.tag,
          message: `--cache: the registry cache is now ${w.use.repo}:${t.shown}, this build's own ref: ${w.use.repo} is also ${why}, and a BuildKit registry cache is one manifest per ref, so one ${CACHE_TAG} tag would be overwritten by each build (Kaniko's per-layer tags could be shared)`,
        });
        changed.add(w.job);
      }
      // A call that only reads the cache reads every ref the builds write (a parallel job's refs cannot be named).
      const named = [...new Set(writers.map((w) => tags.get(w)!.named).filter((n): n is string => !!n))];
      const unnamed = [...new Set(writers.filter((w) => !tags.get(w)!.named).map((w) => `"${w.job}"`))];
      for (const r of live.filter((w) => !w.use.writes)) {
        decided.set(CacheRefs.id(r.job, r.use), {
          tag: lit(named[0] ?? CACHE_TAG),
          imports: named.slice(1).map((n) => lit(n)),
          message: `--no-push-cache: ${r.use.repo} is written by several builds, each under its own ref; this call reads ${named.length ? named.map((n) => `${r.use.repo}:${n}`).join(', ') : `${r.use.repo}:${CACHE_TAG}, which none of them writes`}${unnamed.length ? ` (not the refs of job ${unnamed.join(', ')}, which GitLab names per parallel instance)` : ''}`,
        });
        changed.add(r.job);
      }
    }
    this.decided = decided;
    return changed;
  }
}

/** A Dockerfile as a build's name: its folder (`app`), with a file name other than `Dockerfile` (`app-prod`). */
function buildName(dockerfile: string): string {
  const path = dockerfile.replace(/^(\.\/)+/, '').replace(/\/+/g, '/');
  const at = path.lastIndexOf('/');
  const dir = at < 0 ? '' : path.slice(0, at).replace(/^\.$/, '');
  const file = path.slice(at + 1);
  const name = [dir, file === 'Dockerfile' ? '' : file].filter(Boolean).join('-');
  return name || 'dockerfile';
}

/** The tag of each writer of one repository. */
function tagsOf(writers: Writer[], jobs: ReadonlyMap<string, CacheJob>): Map<Writer, Tag> {
  const taken = new Set<string>();
  const tags = new Map<Writer, Tag>();
  for (const w of writers) {
    const info = jobs.get(w.job)!;
    // The same words in another job: most likely one template's script, which can hold only one text.
    const shared = writers.some((o) => o.job !== w.job && o.use.call === w.use.call);
    const dynamic = info.parallel || shared;
    const mine = writers.filter((o) => o.job === w.job);
    let suffix = '';
    if (mine.length > 1) {
      const dfs = mine.map((o) => gitlabSlug(buildName(o.use.dockerfile)));
      const i = mine.indexOf(w);
      suffix = new Set(dfs).size === dfs.length && dfs[i] ? `-${dfs[i]}` : `-${i + 1}`;
    }
    const slug = gitlabSlug(w.job) || 'job';
    let base = slug;
    if (!dynamic) {
      for (let n = 2; taken.has(`${base}${suffix}`); n++) base = `${slug}-${n}`;
      taken.add(`${base}${suffix}`);
    }
    tags.set(w, {
      tag: dynamic ? [...lit(`${CACHE_TAG}-`), ...JOB_SLUG, ...lit(suffix)] : lit(`${CACHE_TAG}-${base}${suffix}`),
      shown: `${CACHE_TAG}-${dynamic ? '${CI_JOB_NAME_SLUG}' : base}${suffix}`,
      ...(info.parallel ? {} : { named: `${CACHE_TAG}-${dynamic ? slug : base}${suffix}` }),
    });
  }
  return tags;
}
