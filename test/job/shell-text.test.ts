/**
 * Shell text around the executor call that no longer needs a person (issue 13, "giving up too early"), and what a
 * job left for a person reports: src/job/recipe.ts (isStandalone, leftUnchanged), src/job/arg-variables.ts (flags
 * printed to the log), src/job/kaniko-paths.ts (log lines naming the executor, scratch files under /kaniko, paths
 * uid 1000 cannot write) and src/job/image.ts (a Kaniko image pinned through a variable).
 */
import { parse } from 'yaml';
import { migrateScriptText, migrateText } from '../../src/index.js';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

describe('log lines naming the executor (KB210 no longer)', () => {
  test('$(/kaniko/executor version) becomes $(buildctl --version), and the real call migrates', async () => {
    const file = await migrate(job(['echo "Using $(/kaniko/executor version)"', CALL]));
    expect(codes(file)).not.toContain('KB210');
    expect(codes(file)).toContain('KB219');
    expect(file.output).toContain('echo "Using $(buildctl --version)"');
    expect(file.output).not.toContain('/kaniko/');
    const r = await run(file.output);
    expect(r.exitCode).toBe(0);
    expect(r.calls).toHaveLength(1);
  });

  test('backquotes and --version too; the text of the line names buildctl', async () => {
    const file = await migrate(job(['\'echo "/kaniko/executor `/kaniko/executor --version`"\'', CALL]));
    expect(file.output).toContain('\'echo "buildctl-daemonless.sh build `buildctl --version`"\'');
  });

  test.each([
    ['another command substitution', 'echo "$(/kaniko/executor --help | head -1)"'],
    ['a file the job writes', 'echo "/kaniko/executor --destination x" > build.sh'],
    ['a string another shell runs', 'sh -c "/kaniko/executor version"'],
  ])('an executor in %s still needs a person (KB210)', async (_what, line) => {
    const file = await migrate(job([`'${line}'`, CALL]));
    expect(codes(file)).toContain('KB210');
    expect(file.changed).toBe(false);
  });
});

describe('files the job writes where uid 1000 cannot', () => {
  test('a scratch file under /kaniko, written and read back, moves under $HOME in every command (KB414)', async () => {
    const file = await migrate(
      job([
        'echo "$T" > /kaniko/token',
        '\'export NPM_TOKEN="$(cat /kaniko/token)"\'',
        `${CALL} --build-arg NPM_TOKEN`,
      ]),
    );
    expect(codes(file)).not.toContain('KB404');
    expect(codes(file)).toContain('KB414');
    expect(file.output).toContain('echo "$T" > ~/token');
    expect(file.output).toContain('export NPM_TOKEN="$(cat $HOME/token)"');
    const r = await run(file.output, { T: 'secret' });
    expect(r.exitCode).toBe(0);
    expect(r.calls[0]!.argv).toEqual(expect.arrayContaining(['build-arg:NPM_TOKEN=secret']));
  });

  test('mv $KEY /service_account_key.json, read back by the same path, moves too', async () => {
    const file = await migrate(
      job(['mv "$KEY" /service_account_key.json', "'cat /service_account_key.json | head -c 1'", CALL]),
    );
    expect(codes(file)).toContain('KB414');
    expect(file.output).toContain('mv "$KEY" ~/service_account_key.json');
    expect(file.output).toContain("'cat ~/service_account_key.json | head -c 1'");
  });

  test('a file under /kaniko the call reads stays for a person (KB404): the call is rewritten from its own words', async () => {
    const file = await migrate(job(['echo "$T" > /kaniko/token', `${CALL} --build-arg "T=$(cat /kaniko/token)"`]));
    expect(codes(file)).toContain('KB404');
    expect(file.changed).toBe(false);
  });

  test('a file written at / and never read back by that path is a warning naming the line (KB415)', async () => {
    const file = await migrate(
      job(['echo "$GCP_SA_KEY" > /service_account_key.json', 'cp ca.crt /usr/local/share/ca-certificates/', CALL]),
    );
    const kb415 = file.findings.filter((f) => f.code === 'KB415');
    expect(kb415.map((f) => f.severity)).toEqual(['warning', 'warning']);
    expect(kb415[0]!.message).toContain('`echo "$GCP_SA_KEY" > /service_account_key.json`');
    expect(kb415[1]!.message).toContain('/usr/local/share/ca-certificates/');
    expect(file.changed).toBe(true);
    expect(file.output).toContain('echo "$GCP_SA_KEY" > /service_account_key.json');
  });

  test('writes to $HOME, /tmp and the build dir are not findings', async () => {
    const file = await migrate(
      job(['echo 1 > /tmp/x', 'echo 1 > "$CI_PROJECT_DIR/x"', 'mkdir -p /builds/x', 'echo 1 >> ~/x', CALL]),
    );
    expect(codes(file)).not.toContain('KB415');
  });

  const uid1000 = process.getuid?.() === 0 ? ['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups'] : [];

  /** The script lines run in sh as uid 1000 (as the current user when not root), HOME a fresh dir it owns, and a stub buildctl-daemonless.sh that prints what Go would read. */
  function runAsUser(lines: string[], env: Record<string, string>) {
    const home = mkdtempSync(join(tmpdir(), 'k2b-home-'));
    const bin = mkdtempSync(join(tmpdir(), 'k2b-bin-'));
    writeFileSync(
      join(bin, 'buildctl-daemonless.sh'),
      '#!/bin/sh\necho "SSL_CERT_FILE=$SSL_CERT_FILE"\ntail -n 1 "$SSL_CERT_FILE"\necho "GAC=$(cat "$GOOGLE_APPLICATION_CREDENTIALS")"\n',
    );
    chmodSync(join(bin, 'buildctl-daemonless.sh'), 0o755);
    if (uid1000.length) for (const d of [home, bin]) chownSync(d, 1000, 1000);
    try {
      const r = spawnSync(
        uid1000[0] ?? 'sh',
        [...uid1000.slice(1), ...(uid1000.length ? ['sh'] : []), '-ec', lines.join('\n')],
        {
          env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home, ...env },
          cwd: home,
          encoding: 'utf8',
        },
      );
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, home };
    } finally {
      rmSync(home, { recursive: true, force: true });
      rmSync(bin, { recursive: true, force: true });
    }
  }

  test('the migrated CA bundle and key file work as uid 1000 would run them; the original lines do not', async () => {
    const original = [
      'printf "%s\\n" "$CUSTOM_CA_PEM" >> /etc/ssl/certs/ca-certificates.crt',
      'echo "$GCP_SA_KEY" > /service_account_key.json',
      'export GOOGLE_APPLICATION_CREDENTIALS=/service_account_key.json',
    ];
    const file = await migrate(job([...original.map((l) => `'${l}'`), CALL]));
    expect(codes(file)).toEqual(expect.arrayContaining(['KB413', 'KB414']));
    expect(codes(file)).not.toContain('KB415');
    const script = (parse(file.output) as { build: { script: string[] } }).build.script;
    const env = { CUSTOM_CA_PEM: '-----END CERTIFICATE----- corp', GCP_SA_KEY: '{"type":"service_account"}' };
    const before = runAsUser(original, env);
    expect(before.status).not.toBe(0);
    expect(before.stderr).toMatch(/[Pp]ermission denied/);
    const after = runAsUser(
      script.filter((l) => !l.includes('.docker')),
      env,
    );
    expect(after.stderr).toBe('');
    expect(after.status).toBe(0);
    expect(after.stdout).toContain(`SSL_CERT_FILE=${after.home}/.ssl/ca-certificates.crt`);
    expect(after.stdout).toContain('-----END CERTIFICATE----- corp');
    expect(after.stdout).toContain('GAC={"type":"service_account"}');
  });
});

describe('a Kaniko image pinned through a variable', () => {
  const pinnedJob = (value: string, script: string[] = [CALL]) =>
    `variables:\n  KANIKO_VERSION: ${value}\nbuild:\n  image:\n    name: gcr.io/kaniko-project/executor:\${KANIKO_VERSION}\n    entrypoint: [""]\n  script:\n${script.map((l) => `    - ${l}\n`).join('')}`;

  test('a known pinned value pins BuildKit, and the variable the image no longer reads is reported (KB218)', async () => {
    const file = await migrate(pinnedJob('v1.23.2-debug'));
    expect(file.output).toContain('name: moby/buildkit:v0.32.2-rootless');
    const kb218 = file.findings.find((f) => f.code === 'KB218');
    expect(kb218?.message).toContain('$KANIKO_VERSION (v1.23.2-debug)');
    expect(kb218?.message).toContain('delete it');
    expect(file.output).toContain('KANIKO_VERSION: v1.23.2-debug');
  });

  test('a variable the script still reads is said to stay', async () => {
    const file = await migrate(pinnedJob('v1.23.2-debug', ['echo "was Kaniko $KANIKO_VERSION"', CALL]));
    expect(file.findings.find((f) => f.code === 'KB218')?.message).toContain('the script still reads it');
  });

  test('a moving value (debug) floats, and a variable set nowhere is not resolved', async () => {
    const floating = await migrate(pinnedJob('debug'));
    expect(floating.output).toContain('name: moby/buildkit:rootless');
    expect(codes(floating)).not.toContain('KB218');
    const unset = await migrate(
      pinnedJob('v1.23.2-debug').replace('KANIKO_VERSION: v1.23.2-debug', 'OTHER: v1.23.2-debug'),
    );
    expect(unset.output).toContain('name: moby/buildkit:rootless');
    expect(codes(unset)).not.toContain('KB218');
  });
});

describe('moved paths, edge cases', () => {
  test('a folder the job fills at / is not moved (a warning): the paths under it would stay behind', async () => {
    const file = await migrate(job(['mkdir /workspace', 'cd /workspace', 'cp a /workspace/a', CALL]));
    expect(codes(file)).not.toContain('KB414');
    expect(codes(file)).toContain('KB415');
    expect(file.output).toContain('cd /workspace');
  });

  test('migrateScriptText adds the CA bundle copy and SSL_CERT_FILE before the append', () => {
    const r = migrateScriptText(`cat ca.crt >> /etc/ssl/certs/ca-certificates.crt\n${CALL}\n`, {
      fileExists: () => undefined,
    });
    expect(r.output).toContain(
      'mkdir -p ~/.ssl\ncp /etc/ssl/certs/ca-certificates.crt ~/.ssl/ca-certificates.crt\nexport SSL_CERT_FILE="$HOME/.ssl/ca-certificates.crt"\ncat ca.crt >> ~/.ssl/ca-certificates.crt\n',
    );
  });
});
