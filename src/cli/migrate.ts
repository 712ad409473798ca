/** `kaniko2buildkit migrate [PATH...]`: migrate repositories or single files; write, show a diff, or check. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import writeFileAtomic from 'write-file-atomic';
import type { Finding } from '../findings/types.js';
import { migrateSource, type ProjectResult } from '../migrate/project.js';
import { DiskSource } from '../pipeline/fs-source.js';
import { allFindings, type ReportFile, type RunReport } from '../report/model.js';
import { FORMATS, renderReport, type ReportFormat } from '../report/render.js';
import { fileCount } from '../report/status.js';
import { textDiffs, type RunMode } from '../report/text.js';
import { colours, EXIT, type CliIO } from './io.js';
import { runRecursive } from './recursive.js';

export interface MigrateFlags {
  dryRun?: boolean;
  check?: boolean;
  format: ReportFormat;
  /** Write the report here instead of stdout (the dry-run diffs of the text format still go to stdout). */
  output?: string;
  failOn: 'warning' | 'manual' | 'never';
  buildkitImage?: string;
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
  entry: string;
  shown: string;
}

function resolveTarget(io: CliIO, path: string): Target | Finding {
  const abs = resolve(io.cwd, path);
  if (!existsSync(abs)) return { code: 'KB106', severity: 'error', file: path, line: 0, message: 'no such file or folder' };
  if (statSync(abs).isDirectory()) {
    if (!existsSync(join(abs, '.gitlab-ci.yml'))) return { code: 'KB106', severity: 'error', file: path, line: 0, message: 'no .gitlab-ci.yml in this folder' };
    return { root: abs, entry: '.gitlab-ci.yml', shown: path };
  }
  const root = repositoryRoot(dirname(abs));
  return { root, entry: relative(root, abs).split('\\').join('/'), shown: path };
}

async function migrateTarget(io: CliIO, t: Target, flags: MigrateFlags, report: RunReport): Promise<void> {
  let result: ProjectResult;
  try {
    result = await migrateSource(new DiskSource(t.root), { entry: t.entry, buildkitImage: flags.buildkitImage });
  } catch (e) {
    report.errors.push({ code: 'KB106', severity: 'error', file: t.shown, line: 0, message: (e as Error).message });
    return;
  }
  const shown = (p: string) => display(io, join(t.root, p));
  for (const f of result.failed) {
    const invalid = f.error.line > 0;
    report.errors.push({ code: invalid ? 'KB101' : 'KB106', severity: 'error', file: shown(f.path), line: f.error.line, column: f.error.column || undefined, message: f.error.message });
  }
  for (const f of result.files) {
    report.files.push({
      path: shown(f.path),
      changed: f.changed,
      written: false,
      findings: f.findings.map((x) => ({ ...x, file: shown(x.file) })),
      original: f.original,
      output: f.output,
      project: t.shown,
      absolute: join(t.root, f.path),
    } as ReportFile & { absolute: string });
  }
  for (const j of result.jobs) report.jobs.push({ ...j, path: shown(j.file), project: t.shown });
}

/** Writes changed files atomically (temp file + rename, mode kept), refusing any file changed on disk since it was read. */
async function writeChanged(report: RunReport): Promise<void> {
  for (const f of report.files as (ReportFile & { absolute: string })[]) {
    if (!f.changed) continue;
    const now = readFileSync(f.absolute, 'utf8');
    if (now !== f.original) {
      f.findings.push({ code: 'KB107', severity: 'error', file: f.path, line: 0, message: 'the file changed on disk while it was being migrated: not written; run again' });
      continue;
    }
    await writeFileAtomic(f.absolute, f.output, { encoding: 'utf8' });
    f.written = true;
  }
}

/** With more files than this, the text report puts the summary before the diffs. */
export const SUMMARY_FIRST_OVER = 20;

/**
 * Prints (or writes to --output) the report. Text: the dry-run diffs, then the summary table and findings (summary
 * first for large runs); with --output the summary goes to the file and the diffs still to stdout. --quiet prints
 * nothing, but an --output file is still written. False when the --output file cannot be written.
 */
async function printReport(io: CliIO, flags: MigrateFlags, mode: RunMode, report: RunReport): Promise<boolean> {
  const format = flags.format ?? 'text';
  const diffs = format === 'text' && mode === 'dry-run' ? textDiffs(report, colours(io, flags.color)) : '';
  if (flags.output) {
    // a file is no terminal: colour only when --color asks for it
    const body = renderReport(format, report, colours({ ...io, isTTY: false }, flags.color), mode);
    try {
      await writeFileAtomic(resolve(io.cwd, flags.output), body, { encoding: 'utf8' });
    } catch (e) {
      io.stderr(`kaniko2buildkit: cannot write the report to ${flags.output}: ${(e as Error).message}\n`);
      return false;
    }
    if (!flags.quiet) io.stdout(diffs);
    return true;
  }
  if (flags.quiet) return true;
  const body = renderReport(format, report, colours(io, flags.color), mode);
  if (diffs && fileCount(report) > SUMMARY_FIRST_OVER) io.stdout(`${body}\n${diffs}`);
  else io.stdout(diffs + body);
  return true;
}

export async function runMigrate(paths: string[], flags: MigrateFlags, io: CliIO): Promise<number> {
  const report: RunReport = { files: [], jobs: [], errors: [] };
  const targets = paths.length ? paths : ['.'];
  const mode: RunMode = flags.check ? 'check' : flags.dryRun ? 'dry-run' : 'write';
  for (const path of targets) {
    const t = resolveTarget(io, path);
    if ('code' in t) report.errors.push(t);
    else await migrateTarget(io, t, flags, report);
  }
  if (mode === 'write') await writeChanged(report);

  if (!(await printReport(io, flags, mode, report))) return EXIT.input;
  const findings = allFindings(report);
  if (findings.some((f) => f.severity === 'error')) return EXIT.input;
  if (mode === 'check') {
    const pending = report.files.some((f) => f.changed);
    const levels = { never: [], manual: ['manual'], warning: ['manual', 'warning'] }[flags.failOn] as string[];
    if (pending || findings.some((f) => levels.includes(f.severity))) return EXIT.pending;
  }
  return EXIT.ok;
}

export function migrateCommand(io: CliIO, done: (code: number) => void): Command {
  return new Command('migrate')
    .description('migrate the Kaniko jobs of repositories (folders with .gitlab-ci.yml) or single pipeline files to rootless BuildKit')
    .argument('[PATH...]', 'repository folders or YAML files (default: the current folder)')
    .option('-n, --dry-run', 'write nothing; print a unified diff and the findings')
    .option('--check', 'write nothing; exit 1 when a change is pending or a finding at --fail-on level exists')
    .addOption(new Option('--fail-on <level>', 'with --check: the finding level that fails').choices(['warning', 'manual', 'never']).default('manual'))
    .addOption(new Option('--format <format>', 'report format: text, json, markdown (for a merge request description), codequality (GitLab Code Quality)').choices(FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to FILE instead of stdout (a --dry-run text diff still goes to stdout)')
    .option('--buildkit-image <ref>', 'BuildKit image for migrated jobs (default moby/buildkit:rootless, or a pinned vX.Y.Z-rootless when Kaniko was pinned)')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour (also: NO_COLOR=1)')
    .option('-q, --quiet', 'print nothing; only the exit status tells (an --output file is still written)')
    .option('-r, --recursive', 'every repository (folder with .gitlab-ci.yml) under PATH, migrated in parallel')
    .option('--concurrency <n>', 'with --recursive: repositories at once (default: the CPU count)')
    .option('--no-progress', 'with --recursive: no progress bar, even on a terminal')
    .addHelpText(
      'after',
      `
Exit status: 0 done (also with findings), 1 --check found pending changes or findings at --fail-on level,
2 bad usage, unreadable/invalid input, or an error finding.
Examples:
  kaniko2buildkit migrate --dry-run .          review the change as a diff
  kaniko2buildkit migrate                      rewrite .gitlab-ci.yml and its local includes in place
  kaniko2buildkit migrate --check --format json ci/build.yml
  kaniko2buildkit migrate --check --format codequality --output gl-code-quality-report.json
  kaniko2buildkit migrate --recursive --dry-run ~/src/group   every repository under a folder`,
    )
    .action(async (paths: string[], opts: MigrateFlags & { recursive?: boolean; concurrency?: string; progress?: boolean }) => {
      if (opts.recursive) {
        if (paths.length > 1) {
          io.stderr('kaniko2buildkit: --recursive takes one folder\n');
          return done(EXIT.input);
        }
        return done(await runRecursive(paths[0] ?? '.', opts as never, io));
      }
      done(await runMigrate(paths, opts, io));
    });
}
