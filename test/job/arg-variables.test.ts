/**
 * Executor flags held in variables (src/job/arg-variables.ts): every flag the table lets a variable hold
 * (`inVariable`), set by the script or in `variables:`, is rewritten in place and the migrated job, run in `sh` with a
 * stub buildctl, passes the same build; every shape this tool cannot rewrite exactly stays untouched with a reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { migrateText } from '../../src/index.js';
import { FLAGS } from '../../src/kaniko/flags.js';
import { CALL, IMAGE, job, migrate } from './support.js';
import { gitlabEnv, runJobScript } from '../support/stub-run.js';

/** The buildctl argv of the migrated `build` job, run in sh with the stub (extra env per run). */
async function buildctlArgv(output: string, env: Record<string, string> = {}): Promise<string[]> {
  const doc = parse(output) as { build: { before_script?: string[]; script: string[] } };
  const run = await runJobScript([...(doc.build.before_script ?? []), ...doc.build.script], {
    env: gitlabEnv(env),
    image: 'buildkit',
    keep: true,
  });
  try {
    expect(run.stderr).toBe('');
    const calls = run.calls.filter((c) => c.tool === 'buildctl');
    expect(calls).toHaveLength(1);
    return calls[0]!.argv;
  } finally {
    run.cleanup();
  }
}

const outputOf = (argv: string[]) => argv[argv.indexOf('--output') + 1];

describe('each flag a variable may hold, set by the script', () => {
  const SAMPLES: Record<string, { value: string; expect: (argv: string[]) => void }> = {
    'build-arg': {
      value: '--build-arg A=1',
      expect: (a) => expect(a).toEqual(expect.arrayContaining(['--opt', 'build-arg:A=1'])),
    },
    label: { value: '--label k=v', expect: (a) => expect(a).toEqual(expect.arrayContaining(['--opt', 'label:k=v'])) },
    target: {
      value: '--target final',
      expect: (a) => expect(a).toEqual(expect.arrayContaining(['--opt', 'target=final'])),
    },
    'custom-platform': {
      value: '--custom-platform=linux/arm64',
      expect: (a) => expect(a).toEqual(expect.arrayContaining(['--opt', 'platform=linux/arm64'])),
    },
    secret: {
      value: '--secret id=t,env=T',
      expect: (a) => expect(a).toEqual(expect.arrayContaining(['--secret', 'id=t,env=T'])),
    },
    'no-push': {
      value: '--no-push',
      expect: (a) => expect(outputOf(a)).toBe('type=image,name=registry.example.com/g/app:1,push=false'),
    },
    destination: {
      value: '--destination=registry.example.com/g/app:edge',
      expect: (a) =>
        expect(outputOf(a)).toBe(
          'type=image,"name=registry.example.com/g/app:1,registry.example.com/g/app:edge",push=true',
        ),
    },
  };
  const roles = FLAGS.filter((f) => f.inVariable);

  test('every flag with a variable role has a sample here', () => {
    expect(roles.map((f) => f.name).sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  test.each(roles.map((f) => [f.name, f.inVariable!] as const))('%s (%s)', async (name) => {
    const sample = SAMPLES[name]!;
    const file = await migrate(job([`if [ "$ON" = yes ]; then V="${sample.value}"; fi`, `${CALL} $V`]));
    expect(file.findings.filter((f) => f.severity === 'manual')).toEqual([]);
    expect(file.findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'KB213' })]));
    sample.expect(await buildctlArgv(file.output, { ON: 'yes' }));
    // Not set: the call is the plain one.
    const plain = await buildctlArgv(file.output, { ON: 'no' });
    expect(outputOf(plain)!.replace(/"/g, '')).toBe('type=image,name=registry.example.com/g/app:1,push=true'); // `"name=…"` for a list
    expect(plain.filter((a) => a === '--opt' || a === '--secret')).toEqual([]);
  });
});

describe('shapes that are rewritten', () => {
  test('an append list keeps its conditions and order; an empty list adds nothing', async () => {
    const file = await migrate(
      job([
        '|\n      D="--destination=registry.example.com/g/app:a"\n      [ "$TAG" ] && D="$D --destination registry.example.com/g/app:$TAG"\n      D="${D} -d registry.example.com/g/app:z"',
        '/kaniko/executor --context . --dockerfile Dockerfile ${D}',
      ]),
    );
    expect(file.output).toContain('D="${D:+$D,}registry.example.com/g/app:$TAG"');
    expect(outputOf(await buildctlArgv(file.output, { TAG: 'v1' }))).toBe(
      'type=image,"name=registry.example.com/g/app:a,registry.example.com/g/app:v1,registry.example.com/g/app:z",push=true',
    );
    expect(outputOf(await buildctlArgv(file.output))).toBe(
      'type=image,"name=registry.example.com/g/app:a,registry.example.com/g/app:z",push=true',
    );
  });

  test('a list that starts empty (27\'s `X=""` then appends with no blank)', async () => {
    const file = await migrate(
      job([
        '|\n      X=""\n      for T in a b; do\n        X="$X--destination registry.example.com/g/app:$T "\n      done',
        '/kaniko/executor --context . --dockerfile Dockerfile ${X}',
      ]),
    );
    expect(file.findings.filter((f) => f.severity === 'manual')).toEqual([]);
    expect(outputOf(await buildctlArgv(file.output))).toBe(
      'type=image,"name=registry.example.com/g/app:a,registry.example.com/g/app:b",push=true',
    );
  });

  test('a variable only printed by echo besides the call', async () => {
    const file = await migrate(job(['A="--build-arg X=1"', 'echo "args=$A"', `${CALL} $A`]));
    expect(file.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'KB213', message: expect.stringContaining('echo/printf also print it') }),
      ]),
    );
    expect(await buildctlArgv(file.output)).toEqual(expect.arrayContaining(['--opt', 'build-arg:X=1']));
  });

  test('cache flags in variables: are read into the call (KB214), the variable stays', async () => {
    const file = await migrate(
      job([`${CALL} $CACHE`], '  variables:\n    CACHE: --cache=true --cache-repo=registry.example.com/g/cache\n'),
    );
    expect(file.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'KB214', severity: 'warning' })]),
    );
    expect(file.output).toContain('CACHE: --cache=true --cache-repo=registry.example.com/g/cache');
    const argv = await buildctlArgv(file.output, { CACHE: '--cache=true --cache-repo=registry.example.com/g/cache' });
    expect(argv).toEqual(
      expect.arrayContaining(['--import-cache', 'type=registry,ref=registry.example.com/g/cache:buildkit']),
    );
    expect(argv.join(' ')).not.toContain('--cache=true');
  });

  test('a variable read into the call is not edited, so a job left for a person may read it too', async () => {
    const text = `variables:\n  CACHE: --cache=true --cache-repo=registry.example.com/g/cache\na:\n  ${IMAGE}\n  script:\n    - ${CALL} $CACHE\nb:\n  ${IMAGE}\n  script:\n    - ${CALL} $CACHE --no-such-flag\n`;
    const r = await migrateText(text);
    expect(r.jobs.map((j) => [j.name, j.status])).toEqual([
      ['a', 'migrated'],
      ['b', 'manual'],
    ]);
    expect(r.files[0]!.output).toContain('  CACHE: --cache=true --cache-repo=registry.example.com/g/cache\n');
  });

  test('--no-push in a job variable of one job only: the others push', async () => {
    const text = `.t:\n  ${IMAGE}\n  script:\n    - ${CALL} $ARGS\nbuild:\n  extends: .t\ncheck:\n  extends: .t\n  variables:\n    ARGS: --no-push\n`;
    const file = await migrate(text);
    expect(file.findings.filter((f) => f.severity === 'manual')).toEqual([]);
    expect(file.output).toContain('ARGS: "false"'.replace(/"/g, '')); // the value, whatever its quoting
    expect(file.output).toContain('push=${ARGS:-true}');
  });

  test('--cache with --no-push and no --cache-repo: Kaniko refused it; the migrated call builds (KB319)', async () => {
    const file = await migrate(job(['/kaniko/executor --context . --dockerfile Dockerfile --no-push --cache=true']));
    expect(file.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'KB319', severity: 'warning' })]),
    );
    expect(file.output).not.toContain('--import-cache');
  });

  test('the oss fork accepts it with --no-push-cache: then the cache repo must come from somewhere (KB309)', async () => {
    const file = await migrate(
      job(['/kaniko/executor --context . --dockerfile Dockerfile --no-push --no-push-cache --cache=true']),
    );
    expect(file.changed).toBe(false);
    expect(file.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'KB309', severity: 'manual' })]),
    );
  });

  test('a variable defined nowhere passes through with a warning (KB212)', async () => {
    const file = await migrate(job([`${CALL} $EXTRA_ARGS`]));
    expect(file.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'KB212', severity: 'warning' })]),
    );
    expect(await buildctlArgv(file.output, { EXTRA_ARGS: '--opt build-arg:Z=9' })).toEqual(
      expect.arrayContaining(['--opt', 'build-arg:Z=9']),
    );
  });

  test('--dockerfile /dev/stdin: the call saves its input to a folder first (KB320)', async () => {
    const file = await migrate(
      job([
        `echo "FROM alpine:3.20" | /kaniko/executor --context . --dockerfile /dev/stdin --destination registry.example.com/g/app:1`,
      ]),
    );
    expect(file.findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'KB320' })]));
    const doc = parse(file.output) as { build: { script: string[] } };
    const run = await runJobScript(doc.build.script, { env: gitlabEnv(), image: 'buildkit', keep: true });
    try {
      expect(run.stderr).toBe('');
      const argv = run.calls.find((c) => c.tool === 'buildctl')!.argv;
      const dir = argv[argv.indexOf('--local', argv.indexOf('--local') + 1) + 1]!.replace(/^dockerfile=/, '');
      expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe('FROM alpine:3.20\n');
    } finally {
      run.cleanup();
    }
  });
});

test('a --dockerfile held in variables is followed to the absolute path it holds (no guess, no KB304)', async () => {
  const vars = '  variables:\n    CTX: $CI_PROJECT_DIR\n    DF: $CTX/docker/Dockerfile\n';
  const file = await migrate(
    job(['/kaniko/executor --context "$CTX" --dockerfile "$DF" --destination registry.example.com/g/app:1'], vars),
  );
  expect(file.findings.filter((f) => f.code === 'KB304')).toEqual([]);
  expect(file.output).toContain('--local "dockerfile=$(dirname "$DF")"');
});

describe('shapes left for a person, with the reason', () => {
  test.each([
    [
      'flags for different parts of the call in one variable',
      ['V="--destination registry.example.com/g/app:2 --build-arg X=1"', `${CALL} $V`],
      /different parts/,
    ],
    [
      'a variable another command reads',
      ['V="--build-arg X=1"', 'test -n "$V"', `${CALL} $V`],
      /also used by other commands/,
    ],
    [
      'a variable printed into a file',
      ['V="--build-arg X=1"', 'echo "$V" > args.txt', `${CALL} $V`],
      /also used by other commands/,
    ],
    ['a loop variable', ['for V in --no-push; do :; done', `${CALL} $V`], /for loop/],
    [
      'an assignment that puts the variable last',
      ['V="--destination=registry.example.com/g/app:2 $V"', `${CALL} $V`],
      /after other flags/,
    ],
    ['a push switch appended to', ['P="$P --no-push"', `${CALL} $P`], /appended/],
    ['a value made by a command', ['V="$(cat flags)"', `${CALL} $V`], /not one plain or double-quoted string/],
    [
      'two name lists and no written destination',
      [
        'A="-d registry.example.com/g/a:1"',
        'B="-d registry.example.com/g/b:1"',
        '/kaniko/executor --context . --dockerfile Dockerfile $A $B',
      ],
      /cannot be joined/,
    ],
    [
      'a digest file listing names from a variable',
      ['A="-d registry.example.com/g/a:1"', `${CALL} $A --image-name-with-digest-file names.txt`],
      /known only when the job runs/,
    ],
  ])('%s', async (_name, script, reason) => {
    const text = job(script);
    const file = await migrate(text);
    expect(file.changed).toBe(false);
    const manual = file.findings.filter((f) => f.severity === 'manual');
    expect(manual.length).toBeGreaterThan(0);
    expect(manual.map((f) => f.message).join('\n')).toMatch(reason);
  });

  test('a variable defined nowhere, in a job built from a template that is not in the files read', async () => {
    const text = `build:\n  extends: .elsewhere\n  ${IMAGE}\n  script:\n    - ${CALL} $LABELS\n`;
    const file = await migrate(text);
    expect(file.changed).toBe(false);
    expect(file.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'KB204', message: expect.stringContaining('extends .elsewhere') }),
      ]),
    );
  });
});
