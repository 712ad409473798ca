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

describe('a log with no known failure: the error lines it shows, with the nearest advice', () => {
  const GITLAB = [
    '$ buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=.',
    '#7 [2/3] COPY docker-entrypoint.sh /',
  ];
  const run = async (lines: string[], format = 'text') => {
    const f = fakeIo([...GITLAB, ...lines, 'ERROR: Job failed: exit code 1'].join('\n'));
    const code = await runDoctor({ format }, f.io);
    return { code, out: f.out(), err: f.err() };
  };

  test('a file missing from the build context (moby/buildkit#4128)', async () => {
    const line =
      'failed to solve: failed to compute cache key: failed to calculate checksum of ref pzhz5wxhfuk4nt6gvf90y7xb3::uydm9wxbcjq4otmpf0mm502cn: "/docker-entrypoint.sh": not found';
    const r = await run([line]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('stdin: no known failure found; the error lines it shows:\n\nstdin:3\n');
    expect(r.out).toContain(`    > ${line}\n`);
    expect(r.out).toContain('    /docker-entrypoint.sh is not in the build context: BuildKit sends the folder of');
    expect(r.out).not.toContain('Job failed'); // the runner's own last line says nothing
    expect(r.out).not.toBe('stdin: no known failure found\n');
  });

  test('a FROM image not found or not reached (drawdb-io/drawdb#293)', async () => {
    const r = await run([
      'ERROR: failed to solve: node:20-alpine: failed to resolve source metadata for docker.io/library/node:20-alpine: failed to do request: Head "https://dockerproxy.com/v2/library/node/manifests/20-alpine?ns=docker.io": read tcp 192.168.127.130:44148->150.136.252.237:443: read: connection reset by peer',
    ]);
    expect(r.out).toContain('The base image docker.io/library/node:20-alpine of a FROM line was not found or not');
  });

  test('a RUN step that failed: its output is above; the same advice is given once', async () => {
    const r = await run([
      '#11 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
      'error: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
    ]);
    expect(r.out).toContain('A RUN step (/bin/sh -c npm ci) exited with 1: its own output is in the lines above');
    expect(r.out).toContain('stdin:4\n    > error: failed to solve: process');
    expect(r.out).toContain('    (the same as line 3)');
  });

  test('json: the error lines with their hints, beside the (empty) diagnoses', async () => {
    const r = await run(
      ['error: failed to solve: failed to calculate checksum of ref a::b: "/go.sum": not found'],
      'json',
    );
    const body = JSON.parse(r.out) as { diagnoses: unknown[]; errors: Array<{ line: number; hint: string }> };
    expect(body.diagnoses).toEqual([]);
    expect(body.errors).toEqual([
      expect.objectContaining({ line: 3, hint: expect.stringMatching(/^\/go\.sum is not in the build context/) }),
    ]);
  });

  test('a job that succeeded has no error lines; nor has a registry cache not found on its first import', async () => {
    const cacheMiss = [
      '#4 importing cache manifest from registry.example.com/app/cache:buildkit',
      '#4 ERROR: registry.example.com/app/cache:buildkit: not found',
    ];
    expect((await run(cacheMiss)).out).toBe('stdin: no known failure found\n');
    const f = fakeIo('error: something went wrong and was retried\nJob succeeded\n');
    expect(await runDoctor({}, f.io)).toBe(0);
    expect(f.out()).toBe('stdin: no known failure found\n');
  });

  test('more error lines than are shown: the rest counted', async () => {
    const r = await run(Array.from({ length: 11 }, (_, i) => `time="x" level=error msg="step ${i} failed"`));
    expect(r.out).toContain('… and 3 more error lines (--format json lists them all)');
  });

  test('the nearest advice of each kind', async () => {
    const { hintFor } = await import('../../src/doctor/index.js');
    expect(hintFor('failed to fetch oauth token: unexpected status: 401 Unauthorized')).toEqual(
      expect.objectContaining({ see: 'KB805', hint: expect.stringContaining('401') }),
    );
    expect(hintFor('write /home/user/.local/share/buildkit/x: no space left on device').see).toBe('KB819');
    expect(hintFor('x509: certificate signed by unknown authority').hint).toContain('ca = ["/path/ca.crt"]');
    expect(hintFor('error: something nobody has seen')).toEqual({});
  });
});

describe('doctor with no log on a terminal', () => {
  test('no file and stdin a terminal: the usage on stderr, exit 2, stdin never read', async () => {
    let read = false;
    const f = fakeIo();
    const io = { ...f.io, stdinIsTTY: true, readStdin: async () => ((read = true), '') };
    expect(await runDoctor({ usage: 'Usage: kaniko2buildkit doctor [options] [log]\n' }, io)).toBe(2);
    expect(read).toBe(false);
    expect(f.err()).toBe(
      'kaniko2buildkit doctor: no job log: name a file, or pipe one in (… | kaniko2buildkit doctor)\n\nUsage: kaniko2buildkit doctor [options] [log]\n',
    );
    expect(f.out()).toBe('');
  });

  test('through the program: the whole help of the command', async () => {
    const f = fakeIo();
    const program = new Command('kaniko2buildkit').exitOverride();
    program.addCommand(doctorCommand({ ...f.io, stdinIsTTY: true }));
    await program.parseAsync(['doctor'], { from: 'user' });
    expect(f.codes).toEqual([2]);
    expect(f.err()).toContain('Usage: kaniko2buildkit doctor [options] [log]');
    expect(f.err()).toContain('--format <format>');
  });

  test('"-" on a terminal reads it, saying how to end the input', async () => {
    const f = fakeIo('Job succeeded\n');
    expect(await runDoctor({ log: '-' }, { ...f.io, stdinIsTTY: true })).toBe(0);
    expect(f.err()).toBe('kaniko2buildkit doctor: reading the job log from the terminal; end it with Ctrl-D\n');
    expect(f.out()).toBe('stdin: no known failure found\n');
  });
});
