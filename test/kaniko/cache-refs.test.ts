/**
 * CacheRefs (src/kaniko/cache-refs.ts): one BuildKit registry cache ref per build that writes a repository, and the
 * single `:buildkit` ref where only one build writes it.
 */
import { CacheRefs, gitlabSlug } from '../../src/kaniko/cache-refs.js';
import { displayText } from '../../src/shell/quote.js';
import type { CacheUse } from '../../src/kaniko/types.js';

const use = (call: string, extra: Partial<CacheUse> = {}): CacheUse => ({
  repo: '$CI_REGISTRY_IMAGE/cache',
  key: '$CI_REGISTRY_IMAGE/cache',
  call,
  dockerfile: './Dockerfile',
  writes: true,
  ...extra,
});

test('GitLab slugify: lowercased, other characters to -, no - at the ends', () => {
  expect(gitlabSlug('Build: [amd64, x]')).toBe('build---amd64--x');
  expect(gitlabSlug('a'.repeat(70))).toHaveLength(63);
});

test('one writer keeps :buildkit; several get their own tags; a reader reads the ones it can name', () => {
  const refs = new CacheRefs();
  refs.ask('alone', use('c0', { key: 'other' }));
  refs.ask('a', use('c1'));
  refs.ask('b', use('c2'));
  refs.ask('m', use('c3'));
  refs.ask('r', use('c4', { writes: false }));
  const jobs = new Map(['alone', 'a', 'b', 'm', 'r'].map((n) => [n, { parallel: n === 'm' }]));
  expect([...refs.settle(jobs)].sort()).toEqual(['a', 'b', 'm', 'r']);
  expect(refs.ask('alone', use('c0', { key: 'other' }))).toBeUndefined();
  expect(displayText(refs.ask('a', use('c1'))!.tag)).toBe('buildkit-a');
  expect(displayText(refs.ask('m', use('c3'))!.tag)).toBe('buildkit-${CI_JOB_NAME_SLUG}');
  const r = refs.ask('r', use('c4', { writes: false }))!;
  expect([r.tag, ...r.imports!].map(displayText)).toEqual(['buildkit-a', 'buildkit-b']);
  expect(r.message).toContain('"m"');
});

test('a matrix job alone is several builds; the same call text in two jobs (a template) uses $CI_JOB_NAME_SLUG', () => {
  const refs = new CacheRefs();
  refs.ask('m', use('c'));
  refs.ask('t1', use('same', { key: 'k' }));
  refs.ask('t2', use('same', { key: 'k' }));
  refs.settle(
    new Map([
      ['m', { parallel: true }],
      ['t1', { parallel: false }],
      ['t2', { parallel: false }],
    ]),
  );
  expect(refs.ask('m', use('c'))!.message).toContain('parallel');
  expect(displayText(refs.ask('t1', use('same', { key: 'k' }))!.tag)).toBe('buildkit-${CI_JOB_NAME_SLUG}');
});

test('two calls of one job are named by their Dockerfile', () => {
  const refs = new CacheRefs();
  refs.ask('j', use('c1'));
  refs.ask('j', use('c2', { dockerfile: 'app/Dockerfile.prod' }));
  refs.settle(new Map([['j', { parallel: false }]]));
  expect(displayText(refs.ask('j', use('c1'))!.tag)).toBe('buildkit-j-dockerfile');
  expect(displayText(refs.ask('j', use('c2', { dockerfile: 'app/Dockerfile.prod' }))!.tag)).toBe(
    'buildkit-j-app-dockerfile-prod',
  );
});
