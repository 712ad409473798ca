// Preloaded into a child process with `node --import ./test/support/max-rss.mjs …`: at exit it prints the process's
// peak resident memory on stderr as `max-rss-kib N`, and the most memory held by ArrayBuffers (Buffers) seen in
// samples every 50 ms, as `max-array-buffers-kib N`.
//
// The peak is VmHWM of /proc/self/status (Linux): the high-water mark of this program's own memory. Not
// `process.resourceUsage().maxRSS` (getrusage's ru_maxrss): Linux carries it across fork and exec, so in a child it
// is at least the RSS its parent had when it forked (a jest worker's 150-200 MiB). Elsewhere maxRSS is all there is.
import { readFileSync } from 'node:fs';

let arrayBuffers = 0;
setInterval(() => (arrayBuffers = Math.max(arrayBuffers, process.memoryUsage().arrayBuffers)), 50).unref();

function peakKib() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () =>
  process.stderr.write(`max-rss-kib ${peakKib()} max-array-buffers-kib ${Math.round(arrayBuffers / 1024)}\n`),
);
