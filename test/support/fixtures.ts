/** Shared helpers for the table-driven fixture tests (fixtures/<case>/input → fixtures/<case>/expected). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML, { Lexer, Scalar, isSeq } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'fixtures');
/** fixture folders that belong to other commands */
const NOT_MIGRATION_CASES = new Set(['doctor', 'runner-config']);

export function fixtureCases(): string[] {
  return fs
    .readdirSync(FIXTURES, { withFileTypes: true })
    .filter(
      (e) => e.isDirectory() && !NOT_MIGRATION_CASES.has(e.name) && fs.existsSync(path.join(FIXTURES, e.name, 'input')),
    )
    .map((e) => e.name)
    .sort();
}

/** How a case migrates: `fixtures/<case>/options.json`, e.g. `{ "mode": "transition" }`; a direct migration without one. */
export interface FixtureOptions {
  mode?: 'direct' | 'transition' | 'cut-over';
}

/** The case's options.json (only `mode` is read; anything else in it is an error, so a typo cannot pass unnoticed). */
export function fixtureOptions(name: string): FixtureOptions {
  const file = path.join(FIXTURES, name, 'options.json');
  if (!fs.existsSync(file)) return {};
  const opts = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const extra = Object.keys(opts).filter((k) => k !== 'mode');
  if (extra.length || !['direct', 'transition', 'cut-over'].includes(opts.mode as string))
    throw new Error(`${file}: only { "mode": "direct" | "transition" | "cut-over" } is read`);
  return opts as FixtureOptions;
}

export function listFiles(dir: string, rel = ''): string[] {
  if (!fs.existsSync(path.join(dir, rel))) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out.sort();
}

/**
 * Top-level entries of every document of a GitLab CI file, as plain data: aliases and `<<` merge keys resolved,
 * `!reference [a, b]` kept recognisable as the string `!reference ["a","b"]`.
 */
export function topLevelData(text: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const doc of YAML.parseAllDocuments(text, { merge: true, uniqueKeys: false })) {
    if (doc.errors.length > 0) throw new Error(`YAML error: ${doc.errors[0]!.message}`);
    YAML.visit(doc, {
      Seq(_key, node) {
        if (isSeq(node) && node.tag === '!reference') return new Scalar(`!reference ${JSON.stringify(node.toJSON())}`);
        return undefined;
      },
    });
    const js = doc.toJS({ maxAliasCount: -1 }) as unknown;
    if (js && typeof js === 'object' && !Array.isArray(js)) for (const [k, v] of Object.entries(js)) out.set(k, v);
  }
  return out;
}

/**
 * Every comment of a YAML text, as trimmed strings (a multiset): YAML comments (full-line and trailing, from the
 * lexer) and full lines starting with `#` (which also catches shell comments inside block scalars).
 */
export function commentsOf(text: string): string[] {
  const out: string[] = [];
  for (const tok of new Lexer().lex(text)) if (tok.startsWith('#')) out.push(`yaml ${tok.trim()}`);
  // `#!` starts a shebang: the first line of a script a here-document writes, data rather than a comment.
  for (const line of text.split(/\r?\n/)) if (/^\s*#(?!!)/.test(line)) out.push(`line ${line.trim()}`);
  return out;
}

/** Items of `need` (a multiset) missing from `have`. */
export function missingFrom(need: string[], have: string[]): string[] {
  const counts = new Map<string, number>();
  for (const h of have) counts.set(h, (counts.get(h) ?? 0) + 1);
  const missing: string[] = [];
  for (const n of need) {
    const c = counts.get(n) ?? 0;
    if (c === 0) missing.push(n);
    else counts.set(n, c - 1);
  }
  return missing;
}

export function lineEndingProblems(input: string, output: string): string[] {
  const problems: string[] = [];
  if (input.startsWith('\uFEFF') !== output.startsWith('\uFEFF'))
    problems.push(input.startsWith('\uFEFF') ? 'BOM lost' : 'BOM added');
  const crlf = /\r\n/.test(input);
  if (crlf && /(^|[^\r])\n/.test(output)) problems.push('input uses CRLF, output has bare LF line endings');
  if (!crlf && /\r/.test(output)) problems.push('input uses LF, output has CR characters');
  return problems;
}
