/**
 * Generated GitLab Runner configs in many written forms: annotating changes only what it must.
 * Checked independently of the implementation: smol-toml data, a character diff with no removals, line endings, idempotence.
 */
import fc from 'fast-check';
import { diffChars } from 'diff';
import { parse } from 'smol-toml';
import { annotateRunnerConfig } from '../../src/runner-config/index.js';

const KEY = 'container.apparmor.security.beta.kubernetes.io/build';
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface RunnerSpec {
  executor: 'kubernetes' | 'docker' | 'shell' | null;
  k8sTable: boolean;
  k8sKeys: number[];
  annotations: 'none' | 'header' | 'inline' | 'dotted';
  otherAnnotations: number;
  existing: 'none' | 'unconfined' | 'other';
  cacheFirst: boolean;
  volumes: boolean;
  trailingComment: boolean;
}

const K8S_KEYS = [
  ['namespace = "ci"'],
  ['image = "alpine:3.20"  # default image'],
  ['allowed_images = [', '  "alpine", # [runners.kubernetes.pod_annotations]', "  '[x]',", ']'],
  ["pre_clone_script = '''", '[runners.kubernetes.pod_annotations]', 'echo "x" = \'y\'', "'''"],
  ['created = 1979-05-27 07:32:00Z'],
  ['poll_timeout = 180'],
];

const runnerArb: fc.Arbitrary<RunnerSpec> = fc
  .record({
    executor: fc.constantFrom('kubernetes' as const, 'docker' as const, 'shell' as const, null),
    k8sTable: fc.boolean(),
    k8sKeys: fc.subarray([0, 1, 2, 3, 4, 5]),
    annotations: fc.constantFrom('none' as const, 'header' as const, 'inline' as const, 'dotted' as const),
    otherAnnotations: fc.integer({ min: 0, max: 2 }),
    existing: fc.constantFrom('none' as const, 'unconfined' as const, 'other' as const),
    cacheFirst: fc.boolean(),
    volumes: fc.boolean(),
    trailingComment: fc.boolean(),
  })
  .map((r) => (r.k8sTable ? r : { ...r, annotations: 'none' as const, existing: 'none' as const, volumes: false }));

function render(runners: RunnerSpec[], unit: string, eol: string, finalNewline: boolean): string {
  const lines: string[] = [
    'concurrent = 4',
    '# global settings',
    '[session_server]',
    `${unit}session_timeout = 1800`,
    '',
  ];
  runners.forEach((r, i) => {
    const i1 = unit;
    const i2 = unit + unit;
    const i3 = unit + unit + unit;
    lines.push(`[[runners]]`, `${i1}name = "r${i}"`);
    if (r.executor) lines.push(`${i1}executor = "${r.executor}"`);
    const cache = [`${i1}[runners.cache]`, `${i2}Type = "s3"`];
    if (r.cacheFirst) lines.push(...cache);
    if (r.k8sTable) {
      lines.push(`${i1}[runners.kubernetes]`);
      for (const k of r.k8sKeys) lines.push(...K8S_KEYS[k]!.map((l) => i2 + l));
      const pairs: Array<readonly [string, string]> = Array.from(
        { length: r.otherAnnotations },
        (_, j) => [`example.com/a${j}`, `v${j}`] as const,
      );
      if (r.existing !== 'none')
        pairs.push([KEY, r.existing === 'unconfined' ? 'unconfined' : 'runtime/default'] as const);
      if (r.annotations === 'header' || (r.annotations === 'none' && r.existing !== 'none')) {
        lines.push(`${i2}[runners.kubernetes.pod_annotations]`, ...pairs.map(([k, v]) => `${i3}"${k}" = "${v}"`));
      } else if (r.annotations === 'inline') {
        lines.push(`${i2}pod_annotations = { ${pairs.map(([k, v]) => `"${k}" = "${v}"`).join(', ')} }`);
      } else if (r.annotations === 'dotted') {
        if (!pairs.length) pairs.push(['example.com/owner', 'ci'] as const);
        lines.push(...pairs.map(([k, v]) => `${i2}pod_annotations."${k}" = "${v}"`));
      }
      if (r.volumes)
        lines.push(
          `${i2}[runners.kubernetes.volumes]`,
          `${i3}[[runners.kubernetes.volumes.empty_dir]]`,
          `${i3}${unit}name = "bk"`,
          `${i3}${unit}mount_path = "/home/user/.local/share/buildkit"`,
        );
    }
    if (!r.cacheFirst) lines.push(...cache);
    if (r.trailingComment) lines.push('', '# next one');
  });
  return lines.join(eol) + (finalNewline ? eol : '');
}

test('annotating generated configs: data, diff, line endings, idempotence', () => {
  fc.assert(
    fc.property(
      fc.array(runnerArb, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('', '  ', '    ', '\t'),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      (runners, unit, eol, finalNewline) => {
        const input = render(runners, unit, eol, finalNewline);
        const before = parse(input) as Any;
        const result = annotateRunnerConfig(input, 'config.toml');

        // the executor decides; a runner without one is Kubernetes when it has a [runners.kubernetes] table
        const isK8s = (r: RunnerSpec) => r.executor === 'kubernetes' || (r.executor === null && r.k8sTable);
        const isDocker = (r: RunnerSpec) => r.executor === 'docker';
        const expected = runners
          .map((r, i) => ((isK8s(r) && r.existing === 'none') || isDocker(r) ? i : -1))
          .filter((i) => i >= 0);
        expect(result.runners.filter((r) => r.status === 'changed').map((r) => r.index)).toEqual(expected);
        expect(result.findings.filter((f) => f.code === 'KB901').length).toBe(
          runners.filter((r) => isK8s(r) && r.existing === 'other').length,
        );
        expect(result.changed).toBe(expected.length > 0);

        // Data: exactly the annotation (or the Docker security options) added.
        const after = parse(result.output) as Any;
        for (const i of expected) {
          const r = after['runners'][i];
          if (isDocker(runners[i]!)) {
            // the generated Docker runners have no [runners.docker] table: it is added, with the two options
            expect(r.docker).toEqual({ security_opt: ['seccomp:unconfined', 'apparmor:unconfined'] });
            delete r.docker;
            continue;
          }
          expect(r.kubernetes.pod_annotations[KEY]).toBe('unconfined');
          delete r.kubernetes.pod_annotations[KEY];
          if (!before['runners'][i].kubernetes?.pod_annotations && !Object.keys(r.kubernetes.pod_annotations).length)
            delete r.kubernetes.pod_annotations;
          if (!before['runners'][i].kubernetes && !Object.keys(r.kubernetes).length) delete r.kubernetes;
        }
        expect(after).toEqual(before);

        // Text: only insertions; line endings of the file.
        expect(diffChars(input, result.output).some((p) => p.removed)).toBe(false);
        if (eol === '\r\n') expect(result.output.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
        else expect(result.output).not.toContain('\r');
        expect(result.output.endsWith(eol)).toBe(finalNewline);

        // Idempotent.
        const again = annotateRunnerConfig(result.output, 'config.toml');
        expect(again.changed).toBe(false);
      },
    ),
    { numRuns: 300 },
  );
});

test('Docker runners in many written forms: the missing security options appended, nothing else changed', () => {
  const entry = fc.constantFrom(
    '"label=disable"',
    "'label=disable'",
    '"seccomp=unconfined"',
    '"seccomp:unconfined"',
    '"apparmor=unconfined"',
    "'apparmor:unconfined'",
    '"no-new-privileges"',
  );
  fc.assert(
    fc.property(
      fc.option(fc.uniqueArray(entry, { maxLength: 3, selector: (e) => e.replace(/['"]/g, '') }), { nil: undefined }),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom('\n', '\r\n'),
      fc.constantFrom('docker', 'docker+machine', 'docker-autoscaler'),
      (entries, trailingComma, comment, eol, executor) => {
        const lines = ['[[runners]]', `  executor = "${executor}"`, '  [runners.docker]', '    image = "alpine:3.20"'];
        if (entries)
          lines.push(
            `    security_opt = [${entries.join(', ')}${trailingComma && entries.length ? ',' : ''}]${comment ? ' # set by ops' : ''}`,
          );
        lines.push('  [runners.cache]', '    Type = "s3"');
        const input = lines.join(eol) + eol;
        const before = parse(input) as Any;
        const result = annotateRunnerConfig(input, 'config.toml');
        const had: string[] = before['runners'][0].docker.security_opt ?? [];
        const has = (key: string) => had.some((e) => e === `${key}:unconfined` || e === `${key}=unconfined`);
        const missing = ['seccomp', 'apparmor'].filter((k) => !has(k)).map((k) => `${k}:unconfined`);
        const after = parse(result.output) as Any;
        expect(after['runners'][0].docker.security_opt).toEqual([...had, ...missing]);
        if (!before['runners'][0].docker.security_opt && missing.length) delete after['runners'][0].docker.security_opt;
        else after['runners'][0].docker.security_opt = had;
        expect(after).toEqual(before);
        expect(result.changed).toBe(missing.length > 0);
        expect(diffChars(input, result.output).some((p) => p.removed)).toBe(false);
        if (eol === '\r\n') expect(result.output.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
        expect(result.findings.some((f) => f.code === 'KB908')).toBe(had.includes('no-new-privileges'));
        expect(annotateRunnerConfig(result.output, 'config.toml').changed).toBe(false);
      },
    ),
    { numRuns: 300 },
  );
});
