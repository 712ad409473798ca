/** Helpers for the distribution tests: running npm as a user would, outside `npm test`. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

/**
 * The environment without what `npm test` exports about its own run: the lifecycle and package variables, and the
 * config that names this repository (local_prefix) or the log level. The user's own npm config (npm_config_cache,
 * registry, cafile …) stays: the child npm reads its npmrc files anyway, and a cache given as a variable (GitLab's
 * npm_config_cache) is where npm ci put the tarballs.
 */
export function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const own =
    /^npm_(lifecycle_|package_|command$|execpath$|node_execpath$|config_(local_prefix|prefix|global_prefix|loglevel|user_agent|npm_version)$)/i;
  for (const [k, v] of Object.entries(process.env)) if (!own.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', ...extra };
}

/** A command's result; throws when it cannot be started or times out (`timeoutMs`, default 2 minutes). */
export function run(
  cmd: string,
  args: string[],
  cwd: string,
  env = npmEnv(),
  timeoutMs = 120000,
): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  return r;
}

/** The output of a command that must succeed. */
export function must(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** One stage of a Dockerfile: its FROM line and instructions (continuation lines joined, comments dropped). */
export interface DockerStage {
  from: string;
  name?: string;
  instructions: { op: string; args: string }[];
}

export function dockerStages(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const line of lines) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ from: image!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else stages.at(-1)?.instructions.push({ op, args });
  }
  return stages;
}

/** The sources a stage COPYs from the build context (not --from another stage). */
export function contextCopies(stage: DockerStage): string[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) =>
      i.args
        .split(/\s+/)
        .filter((w) => !w.startsWith('--'))
        .slice(0, -1),
    );
}
