/**
 * Turning a raw GitLab job log (as downloaded from `…/-/jobs/ID/raw` or copied from the page) into plain lines.
 *
 * Removed before matching: GitLab section markers (`section_start:TS:NAME[opts]\r\e[0K`, `section_end:…`),
 * ANSI/VT escape sequences (colours, `\e[0K` line erases, OSC titles), and the per-line timestamp prefix that
 * runners add with FF_TIMESTAMPS (`2024-05-01T10:00:00.123456Z 00O `). Line numbers stay those of the file:
 * lines are split on `\n` only, so a marker never shifts them.
 */

export interface LogLine {
  /** 1-based line number in the log as given. */
  number: number;
  /** The line with markers, escapes and timestamps removed, and trailing whitespace trimmed. */
  text: string;
  /** True when a `section_start:`/`section_end:` marker was removed from this line. */
  section?: { kind: 'start' | 'end'; name: string };
}

const SECTION_MARKER = /(?:\x1b\[0K)?section_(start|end):\d+:([A-Za-z0-9_.-]+)(?:\[[^\]\r\n]*\])?\r?(?:\x1b\[0K)?/g;
// CSI sequences (`\e[…m`, `\e[0K`, `\e[?25l`), OSC sequences (`\e]…\a` or `\e]…\e\\`), and lone two-byte escapes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const TIMESTAMP_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z \d\d[OE]\+? ?/;

/** Cleans one raw line (without its `\n`). */
export function cleanLine(raw: string): { text: string; section?: LogLine['section'] } {
  let section: LogLine['section'];
  let s = raw.replace(TIMESTAMP_PREFIX, '');
  s = s.replace(SECTION_MARKER, (_m, kind: string, name: string) => {
    section ??= { kind: kind === 'start' ? 'start' : 'end', name };
    return '';
  });
  s = s.replace(ANSI, '');
  // A carriage return left inside a line is terminal overwriting (progress output); keep every piece so that
  // no error text is hidden, separated by a space.
  s = s.replace(/\r+$/, '').replace(/\r+/g, ' ');
  return section ? { text: s.trimEnd(), section } : { text: s.trimEnd() };
}

export function splitLog(log: string): LogLine[] {
  if (log === '') return [];
  const raw = log.split('\n');
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  return raw.map((r, i) => ({ number: i + 1, ...cleanLine(r) }));
}
