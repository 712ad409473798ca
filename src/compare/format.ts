/**
 * The `compare` report in its three formats: text (a tree: platform, then config and filesystem, paths under their
 * directory; `-` only in A, `+` only in B, `~` changed; coloured when the chalk has colour), JSON (the CompareResult
 * itself) and Markdown (a table per platform, for a merge request or a job artifact).
 */
import type { ChalkInstance } from 'chalk';
import { cell, code, inline } from '../report/md.js';
import type { Difference, ExpectedDifference } from './diff.js';
import type { CompareResult } from './index.js';

const MARK = { removed: '-', added: '+', changed: '~' } as const;

const short = (digest: string): string => (/^sha256:[0-9a-f]{64}$/.test(digest) ? digest.slice(0, 19) : digest);

/** One value as the report shows it. */
function show(field: string, v: unknown): string {
  if (v === undefined) return '(none)';
  if (field === 'entry' && v && typeof v === 'object') {
    const e = v as Record<string, unknown>;
    return [
      e.type,
      e.mode,
      `${String(e.uid)}:${String(e.gid)}`,
      e.type === 'file' ? `${String(e.size)} B ${short(String(e.digest))}` : undefined,
      e.linkname !== undefined ? `→ ${String(e.linkname)}` : undefined,
      e.entries ? `(${String(e.entries)} entries under it)` : undefined,
    ]
      .filter((x) => x !== undefined)
      .join(' ');
  }
  if (field === 'digest' || field === 'manifest') return short(String(v));
  if (field === 'value' || field === 'xattrs' || field === 'linkname') return JSON.stringify(v);
  return String(v);
}

/** `mode 0755 → 0644, uid 1000 → 0` (or the entry of a path only on one side). */
export function describeFields(d: Difference): string {
  return d.fields
    .map((f) => {
      const name = f.field === 'value' || f.field === 'entry' || f.field === 'manifest' ? '' : `${f.field} `;
      if (d.change === 'changed') return `${name}${show(f.field, f.a)} → ${show(f.field, f.b)}`;
      return `${name}${show(f.field, d.change === 'removed' ? f.a : f.b)}`;
    })
    .join(', ');
}

function side(d: Difference): string {
  return d.change === 'removed' ? ' (only in A)' : d.change === 'added' ? ' (only in B)' : '';
}

function headline(r: CompareResult): string {
  const n = r.platforms.reduce((s, p) => s + p.differences.length, 0);
  const explained = r.platforms.reduce((s, p) => s + p.differences.filter((d) => d.code).length, 0);
  const expected = r.platforms.reduce((s, p) => s + p.expected.length, 0);
  const verdict = r.same ? 'the images are the same' : 'the images differ';
  return (
    `${n} difference${n === 1 ? '' : 's'}${n ? ` (${explained} explained)` : ''}, ` +
    `${expected} expected difference${expected === 1 ? '' : 's'}${r.strict ? ' (--strict: they count)' : ''}: ${verdict}`
  );
}

export function compareText(r: CompareResult, c: ChalkInstance): string {
  const out: string[] = [
    `A  ${r.a.ref}  ${c.dim(short(r.a.digest))}`,
    `B  ${r.b.ref}  ${c.dim(short(r.b.digest))}`,
    '',
  ];
  const colour = { removed: c.red, added: c.green, changed: c.yellow };
  const line = (indent: string, d: Difference, label: string): void => {
    out.push(`${indent}${colour[d.change](`${MARK[d.change]} ${label}`)}${c.dim(side(d))}  ${describeFields(d)}`);
    if (d.code) out.push(`${indent}    ${c.bold(d.code)} ${c.cyan(d.explain ?? '')}`);
  };
  for (const p of r.platforms) {
    out.push(c.bold(p.platform));
    for (const d of p.differences.filter((x) => x.area === 'platform')) line('  ', d, 'platform');
    const config = p.differences.filter((d) => d.area === 'config');
    if (config.length) {
      out.push('  config');
      for (const d of config) line('    ', d, d.path);
    }
    const files = p.differences.filter((d) => d.area === 'filesystem');
    if (files.length) {
      out.push('  filesystem');
      let dir: string | undefined;
      for (const d of files) {
        const slash = d.path.lastIndexOf('/');
        const parent = d.path.slice(0, slash) || '/';
        if (parent !== dir) out.push(`    ${c.bold(parent)}`);
        dir = parent;
        line('      ', d, d.path.slice(slash + 1));
      }
    }
    if (!p.differences.length) out.push(`  ${c.green('no difference')}`);
    if (p.expected.length) {
      out.push(
        `  expected differences${r.strict ? ' (--strict: they count)' : ' (not failures; --strict counts them)'}`,
      );
      for (const e of p.expected) out.push(`    ${c.dim(e.code)} ${expectedLine(e)}`);
    }
    out.push('');
  }
  out.push(r.same ? c.green(headline(r)) : c.red(headline(r)));
  return out.join('\n') + '\n';
}

function expectedLine(e: ExpectedDifference): string {
  return e.examples?.length
    ? `${e.summary}: ${e.examples.join(', ')}${(e.count ?? 0) > e.examples.length ? ', …' : ''}`
    : e.summary;
}

export function compareJson(r: CompareResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

export function compareMarkdown(r: CompareResult): string {
  const out: string[] = [
    `## kaniko2buildkit compare`,
    '',
    '| | image | digest |',
    '|---|---|---|',
    `| A | ${cell(code(r.a.ref))} | ${cell(code(r.a.digest))} |`,
    `| B | ${cell(code(r.b.ref))} | ${cell(code(r.b.digest))} |`,
    '',
  ];
  for (const p of r.platforms) {
    out.push(`### ${inline(p.platform)}`, '');
    if (p.differences.length) {
      out.push('| | where | what | known behaviour |', '|---|---|---|---|');
      for (const d of p.differences) {
        const where = d.area === 'filesystem' ? d.path : d.area === 'platform' ? `platform ${d.path}` : d.path;
        const known = d.code ? `${d.code}: ${inline(d.explain ?? '')}` : '';
        out.push(
          `| ${MARK[d.change]} | ${cell(code(where))}${side(d)} | ${cell(code(describeFields(d)))} | ${cell(known)} |`,
        );
      }
    } else out.push('No difference.');
    if (p.expected.length) {
      out.push('', `Expected differences${r.strict ? ' (`--strict`: they count)' : ' (not failures)'}:`, '');
      for (const e of p.expected) out.push(`- ${e.code}: ${inline(expectedLine(e))}`);
    }
    out.push('');
  }
  out.push(`**${headline(r)}**`);
  return out.join('\n') + '\n';
}
