/** Findings reported once per place and message, whichever front end (YAML or TypeScript) found them. */
import type { Finding } from './types.js';

/** The names of the jobs a finding is about (none, one, or the jobs a template's finding was merged for). */
export function jobNames(f: Pick<Finding, 'job' | 'jobs'>): string[] {
  return f.jobs ? [...f.jobs] : f.job ? [f.job] : [];
}

/** The job fields of a finding about these jobs: `job` for display, `jobs` when there are several. */
export function jobFields(names: readonly string[]): Pick<Finding, 'job' | 'jobs'> {
  if (!names.length) return {};
  return names.length === 1 ? { job: names[0] } : { job: names.join(', '), jobs: [...names] };
}

/** One finding per place and message: a template's finding names every job that inherits it. */
export function mergeFindings(list: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of list) {
    const key = `${f.code}|${f.file}|${f.line}|${f.column}|${f.message}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...f });
      continue;
    }
    const names = jobNames(seen);
    const added = jobNames(f).filter((n) => !names.includes(n));
    if (!added.length) continue;
    Object.assign(seen, jobFields([...names, ...added]));
  }
  return [...byKey.values()];
}
