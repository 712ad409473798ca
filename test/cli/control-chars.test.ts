/**
 * Issue 18 item 11: escape sequences from a file never reach the terminal raw. A job name `build\e[2J\e]0;owned\a`
 * (clear the screen, retitle the window, bell), a path and a flag holding ESC: every name, path and message printed is
 * escaped (`\x1b`, `\x07`, `\u009b`), in the report on stdout and the errors on stderr, with colour and without; the
 * tool's own colours still work. The stream to a terminal has a last guard (`terminalSafe`), tried through a pty.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { unifiedDiff } from '../../src/report/diff.js';
import { printable, terminalSafe } from '../../src/text/printable.js';
import { Chalk } from 'chalk';
import { runCli, tempRepo } from '../helpers.js';

const ESC = '\u001b';
const NAME = `build${ESC}[2J${ESC}]0;owned\u0007`;
const SHOWN = 'build\\x1b[2J\\x1b]0;owned\\x07';
const INCLUDED = `ci/x${ESC}]0;t\u0007.yml`;
const BROKEN = `ci/bad${ESC}[2J\u009b2J.yml`;

/** A migratable job whose file holds a raw ESC and BEL in a comment (YAML allows no raw control character elsewhere). */
const MIGRATABLE =
  `# ${ESC}]0;owned\u0007 raw in a comment\n"build\\e[2J":\n  image: gcr.io/kaniko-project/executor:debug\n` +
  `  script:\n    - /kaniko/executor --context . --destination r/i:1\n`;

function repo(): string {
  return tempRepo({
    '.gitlab-ci.yml': `include:\n  - local: "ci/x\\e]0;t\\a.yml"\n  - local: "ci/bad\\e[2J\\u009b2J.yml"\n`,
    [INCLUDED]:
      `"build\\e[2J\\e]0;owned\\a":\n  image: gcr.io/kaniko-project/executor:debug\n` +
      `  script:\n    - "/kaniko/executor --context . --destination r/i:1 --bogus\\e[5m\\a"\n`,
    [BROKEN]: 'x: [a, b\n',
    Dockerfile: 'FROM scratch\n',
  });
}

/** The output with the tool's own SGR colours taken out: what is left must hold no control character but newlines. */
const withoutColours = (s: string) => s.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe.each<[string, Record<string, string>]>([
  ['NO_COLOR', { NO_COLOR: '1' }],
  ['FORCE_COLOR', { FORCE_COLOR: '1' }],
])('with %s: no control character from the files reaches stdout or stderr', (_, env) => {
  test.each([[['migrate', '.']], [['migrate', '--check', '.']], [['migrate', '--format', 'markdown', '.']]])(
    '%j',
    async (args) => {
      const r = await runCli(args, { cwd: repo(), env });
      expect(r.code).toBe(2);
      for (const out of [r.stdout, r.stderr]) expect(withoutColours(out)).not.toMatch(CONTROL);
      expect(r.stdout).toContain(SHOWN);
      expect(r.stderr).toMatch(/^ci\/bad\\x1b\[2J\\u009b2J\.yml:\d+:\d+ {2}.*KB101/m);
      if (env.FORCE_COLOR && args.length === 2) {
        expect(r.stdout).toContain(`${ESC}[35mmanual${ESC}[39m`); // the tool's own colours
        expect(r.stderr).toContain(`${ESC}[31merror  ${ESC}[39m`);
      } else if (!env.FORCE_COLOR) expect(r.stdout + r.stderr).not.toContain(ESC);
    },
  );
});

test('printable: C0 but the tab, DEL and C1 controls as visible escapes; other text as it is', () => {
  expect(printable(NAME)).toBe(SHOWN);
  expect(printable('a\tb\nc\r\u007f\u0080\u009bé…\\x')).toBe('a\tb\\x0ac\\x0d\\x7f\\u0080\\u009bé…\\x');
  const plain = 'ci/build.yml';
  expect(printable(plain)).toBe(plain);
});

test("terminalSafe: the tool's colours, erase in line and line controls pass; every other control is escaped", () => {
  const own = `${ESC}[1mFILE${ESC}[22m\r${ESC}[K\tx\n`;
  expect(terminalSafe(own)).toBe(own);
  expect(terminalSafe(`+${NAME}:\n${ESC}[?25l\u009b2J${ESC}[31mred${ESC}[39m`)).toBe(
    `+${SHOWN}:\n\\x1b[?25l\\u009b2J${ESC}[31mred${ESC}[39m`,
  );
});

test("a diff's header names the file with its controls escaped", () => {
  const diff = unifiedDiff(INCLUDED, 'a: 1\n', 'a: 2\n', new Chalk({ level: 0 }));
  expect(diff.split('\n').slice(0, 2)).toEqual(['--- a/ci/x\\x1b]0;t\\x07.yml', '+++ b/ci/x\\x1b]0;t\\x07.yml']);
});

const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
const pty = script.status === 0 ? test : test.skip;
if (script.status !== 0) console.warn('skipped: the dry run on a terminal needs util-linux `script` for a pty');

pty('a dry run on a terminal (a pty): the diff shows the file, its controls escaped by the stream guard', () => {
  const bin = join(process.cwd(), 'bin', 'kaniko2buildkit.js');
  const cwd = tempRepo({ '.gitlab-ci.yml': MIGRATABLE, Dockerfile: 'FROM scratch\n' });
  for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '1' }]) {
    const r = spawnSync('script', ['-qec', `${process.execPath} ${bin} migrate --dry-run .`, '/dev/null'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ...env, TERM: 'xterm' },
      timeout: 60_000,
    });
    expect(r.stdout).toContain('+++ b/.gitlab-ci.yml');
    expect(r.stdout).toContain(' # \\x1b]0;owned\\x07 raw in a comment'); // the file's text, its controls escaped
    expect(r.stdout).toContain(' "build\\e[2J":'); // YAML's own escapes are text, shown as they are
    expect(r.stdout).toContain('+    - buildctl-daemonless.sh build');
    expect(withoutColours(r.stdout).replace(/\r/g, '')).not.toMatch(CONTROL);
  }
});
