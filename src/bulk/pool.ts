/** Bounded concurrency: run `task` over `items` with at most `limit` in flight; results keep the input order. */
import { availableParallelism } from 'node:os';

/** The default `--concurrency` for local work: the CPU count. */
export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}

/** Parses a `--concurrency` value: a whole number from 1 to 256. */
export function parseConcurrency(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new RangeError(`--concurrency must be a whole number from 1 to 256, not ${String(value)}`);
  return n;
}

/** The default time limit of one repository's migration: 5 minutes (`--time-limit`). */
export const DEFAULT_TIME_LIMIT_S = 300;

/** Parses a `--time-limit` value: seconds, a positive number up to a day. */
export function parseTimeLimit(value: string | number | undefined, fallback = DEFAULT_TIME_LIMIT_S): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400)
    throw new RangeError(`--time-limit must be a number of seconds above 0 and at most 86400, not ${String(value)}`);
  return n;
}

/**
 * Runs `task(item, index)` for every item, at most `limit` at a time. A task that throws does not stop the others:
 * callers catch inside `task` when one item's failure is an outcome (as every bulk caller does).
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
  onDone?: (done: number, total: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
      onDone?.(++done, items.length);
    }
  }
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker);
  await Promise.all(workers);
  return results;
}
