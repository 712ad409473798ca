/**
 * Whole processes for bench/run.mjs (issue 16): each command a fresh `node` process, its wall time measured here and
 * its CPU time and peak memory (maxRSS) by `/usr/bin/time` (a child's rusage is not in spawnSync's result); without
 * /usr/bin/time, time only. Commands are compared in rounds, A B C A B C …, and every ratio is taken within its round
 * and then the median of the rounds' ratios: on a shared machine the load moves between rounds, far less within one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * One run of `node ...args`: { ms, cpuMs (user + sys), maxRssKb, status }; stdout is dropped (a 10,000-job diff is
 * tens of MB, and reading it would load this process, not the child). `ok` lists the exit codes that are not a
 * failure (`--check` exits 1 when a change is pending).
 */
export function runProcess(args, { cwd, env, ok = [0] } = {}) {
  const dir = TIME ? mkdtempSync(join(tmpdir(), 'k2b-time-')) : undefined;
  const out = dir && join(dir, 'time');
  const [cmd, argv] = TIME
    ? [TIME, ['-f', '%U %S %M', '-o', out, process.execPath, ...args]]
    : [process.execPath, args];
  const t = performance.now();
  const r = spawnSync(cmd, argv, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
    encoding: 'utf8',
  });
  const ms = performance.now() - t;
  let cpuMs;
  let maxRssKb;
  if (out) {
    // the last line: "Command exited with non-zero status N" may stand before it
    const last = readFileSync(out, 'utf8').trim().split('\n').pop() ?? '';
    const [user, sys, rss] = last.split(' ').map(Number);
    if ([user, sys, rss].every(Number.isFinite)) {
      cpuMs = (user + sys) * 1000;
      maxRssKb = rss;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  if (!ok.includes(r.status))
    throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr ?? '').slice(0, 2000)}`);
  return { ms, cpuMs, maxRssKb, status: r.status };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `rounds` rounds (after one warm-up round, for the file cache) of every command in `commands` (name → { args, … }
 * for runProcess), one after the other in the order given. Returns name → the list of its runs, round by round.
 */
export function rounds(commands, n, onRound = () => {}) {
  const names = Object.keys(commands);
  const runs = Object.fromEntries(names.map((k) => [k, []]));
  for (let i = 0; i <= n; i++) {
    for (const k of names) {
      const { args, ...opts } = commands[k];
      const r = runProcess(args, opts);
      if (i > 0) runs[k].push(r);
    }
    if (i > 0) onRound(i);
  }
  return runs;
}

/** The median over the rounds of `f(a, b)` of the same round (a ratio per round, then the median). */
export function pairedMedian(a, b, f) {
  return median(a.map((x, i) => f(x, b[i])));
}
