/**
 * `diagnose(log)`: the known failures (KB8xx) found in a BuildKit job log, in log order.
 */
import type { Code, Severity } from '../findings/types.js';
import { requireCode } from '../findings/registry.js';
import { splitLog, type LogLine } from './log.js';
import { KNOWN_FAILURES, type LogContext } from './known-failures.js';

export interface Diagnosis {
  /** Finding code, documented in src/findings/codes/kb8-doctor.ts. */
  code: Code;
  severity: Severity;
  /** 1-based line number in the log of the first line showing this failure. */
  line: number;
  /** That line, with ANSI escapes, section markers and timestamps removed. */
  lineText: string;
  /** Every line (1-based) that shows this failure; `line` is the first. */
  lines: number[];
  title: string;
  /** What went wrong and why. */
  explanation: string;
  /** What this log adds (the socket, the host, the flag, related lines), when it adds something. */
  detail?: string;
  /** What to change. May span several lines. */
  fix: string;
}

const DAEMON_LOG_HEADER = /^=+ log =+$/;
/** Lines that the runner, not the daemon, prints: a daemon log dump ends before them. */
const RUNNER_LINE =
  /^(?:Running after_script|Running after script|Cleaning up |Uploading artifacts|Saving cache|ERROR: Job failed|WARNING: |Job succeeded|Executing "|\$ )/;
const SCRIPT_ECHO = /^\$ \S/;
const BUILDCTL_PROGRESS = /^#\d+ \S|^\[\+\] Building|^ => /;
const AFTER_SCRIPT = /^Running after_script|^Running after script|^Executing "after_script"/;

export function buildContext(lines: readonly LogLine[]): LogContext {
  const inDaemonLog = lines.map(() => false);
  let inDump = false;
  let firstScriptLine = -1;
  let scriptRan = false;
  let afterScript = false;
  lines.forEach((l, i) => {
    if (inDump && (l.section || RUNNER_LINE.test(l.text))) inDump = false;
    if (DAEMON_LOG_HEADER.test(l.text)) inDump = true;
    else inDaemonLog[i] = inDump;
    if (AFTER_SCRIPT.test(l.text)) afterScript = true;
    if (SCRIPT_ECHO.test(l.text) && !afterScript) {
      if (firstScriptLine < 0) firstScriptLine = i;
      scriptRan = true;
    }
    if (BUILDCTL_PROGRESS.test(l.text)) scriptRan = true;
  });
  return { lines, inDaemonLog, firstScriptLine, scriptRan };
}

/** Known failures in a job log, one diagnosis per code, ordered by the line where each first shows. */
export function diagnose(log: string): Diagnosis[] {
  const lines = splitLog(log);
  const ctx = buildContext(lines);
  const byCode = new Map<Code, Diagnosis>();

  lines.forEach((line, index) => {
    if (line.text === '') return;
    for (const failure of KNOWN_FAILURES) {
      const m = failure.match(line, index, ctx);
      if (!m) continue;
      const seen = byCode.get(failure.code);
      if (seen) {
        seen.lines.push(line.number);
      } else {
        const doc = requireCode(failure.code);
        const detail = failure.detail?.(m, ctx, index);
        byCode.set(failure.code, {
          code: doc.code,
          severity: doc.severity,
          line: line.number,
          lineText: line.text,
          lines: [line.number],
          title: doc.title,
          explanation: doc.explanation,
          ...(detail ? { detail } : {}),
          fix: doc.todo,
        });
      }
      break; // a line is claimed by the first entry that matches it
    }
  });

  const result = [...byCode.values()].sort((a, b) => a.line - b.line || a.code.localeCompare(b.code));
  const connect = byCode.get('KB802');
  if (connect) describeDaemonLog(connect, ctx, result);
  return result;
}

/** Adds to the KB802 diagnosis where the daemon log is and which known failures it holds. */
function describeDaemonLog(connect: Diagnosis, ctx: LogContext, all: Diagnosis[]): void {
  const start = ctx.lines.findIndex((l) => l.number > connect.line && DAEMON_LOG_HEADER.test(l.text));
  let note: string;
  if (start < 0) {
    note = 'No daemon log follows in this excerpt; include the lines after this one.';
  } else {
    let end = start;
    while (end + 1 < ctx.lines.length && ctx.inDaemonLog[end + 1]) end++;
    const first = ctx.lines[start]!.number + 1;
    const last = ctx.lines[end]!.number;
    const inside = all.filter((d) => d !== connect && d.lines.some((n) => n >= first && n <= last));
    const range = last >= first ? `lines ${first}-${last}` : 'empty';
    note = inside.length
      ? `Daemon log (${range}) shows: ${inside.map((d) => `${d.code} at line ${d.lines.find((n) => n >= first && n <= last)}`).join(', ')}.`
      : `Daemon log (${range}) holds no known failure: read it; if it shows no error, the daemon was still starting.`;
  }
  connect.detail = connect.detail ? `${connect.detail} ${note}` : note;
}
