/** Issue 18 item 12: the summary table of a file with more jobs than a call may have arguments (no spread of rows). */
import { Chalk } from 'chalk';
import { textTable } from '../../src/report/table.js';
import type { SummaryRow } from '../../src/report/status.js';

test('a table of 300,000 job rows is drawn, its columns as wide as the widest name', () => {
  const counts = { error: 0, manual: 0, warning: 0, info: 0 };
  const rows: SummaryRow[] = [
    { file: '.gitlab-ci.yml', job: null, status: 'migrated', pending: false, findings: counts },
  ];
  for (let i = 0; i < 300_000; i++)
    rows.push({ file: '.gitlab-ci.yml', job: `build-${i}`, status: 'migrated', pending: false, findings: counts });
  const lines = textTable(rows, new Chalk({ level: 0 })).split('\n');
  expect(lines[0]).toBe('FILE            JOB           STATUS    ERROR  MANUAL  WARNING  INFO');
  expect(lines.at(-2)).toBe('                build-299999  migrated      0       0        0     0');
});
