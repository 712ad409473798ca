/**
 * Property tests: random argv lists, quoted in random valid ways, must read back as the same argv
 * (and the real shell must agree on a fixed-seed sample); arbitrary input must never break the reader.
 */
import fc from 'fast-check';
import { parseScript, renderSegmentsRaw } from '../../src/shell/index.js';
import { checkInvariants } from './helpers.js';
import { RecordingShell, shellVariants } from './real-shell.js';

const TRICKY = [
  ' ',
  "'",
  '"',
  '$',
  '\\',
  '\n',
  '\t',
  '`',
  '*',
  '?',
  '[',
  ']',
  '#',
  '~',
  '=',
  '(',
  ')',
  ';',
  '&',
  '|',
  '<',
  '>',
  '{',
  '}',
  '!',
  '%',
  'é',
  '中',
  '😀',
  '\r',
];
/** Characters safe to leave unquoted anywhere in a word. */
const SAFE = 'abcxyzABC0189_-./:,@+'.split('');

const char = fc.oneof(fc.constantFrom(...TRICKY), fc.constantFrom(...SAFE));
const arg = fc.string({ unit: char, maxLength: 12 });

type Style = 'single' | 'double' | 'escaped' | 'plain';

function quote(s: string, style: Style): string {
  switch (style) {
    case 'single':
      return `'${s.replace(/'/g, `'\\''`)}'`;
    case 'double':
      return `"${s.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
    case 'escaped':
      // A backslash before a newline would be a line continuation: quote newlines instead.
      return s === '' ? "''" : Array.from(s, (c) => (c === '\n' ? `'\n'` : `\\${c}`)).join('');
    case 'plain':
      return Array.from(s).every((c) => SAFE.includes(c)) ? (s === '' ? '""' : s) : quote(s, 'escaped');
  }
}

const style = fc.constantFrom<Style>('single', 'double', 'escaped', 'plain');

/** One argument written as a concatenation of differently quoted chunks. */
const quotedArg = (s: string): fc.Arbitrary<string> =>
  fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), style), { minLength: 1, maxLength: 5 }).map((plan) => {
    const chars = Array.from(s);
    if (chars.length === 0) return quote('', plan[0]![1]);
    let out = '';
    for (let i = 0, k = 0; i < chars.length; k++) {
      const [len, st] = plan[k % plan.length]!;
      out += quote(chars.slice(i, i + len).join(''), st);
      i += len;
    }
    return out;
  });

const separator = fc.constantFrom(' ', '  ', '\t', ' \\\n  ', '\\\n ');

/** An argv and a script `rec <quoted args>` that should pass exactly that argv. */
const commandLine = fc
  .array(arg, { maxLength: 6 })
  .chain((argv) =>
    fc
      .tuple(
        fc.constant(argv),
        fc.tuple(...argv.map(quotedArg)),
        fc.array(separator, { minLength: argv.length, maxLength: argv.length }),
      )
      .map(([argv, quoted, seps]) => ({ argv, script: 'rec' + quoted.map((q, i) => seps[i]! + q).join('') })),
  );

test('quoted argv lists read back as the same argv', () => {
  fc.assert(
    fc.property(commandLine, ({ argv, script }) => {
      const r = parseScript(script);
      checkInvariants(script, r);
      expect(r.errors).toEqual([]);
      expect(r.commands).toHaveLength(1);
      expect(r.commands[0]!.words.map((w) => w.value)).toEqual(['rec', ...argv]);
    }),
    { numRuns: 1000, seed: 20240611 },
  );
});

test('renderSegmentsRaw renders words that read back to the same value', () => {
  fc.assert(
    fc.property(commandLine, ({ script }) => {
      for (const w of parseScript(script).commands[0]!.words) {
        const again = parseScript(`x ${renderSegmentsRaw(w.segments)}`);
        expect(again.errors).toEqual([]);
        expect(again.commands[0]!.words.slice(1).map((v) => v.value)).toEqual([w.value]);
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('renderSegmentsRaw keeps expansions as written', () => {
  const src = `x "a$X"b"\${Y:-z}"$Z'q'\\ $(cmd)~ "$[[ inputs.v ]]"`;
  for (const w of parseScript(src).commands[0]!.words) {
    const rendered = renderSegmentsRaw(w.segments);
    expect(parseScript(`x ${rendered}`).commands[0]!.words[1]!.segments).toEqual(w.segments);
  }
  // `$X` followed by a name character must not become `$Xb`.
  expect(
    renderSegmentsRaw([
      { kind: 'param', raw: '$X', name: 'X', quoted: true },
      { kind: 'literal', text: 'b', quote: 'double' },
    ]),
  ).toBe('"$X""b"');
  expect(
    renderSegmentsRaw([
      { kind: 'param', raw: '$X', name: 'X', quoted: false },
      { kind: 'literal', text: 'b', quote: 'none' },
    ]),
  ).toBe('$X""b');
});

const { variants, skipped } = shellVariants();
for (const s of skipped) console.log(`property tests: skipping ${s}`);

test.each(variants)('$name passes the same argv (50 fixed-seed samples)', (shell) => {
  const samples = fc.sample(commandLine, { numRuns: 50, seed: 424242 });
  const rec = new RecordingShell();
  try {
    const { calls, stderr, status } = rec.run(shell, samples.map((s) => s.script).join('\n') + '\n', {});
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(calls).toEqual(samples.map((s) => s.argv));
    // And the reader agrees on the whole script at once.
    const r = parseScript(samples.map((s) => s.script).join('\n'));
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => c.words.slice(1).map((w) => w.value))).toEqual(samples.map((s) => s.argv));
  } finally {
    rec.dispose();
  }
});

test('arbitrary input never throws and keeps offsets consistent', () => {
  const shellish = fc.string({
    unit: fc.constantFrom(
      ...TRICKY,
      ...SAFE,
      'if ',
      'then ',
      'fi',
      ' do ',
      'done',
      'case ',
      ' in ',
      'esac',
      ';;',
      '$(',
      '${',
      '$((',
      '$[[',
      ']]',
      '<<',
      '<<-',
      'EOF',
      '\nEOF\n',
      '&&',
      '||',
      '() ',
      '{ ',
      ' }',
      'for ',
    ),
    maxLength: 60,
  });
  fc.assert(
    fc.property(shellish, (src) => {
      checkInvariants(src, parseScript(src));
    }),
    { numRuns: 3000, seed: 99 },
  );
});
