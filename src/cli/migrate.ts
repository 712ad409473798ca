/** `kaniko2buildkit migrate [PATH...]`: migrate repositories or single files; write, show a diff, or check. */
import { append } from '../text/append.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
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
import type { MigrationMode } from '../project/transition.js';
// plain fs and no ts-morph: listing the generator sources costs a YAML-only run one folder walk, nothing more
import {
  DEFAULT_SOURCES,
  globForPath,
  listSourceFiles,
  // the cheap test the migration itself uses to decide whether a source is read
  mayMatter,
  resolveSources,
  SOURCE_EXTENSIONS,
} from '../typescript/files.js';
import { EXIT_SIGNAL, interruptSummary, stopOnSignals } from './signals.js';
import type { IsolatedMigrate } from '../bulk/isolation.js';
import { parseTimeLimit } from '../bulk/pool.js';
import { colourOption, colours, EXIT, noColourOption, fileColours, type CliIO } from './io.js';
import { checkOptions, migrationMode, MODE_HELP, type ModeFlags } from './options.js';

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
  const isolated = await import('../bulk/isolation.js');
  return {
    isolation: isolated.isolation,
    migrateRepository: repository.migrateRepository,
    diskRepository: source.diskRepository,
    writeRepository: write.writeRepository,
    afterRecovery: write.afterRecovery,
    describeReadError: load.describeReadError,
    appendProject: bulkReport.appendProject,
    checkoutResolver: checkouts.checkoutResolver,
    localProjects: checkouts.localProjects,
    allFindings: model.allFindings,
    renderReport: render.renderReport,
    fileCount: status.fileCount,
    findingLine: text.findingLine,
    textDiffs: text.textDiffs,
    textSummary: text.textSummary,
    writeFileAtomic: atomic.default,
  };
}
let lib: Awaited<ReturnType<typeof loadLib>>;

export interface MigrateFlags extends ModeFlags {
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
  /** With several repositories: seconds one may take (src/bulk/isolation.ts). */
  timeLimit?: string | number;
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

/**
 * A generator source that can hold a build: one the migration reads (it mentions Kaniko or an executor, `mayMatter`)
 * or one already migrated (BuildKit, buildctl), so that `--check` passes on a migrated generator-only folder. One that
 * cannot be read counts too: the run reports it.
 */
function mayHoldBuild(file: string): boolean {
  try {
    const text = readFileSync(file, 'utf8');
    return mayMatter(text) || /buildkit|buildctl/i.test(text);
  } catch {
    return true;
  }
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
      const listed = sources ? listSourceFiles(abs, sources) : [];
      if (listed.some((p) => mayHoldBuild(join(abs, p)))) return { root: abs, sources, shown: path };
      // a mistyped path must not pass a CI check: say what was looked for
      return problem(
        `no .gitlab-ci.yml in this folder, ${
          !sources
            ? 'and generator sources are not read (--no-sources)'
            : !listed.length
              ? `and no generator source matches --sources '${sources}'`
              : `and none of the ${listed.length} generator source(s) matching --sources '${sources}' mentions Kaniko or BuildKit`
        }: nothing to migrate`,
      );
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
  migrate: IsolatedMigrate,
): Promise<boolean> {
  // `write()` is asked after the migration: a signal that came meanwhile leaves the target unwritten
  const repo = lib.diskRepository(t.root, hooks.source?.(t.root));
  // a write of this repository that was cut short is settled first (src/repository/journal.ts)
  const result = await lib.afterRecovery(t.root, () =>
    migrate(repo, {
      entry: t.entry ?? null,
      sources: t.sources,
      buildkitImage: flags.buildkitImage,
      mode: modeOf(flags),
      ...include,
    }),
  );
  if (!result) return false; // stopped while it was planned
  const shown = (p: string) => (p === '' ? t.shown : display(io, join(t.root, p)));
  const git = repositoryRoot(t.root); // Code Quality paths are relative to it (src/report/codequality.ts)
  const inRepo = (p: string) => relative(git, join(t.root, p)).split('\\').join('/');
  if (!write()) {
    lib.appendProject(report, t.shown, result, shown, undefined, inRepo);
    return false;
  }
  // A repository with any error (a file that cannot be read or parsed, KB104, KB108, KB105…) writes nothing; each
  // changed file says why (KB115, `writeBlockers`; README, "Exit status"), as `migrate --recursive` does.
  lib.appendProject(report, t.shown, result, shown, await lib.writeRepository(t.root, result, hooks), inRepo);
  return true;
}

/** The migration mode of flags already checked (`migrationMode` refused both at once before the run). */
export function modeOf(flags: ModeFlags): MigrationMode {
  const mode = migrationMode(flags);
  return typeof mode === 'string' ? mode : 'direct';
}

/** With more files than this, the text report puts the summary before the diffs. */
export const SUMMARY_FIRST_OVER = 20;

/** Every error finding of the report once (a file that failed is in `errors` and may be in its file's findings). */
export function errorFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}|${f.file}|${f.line}|${f.column}|${f.message}`;
    if (f.severity !== 'error' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A word as a POSIX shell reads it back: as it is when that is safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./~-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * The command that applies what `--check` found, as prettier ends its check: the same paths and the options that
 * change the migration (`--sources`, `--no-sources`, `--buildkit-image`, `--project-map`), without `--check` and the
 * report options. Undefined when nothing would change.
 */
export function applyLine(
  report: RunReport,
  mode: RunMode,
  paths: readonly string[],
  flags: Pick<MigrateFlags, 'sources' | 'buildkitImage' | 'projectMap' | 'transition' | 'cutOver'> & {
    recursive?: boolean;
  },
): string | undefined {
  if (mode !== 'check' || !report.files.some((f) => f.changed)) return undefined;
  const words = ['kaniko2buildkit', 'migrate'];
  if (flags.recursive) words.push('--recursive');
  if (flags.transition) words.push('--transition');
  if (flags.cutOver) words.push('--cut-over');
  if (flags.sources === false) words.push('--no-sources');
  else if (flags.sources !== undefined && flags.sources !== DEFAULT_SOURCES) words.push('--sources', flags.sources);
  if (flags.buildkitImage !== undefined) words.push('--buildkit-image', flags.buildkitImage);
  if (flags.projectMap !== undefined) words.push('--project-map', flags.projectMap);
  append(words, paths);
  return `Run \`${words.map(shellWord).join(' ')}\` to apply.\n`;
}

/**
 * Prints (or writes to --output) the report; errors go to stderr. stdout carries the report only: text, the dry-run
 * diffs then the summary table and findings (summary first for large runs), without the error lines (they are on
 * stderr, after it) and without a row for a path that could not be used at all (`unusable`: not found, no pipeline);
 * nothing when no path could be used. --quiet hides the report, never the errors; an --output file is still written
 * (text there keeps every line: it is the record of the run). False when the --output file cannot be written.
 */
async function printReport(
  io: CliIO,
  flags: MigrateFlags,
  mode: RunMode,
  report: RunReport,
  unusable: ReadonlySet<Finding>,
  paths: readonly string[],
): Promise<boolean> {
  const format = flags.format ?? 'text';
  // the text report of --check ends with the command that applies the change
  const apply = (format === 'text' && applyLine(report, mode, paths, flags)) || '';
  const c = colours(io, flags.color);
  const errors = errorFindings(lib.allFindings(report));
  const printErrors = () => {
    if (errors.length) io.stderr(errors.map((f) => `${lib.findingLine(f, c)}\n`).join(''));
  };
  const diffs = format === 'text' && mode === 'dry-run' ? lib.textDiffs(report, c) : '';
  if (flags.output) {
    // a file is no terminal: colour only when --color asks for it
    const body = lib.renderReport(format, report, fileColours(flags.color), mode) + apply;
    try {
      await lib.writeFileAtomic(resolve(io.cwd, flags.output), body, { encoding: 'utf8' });
    } catch (e) {
      io.stderr(`kaniko2buildkit: cannot write the report to ${flags.output}: ${(e as Error).message}\n`);
      printErrors();
      return false;
    }
    if (!flags.quiet) io.stdout(diffs);
    printErrors();
    return true;
  }
  if (!flags.quiet) {
    let body: string;
    if (format !== 'text') body = lib.renderReport(format, report, c, mode);
    else if (!report.files.length && !report.jobs.length && report.errors.every((e) => unusable.has(e))) body = '';
    else {
      const usable = { ...report, errors: report.errors.filter((e) => !unusable.has(e)) };
      body = lib.textSummary(usable, c, mode, (f) => f.severity !== 'error') + apply;
    }
    if (diffs && lib.fileCount(report) > SUMMARY_FIRST_OVER) io.stdout(`${body}\n${diffs}`);
    else io.stdout(diffs + body);
  }
  printErrors();
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

  // Several targets are planned in a worker (src/bulk/isolation.ts) under a time limit, so that a signal is seen while
  // one is planned; one target is planned here, and a signal before its write ends the process (src/cli/signals.ts).
  let timeLimit: number;
  try {
    timeLimit = parseTimeLimit(flags.timeLimit);
  } catch (e) {
    io.stderr(`kaniko2buildkit: ${(e as Error).message}\n`);
    return EXIT.input;
  }
  const several = targets.length > 1;
  const workers = several ? lib.isolation({ workers: 1, timeLimitMs: timeLimit * 1000 }) : undefined;
  const migrate: IsolatedMigrate = workers?.migrate ?? lib.migrateRepository;
  // While writing, SIGINT/SIGTERM stop the run between projects.
  const signals = stopOnSignals(io, mode === 'write' && hooks.signals !== false, !!flags.quiet, !several);
  signals.signal.addEventListener('abort', () => workers?.cancel());
  const notProcessed: string[] = [];
  // paths that could not be used at all (not found, nothing to migrate): errors on stderr, no row in the text report
  const unusable = new Set<Finding>();
  try {
    for (const path of targets) {
      if (signals.stopped()) {
        notProcessed.push(path);
        continue;
      }
      const t = resolveTarget(io, path, sources);
      if ('code' in t) {
        report.errors.push(t);
        unusable.add(t);
        continue;
      }
      const done = await migrateTarget(
        io,
        t,
        flags,
        report,
        hooks,
        () => {
          signals.listen();
          return mode === 'write' && !signals.stopped();
        },
        include,
        migrate,
      );
      // read and planned, not yet written: skipped whole
      if (mode === 'write' && !done) notProcessed.push(path);
    }
  } finally {
    signals.release();
    await workers?.close();
  }

  if (!(await printReport(io, flags, mode, report, unusable, paths))) return EXIT.input;
  const stopped = signals.stopped();
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
    .option(
      '--check',
      'write nothing; exit 1 when a change is pending or a finding at --fail-on level exists (the text report ends with the command that applies the change)',
    )
    .addOption(
      new Option('--fail-on <level>', 'with --check (refused without it): the finding level that fails')
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
      'BuildKit image for migrated jobs, a rootless one (default moby/buildkit:rootless, or a pinned vX.Y.Z-rootless when ' +
        'Kaniko was pinned); a reference that does not parse is refused, the rootful moby/buildkit:latest or :vX.Y.Z warned about',
    )
    .option('--transition', MODE_HELP.transition)
    .option('--cut-over', MODE_HELP.cutOver)
    .addOption(colourOption())
    .addOption(noColourOption())
    .option('-q, --quiet', 'print no report, only errors (on stderr); an --output file is still written')
    .option('-r, --recursive', 'every repository (folder with .gitlab-ci.yml) under PATH, migrated in parallel')
    .option('--concurrency <n>', 'with --recursive: repositories at once (default: the CPU count)')
    .option('--no-progress', 'with --recursive: no progress bar, even on a terminal')
    .option(
      '--time-limit <seconds>',
      'with --recursive or several PATHs: seconds one repository may take to migrate (default 300); one that takes longer is an error (KB116), the others go on',
    )
    .option(
      '--project-map <file>',
      'a JSON object of project path → folder: where included projects (include: project, component) are read; with --recursive also for checkouts whose origin remote does not name them',
    )
    .addHelpText(
      'after',
      `
Generator sources: job objects ({ image, script }) and executor calls in string and template literals are rewritten
in place, gcix KanikoExecute jobs are reported for a person; files that mention neither Kaniko nor an executor stay as
they are. A folder needs a .gitlab-ci.yml, or sources matching --sources that mention Kaniko (or BuildKit, once
migrated): anything else is an input error (exit 2), so a mistyped path cannot pass a CI check.
Output: the report on stdout (or --output), errors and warnings on stderr; --quiet hides the report only.
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
  kaniko2buildkit migrate --recursive --dry-run ~/src/group   every repository under a folder
  kaniko2buildkit migrate --transition .       BuildKit twins and compare jobs beside the Kaniko jobs (a merge request)
  kaniko2buildkit migrate --cut-over .         later: remove them and migrate the Kaniko jobs (a second merge request)`,
    )
    .action(async (paths: string[], opts: RecursiveOptions, cmd: Command) => {
      const needs = [
        // without --check nothing fails on findings: a CI job that meant to gate would pass (and write files)
        { key: 'failOn', when: !!opts.check, mode: '--check', refuse: true },
        { key: 'concurrency', when: !!opts.recursive, mode: '--recursive' },
        { key: 'progress', when: !!opts.recursive, mode: '--recursive' },
        { key: 'timeLimit', when: !!opts.recursive || paths.length > 1, mode: '--recursive or several PATHs' },
      ];
      if (!checkOptions(io, cmd, needs, opts.buildkitImage)) return done(EXIT.input);
      const mode = migrationMode(opts);
      if (typeof mode !== 'string') {
        io.stderr(`kaniko2buildkit: ${mode.error}\n`);
        return done(EXIT.input);
      }
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
