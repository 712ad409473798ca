/**
 * The buildkitd.toml a migrated job writes: run the generated lines in a real sh, parse the file with a TOML parser,
 * and check mirrors, http/insecure and CA paths per registry (variables expanded by the shell, as in the job).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { migrateText } from '../../src/index.js';
import { BUILDKITD_TOML } from '../../src/buildkit/toml.js';

const JOB = `build:
  image: gcr.io/kaniko-project/executor:debug
  script:
    - >-
      /kaniko/executor --context . --destination "$CI_REGISTRY_IMAGE:1"
      --registry-mirror=https://mirror.gcr.io --registry-mirror http://plain.mirror:5000/hub
      --registry-map index.docker.io=hub.example.com --registry-map "quay.io=quay.example.com;ghcr.io=ghcr.example.com"
      --insecure-registry "$CI_REGISTRY" --skip-tls-verify-registry self.signed.example.com
      --registry-certificate "corp.example.com=/certs/corp ca.crt"
      --registry-client-cert corp.example.com=/certs/client.crt,/certs/client.key
`;

function runLines(lines: string[], env: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'k2b-toml-'));
  const target = join(dir, 'buildkitd.toml');
  const script = lines.map((l) => l.split(BUILDKITD_TOML).join(target)).join('\n');
  execFileSync('/bin/sh', ['-ec', script], { env: { PATH: process.env.PATH, HOME: dir, ...env } });
  return readFileSync(target, 'utf8');
}

test('generated buildkitd.toml parses and holds each registry setting', async () => {
  const result = await migrateText(JOB);
  const file = result.files[0]!;
  expect(file.findings.filter((f) => f.severity === 'manual' || f.severity === 'error')).toEqual([]);
  const job = (parseYaml(file.output) as { build: { script: string[] } }).build;
  const writes = job.script.filter((l) => l.includes(BUILDKITD_TOML) && l.startsWith('printf'));
  expect(writes).toHaveLength(1);
  const call = job.script.find((l) => l.includes('buildctl-daemonless.sh'))!;
  expect(call).toContain(`--config ${BUILDKITD_TOML}`);

  const toml = parseToml(runLines(writes, { CI_REGISTRY: 'registry.gitlab.example.com' })) as {
    registry: Record<string, Record<string, unknown>>;
  };
  const reg = toml.registry;
  expect(reg['docker.io']).toEqual({ mirrors: ['mirror.gcr.io', 'plain.mirror:5000/hub', 'hub.example.com'] });
  expect(reg['plain.mirror:5000']).toEqual({ http: true });
  expect(reg['quay.io']).toEqual({ mirrors: ['quay.example.com'] });
  expect(reg['ghcr.io']).toEqual({ mirrors: ['ghcr.example.com'] });
  expect(reg['registry.gitlab.example.com']).toEqual({ http: true });
  expect(reg['self.signed.example.com']).toEqual({ insecure: true });
  expect(reg['corp.example.com']).toEqual({
    ca: ['/certs/corp ca.crt'],
    keypair: [{ key: '/certs/client.key', cert: '/certs/client.crt' }],
  });
});
