import { renderSegmentsRaw, type Segment } from '../../src/shell/index.js';
import { renderWord } from '../../src/shell/quote.js';
import { names, only, parse, values } from './helpers.js';

const lit = (text: string, quote: 'none' | 'single' | 'double' | 'escaped' = 'none'): Segment => ({
  kind: 'literal',
  text,
  quote,
});
const param = (raw: string, name: string, quoted = false): Segment => ({ kind: 'param', raw, name, quoted });

describe('words and offsets', () => {
  test('plain words keep their offsets and raw text', () => {
    const c = only('echo a  bc\t');
    expect(c.words).toEqual([
      { raw: 'echo', start: 0, end: 4, value: 'echo', segments: [lit('echo')] },
      { raw: 'a', start: 5, end: 6, value: 'a', segments: [lit('a')] },
      { raw: 'bc', start: 8, end: 10, value: 'bc', segments: [lit('bc')] },
    ]);
    expect([c.start, c.end]).toEqual([0, 10]);
  });

  test('single quotes keep everything literal, adjacent quoted runs merge', () => {
    const c = only(`echo 'a b' 'it''s' '$X \\ "' ''`);
    expect(values(c)).toEqual(['echo', 'a b', 'its', '$X \\ "', '']);
    expect(c.words[1]!.segments).toEqual([lit('a b', 'single')]);
    expect(c.words[2]!.segments).toEqual([lit('its', 'single')]);
    expect(c.words[4]).toEqual({ raw: "''", start: 28, end: 30, value: '', segments: [lit('', 'single')] });
  });

  test('double quotes: \\" \\\\ \\$ \\` escapes, other backslashes stay', () => {
    const c = only(String.raw`echo "a \"b\" \\ \$x \` \z" ""`);
    expect(values(c)).toEqual(['echo', 'a "b" \\ $x ` \\z', '']);
    expect(c.words[1]!.segments).toEqual([lit('a "b" \\ $x ` \\z', 'double')]);
    expect(c.words[2]!.segments).toEqual([lit('', 'double')]);
  });

  test('backslash-newline inside double quotes is removed, inside single quotes kept', () => {
    const src = `echo "a\\\nb" 'c\\\nd'`;
    const c = only(src);
    expect(values(c)).toEqual(['echo', 'ab', 'c\\\nd']);
    expect(c.words[1]!.raw).toBe('"a\\\nb"');
  });

  test('backslash escapes outside quotes', () => {
    const c = only(String.raw`echo a\ b \$X \\ \'`);
    expect(values(c)).toEqual(['echo', 'a b', '$X', '\\', "'"]);
    expect(c.words[1]!.segments).toEqual([lit('a'), lit(' ', 'escaped'), lit('b')]);
    expect(c.words[2]!.segments).toEqual([lit('$', 'escaped'), lit('X')]);
  });

  test('an escaped astral character is one code point', () => {
    expect(values(only('echo \\😀x'))).toEqual(['echo', '😀x']);
  });

  test('mixed concatenation', () => {
    const c = only(`pre"$X-"'s'\\x`);
    expect(c.words[0]!.segments).toEqual([
      lit('pre'),
      param('$X', 'X', true),
      lit('-', 'double'),
      lit('s', 'single'),
      lit('x', 'escaped'),
    ]);
    expect(c.words[0]!.value).toBeUndefined();
  });
});

describe('line continuations', () => {
  test('join words of one command; not part of any word', () => {
    const src = 'a \\\n  b \\\n\tc';
    const c = only(src);
    expect(c.words.map((w) => [w.raw, w.start, w.end])).toEqual([
      ['a', 0, 1],
      ['b', 6, 7],
      ['c', 11, 12],
    ]);
    expect([c.start, c.end]).toEqual([0, 12]);
  });

  test('inside a word: removed from the value, kept in raw', () => {
    const c = only('ab\\\ncd e');
    expect(c.words[0]).toEqual({ raw: 'ab\\\ncd', start: 0, end: 6, value: 'abcd', segments: [lit('abcd')] });
  });

  test('right after a word it ends the word without belonging to it', () => {
    const c = only('a\\\n b');
    expect(c.words.map((w) => [w.raw, w.start, w.end])).toEqual([
      ['a', 0, 1],
      ['b', 4, 5],
    ]);
  });

  test('inside a parameter name (dash reads $a\\<nl>b as $ab)', () => {
    const c = only('echo $a\\\nb');
    expect(c.words[1]!.segments).toEqual([param('$a\\\nb', 'ab')]);
  });

  test('kaniko command split over lines', () => {
    const src = [
      '/kaniko/executor \\',
      '  --context "${CI_PROJECT_DIR}" \\',
      '  --dockerfile "$CI_PROJECT_DIR/Dockerfile" \\',
      '  --destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_TAG}" \\',
      '  --cache=true',
    ].join('\n');
    const c = only(src);
    expect(values(c)).toEqual([
      '/kaniko/executor',
      '--context',
      '?"${CI_PROJECT_DIR}"',
      '--dockerfile',
      '?"$CI_PROJECT_DIR/Dockerfile"',
      '--destination',
      '?"${CI_REGISTRY_IMAGE}:${CI_COMMIT_TAG}"',
      '--cache=true',
    ]);
    expect(c.words[6]!.segments).toEqual([
      param('${CI_REGISTRY_IMAGE}', 'CI_REGISTRY_IMAGE', true),
      lit(':', 'double'),
      param('${CI_COMMIT_TAG}', 'CI_COMMIT_TAG', true),
    ]);
    expect(c.words[7]!.start).toBe(src.indexOf('--cache'));
    expect(c.end).toBe(src.length);
  });
});

describe('expansions are kept verbatim', () => {
  test.each([
    ['$X', 'X'],
    ['${X}', 'X'],
    ['${X:-default with spaces}', 'X'],
    ['${X:-"a }" b}', 'X'],
    ["${X:-'}'}", 'X'],
    ['${#X}', 'X'],
    ['${X%suffix}', 'X'],
    ['${X##*/}', 'X'],
    ['${X:-${Y:-$(echo "}")}}', 'X'],
    ['$1', '1'],
    ['${10}', '10'],
    ['$@', '@'],
    ['$*', '*'],
    ['$?', '?'],
    ['$$', '$'],
    ['$#', '#'],
    ['$!', '!'],
    ['$-', '-'],
    ['${#}', '#'],
  ])('%s', (raw, name) => {
    const c = only(`echo ${raw} next`);
    expect(c.words[1]).toEqual({ raw, start: 5, end: 5 + raw.length, segments: [param(raw, name)] });
    expect(values(c)[2]).toBe('next');
  });

  test('$10 is $1 followed by 0', () => {
    expect(only('echo $10').words[1]!.segments).toEqual([param('$1', '1'), lit('0')]);
  });

  test('a $ that starts no expansion is literal', () => {
    expect(values(only('echo $ a$ "$" $/ "x$"'))).toEqual(['echo', '$', 'a$', '$', '$/', 'x$']);
  });

  test("$'...' is read the POSIX way (dash), not C-style (bash, busybox)", () => {
    expect(values(only('echo $\'a\\tb\' $"x"'))).toEqual(['echo', '$a\\tb', '$x']);
  });

  test('single quotes inside a double-quoted ${...} do not quote (dash)', () => {
    const c = only(`echo "\${X-'}'}"`);
    expect(c.words[1]!.segments).toEqual([param("${X-'}", 'X', true), lit("'}", 'double')]);
  });

  test('command substitution with nested parentheses and quotes', () => {
    const raw = `$(cmd "a b" $(inner ")") 'x)' (sub) | case y in y) echo;; esac)`;
    const c = parse(`echo ${raw} next`);
    expect(c.commands).toHaveLength(1); // commands inside $(...) are not reported
    expect(c.commands[0]!.words[1]!.segments).toEqual([{ kind: 'command', raw, quoted: false }]);
    expect(values(c.commands[0]!)[2]).toBe('next');
  });

  test('command substitution containing a comment and a heredoc', () => {
    const raw = '$(cat <<EOF # ) comment\n)\nEOF\n)';
    const c = parse(`x=${raw} y`);
    expect(c.errors).toEqual([]);
    expect(c.commands[0]!.assignments[0]!.raw).toBe(`x=${raw}`);
    expect(values(c.commands[0]!)).toEqual(['y']);
  });

  test('backquotes, with escaped backquotes inside', () => {
    const c = only('echo `echo \\`date\\` "a b"` "`x`"');
    expect(c.words[1]!.segments).toEqual([{ kind: 'command', raw: '`echo \\`date\\` "a b"`', quoted: false }]);
    expect(c.words[2]!.segments).toEqual([{ kind: 'command', raw: '`x`', quoted: true }]);
  });

  test('arithmetic', () => {
    const c = only('echo $((1+(2*3))) "$(( $X + 1 ))"');
    expect(c.words[1]!.segments).toEqual([{ kind: 'arith', raw: '$((1+(2*3)))', quoted: false }]);
    expect(c.words[2]!.segments).toEqual([{ kind: 'arith', raw: '$(( $X + 1 ))', quoted: true }]);
  });

  test('GitLab $[[ inputs ]] interpolation is one opaque segment', () => {
    const c = only('executor --context=$[[ inputs.context ]]/sub "$[[ inputs.a | expand_vars ]]" x');
    expect(c.words[1]).toEqual({
      raw: '--context=$[[ inputs.context ]]/sub',
      start: 9,
      end: 44,
      segments: [
        lit('--context='),
        { kind: 'interpolation', raw: '$[[ inputs.context ]]', quoted: false },
        lit('/sub'),
      ],
    });
    expect(c.words[2]!.segments).toEqual([
      { kind: 'interpolation', raw: '$[[ inputs.a | expand_vars ]]', quoted: true },
    ]);
    expect(values(c)[3]).toBe('x');
  });

  test('$[[ inputs ]] inside single quotes is still interpolated (textually, before the shell): no static value', () => {
    const c = only(`executor --dockerfile 'dir/$[[ inputs.file ]]' 'a b' '$[[ x'`);
    expect(c.words[2]!.value).toBeUndefined();
    expect(c.words[2]!.segments).toEqual([
      lit('dir/', 'single'),
      { kind: 'interpolation', raw: '$[[ inputs.file ]]', quoted: true, single: true },
    ]);
    expect(values(c).slice(3)).toEqual(['a b', '$[[ x']);
    // rendered back, the interpolated text stays inside single quotes
    expect(renderSegmentsRaw(c.words[2]!.segments)).toBe(`'dir/''$[[ inputs.file ]]'`);
    expect(renderWord(c.words[2]!.segments)).toBe(`"dir/"'$[[ inputs.file ]]'`);
  });
});

describe('globs and tilde', () => {
  test('unquoted *, ? and [...] make words non-static', () => {
    const c = only('ls *.txt a?b [ab]c [!x]');
    expect(c.words[1]!.segments).toEqual([{ kind: 'glob', raw: '*' }, lit('.txt')]);
    expect(c.words[2]!.segments).toEqual([lit('a'), { kind: 'glob', raw: '?' }, lit('b')]);
    expect(c.words[3]!.segments).toEqual([{ kind: 'glob', raw: '[ab]' }, lit('c')]);
    expect(c.words[4]!.segments).toEqual([{ kind: 'glob', raw: '[!x]' }]);
    expect(c.words.slice(1).map((w) => w.value)).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('quoted or escaped glob characters and a lone [ stay static', () => {
    expect(values(only(`[ "*" = \\* ] '[ab]' a[ ]`))).toEqual(['[', '*', '=', '*', ']', '[ab]', 'a[', ']']);
  });

  test('a bracket expression with quoted parts is still a pattern', () => {
    const c = only('ls ["a"]');
    expect(c.words[1]!.segments).toEqual([{ kind: 'glob', raw: '[' }, lit('a', 'double'), lit(']')]);
    expect(c.words[1]!.value).toBeUndefined();
  });

  test('unquoted ~ at word start is a marked literal and the word is not static', () => {
    const c = only('cd ~ ~/x ~user a~ "~" \\~');
    expect(c.words[1]!.segments).toEqual([{ kind: 'literal', text: '~', quote: 'none', tilde: true }]);
    expect(c.words[2]!.segments).toEqual([{ kind: 'literal', text: '~', quote: 'none', tilde: true }, lit('/x')]);
    expect(values(c)).toEqual(['cd', '?~', '?~/x', '?~user', 'a~', '~', '~']);
  });
});

describe('operators and lists', () => {
  test('; && || | & and newlines separate commands', () => {
    const r = parse('a;b&&c||d|e&f\ng\n\nh');
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => [values(c).join(' '), c.enclosures])).toEqual([
      ['a', []],
      ['b', ['background', 'and-or']],
      ['c', ['background', 'and-or']],
      ['d', ['background', 'and-or', 'pipeline']],
      ['e', ['background', 'and-or', 'pipeline']],
      ['f', []],
      ['g', []],
      ['h', []],
    ]);
  });

  test('newlines are allowed after && || |', () => {
    const r = parse('a &&\n\n b ||\n c |\n d');
    expect(r.errors).toEqual([]);
    expect(names(r)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('! negates a pipeline', () => {
    const r = parse('! a | b');
    expect(r.commands.map((c) => [values(c), c.enclosures])).toEqual([
      [['a'], ['pipeline']],
      [['b'], ['pipeline']],
    ]);
  });

  test('comments: at word start only', () => {
    const r = parse('a # c; d\n# whole line\nb a#b $# #x\n  # indented');
    expect(r.errors).toEqual([]);
    expect(names(r)).toEqual(['a', 'b a#b ?$#']);
  });

  test('subshells and groups', () => {
    const r = parse('( a; b ) && { c; }\n{ d\n}');
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => [values(c).join(' '), c.enclosures])).toEqual([
      ['a', ['and-or', 'subshell']],
      ['b', ['and-or', 'subshell']],
      ['c', ['and-or', 'group']],
      ['d', ['group']],
    ]);
  });

  test('{ needs to be a word of its own', () => {
    expect(names(parse('{echo} a'))).toEqual(['{echo} a']);
  });
});

describe('redirections', () => {
  test('operators, fds and targets', () => {
    const c = only('cmd >out 2>>err <in 2>&1 >&2 3<>f >|g <&0 a');
    expect(values(c)).toEqual(['cmd', 'a']);
    expect(c.redirects.map((r) => [r.fd, r.op, r.target.value, r.start, r.end])).toEqual([
      [undefined, '>', 'out', 4, 8],
      [2, '>>', 'err', 9, 15],
      [undefined, '<', 'in', 16, 19],
      [2, '>&', '1', 20, 24],
      [undefined, '>&', '2', 25, 28],
      [3, '<>', 'f', 29, 33],
      [undefined, '>|', 'g', 34, 37],
      [undefined, '<&', '0', 38, 41],
    ]);
    expect(c.end).toBe(43);
  });

  test('digits not followed by < or > are a word; a redirection may come first', () => {
    const c = only('>log echo 2 > x');
    expect(values(c)).toEqual(['echo', '2']);
    expect(c.redirects.map((r) => [r.fd, r.op, r.target.value])).toEqual([
      [undefined, '>', 'log'],
      [undefined, '>', 'x'],
    ]);
    expect([c.start, c.end]).toEqual([0, 15]);
  });

  test('a command with only redirections is still a command', () => {
    const c = only('> file');
    expect(c.words).toEqual([]);
    expect(c.redirects[0]!.target.value).toBe('file');
  });
});

describe('here-documents', () => {
  test('body collected after the end of the line; commands after it are read', () => {
    const src = 'cat <<EOF >out; echo same-line\nrec in-body $X\nEOF\nrec after';
    const r = parse(src);
    expect(r.errors).toEqual([]);
    expect(names(r)).toEqual(['cat', 'echo same-line', 'rec after']);
    const h = r.commands[0]!.redirects[0]!;
    expect(h.op).toBe('<<');
    expect(h.target.value).toBe('EOF');
    expect(h.heredoc).toEqual({ body: 'rec in-body $X\n', start: 31, end: 46, quoted: false });
    expect(src.slice(h.heredoc!.start, h.heredoc!.end)).toBe(h.heredoc!.body);
    expect(r.commands[0]!.end).toBe(14); // body excluded
  });

  test('<<- strips leading tabs from body lines and the delimiter line', () => {
    const r = parse('cat <<-END\n\t\tone\n\ttwo\n\tEND\nnext');
    expect(r.errors).toEqual([]);
    expect(r.commands[0]!.redirects[0]!.heredoc).toEqual({ body: 'one\ntwo\n', start: 11, end: 22, quoted: false });
    expect(names(r)).toEqual(['cat', 'next']);
  });

  test.each([
    [`<<'EOF'`, true],
    [`<<"EOF"`, true],
    [`<<\\EOF`, true],
    [`<<E"O"F`, true],
    [`<<EOF`, false],
  ])('%s quoted=%s', (redir, quoted) => {
    const r = parse(`cat ${redir}\n$(x) \`y\`\nEOF\nz`);
    expect(r.errors).toEqual([]);
    expect(r.commands[0]!.redirects[0]!.heredoc).toMatchObject({ body: '$(x) `y`\n', quoted });
    expect(names(r)).toEqual(['cat', 'z']);
  });

  test('two heredocs on one line are read in order', () => {
    const r = parse('cat <<A - <<B\na\nA\nb\nB\nnext');
    expect(r.commands[0]!.redirects.map((h) => h.heredoc!.body)).toEqual(['a\n', 'b\n']);
    expect(names(r)).toEqual(['cat -', 'next']);
  });

  test('heredoc inside a compound command and on its redirection', () => {
    const r = parse('if true; then cat <<E; fi\nbody\nE\nwhile read l; do echo "$l"; done <<X\nfi\nX\nlast');
    expect(r.errors).toEqual([]);
    expect(names(r)).toEqual(['true', 'cat', 'read l', 'echo ?"$l"', 'last']);
    expect(r.commands[1]!.redirects[0]!.heredoc!.body).toBe('body\n');
  });

  test('delimiter at end of input without a newline', () => {
    const r = parse('cat <<EOF\nx\nEOF');
    expect(r.errors).toEqual([]);
    expect(r.commands[0]!.redirects[0]!.heredoc!.body).toBe('x\n');
  });
});

describe('assignments', () => {
  test('only before the command name', () => {
    const c = only('A=b B="x y" cmd C=d');
    expect(c.assignments.map((w) => w.value)).toEqual(['A=b', 'B=x y']);
    expect(values(c)).toEqual(['cmd', 'C=d']);
    expect(c.assignments[1]!.segments).toEqual([lit('B='), lit('x y', 'double')]);
  });

  test('assignments alone are a command with no words', () => {
    const c = only('A=1 B=$X');
    expect(c.words).toEqual([]);
    expect(c.assignments.map((w) => [w.raw, w.value])).toEqual([
      ['A=1', 'A=1'],
      ['B=$X', undefined],
    ]);
    expect([c.start, c.end]).toEqual([0, 8]);
  });

  test('not assignments: bad names, quoted names, escaped =', () => {
    expect(values(only('1A=b'))).toEqual(['1A=b']);
    expect(values(only('"A"=b'))).toEqual(['A=b']);
    expect(values(only('A\\=b'))).toEqual(['A=b']);
    expect(only('=b').assignments).toEqual([]);
  });

  test('no pathname expansion in assignment values, but tilde expansion after = and :', () => {
    const c = only('A=*.c B=~/x:~/y C=a~ cmd');
    expect(c.assignments[0]).toMatchObject({ value: 'A=*.c', segments: [lit('A=*.c')] });
    expect(c.assignments[1]!.segments).toEqual([
      lit('B='),
      { kind: 'literal', text: '~', quote: 'none', tilde: true },
      lit('/x:'),
      { kind: 'literal', text: '~', quote: 'none', tilde: true },
      lit('/y'),
    ]);
    expect(c.assignments[1]!.value).toBeUndefined();
    expect(c.assignments[2]!.value).toBe('C=a~');
  });
});

describe('compound commands', () => {
  test('if / elif / else', () => {
    const r = parse('if a; then b; elif c\nthen d; else e | f; fi; g');
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => [values(c).join(' '), c.enclosures])).toEqual([
      ['a', ['if']],
      ['b', ['if']],
      ['c', ['if']],
      ['d', ['if']],
      ['e', ['if', 'pipeline']],
      ['f', ['if', 'pipeline']],
      ['g', []],
    ]);
  });

  test('while / until', () => {
    const r = parse('while a; do b; done\nuntil c\ndo\n  d\ndone');
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => [values(c).join(' '), c.enclosures])).toEqual([
      ['a', ['while']],
      ['b', ['while']],
      ['c', ['until']],
      ['d', ['until']],
    ]);
  });

  test('for loops, with and without a word list', () => {
    const r = parse(
      'for x in a "b c" $Y; do echo "$x"; done\nfor y; do f; done\nfor z\ndo g; done\nfor w in; do h; done',
    );
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => [values(c).join(' '), c.enclosures])).toEqual([
      ['echo ?"$x"', ['for']],
      ['f', ['for']],
      ['g', ['for']],
      ['h', ['for']],
    ]);
  });

  test('case with alternatives, (pattern), empty items, newlines', () => {
    const src = 'case "$x" in\n  a|b) one;;\n  (c*) two; three ;;\n  d) ;;\n  *)\n    four\nesac; after';
    const r = parse(src);
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => [values(c).join(' '), c.enclosures])).toEqual([
      ['one', ['case']],
      ['two', ['case']],
      ['three', ['case']],
      ['four', ['case']],
      ['after', []],
    ]);
  });

  test('function definitions', () => {
    const r = parse('f() { a; }\ng ()\n{\n  b\n}\nh() ( c )\nfunction k { d; }\nfunction m() { e; }\nf x');
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => [values(c).join(' '), c.enclosures])).toEqual([
      ['a', ['function', 'group']],
      ['b', ['function', 'group']],
      ['c', ['function', 'subshell']],
      ['d', ['function', 'group']],
      ['e', ['function', 'group']],
      ['f x', []],
    ]);
  });

  test('`function` alone or with plain arguments is an ordinary command', () => {
    expect(names(parse('function\nfunction a b'))).toEqual(['function', 'function a b']);
  });

  test('nesting: outermost enclosure first', () => {
    const r = parse('for i in 1; do if a; then { b | c; } & fi; done | d');
    expect(r.errors).toEqual([]);
    expect(r.commands.map((c) => [values(c).join(' '), c.enclosures])).toEqual([
      ['a', ['pipeline', 'for', 'if']],
      ['b', ['pipeline', 'for', 'if', 'background', 'group', 'pipeline']],
      ['c', ['pipeline', 'for', 'if', 'background', 'group', 'pipeline']],
      ['d', ['pipeline']],
    ]);
  });

  test('reserved words are only recognised in command position', () => {
    const r = parse('echo if then fi do done { } esac !\nA=1 if');
    expect(r.errors).toEqual([]);
    expect(names(r)).toEqual(['echo if then fi do done { } esac !', 'if']);
  });

  test('exec, eval and sh -c are plain commands', () => {
    const r = parse(`exec /kaniko/executor --a b\neval "x y"\nsh -c 'rec "$1"' sh arg`);
    expect(names(r)).toEqual(['exec /kaniko/executor --a b', 'eval x y', 'sh -c rec "$1" sh arg']);
  });
});

describe('errors and recovery', () => {
  test.each([
    ["echo 'abc", 'unterminated single quote', 5],
    ['echo "abc', 'unterminated double quote', 5],
    ['echo `abc', 'unterminated backquote', 5],
    ['echo $(abc', "unterminated '$('", 5],
    ['echo ${abc', "unterminated '${'", 5],
    ['echo $((1', "unterminated '$(('", 5],
    ['echo $[[ x', "unterminated '$[['", 5],
  ])('%s', (src, message, offset) => {
    const r = parse(src);
    expect(r.errors).toContainEqual({ message, offset });
    expect(r.commands[0]!.words[0]!.value).toBe('echo');
  });

  test('unterminated heredoc keeps the rest as its body', () => {
    const r = parse('cat <<EOF\nrec nope\n');
    expect(r.errors).toEqual([{ message: "here-document delimited by end of input (wanted 'EOF')", offset: 4 }]);
    expect(names(r)).toEqual(['cat']);
    expect(r.commands[0]!.redirects[0]!.heredoc!.body).toBe('rec nope\n');
  });

  test('heredoc whose line never ends', () => {
    const r = parse('cat <<EOF');
    expect(r.errors).toHaveLength(1);
    expect(r.commands[0]!.redirects[0]!.heredoc).toEqual({ body: '', start: 9, end: 9, quoted: false });
  });

  test('unterminated compounds still report their commands', () => {
    const r = parse('if a; then b\nwhile c; do d');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(names(r)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('stray closers and operators are reported and skipped', () => {
    const r = parse('fi; a ) b ;; c && || d; done\n| e');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(names(r)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('malformed case and for', () => {
    for (const src of [
      'case',
      'case x',
      'case x in',
      'case x in a',
      'case x in a) b',
      'for',
      'for x in a',
      'for x in a; do',
      'f()',
      'f() x',
      'cat <',
      '2>',
    ]) {
      const r = parse(src);
      expect(r.errors.length).toBeGreaterThan(0);
    }
  });

  test('deep nesting does not overflow the stack', () => {
    for (const src of [
      '('.repeat(20000),
      '$('.repeat(20000),
      '${'.repeat(50000),
      'if '.repeat(20000),
      '{ '.repeat(20000),
      '"$('.repeat(5000),
      '`'.repeat(50001),
    ]) {
      const r = parse(src);
      expect(r.errors.length).toBeGreaterThan(0);
    }
  });

  test('large scripts parse in roughly linear time', () => {
    const line = 'rec --a "b $X" ${Y:-z} $(echo "(" \')\') `w` && x | y; cat <<E\nbody\nE\n# comment\n';
    const big = line.repeat(Math.ceil(300_000 / line.length));
    const t0 = Date.now();
    const r = parse(big);
    const elapsed = Date.now() - t0;
    expect(r.errors).toEqual([]);
    expect(r.commands.length).toBe((big.length / line.length) * 4);
    expect(elapsed).toBeLessThan(3000);
    for (const bad of [
      '['.repeat(200_000),
      'a'.repeat(300_000),
      '\\\n'.repeat(100_000),
      "'".repeat(100_001),
      '"'.repeat(100_001),
      '<<E '.repeat(50_000) + '\n',
    ]) {
      const t1 = Date.now();
      parse(bad);
      expect(Date.now() - t1).toBeLessThan(3000);
    }
  });
});
