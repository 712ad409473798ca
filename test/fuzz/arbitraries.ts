/**
 * fast-check generators for the fuzz tests: whole pipelines (jobs, hidden templates, anchors, aliases, merge keys,
 * `extends`, `!reference`, `default:`, comments, every scalar style, CRLF) with and without Kaniko jobs whose calls
 * take random subsets of the flag table, in random spellings. Every generated text is valid YAML by construction.
 */
import fc from 'fast-check';
import { FLAGS } from '../../src/kaniko/flags.js';

/** Runs and seed: small and fixed in the normal suite; `npm run fuzz` (or FUZZ_RUNS / FUZZ_SEED) for more. */
export function fuzzSettings(
  defaultRuns: number,
  fuzzRuns: number,
): { numRuns: number; seed: number; endOnFailure: boolean } {
  const big = process.env.npm_lifecycle_event === 'fuzz';
  const numRuns = Number(process.env.FUZZ_RUNS ?? (big ? fuzzRuns : defaultRuns));
  const seed = Number(process.env.FUZZ_SEED ?? (big ? Date.now() % 2 ** 31 : 20261127));
  if (big || process.env.FUZZ_SEED)
    console.log(`fuzz: ${numRuns} runs, seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);
  // the large run shrinks a failure to a small counterexample; the suite stops at the first one
  return { numRuns, seed, endOnFailure: !big };
}

export type Style =
  'plain' | 'plain-multiline' | 'literal' | 'literal-strip' | 'folded' | 'folded-strip' | 'double' | 'single';
export const STYLES: Style[] = [
  'plain',
  'plain-multiline',
  'literal',
  'literal-strip',
  'folded',
  'folded-strip',
  'double',
  'single',
];

/** Values that are safe in every style (no `: `, no ` #`, no leading indicator). */
const VALUES = [
  '.',
  'app',
  '"$CI_PROJECT_DIR"',
  '${CI_PROJECT_DIR}/sub',
  '$CI_REGISTRY_IMAGE:latest',
  'registry.example.com/team/app:1.0',
  'A=1',
  'KEY=two',
  'Dockerfile',
  'app/Dockerfile',
  '/tmp/out.tar',
  '${TAG:-dev}',
  'linux/amd64',
  'x',
  '3',
  'true',
  '"$CI_REGISTRY_IMAGE/cache"',
];

/** One flag of the table: a spelling, and a value as its kind wants (attached with `=` or as the next word). */
const flagWords: fc.Arbitrary<string[]> = fc
  .subarray([...FLAGS.keys()], { maxLength: 6 })
  .chain((indices) =>
    fc.tuple(
      ...indices.map((i) => {
        const flag = FLAGS[i]!;
        return fc
          .tuple(fc.constantFrom(...flag.spellings), fc.constantFrom(...VALUES), fc.boolean(), fc.boolean())
          .map(([spelling, value, attached, twice]) => {
            const long = spelling.startsWith('--');
            if (flag.kind === 'bool')
              return attached ? [`${spelling}=${value === 'true' ? 'true' : 'false'}`] : [spelling];
            const one = long && attached ? [`${spelling}=${value}`] : [spelling, value];
            return flag.kind === 'list' && twice ? [...one, ...one] : one;
          });
      }),
    ),
  )
  .map((groups) => groups.flat());

/** A Kaniko call: usually a context and a destination, then random flags. */
export const kanikoCall: fc.Arbitrary<string[]> = fc
  .tuple(fc.boolean(), fc.boolean(), flagWords)
  .map(([context, destination, rest]) => [
    '/kaniko/executor',
    ...(context ? ['--context', '"$CI_PROJECT_DIR"'] : []),
    ...(destination ? ['--destination', '"$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA"'] : []),
    ...rest,
  ]);

const plainCommand = fc.constantFrom<string[]>(
  ['echo', 'hello'],
  ['npm', 'test', '--', '--shard=1'],
  ['make', 'build'],
  ['echo', '"$CI_COMMIT_SHA"'],
  ['apk', 'add', '--no-cache', 'curl'],
  ['docker', 'info'],
);

const PLAIN_BAD = /: | #|^[-?:,[\]{}#&*!|>'"%@`]|[:\s]$/;

/** A script item (at `indent`, the dash's column) holding `words`, in `style`. */
export function scriptItem(words: string[], style: Style, indent: string): string {
  const line = words.join(' ');
  const body = `${indent}  `;
  if ((style === 'plain' || style === 'plain-multiline') && PLAIN_BAD.test(line)) style = 'double';
  switch (style) {
    case 'plain':
      return `${indent}- ${line}`;
    case 'plain-multiline': {
      // continuation lines: a flag with its value, so no line starts with a quote or an indicator
      const lines: string[] = [words[0]!];
      for (const w of words.slice(1)) {
        if (w.startsWith('-')) lines.push(w);
        else lines[lines.length - 1] += ` ${w}`;
      }
      return [`${indent}- ${lines[0]}`, ...lines.slice(1).map((l) => `${body}${l}`)].join('\n');
    }
    case 'literal':
    case 'literal-strip': {
      // backslash continuations, the way such calls are written
      const more = words.slice(1).map((w, i) => `${body}  ${w}${i < words.length - 2 ? ' \\' : ''}`);
      return [
        `${indent}- ${style === 'literal' ? '|' : '|-'}`,
        `${body}echo start`,
        `${body}${words[0]}${more.length ? ' \\' : ''}`,
        ...more,
      ].join('\n');
    }
    case 'folded':
    case 'folded-strip':
      // every line at one indentation: more-indented lines would keep their line breaks
      return [`${indent}- ${style === 'folded' ? '>' : '>-'}`, ...words.map((w) => `${body}${w}`)].join('\n');
    case 'double':
      return `${indent}- "${line.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'single':
      return `${indent}- '${line.replace(/'/g, "''")}'`;
  }
}

const style = fc.constantFrom(...STYLES);
const comment = fc.constantFrom('', '', '', '# a comment\n', '  # indented comment\n', '#\n');
const trailing = fc.constantFrom('', '', ' # note');

const KANIKO_IMAGES = [
  'gcr.io/kaniko-project/executor:debug',
  'gcr.io/kaniko-project/executor:v1.23.2-debug',
  'martizih/kaniko:debug',
];
const OTHER_IMAGES = ['alpine:3.20', 'node:20-alpine', 'docker:27'];

interface JobSpec {
  name: string;
  kaniko: boolean;
  image: 'none' | 'string' | 'map';
  imageName: string;
  before: { words: string[]; style: Style }[];
  script: { words: string[]; style: Style }[];
  variables: boolean;
  merge: boolean;
  extend: boolean;
  reference: boolean;
  comment: string;
  trailing: string;
}

const jobSpec = (name: string, template: boolean): fc.Arbitrary<JobSpec> =>
  fc
    .record({
      kaniko: fc.boolean(),
      image: fc.constantFrom<JobSpec['image']>('none', 'string', 'map', 'map'),
      kanikoImage: fc.constantFrom(...KANIKO_IMAGES),
      otherImage: fc.constantFrom(...OTHER_IMAGES),
      before: fc.array(fc.record({ words: plainCommand, style }), { maxLength: 2 }),
      plainScript: fc.array(fc.record({ words: plainCommand, style }), { minLength: 1, maxLength: 3 }),
      call: kanikoCall,
      callStyle: style,
      callAt: fc.nat(3),
      variables: fc.boolean(),
      merge: fc.boolean(),
      extend: fc.boolean(),
      reference: fc.boolean(),
      comment,
      trailing,
    })
    .map((r) => {
      const script = [...r.plainScript];
      if (r.kaniko) script.splice(Math.min(r.callAt, script.length), 0, { words: r.call, style: r.callStyle });
      return {
        name,
        kaniko: r.kaniko,
        image: r.kaniko && r.image === 'none' && !template ? 'map' : r.image,
        imageName: r.kaniko ? r.kanikoImage : r.otherImage,
        before: r.before,
        script,
        variables: r.variables,
        merge: r.merge && !template,
        extend: r.extend && !template,
        reference: r.reference && !template,
        comment: r.comment,
        trailing: r.trailing,
      };
    });

export interface GeneratedPipeline {
  text: string;
  /** Names of the jobs that hold an executor call (in their own script). */
  kanikoJobs: string[];
  crlf: boolean;
}

/** A whole pipeline: globals, hidden templates (anchored), jobs that merge, extend and reference them. */
export const pipeline: fc.Arbitrary<GeneratedPipeline> = fc
  .record({
    globals: fc.record({
      variables: fc.boolean(),
      stages: fc.boolean(),
      defaultBefore: fc.boolean(),
      workflow: fc.boolean(),
    }),
    templates: fc
      .array(fc.constant(0), { maxLength: 2 })
      .chain((ts) => fc.tuple(...ts.map((_, i) => jobSpec(`.tpl-${i}`, true)))),
    jobs: fc
      .array(fc.constant(0), { minLength: 1, maxLength: 6 })
      .chain((js) => fc.tuple(...js.map((_, i) => jobSpec(`job-${i}`, false)))),
    withKaniko: fc.boolean(),
    crlf: fc.boolean(),
    header: comment,
  })
  .map(({ globals, templates, jobs, withKaniko, crlf, header }) => {
    const out: string[] = [];
    if (header) out.push(header.trimEnd());
    if (globals.stages) out.push('stages: [test, build]');
    if (globals.variables) out.push('variables:', '  GLOBAL: "1"', '  DOCKER_HOST: tcp://docker:2375');
    if (globals.workflow) out.push('workflow:', '  rules:', '    - if: $CI_COMMIT_BRANCH');
    if (globals.defaultBefore) out.push('default:', '  before_script:', '    - echo default');
    const all = [...templates, ...jobs].map((j) =>
      withKaniko
        ? j
        : {
            ...j,
            kaniko: false,
            imageName: OTHER_IMAGES[0]!,
            script: j.script.filter((s) => !s.words[0]!.startsWith('/kaniko')),
          },
    );
    const names = templates.map((t) => t.name);
    all.forEach((job, index) => {
      const lines: string[] = [];
      if (job.comment) lines.push(job.comment.trimEnd());
      const isTemplate = job.name.startsWith('.');
      const anchor = isTemplate ? ` &a${index}` : '';
      lines.push(`${job.name}:${anchor}`);
      if (job.merge && names.length) lines.push(`  <<: *a${index % names.length}`);
      if (job.extend && names.length) lines.push(`  extends: ${names[(index + 1) % names.length]}`);
      lines.push(`  stage: ${job.kaniko ? 'build' : 'test'}${job.trailing}`);
      if (job.image === 'string') lines.push(`  image: ${job.imageName}`);
      if (job.image === 'map')
        lines.push('  image:', `    name: ${job.imageName}`, ...(job.kaniko ? ['    entrypoint: [""]'] : []));
      if (job.variables) lines.push('  variables:', `    JOB_VAR: "${index}"`);
      if (job.before.length)
        lines.push('  before_script:', ...job.before.map((s) => scriptItem(s.words, s.style, '    ')));
      const script = job.script.length ? job.script : [{ words: ['echo', 'empty'], style: 'plain' as Style }];
      lines.push('  script:', ...script.map((s) => scriptItem(s.words, s.style, '    ')));
      if (job.reference && names.length) lines.push(`    - !reference [${names[index % names.length]}, script]`);
      out.push(lines.join('\n'));
    });
    let text = `${out.join('\n')}\n`;
    if (crlf) text = text.replace(/\n/g, '\r\n');
    return { text, kanikoJobs: all.filter((j) => j.kaniko).map((j) => j.name), crlf };
  });

/** Byte-level mutations: flips, insertions of YAML-significant or invalid bytes, deletions, duplications. */
const TOKENS = [
  '&a ',
  '*a',
  '<<: *a',
  '[',
  ']',
  '{',
  '}',
  '\t',
  '\r',
  '\0',
  '\xff',
  '- ',
  ': ',
  '"',
  "'",
  '|',
  '>-',
  '!reference [',
  '#',
  '---\n',
  '...\n',
  '? ',
  '%YAML 1.2\n',
  '\ufeff',
  '\u2028',
  '  ',
  '\n',
];

export type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; to: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.constantFrom(...TOKENS).map((t) => [...Buffer.from(t, 'latin1')]),
      fc.constantFrom(...TOKENS).map((t) => [...Buffer.from(t, 'utf8')]),
      fc.array(fc.nat(255), { minLength: 1, maxLength: 4 }),
    ),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
    to: fc.nat(),
  }),
);

export function mutate(bytes: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  for (const m of mutations) {
    const at = b.length ? m.at % (b.length + 1) : 0;
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at % b.length] = m.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'duplicate': {
        const piece = b.subarray(at, at + m.length);
        const to = b.length ? m.to % (b.length + 1) : 0;
        b = Buffer.concat([b.subarray(0, to), piece, b.subarray(to)]);
        break;
      }
    }
  }
  return b;
}
