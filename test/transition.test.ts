/**
 * Transition mode (src/project/transition.ts): on every fixture, a transition then a cut-over gives the direct
 * migration byte for byte, a second transition changes nothing, a plain migrate of a file in transition is its
 * cut-over, and a transition only inserts text (the Kaniko jobs stay byte-identical); then the shapes that get no
 * twin (KB221), names taken, line endings, an included file, blocks whose job is gone (KB223), the compare job's
 * shell under dash and busybox, and the CLI flags.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateProject, migrateText, MemorySource, migrateSource } from '../src/index.js';
import { isDocument, isMap, type YAMLMap } from 'yaml';
import { parseSource } from '../src/pipeline/source.js';
import { transitionView } from '../src/project/transition.js';
import { withTag } from '../src/kaniko/refs.js';
import { displayText } from '../src/shell/quote.js';
import { Pipeline } from '../src/pipeline/jobs.js';
import { parseScript } from '../src/shell/parse.js';
import { FIXTURES, fixtureCases, fixtureOptions, topLevelData } from './support/fixtures.js';
import { findBusybox } from './support/stub-run.js';
import { KANIKO_JOB, runCli, tempRepo } from './helpers.js';

type Result = Awaited<ReturnType<typeof migrateProject>>;

/** The repository `root` with a result's outputs written over it, in a temporary copy. */
function withOutputs(root: string, result: Result): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-transition-'));
  fs.cpSync(root, tmp, { recursive: true });
  for (const f of result.files) fs.writeFileSync(path.join(tmp, f.path), f.output, 'utf8');
  return tmp;
}

const outputs = (r: Result) => new Map(r.files.map((f) => [f.path, f.output]));

describe('transition then cut-over is the direct migration, on every fixture', () => {
  // the cases that pick a mode start from a file already in transition, or are the transition case itself
  const cases = fixtureCases().filter((c) => !fixtureOptions(c).mode);
  const twinned: string[] = [];

  test.each(cases)(
    '%s',
    async (name) => {
      const input = path.join(FIXTURES, name, 'input');
      const direct = await migrateProject({ root: input });
      const transition = await migrateProject({ root: input, mode: 'transition' });
      // a transition only inserts (the twins and compare jobs): every key there was keeps its data, Kaniko jobs too
      for (const f of transition.files) {
        for (const e of f.edits) expect({ file: f.path, end: e.end }).toEqual({ file: f.path, end: e.start });
        const after = topLevelData(f.output);
        for (const [key, value] of topLevelData(f.original))
          expect({ key, value: after.get(key) }).toEqual({ key, value });
      }
      const added = transition.jobs.filter((j) => j.transition?.state === 'added');
      if (added.length) twinned.push(name);
      for (const j of added) expect(j.status).toBe('transition');
      const migrated = direct.jobs.filter((j) => j.status === 'migrated').map((j) => j.name);
      // every job that migrates directly either runs in transition or says why not
      for (const n of migrated) {
        const j = transition.jobs.find((x) => x.name === n)!;
        const said = transition.files.flatMap((f) => f.findings).some((f) => f.code === 'KB221' && f.job === n);
        expect({ n, status: j.status, said }).toEqual({ n, status: said ? 'unchanged' : 'transition', said });
      }
      const tmp = withOutputs(input, transition);
      try {
        const again = await migrateProject({ root: tmp, mode: 'transition' });
        expect(again.files.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
        for (const j of added) expect(again.jobs.find((x) => x.name === j.name)?.transition?.state).toBe('running');
        const want = outputs(direct);
        for (const mode of ['cut-over', 'direct'] as const) {
          const cut = await migrateProject({ root: tmp, mode });
          for (const f of cut.files)
            expect({ path: f.path, output: f.output }).toEqual({
              path: f.path,
              output: want.get(f.path) ?? f.original,
            });
          const removed = cut.jobs.filter((j) => j.transition?.state === 'cut-over').map((j) => j.name);
          expect(removed.sort()).toEqual(added.map((j) => j.name).sort());
        }
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
    60000,
  );

  afterAll(() => {
    // most fixtures have a job that gets a twin: a transition that silently made none would pass the cases above
    expect(twinned.length).toBeGreaterThan(30);
  });
});

test("the cut-over fixture starts from the transition fixture's result (only its first comment line differs)", () => {
  const body = (c: string, dir: string) =>
    fs.readFileSync(path.join(FIXTURES, c, dir, '.gitlab-ci.yml'), 'utf8').replace(/^.*\n/, '');
  expect(body('cut-over', 'input')).toBe(body('transition', 'expected'));
});

const job = (name: string, body = '') => `${name}:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
${body}  script:
    - /kaniko/executor --context . --dockerfile Dockerfile --destination registry.example.com/app:1
`;

async function transitionOf(text: string) {
  const r = await migrateText(text, { mode: 'transition' });
  return { ...r, output: r.files[0]!.output, findings: r.files[0]!.findings };
}

describe('which jobs get a twin', () => {
  // a job not all in its own block: the twin `extends` it and sets what the migration changes in its effective view
  test.each([
    ['extends', `.t:\n  stage: build\n${job('build', '  extends: .t\n')}`],
    ['an anchor', job('build', '  variables: &v\n    A: b\n')],
    ['an alias', `.s: &s\n  - echo hi\n${job('build', '  before_script: *s\n')}`],
    ['a merge key', `.v: &v\n  tags: [x]\n${job('build', '  <<: *v\n')}`],
    [
      'default: image',
      `default:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\nbuild:\n  script:\n    - /kaniko/executor --context . --destination registry.example.com/app:1\n`,
    ],
    [
      '!reference',
      `.k:\n  script:\n    - /kaniko/executor --context . --destination registry.example.com/app:1\nbuild:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n    - echo hi\n    - !reference [.k, script]\n`,
    ],
  ])('with %s: a twin that extends the job', async (_, text) => {
    const r = await transitionOf(text);
    expect(r.findings.filter((x) => x.code === 'KB221')).toEqual([]);
    expect(r.jobs.find((j) => j.name === 'build')?.transition?.state).toBe('added');
    // only inserted, after the job
    expect(r.output.startsWith(text.trimEnd())).toBe(true);
    expect(r.output).toContain('\nbuild-buildkit:\n  extends: build\n');
    const now = new Pipeline([parseSource('.gitlab-ci.yml', r.output)]);
    const runs = (name: string) => [
      ...now.scriptItems(name, 'before_script').map((i) => String(i.node.value)),
      ...now.scriptItems(name, 'script').map((i) => String(i.node.value)),
    ];
    expect(String((now.effective('build-buildkit', 'image')!.node as YAMLMap).get('name'))).toMatch(/^moby\/buildkit:/);
    expect(runs('build-buildkit').join('\n')).not.toContain('/kaniko/executor');
    expect(runs('build-buildkit').find((l) => l.startsWith('buildctl-daemonless.sh'))).toContain(
      'name=registry.example.com/app:kaniko2buildkit-$CI_COMMIT_SHORT_SHA,push=true',
    );
    expect(String(now.variables('build-buildkit').get('BUILDKITD_FLAGS')?.node)).toBe(
      '--oci-worker-no-process-sandbox',
    );
    // the Kaniko job still builds with Kaniko
    expect(runs('build').join('\n')).toContain('/kaniko/executor');
    expect(now.variables('build').has('BUILDKITD_FLAGS')).toBe(false);
  });

  test.each([
    ['--no-push', job('build').replace('--destination registry.example.com/app:1', '--no-push'), /pushes no image/],
    [
      'a destination in one variable',
      job('build').replace('registry.example.com/app:1', '"$IMAGE"'),
      /verification tag cannot be put on \$IMAGE/,
    ],
    ['two calls', job('build').replace(/( {4}- \/kaniko.*\n)/, '$1$1'), /2 executor calls/],
  ])('not with %s (KB221, the job unchanged)', async (_, text, why) => {
    const r = await transitionOf(text);
    const f = r.findings.filter((x) => x.code === 'KB221');
    expect(f.map((x) => x.job)).toEqual(['build']);
    expect(f[0]!.message).toMatch(why);
    expect(f[0]!.severity).toBe('warning');
    expect(r.output).toBe(text);
    expect(r.jobs.find((j) => j.name === 'build')?.status).toBe('unchanged');
  });

  test('a twin pushes every repository at the verification tag, once each', async () => {
    const text = job('build').replace(
      '--destination registry.example.com/app:1',
      '--destination registry.example.com/app:1 --destination registry.example.com/app:latest --destination "$CI_REGISTRY_IMAGE" --destination localhost:5000/x',
    );
    const r = await transitionOf(text);
    const line = r.output.split('\n').find((l) => l.includes('buildctl-daemonless.sh'))!;
    const words = parseScript(line.replace(/^\s*- /, '')).commands[0]!.words.map((w) => w.raw);
    expect(words[words.indexOf('--output') + 1]).toBe(
      '"type=image,\\"name=registry.example.com/app:kaniko2buildkit-$CI_COMMIT_SHORT_SHA,$CI_REGISTRY_IMAGE:kaniko2buildkit-$CI_COMMIT_SHORT_SHA,localhost:5000/x:kaniko2buildkit-$CI_COMMIT_SHORT_SHA\\",push=true"',
    );
  });

  test('withTag: the repository kept, the tag replaced; undefined when the repository is not written out', () => {
    const tag = [{ kind: 'literal' as const, text: 'v', quote: 'none' as const }];
    const word = (s: string) => parseScript(s).commands[0]!.words[0]!.segments;
    const show = (s: string) => {
      const t = withTag(word(s), tag);
      return t && displayText(t);
    };
    expect(show('registry.example.com/app:1')).toBe('registry.example.com/app:v');
    expect(show('"${CI_REGISTRY_IMAGE}:${CI_COMMIT_TAG:-latest}"')).toBe('${CI_REGISTRY_IMAGE}:v');
    expect(show('localhost:5000/app')).toBe('localhost:5000/app:v');
    expect(show('$CI_REGISTRY_IMAGE')).toBe('$CI_REGISTRY_IMAGE:v');
    expect(show('$IMAGE')).toBeUndefined();
    expect(show('registry.example.com/app@sha256:abc')).toBeUndefined();
  });

  test('a name already taken gets a number', async () => {
    const text = `${job('build')}\nbuild-buildkit:\n  script: [echo]\nbuild-compare:\n  script: [echo]\n`;
    const r = await transitionOf(text);
    expect(r.jobs[0]!.transition).toEqual({ state: 'added', twin: 'build-buildkit-2', compare: 'build-compare-2' });
    expect(r.output).toContain('\nbuild-buildkit-2:\n');
    expect(r.output).toContain('needs: [build, build-buildkit-2]');
  });
});

describe('the text around the blocks', () => {
  test.each([
    ['CRLF line endings', job('build').replace(/\n/g, '\r\n')],
    ['no final newline', job('build').trimEnd()],
    [
      'a comment after the last item',
      `${job('build').trimEnd()}  # the build\n  # trailing\n\nnext:\n  script: [echo]\n`,
    ],
    ['a job after it', `${job('build')}\n${job('second')}`],
  ])('%s: transition, idempotent, cut-over equals the direct migration', async (_, text) => {
    const r = await transitionOf(text);
    expect(r.jobs.every((j) => j.status === 'transition')).toBe(true);
    if (text.includes('\r\n')) expect(r.output.replace(/\r\n/g, '')).not.toContain('\n');
    const again = await migrateText(r.output, { mode: 'transition' });
    expect(again.files[0]!.output).toBe(r.output);
    const cut = await migrateText(r.output, { mode: 'cut-over' });
    const direct = await migrateText(text);
    expect(cut.files[0]!.output).toBe(direct.files[0]!.output);
  });

  test('a job in an included file gets its twin in that file', async () => {
    const files = new Map([
      ['.gitlab-ci.yml', 'include:\n  - local: ci/build.yml\n\nunit:\n  script: [echo]\n'],
      ['ci/build.yml', job('build')],
      ['Dockerfile', 'FROM scratch\n'],
    ]);
    const r = await migrateSource(new MemorySource(files), { mode: 'transition' });
    const changed = r.files.filter((f) => f.changed).map((f) => f.path);
    expect(changed).toEqual(['ci/build.yml']);
    const out = r.files.find((f) => f.path === 'ci/build.yml')!.output;
    const cut = await migrateSource(new MemorySource(new Map([...files, ['ci/build.yml', out]])), { mode: 'cut-over' });
    const direct = await migrateSource(new MemorySource(files), {});
    expect(cut.files.map((f) => f.output)).toEqual(direct.files.map((f) => f.output));
  });

  test('planning sees a file in transition without the blocks, through a document yaml still takes for one', async () => {
    const r = await transitionOf(`${job('build')}\nafter:\n  script: [echo]\n`);
    const file = parseSource('.gitlab-ci.yml', r.output);
    const view = transitionView([file]);
    expect(view.blocks.map((b) => [b.kind, b.job, b.name])).toEqual([
      ['twin', 'build', 'build-buildkit'],
      ['compare', 'build', 'build-compare'],
    ]);
    const doc = view.files[0]!.docs[0]!;
    // the fuzz test found this: a copy made with Object.assign lost the yaml node-type symbol
    expect(isDocument(doc) && isMap(doc.contents)).toBe(true);
    expect(Object.keys(doc.toJS() as object)).toEqual(['build', 'after']);
    expect(file.docs[0]!.contents).not.toBe(doc.contents);
  });

  test('blocks whose Kaniko job is gone stay (KB223), and a plain migrate leaves them', async () => {
    const r = await transitionOf(job('build'));
    const gone = r.output.replace(job('build'), 'other:\n  script: [echo]\n');
    const cut = await migrateText(gone, { mode: 'cut-over' });
    expect(cut.files[0]!.output).toBe(gone);
    expect(cut.files[0]!.findings.map((f) => f.code)).toEqual(['KB223']);
  });
});

describe('the compare job', () => {
  const shells = [['sh', 'sh'], ...(findBusybox() ? [['busybox', findBusybox()!]] : [])];

  test.each(shells)("its script keeps compare's exit status and prints compare.md (%s)", async (_, shell) => {
    const r = await transitionOf(KANIKO_JOB);
    const item = /build-compare:[\s\S]*?script:\n\s+- '(.*)'\n/.exec(r.output)![1]!.replace(/''/g, "'");
    expect(item).toContain('npx --yes kaniko2buildkit@');
    expect(item).toContain(
      'compare registry.example.com/app:1 registry.example.com/app:kaniko2buildkit-$CI_COMMIT_SHORT_SHA --format markdown',
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-compare-'));
    try {
      // a stub npx: prints its arguments as the report and exits as STATUS says
      fs.writeFileSync(path.join(dir, 'npx'), '#!/bin/sh\necho "# report: $*"\nexit "${STATUS:-0}"\n', { mode: 0o755 });
      for (const status of ['0', '1', '2']) {
        const args = shell === 'sh' ? ['-ec', item] : ['sh', '-ec', item];
        const run = spawnSync(shell, args, {
          cwd: dir,
          encoding: 'utf8',
          env: { PATH: `${dir}:/usr/bin:/bin`, STATUS: status, CI_COMMIT_SHORT_SHA: 'abc' },
        });
        expect({ status: run.status }).toEqual({ status: Number(status) });
        expect(run.stdout).toContain('# report: --yes kaniko2buildkit@');
        expect(run.stdout).toContain('registry.example.com/app:kaniko2buildkit-abc --format markdown');
        expect(fs.readFileSync(path.join(dir, 'compare.md'), 'utf8')).toBe(run.stdout);
      }
      // in this tool's container image the command is on PATH: that one runs, not npx
      fs.writeFileSync(path.join(dir, 'kaniko2buildkit'), '#!/bin/sh\necho "# installed: $*"\nexit 1\n', {
        mode: 0o755,
      });
      const args = shell === 'sh' ? ['-ec', item] : ['sh', '-ec', item];
      const run = spawnSync(shell, args, { cwd: dir, encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^# installed: compare registry\.example\.com\/app:1 /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the CLI', () => {
  test('--transition and --cut-over exclude each other', async () => {
    const root = tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });
    const run = await runCli(['migrate', '--transition', '--cut-over', root]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--transition and --cut-over exclude each other/);
    const gitlab = await runCli(['gitlab', '--url', 'https://gitlab.example.com', '--transition', '--cut-over']);
    expect(gitlab.code).toBe(2);
  });

  test('migrate --transition writes the twins, --check after it passes, --cut-over migrates; the report says so', async () => {
    const root = tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });
    const json = await runCli(['migrate', '--transition', '--format', 'json', root]);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as {
      jobs: { status: string; transition?: object }[];
      summary: { transition: number };
    };
    expect(body.jobs).toEqual([
      expect.objectContaining({
        status: 'transition',
        transition: { state: 'added', twin: 'build-buildkit', compare: 'build-compare' },
      }),
    ]);
    expect(body.summary.transition).toBe(1);
    const text = fs.readFileSync(path.join(root, '.gitlab-ci.yml'), 'utf8');
    expect(text.startsWith(KANIKO_JOB)).toBe(true);
    const check = await runCli(['migrate', '--transition', '--check', '--no-color', root]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/build +in transition/);
    const dry = await runCli(['migrate', '--cut-over', '--dry-run', '--no-color', root]);
    expect(dry.stdout).toContain('KB222');
    const cut = await runCli(['migrate', '--cut-over', root]);
    expect(cut.code).toBe(0);
    const direct = await migrateText(KANIKO_JOB);
    expect(fs.readFileSync(path.join(root, '.gitlab-ci.yml'), 'utf8')).toBe(direct.files[0]!.output);
  });
});
