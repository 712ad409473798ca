/**
 * A one-line progress bar on stderr, redrawn in place. Only on a terminal: stderr a terminal (`io.stderrIsTTY`, else
 * `io.isTTY`), no `NO_COLOR`, `TERM` not `dumb`; otherwise every call is a no-op, so logs and pipes never see carriage
 * returns. A report sent to a file (`> report.txt`) still shows the bar on the terminal.
 */

/** What the bar needs of the outside world (src/cli/io.ts `CliIO` has it; bulk/ does not import cli/). */
export interface ProgressIO {
  /** Is stdout a terminal? */
  isTTY: boolean;
  /** Is stderr, where the bar is drawn, a terminal? (absent: as stdout) */
  stderrIsTTY?: boolean;
  env: Record<string, string | undefined>;
  stderr: (s: string) => void;
}

export interface Progress {
  update(done: number, total: number): void;
  /** Clears the line. */
  end(): void;
}

const NONE: Progress = { update() {}, end() {} };
const WIDTH = 30;
/** Redraws at most this often (the last update always draws). */
const INTERVAL_MS = 80;

export function progressOn(io: Pick<ProgressIO, 'isTTY' | 'stderrIsTTY' | 'env'>, wanted = true): boolean {
  return wanted && (io.stderrIsTTY ?? io.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}

export function progressBar(io: ProgressIO, label: string, wanted = true): Progress {
  if (!progressOn(io, wanted)) return NONE;
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < INTERVAL_MS) return;
      last = now;
      const filled = total ? Math.round((done / total) * WIDTH) : WIDTH;
      io.stderr(`\r${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)} ${done}/${total} ${label}\u001b[K`);
      drawn = true;
    },
    end() {
      if (drawn) io.stderr('\r\u001b[K');
    },
  };
}
