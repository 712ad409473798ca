/** The `kaniko2buildkit` program: one commander program, one file per command, one set of exit codes. */
import { Command, CommanderError } from 'commander';
import { toolVersion } from '../project/version.js';
import { EXIT, processIO, type CliIO } from './io.js';
import type { RecursiveRunner } from './migrate.js';

/** What a command's module gets to build its commander command with. */
interface Wiring {
  io: CliIO;
  done: (code: number) => void;
  commandIo: CliIO & { setExitCode: (code: number) => void };
}

/**
 * The commands, in the order the program's help lists them. Only the module of a command named on the command line
 * is loaded (`--help` of the program reads this table alone); `term` and `listed` are what the help shows of a
 * command until its module is there (its usage term and its summary, else its description), kept equal to the
 * modules' by test/cli/lazy-commands.test.ts.
 */
export const COMMANDS: readonly {
  name: string;
  term: string;
  listed: string;
  load: (w: Wiring) => Promise<Command>;
}[] = [
  {
    name: 'migrate',
    term: 'migrate [options] [PATH...]',
    listed:
      'migrate the Kaniko jobs of repositories (folders with .gitlab-ci.yml or pipeline generator sources in TypeScript/JavaScript) ' +
      'or single pipeline files to rootless BuildKit',
    load: async ({ io, done }) => {
      // `migrate --recursive` is loaded when asked for (and so is not imported by cli/migrate.ts, which it imports)
      const recursive: RecursiveRunner = async (dir, flags, cio) =>
        (await import('./recursive.js')).runRecursive(dir, flags, cio);
      return (await import('./migrate.js')).migrateCommand(io, done, recursive);
    },
  },
  {
    name: 'explain',
    term: 'explain [options] [CODE]',
    listed: 'print what a finding code means, what the tool did, and what to do',
    load: async ({ io, done }) => (await import('./explain.js')).explainCommand(io, done),
  },
  {
    name: 'doctor',
    term: 'doctor [options] [log]',
    listed: 'explain a failed rootless BuildKit job log: known failures and their fix',
    load: async ({ commandIo }) => (await import('./doctor.js')).doctorCommand(commandIo),
  },
  {
    name: 'runner-config',
    term: 'runner-config [options] <file>',
    listed:
      'set up a GitLab Runner config.toml or Helm values.yaml for rootless BuildKit (Docker and Kubernetes runners)',
    load: async ({ commandIo }) => (await import('./runner-config.js')).runnerConfigCommand(commandIo),
  },
  {
    name: 'gitlab',
    term: 'gitlab [options]',
    listed:
      'migrate the projects of a GitLab group through the API: audit (default), or commit and open one merge request per project',
    load: async ({ io, done }) => (await import('./gitlab.js')).gitlabCommand(io, done),
  },
  {
    name: 'report',
    term: 'report',
    listed: 'work with saved reports: `report merge` joins the shard reports of a `gitlab --shard` run',
    load: async ({ io, done }) => (await import('./report.js')).reportCommand(io, done),
  },
  {
    name: 'compare',
    term: 'compare [options] <image-a> <image-b>',
    listed: 'compare two images in their registries: config and flattened filesystem, known differences explained',
    load: async ({ io, done }) => (await import('./compare.js')).compareCommand(io, done),
  },
];

/**
 * The program with its commands: the full command (its module loaded) for each one named in `args`, a stand-in with
 * its name and help line for the others, so that the program's help, `help CMD` and commander's "did you mean" see
 * every command. Any word of the command line that names a command loads it (`migrate --dry-run report` loads
 * `report` too, needlessly but harmlessly): no guessing of which word commander takes for the command.
 */
export async function program(args: readonly string[], io: CliIO, done: (code: number) => void): Promise<Command> {
  const prog = new Command('kaniko2buildkit')
    .description('Migrate GitLab CI Kaniko image builds to rootless BuildKit (buildctl-daemonless.sh), surgically.')
    .version(toolVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  const terms = new Map<string, string>();
  const wiring: Wiring = { io, done, commandIo: { ...io, setExitCode: done } };
  const named = new Set(args);
  for (const c of COMMANDS) {
    // one import after the other: under Jest's VM modules parallel dynamic imports can fail (see cli/migrate.ts)
    if (named.has(c.name)) prog.addCommand(await c.load(wiring));
    else {
      prog.addCommand(new Command(c.name).description(c.listed));
      terms.set(c.name, c.term);
    }
  }
  const help = prog.createHelp();
  prog.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? help.subcommandTerm(cmd) });
  for (const cmd of prog.commands) cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return prog;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let code: number = EXIT.ok;
  const done = (c: number) => {
    code = c;
  };
  try {
    const prog = await program(argv.slice(2), io, done);
    await prog.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return EXIT.ok;
      return EXIT.input;
    }
    io.stderr(`kaniko2buildkit: ${(e as Error).stack ?? String(e)}\n`);
    return 3;
  }
  return code;
}
