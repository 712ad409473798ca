/** Findings reported once per place and message, whichever front end (YAML or TypeScript) found them. */
import type { Finding } from './types.js';

/** One finding per place and message: a template's finding names every job that inherits it. */
export function mergeFindings(list: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of list) {
    const key = `${f.code}|${f.file}|${f.line}|${f.column}|${f.message}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...f });
    else if (f.job && !seen.job?.split(', ').includes(f.job)) seen.job = seen.job ? `${seen.job}, ${f.job}` : f.job;
  }
  return [...byKey.values()];
}
