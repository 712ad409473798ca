/**
 * Every entry of the flag table, in every spelling: the documented action happens (mapped, dropped with its info code,
 * noted with its warning code, or left for a person), and the generated call — run in a real `sh` with a stub
 * `buildctl-daemonless.sh` — passes buildctl no Kaniko-only flag.
 */
import { parse } from 'yaml';
import { FLAGS, type KanikoFlag } from '../../src/kaniko/flags.js';
import { migrateText } from '../../src/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitlabEnv, runJobScript, STUB_DIGEST } from '../support/stub-run.js';

/** A value each flag accepts (default `x`). */
const SAMPLE: Record<string, string> = {
  context: 'dir://.',
  dockerfile: 'Dockerfile',
  destination: 'registry.example.com/group/app:1',
  'build-arg': 'A=1',
  label: 'k=v',
  annotation: 'k=v',
  target: 'final',
  'custom-platform': 'linux/arm64',
  'tar-path': 'image.tar',
  'oci-layout-path': 'layout',
  'digest-file': 'digest.txt',
  'image-name-with-digest-file': 'names.txt',
  'image-name-tag-with-digest-file': 'tags.txt',
  compression: 'zstd',
  'compression-level': '3',
  'image-format': 'oci',
  'cache-repo': 'registry.example.com/group/cache',
  'cache-dir': '/cache',
  'cache-ttl': '24h',
  'insecure-registry': 'registry.example.com',
  'skip-tls-verify-registry': 'registry.example.com',
  'registry-certificate': 'registry.example.com=/certs/ca.crt',
  'registry-client-cert': 'registry.example.com=/certs/c.crt,/certs/c.key',
  'registry-mirror': 'mirror.gcr.io',
  'registry-map': 'index.docker.io=mirror.gcr.io',
  secret: 'id=token,env=TOKEN',
  'push-retry': '3',
  'image-download-retry': '3',
  'image-fs-extract-retry': '3',
  'snapshot-mode': 'redo',
  'ignore-path': '/var/cache',
  'kaniko-dir': '/kaniko',
  verbosity: 'debug',
  'log-format': 'text',
  'context-sub-path': 'sub',
  git: 'branch=main',
  bucket: 'my-bucket',
  'credential-helpers': 'gcr',
};

/** buildctl's own flags (BuildKit `cmd/buildctl/build.go`, the `build` command's flags): anything else reaching it is a bug. */
const BUILDCTL_FLAGS = new Set([
  '--frontend',
  '--local',
  '--opt',
  '--output',
  '--import-cache',
  '--export-cache',
  '--secret',
  '--metadata-file',
  '--progress',
  '--ssh',
  '--allow',
]);

function jobFor(flag: KanikoFlag, spelling: string): string {
  const value = flag.kind === 'bool' ? '' : (SAMPLE[flag.name] ?? 'x');
  const word =
    flag.kind === 'bool' ? spelling : spelling.startsWith('--') ? `${spelling}=${value}` : `${spelling} ${value}`;
  const dest = flag.name === 'destination' ? '' : ' --destination registry.example.com/group/app:1';
  const ctx = flag.name === 'context' ? '' : ' --context .';
  return [
    'build:',
    '  image:',
    '    name: gcr.io/kaniko-project/executor:debug',
    '    entrypoint: [""]',
    '  script:',
    '    - mkdir -p /kaniko/.docker',
    `    - /kaniko/executor${ctx}${dest} ${word}`,
    '',
  ].join('\n');
}

const cases = FLAGS.flatMap((flag) => flag.spellings.map((spelling) => [flag.name, spelling, flag] as const));

describe('flag table', () => {
  test('every flag has at least one spelling and no spelling belongs to two flags', () => {
    const seen = new Map<string, string>();
    for (const f of FLAGS) {
      expect(f.spellings.length).toBeGreaterThan(0);
      for (const s of f.spellings) {
        expect(seen.get(s)).toBeUndefined();
        seen.set(s, f.name);
      }
    }
  });

  test.each(cases)('%s as %s', async (_name, spelling, flag) => {
    const input = jobFor(flag, spelling);
    const result = await migrateText(input);
    const file = result.files[0]!;
    const findings = file.findings;
    const m = flag.mapping;
    if (m.action === 'manual') {
      expect(file.changed).toBe(false);
      expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: m.code, severity: 'manual' })]));
      return;
    }
    if (m.action === 'drop')
      expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: m.code, severity: 'info' })]));
    if (m.action === 'note')
      expect(findings).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: m.code, severity: 'warning' })]),
      );
    const manual = findings.filter((f) => f.severity === 'manual' || f.severity === 'error');
    if (manual.length) {
      // A mapped flag may still need a person for a given value; then the job must be untouched.
      expect(file.changed).toBe(false);
      return;
    }
    expect(file.changed).toBe(true);
    expect(file.output).not.toContain('/kaniko/executor');

    // Run the migrated job script in sh with a stub buildctl-daemonless.sh and look at what buildctl receives.
    const script = scriptOf(file.output);
    const run = await runJobScript(script, { env: gitlabEnv(), image: 'buildkit', keep: true });
    expect(run.stderr).toBe('');
    // Kaniko's digest files, rebuilt from buildctl's metadata: same bytes as Kaniko wrote (Kaniko `pkg/executor/push.go` `DoPush`).
    const read = (f: string) => readFileSync(join(run.cwd, f), 'utf8');
    if (flag.name === 'digest-file') expect(read('digest.txt')).toBe(STUB_DIGEST);
    if (flag.name === 'image-name-with-digest-file')
      expect(read('names.txt')).toBe(`registry.example.com/group/app@${STUB_DIGEST}\n`);
    if (flag.name === 'image-name-tag-with-digest-file')
      expect(read('tags.txt')).toBe(`registry.example.com/group/app:1@${STUB_DIGEST}\n`);
    run.cleanup();
    const calls = run.calls.filter((c) => c.tool === 'buildctl');
    expect(calls).toHaveLength(1);
    const argv = calls[0]!.argv;
    expect(argv[0]).toBe('build');
    const flags = argv.filter((a) => a.startsWith('--'));
    expect(flags.filter((a) => !BUILDCTL_FLAGS.has(a))).toEqual([]);
  });
});

/** The script lines of the one job in a migrated file (it is plain YAML: the yaml package reads it). */
function scriptOf(text: string): string[] {
  const doc = parse(text) as { build: { before_script?: string[]; script: string[] } };
  return [...(doc.build.before_script ?? []), ...doc.build.script];
}
