/**
 * Stopping a writing run cleanly on SIGINT/SIGTERM (`migrate PATH…` and `migrate --recursive`): the project being
 * written is finished (its files staged and checked, then renamed together: src/repository/write.ts), no other is
 * started, and the report says what was written. A second signal exits at once; a repository cut short in its renames
 * is then settled by the next run from its journal (src/repository/journal.ts), so every repository ends either as it
 * was or completely migrated.
 *
 * A handler runs only when the main thread is free. Runs over several repositories plan them in worker threads
 * (src/bulk/isolation.ts), so a signal is seen at once and `signal` ends the planning; a run over one repository
 * plans it in this thread and listens only from its write on (`listen()`): a signal before that ends the process
 * at once, as the default action does, with nothing written.
 */
import type { RunReport } from '../report/model.js';
import type { CliIO } from './io.js';

/** Exit status after SIGINT / SIGTERM, as shells report a process ended by that signal (128 + its number). */
export const EXIT_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof EXIT_SIGNAL;

export interface SignalStop {
  /** The signal that asked the run to stop, if one did. */
  stopped(): StopSignal | undefined;
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** Starts listening (when `on` and not yet listening). */
  listen(): void;
  /** Removes the handlers (the run is over). */
  release(): void;
}

/**
 * Listens for SIGINT/SIGTERM while `on` (a writing run), from now on or (`later`) from `listen()`; says so on stderr
 * unless `quiet`.
 */
export function stopOnSignals(io: Pick<CliIO, 'stderr'>, on: boolean, quiet: boolean, later = false): SignalStop {
  let stopped: StopSignal | undefined;
  let listening = false;
  const abort = new AbortController();
  const onSignal = (signal: StopSignal) => {
    if (stopped) process.exit(EXIT_SIGNAL[signal]);
    stopped = signal;
    if (!quiet)
      io.stderr(
        `\nkaniko2buildkit: ${signal}: finishing the project being written, then stopping (again to stop at once)\n`,
      );
    abort.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  const listen = () => {
    if (!on || listening) return;
    listening = true;
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  };
  if (!later) listen();
  return {
    stopped: () => stopped,
    signal: abort.signal,
    listen,
    release() {
      if (!listening) return;
      listening = false;
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** At most this many paths of each list on stderr. */
const LISTED = 20;

/** What a stopped run did: the files written, the ones left as they were, the paths not (fully) processed. */
export function interruptSummary(signal: StopSignal, report: RunReport, notProcessed: readonly string[]): string {
  const written = report.files.filter((f) => f.written).map((f) => f.path);
  const unwritten = report.files.filter((f) => f.changed && !f.written).map((f) => f.path);
  const lines = [
    `kaniko2buildkit: stopped by ${signal}: ${written.length} file(s) written, ${unwritten.length} to migrate not written, ` +
      `${notProcessed.length} path(s) not processed. Every file is either as it was or completely migrated.`,
  ];
  // every file written; of the rest a terminal's worth (the report, on stdout or in --output, has every row)
  const list = (title: string, items: readonly string[], most = Infinity) => {
    if (!items.length) return;
    lines.push(`${title}:`, ...items.slice(0, most).map((p) => `  ${p}`));
    if (items.length > most) lines.push(`  … and ${items.length - most} more (the report lists them)`);
  };
  list('written', written);
  list('not written', unwritten, LISTED);
  list('not processed (run again for these)', notProcessed, LISTED);
  return `${lines.join('\n')}\n`;
}
