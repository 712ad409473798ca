/**
 * Text from a file (a job name, a path, a value quoted in a message) made safe to print: a control character would
 * reach the terminal raw, and `"build\e[2J\e]0;owned\a":` as a job name clears the screen and retitles the window.
 * As git quotes a path with control characters (`core.quotePath`) and ShellCheck prints them escaped, every C0
 * control (U+0000–U+001F) but the tab, DEL (U+007F) and every C1 control (U+0080–U+009F, which some terminals read
 * as ESC + a letter: U+009B is CSI) is written as a visible escape: `\x1b` for ESC, `\x07` for BEL, `\x0a` for a
 * newline inside a name, `\u009b` for a C1 control. Backslashes are left as they are: the escapes are for reading,
 * not for reading back.
 *
 * `printable` is for data: names, paths, messages. `terminalSafe` is the last guard on a stream to a terminal: it
 * lets through what the tool itself writes (line breaks, tabs, carriage returns, SGR colours `\e[…m`, erase in line
 * `\e[K`) and escapes every other control character, so what a site forgot to pass through `printable` still cannot
 * drive the terminal.
 */

const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
const HAS_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

function escape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code >= 0x80 ? `\\u00${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
}

/** `text` with every control character but the tab written as a visible escape (see above). */
export function printable(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, escape) : text;
}

// The sequences the tool writes itself: SGR (colours, bold, dim: `\e[…m`) and erase in line (`\e[K`, `\e[2K`); and
// the line controls of its output (newline, carriage return of the progress bar, tab).
const OWN = /\u001b\[[0-9;]*m|\u001b\[[0-2]?K|[\n\r\t]/y;
const HAS_OTHER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * `out` (a chunk written to a terminal) with every control character escaped except the tool's own sequences
 * (SGR colours, erase in line) and line controls (newline, carriage return, tab).
 */
export function terminalSafe(out: string): string {
  if (!HAS_OTHER.test(out)) return out;
  let result = '';
  let from = 0;
  for (let i = 0; i < out.length; i++) {
    const code = out.charCodeAt(i);
    if (!(code < 0x20 || (code >= 0x7f && code <= 0x9f))) continue;
    OWN.lastIndex = i;
    const own = OWN.exec(out);
    if (own) {
      i += own[0].length - 1;
      continue;
    }
    result += out.slice(from, i) + escape(out[i]!);
    from = i + 1;
  }
  return result + out.slice(from);
}
