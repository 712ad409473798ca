/**
 * `kaniko2buildkit doctor [LOG|-]`: explain a failed BuildKit job log.
 *
 * Wiring: `program.addCommand(doctorCommand(io))`. The action hands its exit code to `io.setExitCode`
 * (default: sets `process.exitCode`); call `runDoctor` directly to get the code as a value.
 *
 * Exit codes: 0 no known failure found, 1 at least one diagnosis, 2 unreadable input or bad option.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Chalk, type ChalkInstance } from 'chalk';
import { Command, Option } from 'commander';
import type { Diagnosis, ErrorLine } from '../doctor/index.js';
import { severityColour } from '../report/style.js';
import { colourOption, colours, noColourOption } from './io.js';

const NO_COLOUR = new Chalk({ level: 0 });
const USAGE = 'Usage: kaniko2buildkit doctor [options] [log]\n';

/** What a command needs from the outside world; tests pass fakes. `stdout`/`stderr` get whole chunks, newlines included. */
export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  /** Receives the command's exit code when it is run through commander. Default: `process.exitCode = code`. */
  setExitCode?: (code: number) => void;
  /** Relative paths are resolved against this (default: the process's working directory). */
  cwd?: string;
  /** The environment (`NO_COLOR`, `FORCE_COLOR`, `TERM`); default: none, so no colour unless asked for. */
  env?: NodeJS.ProcessEnv;
  /** Is stdout a terminal (colour by default)? Default false. */
  isTTY?: boolean;
  /** Is stdin a terminal? `doctor` without a log then prints its usage instead of waiting. Default false. */
  stdinIsTTY?: boolean;
}

/** The chalk a command colours its text with: `--color`/`--no-color`, else FORCE_COLOR, NO_COLOR, the terminal. */
export function commandColours(io: Pick<CommandIo, 'env' | 'isTTY'>, flag: boolean | undefined): ChalkInstance {
  return colours({ env: io.env ?? {}, isTTY: io.isTTY ?? false }, flag);
}

export const DOCTOR_EXIT = { noKnownFailure: 0, diagnosed: 1, unreadable: 2 } as const;

export interface DoctorArgs {
  /** A log file path; `-` or undefined reads standard input. */
  log?: string;
  /** `text` (default) or `json`. */
  format?: string;
  /** `--color` (true) / `--no-color` (false); undefined: FORCE_COLOR, NO_COLOR and the terminal decide. */
  color?: boolean;
  /** The command's help, printed when there is no log to read (no file, and stdin is a terminal). */
  usage?: string;
}

export function setExitCodeDefault(code: number): void {
  process.exitCode = code;
}

export async function runDoctor(args: DoctorArgs, io: CommandIo): Promise<number> {
  const format = args.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.stderr(`kaniko2buildkit doctor: unknown --format ${JSON.stringify(format)} (use text or json)\n`);
    return DOCTOR_EXIT.unreadable;
  }
  const fromStdin = args.log === undefined || args.log === '-';
  const name = fromStdin ? 'stdin' : args.log!;
  if (fromStdin && io.stdinIsTTY) {
    if (args.log === undefined) {
      // nothing piped in and no file: waiting silently for a terminal to type a log helps nobody
      io.stderr(
        `kaniko2buildkit doctor: no job log: name a file, or pipe one in (… | kaniko2buildkit doctor)\n\n${args.usage ?? USAGE}`,
      );
      return DOCTOR_EXIT.unreadable;
    }
    io.stderr('kaniko2buildkit doctor: reading the job log from the terminal; end it with Ctrl-D\n');
  }
  let log: string;
  try {
    log = fromStdin ? await io.readStdin() : await readFile(resolve(io.cwd ?? process.cwd(), args.log!), 'utf8');
  } catch (e) {
    io.stderr(`kaniko2buildkit doctor: cannot read ${name}: ${(e as Error).message}\n`);
    return DOCTOR_EXIT.unreadable;
  }
  if (log.includes('\0')) {
    io.stderr(`kaniko2buildkit doctor: ${name} is not a text log\n`);
    return DOCTOR_EXIT.unreadable;
  }

  // loaded here, not at start-up: `--version` and the other commands do not pay for the log patterns
  const { diagnose, errorLines } = await import('../doctor/index.js');
  const diagnoses = diagnose(log);
  const errors = errorLines(log, diagnoses);
  if (format === 'json') {
    io.stdout(JSON.stringify({ log: name, diagnoses, errors }, null, 2) + '\n');
  } else {
    io.stdout(formatText(name, diagnoses, commandColours(io, args.color), errors));
  }
  return diagnoses.length ? DOCTOR_EXIT.diagnosed : DOCTOR_EXIT.noKnownFailure;
}

/** Words joined into lines of at most `width` characters (a longer word stays whole). */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

/** At most this many error lines are quoted when no known failure explains the log. */
export const ERROR_LINES_SHOWN = 8;

/**
 * The text report: each diagnosis with its line and fix; or, when there is none, the error lines the log shows (at
 * most ERROR_LINES_SHOWN), each with the nearest advice doctor has.
 */
export function formatText(
  name: string,
  diagnoses: readonly Diagnosis[],
  c: ChalkInstance = NO_COLOUR,
  errors: readonly ErrorLine[] = [],
): string {
  if (!diagnoses.length && !errors.length) return `${name}: no known failure found\n`;
  if (!diagnoses.length) {
    const out = [`${name}: no known failure found; the error lines it shows:`, ''];
    const hinted = new Map<string, number>();
    for (const e of errors.slice(0, ERROR_LINES_SHOWN)) {
      out.push(`${name}:${e.line}`);
      out.push(severityColour(c, 'error')(`    > ${e.text}`));
      const first = e.hint === undefined ? undefined : hinted.get(e.hint);
      if (first !== undefined) out.push(c.dim(`    (the same as line ${first})`));
      else if (e.hint) {
        hinted.set(e.hint, e.line);
        out.push(indent(wrap(e.hint + (e.see ? ` See \`kaniko2buildkit explain ${e.see}\`.` : ''), 100), '    '));
      }
      out.push('');
    }
    const more = errors.length - ERROR_LINES_SHOWN;
    if (more > 0) out.push(`… and ${more} more error line${more === 1 ? '' : 's'} (--format json lists them all)`, '');
    out.push(
      'None of them is a failure doctor knows (`kaniko2buildkit explain --list`, KB8xx): read the lines before the first one.',
    );
    return out.join('\n') + '\n';
  }
  const out: string[] = [];
  for (const d of diagnoses) {
    out.push(`${name}:${d.line}  ${c.bold(d.code)}  ${severityColour(c, d.severity)(d.title)}`);
    out.push(c.dim(`    > ${d.lineText}`));
    if (d.lines.length > 1)
      out.push(c.dim(`    (also line${d.lines.length > 2 ? 's' : ''} ${d.lines.slice(1).join(', ')})`));
    if (d.detail) out.push(indent(d.detail, '    '));
    out.push(c.bold('    Fix:'));
    out.push(indent(d.fix, '      '));
    out.push('');
  }
  const n = diagnoses.length;
  out.push(`${n} known failure${n === 1 ? '' : 's'} found; \`kaniko2buildkit explain CODE\` tells why each happens.`);
  return out.join('\n') + '\n';
}

export function doctorCommand(io: CommandIo): Command {
  return new Command('doctor')
    .summary('explain a failed rootless BuildKit job log: known failures and their fix')
    .description(
      'explain a failed rootless BuildKit job log: the known failures (KB8xx), where they show and the fix; ' +
        'else the error lines it shows, with the nearest advice',
    )
    .argument(
      '[log]',
      'job log file (raw GitLab log or a pasted excerpt); "-" or nothing reads standard input (nothing on a terminal prints this help)',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(colourOption())
    .addOption(noColourOption())
    .addHelpText(
      'after',
      `
Exit codes: 0 no known failure found (the error lines it shows are quoted), 1 at least one diagnosis, 2 no log or
an unreadable one.
Examples:
  kaniko2buildkit doctor job.log
  curl -s -H "PRIVATE-TOKEN: $TOKEN" "$CI_API_V4_URL/projects/ID/jobs/JOB_ID/trace" | kaniko2buildkit doctor
  kaniko2buildkit explain KB801                 the whole explanation of one failure`,
    )
    .action(async (log: string | undefined, opts: { format: string; color?: boolean }, cmd: Command) => {
      const code = await runDoctor({ log, format: opts.format, color: opts.color, usage: cmd.helpInformation() }, io);
      (io.setExitCode ?? setExitCodeDefault)(code);
    });
}
