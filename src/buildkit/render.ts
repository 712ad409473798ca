/**
 * Rendering a BuildPlan as shell words, grouped the way a person reads them (one flag and its value per group);
 * CSV records (`type=registry,ref=…`) as src/plan/build-plan.ts `csvRecord` writes them.
 */
import { concat, lit, renderWord, staticText, type ShellText } from '../shell/quote.js';
import { csvRecord, STDIN_DOCKERFILE_DIR, valueFlags, type BuildPlan } from '../plan/build-plan.js';
import { BUILDKITD_TOML, tomlWriteLines } from './toml.js';

export const BUILDCTL_COMMAND = 'buildctl-daemonless.sh';

export interface RenderedCall {
  /**
   * Words before the command: `NAME=value` (the daemon config for this call only), after the opening of a group that
   * saves a Dockerfile from standard input (`{ mkdir -p D && cat > D/Dockerfile &&`), which `suffix` closes (`; }`).
   */
  prefix: string[];
  suffix: string;
  /** Word groups: `[['buildctl-daemonless.sh', 'build'], ['--frontend', 'dockerfile.v0'], …]`. */
  groups: string[][];
  /** Shell lines to run before the call (unconditionally) and right after it. */
  before: string[];
  after: string[];
}

export function renderCall(plan: BuildPlan): RenderedCall {
  const toml = tomlWriteLines(plan);
  const stdin = plan.stdinDockerfile
    ? [`{ mkdir -p ${STDIN_DOCKERFILE_DIR} && cat > ${STDIN_DOCKERFILE_DIR}/Dockerfile &&`]
    : [];
  return {
    prefix: [...stdin, ...(toml.length ? [`BUILDKITD_FLAGS="$BUILDKITD_FLAGS --config ${BUILDKITD_TOML}"`] : [])],
    suffix: plan.stdinDockerfile ? '; }' : '',
    groups: renderPlan(plan),
    before: [...toml, ...plan.before],
    after: plan.after,
  };
}

/** Word groups of the call itself. */
export function renderPlan(plan: BuildPlan): string[][] {
  const groups: string[][] = [];
  const flag = (name: string, value: ShellText) => groups.push([name, renderWord(value)]);
  groups.push([BUILDCTL_COMMAND, ...plan.globalFlags, 'build']);
  groups.push(['--frontend', 'dockerfile.v0']);
  if (plan.contextIsRemote) flag('--opt', concat(lit('context='), plan.context));
  else flag('--local', concat(lit('context='), plan.context));
  flag('--local', concat(lit('dockerfile='), plan.dockerfileDir));
  if (plan.filename && staticText(plan.filename) !== 'Dockerfile')
    flag('--opt', concat(lit('filename='), plan.filename));
  for (const [name, value] of valueFlags(plan)) flag(name, value);
  for (const rec of plan.importCache) flag('--import-cache', csvRecord(rec));
  for (const rec of plan.exportCache) flag('--export-cache', csvRecord(rec));
  for (const rec of plan.outputs) flag('--output', csvRecord(rec));
  if (plan.metadataFile) flag('--metadata-file', plan.metadataFile);
  for (const raw of plan.passthrough) groups.push([raw]);
  return groups;
}
