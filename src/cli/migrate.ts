/** `kaniko2buildkit migrate [PATH...]`: migrate repositories or single files; write, show a diff, or check. */
import { existsSync, statSync } from 'node:fs';
import { finding } from '../findings/finding.js';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Finding } from '../findings/types.js';
import type { FileSource } from '../pipeline/load.js';
import type { RunReport } from '../report/model.js';
import type { ReportFormat } from '../report/render.js';
import type { RunMode } from '../report/text.js';
import type { WriteHooks } from '../repository/write.js';
import type { RepositoryOptions } from '../repository/migrate.js';
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
 * The migration itself (src/repository/), the reports and the writer, loaded when the command runs, not when the
 * program starts: `--version`, `--help` and the other commands do not pay for them.
 */
async function loadLib() {
  // One after the other, not in a Promise.all: under Jest's VM modules, parallel dynamic imports that share a
  // dependency fail with "request for 'x' is not in cache" (jestjs/jest#11434); in Node the difference is negligible.
  const repository = await import('../repository/migrate.js');
  const source = await import('../repository/source.js');
  const write = await import('../repository/write.js');
  const load = await import('../pipeline/load.js');
  const bulkReport = await import('../bulk/report.js');
  const checkouts = await import('../bulk/checkouts.js');
  const model = await import('../report/model.js');
  const render = await import('../report/render.js');
  const status = await import('../report/status.js');
  const text = await import('../report/text.js');
  const atomic = await import('write-file-atomic');
  return {
    migrateRepository: repository.migrateRepository,
    diskRepository: source.diskRepository,
    writeRepository: write.writeRepository,
    describeReadError: load.describeReadError,
    appendProject: bulkReport.appendProject,
    checkoutResolver: checkouts.checkoutResolver,
    localProjects: checkouts.localProjects,
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
  /** A JSON object of project path → folder: where included projects (`include: project`, `component`) are read. */
  projectMap?: string;
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

/** A path as the report shows it: relative to the working directory, unless it lies outside it. */
export function display(io: Pick<CliIO, 'cwd'>, abs: string): string {
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
  const problem = (message: string): Finding => finding('KB106', message, { file: path, line: 0 });
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
export interface MigrateHooks extends WriteHooks {
  /** The FileSource the YAML pipeline is read from, for a repository root (default: a DiskSource). */
  source?: (root: string) => FileSource;
  /** Stop cleanly on SIGINT/SIGTERM while writing (default true). */
  signals?: boolean;
}

/**
 * Migrates one target through `migrateRepository` (its YAML pipeline and generator sources together) and puts the
 * result into the report, paths shown relative to the working directory; in write mode `writeRepository` writes it
 * unless a signal came meanwhile. False when the target was read and planned but not written (stopped).
 */
async function migrateTarget(
  io: CliIO,
  t: Target,
  flags: MigrateFlags,
  report: RunReport,
  hooks: MigrateHooks,
  write: () => boolean,
  include: Pick<RepositoryOptions, 'resolver' | 'templateRuns'>,
): Promise<boolean> {
  // `write()` is asked after the migration: a signal that came meanwhile leaves the target unwritten
  const repo = lib.diskRepository(t.root, hooks.source?.(t.root));
  const result = await lib.migrateRepository(repo, {
    entry: t.entry ?? null,
    sources: t.sources,
    buildkitImage: flags.buildkitImage,
    ...include,
  });
  const shown = (p: string) => (p === '' ? t.shown : display(io, join(t.root, p)));
  const git = repositoryRoot(t.root); // Code Quality paths are relative to it (src/report/codequality.ts)
  const inRepo = (p: string) => relative(git, join(t.root, p)).split('\\').join('/');
  if (!write()) {
    lib.appendProject(report, t.shown, result, shown, undefined, inRepo);
    return false;
  }
  // A file that cannot be read or parsed has no output to write; the target's other files are written (README,
  // "Exit status"). `migrate --recursive` writes nothing of a failed repository (src/bulk/outcome.ts).
  lib.appendProject(report, t.shown, result, shown, await lib.writeRepository(t.root, result, hooks), inRepo);
  return true;
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
  // Other projects a pipeline includes are read from the checkouts `--project-map` names (as --recursive does).
  let include: Pick<RepositoryOptions, 'resolver' | 'templateRuns'> = {};
  if (flags.projectMap) {
    try {
      const checkouts = await lib.localProjects([], resolve(io.cwd, flags.projectMap));
      include = { resolver: lib.checkoutResolver(checkouts), templateRuns: new Map() };
    } catch (e) {
      io.stderr(`kaniko2buildkit: ${(e as Error).message}\n`);
      return EXIT.input;
    }
  }

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
      const done = await migrateTarget(io, t, flags, report, hooks, () => mode === 'write' && !stopped, include);
      // read and planned, not yet written: skipped whole
      if (mode === 'write' && !done) notProcessed.push(path);
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

/**
 * `migrate --recursive DIR` (src/cli/recursive.ts). Passed in by the program (src/cli/main.ts) so that this module
 * does not import that one, which imports this one for the flags.
 */
export type RecursiveRunner = (dir: string, flags: RecursiveOptions, io: CliIO) => Promise<number>;

/** The flags of `migrate` with those only `--recursive` reads. */
export type RecursiveOptions = MigrateFlags & {
  recursive?: boolean;
  concurrency?: string;
  progress?: boolean;
};

export function migrateCommand(io: CliIO, done: (code: number) => void, recursive?: RecursiveRunner): Command {
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
    .option(
      '--project-map <file>',
      'a JSON object of project path → folder: where included projects (include: project, component) are read; with --recursive also for checkouts whose origin remote does not name them',
    )
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
    .action(async (paths: string[], opts: RecursiveOptions) => {
      if (opts.recursive) {
        if (paths.length > 1 || !recursive) {
          io.stderr(`kaniko2buildkit: --recursive ${recursive ? 'takes one folder' : 'is not available here'}\n`);
          return done(EXIT.input);
        }
        return done(await recursive(paths[0] ?? '.', opts, io));
      }
      done(await runMigrate(paths, opts, io));
    });
}
