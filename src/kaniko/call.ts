/**
 * Reading one shell command as a Kaniko executor call: which word is the executor, and which flag each argument is.
 * Flag syntax follows spf13/pflag as Kaniko's cobra command uses it (pflag `flag.go`: `parseLongArg`,
 * `parseSingleShortArg`): `--f=v`, `--f v`, `-dVALUE`, bools as `--b` or `--b=false`.
 */
import { dropPrefix, literalPrefix, type ShellText } from '../shell/quote.js';
import type { SimpleCommand, Word } from '../shell/types.js';
import { flagBySpelling } from './flags.js';
import type { CallProblem, FlagUse, KanikoCall } from './types.js';

export type { CallProblem, FlagUse, KanikoCall } from './types.js';

/** Characters people paste by accident where a space or a hyphen was meant. The shell sees them as word characters. */
const LOOKALIKE_SPACES = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000\uFEFF]/;
const LOOKALIKE_DASHES = /^[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]+/;

export const LOOKALIKE_NAMES: Record<string, string> = {
  '\u00A0': 'NO-BREAK SPACE',
  '\u2002': 'EN SPACE',
  '\u2003': 'EM SPACE',
  '\u2009': 'THIN SPACE',
  '\u200B': 'ZERO WIDTH SPACE',
  '\u202F': 'NARROW NO-BREAK SPACE',
  '\u3000': 'IDEOGRAPHIC SPACE',
  '\uFEFF': 'ZERO WIDTH NO-BREAK SPACE',
  '\u2010': 'HYPHEN',
  '\u2011': 'NON-BREAKING HYPHEN',
  '\u2012': 'FIGURE DASH',
  '\u2013': 'EN DASH',
  '\u2014': 'EM DASH',
  '\u2212': 'MINUS SIGN',
  '\uFF0D': 'FULLWIDTH HYPHEN-MINUS',
};

export function describeChar(c: string): string {
  const hex = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex}${LOOKALIKE_NAMES[c] ? ` (${LOOKALIKE_NAMES[c]})` : ''}`;
}

/**
 * `--build-arg\u3000"K=V"` is one word to the shell (Kaniko then rejects it). When replacing the look-alike with its
 * ASCII intent gives a known flag, read it that way: the flag word, and the value after the look-alike space.
 */
function readLookalike(word: Word): { name: string; value?: ShellText; char: string; offset: number } | undefined {
  const first = word.segments[0];
  if (first?.kind !== 'literal') return undefined;
  let text = first.text;
  let char: string | undefined;
  let offset = word.start;
  const dash = LOOKALIKE_DASHES.exec(text);
  if (dash) {
    char = dash[0][0]!;
    text =
      '-'.repeat(Math.min(dash[0].length * (dash[0].length === 1 && /[\u2013\u2014]/.test(dash[0]) ? 2 : 1), 2)) +
      text.slice(dash[0].length);
  }
  const space = LOOKALIKE_SPACES.exec(text);
  if (!space && !char) return undefined;
  if (space) {
    char ??= space[0];
    offset = word.start + word.raw.indexOf(space[0]);
    const name = text.slice(0, space.index);
    const rest = [{ ...first, text: text.slice(space.index + 1) }, ...word.segments.slice(1)].filter(
      (s) => s.kind !== 'literal' || s.text !== '',
    );
    return flagBySpelling(name) ? { name, value: rest, char, offset } : undefined;
  }
  const parsed = splitFlagWord(text);
  if (!parsed || !flagBySpelling(parsed.name)) return undefined;
  const value =
    parsed.inlineAt === undefined
      ? undefined
      : [{ ...first, text: text.slice(parsed.inlineAt) }, ...word.segments.slice(1)];
  return { name: parsed.name, value, char: char!, offset };
}

const EXECUTOR_PATHS = new Set(['/kaniko/executor', 'executor', '/busybox/executor']);
/** Words that may stand before the executor and run it in the same way. */
const PREFIX_WORDS = new Set(['exec', 'command', 'time', 'nice', 'nohup']);

/** The index of the executor word, or -1 when the command is not a Kaniko executor call. */
export function executorIndex(command: SimpleCommand): number {
  let i = 0;
  while (i < command.words.length && PREFIX_WORDS.has(command.words[i]!.value ?? '')) i++;
  const head = command.words[i];
  return head && EXECUTOR_PATHS.has(head.value ?? '') ? i : -1;
}

export function readKanikoCall(command: SimpleCommand, head: number): KanikoCall {
  const uses: FlagUse[] = [];
  const problems: CallProblem[] = [];
  const words = command.words;
  for (let i = head + 1; i < words.length; i++) {
    const word = words[i]!;
    const prefix = literalPrefix(word.segments);
    if (!prefix.startsWith('-') && !LOOKALIKE_DASHES.test(prefix)) {
      problems.push({ word, kind: word.value === undefined ? 'dynamic-argument' : 'positional', text: word.raw });
      continue;
    }
    const parsed = splitFlagWord(
      prefix,
      word.segments.some((s) => s.kind !== 'literal'),
    );
    const flag = parsed && flagBySpelling(parsed.name);
    const look = flag ? undefined : readLookalike(word);
    if (look) {
      const lflag = flagBySpelling(look.name)!;
      const lookalike = { char: look.char, offset: look.offset };
      if (look.value || lflag.kind === 'bool') {
        uses.push({ flag: lflag, spelling: look.name, nameWord: word, value: look.value, lookalike });
        continue;
      }
      const next = words[i + 1];
      if (next) {
        uses.push({
          flag: lflag,
          spelling: look.name,
          nameWord: word,
          valueWord: next,
          value: next.segments,
          lookalike,
        });
        i++;
        continue;
      }
    }
    if (!parsed || !flag) {
      problems.push({ word, kind: 'unknown-flag', text: parsed?.name ?? prefix });
      continue;
    }
    if (parsed.inlineAt !== undefined) {
      uses.push({ flag, spelling: parsed.name, nameWord: word, value: dropPrefix(word.segments, parsed.inlineAt) });
      continue;
    }
    if (flag.kind === 'bool') {
      uses.push({ flag, spelling: parsed.name, nameWord: word });
      continue;
    }
    const next = words[i + 1];
    if (!next) {
      problems.push({ word, kind: 'missing-value', text: parsed.name });
      continue;
    }
    uses.push({ flag, spelling: parsed.name, nameWord: word, valueWord: next, value: next.segments });
    i++;
  }
  return { command, head, uses, problems };
}

/**
 * `--name=v` → name and where the value starts; `-dVALUE` → name `-d`, value after two characters; `--name` alone → name.
 * Only the literal prefix of a word is looked at, so `--destination=$X` works while `$FLAG=x` does not.
 */
function splitFlagWord(prefix: string, continues = false): { name: string; inlineAt?: number } | undefined {
  if (prefix.startsWith('--')) {
    const eq = prefix.indexOf('=');
    return eq < 0 ? { name: prefix } : { name: prefix.slice(0, eq), inlineAt: eq + 1 };
  }
  if (prefix.length < 2) return undefined;
  const name = prefix.slice(0, 2);
  // `-c` alone takes the next word; `-cDIR`, `-c=DIR` and `-c$DIR` carry the value in the same word.
  if (prefix.length === 2 && !continues) return { name };
  return { name, inlineAt: prefix[2] === '=' ? 3 : 2 };
}
