/**
 * Shell words as the POSIX shell reads them, each keeping its raw text and offsets.
 * Offsets are indexes into the script string given to `parseScript` (the YAML scalar's value).
 */

/** Where a piece of a word came from, quoting included. */
export type Segment =
  /** Literal characters after quote removal. `quote` says how they were written. */
  | {
      kind: 'literal';
      text: string;
      quote: 'none' | 'single' | 'double' | 'escaped';
      /** Set on an unquoted `~` that starts a word (or an assignment value): tilde expansion makes the word non-static. */
      tilde?: true;
    }
  /** `$NAME`, `${NAME}`, `${NAME:-x}`, `$1`, `$@`…: kept verbatim, value unknown. */
  | { kind: 'param'; raw: string; name: string; quoted: boolean }
  /** `$(...)` or backquotes: kept verbatim, value unknown. */
  | { kind: 'command'; raw: string; quoted: boolean }
  /** `$((...))`: kept verbatim. */
  | { kind: 'arith'; raw: string; quoted: boolean }
  /**
   * GitLab CI/CD input interpolation `$[[ inputs.x ]]`, resolved before any shell runs: opaque. `single`: written
   * inside single quotes (the shell then reads the interpolated text literally; renderers keep it so).
   */
  | { kind: 'interpolation'; raw: string; quoted: boolean; single?: true }
  /** Unquoted `*`, `?` or `[...]`: pathname expansion could change the word. */
  | { kind: 'glob'; raw: string };

export interface Word {
  /** The word exactly as written in the script (quotes, escapes, expansions). */
  raw: string;
  start: number;
  end: number;
  /** The word's value after quote removal, only when it is fully static (no param/command/arith/interpolation/glob segment). */
  value?: string;
  segments: Segment[];
}

export interface Redirect {
  /** `>`, `>>`, `<`, `<<`, `<<-`, `>&`, `<&`, `<>`, `>|` (the operator alone: a leading fd number goes to `fd`). */
  op: string;
  fd?: number;
  /** The redirection target word (for heredocs: the delimiter word). */
  target: Word;
  /** For `<<` / `<<-`: the body text, its offsets in the script, and whether the delimiter was quoted (no expansion). */
  heredoc?: { body: string; start: number; end: number; quoted: boolean };
  start: number;
  end: number;
}

/** Structural context a simple command sits in, outermost first. */
export type Enclosure =
  'if' | 'while' | 'until' | 'for' | 'case' | 'function' | 'subshell' | 'group' | 'pipeline' | 'and-or' | 'background';

export interface SimpleCommand {
  /** Leading `NAME=value` assignments. */
  assignments: Word[];
  /** Command name and arguments, assignments and redirections removed. */
  words: Word[];
  redirects: Redirect[];
  /** Offsets of the whole command: first to last character of its words, assignments and redirections (heredoc bodies excluded). */
  start: number;
  end: number;
  enclosures: Enclosure[];
}

export interface ShellSyntaxError {
  message: string;
  offset: number;
}

export interface ParsedScript {
  /** Every simple command, in source order, including those nested in compound commands, `$(...)` excluded. */
  commands: SimpleCommand[];
  errors: ShellSyntaxError[];
}
