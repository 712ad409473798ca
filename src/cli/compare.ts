/**
 * `kaniko2buildkit compare IMAGE_A IMAGE_B`: is the image BuildKit built the image Kaniko built? Reads both from their
 * registries (src/compare) and prints what differs.
 *
 * Exit codes: 0 the same (expected differences aside, unless --strict), 1 they differ, 2 an error (a bad reference
 * or option, a registry that refuses or cannot be reached, a layer that cannot be read), said on stderr.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseConcurrency } from '../bulk/pool.js';
import { colourOption, colours, EXIT, noColourOption, type CliIO } from './io.js';

export interface CompareFlags {
  format: 'text' | 'json' | 'markdown';
  platform?: string;
  insecure?: boolean;
  strict?: boolean;
  concurrency: number;
  color?: boolean;
}

export async function runCompare(imageA: string, imageB: string, flags: CompareFlags, io: CliIO): Promise<number> {
  // loaded here, not at start-up: the other commands do not pay for the registry client and tar-stream
  const { compareImages, CompareError, LayerError, RegistryError } = await import('../compare/index.js');
  const { compareJson, compareMarkdown, compareText } = await import('../compare/format.js');
  const warn = (m: string) => io.stderr(`kaniko2buildkit compare: warning: ${m}\n`);
  let result;
  try {
    result = await compareImages(imageA, imageB, {
      platform: flags.platform,
      insecure: flags.insecure,
      strict: flags.strict,
      concurrency: flags.concurrency,
      env: io.env,
      // ~/.docker/config.json of the HOME the command was given (a test's, a CI job's)
      ...(io.env.HOME ? { home: io.env.HOME } : {}),
      warn,
    });
  } catch (e) {
    if (e instanceof CompareError || e instanceof RegistryError || e instanceof LayerError) {
      io.stderr(`kaniko2buildkit compare: ${e.message}\n`);
      return EXIT.input;
    }
    throw e;
  }
  io.stdout(
    flags.format === 'json'
      ? compareJson(result)
      : flags.format === 'markdown'
        ? compareMarkdown(result)
        : compareText(result, colours(io, flags.color)),
  );
  return result.same ? EXIT.ok : EXIT.pending;
}

/** `--concurrency`, read as every command reads it (src/bulk/pool.ts), as commander reports a bad value. */
function concurrency(value: string): number {
  try {
    return parseConcurrency(value, 4);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function compareCommand(io: CliIO, done: (code: number) => void): Command {
  return new Command('compare')
    .summary('compare two images in their registries: config and flattened filesystem, known differences explained')
    .description(
      'compare two images as a user of them would: the config (Env, Entrypoint, Cmd, User, WorkingDir, ports, volumes, ' +
        'labels …) and the filesystem after all layers (type, mode, owner, size, content, link target, xattrs); ' +
        'differences with the shape of a known Kaniko/BuildKit behaviour are explained (KB7xx)',
    )
    .argument('<image-a>', 'the first image, e.g. the one Kaniko built (registry/repository:tag or @sha256:…)')
    .argument('<image-b>', 'the second image, e.g. the one BuildKit built')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--platform <os/arch[/variant]>', 'compare only this platform of a multi-platform image')
    .option('--strict', 'expected differences (timestamps, history, layers, annotations) count as differences')
    .option(
      '--insecure',
      'allow plain HTTP to any registry (without it, only localhost and 127.0.0.1 may be plain HTTP)',
    )
    .addOption(new Option('--concurrency <n>', 'layer blobs streamed at once').argParser(concurrency).default(4))
    .addOption(colourOption())
    .addOption(noColourOption())
    .addHelpText(
      'after',
      `
Credentials, first that names the registry: DOCKER_AUTH_CONFIG, $DOCKER_CONFIG/config.json, ~/.docker/config.json,
then CI_REGISTRY with CI_REGISTRY_USER/CI_REGISTRY_PASSWORD (or gitlab-ci-token and CI_JOB_TOKEN). Basic and bearer
token auth; credential helpers are not run.
Exit codes: 0 the same (expected differences aside, unless --strict), 1 they differ, 2 an error (on stderr).
Examples:
  kaniko2buildkit compare registry.example.com/app:kaniko registry.example.com/app:buildkit
  kaniko2buildkit compare --platform linux/arm64 --format markdown $CI_REGISTRY_IMAGE:1.0 $CI_REGISTRY_IMAGE:kaniko2buildkit-$CI_COMMIT_SHORT_SHA
  kaniko2buildkit explain KB701                 what a known difference means`,
    )
    .action(async (imageA: string, imageB: string, opts: CompareFlags) => {
      done(await runCompare(imageA, imageB, opts, io));
    });
}
