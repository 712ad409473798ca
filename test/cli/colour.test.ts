/** Colour: --color/--no-color on every command, FORCE_COLOR both ways, NO_COLOR, and one diff style. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { colourLevel } from '../../src/cli/io.js';
import { KANIKO_JOB, runCli, tempRepo } from '../helpers.js';

const ANSI = /\u001b\[/;
const fixture = (...p: string[]) => readFileSync(join(process.cwd(), 'fixtures', ...p), 'utf8');

describe('colourLevel', () => {
  const tty = { isTTY: true, env: {} };
  const pipe = { isTTY: false, env: {} };
  test.each([
    ['a terminal', tty, undefined, 1],
    ['a pipe', pipe, undefined, 0],
    ['TERM=dumb', { isTTY: true, env: { TERM: 'dumb' } }, undefined, 0],
    ['NO_COLOR=1 on a terminal', { isTTY: true, env: { NO_COLOR: '1' } }, undefined, 0],
    ['NO_COLOR empty (not set, as no-color.org says)', { isTTY: true, env: { NO_COLOR: '' } }, undefined, 1],
    ['FORCE_COLOR=0 on a terminal', { isTTY: true, env: { FORCE_COLOR: '0' } }, undefined, 0],
    ['FORCE_COLOR=false on a terminal', { isTTY: true, env: { FORCE_COLOR: 'false' } }, undefined, 0],
    ['FORCE_COLOR=1 on a pipe', { isTTY: false, env: { FORCE_COLOR: '1' } }, undefined, 1],
    ['FORCE_COLOR=2 on a pipe', { isTTY: false, env: { FORCE_COLOR: '2' } }, undefined, 2],
    ['FORCE_COLOR=3 on a pipe', { isTTY: false, env: { FORCE_COLOR: '3' } }, undefined, 3],
    ['FORCE_COLOR empty on a pipe', { isTTY: false, env: { FORCE_COLOR: '' } }, undefined, 1],
    ['FORCE_COLOR=1 beats NO_COLOR', { isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }, undefined, 1],
    ['--color on a pipe', pipe, true, 1],
    ['--color beats NO_COLOR', { isTTY: false, env: { NO_COLOR: '1' } }, true, 1],
    ['--color keeps the FORCE_COLOR level', { isTTY: false, env: { FORCE_COLOR: '3' } }, true, 3],
    ['--no-color beats FORCE_COLOR=1', { isTTY: true, env: { FORCE_COLOR: '1' } }, false, 0],
  ] as const)('%s', (_name, io, flag, level) => {
    expect(colourLevel(io, flag)).toBe(level);
  });
});

describe('every command accepts --color and --no-color', () => {
  const root = tempRepo({
    '.gitlab-ci.yml': KANIKO_JOB,
    Dockerfile: 'FROM scratch\n',
    'job.log': 'Job succeeded\n',
    'config.toml': fixture('runner-config', 'crlf', 'input.toml'),
  });
  const commands: Array<[string, string[]]> = [
    ['migrate', ['migrate', '--dry-run', '.']],
    ['explain', ['explain', 'KB204']],
    ['doctor', ['doctor', 'job.log']],
    ['runner-config', ['runner-config', '--dry-run', 'config.toml']],
    ['report merge', ['report', 'merge', 'no-such-report.json']],
    ['gitlab', ['gitlab', '--url', 'https://gitlab.example.com', '--group', 'g']],
    ['compare', ['compare', 'not a reference', 'localhost:1/x:1']],
  ];
  test.each(commands.flatMap(([name, args]) => ['--color', '--no-color'].map((f) => [name, f, args] as const)))(
    '%s %s',
    async (_name, flag, args) => {
      const r = await runCli([...args, flag], { cwd: root });
      expect(r.stderr).not.toMatch(/unknown option/);
      if (flag === '--no-color') expect(r.stdout + r.stderr).not.toMatch(ANSI);
    },
  );
});

describe('FORCE_COLOR and NO_COLOR when stdout is not a terminal', () => {
  const root = () =>
    tempRepo({
      '.gitlab-ci.yml': KANIKO_JOB,
      Dockerfile: 'FROM scratch\n',
      'config.toml': fixture('runner-config', 'crlf', 'input.toml'),
    });

  test('migrate: FORCE_COLOR=1 colours the diff, FORCE_COLOR=0 does not, NO_COLOR is still respected', async () => {
    const cwd = root();
    expect((await runCli(['migrate', '--dry-run', '.'], { cwd, env: { FORCE_COLOR: '1' } })).stdout).toMatch(ANSI);
    expect((await runCli(['migrate', '--dry-run', '.'], { cwd, env: { FORCE_COLOR: '0' } })).stdout).not.toMatch(ANSI);
    expect((await runCli(['migrate', '--dry-run', '.'], { cwd, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    expect((await runCli(['migrate', '--dry-run', '--color', '.'], { cwd, env: { NO_COLOR: '1' } })).stdout).toMatch(
      ANSI,
    );
  });

  test('an --output file gets no colour from FORCE_COLOR (it is no stream)', async () => {
    const cwd = root();
    await runCli(['migrate', '--check', '--output', 'report.txt', '.'], { cwd, env: { FORCE_COLOR: '1' } });
    expect(readFileSync(join(cwd, 'report.txt'), 'utf8')).not.toMatch(ANSI);
  });

  test('doctor: FORCE_COLOR=1 colours the diagnosis', async () => {
    const log = 'fixtures/doctor/seed-apparmor.log';
    expect((await runCli(['doctor', log], { env: { FORCE_COLOR: '1' } })).stdout).toMatch(ANSI);
    expect((await runCli(['doctor', log], { env: {} })).stdout).not.toMatch(ANSI);
  });

  test('runner-config --dry-run: the diff migrate prints (git style, coloured the same way)', async () => {
    const cwd = root();
    const rc = await runCli(['runner-config', '--dry-run', 'config.toml'], { cwd, env: { FORCE_COLOR: '1' } });
    const mg = await runCli(['migrate', '--dry-run', '.'], { cwd, env: { FORCE_COLOR: '1' } });
    const bold = (s: string) => `\u001b[1m${s}\u001b[22m`;
    expect(rc.stdout).toContain(`${bold('--- a/config.toml')}\n${bold('+++ b/config.toml')}\n\u001b[36m@@ `);
    expect(mg.stdout).toContain(`${bold('--- a/.gitlab-ci.yml')}\n${bold('+++ b/.gitlab-ci.yml')}\n\u001b[36m@@ `);
    expect(rc.stdout).toContain('\u001b[32m+    [runners.kubernetes.pod_annotations]');
    expect(rc.stdout).not.toContain('====');
    const plain = await runCli(['runner-config', '--dry-run', 'config.toml'], { cwd });
    expect(plain.stdout).toMatch(/^--- a\/config\.toml\n\+\+\+ b\/config\.toml\n@@ /);
  });
});
