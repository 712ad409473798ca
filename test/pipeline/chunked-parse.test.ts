/**
 * A long file parsed in pieces (src/pipeline/chunked-parse.ts) gives what one `parseAllDocuments` gives: the same
 * nodes, types, values, tags, anchors and source ranges, the same data, and the same first error. Checked with pieces
 * far smaller than the real ones (so every file is cut, at every place a cut may fall) on every fixture, the corpus,
 * a generated pipeline, and random files made to tempt a cut into the wrong place (block scalars, quoted and flow
 * values over several lines, comments, anchors across pieces, merge keys, documents). A longer run:
 * K2B_FUZZ_RUNS=50000 K2B_FUZZ_SEED=7 npx jest test/pipeline/chunked-parse.test.ts
 */
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type ParsedNode } from 'yaml';
import { parseDocuments, parsePieces, pieceStarts } from '../../src/pipeline/chunked-parse.js';
import { PARSE_OPTIONS } from '../../src/pipeline/source.js';
import { SHARED } from '../helpers.js';
import { FIXTURES, listFiles } from '../support/fixtures.js';

/** Everything of a node tree that the tool reads: kind, range, tag, anchor, scalar value and type, children. */
function shape(node: unknown): unknown {
  if (node === null || node === undefined) return null;
  if (isPair(node)) return { key: shape(node.key), value: shape(node.value) };
  const n = node as ParsedNode;
  const base = { range: n.range, tag: n.tag ?? null, anchor: n.anchor ?? null };
  if (isAlias(n)) return { ...base, alias: n.source };
  if (isScalar(n))
    return {
      ...base,
      type: n.type ?? null,
      value: typeof n.value === 'symbol' ? String(n.value) : n.value,
      source: n.source ?? null,
    };
  if (isMap(n) || isSeq(n))
    return { ...base, kind: isMap(n) ? 'map' : 'seq', flow: !!n.flow, items: n.items.map((i) => shape(i)) };
  return { other: String(n) };
}

function dataOf(d: Document.Parsed): string {
  try {
    return JSON.stringify(d.toJS({ maxAliasCount: -1 }));
  } catch (e) {
    return `toJS throws: ${(e as Error).message}`;
  }
}

function reading(docs: Document.Parsed[]) {
  return docs.map((d) => ({
    range: d.range,
    errors: d.errors.map((e) => [e.code, e.pos]),
    contents: shape(d.contents),
    data: d.errors.length ? null : dataOf(d),
  }));
}

function expectSameReading(text: string, pieceBytes: number) {
  const whole = parseAllDocuments(text, PARSE_OPTIONS);
  expect(reading(parseDocuments(text, PARSE_OPTIONS, pieceBytes))).toEqual(
    reading((Array.isArray(whole) ? whole : [whole]) as Document.Parsed[]),
  );
}

/** The generate.mjs shape of bench/: anchors merged by later pieces, Kaniko and test jobs. */
function generated(n: number): string {
  const parts = ['stages: [test, build]\n.defaults: &defaults\n  retry: 1\n  tags: [docker]\n'];
  for (let i = 0; i < n; i++)
    parts.push(
      i % 4 === 0
        ? `build-${i}:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n    - /kaniko/executor --destination "r/i:${i}"\n`
        : `# a test job\ntest-${i}:\n  <<: *defaults\n  script:\n    - npm test -- --shard=${i}\n`,
    );
  return parts.join('');
}

test('a generated pipeline is cut into many pieces and reads the same', () => {
  const text = generated(400);
  const starts = pieceStarts(text, 500)!;
  expect(starts.length).toBeGreaterThan(40);
  // every cut is before a column-0 key that follows an indented line
  for (const s of starts.slice(1)) {
    expect(text[s - 1]).toBe('\n');
    expect(text[s]).toMatch(/[A-Za-z0-9_.$"']/);
  }
  for (const size of [1, 97, 500, 4096]) expectSameReading(text, size);
});

test('every fixture file reads the same in pieces', () => {
  const files = readdirSync(FIXTURES).flatMap((c) =>
    listFiles(join(FIXTURES, c))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(FIXTURES, c, f)),
  );
  expect(files.length).toBeGreaterThan(60);
  let cut = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if ((pieceStarts(text, 1)?.length ?? 0) > 1) cut++;
    for (const size of [1, 64]) expectSameReading(text, size);
  }
  expect(cut).toBeGreaterThan(30);
});

const CORPUS = join(SHARED, 'corpus', 'real-world');
(existsSync(CORPUS) ? test : test.skip)('every corpus file reads the same in pieces', () => {
  for (const f of readdirSync(CORPUS).filter((x) => x.endsWith('.yml'))) {
    const text = readFileSync(join(CORPUS, f), 'utf8');
    for (const size of [1, 200]) expectSameReading(text, size);
  }
});
if (!existsSync(CORPUS))
  console.warn(`SKIPPED: the real-world corpus is not at ${CORPUS}; its chunked-parse test did not run.`);

test('texts that tempt a wrong cut read the same (random, fixed seed)', () => {
  const key = fc.constantFrom('a', 'b', '.t', 'job-1', '"q k"', "'s k'", '$x', '_y', '9');
  // mostly lines a pipeline has, sometimes one that leaves a quote, a flow collection or a block scalar open
  const plain = fc.constantFrom(
    '  script: [x, y]',
    '  script:',
    '    - echo "$X"',
    '  v: |',
    '    literal',
    '  <<: *d',
    '  n: &d {r: 1}',
    '  al: *d',
    '# comment',
    '',
    '  # indented comment',
    '  tab:\tvalue',
    '  c: 1 # inline',
    'top: 1 # inline',
  );
  const tempting = fc.constantFrom(
    '  v: >-',
    'col0: inside',
    '  q: "open',
    'closed"',
    "  s: 'it''s",
    "x'",
    '  f: [1,',
    '2]',
    '  m: {a: 1,',
    'b: 2}',
    '  - item',
    '- top',
    '? explicit',
    ': value',
    '---',
    '...',
    '  bad: [',
    'plain',
    '  : odd',
  );
  const line = fc.oneof({ arbitrary: plain, weight: 12 }, { arbitrary: tempting, weight: 1 });
  const entry = fc.tuple(key, fc.array(line, { maxLength: 6 })).map(([k, ls]) => [`${k}:`, ...ls].join('\n'));
  let pieced = 0;
  fc.assert(
    fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 120 }), (entries, size) => {
      const text = `${entries.join('\n')}\n`;
      expectSameReading(text, size);
      if (parsePieces(text, PARSE_OPTIONS, size)) pieced++;
    }),
    { seed: Number(process.env.K2B_FUZZ_SEED ?? 16), numRuns: Number(process.env.K2B_FUZZ_RUNS ?? 2000) },
  );
  // the cases that really went through pieces, not only through the whole-text fallback
  expect(pieced).toBeGreaterThan(Number(process.env.K2B_FUZZ_RUNS ?? 2000) / 50);
});

test('a short file and a file with several documents are parsed whole', () => {
  expect(pieceStarts('a: 1\nb: 2\n')).toEqual([0]);
  expect(pieceStarts('spec:\n  inputs: {}\n---\na:\n  script: [x]\n', 1)).toBeUndefined();
});
