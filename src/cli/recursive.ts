/**
 * `kaniko2buildkit migrate --recursive DIR`: every repository under DIR (a folder with `.gitlab-ci.yml`, see
 * `findRepositories`) migrated in parallel, each written atomically (or shown, or checked) on its own; one bad
 * repository never stops the others. Reports in every `--format`, with the group summary (JSON: `projects`, `group`;
 * Markdown: a group table first; text: one line per project that is not unchanged, then the totals).
 *
 * Exit status: 2 when any repository failed (or a folder could not be listed), else 1 for `--check` with pending
 * changes or findings at `--fail-on` level, else 0.
 */
import { stat } from 'node:fs/promises';
import { finding } from '../findings/finding.js';
import { join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { checkoutResolver, localProjects } from '../bulk/checkouts.js';
import { findRepositories, SKIPPED_FOLDERS } from '../bulk/discover.js';
import { graphMarkdown, graphText, groupGraph, type GraphTemplate } from '../bulk/graph.js';
import { migrateRepositories } from '../bulk/local.js';
import { summariseGroup, type GroupSummary } from '../bulk/outcome.js';
import { defaultConcurrency, parseConcurrency, parseTimeLimit } from '../bulk/pool.js';
import { progressBar } from '../bulk/progress.js';
import { appendProject, groupMarkdown, groupText, type ProjectRow } from '../bulk/report.js';
import { allFindings, type RunReport } from '../report/model.js';
import { renderReport } from '../report/render.js';
import { fileCount } from '../report/status.js';
import { findingLine, textDiffs, textSummary, type RunMode } from '../report/text.js';
import type { Finding } from '../findings/types.js';
import { colours, EXIT, fileColours, type CliIO } from './io.js';
import { EXIT_SIGNAL, interruptSummary, stopOnSignals } from './signals.js';
import {
  applyLine,
  display,
  errorFindings,
  modeOf,
  sourcesOption,
  SUMMARY_FIRST_OVER,
  type MigrateFlags,
} from './migrate.js';

export interface RecursiveFlags extends MigrateFlags {
  /** Repositories migrated at once (default: the CPU count). */
  concurrency?: number | string;
  /** Seconds one repository may take (src/bulk/isolation.ts). */
  timeLimit?: number | string;
  /** `false` (`--no-progress`) hides the progress bar even on a terminal. */
  progress?: boolean;
  /** A JSON object of project path → folder, for included projects found no other way. */
  projectMap?: string;
}

interface Run {
  mode: RunMode;
  report: RunReport;
  rows: ProjectRow[];
  group: GroupSummary;
  graph: GraphTemplate[];
  dir: string;
}

/** The report in `flags.format`; `toFile`: no colour unless --color. */
function render(io: CliIO, flags: RecursiveFlags, run: Run, toFile: boolean): string {
  const { mode, report, rows, group, graph, dir } = run;
  const c = toFile ? fileColours(flags.color) : colours(io, flags.color);
  const format = flags.format ?? 'text';
  switch (format) {
    case 'json': {
      const body = JSON.parse(renderReport('json', report, c, mode)) as Record<string, unknown>;
      body.projects = rows.map((r) => ({ path: r.project, status: r.status, reason: r.reason ?? null }));
      body.groupSummary = group;
      body.templateGraph = graph;
      return `${JSON.stringify(body, null, 2)}\n`;
    }
    case 'markdown':
      return `${groupMarkdown(`kaniko2buildkit: ${dir}`, group, rows)}${graphMarkdown(graph)}\n${renderReport('markdown', report, c, mode)}`;
    case 'text': {
      // on stdout the error lines are left out: they go to stderr (runRecursive); a file keeps every line
      const listed = toFile ? () => true : (f: Finding) => f.severity !== 'error';
      const apply = applyLine(report, mode, [dir], { ...flags, recursive: true }) ?? '';
      return `${textSummary(report, c, mode, listed)}\n${graphText(graph, c)}${groupText(group, rows, c)}${apply}`;
    }
    default:
      return renderReport(format, report, c, mode);
  }
}

export async function runRecursive(dir: string, flags: RecursiveFlags, io: CliIO): Promise<number> {
  const root = resolve(io.cwd, dir);
  let concurrency: number;
  let timeLimit: number;
  try {
    concurrency = parseConcurrency(flags.concurrency, defaultConcurrency());
    timeLimit = parseTimeLimit(flags.timeLimit);
    if (!(await stat(root)).isDirectory()) throw new Error(`${dir} is not a folder`);
  } catch (e) {
    io.stderr(
      `kaniko2buildkit: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `${dir}: no such folder` : (e as Error).message}\n`,
    );
    return EXIT.input;
  }
  const mode: RunMode = flags.check ? 'check' : flags.dryRun ? 'dry-run' : 'write';
  const sources = sourcesOption(flags, io);
  if (sources === false) return EXIT.input;

  const found = await findRepositories(root);
  if (!found.repositories.length && !found.errors.length) {
    // a mistyped or empty folder must not pass a CI check: an input error, saying what was looked for
    io.stderr(
      `kaniko2buildkit: no repository under ${dir}: looked for folders with a .gitlab-ci.yml (${[...SKIPPED_FOLDERS].join(', ')} not entered)\n`,
    );
    return EXIT.input;
  }
  let checkouts;
  try {
    checkouts = await localProjects(found.repositories, flags.projectMap && resolve(io.cwd, flags.projectMap));
  } catch (e) {
    io.stderr(`kaniko2buildkit: ${(e as Error).message}\n`);
    return EXIT.input;
  }
  const progress = progressBar(io, 'repositories', !flags.quiet && flags.progress !== false);
  // While writing, SIGINT/SIGTERM stop the run between repositories (src/cli/signals.ts).
  const signals = stopOnSignals(io, mode === 'write', !!flags.quiet);
  const outcomes = await migrateRepositories(found.repositories, {
    mode,
    concurrency,
    buildkitImage: flags.buildkitImage,
    migrationMode: modeOf(flags),
    sources,
    resolver: checkoutResolver(checkouts),
    templateRuns: new Map(),
    checkouts,
    onDone: (d, t) => progress.update(d, t),
    signal: signals.signal,
    timeLimitMs: timeLimit * 1000,
  }).finally(() => signals.release());
  progress.end();

  const report: RunReport = { files: [], jobs: [], errors: [] };
  for (const e of found.errors)
    report.errors.push(
      finding('KB106', `cannot list the folder: ${e.message}`, { file: display(io, e.path), line: 0 }),
    );
  const rows: ProjectRow[] = [];
  for (const o of outcomes) {
    const project = display(io, o.root);
    appendProject(report, project, o.result, (p) => display(io, join(o.root, p)), o.write);
    rows.push({
      project,
      status: o.status,
      reason: o.reason,
      outcome: o.write.written.length ? `${o.write.written.length} file(s) written` : undefined,
    });
  }
  const graph = groupGraph(outcomes.map((o) => ({ project: display(io, o.root), status: o.status, ...o.result })));
  // a repository the run was stopped before planning was not looked at: it is in no count
  const looked = outcomes.filter((o) => !(o.notProcessed && o.result.files.length === 0 && !o.result.jobs.length));
  const run: Run = { mode, report, rows, group: summariseGroup(looked), graph, dir };

  const format = flags.format ?? 'text';
  const c = colours(io, flags.color);
  const diffs = format === 'text' && mode === 'dry-run' ? textDiffs(report, c) : '';
  // errors go to stderr, after the report, whatever the format and --quiet: stdout carries the report only
  const errors = errorFindings(allFindings(report));
  const printErrors = () => {
    if (errors.length) io.stderr(errors.map((f) => `${findingLine(f, c)}\n`).join(''));
  };
  if (flags.output) {
    try {
      await writeFileAtomic(resolve(io.cwd, flags.output), render(io, flags, run, true), { encoding: 'utf8' });
    } catch (e) {
      io.stderr(`kaniko2buildkit: cannot write the report to ${flags.output}: ${(e as Error).message}\n`);
      printErrors();
      return EXIT.input;
    }
    if (!flags.quiet) io.stdout(diffs);
  } else if (!flags.quiet) {
    const body = render(io, flags, run, false);
    io.stdout(diffs && fileCount(report) > SUMMARY_FIRST_OVER ? `${body}\n${diffs}` : diffs + body);
  }
  printErrors();

  const stopped = signals.stopped();
  if (stopped) {
    const notProcessed = outcomes.filter((o) => o.notProcessed).map((o) => display(io, o.root));
    if (!flags.quiet) io.stderr(interruptSummary(stopped, report, notProcessed));
    return EXIT_SIGNAL[stopped];
  }
  if (found.errors.length || outcomes.some((o) => o.status === 'failed')) return EXIT.input;
  if (mode === 'check') {
    const levels = { never: [], manual: ['manual'], warning: ['manual', 'warning'] }[
      flags.failOn ?? 'manual'
    ] as string[];
    if (report.files.some((f) => f.changed) || allFindings(report).some((f) => levels.includes(f.severity)))
      return EXIT.pending;
  }
  return EXIT.ok;
}
