// Preloaded into a child process with `node --import ./test/support/max-rss.mjs …`: at exit it prints the process's
// peak resident memory (`process.resourceUsage().maxRSS`, KiB on Linux) on stderr as `max-rss-kib N`, and the most
// memory held by ArrayBuffers (Buffers) seen in samples every 50 ms, as `max-array-buffers-kib N`.
let arrayBuffers = 0;
setInterval(() => (arrayBuffers = Math.max(arrayBuffers, process.memoryUsage().arrayBuffers)), 50).unref();
process.on('exit', () =>
  process.stderr.write(
    `max-rss-kib ${process.resourceUsage().maxRSS} max-array-buffers-kib ${Math.round(arrayBuffers / 1024)}\n`,
  ),
);
