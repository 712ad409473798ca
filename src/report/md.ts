/** Markdown helpers for text GitLab renders: code spans that survive any content, and inline text that cannot
 *  turn into markup, links, mentions (`@name`) or references (`#1`, `!2`). */

import { printable } from '../text/printable.js';

/** The longest of `runs`, at least `least` (a loop: a spread of every run could overflow the stack). */
function longestRun(runs: RegExpMatchArray | null, least: number): number {
  let longest = least;
  for (const r of runs ?? []) longest = Math.max(longest, r.length);
  return longest;
}

/** A code span around any text (its control characters escaped, `printable`): the fence is longer than any backtick run inside. */
export function code(text: string): string {
  const flat = printable(text.replace(/\s+/g, ' '));
  const longest = longestRun(flat.match(/`+/g), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

const SPECIAL = /[\\`*_{}[\]<>|~&@#!$=:]/;

/** One word: kept as is, or its core (without surrounding brackets and punctuation) as a code span. */
function word(w: string): string {
  const [, pre = '', core = '', post = ''] = /^([("']*)(.*?)([)"',.;:?]*)$/s.exec(w) ?? [];
  if (!core) return SPECIAL.test(w) ? code(w) : w;
  return SPECIAL.test(core) ? `${pre}${code(core)}${post}` : w;
}

/**
 * Plain text (a finding message) as inline Markdown: its own `code` spans stay code, every other word holding
 * a character Markdown or GitLab would act on becomes a code span too; whitespace (newlines too) becomes one space.
 */
export function inline(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, i) =>
      i % 2
        ? code(part.slice(1, -1))
        : part
            .split(/(\s+)/)
            .map((w) => (/^\s+$/.test(w) ? ' ' : word(printable(w))))
            .join(''),
    )
    .join('');
}

/** A table cell: `|` must be escaped even inside code spans. */
export function cell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|');
}

/** A fenced block that no line of `body` can close. */
export function fenced(lang: string, body: string): string {
  const longest = longestRun(body.match(/`{3,}/g), 2);
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${body.endsWith('\n') ? body : `${body}\n`}${fence}`;
}
