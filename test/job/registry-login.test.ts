/**
 * The registry login a migrated job makes, run for real in `sh` (dash, and busybox sh when installed) as the
 * rootless image would: HOME a fresh temp dir with no .docker, stubs for wget, sha256sum and buildctl-daemonless.sh.
 * Checks what `moby/buildkit:rootless` needs: the config folder created before the write, the ECR helper on PATH,
 * and the config file's credentials winning over a DOCKER_AUTH_CONFIG from CI/CD settings.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { migrateText } from '../../src/index.js';
import { ECR_HELPER } from '../../src/job/auth.js';
import { findBusybox } from '../support/stub-run.js';

const shells: string[][] = [['/bin/sh'], ...(findBusybox() ? [[findBusybox()!, 'sh']] : [])];

async function migratedScript(yml: string, job = 'build'): Promise<{ script: string; findings: string[] }> {
  const r = await migrateText(yml, { fileName: '.gitlab-ci.yml' });
  const doc = parse(r.files[0]!.output) as Record<string, { script: string[] }>;
  return { script: doc[job]!.script.join('\n'), findings: r.files[0]!.findings.map((f) => f.code) };
}

function run(shell: string[], script: string): { home: string; log: string[]; status: number | null; err: string } {
  const dir = mkdtempSync(join(tmpdir(), 'k2b-login-'));
  const home = join(dir, 'home');
  const bin = join(dir, 'stubs');
  mkdirSync(home);
  mkdirSync(bin);
  const log = join(dir, 'calls.log');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('wget', 'while [ $# -gt 0 ]; do [ "$1" = -qO ] && { shift; printf "#!/bin/sh\\n" > "$1"; }; shift; done');
  stub('sha256sum', `read -r line; echo "stdin $line" >> "${log}"`);
  stub(
    'buildctl-daemonless.sh',
    `echo "env DOCKER_AUTH_CONFIG=\${DOCKER_AUTH_CONFIG-unset} helper=$(command -v docker-credential-ecr-login)" >> "${log}"`,
  );
  const p = spawnSync(shell[0]!, [...shell.slice(1), '-c', `set -e\n${script}`], {
    encoding: 'utf8',
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: home,
      CI_REGISTRY: 'registry.example.com',
      CI_REGISTRY_USER: 'ci',
      CI_REGISTRY_PASSWORD: 'pw',
      CI_PROJECT_DIR: dir,
      DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"auth":"cmVhZDpvbmx5"}}}',
    },
  });
  const out = {
    home,
    log: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [],
    status: p.status,
    err: p.stderr,
  };
  return out;
}

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

describe.each(shells)('registry login run in %s', (...shell) => {
  test('an ECR push with no login of its own: the pinned helper on PATH, credHelpers for the host, the file wins', async () => {
    const { script, findings } = await migratedScript(`build:
  image: { name: gcr.io/kaniko-project/executor:debug, entrypoint: [""] }
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --destination "${ECR}/app:1"
`);
    expect(findings).toEqual(expect.arrayContaining(['KB408', 'KB402']));
    const r = run(shell, script);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.log).toContain(`wget -qO ${r.home}/bin/docker-credential-ecr-login ${ECR_HELPER.url}`);
    expect(r.log).toContain(`stdin ${ECR_HELPER.sha256}  ${r.home}/bin/docker-credential-ecr-login`);
    expect(r.log).toContain(`env DOCKER_AUTH_CONFIG=unset helper=${r.home}/bin/docker-credential-ecr-login`);
    const config = JSON.parse(readFileSync(join(r.home, '.docker', 'config.json'), 'utf8'));
    expect(config).toEqual({
      auths: { 'registry.example.com': { username: 'ci', password: 'pw' } },
      credHelpers: { [ECR]: 'ecr-login' },
    });
    rmSync(join(r.home, '..'), { recursive: true, force: true });
  });

  test('a moved DOCKER_CONFIG written in a later item: the folder exists before the write', async () => {
    const { script } = await migratedScript(`build:
  image: { name: gcr.io/kaniko-project/executor:debug, entrypoint: [""] }
  script:
    - export DOCKER_CONFIG=/kaniko/.docker
    - |
      cat > "$DOCKER_CONFIG/config.json" <<EOF
      {"auths":{"$CI_REGISTRY":{"username":"$CI_REGISTRY_USER","password":"$CI_REGISTRY_PASSWORD"}}}
      EOF
    - /kaniko/executor --context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:1"
`);
    const r = run(shell, script);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(r.home, '.docker', 'config.json'), 'utf8')).auths).toEqual({
      'registry.example.com': { username: 'ci', password: 'pw' },
    });
    expect(r.log.some((l) => l.startsWith('env DOCKER_AUTH_CONFIG=unset'))).toBe(true);
    rmSync(join(r.home, '..'), { recursive: true, force: true });
  });
});
