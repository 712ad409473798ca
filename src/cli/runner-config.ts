/**
 * `kaniko2buildkit runner-config FILE [--dry-run]`: add the AppArmor pod annotation that rootless BuildKit needs to
 * every Kubernetes runner in a GitLab Runner config.toml, or in a gitlab-runner Helm values.yaml (`runners.config: |`).
 *
 * Wiring: `program.addCommand(runnerConfigCommand(io))`. The action hands its exit code to `io.setExitCode`
 * (default: sets `process.exitCode`); call `runRunnerConfig` directly to get the code as a value.
 *
 * Exit codes: 0 annotated, already annotated, or nothing to annotate; 1 some Kubernetes runner needs a person
 * (KB901 another value is set, KB905 a form that cannot be edited safely; the other runners are still annotated);
 * 2 invalid input (unreadable file, invalid TOML/YAML, Helm values without a literal `runners.config`): nothing written.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { AnnotateResult } from '../runner-config/index.js';
import { commandColours, setExitCodeDefault, type CommandIo } from './doctor.js';
import { colourOption, noColourOption } from './io.js';

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

  for (const f of result.findings) io.stderr(`${f.file}:${f.line}  ${f.code}  ${f.message}\n`);
  const annotated = result.runners.filter((r) => r.status === 'annotated');
  const needsAttention = result.findings.some((f) => f.code === 'KB901' || f.code === 'KB905');

  if (!result.changed) {
    if (result.runners.some((r) => r.status === 'already-annotated') && !needsAttention) {
      io.stdout(`${file}: already annotated, no change\n`);
    } else {
      io.stdout(`${file}: no change\n`);
    }
  } else if (args.dryRun) {
    // the same git-style diff as `migrate --dry-run` (src/report/diff.ts), coloured as it is
    io.stdout(`${unifiedDiff(file, text, result.output, commandColours(io, args.color))}\n`);
    io.stdout(
      `${file}: would annotate ${annotated.length} Kubernetes runner${annotated.length === 1 ? '' : 's'} (dry run, nothing written)\n`,
    );
  } else {
    try {
      await writeFileAtomic(path, result.output, { mode });
    } catch (e) {
      io.stderr(`kaniko2buildkit runner-config: cannot write ${file}: ${(e as Error).message}\n`);
      return RUNNER_CONFIG_EXIT.invalidInput;
    }
    const where = annotated.map((r) => `#${r.index + 1}${r.name ? ` ${JSON.stringify(r.name)}` : ''}`).join(', ');
    io.stdout(
      `${file}: annotated ${annotated.length} Kubernetes runner${annotated.length === 1 ? '' : 's'} (${where})\n`,
    );
  }
  return needsAttention ? RUNNER_CONFIG_EXIT.needsAttention : RUNNER_CONFIG_EXIT.ok;
}

export function runnerConfigCommand(io: RunnerConfigIo): Command {
  return new Command('runner-config')
    .description(
      'add "container.apparmor.security.beta.kubernetes.io/build" = "unconfined" under [runners.kubernetes.pod_annotations] ' +
        'for every Kubernetes runner in a GitLab Runner config.toml or a Helm values.yaml (runners.config: |)',
    )
    .argument('<file>', 'config.toml, or a gitlab-runner Helm values.yaml (*.yaml / *.yml)')
    .option('--dry-run', 'print a unified diff and write nothing')
    .addOption(colourOption())
    .addOption(noColourOption())
    .addHelpText(
      'after',
      '\nExit codes: 0 annotated or nothing to do, 1 a runner needs a manual edit (KB901/KB905), 2 invalid input (nothing written).',
    )
    .action(async (file: string, opts: { dryRun?: boolean; color?: boolean }) => {
      const code = await runRunnerConfig({ file, dryRun: opts.dryRun === true, color: opts.color }, io);
      (io.setExitCode ?? setExitCodeDefault)(code);
    });
}
