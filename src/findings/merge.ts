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

/**
 * One finding per place and message: a template's finding names every job that inherits it. The names of each merged
 * finding are gathered in a list and a set, and its job fields set once at the end: a template extended by 20,000 jobs
 * gives 20,000 findings of one place, and copying, searching and joining the names at each of them was quadratic.
 */
export function mergeFindings(list: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  /** The findings that more jobs were merged into: all their names, in order, and the same names as a set. */
  const merged = new Map<Finding, { names: string[]; has: Set<string> }>();
  for (const f of list) {
    const key = `${f.code}|${f.file}|${f.line}|${f.column}|${f.message}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...f });
      continue;
    }
    let m = merged.get(seen);
    if (!m) {
      const names = jobNames(seen);
      m = { names, has: new Set(names) };
      merged.set(seen, m);
    }
    const added = jobNames(f).filter((n) => !m.has.has(n));
    for (const n of added) {
      m.names.push(n);
      m.has.add(n);
    }
  }
  for (const [f, { names }] of merged) if (names.length > jobNames(f).length) Object.assign(f, jobFields(names));
  return [...byKey.values()];
}
