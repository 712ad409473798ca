// Preloaded into a child process with `node --import ./test/support/max-rss.mjs …`: at exit it prints the process's
// peak resident memory (`process.resourceUsage().maxRSS`, KiB on Linux) on stderr as `max-rss-kib N`.
process.on('exit', () => process.stderr.write(`max-rss-kib ${process.resourceUsage().maxRSS}\n`));
