import { parse } from 'smol-toml';
import { formatKey, scanToml } from '../../src/runner-config/index.js';

describe('scanToml', () => {
  const text = [
    'a = 1979-05-27 07:32:00Z # date with a space',
    '"quoted \\"key\\"".\'lit.eral\' . bare-key = """one',
    'two"""""',
    "s = '''x'''''",
    '  [ tools . "kube.rnetes" ]  # header',
    '    arr = [ 1, [2, 3], { x = "]" } ,',
    '      # comment ]',
    '    ]',
    '[[runners]]',
    'inl = { a = "}", b = [1] }',
    'u = "\\u00e9\\n"',
  ].join('\r\n');

  test('the text is valid TOML (precondition)', () => {
    expect(() => parse(text)).not.toThrow();
  });

  test('statements, keys, tables, lines and value spans', () => {
    const s = scanToml(text);
    expect(s.map((x) => [x.kind, x.key, x.table, x.line, x.indent])).toEqual([
      ['keyval', ['a'], [], 1, ''],
      ['keyval', ['quoted "key"', 'lit.eral', 'bare-key'], [], 2, ''],
      ['keyval', ['s'], [], 4, ''],
      ['table', ['tools', 'kube.rnetes'], ['tools', 'kube.rnetes'], 5, '  '],
      ['keyval', ['arr'], ['tools', 'kube.rnetes'], 6, '    '],
      ['array-table', ['runners'], ['runners'], 9, ''],
      ['keyval', ['inl'], ['runners'], 10, ''],
      ['keyval', ['u'], ['runners'], 11, ''],
    ]);
    const value = (i: number) => text.slice(s[i]!.valueStart, s[i]!.valueEnd);
    expect(value(0)).toBe('1979-05-27 07:32:00Z');
    expect(value(1)).toBe('"""one\r\ntwo"""""');
    expect(value(2)).toBe("'''x'''''");
    expect(value(4)).toBe('[ 1, [2, 3], { x = "]" } ,\r\n      # comment ]\r\n    ]');
    expect(value(6)).toBe('{ a = "}", b = [1] }');
    // lineEnd is just past the CRLF of the statement's last line
    expect(text.slice(s[4]!.lineEnd - 7, s[4]!.lineEnd)).toBe('    ]\r\n');
    expect(s[7]!.lineEnd).toBe(text.length);
  });

  test('formatKey quotes what is not a bare key', () => {
    expect(formatKey(['runners', 'kubernetes', 'pod_annotations'])).toBe('runners.kubernetes.pod_annotations');
    expect(formatKey(['pod_annotations', 'container.apparmor.security.beta.kubernetes.io/build'])).toBe(
      'pod_annotations."container.apparmor.security.beta.kubernetes.io/build"',
    );
  });
});
