/** What a command may touch of the outside world; tests pass their own. */
import { Chalk, type ChalkInstance } from 'chalk';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Is stdout a terminal? (colour and progress default to on only then) */
  isTTY: boolean;
}

export function processIO(): CliIO {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    cwd: process.cwd(),
    env: process.env,
    isTTY: !!process.stdout.isTTY,
  };
}

/** Colour on a terminal unless NO_COLOR is set; `--color` / `--no-color` decide when given. */
export function colours(io: CliIO, flag: boolean | undefined): ChalkInstance {
  const on = flag ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
  return new Chalk({ level: on ? 1 : 0 });
}

/** Exit codes, the same for every command. */
export const EXIT = {
  ok: 0,
  /** `--check`: something would change (or a finding at the chosen level exists); `doctor`: a known failure found. */
  pending: 1,
  /** Usage errors, unreadable or invalid input. */
  input: 2,
} as const;

export class UsageError extends Error {}
