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
    expect(first.out()).toBe(
      `${file}:9  runner #1 "k8s-build" (kubernetes): added the AppArmor pod annotation "${KEY}" = "unconfined"\n` +
        `${file}: 1 runner changed\n`,
    );
    expect((parse(readFileSync(file, 'utf8')) as any).runners[0].kubernetes.pod_annotations[KEY]).toBe('unconfined'); // eslint-disable-line @typescript-eslint/no-explicit-any

    const second = fakeIo();
    expect(await runRunnerConfig({ file }, second.io)).toBe(0);
    expect(second.out()).toBe(
      `${file}:34  runner #1 "k8s-build" (kubernetes): already has the AppArmor pod annotation; nothing to add\n` +
        `${file}: no change: already set up for rootless BuildKit\n`,
    );
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
    expect(out).toContain('@@ -16,3 +17,5 @@'); // three lines of context, as migrate
    expect(out).toContain(
      '+    [runners.kubernetes.pod_annotations]\n+      "container.apparmor.security.beta.kubernetes.io/build" = "unconfined"\n',
    );
    expect(out).toContain(
      `${file}:7  runner #1 "docker-shell" (docker): would add "seccomp:unconfined", "apparmor:unconfined" to [runners.docker] security_opt\n`,
    );
    expect(out).toContain(`${file}: 2 runners would change (dry run, nothing written)\n`);
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

describe('what runner-config says for each runner', () => {
  const run = async (toml: string, dryRun = false) => {
    const file = join(dir, 'config.toml');
    writeFileSync(file, toml);
    const f = fakeIo();
    const code = await runRunnerConfig({ file: 'config.toml', dryRun }, { ...f.io, cwd: dir });
    return { code, out: f.out(), err: f.err(), after: readFileSync(file, 'utf8') };
  };

  test('a file with no runner it can help: exit 0 and a clear line (no ":0" finding)', async () => {
    const r = await run('[[runners]]\n  name = "build-host"\n  executor = "shell"\n');
    expect(r).toEqual({
      code: 0,
      out:
        'config.toml:1  runner #1 "build-host" (shell): nothing to set for a shell executor (BuildKit jobs need Docker or Kubernetes)\n' +
        'config.toml: no Docker or Kubernetes runner among 1 runner; nothing to change\n',
      err: '',
      after: '[[runners]]\n  name = "build-host"\n  executor = "shell"\n',
    });
    const none = await run('concurrent = 2\n');
    expect([none.code, none.out, none.err]).toEqual([0, 'config.toml: no [[runners]] entry; nothing to change\n', '']);
  });

  test('a Docker runner gets the security options (KB808), the others their line; a second run changes nothing', async () => {
    const toml = [
      '[[runners]]',
      '  name = "docker"',
      '  executor = "docker"',
      '  [runners.docker]',
      '    image = "alpine:3.20"',
      '[[runners]]',
      '  name = "dind"',
      '  executor = "docker"',
      '  [runners.docker]',
      '    privileged = true',
      '[[runners]]',
      '  name = "win"',
      '  executor = "docker-windows"',
      '',
    ].join('\n');
    const r = await run(toml);
    expect(r.code).toBe(0);
    expect(r.after).toBe(
      toml.replace(
        'alpine:3.20"\n',
        'alpine:3.20"\n    security_opt = ["seccomp:unconfined", "apparmor:unconfined"]\n',
      ),
    );
    expect(r.out).toBe(
      [
        'config.toml:4  runner #1 "docker" (docker): added "seccomp:unconfined", "apparmor:unconfined" to [runners.docker] security_opt',
        'config.toml:10  runner #2 "dind" (docker): privileged = true runs rootless BuildKit as it is; nothing to add',
        'config.toml:11  runner #3 "win" (docker-windows): Windows containers cannot run BuildKit\'s Linux image; nothing to set',
        'config.toml: 1 of 3 runners changed',
        '',
      ].join('\n'),
    );
    const again = await run(r.after);
    expect(again.out).toContain(
      'config.toml:6  runner #1 "docker" (docker): security_opt already has seccomp and apparmor unconfined',
    );
    expect(again.out).toContain('config.toml: no change: already set up for rootless BuildKit\n');
  });

  test('another profile (KB907) or no-new-privileges (KB908): on stderr, exit 1, the other runners still changed', async () => {
    const r = await run(
      [
        '[[runners]]',
        '  executor = "docker"',
        '  [runners.docker]',
        '    security_opt = ["seccomp=/etc/docker/ci.json"]',
        '[[runners]]',
        '  executor = "docker"',
        '  [runners.docker]',
        '    security_opt = ["no-new-privileges"]',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'config.toml:4  KB907  runner #1: security_opt holds "seccomp=/etc/docker/ci.json"; left unchanged\n' +
        'config.toml:8  KB908  runner #2: security_opt holds no-new-privileges, which stops newuidmap (KB817); remove it for rootless BuildKit\n',
    );
    expect(r.out).toContain('runner #1 (docker): left unchanged: "seccomp=/etc/docker/ci.json" is set (KB907)');
    expect(r.after).toContain('security_opt = ["no-new-privileges", "seccomp:unconfined", "apparmor:unconfined"]');
  });
});
