/**
 * Keys given twice in one mapping: GitLab reads pipeline files with Ruby's Psych, which keeps the last value of a key
 * (https://github.com/ruby/psych/issues/79); gitlab-ci-local does the same and warns
 * (https://github.com/firecow/gitlab-ci-local/pull/1146). The loader warns (KB110, both lines named), every reader
 * takes the last value, and the verification's read-back keeps every entry of a name given twice.
 */
import { MemorySource, migrateText } from '../../src/index.js';
import { loadProject } from '../../src/pipeline/load.js';
import { Pipeline } from '../../src/pipeline/jobs.js';
import { jobsMap, parseSource } from '../../src/pipeline/source.js';
import { keyName } from '../../src/pipeline/jobs.js';
import { parseKept } from '../../src/yaml/partial-parse.js';
import { applyEdits, type TextEdit } from '../../src/text/edits.js';

const KANIKO = `build:
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context . --destination registry.example.com/a:old
  script:
    - /kaniko/executor --context . --destination registry.example.com/a:new
`;

describe('keys given twice', () => {
  test('a KB110 warning at the key that takes effect, naming both lines', async () => {
    const loaded = await loadProject(new MemorySource(new Map([['.gitlab-ci.yml', KANIKO]])), '.gitlab-ci.yml');
    expect(loaded.failed).toEqual([]);
    expect(loaded.findings).toEqual([
      expect.objectContaining({
        code: 'KB110',
        severity: 'warning',
        file: '.gitlab-ci.yml',
        line: 7,
        column: 3,
        message: expect.stringMatching(
          /^key "script" is given twice in one mapping, at lines 5 and 7: GitLab keeps the last \(line 7\)/,
        ),
      }),
    ]);
  });

  test('the job view reads the last value; the migration edits it and leaves the earlier one as it is', async () => {
    const pipeline = new Pipeline([parseSource('.gitlab-ci.yml', KANIKO)]);
    expect(pipeline.scriptItems('build', 'script').map((i) => i.node.value)).toEqual([
      '/kaniko/executor --context . --destination registry.example.com/a:new',
    ]);
    const r = await migrateText(KANIKO);
    const out = r.files[0]!.output;
    expect(out).toContain('    - /kaniko/executor --context . --destination registry.example.com/a:old\n');
    expect(out).toContain('name=registry.example.com/a:new,push=true');
    expect(out).not.toContain('name=registry.example.com/a:old');
    expect(r.files[0]!.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.files[0]!.findings.map((f) => f.code)).toContain('KB110');
  });

  test('a job given twice in one file is its last definition alone (not a merge of both)', () => {
    const text = `lint:\n  image: alpine\n  script: [old]\n  tags: [a]\nlint:\n  script: [new]\n`;
    const pipeline = new Pipeline([parseSource('.gitlab-ci.yml', text)]);
    expect(pipeline.definitions('lint')).toHaveLength(1);
    expect(pipeline.lookup('lint', 'tags')).toBeUndefined();
    expect(pipeline.lookup('lint', 'image')).toBeUndefined();
    expect(pipeline.scriptItems('lint', 'script').map((i) => i.node.value)).toEqual(['new']);
  });

  test('`include:` given twice: only the last is followed', async () => {
    const files = new Map([
      ['.gitlab-ci.yml', `include: a.yml\njob:\n  script: [x]\ninclude: b.yml\n`],
      ['a.yml', `a:\n  script: [a]\n`],
      ['b.yml', `b:\n  script: [b]\n`],
    ]);
    const loaded = await loadProject(new MemorySource(files), '.gitlab-ci.yml');
    expect(loaded.files.map((f) => f.path)).toEqual(['.gitlab-ci.yml', 'b.yml']);
    expect(loaded.findings.map((f) => [f.code, f.line])).toEqual([['KB110', 4]]);
  });

  test('a variable given twice: the last value', () => {
    const text = `job:\n  variables:\n    A: one\n    A: two\n  script: [x]\n`;
    const pipeline = new Pipeline([parseSource('.gitlab-ci.yml', text)]);
    expect(String((pipeline.variables('job').get('A')!.node as { value: unknown }).value)).toBe('two');
  });

  test('the read-back keeps every entry of a name given twice, so the shorter text reads the key as the whole does', () => {
    const before = `a:\n  script: [one]\nother:\n  script: [o]\na:\n  script: [two]\n`;
    const file = parseSource('x.yml', before);
    const at = before.indexOf('[one]');
    // an edit in the earlier entry only: the later one must come along, or the shorter text would read "a" as edited
    const edits: TextEdit[] = [{ file: 'x.yml', start: at, end: at + 5, text: '[ONE]' }];
    const output = applyEdits(before, edits);
    const kept = parseKept(file, output, edits, { names: new Set(), offsets: [] });
    expect((jobsMap(kept)?.items ?? []).map((p) => keyName(p))).toEqual(['a', 'a']);
    const data = kept.docs[0]!.toJS() as Record<string, unknown>;
    expect(data).toEqual({ a: { script: ['two'] } });
  });
});
