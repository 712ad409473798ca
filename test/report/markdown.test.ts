/** markdownReport: the merge request description (sections, explain texts once, escaping, the collapsed diff). */
import { CODES } from '../../src/findings/registry.js';
import type { Finding } from '../../src/findings/types.js';
import { markdownReport } from '../../src/report/markdown.js';
import { cell, code, fenced, inline } from '../../src/report/md.js';
import type { ReportFile, RunReport } from '../../src/report/model.js';

const doc = (c: string) => CODES.find((d) => d.code === c)!;
const finding = (over: Partial<Finding>): Finding => ({
  code: 'KB204',
  severity: 'manual',
  file: '.gitlab-ci.yml',
  line: 3,
  column: 5,
  job: 'build',
  message: 'm',
  ...over,
});
const file = (over: Partial<ReportFile>): ReportFile => ({
  path: '.gitlab-ci.yml',
  changed: false,
  written: false,
  findings: [],
  original: '',
  output: '',
  ...over,
});

describe('markdownReport', () => {
  test('each manual finding with place, job and message; each code explained once', () => {
    const report: RunReport = {
      files: [
        file({
          findings: [
            finding({ line: 3, job: 'a' }),
            finding({ line: 9, job: 'b', message: 'other' }),
            finding({ code: 'KB307', line: 12, job: 'c', message: 'url' }),
          ],
        }),
      ],
      jobs: [],
      errors: [],
    };
    const md = markdownReport(report);
    expect(md).toContain('### Needs a person');
    expect(md).toContain('- `.gitlab-ci.yml:3:5` · job `a` · m');
    expect(md).toContain('- `.gitlab-ci.yml:9:5` · job `b` · other');
    expect(md).toContain('- `.gitlab-ci.yml:12:5` · job `c` · url');
    for (const c of ['KB204', 'KB307']) {
      expect(md.split(doc(c).explanation).length - 1).toBe(1);
      expect(md.split(doc(c).todo).length - 1).toBe(1);
    }
    expect(md).not.toContain('<summary>Diff');
  });

  test('what changed: the summary table; the diff collapsed when the texts are there', () => {
    const report: RunReport = {
      files: [file({ changed: true, original: 'a: 1\n', output: 'a: 2\n' })],
      jobs: [
        { name: 'build', file: '.gitlab-ci.yml', path: '.gitlab-ci.yml', status: 'migrated', calls: 1, flags: [] },
      ],
      errors: [],
    };
    const md = markdownReport(report);
    expect(md).toContain(
      '| `.gitlab-ci.yml` |  | would migrate | 0 | 0 | 0 | 0 |\n|  | `build` | would migrate | 0 | 0 | 0 | 0 |',
    );
    expect(md).toMatch(
      /<details>\n<summary>Diff \(1 file\)<\/summary>\n\n```diff\n--- a\/.gitlab-ci.yml\n\+\+\+ b\/.gitlab-ci.yml\n@@ -1,1 \+1,1 @@\n-a: 1\n\+a: 2\n```\n\n<\/details>\n$/,
    );
    expect(md).not.toMatch(/\u001b\[/);
    // a caller without the texts (empty strings) gets no diff
    expect(markdownReport({ ...report, files: [file({ changed: true })] })).not.toContain('<summary>Diff');
  });

  test('errors first (with explain texts), warnings listed, info collapsed', () => {
    const report: RunReport = {
      files: [
        file({
          findings: [
            finding({ code: 'KB205', severity: 'warning', message: 'w' }),
            finding({ code: 'KB302', severity: 'info', message: 'i' }),
          ],
        }),
      ],
      jobs: [],
      errors: [
        finding({
          code: 'KB101',
          severity: 'error',
          job: undefined,
          file: 'ci/x.yml',
          line: 2,
          column: 1,
          message: 'bad',
        }),
      ],
    };
    const md = markdownReport(report);
    const at = (s: string) => md.indexOf(s);
    expect(at('### Errors')).toBeGreaterThan(0);
    expect(md).toContain(doc('KB101').todo);
    expect(at('### Warnings')).toBeGreaterThan(at('### Errors'));
    expect(md).toContain('- `.gitlab-ci.yml:3:5` · `KB205` · job `build` · w');
    expect(md).toMatch(
      /<details>\n<summary>Notes \(1\)<\/summary>\n\n- `\.gitlab-ci\.yml:3:5` · `KB302` · job `build` · i\n/,
    );
    expect(md).toContain('Nothing changes.');
  });
});

describe('Markdown escaping', () => {
  test("words GitLab would act on become code; the message's own code spans stay", () => {
    expect(inline('image app@sha256:abc in #3 and *x* <b> plain (`a b`), $VAR.')).toBe(
      'image `app@sha256:abc` in `#3` and `*x*` `<b>` plain (`a b`), `$VAR`.',
    );
    expect(inline('two\nlines')).toBe('two lines');
  });

  test('code spans, table cells and fences hold any text', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x')).toBe('`` `x ``');
    expect(cell(code('a|b'))).toBe('`a\\|b`');
    expect(fenced('diff', '```\n')).toBe('````diff\n```\n````');
  });
});
