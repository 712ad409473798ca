/**
 * `to.push(...items)` for lists as long as a file makes them: a spread passes every item as an argument, and past
 * about 100,000 of them (a call of 150,000 flags, each with its finding) that overflows the stack ("Maximum call
 * stack size exceeded", issue 18). Every list built from a file's contents is appended with this.
 */
export function append<T>(to: T[], items: Iterable<T>): T[] {
  for (const item of items) to.push(item);
  return to;
}
