/** One entry point for every report format the CLI offers. */
import type { ChalkInstance } from 'chalk';
import { codeQualityReport } from './codequality.js';
import { jsonReport } from './json.js';
import { markdownReport } from './markdown.js';
import type { RunReport } from './model.js';
import { textSummary, type RunMode } from './text.js';

export const FORMATS = ['text', 'json', 'markdown', 'codequality'] as const;
export type ReportFormat = (typeof FORMATS)[number];

/** The report body (for `text`: the summary; the dry-run diffs are `textDiffs`). Only `text` is ever coloured. */
export function renderReport(format: ReportFormat, report: RunReport, c: ChalkInstance, mode: RunMode): string {
  switch (format) {
    case 'json':
      return jsonReport(report);
    case 'markdown':
      return markdownReport(report);
    case 'codequality':
      return codeQualityReport(report);
    case 'text':
      return textSummary(report, c, mode);
  }
}
