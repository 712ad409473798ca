/**
 * Shapes from issue 18's adversarial trial (items 12 and 13) that ended in an internal error or in the self-check
 * refusing the tool's own edit: each now gets a clear error with its place, or migrates and reads back as planned.
 */
import { parse } from 'yaml';
import { migrateText } from '../../src/index.js';
import { runCli, tempRepo } from '../helpers.js';

/** The `build` job of the migrated text, after checking that it migrated without an error. */
async function migratedJob(text: string) {
  const r = await migrateText(text);
  const f = r.files[0]!;
  expect(f.findings.filter((x) => x.severity === 'error')).toEqual([]);
  expect(r.jobs[0]!.status).toBe('migrated');
  return parse(f.output).build;
}

test('a list, then a second document: an error at line 1, not an internal one', async () => {
  const r = await migrateText('- a\n---\n');
  expect(r.failed.map((f) => [f.error.code, f.error.line, f.error.column])).toEqual([['KB101', 1, 1]]);
  expect(r.failed[0]!.error.message).toMatch(/mapping of keys to jobs, not a list/);
});

test('an image with an empty name: and a plain-scalar script migrate (the name gets its space)', async () => {
  const text =
    'build:\n  image:\n    name:\n    entrypoint: [echo]\n  script: /kaniko/executor --destination r.example.com/a:1\n';
  const job = await migratedJob(text);
  expect(job.image).toEqual({ name: 'moby/buildkit:rootless', entrypoint: [''] });
  expect(job.script).toContain('--output type=image,name=r.example.com/a:1,push=true');
});

test('a call in a flow sequence: the rewritten item, which holds commas, is quoted and stays one item', async () => {
  const text =
    'build:\n  image: gcr.io/kaniko-project/executor:debug\n  script: [/kaniko/executor --destination r/i:0]\n';
  const script: string[] = (await migratedJob(text)).script;
  expect(script.at(-1)).toBe(
    'buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --output type=image,name=r/i:0,push=true',
  );
  expect(script).toHaveLength(4);
});

describe('variables: *v (an alias of a shared mapping)', () => {
  const kaniko = '  image: gcr.io/kaniko-project/executor:debug\n';
  const call = (tag: string) => `  script:\n    - /kaniko/executor --context . --destination r/i:${tag}\n`;

  test('shared with a job that is not migrated: the migrated job gets its own mapping merging it', async () => {
    const text = `.vars: &v {A: 1}\nbuild:\n${kaniko}  variables: *v\n${call('1')}test:\n  image: alpine\n  variables: *v\n  script:\n    - echo $A\n`;
    const r = await migrateText(text);
    const f = r.files[0]!;
    expect(f.findings.filter((x) => x.severity === 'error')).toEqual([]);
    expect(r.jobs.map((j) => [j.name, j.status])).toEqual([['build', 'migrated']]);
    expect(f.output).toContain('  variables: { <<: *v, BUILDKITD_FLAGS: --oci-worker-no-process-sandbox }\n');
    const data = parse(f.output, { merge: true });
    expect(data.build.variables).toEqual({ A: 1, BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' });
    expect(data.test.variables).toEqual({ A: 1 });
    expect(data['.vars']).toEqual({ A: 1 });
  });

  test('shared by migrated jobs only, the anchor a block mapping, through a template: each holder merges it', async () => {
    const text =
      `.vars: &v\n  A: 1\n.tpl:\n${kaniko}  variables: *v\n` +
      `build:\n  extends: .tpl\n${call('1')}build2:\n${kaniko}  variables: *v\n${call('2')}`;
    const r = await migrateText(text);
    const f = r.files[0]!;
    expect(f.findings.filter((x) => x.severity === 'error')).toEqual([]);
    expect(r.jobs.map((j) => [j.name, j.status])).toEqual([
      ['build', 'migrated'],
      ['build2', 'migrated'],
    ]);
    const data = parse(f.output, { merge: true });
    const flags = { A: 1, BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' };
    expect(data['.tpl'].variables).toEqual(flags);
    expect(data.build2.variables).toEqual(flags);
    expect(data['.vars']).toEqual({ A: 1 });
    // a second run changes nothing
    expect((await migrateText(f.output)).files[0]!.output).toBe(f.output);
  });
});

describe('shapes a file can drive past the stack', () => {
  const kaniko = 'build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n';

  test('a line of 3,000 nested `- - -`: KB109 with its place, not an internal error', async () => {
    const r = await migrateText(`${kaniko}    - ${'- '.repeat(3000)}x\n`);
    expect(r.failed.map((f) => [f.error.code, f.error.line])).toEqual([['KB109', 4]]);
    expect(r.failed[0]!.error.column).toBeGreaterThan(0);
    expect(r.failed[0]!.error.message).toMatch(/nesting too deep/);
  });

  test.each([
    ['--destination', (i: number) => `r/i:${i}`, 'name=r/i:0,r/i:1,'],
    ['--label', (i: number) => `l${i}=1`, '--opt label:l0=1 --opt label:l1=1 '],
    ['--secret', (i: number) => `id=s${i},src=/x`, '--secret id=s0,src=/x --secret id=s1,src=/x '],
    ['--registry-mirror', (i: number) => `m${i}.io`, 'm0.io'],
  ])(
    'a call with 150,000 %s flags migrates (no spread of them into one call)',
    async (flag, value, expected) => {
      const flags = Array.from({ length: 150_000 }, (_, i) => `${flag} ${value(i)}`).join(' ');
      const dest = flag === '--destination' ? '' : ' --destination r/x:1';
      const r = await migrateText(`${kaniko}    - /kaniko/executor --context .${dest} ${flags}\n`);
      expect(r.failed).toEqual([]);
      expect(r.files[0]!.findings.filter((x) => x.severity === 'error')).toEqual([]);
      expect(r.jobs[0]!.status).toBe('migrated');
      expect(r.files[0]!.output).toContain(expected);
    },
    60_000,
  );

  // a finding per flag: the flags a manual finding stands at were found by scanning every finding for every flag
  // (150,000: over 300 s), and the report's groups spread every finding of a file into one call (a stack overflow)
  test.each([
    ['--ignore-path', (i: number) => `/p${i}`],
    ['--git', (i: number) => `branch=b${i}`],
    ['--credential-helpers', (i: number) => `helper${i}`],
  ])(
    'a call with 150,000 %s flags is planned and reported, each flag with its finding',
    async (flag, value) => {
      const flags = Array.from({ length: 150_000 }, (_, i) => `${flag} ${value(i)}`).join(' ');
      const text = `${kaniko}    - /kaniko/executor --context . --destination r/x:1 ${flags}\n`;
      const r = await migrateText(text);
      expect(r.failed).toEqual([]);
      expect(r.jobs[0]!.flags.filter((f) => `--${f.flag}` === flag)).toHaveLength(150_000);
      const dir = tempRepo({ '.gitlab-ci.yml': text });
      const cli = await runCli(['migrate', '--check', dir]);
      expect(cli.stderr).not.toMatch(/Maximum call stack|internal error/);
      expect(cli.code).toBeLessThan(2);
    },
    120_000,
  );
});
