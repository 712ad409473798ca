import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { doctorCommand, runDoctor, type CommandIo } from '../../src/cli/doctor.js';

const FIXTURES = join('fixtures', 'doctor');

function fakeIo(stdin: string | Error = '') {
  const out: string[] = [];
  const err: string[] = [];
  const codes: number[] = [];
  const io: CommandIo = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readStdin: () => (stdin instanceof Error ? Promise.reject(stdin) : Promise.resolve(stdin)),
    setExitCode: (c) => codes.push(c),
  };
  return { io, out: () => out.join(''), err: () => err.join(''), codes };
}

describe('runDoctor', () => {
  test('text: LOG:LINE  CODE  title, the matched line, then the fix indented; exit 1', async () => {
    const log = join(FIXTURES, 'apparmor-kubernetes.log');
    const f = fakeIo();
    expect(await runDoctor({ log }, f.io)).toBe(1);
    const text = f.out();
    expect(text).toContain(`${log}:17  KB802  buildkitd did not start`);
    expect(text).toContain(`${log}:19  KB801  AppArmor blocks the mounts rootless BuildKit needs (Kubernetes runner)`);
    expect(text).toContain('    > [rootlesskit:child ] error: failed to share mount point: /: permission denied\n');
    expect(text).toContain("    Fix:\n      Run the job's build container without AppArmor confinement.");
    expect(text).toContain(
      '        [runners.kubernetes.pod_annotations]\n          "container.apparmor.security.beta.kubernetes.io/build" = "unconfined"',
    );
    expect(text.indexOf('KB802')).toBeLessThan(text.indexOf('KB801'));
    expect(text).toMatch(/2 known failures found/);
    expect(f.err()).toBe('');
  });

  test('a clean log: "no known failure found", exit 0', async () => {
    const log = join(FIXTURES, 'success.log');
    const f = fakeIo();
    expect(await runDoctor({ log }, f.io)).toBe(0);
    expect(f.out()).toBe(`${log}: no known failure found\n`);
  });

  test('no argument or "-" reads standard input', async () => {
    const seed = readFileSync(join(FIXTURES, 'seed-proc-mount.log'), 'utf8');
    for (const log of [undefined, '-']) {
      const f = fakeIo(seed);
      expect(await runDoctor(log === undefined ? {} : { log }, f.io)).toBe(1);
      expect(f.out()).toContain('stdin:1  KB803  RUN step cannot mount /proc');
    }
  });

  test('json', async () => {
    const f = fakeIo();
    expect(await runDoctor({ log: join(FIXTURES, 'several.log'), format: 'json' }, f.io)).toBe(1);
    const parsed = JSON.parse(f.out()) as {
      log: string;
      diagnoses: Array<{ code: string; line: number; fix: string; lineText: string }>;
    };
    expect(parsed.diagnoses.map((d) => [d.code, d.line])).toEqual([
      ['KB816', 15],
      ['KB814', 19],
      ['KB805', 34],
    ]);
    expect(parsed.diagnoses[1]!.lineText).toBe('/bin/sh: eval: line 161: jq: not found');
  });

  test('unreadable input: exit 2', async () => {
    const missing = fakeIo();
    expect(await runDoctor({ log: join(FIXTURES, 'no-such.log') }, missing.io)).toBe(2);
    expect(missing.err()).toMatch(/cannot read .*no-such\.log/);
    expect(missing.out()).toBe('');

    const dir = fakeIo();
    expect(await runDoctor({ log: FIXTURES }, dir.io)).toBe(2);

    const stdin = fakeIo(new Error('stdin closed'));
    expect(await runDoctor({}, stdin.io)).toBe(2);
    expect(stdin.err()).toContain('cannot read stdin: stdin closed');

    const binary = fakeIo('\0\0ELF');
    expect(await runDoctor({}, binary.io)).toBe(2);

    const badFormat = fakeIo();
    expect(await runDoctor({ log: join(FIXTURES, 'success.log'), format: 'xml' }, badFormat.io)).toBe(2);
  });
});

describe('doctorCommand wired into a program', () => {
  test('parses [LOG] and --format, hands the exit code over', async () => {
    const f = fakeIo();
    const program = new Command('kaniko2buildkit').exitOverride();
    program.addCommand(doctorCommand(f.io));
    await program.parseAsync(['doctor', join(FIXTURES, 'http-registry.log'), '--format', 'json'], { from: 'user' });
    expect(f.codes).toEqual([1]);
    expect(JSON.parse(f.out()).diagnoses[0].code).toBe('KB806');
  });

  test('stdin when no argument; exit 0 on a clean log', async () => {
    const f = fakeIo('Job succeeded\n');
    const program = new Command('kaniko2buildkit').exitOverride();
    program.addCommand(doctorCommand(f.io));
    await program.parseAsync(['doctor'], { from: 'user' });
    expect(f.codes).toEqual([0]);
    expect(f.out()).toBe('stdin: no known failure found\n');
  });

  test('commander rejects an unknown --format', async () => {
    const f = fakeIo();
    const program = new Command('kaniko2buildkit').exitOverride();
    const cmd = doctorCommand(f.io)
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    program.addCommand(cmd);
    await expect(program.parseAsync(['doctor', '--format', 'xml'], { from: 'user' })).rejects.toThrow(
      /Allowed choices are text, json/,
    );
    expect(f.codes).toEqual([]);
  });
});
