/**
 * `kaniko2buildkit report merge REPORT.json…`: the `gitlab --shard I/N --format json` reports of one run joined into
 * the report of the whole run, in any format, made by the same functions as `gitlab` itself prints its report.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { colourOption, colours, EXIT, noColourOption, type CliIO } from './io.js';

export interface MergeFlags {
  format: 'text' | 'json' | 'markdown';
  output?: string;
  color?: boolean;
}

export async function runMerge(files: string[], flags: MergeFlags, io: CliIO): Promise<number> {
  const { default: writeFileAtomic } = await import('write-file-atomic');
  const { gitlabJson, gitlabMarkdown, gitlabText } = await import('../gitlab/report.js');
  const { MergeError, mergeReports } = await import('../gitlab/merge.js');
  const fail = (message: string) => {
    io.stderr(`kaniko2buildkit report merge: ${message}\n`);
    return EXIT.input;
  };
  const inputs = [];
  for (const file of files) {
    try {
      inputs.push({ file, text: await readFile(resolve(io.cwd, file), 'utf8') });
    } catch (e) {
      return fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let merged;
  try {
    merged = mergeReports(inputs);
  } catch (e) {
    if (e instanceof MergeError) return fail(e.message);
    throw e;
  }
  if (merged.missingShards.length)
    io.stderr(
      `kaniko2buildkit report merge: warning: shard${merged.missingShards.length > 1 ? 's' : ''} ${merged.missingShards.join(', ')} of ${merged.total} missing: their projects are not in the merged report\n`,
    );
  const { info, records } = merged;
  const text =
    flags.format === 'json'
      ? gitlabJson(info, records, null)
      : flags.format === 'markdown'
        ? gitlabMarkdown(info, records)
        : gitlabText(info, records, colours(io, flags.output ? false : flags.color));
  if (!flags.output) {
    io.stdout(text);
    return EXIT.ok;
  }
  try {
    await writeFileAtomic(resolve(io.cwd, flags.output), text, { encoding: 'utf8' });
  } catch (e) {
    return fail(`cannot write ${flags.output}: ${(e as Error).message}`);
  }
  return EXIT.ok;
}

export function reportCommand(io: CliIO, done: (code: number) => void): Command {
  const merge = new Command('merge')
    .description(
      'join the `gitlab --shard I/N --format json` reports of one run into the report of the whole run, ' +
        'as one run over the whole group would print it',
    )
    .argument('<reports...>', 'the shard reports (JSON files of `gitlab --format json`)')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'markdown']).default('text'))
    .option('-o, --output <file>', 'write the report to FILE instead of stdout')
    .addOption(colourOption())
    .addOption(noColourOption())
    .addHelpText(
      'after',
      `
Refused (exit 2, naming the files): a file that is no such report, reports of different runs (url, group, mode,
branch, or shard count), the same shard twice, a project in two reports. A missing shard is a warning on stderr.
Exit status: 0 merged (failed projects are in the report: their shard's run exited 2), 2 refused.
Examples:
  kaniko2buildkit report merge report-*.json --format markdown -o group-report.md
  kaniko2buildkit report merge report-1.json report-2.json report-3.json --format json -o group-report.json`,
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(async (files: string[], opts: MergeFlags) => {
      done(await runMerge(files, opts, io));
    });
  return new Command('report')
    .description('work with saved reports: `report merge` joins the shard reports of a `gitlab --shard` run')
    .addCommand(merge);
}
