/**
 * `kaniko2buildkit gitlab --url URL --group PATH [--dry-run | --apply]`: audit a GitLab group's projects through the
 * API, or commit the migration and open one merge request per project. The token comes from the environment
 * (`GITLAB_TOKEN`, or `--token-env NAME`), never from a flag value, and is redacted from everything printed or saved.
 */
import { append } from '../text/append.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { isLoopback } from '../compare/reference.js';
import type { ClientOptions, GitLabClient } from '../gitlab/client.js';
import type { RunInfo } from '../gitlab/report.js';
import type { Shard } from '../gitlab/shard.js';
import { DEFAULT_SOURCES } from '../typescript/files.js';
import { colourOption, colours, EXIT, noColourOption, type CliIO } from './io.js';
import { modeOf, sourcesOption } from './migrate.js';
import { checkOptions, given, migrationMode, MODE_HELP, type ModeFlags } from './options.js';

export interface GitLabFlags extends ModeFlags {
  url: string;
  group?: string;
  includeSubgroups?: boolean;
  includeArchived?: boolean;
  withShared?: boolean;
  project: string[];
  skipProject: string[];
  dryRun?: boolean;
  apply?: boolean;
  branch: string;
  title: string;
  labels?: string;
  draft?: boolean;
  skipExisting?: boolean;
  rollout?: 'beside' | 'in-place';
  tokenEnv: string;
  concurrency: string | number;
  /** Seconds one project's migration may take (src/bulk/isolation.ts). */
  timeLimit?: string | number;
  format: 'text' | 'json' | 'markdown';
  output?: string;
  onlyFailed?: string;
  /** `I/N`: only the projects of shard I of N (1-based, as `$CI_NODE_INDEX/$CI_NODE_TOTAL`). */
  shard?: string;
  buildkitImage?: string;
  /** Generator sources to migrate as well, a glob relative to each repository (as `migrate --sources`); `false`: none. */
  sources?: string | false;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  progress?: boolean;
}

/** What tests (or an embedding program) may replace: the HTTP layer, the clock, the retry timing. */
export type GitLabDeps = Pick<ClientOptions, 'fetch' | 'sleep' | 'retry' | 'timeoutMs'>;

export const DEFAULT_BRANCH = 'kaniko2buildkit/migrate';
export const DEFAULT_TITLE = 'Migrate Kaniko image builds to rootless BuildKit';
/**
 * The branch and title of a transition's merge request and of its cut-over's (unless --branch or --title names them):
 * their own branches, so the cut-over merge request opens once the transition one is merged, and never updates it.
 */
export const MODE_DEFAULTS = {
  transition: {
    branch: 'kaniko2buildkit/transition',
    title: 'Transition to rootless BuildKit: build with BuildKit beside Kaniko and compare the images',
  },
  'cut-over': { branch: 'kaniko2buildkit/cut-over', title: 'Cut over from Kaniko to rootless BuildKit' },
};
/** API calls, not CPU, bound this mode: a few projects at a time stay well inside GitLab's rate limits. */
export const DEFAULT_GITLAB_CONCURRENCY = 4;

export async function runGitLab(flags: GitLabFlags, io: CliIO, deps: GitLabDeps = {}): Promise<number> {
  // loaded here, not at start-up: `--version` and the other commands do not pay for the API client and the migration
  // (one after another: under Jest's VM modules, parallel dynamic imports that share a module can fail, jestjs/jest#11434)
  const { default: writeFileAtomic } = await import('write-file-atomic');
  const { parseConcurrency, parseTimeLimit } = await import('../bulk/pool.js');
  const { progressBar } = await import('../bulk/progress.js');
  const { GitLabClient } = await import('../gitlab/client.js');
  const { redactor } = await import('../gitlab/redact.js');
  const { failedProjects, gitlabJson, gitlabMarkdown, gitlabText, projectRecord } = await import('../gitlab/report.js');
  const { findProjects, runProjects } = await import('../gitlab/run.js');
  const { inShard, parseShard } = await import('../gitlab/shard.js');
  const token = io.env[flags.tokenEnv];
  const redact = redactor(token);
  const out = (s: string) => io.stdout(redact(s));
  const err = (s: string) => io.stderr(redact(s));
  const fail = (message: string) => {
    err(`kaniko2buildkit gitlab: ${message}\n`);
    return EXIT.input;
  };
  if (!token)
    return fail(
      `no token: set ${flags.tokenEnv} (or name another variable with --token-env NAME); a token is never taken from a flag value`,
    );
  if (!flags.group && !flags.onlyFailed) return fail('--group PATH is needed (or --only-failed REPORT.json)');
  const sources = sourcesOption(flags, { stderr: err });
  if (sources === false) return EXIT.input;

  let client: GitLabClient;
  let concurrency: number;
  let timeLimit: number;
  let ids: (number | string)[] | undefined;
  let shard: Shard | null = null;
  try {
    if (flags.shard !== undefined) shard = parseShard(flags.shard);
    concurrency = parseConcurrency(flags.concurrency, DEFAULT_GITLAB_CONCURRENCY);
    timeLimit = parseTimeLimit(flags.timeLimit);
    client = new GitLabClient({
      url: flags.url,
      token,
      ...deps,
      log: flags.verbose ? (line) => err(`${line}\n`) : undefined,
    });
    if (flags.onlyFailed) ids = failedProjects(await readFile(resolve(io.cwd, flags.onlyFailed), 'utf8'));
  } catch (e) {
    return fail((e as Error).message);
  }
  if (client.base.protocol === 'http:' && !isLoopback(client.base.hostname))
    err(`kaniko2buildkit gitlab: warning: ${client.base.host} is plain http: the token travels unencrypted\n`);
  if (ids && !ids.length) {
    if (!flags.quiet) out(`${flags.onlyFailed}: no failed project to retry\n`);
    return EXIT.ok;
  }

  const info: RunInfo = {
    url: client.base.origin + client.base.pathname.replace(/\/api\/v4\/$/, ''),
    group: flags.group,
    mode: flags.apply ? 'apply' : 'dry-run',
    branch: flags.branch,
  };
  let found;
  try {
    found = await findProjects(client, {
      group: flags.group,
      includeSubgroups: flags.includeSubgroups,
      includeArchived: flags.includeArchived,
      withShared: flags.withShared,
      concurrency,
      only: flags.project ?? [],
      skip: flags.skipProject ?? [],
      ids,
    });
  } catch (e) {
    return fail(`cannot list the projects: ${(e as Error).message}`);
  }
  // this shard's part, before any per-project work: by project id, so every shard of the run agrees
  const projects = found.projects.filter((p) => inShard(p.id, shard));
  const missing = found.missing.filter((m) => inShard(m.id > 0 ? m.id : m.path, shard));

  const progress = progressBar(io, 'projects', !flags.quiet && flags.progress !== false);
  const outcomes = await runProjects(client, projects, {
    apply: !!flags.apply,
    concurrency,
    timeLimitMs: timeLimit * 1000,
    branch: flags.branch,
    title: flags.title,
    labels: (flags.labels ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
    draft: !!flags.draft,
    skipExisting: !!flags.skipExisting,
    rollout: flags.rollout,
    buildkitImage: flags.buildkitImage,
    migrationMode: modeOf(flags),
    sources,
    onDone: (d, t) => progress.update(d, t),
  });
  progress.end();
  append(outcomes, missing);
  // the reports are made of the records alone (and sort them): a merge of shard reports gives the same reports
  const records = outcomes.map(projectRecord);

  if (flags.output) {
    try {
      await writeFileAtomic(resolve(io.cwd, flags.output), redact(gitlabMarkdown(info, records)), {
        encoding: 'utf8',
      });
    } catch (e) {
      return fail(`cannot write the report to ${flags.output}: ${(e as Error).message}`);
    }
  }
  if (!flags.quiet) {
    if (flags.format === 'json') out(gitlabJson(info, records, shard));
    else if (flags.format === 'markdown') out(gitlabMarkdown(info, records));
    else out(gitlabText(info, records, colours(io, flags.color)));
  }
  return outcomes.some((o) => o.outcome === 'failed') ? EXIT.input : EXIT.ok;
}

const collect = (value: string, list: string[]) => [...list, value];

export function gitlabCommand(io: CliIO, done: (code: number) => void, deps: GitLabDeps = {}): Command {
  return new Command('gitlab')
    .description(
      'migrate the projects of a GitLab group through the API: audit (default), or commit and open one merge request per project',
    )
    .requiredOption('--url <url>', 'GitLab address, e.g. https://gitlab.example.com')
    .option('--group <path>', 'group full path or id')
    .option('--include-subgroups', 'also the projects of subgroups')
    .option('--include-archived', 'also archived projects (left out by default)')
    .option('--with-shared', 'also projects shared with the group from elsewhere (left out by default)')
    .addOption(
      new Option(
        '--project <pattern>',
        'only these projects: id, path, full path or glob on the full path (repeatable)',
      )
        .argParser(collect)
        .default([], 'all'),
    )
    .addOption(
      new Option('--skip-project <pattern>', 'leave these projects out (repeatable)')
        .argParser(collect)
        .default([], 'none'),
    )
    .addOption(new Option('-n, --dry-run', 'audit only, write nothing (the default)').conflicts('apply'))
    .option('--apply', 'commit to --branch and open (or update) a merge request per project with changes')
    .option(
      '--branch <name>',
      `branch of the migration commits (with --transition: ${MODE_DEFAULTS.transition.branch}, --cut-over: ${MODE_DEFAULTS['cut-over'].branch})`,
      DEFAULT_BRANCH,
    )
    .option(
      '--title <text>',
      'merge request title and commit subject (its own with --transition, --cut-over)',
      DEFAULT_TITLE,
    )
    .option('--transition', `${MODE_HELP.transition}: the transition merge request`)
    .option('--cut-over', `${MODE_HELP.cutOver}: the cut-over merge request, once the transition one is merged`)
    .option('--labels <list>', 'merge request labels, comma-separated')
    .option('--draft', 'open the merge requests as drafts')
    .option(
      '--skip-existing',
      'leave a project alone when an open merge request from --branch exists (default: update it)',
    )
    .option('--token-env <name>', 'environment variable holding the API token (scope: api)', 'GITLAB_TOKEN')
    .option(
      '--concurrency <n>',
      'projects handled at once (a project may have two API requests in flight)',
      String(DEFAULT_GITLAB_CONCURRENCY),
    )
    .option(
      '--time-limit <seconds>',
      'seconds one project may take to migrate, the reads of its included files counted (default 300); one that takes longer fails (KB116), the others go on',
    )
    .addOption(
      new Option(
        '--rollout <mode>',
        'a template other projects include: add its BuildKit version beside it, then switch the consumers, then remove it (beside); or change it in place, every merge request to be merged together (in-place)',
      )
        .choices(['beside', 'in-place'])
        .default('beside'),
    )
    .addOption(
      new Option('--format <format>', 'stdout report format').choices(['text', 'json', 'markdown']).default('text'),
    )
    .option('-o, --output <file>', 'also save the Markdown report (group summary, outcomes, per-file report) to FILE')
    .option('--only-failed <report>', 'retry only the projects that failed in an earlier --format json report')
    .option(
      '--shard <I/N>',
      'only shard I of N of the projects (1-based; by project id, so the N shards split the group exactly), ' +
        'e.g. "$CI_NODE_INDEX/$CI_NODE_TOTAL" in a `parallel: N` job; join the --format json reports with `report merge`',
    )
    .option('--buildkit-image <ref>', 'BuildKit image for migrated jobs, a rootless one (checked as for migrate)')
    .option(
      '--sources <glob>',
      'the pipeline generator sources (TypeScript/JavaScript) to migrate as well, a glob relative to each repository, ' +
        "as for migrate; each is read through the API, so a narrow glob saves requests; '' for none",
      DEFAULT_SOURCES,
    )
    .option('--no-sources', 'migrate the YAML pipeline only, no generator sources')
    .addOption(colourOption())
    .addOption(noColourOption())
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option('-v, --verbose', 'print each retry (rate limits, server errors) on stderr')
    .option('-q, --quiet', 'print no report, only errors (on stderr); an --output file is still written')
    .addHelpText(
      'after',
      `
The token is read from $GITLAB_TOKEN (or --token-env NAME), never from a flag, and never printed.
Exit status: 0 done, 2 bad usage or any project failed (see the summary; retry with --only-failed REPORT.json).
Examples:
  kaniko2buildkit gitlab --url https://gitlab.example.com --group platform --include-subgroups --output audit.md
  kaniko2buildkit gitlab --url https://gitlab.example.com --group platform --include-subgroups --apply --labels ci,buildkit --format json > run.json
  kaniko2buildkit gitlab --url https://gitlab.example.com --apply --only-failed run.json
  kaniko2buildkit gitlab --url "$CI_SERVER_URL" --group platform --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL" --format json > "report-$CI_NODE_INDEX.json"
  kaniko2buildkit report merge report-*.json --format markdown -o group-report.md`,
    )
    .action(async (opts: GitLabFlags, cmd: Command) => {
      const apply = { when: !!opts.apply, mode: '--apply' };
      const needs = ['title', 'labels', 'draft', 'skipExisting'].map((key) => ({ key, ...apply }));
      if (!checkOptions(io, cmd, needs, opts.buildkitImage, 'kaniko2buildkit gitlab')) return done(EXIT.input);
      const mode = migrationMode(opts);
      if (typeof mode !== 'string') {
        io.stderr(`kaniko2buildkit gitlab: ${mode.error}\n`);
        return done(EXIT.input);
      }
      if (mode !== 'direct') {
        if (!given(cmd, 'branch')) opts.branch = MODE_DEFAULTS[mode].branch;
        if (!given(cmd, 'title')) opts.title = MODE_DEFAULTS[mode].title;
      }
      done(await runGitLab(opts, io, deps));
    });
}
