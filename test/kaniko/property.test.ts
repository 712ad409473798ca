/**
 * Property: for random executor calls (flags in random order and spellings, values quoted single/double/not at all,
 * values with spaces, `$VAR`, `${VAR:-x}`, `$(cmd)`) written in every YAML scalar style, the migrated call run by a real
 * `sh` with a stub buildctl describes the same build as the original run with a stub executor.
 * Fixed seed in the normal suite; FUZZ_RUNS raises the count.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { migrateProject } from '../../src/index.js';
import { describeBuildctl, describeKaniko, diffDescriptions } from '../support/build-description.js';
import { gitlabEnv, runJobScript } from '../support/stub-run.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

const project = mkdtempSync(join(tmpdir(), 'k2b-prop-'));
mkdirSync(join(project, 'app'), { recursive: true });
writeFileSync(join(project, 'Dockerfile'), 'FROM scratch\n');
writeFileSync(join(project, 'app', 'Dockerfile'), 'FROM scratch\n');
writeFileSync(join(project, 'app', 'web.dockerfile'), 'FROM scratch\n');
writeFileSync(join(project, 'web.dockerfile'), 'FROM scratch\n');

/** A shell word for a value, quoted one of several ways (all read back as the same value by sh). */
function quoted(value: string, how: 'none' | 'single' | 'double'): string {
  if (how === 'single') return `'${value.replace(/'/g, `'\\''`)}'`;
  if (how === 'double') return `"${value.replace(/(["\\`])/g, '\\$1')}"`;
  return value;
}

const quoting = fc.constantFrom<'none' | 'single' | 'double'>('none', 'single', 'double');
/** Dynamic parts keep their expansion: only double quotes or none. */
const dynQuoting = fc.constantFrom<'none' | 'double'>('none', 'double');

const spelled = (long: string, short: string | undefined, value: string) =>
  fc.constantFrom(...[`${long}=${value}`, `${long} ${value}`, ...(short ? [`${short} ${value}`] : [])]);

const flagArb: fc.Arbitrary<string[]> = fc
  .record({
    context: fc.constantFrom('.', '"$CI_PROJECT_DIR"', '${CI_PROJECT_DIR}', 'dir://$CI_PROJECT_DIR/app', 'app'),
    dockerfile: fc.option(
      fc.constantFrom('Dockerfile', 'app/Dockerfile', '"$CI_PROJECT_DIR/app/web.dockerfile"', 'web.dockerfile'),
      { nil: undefined },
    ),
    dests: fc.array(
      fc.tuple(
        fc.constantFrom('$CI_REGISTRY_IMAGE', '${CI_REGISTRY_IMAGE}/sub', 'registry.example.com/g/app'),
        fc.constantFrom('latest', '$CI_COMMIT_SHORT_SHA', '${TAG:-dev}', 'v1.2'),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    destQuote: dynQuoting,
    args: fc.array(
      fc.tuple(
        fc.constantFrom('A', 'B_2', 'HTTP_PROXY'),
        fc.constantFrom('1', 'two words', '$CI_COMMIT_SHA', '${X:-def}', '$(printf cmd)', 'a=b'),
        dynQuoting,
      ),
      { maxLength: 3 },
    ),
    bareArg: fc.boolean(),
    labels: fc.array(
      fc.tuple(fc.constantFrom('org.opencontainers.image.title', 'team'), fc.constantFrom('shop', 'A: b', 'x y')),
      { maxLength: 2 },
    ),
    labelQuote: quoting,
    target: fc.option(fc.constantFrom('final', 'build'), { nil: undefined }),
    cache: fc.constantFrom<'none' | 'on' | 'off' | 'repo'>('none', 'on', 'off', 'repo'),
    drops: fc.subarray([
      '--cleanup',
      '--snapshot-mode=redo',
      '--use-new-run',
      '--verbosity=info',
      '--cache-copy-layers',
    ]),
  })
  .chain((r) => {
    const parts: fc.Arbitrary<string>[] = [];
    parts.push(spelled('--context', '-c', r.context));
    if (r.dockerfile) parts.push(spelled('--dockerfile', '-f', r.dockerfile));
    for (const [repo, tag] of r.dests)
      parts.push(spelled('--destination', '-d', quoted(`${repo}:${tag}`, r.destQuote)));
    for (const [k, v, q] of r.args)
      parts.push(fc.constant(`--build-arg ${quoted(`${k}=${v}`, v.includes(' ') && q === 'none' ? 'double' : q)}`));
    if (r.bareArg) parts.push(fc.constant('--build-arg HTTP_PROXY'));
    for (const [k, v] of r.labels)
      parts.push(
        fc.constant(
          `--label ${quoted(`${k}=${v}`, v.includes(' ') && r.labelQuote === 'none' ? 'single' : r.labelQuote)}`,
        ),
      );
    if (r.target) parts.push(spelled('--target', undefined, r.target));
    if (r.cache === 'on') parts.push(fc.constantFrom('--cache', '--cache=true'));
    if (r.cache === 'off') parts.push(fc.constant('--cache=false'));
    if (r.cache === 'repo') parts.push(fc.constant('--cache=true --cache-repo=registry.example.com/g/cache'));
    for (const d of r.drops) parts.push(fc.constant(d));
    return fc
      .tuple(...parts)
      .chain((words) => fc.shuffledSubarray(words, { minLength: words.length, maxLength: words.length }));
  });

type Style = 'plain-line' | 'plain-multiline' | 'folded' | 'literal' | 'double' | 'single';
const styleArb = fc.constantFrom<Style>('plain-line', 'plain-multiline', 'folded', 'literal', 'double', 'single');

/** The script item holding the call, in a YAML style (falling back to double quotes where the style cannot hold it). */
function item(words: string[], style: Style): string {
  const line = ['/kaniko/executor', ...words].join(' ');
  const plainOk = !/: | #|^[-?:,[\]{}#&*!|>'"%@`]/.test(line);
  if ((style === 'plain-line' || style === 'plain-multiline') && !plainOk) style = 'double';
  switch (style) {
    case 'plain-line':
      return `    - ${line}`;
    case 'plain-multiline':
      return ['    - /kaniko/executor', ...words.map((w) => `      ${w}`)].join('\n');
    case 'folded':
      return ['    - >-', '      /kaniko/executor', ...words.map((w) => `      ${w}`)].join('\n');
    case 'literal':
      return [
        '    - |',
        '      echo start',
        '      /kaniko/executor \\',
        ...words.map((w, i) => `        ${w}${i < words.length - 1 ? ' \\' : ''}`),
        '      echo done',
      ].join('\n');
    case 'double':
      return `    - "${line.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'single':
      return `    - '${line.replace(/'/g, "''")}'`;
  }
}

function jobYaml(words: string[], style: Style): string {
  return [
    'build:',
    '  image:',
    '    name: gcr.io/kaniko-project/executor:debug',
    '    entrypoint: [""]',
    '  script:',
    item(words, style),
    '',
  ].join('\n');
}

function script(text: string): string[] {
  const job = (parse(text) as { build: { before_script?: string[]; script: string[] } }).build;
  return [...(job.before_script ?? []), ...job.script];
}

test('migrated calls build what the original calls built', async () => {
  await fc.assert(
    fc.asyncProperty(flagArb, styleArb, async (words, style) => {
      const input = jobYaml(words, style);
      // Migrated inside the repository, so relative Dockerfile paths resolve as Kaniko would.
      writeFileSync(join(project, '.gitlab-ci.yml'), input);
      const result = await migrateProject({ root: project });
      const file = result.files[0]!;
      const blocking = file.findings.filter((f) => f.severity === 'manual' || f.severity === 'error');
      expect(blocking).toEqual([]);
      expect(file.changed).toBe(true);
      const env = gitlabEnv({ TAG: 'rc1', HTTP_PROXY: 'http://proxy:3128' });
      const before = await runJobScript(script(input), { env, image: 'kaniko', projectDir: project, keep: true });
      const after = await runJobScript(script(file.output), {
        env,
        image: 'buildkit',
        projectDir: project,
        keep: true,
      });
      expect(before.exitCode).toBe(0);
      expect(after.stderr).toBe('');
      expect(after.exitCode).toBe(0);
      const k = before.calls.filter((c) => c.tool === 'kaniko');
      const b = after.calls.filter((c) => c.tool === 'buildctl');
      expect(b).toHaveLength(k.length);
      k.forEach((call, i) => {
        const d1 = describeKaniko(call.argv, { cwd: call.cwd, env: call.env, projectDir: before.cwd });
        const d2 = describeBuildctl(b[i]!.argv, { cwd: b[i]!.cwd, env: b[i]!.env, projectDir: after.cwd });
        expect({ input, output: file.output, diff: diffDescriptions(d1, d2) }).toEqual({
          input,
          output: file.output,
          diff: [],
        });
      });
      before.cleanup();
      after.cleanup();
    }),
    { numRuns: RUNS, seed: 20261127, endOnFailure: true },
  );
}, 600_000);
