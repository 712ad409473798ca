import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, commentsOf, fixtureCases, lineEndingProblems, missingFrom, topLevelData } from './fixtures.js';

test('fixture cases: every case has a .gitlab-ci.yml whose first line says what it exercises', () => {
  const cases = fixtureCases();
  expect(cases).not.toContain('doctor');
  expect(cases).not.toContain('runner-config');
  expect(cases.length).toBeGreaterThanOrEqual(30);
  for (const c of cases) {
    const text = fs.readFileSync(path.join(FIXTURES, c, 'input', '.gitlab-ci.yml'), 'utf8').replace(/^\uFEFF/, '');
    expect({ c, first: text.split(/\r?\n/)[0]!.startsWith(`# ${c}: `) }).toEqual({ c, first: true });
  }
});

test('the seed fixture keeps the ideographic space byte for byte', () => {
  const bytes = fs.readFileSync(path.join(FIXTURES, 'seed', 'input', '.gitlab-ci.yml'));
  expect(bytes.includes(Buffer.from('--build-arg\u3000"BAR=baz"', 'utf8'))).toBe(true);
});

test('the crlf-bom fixture has a BOM and only CRLF line endings', () => {
  const bytes = fs.readFileSync(path.join(FIXTURES, 'crlf-bom', 'input', '.gitlab-ci.yml'));
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(bytes.toString('latin1')).not.toMatch(/[^\r]\n/);
});

describe('comments', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'comments', 'input', '.gitlab-ci.yml'), 'utf8');
  test('finds full-line, trailing and block-scalar comments', () => {
    const c = commentsOf(text);
    expect(c).toContain('yaml # trailing comment on the job key');
    expect(c).toContain('yaml # must stay empty');
    expect(c).toContain('line # shell comment right before the call');
    expect(c).toContain('line # comment after the last item');
  });
  test('a dropped trailing comment or shell comment is noticed', () => {
    expect(missingFrom(commentsOf(text), commentsOf(text))).toEqual([]);
    expect(missingFrom(commentsOf(text), commentsOf(text.replace(' # pinned', '')))).toEqual(['yaml # pinned']);
    expect(
      missingFrom(commentsOf(text), commentsOf(text.replace('      # shell comment after the call\n', ''))),
    ).toEqual(['line # shell comment after the call']);
  });
});

test('line endings and BOM', () => {
  expect(lineEndingProblems('\uFEFFa\r\nb\r\n', '\uFEFFa\r\nc\r\n')).toEqual([]);
  expect(lineEndingProblems('\uFEFFa\r\nb\r\n', 'a\r\nc\n')).toEqual([
    'BOM lost',
    'input uses CRLF, output has bare LF line endings',
  ]);
  expect(lineEndingProblems('a\nb\n', 'a\r\nb\n')).toEqual(['input uses LF, output has CR characters']);
});

test('topLevelData resolves merge keys and keeps !reference visible', () => {
  const d = topLevelData('.t: &t\n  stage: build\njob:\n  <<: *t\n  script:\n    - !reference [.x, script]\n');
  expect(d.get('job')).toEqual({ stage: 'build', script: ['!reference [".x","script"]'] });
  const plain = topLevelData('job:\n  stage: build\n  script:\n    - [".x", "script"]\n');
  expect(plain.get('job')).not.toEqual(d.get('job'));
});
