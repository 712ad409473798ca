/** doctor and runner-config through the whole program (src/cli/main.ts), as a user runs them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempRepo } from '../helpers.js';

const fixture = (...p: string[]) => readFileSync(join(process.cwd(), 'fixtures', ...p), 'utf8');

test('kaniko2buildkit doctor LOG: exit 1 and the diagnosis', async () => {
  const r = await runCli(['doctor', 'fixtures/doctor/seed-apparmor.log']);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('fixtures/doctor/seed-apparmor.log:3  KB801  AppArmor blocks the mounts');
});

test('kaniko2buildkit doctor with stdin; a clean log exits 0', async () => {
  const r = await runCli(['doctor', '-'], { stdin: fixture('doctor', 'success.log') });
  expect(r).toEqual({ code: 0, stdout: 'stdin: no known failure found\n', stderr: '' });
});

test('kaniko2buildkit doctor on a missing file exits 2', async () => {
  const r = await runCli(['doctor', 'no/such.log']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('cannot read no/such.log');
});

test('kaniko2buildkit runner-config FILE (relative to the cwd), then again', async () => {
  const cwd = tempRepo({ 'runner/config.toml': fixture('runner-config', 'crlf', 'input.toml') });
  const dry = await runCli(['runner-config', 'runner/config.toml', '--dry-run'], { cwd });
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain('+    [runners.kubernetes.pod_annotations]');
  expect(readFileSync(join(cwd, 'runner/config.toml'), 'utf8')).toBe(fixture('runner-config', 'crlf', 'input.toml'));

  const write = await runCli(['runner-config', 'runner/config.toml'], { cwd });
  expect(write.code).toBe(0);
  expect(readFileSync(join(cwd, 'runner/config.toml'), 'utf8')).toBe(fixture('runner-config', 'crlf', 'expected.toml'));

  const again = await runCli(['runner-config', 'runner/config.toml'], { cwd });
  expect(again).toEqual({
    code: 0,
    stdout:
      'runner/config.toml:9  runner #1 "windows-edited" (kubernetes): already has the AppArmor pod annotation; nothing to add\n' +
      'runner/config.toml: no change: already set up for rootless BuildKit\n',
    stderr: '',
  });
});

test('kaniko2buildkit runner-config on invalid TOML exits 2', async () => {
  const cwd = tempRepo({ 'config.toml': fixture('runner-config', 'invalid-toml', 'input.toml') });
  const r = await runCli(['runner-config', 'config.toml'], { cwd });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^config\.toml:5:\d+: KB902 invalid TOML: /);
});
