/** Helpers for the generator tests: fixture cases, copying, compiling and running a generator, tsc on a project. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import YAML from 'yaml';
import { migrateSource, MemorySource } from '../../src/index.js';
import { parseScript } from '../../src/shell/index.js';
import type { Segment } from '../../src/shell/types.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TS_FIXTURES = path.join(REPO_ROOT, 'fixtures', 'typescript');
export const UPDATE = process.env.UPDATE_FIXTURES === '1';

export interface CaseOptions {
  /** --sources glob for this case */
  sources?: string;
  /** the generator module exporting generate(), relative to input/ */
  generator?: string;
  /** compare script lines by shell words instead of as strings */
  compare?: 'shell-words';
}

export function tsCases(): string[] {
  return fs
    .readdirSync(TS_FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(TS_FIXTURES, e.name, 'input')))
    .map((e) => e.name)
    .sort();
}

export function caseOptions(name: string): CaseOptions {
  const p = path.join(TS_FIXTURES, name, 'options.json');
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as CaseOptions) : {};
}

export function listAll(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listAll(dir, r));
    else out.push(r);
  }
  return out.sort();
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `k2b-ts-${tag}-`));
}

/** Copies `from` to a new temp folder, then writes `files` (path → text) over it. */
export function copyWith(from: string, files: Map<string, string> | Record<string, string>, tag = 'copy'): string {
  const dir = tempDir(tag);
  fs.cpSync(from, dir, { recursive: true });
  // the repository's packages (type definitions) stay reachable from the copy
  if (!fs.existsSync(path.join(dir, 'node_modules')))
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [p, text] of files instanceof Map ? files : Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text, 'utf8');
  }
  return dir;
}

/** `tsc --noEmit -p dir` with the repository's TypeScript: exit status and output. */
export function typecheck(dir: string): { status: number; output: string } {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** Every .ts file of `dir` compiled one by one with transpileModule (ESM) into a new temp folder. */
export function transpileProject(dir: string): string {
  const out = tempDir('js');
  fs.writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n');
  for (const rel of listAll(dir)) {
    if (!/\.[cm]?ts$/.test(rel) || rel.endsWith('.d.ts')) continue;
    const text = fs.readFileSync(path.join(dir, rel), 'utf8');
    const js = ts.transpileModule(text, {
      fileName: rel,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    }).outputText;
    const dest = path.join(
      out,
      rel
        .replace(/\.ts$/, '.js')
        .replace(/\.mts$/, '.mjs')
        .replace(/\.cts$/, '.cjs'),
    );
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, js);
  }
  return out;
}

/** Runs `generate()` of a compiled generator in a child Node process; returns its pipeline object. */
export function runGenerator(jsDir: string, entry: string, env: Record<string, string> = {}): Record<string, unknown> {
  const url = pathToFileURL(path.join(jsDir, entry.replace(/\.ts$/, '.js'))).href;
  const code = `const m = await import(${JSON.stringify(url)}); process.stdout.write(JSON.stringify(m.generate()));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return JSON.parse(out) as Record<string, unknown>;
}

/** The YAML path on a generated pipeline: the migrated pipeline as data (files of `root` are visible to the planner). */
export async function migrateYamlData(
  pipeline: unknown,
  root: string,
): Promise<{ data: unknown; text: string; changed: boolean; manual: number }> {
  const text = YAML.stringify(pipeline);
  const source = new MemorySource(new Map([['.gitlab-ci.yml', text]]), (p) => fs.existsSync(path.join(root, p)));
  const result = await migrateSource(source, { entry: '.gitlab-ci.yml' });
  const file = result.files[0]!;
  return {
    data: YAML.parse(file.output),
    text: file.output,
    changed: file.changed,
    manual: result.jobs.filter((j) => j.status === 'manual').length,
  };
}

/** Offsets of a 1-based line/column in `text`. */
export function offsetAt(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) at = text.indexOf('\n', at) + 1;
  return at + column - 1;
}

/**
 * A pipeline with every script line replaced by what the shell reads from it: per command, its words after quote
 * removal (quoting kept only where it changes the meaning: around expansions).
 */
export function shellWords(data: unknown, key = ''): unknown {
  if (Array.isArray(data))
    return data.map((d) => (typeof d === 'string' && /script$/.test(key) ? lineWords(d) : shellWords(d, key)));
  if (data && typeof data === 'object')
    return Object.fromEntries(
      Object.entries(data).map(([k, v]) => [
        k,
        typeof v === 'string' && /script$/.test(k) ? lineWords(v) : shellWords(v, k),
      ]),
    );
  return data;
}

function lineWords(line: string): string[][] {
  const seg = (s: Segment) =>
    s.kind === 'literal'
      ? s.text
      : s.kind === 'glob'
        ? `<glob ${s.raw}>`
        : `<${s.kind} ${s.raw}${s.quoted ? ' quoted' : ''}>`;
  return parseScript(line).commands.map((c) =>
    [...c.assignments, ...c.words, ...c.redirects.map((r) => r.target)].map((w) => w.segments.map(seg).join('')),
  );
}
