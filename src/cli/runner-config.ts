/**
 * `kaniko2buildkit runner-config FILE [--dry-run]`: set up every runner of a GitLab Runner config.toml, or of a
 * gitlab-runner Helm values.yaml (`runners.config: |`), for rootless BuildKit: the Docker `security_opt` of a Docker
 * runner, the AppArmor pod annotation of a Kubernetes runner. One line per runner says what was done for it.
 *
 * Wiring: `program.addCommand(runnerConfigCommand(io))`. The action hands its exit code to `io.setExitCode`
 * (default: sets `process.exitCode`); call `runRunnerConfig` directly to get the code as a value.
 *
 * Exit codes: 0 changed, already set, or no runner to help; 1 some runner needs a person (KB901/KB907 a value of its own
 * is set, KB905 a form that cannot be edited safely, KB908 no-new-privileges; the other runners are still changed);
 * 2 invalid input (unreadable file, invalid TOML/YAML, Helm values without a literal `runners.config`): nothing written.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import type { AnnotateResult, RunnerReport } from '../runner-config/index.js';
import { commandColours, setExitCodeDefault, type CommandIo } from './doctor.js';
import { colourOption, noColourOption } from './io.js';

const APPARMOR = 'container.apparmor.security.beta.kubernetes.io/build';

export const RUNNER_CONFIG_EXIT = { ok: 0, needsAttention: 1, invalidInput: 2 } as const;

export interface RunnerConfigArgs {
  file: string;
  dryRun?: boolean;
  /** `--color` (true) / `--no-color` (false); undefined: FORCE_COLOR, NO_COLOR and the terminal decide. */
  color?: boolean;
}

export type RunnerConfigIo = Pick<CommandIo, 'stdout' | 'stderr' | 'setExitCode' | 'cwd' | 'env' | 'isTTY'>;

export async function runRunnerConfig(args: RunnerConfigArgs, io: RunnerConfigIo): Promise<number> {
  const { file } = args;
  const path = resolve(io.cwd ?? process.cwd(), file);
  let text: string;
  let mode: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    mode = st.mode & 0o7777;
    text = await readFile(path, 'utf8');
  } catch (e) {
    io.stderr(`kaniko2buildkit runner-config: cannot read ${file}: ${(e as Error).message}\n`);
    return RUNNER_CONFIG_EXIT.invalidInput;
  }

  // loaded here, not at start-up: `--version` and the other commands do not pay for the TOML reader and the differ
  // (one after another: under Jest's VM modules, parallel dynamic imports that share a module can fail, jestjs/jest#11434)
  const { unifiedDiff } = await import('../report/diff.js');
  const { default: writeFileAtomic } = await import('write-file-atomic');
  const { annotateRunnerConfig, RunnerConfigError } = await import('../runner-config/index.js');
  let result: AnnotateResult;
  try {
    result = annotateRunnerConfig(text, file);
  } catch (e) {
    if (e instanceof RunnerConfigError) {
      io.stderr(`${e.where}: ${e.code} ${e.message}; nothing written\n`);
      return RUNNER_CONFIG_EXIT.invalidInput;
    }
    throw e;
  }

  // findings that need a person go to stderr; what was done for each runner is the report, on stdout
  const needsAttention = result.findings.some((f) => f.severity === 'manual');
  for (const f of result.findings)
    if (f.severity !== 'info') io.stderr(`${f.file}${f.line ? `:${f.line}` : ''}  ${f.code}  ${f.message}\n`);
  const c = commandColours(io, args.color);
  const dry = !!args.dryRun && result.changed;
  if (dry) {
    // the same git-style diff as `migrate --dry-run` (src/report/diff.ts), coloured as it is
    io.stdout(`${unifiedDiff(file, text, result.output, c)}\n`);
  } else if (result.changed) {
    try {
      await writeFileAtomic(path, result.output, { mode });
    } catch (e) {
      io.stderr(`kaniko2buildkit runner-config: cannot write ${file}: ${(e as Error).message}\n`);
      return RUNNER_CONFIG_EXIT.invalidInput;
    }
  }
  for (const r of result.runners) io.stdout(`${file}:${r.line}  ${runnerLine(r, dry, c)}\n`);
  io.stdout(`${file}: ${summary(result.runners, result.changed, dry)}\n`);
  return needsAttention ? RUNNER_CONFIG_EXIT.needsAttention : RUNNER_CONFIG_EXIT.ok;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `runner #2 "k8s" (kubernetes): added the AppArmor pod annotation`: what was done for one runner, and why. */
export function runnerLine(r: RunnerReport, dry: boolean, c: ChalkInstance): string {
  const label = `runner #${r.index + 1}${r.name ? ` ${JSON.stringify(r.name)}` : ''} (${r.executor ?? r.kind})`;
  const add = dry ? 'would add' : 'added';
  let what: string;
  switch (r.status) {
    case 'changed':
      what = c.green(
        r.kind === 'kubernetes'
          ? `${add} the AppArmor pod annotation "${APPARMOR}" = "unconfined"`
          : `${add} ${(r.added ?? []).map((a) => JSON.stringify(a)).join(', ')} to [runners.docker] security_opt`,
      );
      break;
    case 'already-set':
      what = c.dim(
        r.kind === 'kubernetes'
          ? 'already has the AppArmor pod annotation; nothing to add'
          : r.privileged
            ? 'privileged = true runs rootless BuildKit as it is; nothing to add'
            : 'security_opt already has seccomp and apparmor unconfined; nothing to add',
      );
      break;
    case 'other-value':
      what = c.magenta(
        `left unchanged: ${JSON.stringify(r.value)} is set (${r.kind === 'kubernetes' ? 'KB901' : 'KB907'})`,
      );
      break;
    case 'manual':
      what = c.magenta(`not changed: ${r.reason ?? 'unsupported form'} (KB905)`);
      break;
    case 'not-applicable':
      what = c.dim(
        r.executor === 'docker-windows'
          ? "Windows containers cannot run BuildKit's Linux image; nothing to set"
          : `nothing to set for ${r.executor ? `a ${r.executor}` : 'a runner with no'} executor (BuildKit jobs need Docker or Kubernetes)`,
      );
      break;
  }
  return `${label}: ${what}`;
}

function summary(runners: readonly RunnerReport[], changed: boolean, dry: boolean): string {
  if (!runners.length) return 'no [[runners]] entry; nothing to change';
  const helped = runners.filter((r) => r.status !== 'not-applicable');
  if (!helped.length)
    return `no Docker or Kubernetes runner among ${plural(runners.length, 'runner')}; nothing to change`;
  if (!changed)
    return helped.every((r) => r.status === 'already-set')
      ? 'no change: already set up for rootless BuildKit'
      : 'no change';
  const n = runners.filter((r) => r.status === 'changed').length;
  const count = n === runners.length ? plural(n, 'runner') : `${n} of ${plural(runners.length, 'runner')}`;
  return dry ? `${count} would change (dry run, nothing written)` : `${count} changed`;
}

export function runnerConfigCommand(io: RunnerConfigIo): Command {
  return new Command('runner-config')
    .summary(
      'set up a GitLab Runner config.toml or Helm values.yaml for rootless BuildKit (Docker and Kubernetes runners)',
    )
    .description(
      'set up a GitLab Runner config.toml (or a Helm values.yaml, runners.config: |) for rootless BuildKit: ' +
        'security_opt = ["seccomp:unconfined", "apparmor:unconfined"] in [runners.docker] for every Docker runner, ' +
        '"container.apparmor.security.beta.kubernetes.io/build" = "unconfined" under [runners.kubernetes.pod_annotations] ' +
        'for every Kubernetes runner; the rest of the file stays byte for byte',
    )
    .argument('<file>', 'config.toml, or a gitlab-runner Helm values.yaml (*.yaml / *.yml)')
    .option('--dry-run', 'print a unified diff and write nothing')
    .addOption(colourOption())
    .addOption(noColourOption())
    .addHelpText(
      'after',
      `
Each runner gets one line saying what was done for it (or why not).
Exit codes: 0 changed, or nothing to change (also: no Docker or Kubernetes runner), 1 a runner needs a person
(KB901, KB905, KB907, KB908: the others are still changed), 2 invalid input (nothing written).
Examples:
  kaniko2buildkit runner-config --dry-run /etc/gitlab-runner/config.toml
  kaniko2buildkit runner-config values.yaml`,
    )
    .action(async (file: string, opts: { dryRun?: boolean; color?: boolean }) => {
      const code = await runRunnerConfig({ file, dryRun: opts.dryRun === true, color: opts.color }, io);
      (io.setExitCode ?? setExitCodeDefault)(code);
    });
}
