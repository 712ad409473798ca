/**
 * `--shard I/N`: the projects of one run split over N runs (a GitLab `parallel: N` job), each project in exactly one
 * shard, by its id: project `id` belongs to shard `id % N + 1`. The assignment depends on the id alone, so it is the
 * same whichever shard asks, whatever else the group holds, and a project stays in its shard from run to run.
 */

export interface Shard {
  /** 1-based, as GitLab's `CI_NODE_INDEX`. */
  index: number;
  total: number;
}

/** The largest N accepted: GitLab's `parallel:` allows 200. */
export const MAX_SHARDS = 200;

/**
 * Reads `I/N` (`$CI_NODE_INDEX/$CI_NODE_TOTAL`), 1 ≤ I ≤ N; throws an Error that says what is wrong. Surrounding
 * spaces are allowed, nothing else.
 */
export function parseShard(value: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m)
    throw new Error(
      `--shard ${JSON.stringify(value)}: expected I/N (1 ≤ I ≤ N), e.g. 2/3 or "$CI_NODE_INDEX/$CI_NODE_TOTAL"` +
        (/^\s*\/|\/\s*$/.test(value) ? ' (is CI_NODE_INDEX or CI_NODE_TOTAL unset? set `parallel: N` on the job)' : ''),
    );
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1 || total > MAX_SHARDS) throw new Error(`--shard ${value.trim()}: N must be 1 to ${MAX_SHARDS}`);
  if (index < 1 || index > total)
    throw new Error(`--shard ${value.trim()}: I must be 1 to ${total} (1-based, as CI_NODE_INDEX)`);
  return { index, total };
}

/** FNV-1a of a string, for a project known only by its path (an `--only-failed` project that could not be fetched). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text.toLowerCase()) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The shard (1-based) of a project: by its id; by its full path when no id is known. */
export function shardOf(key: number | string, total: number): number {
  const n = typeof key === 'number' && Number.isSafeInteger(key) && key > 0 ? key : hash(String(key));
  return (n % total) + 1;
}

export function inShard(key: number | string, shard: Shard | null | undefined): boolean {
  return !shard || shardOf(key, shard.total) === shard.index;
}
