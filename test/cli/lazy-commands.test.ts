/**
 * The program loads only the module of the command it runs (src/cli/main.ts): the others stand in with the usage
 * term and help line of its COMMANDS table. That table must say what the modules say, so that `--help` lists the
 * commands as it did when every module was loaded; and `CMD --help` still prints the command's own full help.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Help } from 'commander';
import { COMMANDS, program } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { runCli } from '../helpers.js';

const io: CliIO = { stdout: () => {}, stderr: () => {}, readStdin: async () => '', cwd: '/', env: {}, isTTY: false };
const helpOf = (c: Command) => {
  c.configureOutput({ getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 });
  return c.helpInformation();
};

test.each(COMMANDS.map((c) => [c.name, c] as const))('%s: its stand-in shows what its module says', async (_, c) => {
  const real = await c.load({ io, done: () => {}, commandIo: { ...io, setExitCode: () => {} } });
  expect(real.name()).toBe(c.name);
  expect(c.term).toBe(new Help().subcommandTerm(real));
  expect(c.listed).toBe(real.summary() || real.description());
});

test("the program's help is the same with no command module loaded as with all of them", async () => {
  const lazy = await program([], io, () => {});
  const eager = await program(
    COMMANDS.map((c) => c.name),
    io,
    () => {},
  );
  expect(lazy.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
  expect(helpOf(lazy)).toBe(helpOf(eager));
  for (const c of COMMANDS) expect(helpOf(lazy)).toContain(c.name);
});

test('CMD --help and help CMD print the full help of the command (its options), exit 0', async () => {
  const r = await runCli(['migrate', '--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('--dry-run');
  expect(r.stdout).toContain('Exit status:');
  const h = await runCli(['help', 'runner-config']);
  expect(h.code).toBe(0);
  expect(h.stdout).toContain('Usage: kaniko2buildkit runner-config [options] <file>');
});

test('a mistyped command is still answered with the command it resembles', async () => {
  const r = await runCli(['migrat']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('(Did you mean migrate?)');
});

test("bin/'s --version and -V (answered before the program loads) print what the program's --version prints", async () => {
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'kaniko2buildkit.js');
  const program = await runCli(['--version']);
  expect(program.code).toBe(0);
  for (const flag of ['--version', '-V']) {
    const r = spawnSync(process.execPath, [bin, flag], { encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 0,
      stdout: program.stdout,
      stderr: '',
    });
  }
});
