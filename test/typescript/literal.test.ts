/** Literals as shell text: reading escapes, writing values back in the literal's style, placeholders and quoting. */
import fc from 'fast-check';
import {
  buildLiteral,
  cook,
  encodeText,
  literalEdits,
  literalSource,
  type LiteralModel,
} from '../../src/typescript/literal.js';
import { checkMarkers, quoteStates } from '../../src/typescript/placeholders.js';
import { globToRegExp, isSourceName } from '../../src/typescript/files.js';
import { applyEdits } from '../../src/text/edits.js';

/** The model of the single string/template literal that makes up `src` (placeholders `${…}` of templates included). */
function modelOf(src: string): LiteralModel {
  const kind = src.startsWith('`') ? 'template' : 'string';
  const pieces: { start: number; end: number }[] = [];
  const placeholders: { exprText: string; rawStart: number; rawEnd: number; pure: boolean }[] = [];
  let start = 1;
  if (kind === 'template') {
    for (let i = 1; i < src.length - 1; i++) {
      if (src[i] === '\\') i++;
      else if (src[i] === '$' && src[i + 1] === '{') {
        const close = src.indexOf('}', i);
        pieces.push({ start, end: i });
        const expr = src.slice(i + 2, close);
        placeholders.push({ exprText: expr, rawStart: i, rawEnd: close + 1, pure: /^[\w.]+$/.test(expr.trim()) });
        start = close + 1;
        i = close;
      }
    }
  }
  pieces.push({ start, end: src.length - 1 });
  return buildLiteral(src, { file: 'x.ts', kind, start: 0, end: src.length, pieces, placeholders })!;
}

const evaluate = (lit: string): string => (0, eval)(lit) as string;

describe('reading and writing literals', () => {
  test('cook reads escapes the way JavaScript does', () => {
    for (const lit of [
      `'a\\nb\\t\\'c\\\\'`,
      `"\\x41\\u0042\\u{1F600}\\0"`,
      `'line\\\ncontinued'`,
      '`a\\`b\\${c}`',
      '`crlf\r\nline`',
    ]) {
      const body = lit.slice(1, -1);
      expect(cook(lit, 1, lit.length - 1, lit[0] === '`')!.value).toBe(evaluate(lit));
      expect(body.length).toBeGreaterThan(0);
    }
  });

  test.each(["'", '"', '`'])('encodeText round-trips any text through a %s literal', (q) => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            'a',
            ' ',
            '\\',
            "'",
            '"',
            '`',
            '$',
            '{',
            '}',
            '\n',
            '\r',
            '\t',
            '\0',
            '1',
            '\u2028',
            'é',
          ),
        }),
        (s) => {
          const lit = `${q}${encodeText(s, q, true)}${q}`;
          expect(evaluate(lit)).toBe(s);
          expect(cook(lit, 1, lit.length - 1, q === '`')!.value).toBe(s);
        },
      ),
    );
  });

  test('a value change edits only the changed words: escapes elsewhere stay as written', () => {
    const src = `'echo \\x41\\n/kaniko/executor --context . --destination x:1\\necho "done"'`;
    const m = modelOf(src);
    const value = m.cooked.replace(
      '/kaniko/executor --context . --destination x:1',
      "buildctl-daemonless.sh build --output 'type=image'",
    );
    const out = applyEdits(src, literalEdits(m, value));
    expect(out).toBe(`'echo \\x41\\nbuildctl-daemonless.sh build --output \\'type=image\\'\\necho "done"'`);
    expect(evaluate(out)).toBe(value);
  });

  test('placeholders become markers and come back as the same expressions', () => {
    const src = '`/kaniko/executor --context ${ dir } --destination ${reg}/app:${tag()}`';
    const m = modelOf(src);
    expect(m.cooked).toBe('/kaniko/executor --context ${__K2B_0} --destination ${__K2B_1}/app:${__K2B_2}');
    const value =
      'buildctl-daemonless.sh build --local context=${__K2B_0} --local dockerfile=${__K2B_0} --output type=image,name=${__K2B_1}/app:${__K2B_2}';
    expect(checkMarkers(m, value)).toEqual({ ok: true });
    expect(applyEdits(src, literalEdits(m, value))).toBe(
      '`buildctl-daemonless.sh build --local context=${ dir } --local dockerfile=${ dir } --output type=image,name=${reg}/app:${tag()}`',
    );
    expect(literalSource(m, value)).toBe(
      '`buildctl-daemonless.sh build --local context=${ dir } --local dockerfile=${ dir } --output type=image,name=${reg}/app:${tag()}`',
    );
  });

  test('the same pure expression twice shares one marker; a call never does', () => {
    expect(modelOf('`${a} ${a} ${f()} ${f()}`').cooked).toBe('${__K2B_0} ${__K2B_0} ${__K2B_1} ${__K2B_2}');
  });

  test('a marker prefix already in the text is avoided', () => {
    expect(modelOf('`echo __K2B_ ${x}`').cooked).toBe('echo __K2B_ ${__K2B2_0}');
  });

  test('a $ or ${ written in a template stays literal text', () => {
    const m = modelOf('`x`');
    expect(literalSource(m, 'echo ${HOME} $')).toBe('`echo \\${HOME} \\$`');
    expect(evaluate(literalSource(m, 'echo ${HOME} $'))).toBe('echo ${HOME} $');
  });
});

describe('placeholders through the rewrite (KB502)', () => {
  const m = modelOf('`/kaniko/executor --context ${dir} --destination "${img}" --build-arg V=${next()}`');

  test('quote states of a script', () => {
    const s = `a 'b' "c $(d "e") \\f" # g`;
    expect(quoteStates(s, [0, 3, 8, 14, 19, 24])).toEqual(['none', 'single', 'double', 'double', 'escaped', 'comment']);
  });

  test('unquoted to double-quoted is fine; into single quotes is not', () => {
    expect(checkMarkers(m, 'x "context=${__K2B_0}" "${__K2B_1}" V=${__K2B_2}')).toEqual({ ok: true });
    expect(checkMarkers(m, 'x \'context=${__K2B_0}\' "${__K2B_1}" V=${__K2B_2}').ok).toBe(false);
    expect(checkMarkers(m, 'x ${__K2B_0} ${__K2B_1} V=${__K2B_2}').reason).toMatch(
      /\$\{img\} would stand unquoted instead of in double quotes/,
    );
  });

  test('a call must be evaluated exactly as often as before', () => {
    expect(checkMarkers(m, 'x ${__K2B_0} "${__K2B_1}"').reason).toMatch(
      /\$\{next\(\)\} is not a plain name .* 0 times instead of 1/,
    );
    expect(checkMarkers(m, 'x ${__K2B_0} "${__K2B_1}" ${__K2B_2} ${__K2B_2}').ok).toBe(false);
    // a pure one may be dropped or repeated, not changed into another expansion
    expect(checkMarkers(m, 'x "${__K2B_1}" V=${__K2B_2}').ok).toBe(true);
    expect(checkMarkers(m, 'x "${__K2B_1}" "${__K2B_1}" V=${__K2B_2}').ok).toBe(true);
    expect(checkMarkers(m, 'x "${__K2B_1}" ${__K2B_1:+y} V=${__K2B_2}').ok).toBe(false);
  });

  test('a marker cut apart or escaped cannot be written back', () => {
    expect(checkMarkers(m, 'x __K2B_0 "${__K2B_1}" ${__K2B_2}').ok).toBe(false);
    expect(checkMarkers(m, 'x \\${__K2B_0} "${__K2B_1}" ${__K2B_2}').ok).toBe(false);
  });
});

describe('which files are read', () => {
  test('globs', () => {
    const re = globToRegExp('ci/**/*.{ts,mts}');
    expect(['ci/a.ts', 'ci/x/y/b.mts', 'ci/a.js', 'src/ci/a.ts'].map((p) => re.test(p))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(globToRegExp('**/*.ts').test('a.ts')).toBe(true);
    expect(globToRegExp('gen.ts,lib/*.js').test('lib/x.js')).toBe(true);
  });

  test('source names', () => {
    expect(['a.ts', 'a.mts', 'a.cts', 'a.js', 'a.mjs', 'a.d.ts', 'a.tsx', 'a.json'].map(isSourceName)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
