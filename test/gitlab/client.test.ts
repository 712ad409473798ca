import { GitLabClient, GitLabError, nextPage } from '../../src/gitlab/client.js';
import { redactor, REDACTED } from '../../src/gitlab/redact.js';
import { backoffMs, DEFAULT_RETRY, retryAfterMs, retryableStatus } from '../../src/gitlab/retry.js';

const TOKEN = 'glpat-client-unit-test-0123456789';

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A fetch that answers from a script and records what it was asked. */
function scripted(replies: Reply[]) {
  const calls: { url: string; method: string; headers: Record<string, string> }[] = [];
  const fn = (async (input: URL | RequestInfo, init?: RequestInit) => {
    calls.push({ url: String(input), method: init?.method ?? 'GET', headers: init?.headers as Record<string, string> });
    const r = replies.shift();
    if (!r) throw new Error('no more replies');
    if (r instanceof Error) throw r;
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
      status: r.status,
      headers: { 'Content-Type': 'application/json', ...r.headers },
    });
  }) as typeof fetch;
  return { fn, calls };
}

function client(replies: Reply[], sleeps: number[] = []) {
  const f = scripted(replies);
  const c = new GitLabClient({
    url: 'https://gitlab.example.com/',
    token: TOKEN,
    fetch: f.fn,
    sleep: async (ms) => void sleeps.push(ms),
    retry: { retries: 3, baseMs: 100, maxMs: 5000 },
  });
  return { c, calls: f.calls, sleeps };
}

describe('GitLabClient', () => {
  test('the token goes in PRIVATE-TOKEN only; paths under /api/v4 (also below a path prefix)', async () => {
    const { c, calls } = client([{ status: 200, body: { id: 1 } }]);
    await c.get('/projects/1');
    expect(calls[0]).toMatchObject({ url: 'https://gitlab.example.com/api/v4/projects/1', method: 'GET' });
    expect(calls[0]!.headers['PRIVATE-TOKEN']).toBe(TOKEN);
    expect(
      new GitLabClient({ url: 'https://example.com/gitlab', token: TOKEN }).url('/groups/a%2Fb/projects').href,
    ).toBe('https://example.com/gitlab/api/v4/groups/a%2Fb/projects');
    expect(() => new GitLabClient({ url: `https://user:${TOKEN}@example.com`, token: TOKEN })).toThrow(
      /must not hold credentials/,
    );
  });

  test('pagination: x-next-page first, else Link rel="next"; a Link to another origin is refused', async () => {
    const { c, calls } = client([
      {
        status: 200,
        body: [1, 2],
        headers: { 'x-next-page': '2', Link: '<https://gitlab.example.com/api/v4/x?page=9>; rel="next"' },
      },
      {
        status: 200,
        body: [3],
        headers: {
          'x-next-page': '',
          Link: '<https://gitlab.example.com/api/v4/x?page_token=abc&per_page=100>; rel="next", <https://gitlab.example.com/api/v4/x?page=1>; rel="first"',
        },
      },
      { status: 200, body: [4], headers: {} },
    ]);
    expect(await c.all('/x')).toEqual([1, 2, 3, 4]);
    expect(calls.map((q) => new URL(q.url).search)).toEqual([
      '?per_page=100',
      '?per_page=100&page=2',
      '?page_token=abc&per_page=100',
    ]);

    const evil = client([
      { status: 200, body: [1], headers: { Link: '<https://evil.example/api/v4/x?page=2>; rel="next"' } },
    ]);
    await expect(evil.c.all('/x')).rejects.toThrow(/refusing to send the token to https:\/\/evil\.example/);
    expect(evil.calls).toHaveLength(1);
    expect(
      nextPage(new URL('https://a/x?page=1'), new Headers({ Link: '<https://a/x?page=1>; rel="prev"' })),
    ).toBeUndefined();
  });

  test('parallel pages: with x-total-pages, pages 2… are asked for that many at once, in order; a list that grew is followed on; Link-only stays one by one', async () => {
    // a list of `size` numbers, 2 a page, answered after a timer; `linkOnly`: as keyset pagination, no page count
    const served = (size: () => number, linkOnly = false) => {
      const seen = { inFlight: 0, max: 0, pages: [] as number[] };
      const fn = (async (input: URL | RequestInfo) => {
        const u = new URL(String(input));
        const page = Number(u.searchParams.get('page') ?? 1);
        seen.pages.push(page);
        seen.max = Math.max(seen.max, ++seen.inFlight);
        await new Promise((r) => setTimeout(r, 5));
        seen.inFlight--;
        const total = Math.ceil(size() / 2);
        const items = Array.from({ length: size() }, (_, i) => i + 1).slice((page - 1) * 2, page * 2);
        const next = page < total ? String(page + 1) : '';
        const headers: Record<string, string> = linkOnly
          ? next
            ? { Link: `<https://gitlab.example.com/api/v4/x?page=${next}>; rel="next"` }
            : {}
          : { 'x-next-page': next, 'x-total-pages': String(total) };
        return new Response(JSON.stringify(items), { headers: { 'Content-Type': 'application/json', ...headers } });
      }) as typeof fetch;
      return { c: new GitLabClient({ url: 'https://gitlab.example.com', token: TOKEN, fetch: fn }), seen };
    };
    const eleven = Array.from({ length: 11 }, (_, i) => i + 1);
    const offset = served(() => 11);
    expect(await offset.c.all('/x', {}, 3)).toEqual(eleven);
    expect(offset.seen.max).toBe(3);
    expect(offset.seen.pages.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const sequential = served(() => 11);
    expect(await sequential.c.all('/x')).toEqual(eleven);
    expect(sequential.seen.max).toBe(1);
    const keyset = served(() => 11, true);
    expect(await keyset.c.all('/x', {}, 3)).toEqual(eleven);
    expect(keyset.seen.max).toBe(1);
    let size = 6;
    const growing = served(() => (size === 6 ? ((size = 7), 6) : size)); // one more item after the first page
    expect(await growing.c.all('/x', {}, 4)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(growing.seen.pages).toEqual([1, 2, 3, 4]);
  });

  test('429 waits Retry-After (seconds or a date, capped); 5xx backs off exponentially; gives up after the retries', async () => {
    const { c, sleeps } = client([
      { status: 429, headers: { 'Retry-After': '2' } },
      { status: 429, headers: { 'Retry-After': '3600' } },
      { status: 500 },
      { status: 200, body: { ok: true } },
    ]);
    expect((await c.get('/x')).data).toEqual({ ok: true });
    expect(sleeps[0]).toBe(2000);
    expect(sleeps[1]).toBe(5000); // capped at maxMs
    expect(sleeps[2]).toBeGreaterThanOrEqual(200); // attempt 2: 100·2² = 400, jittered to 200–400
    expect(sleeps[2]).toBeLessThanOrEqual(400);

    const down = client([
      { status: 503 },
      { status: 503 },
      { status: 503 },
      { status: 503, body: { message: 'still down' } },
    ]);
    await expect(down.c.get('/x')).rejects.toThrow('GET /x: 503 Service Unavailable: still down (after 4 attempts)');
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    for (let a = 0; a < 20; a++) expect(backoffMs(a, DEFAULT_RETRY)).toBeLessThanOrEqual(DEFAULT_RETRY.maxMs);
  });

  test('network errors: retried for GET; a POST is retried only when no connection was made; a POST 500 is not retried', async () => {
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const get = client([reset, { status: 200, body: [] }]);
    await expect(get.c.get('/x')).resolves.toMatchObject({ status: 200 });
    const post = client([reset]);
    await expect(post.c.request('POST', '/x', { body: {} })).rejects.toThrow('POST /x: ECONNRESET: fetch failed');
    const postRefused = client([refused, { status: 201, body: {} }]);
    await expect(postRefused.c.request('POST', '/x', { body: {} })).resolves.toMatchObject({ status: 201 });
    const post500 = client([{ status: 500 }]);
    await expect(post500.c.request('POST', '/x', { body: {} })).rejects.toBeInstanceOf(GitLabError);
    expect(post500.calls).toHaveLength(1);
    expect(retryableStatus('POST', 502)).toBe(true);
    expect(retryableStatus('GET', 404)).toBe(false);
  });

  test('an error message that echoes the token is redacted', async () => {
    const { c } = client([{ status: 401, body: { message: `401 Unauthorized: token ${TOKEN} has expired` } }]);
    const e = (await c.get('/x').catch((x: unknown) => x)) as GitLabError;
    expect(e.message).toBe(`GET /x: 401 Unauthorized: 401 Unauthorized: token ${REDACTED} has expired`);
    expect(e.detail).not.toContain(TOKEN);
    const r = redactor(TOKEN);
    expect(r(`a ${encodeURIComponent(TOKEN)} b ${Buffer.from(TOKEN).toString('base64')}`)).toBe(
      `a ${REDACTED} b ${REDACTED}`,
    );
  });
});
