import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { parseDocument } from 'yaml';
import { annotateRunnerConfig, RunnerConfigError } from '../../src/runner-config/index.js';

const DIR = join(process.cwd(), 'fixtures', 'runner-config');
const KEY = 'container.apparmor.security.beta.kubernetes.io/build';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function caseFiles(name: string): { input: string; inputName: string; expected?: string } {
  const files = readdirSync(join(DIR, name));
  const inputName = files.find((f) => f.startsWith('input.'))!;
  const expectedName = files.find((f) => f.startsWith('expected.'));
  return {
    inputName,
    input: readFileSync(join(DIR, name, inputName), 'utf8'),
    ...(expectedName ? { expected: readFileSync(join(DIR, name, expectedName), 'utf8') } : {}),
  };
}

/** The runner TOML of a file: the file itself, or a Helm values file's runners.config. */
function tomlOf(text: string, fileName: string): string {
  if (!fileName.endsWith('.yaml')) return text;
  const doc = parseDocument(text);
  expect(doc.errors).toEqual([]);
  return doc.getIn(['runners', 'config']) as string;
}

const DOCKER_OPTS = ['seccomp:unconfined', 'apparmor:unconfined'];

/**
 * Independent check with smol-toml: every runner in `changed` has what it needs (a Kubernetes runner the annotation
 * set to "unconfined", a Docker runner both security options), and after removing what was added (the key or the
 * entries, and tables that exist only because of them) the data equals the input's.
 */
function expectOnlyChangesAdded(inputToml: string, outputToml: string, changed: number[]): void {
  const before = parse(inputToml) as Any;
  const after = parse(outputToml) as Any;
  for (const i of changed) {
    const r = after['runners'][i];
    const b = before['runners'][i];
    if (r.kubernetes?.pod_annotations?.[KEY] !== undefined && b.kubernetes?.pod_annotations?.[KEY] === undefined) {
      expect(r.kubernetes.pod_annotations[KEY]).toBe('unconfined');
      delete r.kubernetes.pod_annotations[KEY];
      if (!b.kubernetes?.pod_annotations && Object.keys(r.kubernetes.pod_annotations).length === 0)
        delete r.kubernetes.pod_annotations;
      if (!b.kubernetes && Object.keys(r.kubernetes).length === 0) delete r.kubernetes;
    } else {
      const had: string[] = b.docker?.security_opt ?? [];
      const now: string[] = r.docker.security_opt;
      expect(now.slice(0, had.length)).toEqual(had);
      for (const o of now.slice(had.length)) expect(DOCKER_OPTS).toContain(o);
      if (b.docker?.security_opt) r.docker.security_opt = had;
      else delete r.docker.security_opt;
      if (!b.docker && Object.keys(r.docker).length === 0) delete r.docker;
    }
  }
  expect(after).toEqual(before);
}

describe('annotateRunnerConfig: fixture table', () => {
  const table: Array<[name: string, changedRunners: number[], changed: boolean]> = [
    ['kubernetes-no-annotations-table', [0], true],
    ['annotations-table-exists', [0], true],
    ['two-runners-docker-and-kubernetes', [0, 1], true],
    ['crlf', [0], true],
    ['inline-table', [0], true],
    ['dotted-keys', [0], true],
    ['flat-no-kubernetes-table', [0, 1], true],
    ['no-final-newline', [0], true],
    ['other-value', [1], true],
    ['already-annotated', [], false],
    ['helm-values', [0], true],
    ['helm-values-strip-crlf', [0], true],
    ['helm-values-already-annotated', [], false],
    ['docker-security-opt-exists', [0], true],
    ['docker-no-docker-table', [0], true],
    ['docker-other-profile', [1], true],
    ['docker-privileged', [], false],
  ];

  test.each(table)('%s', (name, changedRunners, changed) => {
    const { input, inputName, expected } = caseFiles(name);
    const result = annotateRunnerConfig(input, inputName);
    expect(result.kind).toBe(inputName.endsWith('.yaml') ? 'helm-values' : 'toml');
    expect(result.changed).toBe(changed);
    expect(result.output).toBe(expected);
    expect(result.runners.filter((r) => r.status === 'changed').map((r) => r.index)).toEqual(changedRunners);

    // Verified as data, not by regex.
    expectOnlyChangesAdded(tomlOf(input, inputName), tomlOf(result.output, inputName), changedRunners);
    if (inputName.endsWith('.yaml')) {
      const a = parseDocument(input).toJS() as Any;
      const b = parseDocument(result.output).toJS() as Any;
      delete a['runners'].config;
      delete b['runners'].config;
      expect(b).toEqual(a);
    }

    // Idempotent: a second run changes nothing.
    const again = annotateRunnerConfig(result.output, inputName);
    expect(again.changed).toBe(false);
    expect(again.output).toBe(result.output);
  });

  test('every fixture folder is in the table or tested below', () => {
    const listed = new Set([...table.map(([n]) => n), 'invalid-toml', 'helm-invalid-toml', 'helm-quoted-config']);
    for (const d of readdirSync(DIR)) expect(listed).toContain(d);
  });
});

describe('annotateRunnerConfig: details', () => {
  test('CRLF stays CRLF, no bare LF is introduced', () => {
    const { input, inputName } = caseFiles('crlf');
    const { output } = annotateRunnerConfig(input, inputName);
    expect(output.replace(/\r\n/g, '')).not.toContain('\n');
  });

  test('a Docker runner gets the security options, a Kubernetes runner the annotation, each reported', () => {
    const { input, inputName } = caseFiles('two-runners-docker-and-kubernetes');
    const r = annotateRunnerConfig(input, inputName);
    expect(r.runners.map((x) => [x.name, x.kind, x.status, x.added])).toEqual([
      ['docker-shell', 'docker', 'changed', ['seccomp:unconfined', 'apparmor:unconfined']],
      ['k8s', 'kubernetes', 'changed', undefined],
    ]);
    expect(r.findings).toEqual([]);
  });

  test('Docker security options: the forms Docker reads, what is kept, what needs a person', () => {
    const docker = (opts: string) =>
      annotateRunnerConfig(`[[runners]]\n  executor = "docker"\n  [runners.docker]\n    ${opts}\n`, 'config.toml');
    // seccomp=unconfined is the same option as seccomp:unconfined: only AppArmor is added
    expect(docker('security_opt = ["seccomp=unconfined"]').output).toContain(
      'security_opt = ["seccomp=unconfined", "apparmor:unconfined"]',
    );
    expect(docker('security_opt = []').output).toContain(
      'security_opt = ["seccomp:unconfined", "apparmor:unconfined"]',
    );
    expect(docker('security_opt = ["label=disable",]').output).toContain(
      'security_opt = ["label=disable", "seccomp:unconfined", "apparmor:unconfined"]',
    );
    const both = docker('security_opt = ["apparmor=unconfined", "seccomp:unconfined"]');
    expect([both.changed, both.runners[0]!.status]).toEqual([false, 'already-set']);
    const nnp = docker('security_opt = ["no-new-privileges:true"]');
    expect(nnp.runners[0]!.status).toBe('changed');
    expect(nnp.findings.map((f) => [f.code, f.line])).toEqual([['KB908', 4]]);
    const multi = docker('security_opt = [\n      "label=disable",\n    ]');
    expect([multi.changed, multi.runners[0]!.status, multi.findings.map((f) => f.code)]).toEqual([
      false,
      'manual',
      ['KB905'],
    ]);
    const inline = annotateRunnerConfig(
      '[[runners]]\n  executor = "docker"\n  docker = { image = "x" }\n',
      'config.toml',
    );
    expect(inline.findings.map((f) => f.code)).toEqual(['KB905']);
    const other = docker('security_opt = ["apparmor:ci-profile"]');
    expect([other.changed, other.findings.map((f) => f.code)]).toEqual([false, ['KB907']]);
  });

  test('the executor decides: Windows, shell and SSH runners are left alone even with a docker or kubernetes table', () => {
    for (const executor of ['docker-windows', 'shell', 'ssh']) {
      const text = `[[runners]]\n  executor = "${executor}"\n  [runners.docker]\n    image = "x"\n  [runners.kubernetes]\n    image = "x"\n`;
      const r = annotateRunnerConfig(text, 'config.toml');
      expect([r.changed, r.runners[0]!.status, r.findings.map((f) => f.code)]).toEqual([
        false,
        'not-applicable',
        ['KB903'],
      ]);
    }
  });

  test('another value is kept and reported as KB901 with its line', () => {
    const { input, inputName } = caseFiles('other-value');
    const r = annotateRunnerConfig(input, inputName);
    expect(r.findings).toEqual([
      {
        code: 'KB901',
        severity: 'manual',
        file: inputName,
        line: 6,
        message:
          'runner #1 ("k8s-hardened"): "container.apparmor.security.beta.kubernetes.io/build" is "runtime/default", not "unconfined"; left unchanged',
      },
    ]);
    expect((parse(r.output) as Any)['runners'][0].kubernetes.pod_annotations[KEY]).toBe('runtime/default');
  });

  test('already annotated: no change, status already-set', () => {
    const { input, inputName } = caseFiles('already-annotated');
    const r = annotateRunnerConfig(input, inputName);
    expect(r.changed).toBe(false);
    expect(r.runners[0]!.status).toBe('already-set');
    expect(r.findings).toEqual([]);
  });

  test('no Docker or Kubernetes runner: KB903, no change', () => {
    const text = '[[runners]]\n  executor = "shell"\n';
    const r = annotateRunnerConfig(text, 'config.toml');
    expect(r.changed).toBe(false);
    expect(r.findings.map((f) => f.code)).toEqual(['KB903']);
    expect(annotateRunnerConfig('concurrent = 1\n', 'config.toml').findings.map((f) => f.code)).toEqual(['KB903']);
  });

  test('a runner that has a [runners.kubernetes] table counts as Kubernetes even without executor', () => {
    const r = annotateRunnerConfig('[[runners]]\n  [runners.kubernetes]\n    image = "x"\n', 'config.toml');
    expect(r.output).toBe(
      '[[runners]]\n  [runners.kubernetes]\n    image = "x"\n    [runners.kubernetes.pod_annotations]\n      "container.apparmor.security.beta.kubernetes.io/build" = "unconfined"\n',
    );
  });

  test('a kubernetes table written inline cannot be extended: KB905, runner unchanged', () => {
    const text = '[[runners]]\n  executor = "kubernetes"\n  kubernetes = { image = "alpine" }\n';
    const r = annotateRunnerConfig(text, 'config.toml');
    expect(r.changed).toBe(false);
    expect(r.runners[0]!.status).toBe('manual');
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([['KB905', 1]]);
  });

  test('empty inline pod_annotations table', () => {
    const text = '[[runners]]\n  executor = "kubernetes"\n  [runners.kubernetes]\n    pod_annotations = {}\n';
    const r = annotateRunnerConfig(text, 'config.toml');
    expect(r.output).toBe(
      '[[runners]]\n  executor = "kubernetes"\n  [runners.kubernetes]\n    pod_annotations = { "container.apparmor.security.beta.kubernetes.io/build" = "unconfined" }\n',
    );
  });

  test('multi-line strings and arrays that look like tables are not mistaken for them', () => {
    const text = [
      '[[runners]]',
      '  executor = "kubernetes"',
      '  pre_build_script = """',
      '[runners.kubernetes.pod_annotations]',
      '"""',
      '  [runners.kubernetes]',
      '    allowed_images = [',
      '      "alpine", # [runners.kubernetes.pod_annotations]',
      "      '[x]',",
      '    ]',
      '',
    ].join('\n');
    const r = annotateRunnerConfig(text, 'config.toml');
    expect(r.output).toBe(
      text.replace(
        "      '[x]',\n    ]\n",
        '      \'[x]\',\n    ]\n    [runners.kubernetes.pod_annotations]\n      "container.apparmor.security.beta.kubernetes.io/build" = "unconfined"\n',
      ),
    );
    expectOnlyChangesAdded(text, r.output, [0]);
  });
});

describe('annotateRunnerConfig: invalid input', () => {
  test('invalid TOML: KB902 with line and column, nothing returned', () => {
    const { input, inputName } = caseFiles('invalid-toml');
    let err: unknown;
    try {
      annotateRunnerConfig(input, inputName);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunnerConfigError);
    const e = err as RunnerConfigError;
    expect(e.code).toBe('KB902');
    expect(e.line).toBe(5);
    expect(e.column).toBeGreaterThan(0);
    expect(e.where).toBe(`${inputName}:5:${e.column}`);
    expect(e.message).toMatch(/^invalid TOML: /);
  });

  test('Helm: TOML errors are reported at the values.yaml line, with a hint about templates', () => {
    const { input, inputName } = caseFiles('helm-invalid-toml');
    expect(() => annotateRunnerConfig(input, inputName)).toThrow(RunnerConfigError);
    try {
      annotateRunnerConfig(input, inputName);
    } catch (e) {
      const err = e as RunnerConfigError;
      expect(err.code).toBe('KB902');
      expect(err.line).toBe(5);
      expect(err.message).toContain('Helm template expressions');
    }
  });

  test('Helm: a quoted runners.config is refused (KB904)', () => {
    const { input, inputName } = caseFiles('helm-quoted-config');
    expect(() => annotateRunnerConfig(input, inputName)).toThrow(expect.objectContaining({ code: 'KB904', line: 2 }));
  });

  test('Helm: missing runners.config, invalid YAML', () => {
    expect(() => annotateRunnerConfig('runners:\n  tags: x\n', 'values.yaml')).toThrow(
      expect.objectContaining({ code: 'KB904' }),
    );
    expect(() => annotateRunnerConfig('gitlabUrl: x\n', 'values.yaml')).toThrow(
      expect.objectContaining({ code: 'KB904' }),
    );
    expect(() => annotateRunnerConfig('runners:\n  config: |\n    x\n   bad: [\n', 'values.yml')).toThrow(
      expect.objectContaining({ code: 'KB906' }),
    );
  });
});

describe('annotateRunnerConfig: Helm block scalar edges', () => {
  const expectHelm = (input: string, expected: string) => {
    const r = annotateRunnerConfig(input, 'values.yaml');
    expect(r.output).toBe(expected);
    expectOnlyChangesAdded(tomlOf(input, 'values.yaml'), tomlOf(r.output, 'values.yaml'), [0]);
    expect(annotateRunnerConfig(r.output, 'values.yaml').changed).toBe(false);
  };
  const added = (indent: string) =>
    `${indent}[runners.kubernetes.pod_annotations]\n${indent}  "container.apparmor.security.beta.kubernetes.io/build" = "unconfined"`;

  test("runner ends on the block's last line, another key follows", () => {
    expectHelm(
      'runners:\n  config: |\n    [[runners]]\n      executor = "kubernetes"\n  tags: x\n',
      `runners:\n  config: |\n    [[runners]]\n      executor = "kubernetes"\n${added('      ')}\n  tags: x\n`,
    );
  });

  test('block at the end of a file without a final newline', () => {
    expectHelm(
      'runners:\n  config: |\n    [[runners]]\n      executor = "kubernetes"',
      `runners:\n  config: |\n    [[runners]]\n      executor = "kubernetes"\n${added('      ')}`,
    );
  });

  test('explicit indentation indicator and trailing blank lines kept (|+)', () => {
    expectHelm(
      'runners:\n  config: |+2\n      [[runners]]\n        executor = "kubernetes"\n\n  tags: x\n',
      `runners:\n  config: |+2\n      [[runners]]\n        executor = "kubernetes"\n${added('        ')}\n\n  tags: x\n`,
    );
  });

  test("a runner with another executor in Helm is left alone; one without executor is Kubernetes (the chart's default)", () => {
    const r = annotateRunnerConfig('runners:\n  config: |\n    [[runners]]\n      executor = "shell"\n', 'values.yaml');
    expect(r.changed).toBe(false);
    expect(r.findings.map((f) => f.code)).toEqual(['KB903']);
    const s = annotateRunnerConfig('runners:\n  config: |\n    [[runners]]\n', 'values.yaml');
    expect(s.output).toBe(`runners:\n  config: |\n    [[runners]]\n${added('      ')}\n`);
  });

  test('folded runners.config is refused (KB904)', () => {
    expect(() => annotateRunnerConfig('runners:\n  config: >\n    [[runners]]\n', 'values.yaml')).toThrow(
      expect.objectContaining({ code: 'KB904' }),
    );
  });
});

test('runner-config adds exactly the security_opt that KB808 (and the merge request text) tells a person to set', async () => {
  const { DOCKER_SECURITY_OPT: told } = await import('../../src/findings/codes/kb8-doctor.js');
  const { DOCKER_SECURITY_OPT: added } = await import('../../src/runner-config/index.js');
  expect(told).toBe(`security_opt = [${added.map((a) => JSON.stringify(a)).join(', ')}]`);
});
