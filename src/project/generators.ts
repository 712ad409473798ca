/**
 * Pipeline generators in TypeScript/JavaScript: Kaniko jobs in job object literals, executor calls in string and
 * template literals, and gcix `KanikoExecute` jobs, migrated through the same plan as YAML pipelines.
 *
 *   const files = await migrateTypeScriptSources('path/to/repo', { sources: 'ci/**\/*.ts' });
 *   for (const f of files) if (f.changed) writeFileSync(join(root, f.path), f.output);
 *
 * ts-morph is loaded by a dynamic import inside the functions below, and only when there are sources to read: importing
 * this module (or the package) for YAML pipelines never loads it.
 */
import { join } from 'node:path';
import { finding } from '../findings/finding.js';
import type { Finding } from '../findings/types.js';
import { applyEdits, type TextEdit } from '../text/edits.js';
import type { FileResult, JobResult } from './plan.js';
import { DiskSource, readSourceFile } from '../pipeline/fs-source.js';
import type { TsMorph } from '../typescript/ast.js';
import { DEFAULT_SOURCES, listSourceFiles, mayMatter } from '../typescript/files.js';
import type { PlanEnv } from '../kaniko/context.js';
import { runOnce, type RunOptions } from './generator-run.js';
import { loadTsMorph } from '../typescript/load.js';

export { DEFAULT_SOURCES, listSourceFiles, globToRegExp, mayMatter } from '../typescript/files.js';
export { MissingTsMorph } from '../typescript/optional.js';

export interface TypeScriptMigrateOptions {
  /** Which files to read, a glob relative to the root (default: every .ts .mts .cts .js .mjs file). */
  sources?: string;
  /** Image to use instead of `moby/buildkit:rootless` / the pinned release. */
  buildkitImage?: string;
}

export interface TypeScriptProjectResult {
  /** Files with a change or a finding (the others are not listed). */
  files: FileResult[];
  /** Job objects that build with Kaniko. */
  jobs: JobResult[];
}

/** Migrates the generator sources of a repository. Writes nothing. */
export async function migrateTypeScriptSources(
  root: string,
  opts: TypeScriptMigrateOptions = {},
): Promise<FileResult[]> {
  return (await migrateTypeScriptProject(root, opts)).files;
}

/** As `migrateTypeScriptSources`, with the Kaniko job objects found (for the jobs table of the report). */
export async function migrateTypeScriptProject(
  root: string,
  opts: TypeScriptMigrateOptions = {},
): Promise<TypeScriptProjectResult> {
  const paths = listSourceFiles(root, opts.sources ?? DEFAULT_SOURCES);
  const texts = new Map<string, string>();
  const failed: FileResult[] = [];
  for (const path of paths) {
    try {
      texts.set(path, readSourceFile(join(root, path), path));
    } catch (e) {
      failed.push({
        path,
        original: '',
        output: '',
        changed: false,
        edits: [],
        findings: [finding('KB106', (e as Error).message, { file: path, line: 0 })],
      });
    }
  }
  // Nothing mentions Kaniko or an executor: there is nothing to migrate, and ts-morph is not even loaded.
  if (![...texts.values()].some(mayMatter)) return { files: failed, jobs: [] };
  const disk = new DiskSource(root);
  return migrateTexts(texts, {
    env: { fileExists: (p) => (/__K2B\d*_/.test(p) ? undefined : disk.exists(p)) },
    buildkitImage: opts.buildkitImage,
  }).then((r) => ({ ...r, files: [...failed, ...r.files] }));
}

/** What `migrateTypeScriptTexts` takes: RunOptions, declared here because generator-run's types name ts-morph's. */
export interface TypeScriptTextOptions {
  env?: PlanEnv;
  buildkitImage?: string;
}

/** Migrates source texts held in memory (path → text). Paths are reported as given. */
export async function migrateTypeScriptTexts(
  texts: Map<string, string>,
  opts: TypeScriptTextOptions = {},
): Promise<TypeScriptProjectResult> {
  return migrateTexts(texts, { env: opts.env ?? { fileExists: () => undefined }, buildkitImage: opts.buildkitImage });
}

async function migrateTexts(texts: Map<string, string>, opts: RunOptions): Promise<TypeScriptProjectResult> {
  const tm = await loadTsMorph();
  const run = runOnce(tm, texts, opts);
  const byFile = new Map<string, TextEdit[]>();
  for (const e of run.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const outputs = new Map<string, string>();
  const errors = new Map<string, Finding>();
  for (const [path, text] of texts) {
    const edits = byFile.get(path) ?? [];
    try {
      outputs.set(path, edits.length ? applyEdits(text, edits) : text);
    } catch (e) {
      outputs.set(path, text);
      errors.set(path, selfCheck(path, `the edits overlap (${(e as Error).message})`));
    }
  }
  // Self-check: no new syntax error, and a second run changes nothing.
  for (const [path, text] of texts) {
    const out = outputs.get(path)!;
    if (out === text || errors.has(path)) continue;
    if (syntaxErrors(tm, path, out) > syntaxErrors(tm, path, text))
      errors.set(path, selfCheck(path, 'the migrated file would not parse'));
  }
  if (!errors.size && [...outputs].some(([p, t]) => t !== texts.get(p))) {
    const again = runOnce(tm, outputs, opts);
    for (const e of again.edits)
      if (!errors.has(e.file))
        errors.set(e.file, selfCheck(e.file, 'a second run would change the migrated file again'));
  }
  const files: FileResult[] = [];
  for (const [path, text] of texts) {
    const error = errors.get(path);
    // Edits of one job may span files: when any file fails the self-check, nothing is written.
    const output = errors.size ? text : outputs.get(path)!;
    const findings = [...run.findings.filter((f) => f.file === path), ...(error ? [error] : [])].sort(
      (a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0),
    );
    if (output === text && !findings.length) continue;
    files.push({
      path,
      original: text,
      output,
      changed: output !== text,
      findings,
      edits: errors.size ? [] : (byFile.get(path) ?? []),
    });
  }
  return {
    files,
    jobs: errors.size ? run.jobs.map((j) => (j.status === 'migrated' ? { ...j, status: 'unchanged' } : j)) : run.jobs,
  };
}

function selfCheck(path: string, why: string): Finding {
  return finding('KB105', `self-check failed: ${why}; nothing written`, { file: path, line: 0 });
}

function syntaxErrors(tm: TsMorph, path: string, text: string): number {
  const ts = tm.ts;
  const kind = /\.(?:m|c)?js$/.test(path) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, kind);
  return (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0;
}
