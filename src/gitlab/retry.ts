/** When to try a GitLab request again, and how long to wait first. */

export interface RetryPolicy {
  /** Attempts after the first (default 5). */
  retries: number;
  /** First backoff in ms, doubled each attempt (default 500). */
  baseMs: number;
  /** Longest backoff, and longest `Retry-After` honoured, in ms (default 60 s). */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseMs: 500, maxMs: 60_000 };

/** Exponential backoff with jitter: between half and all of `base · 2^attempt`, capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.round(full / 2 + (random() * full) / 2);
}

/** `Retry-After` as ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Methods whose repetition cannot do anything twice. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * A status worth another try: `429` always (the request was not processed); other 5xx for idempotent methods;
 * for POST only 502/503/504, where a proxy answered and GitLab most likely never saw it (a POST that failed with
 * 500 may have created its commit or merge request: the run's own checks handle that on the next run).
 */
export function retryableStatus(method: string, status: number): boolean {
  if (status === 429) return true;
  if (status < 500) return false;
  return IDEMPOTENT.has(method) || status === 502 || status === 503 || status === 504;
}

/** Network errors: any for idempotent methods; for POST only those where no connection was made. */
export function retryableError(method: string, error: unknown): boolean {
  if (IDEMPOTENT.has(method)) return true;
  const code = errorCode(error);
  return (
    code !== undefined &&
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)
  );
}

export function errorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
