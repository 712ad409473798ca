import { segmentsValue, staticValue } from '../../src/shell/index.js';
import { only } from './helpers.js';

const ENV = { X: 'a b', Y: 'y', STAR: '*', EMPTY: '' };

describe('staticValue', () => {
  test('without env: the value of fully literal words only', () => {
    const c = only(`echo 'a'"b"\\c $Y ~/x *`);
    expect(c.words.map((w) => staticValue(w))).toEqual(['echo', 'abc', undefined, undefined, undefined]);
    expect(c.words.map((w) => w.value)).toEqual(['echo', 'abc', undefined, undefined, undefined]);
  });

  test('with env: plain $NAME / ${NAME} substituted when splitting and globbing cannot change the word', () => {
    const c = only('echo "$X" $X $Y x${Y}z "$STAR" $STAR "$EMPTY" $EMPTY a$EMPTY "${X:-d}" "$UNSET" "$1"');
    expect(c.words.slice(1).map((w) => staticValue(w, ENV))).toEqual([
      'a b', // quoted
      undefined, // unquoted with a blank: field splitting
      'y',
      'xyz',
      '*',
      undefined, // unquoted glob character
      '',
      undefined, // unquoted and empty: the word disappears
      'a',
      undefined, // operators are not evaluated
      undefined, // not in env
      undefined, // positional
    ]);
  });

  test('tilde words stay unknown even with env', () => {
    expect(staticValue(only('cd ~/x').words[1]!, { HOME: '/h' })).toBeUndefined();
  });

  test('segmentsValue', () => {
    expect(
      segmentsValue([
        { kind: 'literal', text: 'a', quote: 'none' },
        { kind: 'literal', text: ' b', quote: 'single' },
      ]),
    ).toBe('a b');
    expect(segmentsValue([{ kind: 'glob', raw: '*' }])).toBeUndefined();
    expect(segmentsValue([])).toBe('');
  });
});
