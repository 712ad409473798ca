/**
 * The README's flag table, generated from the flag table (`npm run docs:flags` writes it between the markers;
 * test/kaniko/flag-docs.test.ts fails when README.md is stale). One row per flag: its spellings, what it becomes,
 * whether a variable may hold it, and its first example.
 */
import { FLAGS } from './flags.js';
import type { Example, KanikoFlag } from './types.js';

export const FLAG_DOCS_START = '<!-- flags:start -->';
export const FLAG_DOCS_END = '<!-- flags:end -->';

/** Code text for a table cell: `|` escaped, as GitHub's tables want it even inside code. */
function code(text: string): string {
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

function becomes(flag: KanikoFlag): string {
  const m = flag.mapping;
  switch (m.action) {
    case 'map':
      return `mapped (${flag.phase})`;
    case 'drop':
      return `dropped, ${m.code}: ${m.reason}`;
    case 'note':
      return `dropped with a warning, ${m.code}: ${m.reason}`;
    case 'manual':
      return `left for a person, ${m.code}: ${m.reason}`;
  }
}

function example(e: Example): string {
  if (e.manual) return `${code(e.kaniko)}: left for a person (${e.findings?.join(', ')})`;
  const parts = [
    `${code(e.kaniko)} → ${e.buildctl ? code(e.buildctl) : e.removes ? `no ${code(e.removes)}` : 'nothing'}`,
  ];
  if (e.toml?.length) parts.push(`buildkitd.toml ${code(e.toml.map((l) => l.trim()).join(' '))}`);
  if (e.after?.length) parts.push(`${e.after.length} shell lines after the call`);
  if (e.findings?.length) parts.push(`(${e.findings.join(', ')})`);
  return parts.join(', ').replace(/, \(/, ' (');
}

/** The generated section, markers included. */
export function flagDocs(): string {
  const rows = FLAGS.map((f) =>
    [
      f.spellings.map(code).join(', '),
      becomes(f),
      f.inVariable ?? (f.mapping.action === 'drop' || f.mapping.action === 'note' ? 'args (dropped)' : '—'),
      f.examples[0] ? example(f.examples[0]) : '',
    ].join(' | '),
  );
  return [
    FLAG_DOCS_START,
    '<!-- generated from src/kaniko/flags.ts by `npm run docs:flags`; do not edit by hand -->',
    '',
    '### Every executor flag',
    '',
    `The flag table (\`src/kaniko/flags.ts\`), ${FLAGS.length} flags in the order they are planned. "In a variable": what a`,
    'variable holding the flag (`$KANIKO_ARGS`) can hold instead (buildctl arguments, image names, the push switch), or',
    '— when only the call may hold it. Each example is tested (`test/kaniko/examples.test.ts`).',
    '',
    '| Kaniko flag | Becomes | In a variable | Example |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
    FLAG_DOCS_END,
  ].join('\n');
}

/** README text with the generated section replaced; undefined when the markers are missing. */
export function withFlagDocs(readme: string): string | undefined {
  const start = readme.indexOf(FLAG_DOCS_START);
  const end = readme.indexOf(FLAG_DOCS_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(0, start) + flagDocs() + readme.slice(end + FLAG_DOCS_END.length);
}
