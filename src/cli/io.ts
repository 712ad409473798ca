/** What a command may touch of the outside world; tests pass their own. */
import { Chalk, type ChalkInstance } from 'chalk';
import { Option } from 'commander';
import { terminalSafe } from '../text/printable.js';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Is stdout a terminal? (colour and progress default to on only then) */
  isTTY: boolean;
  /** Is stdin a terminal? (`doctor` with no log then prints its usage instead of waiting for input) */
  stdinIsTTY?: boolean;
  /** Is stderr a terminal? (the progress bar is drawn there; absent: as stdout) */
  stderrIsTTY?: boolean;
}

export function processIO(): CliIO {
  return {
    // The last guard before a terminal: control characters that are not the tool's own colours and line controls are
    // escaped (src/text/printable.ts). Messages go to stderr, always guarded; stdout only when it is a terminal, so a
    // dry-run diff piped to `git apply` keeps the file's bytes.
    stdout: (s) => process.stdout.write(process.stdout.isTTY ? terminalSafe(s) : s),
    stderr: (s) => process.stderr.write(terminalSafe(s)),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    cwd: process.cwd(),
    env: process.env,
    isTTY: !!process.stdout.isTTY,
    stdinIsTTY: !!process.stdin.isTTY,
    stderrIsTTY: !!process.stderr.isTTY,
  };
}

/**
 * The colour level (0 none, 1 basic, 2 256 colours, 3 true colour), first rule that applies:
 * `--color` / `--no-color`; `FORCE_COLOR` (`0` or `false` off; `1`/`true`/empty, `2`, `3` on, even when not a
 * terminal, as Node and chalk read it); `NO_COLOR` set and not empty (no-color.org) off; else on only on a terminal
 * whose `TERM` is not `dumb`.
 */
export function colourLevel(io: Pick<CliIO, 'isTTY' | 'env'>, flag: boolean | undefined): 0 | 1 | 2 | 3 {
  if (flag !== undefined) return flag ? forcedLevel(io.env.FORCE_COLOR) || 1 : 0;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return forcedLevel(force);
  if (io.env.NO_COLOR) return 0;
  return io.isTTY && io.env.TERM !== 'dumb' ? 1 : 0;
}

function forcedLevel(value: string | undefined): 0 | 1 | 2 | 3 {
  if (value === undefined) return 0;
  const v = value.trim().toLowerCase();
  if (v === '0' || v === 'false') return 0;
  if (v === '2') return 2;
  if (v === '3') return 3;
  return 1;
}

/** A chalk at `colourLevel`: what every command colours its output with. */
export function colours(io: Pick<CliIO, 'isTTY' | 'env'>, flag: boolean | undefined): ChalkInstance {
  return new Chalk({ level: colourLevel(io, flag) });
}

/** For a report written to a file (`--output`): no colour unless `--color` asks for it (FORCE_COLOR is for streams). */
export function fileColours(flag: boolean | undefined): ChalkInstance {
  return new Chalk({ level: flag ? 1 : 0 });
}

/** `--color`, worded the same in every command's help (with `noColourOption`). */
export function colourOption(): Option {
  return new Option('--color', 'force colour (also: FORCE_COLOR=1)');
}

export function noColourOption(): Option {
  return new Option('--no-color', 'no colour (also: NO_COLOR=1, FORCE_COLOR=0)');
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
