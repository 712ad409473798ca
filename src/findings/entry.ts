/**
 * What one entry of the finding-code registry holds (everything `explain` prints, the messages its emitters share),
 * and the table type each `codes/kbN-*.ts` file fills: keyed by code, limited to that file's range of codes.
 */

/** How much a finding needs a person: `manual` and `error` leave the job (or the file) unchanged. */
export type Severity = 'info' | 'warning' | 'manual' | 'error';

/** Builds the message of one finding from what the emitter knows (ESLint's `meta.messages`, with the data as arguments). */
export type MessageBuilder = (...args: never[]) => string;

/** One entry of the registry, written beside its code in `codes/`. */
export interface CodeEntry {
  severity: Severity;
  title: string;
  /** What differs between Kaniko and BuildKit here, and why. */
  explanation: string;
  /** What the tool does when it meets this. */
  action: string;
  /** What a person should check or do. */
  todo: string;
  /** Messages more than one emitter writes (the YAML and the TypeScript job recipes), by name. */
  messages?: Readonly<Record<string, MessageBuilder>>;
}

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/** The codes of one range (`CodeTable<'2'>` holds KB200–KB299 only: a code in the wrong file does not compile). */
export type CodeTable<Range extends Digit> = { readonly [K in `KB${Range}${Digit}${Digit}`]?: CodeEntry };
