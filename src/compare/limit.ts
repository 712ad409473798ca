/** A concurrency limit: at most `n` of the tasks handed to it run at once, the others wait in order. */

export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function limit(n: number): Limit {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`a limit of ${n}: it must be a whole number from 1 up`);
  let running = 0;
  const waiting: (() => void)[] = [];
  // a finished task hands its slot straight to the next waiting one, so no newcomer can slip in between
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
