/**
 * GitLab Code Quality report (`artifacts: reports: codequality:`): a JSON array of issues with the fields GitLab
 * documents (description, check_name, fingerprint, severity, location.path, location.lines.begin), so findings show
 * in the merge request widget and diff.
 */
import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../findings/types.js';
import { allFindings, type RunReport } from './model.js';

export type CodeQualitySeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: CodeQualitySeverity;
  location: { path: string; lines: { begin: number } };
}

export const CODE_QUALITY_SEVERITY: Record<Severity, CodeQualitySeverity> = {
  info: 'info',
  warning: 'minor',
  manual: 'major',
  error: 'critical',
};

/** GitLab wants paths relative to the repository root, with `/` and without a leading `./`. */
function repoPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** Stable across runs: the same finding at the same place keeps its fingerprint (fields joined with NUL). */
export function fingerprint(f: Pick<Finding, 'code' | 'file' | 'line' | 'message'>): string {
  return createHash('sha256')
    .update([f.code, repoPath(f.file), String(f.line), f.message].join('\0'))
    .digest('hex');
}

export function codeQualityIssues(report: RunReport): CodeQualityIssue[] {
  const seen = new Set<string>();
  const issues: CodeQualityIssue[] = [];
  for (const f of allFindings(report)) {
    const print = fingerprint(f);
    if (seen.has(print)) continue; // GitLab shows one issue per fingerprint anyway
    seen.add(print);
    issues.push({
      description: f.job ? `${f.message} (job ${f.job})` : f.message,
      check_name: f.code,
      fingerprint: print,
      severity: CODE_QUALITY_SEVERITY[f.severity],
      location: { path: repoPath(f.file), lines: { begin: f.line > 0 ? f.line : 1 } },
    });
  }
  return issues;
}

export function codeQualityReport(report: RunReport): string {
  return `${JSON.stringify(codeQualityIssues(report), null, 2)}\n`;
}
