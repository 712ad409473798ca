/** Runs `kaniko2buildkit report …` in-process (the command on its own, as the program would), capturing output. */
import { CommanderError } from 'commander';
import type { CliIO } from '../../src/cli/io.js';
import { reportCommand } from '../../src/cli/report.js';
import type { Run } from './cli.js';

export async function report(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => '',
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    isTTY: false,
  };
  const cmd = reportCommand(io, (c) => void (code = c))
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    await cmd.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = 2;
  }
  return { code, stdout, stderr };
}
