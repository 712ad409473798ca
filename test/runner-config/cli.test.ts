import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'smol-toml';
import { runnerConfigCommand, runRunnerConfig } from '../../src/cli/runner-config.js';
import type { CommandIo } from '../../src/cli/doctor.js';

const FIXTURES = join(process.cwd(), 'fixtures', 'runner-config');
const KEY = 'container.apparmor.security.beta.kubernetes.io/build';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'k2b-runner-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const codes: number[] = [];
  const io: CommandIo = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readStdin: async () => '',
    setExitCode: (c) => codes.push(c),
  };
  return { io, out: () => out.join(''), err: () => err.join(''), codes };
}

function copyCase(name: string, input: string, as = input.replace('input', 'config')): string {
  const file = join(dir, as);
  copyFileSync(join(FIXTURES, name, input), file);
  return file;
}
const fixture = (name: string, file: string) => readFileSync(join(FIXTURES, name, file), 'utf8');

describe('runRunnerConfig', () => {
  test('writes the annotation, keeps the file mode; second run: already annotated', async () => {
    const file = copyCase('kubernetes-no-annotations-table', 'input.toml');
    chmodSync(file, 0o640);
    const first = fakeIo();
    expect(await runRunnerConfig({ file }, first.io)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(fixture('kubernetes-no-annotations-table', 'expected.toml'));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(first.out()).toBe(`${file}: annotated 1 Kubernetes runner (#1 "k8s-build")\n`);
    expect((parse(readFileSync(file, 'utf8')) as any).runners[0].kubernetes.pod_annotations[KEY]).toBe('unconfined'); // eslint-disable-line @typescript-eslint/no-explicit-any

    const second = fakeIo();
    expect(await runRunnerConfig({ file }, second.io)).toBe(0);
    expect(second.out()).toBe(`${file}: already annotated, no change\n`);
    expect(readFileSync(file, 'utf8')).toBe(fixture('kubernetes-no-annotations-table', 'expected.toml'));
  });

  test('--dry-run prints a unified diff and writes nothing', async () => {
    const file = copyCase('two-runners-docker-and-kubernetes', 'input.toml');
    const f = fakeIo();
    expect(await runRunnerConfig({ file, dryRun: true }, f.io)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(fixture('two-runners-docker-and-kubernetes', 'input.toml'));
    const out = f.out();
    // the git-style diff of `migrate --dry-run` (src/report/diff.ts): a/ and b/ prefixes, no "====" line
    expect(out).toContain(`--- a${file}\n+++ b${file}\n`);
    expect(out).not.toContain('====');
    expect(out).toContain('@@ -16,3 +16,5 @@'); // three lines of context, as migrate
    expect(out).toContain(
      '+    [runners.kubernetes.pod_annotations]\n+      "container.apparmor.security.beta.kubernetes.io/build" = "unconfined"\n',
    );
    expect(out).toContain('would annotate 1 Kubernetes runner (dry run, nothing written)');
  });

  test('Helm values.yaml', async () => {
    const file = copyCase('helm-values', 'input.yaml', 'values.yaml');
    const f = fakeIo();
    expect(await runRunnerConfig({ file }, f.io)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(fixture('helm-values', 'expected.yaml'));
  });

  test('CRLF file stays CRLF on disk', async () => {
    const file = copyCase('crlf', 'input.toml');
    expect(await runRunnerConfig({ file }, fakeIo().io)).toBe(0);
    expect(readFileSync(file)).toEqual(readFileSync(join(FIXTURES, 'crlf', 'expected.toml')));
  });

  test('invalid TOML: exit 2, line:column on stderr, file untouched', async () => {
    const file = copyCase('invalid-toml', 'input.toml');
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const f = fakeIo();
    expect(await runRunnerConfig({ file }, f.io)).toBe(2);
    expect(f.err()).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: KB902 invalid TOML: .*; nothing written\\n$`),
    );
    expect(f.out()).toBe('');
    expect(readFileSync(file)).toEqual(before);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  test('another value: reported (KB901), kept, the other runner annotated, exit 1', async () => {
    const file = copyCase('other-value', 'input.toml');
    const f = fakeIo();
    expect(await runRunnerConfig({ file }, f.io)).toBe(1);
    expect(f.err()).toContain(`${file}:6  KB901  runner #1 ("k8s-hardened")`);
    expect(readFileSync(file, 'utf8')).toBe(fixture('other-value', 'expected.toml'));
  });

  test('missing file, Helm without a block config: exit 2', async () => {
    const f = fakeIo();
    expect(await runRunnerConfig({ file: join(dir, 'nope.toml') }, f.io)).toBe(2);
    expect(f.err()).toContain('cannot read');

    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'runners:\n  config: "[[runners]]"\n');
    const g = fakeIo();
    expect(await runRunnerConfig({ file: values }, g.io)).toBe(2);
    expect(g.err()).toContain('KB904');
    expect(readFileSync(values, 'utf8')).toBe('runners:\n  config: "[[runners]]"\n');
  });
});

describe('runnerConfigCommand wired into a program', () => {
  test('FILE --dry-run', async () => {
    const file = copyCase('annotations-table-exists', 'input.toml');
    const f = fakeIo();
    const program = new Command('kaniko2buildkit').exitOverride();
    program.addCommand(runnerConfigCommand(f.io));
    await program.parseAsync(['runner-config', file, '--dry-run'], { from: 'user' });
    expect(f.codes).toEqual([0]);
    expect(f.out()).toContain('+      "container.apparmor.security.beta.kubernetes.io/build" = "unconfined"');
    expect(readFileSync(file, 'utf8')).toBe(fixture('annotations-table-exists', 'input.toml'));

    const g = fakeIo();
    const p2 = new Command('kaniko2buildkit').exitOverride();
    p2.addCommand(runnerConfigCommand(g.io));
    await p2.parseAsync(['runner-config', file], { from: 'user' });
    expect(g.codes).toEqual([0]);
    expect(readFileSync(file, 'utf8')).toBe(fixture('annotations-table-exists', 'expected.toml'));
  });
});
