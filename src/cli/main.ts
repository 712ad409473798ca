/** The `kaniko2buildkit` program: one commander program, one file per command, one set of exit codes. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { doctorCommand } from './doctor.js';
import { explainCommand } from './explain.js';
import { EXIT, processIO, type CliIO } from './io.js';
import { migrateCommand, type RecursiveRunner } from './migrate.js';
import { runnerConfigCommand } from './runner-config.js';
import { gitlabCommand } from './gitlab.js';
import { reportCommand } from './report.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let code: number = EXIT.ok;
  const done = (c: number) => {
    code = c;
  };
  const program = new Command('kaniko2buildkit')
    .description('Migrate GitLab CI Kaniko image builds to rootless BuildKit (buildctl-daemonless.sh), surgically.')
    .version(version(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  const commandIo = { ...io, setExitCode: done };
  // `migrate --recursive` is loaded when asked for (and so is not imported by cli/migrate.ts, which it imports)
  const recursive: RecursiveRunner = async (dir, flags, cio) =>
    (await import('./recursive.js')).runRecursive(dir, flags, cio);
  program.addCommand(migrateCommand(io, done, recursive));
  program.addCommand(explainCommand(io, done));
  program.addCommand(doctorCommand(commandIo));
  program.addCommand(runnerConfigCommand(commandIo));
  program.addCommand(gitlabCommand(io, done));
  program.addCommand(reportCommand(io, done));
  program.addCommand((await import('./compare.js')).compareCommand(io, done));
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return EXIT.ok;
      return EXIT.input;
    }
    io.stderr(`kaniko2buildkit: ${(e as Error).stack ?? String(e)}\n`);
    return 3;
  }
  return code;
}
