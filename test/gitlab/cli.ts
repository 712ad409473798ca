/** Runs `kaniko2buildkit gitlab …` in-process (the command on its own, as the program would), capturing output. */
import { CommanderError } from 'commander';
import { gitlabCommand, type GitLabDeps } from '../../src/cli/gitlab.js';
import type { CliIO } from '../../src/cli/io.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every output of every run, for the final "the token never appears" check. */
export const outputs: string[] = [];

export async function gitlab(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; deps?: GitLabDeps; isTTY?: boolean } = {},
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
  const cmd = gitlabCommand(io, (c) => void (code = c), opts.deps)
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
