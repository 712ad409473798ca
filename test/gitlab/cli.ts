/** Runs `kaniko2buildkit gitlab …` or `report …` in-process (the command on its own, as the program would), capturing output. */
import { CommanderError, type Command } from 'commander';
import { gitlabCommand, type GitLabDeps } from '../../src/cli/gitlab.js';
import type { CliIO } from '../../src/cli/io.js';
import { reportCommand } from '../../src/cli/report.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every output of every run, for the final "the token never appears" check. */
export const outputs: string[] = [];

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  isTTY?: boolean;
}

/** One command made for `io`, run on `args`; a commander usage error is exit 2, as the program reports it. */
async function runCommand(
  make: (io: CliIO, done: (code: number) => void) => Command,
  args: string[],
  opts: RunOptions,
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readStdin: async () => '',
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    isTTY: !!opts.isTTY,
  };
  const cmd = make(io, (c) => void (code = c))
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    await cmd.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = 2;
  }
  outputs.push(stdout, stderr);
  return { code, stdout, stderr };
}

export function gitlab(args: string[], opts: RunOptions & { deps?: GitLabDeps } = {}): Promise<Run> {
  return runCommand((io, done) => gitlabCommand(io, done, opts.deps), args, opts);
}

export function report(args: string[], opts: Omit<RunOptions, 'isTTY'> = {}): Promise<Run> {
  return runCommand(reportCommand, args, opts);
}
