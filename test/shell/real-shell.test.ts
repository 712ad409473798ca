/**
 * Differential tests: every `rec` command parseScript finds must be called by the real shell,
 * once, with exactly the argv parseScript predicts for its static (or env-substituted) words.
 * Commands that must not run are named `nope`, so each script runs each `rec` exactly once.
 */
import type { SimpleCommand, Word } from '../../src/shell/index.js';
import { staticValue } from '../../src/shell/index.js';
import { parse } from './helpers.js';
import { RecordingShell, shellVariants } from './real-shell.js';

const ENV: Record<string, string> = { X: 'hello world', Y: 'y', EMPTY: '', STAR: '*', Q: `it's "q" \\ $Y` };

interface Case {
  script: string;
  /** Pipelines run concurrently: compare calls in any order. */
  unordered?: boolean;
}

const CASES: Case[] = [
  { script: 'rec a b   c' },
  { script: `rec 'a b' "c d" e\\ f` },
  { script: String.raw`rec "a \"q\" \\ \$X \` \z" 'it'\''s'` },
  { script: 'rec a \\\n  b \\\n\tc' },
  { script: `rec ab\\\ncd "e\\\nf" 'g\\\nh'` },
  { script: 'rec a\\\n\\\nb' },
  { script: 'rec "${X:-a b}" "${UNSET:-a b}" ${X:+set}' },
  { script: 'rec "$(echo "a b")" x "`echo "c d"`"' },
  { script: 'rec "$X" "$Y" $Y x${Y}z "$EMPTY" "${Q}"' },
  { script: 'rec "$(echo ")")" \'$(\' "${X%"}"}" x' },
  { script: 'cat <<EOF >/dev/null\nrec not-a-command\nEOF\nrec after' },
  { script: 'cat <<-EOF >/dev/null; rec same-line\n\trec nope\n\tEOF\nrec next' },
  { script: "cat <<'EOF' >/dev/null && rec quoted\n$(rec nope)\nEOF\nrec after" },
  { script: 'cat <<A <<"B" >/dev/null; rec two-heredocs\nrec nope\nA\nrec nope\nB\nrec end' },
  { script: 'rec a#b c # comment rec\n# rec nope\n   # rec nope\nrec d' },
  { script: 'false || rec or && rec and; true && rec and2 || nope' },
  { script: 'rec a;rec b&&rec c' },
  {
    script:
      'if ! false; then rec then; fi; if false; then nope; elif true; then rec elif; fi\nif false; then nope; else rec else; fi',
  },
  { script: 'for x in 1; do rec for-body "lit $Y"; done\nfor x in; do nope; done' },
  { script: 'case abc in a|b) nope;; a*) rec star;; *) nope;; esac\ncase x in (x) rec paren-pattern;; esac' },
  { script: 'case "$X" in\n  hello*)\n    rec multi-line-case\n    ;;\nesac' },
  { script: 'f() { rec in-func "$1"; }\nf "b c"\ng() {\n  rec in-g\n}; g' },
  { script: '( rec sub ); { rec group; } </dev/null' },
  { script: 'rec left | rec right', unordered: true },
  { script: 'rec bg & wait' },
  { script: 'A=1 B="x y" rec assign A=1; C=2' },
  { script: 'rec "${X}" "${#X}" $((1+2)) "$((3*4))"' },
  { script: `rec \\$X '$X' "\\$X" "\\\\$Y"` },
  { script: `rec "a'b" 'a"b' a\\'b a\\"b` },
  { script: `rec '' "" x '' ""''` },
  { script: 'rec "~" \\~ a~ "a b"~ ~nonexistentuser' },
  { script: `rec "*" \\* '[ab]' a=b "$STAR" ["?"] [ ]` },
  { script: String.raw`rec \\\\ "\\\\" '\\' "\a" \a` },
  { script: 'rec "é 中 😀" é\\😀' },
  { script: 'rec "line1\nline2" \'x\n\ny\'' },
  { script: 'while ! rec loop-cond; do nope; done; until rec until-cond; do nope; done' },
  { script: 'rec "$(case a in a) echo yes;; esac)" after-case' },
  { script: 'rec 2>/dev/null redirect >&2 3>&1 and-more' },
  { script: `rec "--build-arg=A=$Y" --destination="\${Y}:tag" --label="k=v w"` },
  { script: 'rec $# "$#" "$?" "$-" x' },
  { script: 'rec {a,b} { } !x a}b' },
  { script: 'exec 3>/dev/null; rec after-exec-redirect' },
];

/** A word whose expansion may add or remove fields: argv positions after it are unknown. */
function mayChangeFieldCount(w: Word): boolean {
  return w.segments.some(
    (s) =>
      s.kind === 'glob' ||
      ((s.kind === 'param' || s.kind === 'command' || s.kind === 'arith' || s.kind === 'interpolation') && !s.quoted) ||
      (s.kind === 'param' && (s.name === '@' || s.name === '*')),
  );
}

const SKIP = Symbol('non-static');

interface Expected {
  cmd: SimpleCommand;
  argv: (string | typeof SKIP)[];
  exact: boolean;
}

function expectedCalls(script: string): Expected[] {
  const { commands, errors } = parse(script);
  expect(errors).toEqual([]);
  return commands
    .filter((c) => c.words[0]?.value === 'rec')
    .map((cmd) => {
      const args = cmd.words.slice(1);
      const unknown = args.filter((w) => staticValue(w, ENV) === undefined);
      return { cmd, argv: args.map((w) => staticValue(w, ENV) ?? SKIP), exact: !unknown.some(mayChangeFieldCount) };
    });
}

const { variants, skipped } = shellVariants();
for (const s of skipped) console.log(`real-shell tests: skipping ${s}`);

describe.each(variants)('parseScript agrees with $name', (shell) => {
  const rec = new RecordingShell();
  afterAll(() => rec.dispose());
  let compared = 0;

  test.each(CASES.map((c) => [c.script, c] as const))('%j', (_name, { script, unordered }) => {
    const expected = expectedCalls(script);
    const { calls, stderr, status } = rec.run(shell, script, ENV);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(calls).toHaveLength(expected.length);
    const order = unordered ? [...calls].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : calls;
    const exp = unordered
      ? [...expected].sort((a, b) => (JSON.stringify(a.argv) < JSON.stringify(b.argv) ? -1 : 1))
      : expected;
    exp.forEach((e, i) => {
      const actual = order[i]!;
      if (!e.exact) return;
      expect(actual).toHaveLength(e.argv.length);
      const masked = actual.map((a, j) => (e.argv[j] === SKIP ? SKIP : a));
      expect(masked).toEqual(e.argv);
      compared += e.argv.filter((a) => a !== SKIP).length;
    });
  });

  test('most arguments were actually compared', () => {
    expect(compared).toBeGreaterThan(80);
  });
});
