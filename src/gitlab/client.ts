/**
 * A small GitLab REST client on Node's `fetch`: `BASE/api/v4`, the token in the `PRIVATE-TOKEN` header only,
 * retries (`429` after `Retry-After`, 5xx and network errors with exponential backoff, bounded), pagination through
 * `x-next-page` or the `Link` header (never followed to another origin: the token would go with it), and errors
 * that name the request but never the token.
 */
import { append } from '../text/append.js';
import { STATUS_CODES } from 'node:http';
import { mapPool } from '../bulk/pool.js';
import { redactor, type Redact } from './redact.js';
import {
  backoffMs,
  DEFAULT_RETRY,
  errorCode,
  retryableError,
  retryableStatus,
  retryAfterMs,
  type RetryPolicy,
} from './retry.js';

export interface ClientOptions {
  /** GitLab's address, e.g. `https://gitlab.example.com` (a path prefix is kept: `https://example.com/gitlab`). */
  url: string;
  token: string;
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** One line per retry, already redacted. */
  log?: (line: string) => void;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

export class GitLabError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly method: string,
    readonly path: string,
    /** GitLab's `message` / `error` field, when it sent one. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'GitLabError';
  }
}

/** An answer longer than the request's `maxBytes`: its body was not read past the limit. */
export class BodyTooLargeError extends GitLabError {
  constructor(
    message: string,
    method: string,
    path: string,
    readonly limit: number,
  ) {
    super(message, undefined, method, path);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The body as text, read up to `limit` bytes: a longer one (by its Content-Length, or as it streams) is cancelled
 * there, never buffered whole. Undefined when it is over the limit.
 */
async function bodyText(res: Response, limit: number | undefined): Promise<string | undefined> {
  if (limit === undefined || !res.body) return res.text();
  const declared = Number(res.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > limit) {
    await res.body.cancel().catch(() => {});
    return undefined;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks, length));
}

/** Pages followed at most, as a guard against a server that never stops. */
const MAX_PAGES = 10_000;

function apiBase(url: string): URL {
  const base = new URL(url);
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new Error(`--url must be an http(s) address, not ${base.protocol}`);
  if (base.username || base.password)
    throw new Error('--url must not hold credentials: give the token through the environment');
  base.search = '';
  base.hash = '';
  base.pathname = `${base.pathname.replace(/\/+$/, '')}/api/v4/`;
  return base;
}

/** GitLab's error text from a JSON body (`message` may be a string, a list, or a map of field → messages). */
function detailOf(body: unknown, redact: (text: string) => string): string | undefined {
  // redacted before it is cut: a cut through the token would leave the part before the cut unredacted
  if (!body || typeof body !== 'object')
    return typeof body === 'string' && body ? redact(body).slice(0, 500) : undefined;
  const b = body as { message?: unknown; error?: unknown; error_description?: unknown };
  const m = b.message ?? b.error_description ?? b.error;
  if (m === undefined) return undefined;
  if (typeof m === 'string') return m;
  if (Array.isArray(m)) return m.map(String).join('; ');
  return Object.entries(m as Record<string, unknown>)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('; ');
}

export class GitLabClient {
  readonly base: URL;
  readonly redact: Redact;
  private readonly token: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: (line: string) => void;

  constructor(opts: ClientOptions) {
    this.base = apiBase(opts.url);
    this.token = opts.token;
    this.redact = redactor(opts.token);
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.fetchImpl = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.log = opts.log ?? (() => {});
  }

  /** The URL of an API path (`/projects/1/…`) with a query. */
  url(path: string, query: Query = {}): URL {
    const u = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** Only URLs under this GitLab's API carry the token. */
  private owns(u: URL): boolean {
    return u.origin === this.base.origin && u.pathname.startsWith(this.base.pathname);
  }

  private shown(u: URL): string {
    return this.redact(`${u.pathname.slice(this.base.pathname.length - 1)}${u.search}`);
  }

  /**
   * One request, retried as `retry.ts` says. Statuses in `accept` (besides 2xx) are returned, others thrown as
   * GitLabError. The body is parsed as JSON when it is JSON.
   */
  async request<T>(
    method: string,
    target: string | URL,
    opts: {
      query?: Query;
      body?: unknown;
      accept?: number[];
      /** Longest body read (bytes): a longer answer is a BodyTooLargeError, and not retried. */
      maxBytes?: number;
    } = {},
  ): Promise<ApiResponse<T>> {
    const u = typeof target === 'string' ? this.url(target, opts.query) : target;
    if (!this.owns(u))
      throw new GitLabError(
        `refusing to send the token to ${u.origin}${u.pathname}: not under ${this.base.href}`,
        undefined,
        method,
        u.pathname,
      );
    const where = `${method} ${this.shown(u)}`;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(u, {
          method,
          headers: {
            'PRIVATE-TOKEN': this.token,
            Accept: 'application/json',
            ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          redirect: 'manual',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (e) {
        const why = this.redact(`${errorCode(e) ?? (e as Error).name}: ${(e as Error).message}`);
        if (attempt < this.retry.retries && retryableError(method, e)) {
          const wait = backoffMs(attempt, this.retry);
          this.log(`${where}: ${why}; retry ${attempt + 1}/${this.retry.retries} in ${wait} ms`);
          await this.sleep(wait);
          continue;
        }
        throw new GitLabError(
          `${where}: ${why}${attempt ? ` (after ${attempt + 1} attempts)` : ''}`,
          undefined,
          method,
          u.pathname,
        );
      }
      const text = await bodyText(res, opts.maxBytes);
      if (text === undefined)
        throw new BodyTooLargeError(
          `${where}: the answer is over ${opts.maxBytes} bytes: not read`,
          method,
          u.pathname,
          opts.maxBytes!,
        );
      let data: unknown = text;
      if (text && (res.headers.get('content-type') ?? '').includes('json')) {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      if (res.ok || opts.accept?.includes(res.status))
        return { status: res.status, headers: res.headers, data: data as T };
      if (attempt < this.retry.retries && retryableStatus(method, res.status)) {
        const asked = res.status === 429 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
        const wait = asked === undefined ? backoffMs(attempt, this.retry) : Math.min(asked, this.retry.maxMs);
        this.log(`${where}: ${res.status}; retry ${attempt + 1}/${this.retry.retries} in ${wait} ms`);
        await this.sleep(wait);
        continue;
      }
      const detail = detailOf(data, this.redact);
      const redirect =
        res.status >= 300 && res.status < 400
          ? ` (redirected to ${res.headers.get('location') ?? '?'}: check --url)`
          : '';
      const statusText = res.statusText || STATUS_CODES[res.status] || '';
      const message = `${where}: ${res.status}${statusText ? ` ${statusText}` : ''}${detail ? `: ${detail}` : ''}${redirect}${attempt ? ` (after ${attempt + 1} attempts)` : ''}`;
      throw new GitLabError(
        this.redact(message),
        res.status,
        method,
        u.pathname,
        detail === undefined ? undefined : this.redact(detail),
      );
    }
  }

  async get<T>(path: string, query?: Query, accept?: number[], maxBytes?: number): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, { query, accept, maxBytes });
  }

  /**
   * Every item of a paginated list: `x-next-page` when GitLab sends it, else `Link: <…>; rel="next"`. With `parallel`
   * above 1 and offset pagination that tells the page count (`x-total-pages`, which GitLab leaves out beyond 10,000
   * items), the pages after the first are asked for that many at once, in order; then on page by page as before,
   * should the last of them name a next page (the list grew meanwhile).
   */
  async all<T>(path: string, query: Query = {}, parallel = 1): Promise<T[]> {
    const out: T[] = [];
    let u: URL | undefined = this.url(path, { per_page: 100, ...query });
    for (let page = 0; u; page++) {
      if (page >= MAX_PAGES)
        throw new GitLabError(`GET ${this.shown(u)}: more than ${MAX_PAGES} pages`, undefined, 'GET', u.pathname);
      const res: ApiResponse<T[]> = await this.request<T[]>('GET', u);
      append(out, this.listOf(u, res));
      const next = nextPage(u, res.headers);
      const ahead = page === 0 && next ? pagesAhead(res.headers, next) : [];
      if (parallel > 1 && ahead.length > 1) {
        const pages = await mapPool(ahead, parallel, async (at) => {
          const r = await this.request<T[]>('GET', at);
          return { items: this.listOf(at, r), next: nextPage(at, r.headers) };
        });
        for (const p of pages) append(out, p.items);
        page += pages.length;
        u = pages.at(-1)!.next;
      } else u = next;
    }
    return out;
  }

  private listOf<T>(u: URL, res: ApiResponse<T[]>): T[] {
    if (!Array.isArray(res.data))
      throw new GitLabError(`GET ${this.shown(u)}: expected a list`, res.status, 'GET', u.pathname);
    return res.data;
  }
}

/** The URLs of pages 2 … `x-total-pages` when the first page's `x-next-page` is 2 (offset pagination); else none. */
function pagesAhead(headers: Headers, next: URL): URL[] {
  const total = Number(headers.get('x-total-pages') ?? '');
  if (headers.get('x-next-page')?.trim() !== '2' || !Number.isInteger(total) || total < 2 || total > MAX_PAGES)
    return [];
  return Array.from({ length: total - 1 }, (_, i) => {
    const at = new URL(next);
    at.searchParams.set('page', String(i + 2));
    return at;
  });
}

/** The next page's URL, or undefined on the last page. */
export function nextPage(current: URL, headers: Headers): URL | undefined {
  const next = headers.get('x-next-page');
  if (next !== null && next.trim() !== '') {
    const u = new URL(current);
    u.searchParams.set('page', next.trim());
    return u;
  }
  const link = headers.get('link');
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (m && /\brel="?next"?/.test(m[2]!)) return new URL(m[1]!, current);
  }
  return undefined;
}
