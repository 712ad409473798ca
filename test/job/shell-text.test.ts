/**
 * Shell text around the executor call that no longer needs a person (issue 13, "giving up too early"), and what a
 * job left for a person reports: src/job/recipe.ts (isStandalone, leftUnchanged), src/job/arg-variables.ts (flags
 * printed to the log), src/job/kaniko-paths.ts (log lines naming the executor, scratch files under /kaniko, paths
 * uid 1000 cannot write) and src/job/image.ts (a Kaniko image pinned through a variable).
 */
import { parse } from 'yaml';
import { migrateText } from '../../src/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitlabEnv, runJobScript, STUB_DIGEST } from '../support/stub-run.js';

const IMAGE = 'image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]';
const CALL = '/kaniko/executor --context . --dockerfile Dockerfile --destination registry.example.com/g/app:1';

function job(script: string[], extra = ''): string {
  return `build:\n  ${IMAGE}\n${extra}  script:\n${script.map((l) => `    - ${l}\n`).join('')}`;
}

async function migrate(text: string) {
  const r = await migrateText(text);
  return r.files[0]!;
}

const codes = (f: { findings: { code: string }[] }) => f.findings.map((x) => x.code);

/** The migrated `build` job's script run in sh with a stub buildctl: its calls and stdout. */
async function run(output: string, env: Record<string, string> = {}) {
  const doc = parse(output) as { build: { script: string[] } };
  const r = await runJobScript(doc.build.script, { env: gitlabEnv(env), image: 'buildkit', keep: true });
  const read = (f: string) => {
    try {
      return readFileSync(join(r.cwd, f), 'utf8');
    } catch {
      return undefined;
    }
  };
  try {
    return {
      digest: read('digest.txt'),
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      calls: r.calls.filter((c) => c.tool === 'buildctl'),
    };
  } finally {
    r.cleanup();
  }
}

describe('a job left for a person', () => {
  test('reports no rewrite as made: the manual findings stay, KB217 says nothing changed and names the rest', async () => {
    const file = await migrate(job([`${CALL} --cache-copy-layers --dockerfile https://example.com/Dockerfile`]));
    expect(file.changed).toBe(false);
    expect(codes(file)).not.toContain('KB302');
    expect(codes(file)).not.toContain('KB402');
    const kb217 = file.findings.filter((f) => f.code === 'KB217');
    expect(kb217).toHaveLength(1);
    expect(kb217[0]!.severity).toBe('info');
    expect(kb217[0]!.message).toContain('nothing in this job was changed');
    expect(kb217[0]!.message).toContain('KB302');
    expect(file.findings.filter((f) => f.code !== 'KB217').every((f) => f.severity === 'manual')).toBe(true);
  });

  test('a migrated job has no KB217', async () => {
    const file = await migrate(job([`${CALL} --cache-copy-layers`]));
    expect(file.changed).toBe(true);
    expect(codes(file)).toContain('KB302');
    expect(codes(file)).not.toContain('KB217');
  });
});

describe('an && list of assignments before the call (KB318 no longer)', () => {
  test('`export ARCH && \\` then the call with a digest file migrates; the steps follow the call', async () => {
    const file = await migrate(
      job(['ARCH=amd64', `|\n      export ARCH && \\\n      ${CALL}-$ARCH --digest-file digest.txt`]),
    );
    expect(codes(file)).not.toContain('KB318');
    expect(file.changed).toBe(true);
    const r = await run(file.output);
    expect(r.exitCode).toBe(0);
    expect(r.calls).toHaveLength(1);
    expect(r.digest).toBe(STUB_DIGEST);
    expect(r.calls[0]!.argv).toEqual(
      expect.arrayContaining(['type=image,name=registry.example.com/g/app:1-amd64,push=true']),
    );
  });

  test.each([
    ['a command that can fail', 'test -f x && \\\n      '],
    ['an assignment from a command substitution', 'A=$(cat x) && '],
    ['an || list', 'A=1 || '],
    ['a pipeline after the list', 'A=1 && '],
  ])('stays for a person after %s', async (_what, before) => {
    const tail = _what === 'a pipeline after the list' ? ' | tee log' : '';
    const file = await migrate(job([`|\n      ${before}${CALL} --digest-file digest.txt${tail}`]));
    expect(codes(file)).toContain('KB318');
    expect(file.changed).toBe(false);
  });
});

describe('flags variables printed to the log', () => {
  test('echo … >&2 is a log line: the args variable is still rewritten (KB213)', async () => {
    const file = await migrate(job(['ARGS="--build-arg A=1"', "'echo Args: $ARGS >&2'", `${CALL} $ARGS`]));
    expect(codes(file)).not.toContain('KB204');
    expect(codes(file)).toContain('KB213');
    const r = await run(file.output);
    expect(r.calls[0]!.argv).toEqual(expect.arrayContaining(['--opt', 'build-arg:A=1']));
  });

  test('echo … > file is not a log line (KB204)', async () => {
    const file = await migrate(job(['ARGS="--build-arg A=1"', "'echo $ARGS > args.txt'", `${CALL} $ARGS`]));
    expect(codes(file)).toContain('KB204');
  });
});
