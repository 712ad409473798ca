/** `kaniko2buildkit explain CODE | --list`: the documentation of every finding code. */
import { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import { CODES, codeDoc } from '../findings/registry.js';
import type { CodeDoc } from '../findings/types.js';
import { colourOption, colours, EXIT, noColourOption, type CliIO } from './io.js';

export function explainText(doc: CodeDoc, c: ChalkInstance): string {
  return [
    `${c.bold(doc.code)} (${doc.severity}) ${doc.title}`,
    '',
    `What differs: ${doc.explanation}`,
    `What the tool does: ${doc.action}`,
    `What to do: ${doc.todo}`,
    '',
  ].join('\n');
}

export function explainCommand(io: CliIO, done: (code: number) => void): Command {
  return new Command('explain')
    .description('print what a finding code means, what the tool did, and what to do')
    .argument('[CODE]', 'a finding code such as KB204')
    .option('-l, --list', 'list every code')
    .addOption(colourOption())
    .addOption(noColourOption())
    .action((code: string | undefined, opts: { list?: boolean; color?: boolean }) => {
      const c = colours(io, opts.color);
      if (opts.list || !code) {
        for (const d of CODES) io.stdout(`${c.bold(d.code)}  ${d.severity.padEnd(7)}  ${d.title}\n`);
        return done(EXIT.ok);
      }
      const doc = codeDoc(code);
      if (!doc) {
        io.stderr(`kaniko2buildkit: unknown code ${code}; \`kaniko2buildkit explain --list\` lists them\n`);
        return done(EXIT.input);
      }
      io.stdout(explainText(doc, c));
      done(EXIT.ok);
    });
}
