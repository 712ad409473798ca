/** `kaniko2buildkit migrate [PATH...]`: migrate repositories or single files; write, show a diff, or check. */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Finding } from '../findings/types.js';
import type { ProjectResult } from '../project/plan.js';
import type { FileSource } from '../pipeline/load.js';
import type { ReportFile, RunReport } from '../report/model.js';
import type { ReportFormat } from '../report/render.js';
import type { RunMode } from '../report/text.js';
import type { TypeScriptProjectResult } from '../project/generators.js';
// plain fs and no ts-morph: listing the generator sources costs a YAML-only run one folder walk, nothing more
import {
  DEFAULT_SOURCES,
  globForPath,
  listSourceFiles,
  resolveSources,
  SOURCE_EXTENSIONS,
} from '../typescript/files.js';
import { colours, EXIT, type CliIO } from './io.js';

/** The report formats (as `FORMATS` in report/render.ts, which is loaded only when a report is made). */
const FORMAT_CHOICES = ['text', 'json', 'markdown', 'codequality'] as const satisfies readonly ReportFormat[];

/**
 * The migration itself, the reports and the writer, loaded when the command runs, not when the program starts:
 * `--version`, `--help` and the other commands do not pay for them.
 */
async function loadLib() {
  // One after the other, not in a Promise.all: under Jest's VM modules, parallel dynamic imports that share a
  // dependency fail with "request for 'x' is not in cache" (jestjs/jest#11434); in Node the difference is negligible.
  const project = await import('../project/plan.js');
  const fsSource = await import('../pipeline/fs-source.js');
  const load = await import('../pipeline/load.js');
  const model = await import('../report/model.js');
  const render = await import('../report/render.js');
  const status = await import('../report/status.js');
  const text = await import('../report/text.js');
  const atomic = await import('write-file-atomic');
  return {
    migrateSource: project.migrateSource,
    DiskSource: fsSource.DiskSource,
    describeReadError: load.describeReadError,
    allFindings: model.allFindings,
    renderReport: render.renderReport,
    fileCount: status.fileCount,
    textDiffs: text.textDiffs,
    writeFileAtomic: atomic.default,
  };
}
let lib: Awaited<ReturnType<typeof loadLib>>;

export interface MigrateFlags {
  dryRun?: boolean;
  check?: boolean;
  format: ReportFormat;
  /** Write the report here instead of stdout (the dry-run diffs of the text format still go to stdout). */
  output?: string;
  failOn: 'warning' | 'manual' | 'never';
  buildkitImage?: string;
  /**
   * Generator sources (TypeScript/JavaScript) to migrate in folder targets, a glob relative to the folder (default
   * DEFAULT_SOURCES); `false` (`--no-sources`) or `''` reads none.
   */
  sources?: string | false;
  color?: boolean;
  quiet?: boolean;
}

/** The repository a file belongs to: the nearest folder up with `.git` (else the file's own folder). */
function repositoryRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
}

function display(io: CliIO, abs: string): string {
  const rel = relative(io.cwd, abs);
  return rel === '' ? '.' : rel.startsWith('..') ? abs : rel;
}

interface Target {
  root: string;
  /** The YAML pipeline to migrate, relative to `root` (none: only generator sources). */
  entry?: string;
  /** Generator sources to migrate, a glob relative to `root` (none: only YAML). */
  sources?: string;
  shown: string;
}

/** A path the TypeScript front end reads (declaration files included here: they get their own message). */
function isSourcePath(path: string): boolean {
  return SOURCE_EXTENSIONS.some((x) => path.endsWith(x));
}

/**
 * A folder: its `.gitlab-ci.yml` and the generator sources matching `sources`; either is enough. A `.ts .mts .cts .js
 * .mjs` file: that generator source alone (in its repository, so that paths in it resolve as in the folder run).
 * Any other file: a YAML pipeline.
 */
function resolveTarget(io: CliIO, path: string, sources: string | undefined): Target | Finding {
  const abs = resolve(io.cwd, path);
  const problem = (message: string): Finding => ({ code: 'KB106', severity: 'error', file: path, line: 0, message });
  try {
    if (!existsSync(abs)) return problem('no such file or folder');
    if (statSync(abs).isDirectory()) {
      if (existsSync(join(abs, '.gitlab-ci.yml'))) return { root: abs, entry: '.gitlab-ci.yml', sources, shown: path };
      if (sources && listSourceFiles(abs, sources).length) return { root: abs, sources, shown: path };
      return problem('no .gitlab-ci.yml in this folder');
    }
  } catch (e) {
    return problem(`cannot read: ${lib.describeReadError(e)}`);
  }
  const root = repositoryRoot(dirname(abs));
  const entry = relative(root, abs).split('\\').join('/');
  if (!isSourcePath(basename(abs))) return { root, entry, shown: path };
  if (/\.d\.[mc]?ts$/.test(abs)) return problem('a declaration file (.d.ts) holds no generator code to migrate');
  const glob = globForPath(entry);
  const listed = listSourceFiles(root, glob);
  if (listed.length !== 1 || listed[0] !== entry)
    return problem('cannot read this file as a generator source (not a regular file, or its name cannot be matched)');
  return { root, sources: glob, shown: path };
}

/** What tests (and embedders) may replace: where files come from, a moment before each write, signals. */
export interface MigrateHooks {
  /** The FileSource for a repository root (default: a DiskSource). */
  source?: (root: string) => FileSource;
  /** Called with the absolute paths of a project's changed files, just before they are checked and written. */
  beforeWrite?: (files: string[]) => void | Promise<void>;
  /** Stop cleanly on SIGINT/SIGTERM while writing (default true). */
  signals?: boolean;
}

type TargetFile = ReportFile & { absolute: string };

async function migrateTarget(
  io: CliIO,
  t: Target,
  flags: MigrateFlags,
  report: RunReport,
  hooks: MigrateHooks,
): Promise<TargetFile[]> {
  const files = t.entry === undefined ? [] : await migratePipeline(io, t, t.entry, flags, report, hooks);
  if (t.sources === undefined) return files;
  return [...files, ...(await migrateGenerators(io, t, t.sources, flags, report))];
}

/** The paths of a target's files as the report shows them (relative to the working directory when possible). */
function shownIn(io: CliIO, t: Target): (p: string) => string {
  return (p) => display(io, join(t.root, p));
}

/** The YAML pipeline `entry` of a target and its local includes. */
async function migratePipeline(
  io: CliIO,
  t: Target,
  entry: string,
  flags: MigrateFlags,
  report: RunReport,
  hooks: MigrateHooks,
): Promise<TargetFile[]> {
  let result: ProjectResult;
  try {
    const source = hooks.source ? hooks.source(t.root) : new lib.DiskSource(t.root);
    result = await lib.migrateSource(source, { entry, buildkitImage: flags.buildkitImage });
  } catch (e) {
    report.errors.push({
      code: 'KB106',
      severity: 'error',
      file: t.shown,
      line: 0,
      message: `cannot migrate: ${lib.describeReadError(e)}`,
    });
    return [];
  }
  const shown = shownIn(io, t);
  report.errors.push(
    ...result.failed.map(({ path, error: e }): Finding => ({
      code: e.code,
      severity: 'error',
      file: shown(e.file || path),
      line: e.line,
      column: e.column || undefined,
      message: e.message,
    })),
  );
  return addToReport(io, t, result, report);
}

/** Puts a target's migrated files and Kaniko jobs (YAML or generator sources) into the report, with the paths shown. */
function addToReport(
  io: CliIO,
  t: Target,
  result: Pick<ProjectResult, 'files' | 'jobs'>,
  report: RunReport,
): TargetFile[] {
  const shown = shownIn(io, t);
  const files: TargetFile[] = result.files.map((f) => ({
    path: shown(f.path),
    changed: f.changed,
    written: false,
    findings: f.findings.map((x) => ({ ...x, file: shown(x.file) })),
    original: f.original,
    output: f.output,
    project: t.shown,
    absolute: join(t.root, f.path),
  }));
  report.files.push(...files);
  for (const j of result.jobs) report.jobs.push({ ...j, path: shown(j.file), project: t.shown });
  return files;
}

/**
 * The generator sources of a target matching `glob`, reported like the YAML files (same diff, check, formats and
 * writer). The TypeScript front end is imported only when there are sources, and it loads ts-morph only when one of
 * them mentions Kaniko or an executor: a YAML-only run pays for a folder walk, nothing more.
 */
async function migrateGenerators(
  io: CliIO,
  t: Target,
  glob: string,
  flags: MigrateFlags,
  report: RunReport,
): Promise<TargetFile[]> {
  let result: TypeScriptProjectResult;
  try {
    if (!listSourceFiles(t.root, glob).length) return [];
    const { migrateTypeScriptProject } = await import('../project/generators.js');
    result = await migrateTypeScriptProject(t.root, { sources: glob, buildkitImage: flags.buildkitImage });
  } catch (e) {
    report.errors.push({
      code: 'KB106',
      severity: 'error',
      file: t.shown,
      line: 0,
      message: `cannot migrate the generator sources: ${lib.describeReadError(e)}`,
    });
    return [];
  }
  return addToReport(io, t, result, report);
}

/**
 * Writes a project's changed files: first checks that none changed on disk since it was read (else none of them is
 * written: KB107), then writes each atomically with write-file-atomic (a temporary file in the same folder, fsync,
 * rename over the old one; the file's mode and owner are kept; a symbolic link is written through to its target).
 */
async function writeTarget(files: TargetFile[], hooks: MigrateHooks): Promise<void> {
  const changed = files.filter((f) => f.changed);
  if (!changed.length) return;
  await hooks.beforeWrite?.(changed.map((f) => f.absolute));
  let refused = false;
  for (const f of changed) {
    const now = await readFile(f.absolute).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    if (now instanceof Error || !now.equals(Buffer.from(f.original, 'utf8'))) {
      const message =
        now instanceof Error
          ? `cannot read it again before writing (${lib.describeReadError(now)}): not written`
          : 'the file changed on disk while it was being migrated: not written; run again';
      f.findings.push({ code: 'KB107', severity: 'error', file: f.path, line: 0, message });
      refused = true;
    }
  }
  if (refused) {
    for (const f of changed) {
      if (!f.findings.some((x) => x.code === 'KB107')) {
        f.findings.push({
          code: 'KB107',
          severity: 'error',
          file: f.path,
          line: 0,
          message: 'not written: another file of this project changed on disk during the run; run again',
        });
      }
    }
    return;
  }
  for (const f of changed) {
    try {
      await lib.writeFileAtomic(f.absolute, f.output, { encoding: 'utf8' });
      f.written = true;
    } catch (e) {
      f.findings.push({
        code: 'KB106',
        severity: 'error',
        file: f.path,
        line: 0,
        message: `cannot write: ${lib.describeReadError(e)} (the file is as it was)`,
      });
    }
  }
}

/** Exit status after SIGINT / SIGTERM, as shells report a process ended by that signal (128 + its number). */
export const EXIT_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof EXIT_SIGNAL;

/** With more files than this, the text report puts the summary before the diffs. */
export const SUMMARY_FIRST_OVER = 20;

/**
 * Prints (or writes to --output) the report. Text: the dry-run diffs, then the summary table and findings (summary
 * first for large runs); with --output the summary goes to the file and the diffs still to stdout. --quiet prints
 * nothing, but an --output file is still written. False when the --output file cannot be written.
 */
async function printReport(io: CliIO, flags: MigrateFlags, mode: RunMode, report: RunReport): Promise<boolean> {
  const format = flags.format ?? 'text';
  const diffs = format === 'text' && mode === 'dry-run' ? lib.textDiffs(report, colours(io, flags.color)) : '';
  if (flags.output) {
    // a file is no terminal: colour only when --color asks for it
    const body = lib.renderReport(format, report, colours({ ...io, isTTY: false }, flags.color), mode);
    try {
      await lib.writeFileAtomic(resolve(io.cwd, flags.output), body, { encoding: 'utf8' });
    } catch (e) {
      io.stderr(`kaniko2buildkit: cannot write the report to ${flags.output}: ${(e as Error).message}\n`);
      return false;
    }
    if (!flags.quiet) io.stdout(diffs);
    return true;
  }
  if (flags.quiet) return true;
  const body = lib.renderReport(format, report, colours(io, flags.color), mode);
  if (diffs && lib.fileCount(report) > SUMMARY_FIRST_OVER) io.stdout(`${body}\n${diffs}`);
  else io.stdout(diffs + body);
  return true;
}

/**
 * The generator-sources glob of `--sources` (undefined for none: `--no-sources` or `--sources ''`, as an empty glob
 * would otherwise mean the default); false, after saying why, when the glob cannot be read.
 */
export function sourcesOption(
  flags: Pick<MigrateFlags, 'sources'>,
  io: Pick<CliIO, 'stderr'>,
): string | undefined | false {
  try {
    return resolveSources(flags.sources);
  } catch {
    io.stderr(`kaniko2buildkit: --sources: not a glob this tool reads: ${String(flags.sources)}\n`);
    return false;
  }
}

export async function runMigrate(
  paths: string[],
  flags: MigrateFlags,
  io: CliIO,
  hooks: MigrateHooks = {},
): Promise<number> {
  lib ??= await loadLib();
  const report: RunReport = { files: [], jobs: [], errors: [] };
  const targets = paths.length ? paths : ['.'];
  const mode: RunMode = flags.check ? 'check' : flags.dryRun ? 'dry-run' : 'write';
  const sources = sourcesOption(flags, io);
  if (sources === false) return EXIT.input;

  // While writing, SIGINT/SIGTERM stop the run between projects: the project being written is finished (each file
  // whole, by an atomic rename), no other is started, and the report says what was written. A second signal exits
  // at once; even then every file is either as it was or completely migrated.
  let stopped: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    if (stopped) process.exit(EXIT_SIGNAL[signal]);
    stopped = signal;
    if (!flags.quiet)
      io.stderr(
        `\nkaniko2buildkit: ${signal}: finishing the project being written, then stopping (again to stop at once)\n`,
      );
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  const listen = mode === 'write' && hooks.signals !== false;
  if (listen) {
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  }
  const notProcessed: string[] = [];
  try {
    for (const path of targets) {
      if (stopped) {
        notProcessed.push(path);
        continue;
      }
      const t = resolveTarget(io, path, sources);
      if ('code' in t) {
        report.errors.push(t);
        continue;
      }
      const files = await migrateTarget(io, t, flags, report, hooks);
      if (mode !== 'write') continue;
      if (stopped) {
        // read and planned, not yet written: skipped whole
        notProcessed.push(path);
        continue;
      }
      await writeTarget(files, hooks);
    }
  } finally {
    if (listen) {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }
  }

  if (!(await printReport(io, flags, mode, report))) return EXIT.input;
  if (stopped) {
    if (!flags.quiet) io.stderr(interruptSummary(stopped, report, notProcessed));
    return EXIT_SIGNAL[stopped];
  }
  const findings = lib.allFindings(report);
  if (findings.some((f) => f.severity === 'error')) return EXIT.input;
  if (mode === 'check') {
    const pending = report.files.some((f) => f.changed);
    const levels = { never: [], manual: ['manual'], warning: ['manual', 'warning'] }[flags.failOn] as string[];
    if (pending || findings.some((f) => levels.includes(f.severity))) return EXIT.pending;
  }
  return EXIT.ok;
}

/** What a stopped run did: the files written, the ones left as they were, the paths not (fully) processed. */
function interruptSummary(signal: StopSignal, report: RunReport, notProcessed: string[]): string {
  const written = report.files.filter((f) => f.written).map((f) => f.path);
  const unwritten = report.files.filter((f) => f.changed && !f.written).map((f) => f.path);
  const lines = [
    `kaniko2buildkit: stopped by ${signal}: ${written.length} file(s) written, ${unwritten.length} to migrate not written, ` +
      `${notProcessed.length} path(s) not processed. Every file is either as it was or completely migrated.`,
  ];
  const list = (title: string, items: string[]) => {
    if (items.length) lines.push(`${title}:`, ...items.map((p) => `  ${p}`));
  };
  list('written', written);
  list('not written', unwritten);
  list('not processed (run again for these)', notProcessed);
  return `${lines.join('\n')}\n`;
}

export function migrateCommand(io: CliIO, done: (code: number) => void): Command {
  return new Command('migrate')
    .description(
      'migrate the Kaniko jobs of repositories (folders with .gitlab-ci.yml or pipeline generator sources in TypeScript/JavaScript) ' +
        'or single pipeline files to rootless BuildKit',
    )
    .argument(
      '[PATH...]',
      'repository folders, YAML files, or generator source files (.ts .mts .cts .js .mjs) (default: the current folder)',
    )
    .option('-n, --dry-run', 'write nothing; print a unified diff and the findings')
    .option('--check', 'write nothing; exit 1 when a change is pending or a finding at --fail-on level exists')
    .addOption(
      new Option('--fail-on <level>', 'with --check: the finding level that fails')
        .choices(['warning', 'manual', 'never'])
        .default('manual'),
    )
    .addOption(
      new Option(
        '--format <format>',
        'report format: text, json, markdown (for a merge request description), codequality (GitLab Code Quality)',
      )
        .choices(FORMAT_CHOICES)
        .default('text'),
    )
    .option(
      '-o, --output <file>',
      'write the report to FILE instead of stdout (a --dry-run text diff still goes to stdout)',
    )
    .option(
      '--sources <glob>',
      'in folders: the pipeline generator sources to migrate as well, a glob relative to the folder (** * ? {a,b} [..], ' +
        'commas between several); node_modules, dist and build are skipped unless the glob names them; test files (*.test.ts, ' +
        "*.spec.ts) are included, so tests that pin the generated jobs change with them; '' for none (with --recursive: in each repository found)",
      DEFAULT_SOURCES,
    )
    .option('--no-sources', 'in folders: migrate the YAML pipeline only, no generator sources')
    .option(
      '--buildkit-image <ref>',
      'BuildKit image for migrated jobs (default moby/buildkit:rootless, or a pinned vX.Y.Z-rootless when Kaniko was pinned)',
    )
    .option('--color', 'force colour')
    .option('--no-color', 'no colour (also: NO_COLOR=1)')
    .option('-q, --quiet', 'print nothing; only the exit status tells (an --output file is still written)')
    .option('-r, --recursive', 'every repository (folder with .gitlab-ci.yml) under PATH, migrated in parallel')
    .option('--concurrency <n>', 'with --recursive: repositories at once (default: the CPU count)')
    .option('--no-progress', 'with --recursive: no progress bar, even on a terminal')
    .addHelpText(
      'after',
      `
Generator sources: job objects ({ image, script }) and executor calls in string and template literals are rewritten
in place, gcix KanikoExecute jobs are reported for a person; files that mention neither Kaniko nor an executor stay as
they are. A folder needs a .gitlab-ci.yml or sources matching --sources.
Exit status: 0 done (also with findings), 1 --check found pending changes or findings at --fail-on level,
2 bad usage, unreadable/invalid input, or an error finding (a file that cannot be read or parsed is never written),
130/143 stopped by SIGINT/SIGTERM (the project being written is finished; the report lists what was written).
Examples:
  kaniko2buildkit migrate --dry-run .          review the change as a diff
  kaniko2buildkit migrate                      rewrite .gitlab-ci.yml, its local includes and the generator sources in place
  kaniko2buildkit migrate --dry-run --sources 'ci/**/*.ts' .   only the generators under ci/ (and .gitlab-ci.yml)
  kaniko2buildkit migrate --check ci/generate.ts   one generator source file
  kaniko2buildkit migrate --check --format json ci/build.yml
  kaniko2buildkit migrate --check --format codequality --output gl-code-quality-report.json
  kaniko2buildkit migrate --recursive --dry-run ~/src/group   every repository under a folder`,
    )
    .action(
      async (
        paths: string[],
        opts: MigrateFlags & { recursive?: boolean; concurrency?: string; progress?: boolean },
      ) => {
        if (opts.recursive) {
          if (paths.length > 1) {
            io.stderr('kaniko2buildkit: --recursive takes one folder\n');
            return done(EXIT.input);
          }
          const { runRecursive } = await import('./recursive.js');
          return done(await runRecursive(paths[0] ?? '.', opts as never, io));
        }
        done(await runMigrate(paths, opts, io));
      },
    );
}
