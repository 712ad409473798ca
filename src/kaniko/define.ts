/**
 * The combinators the flag table is built from: a flag's spelling (`str`, `bool`, `list`), what it becomes (an `--opt`
 * key, a repeated `--opt` prefix, a `--secret`, an output or cache attribute, a daemon setting per registry, a step of
 * its own, a group of flags planned together, dropped, left for a person), its examples (`ex`), and `table`, which
 * puts each section's entries in their phase.
 */
import { field, type CsvField } from '../plan/build-plan.js';
import { severityOf, type Code } from '../findings/registry.js';
import { concat, displayText, lit, type ShellText } from '../shell/quote.js';
import {
  PHASES,
  SLOT_ROLE,
  type AttrTargets,
  type CallState,
  type Example,
  type FlagAction,
  type FlagKind,
  type FlagUse,
  type KanikoFlag,
  type Phase,
  type Slot,
  type Step,
  type VariableRole,
} from './types.js';

/** A flag's name, spellings and value kind, before it is given a meaning. */
export interface FlagSpec {
  name: string;
  spellings: string[];
  kind: FlagKind;
}

/** An entry before `table` gives it its phase. */
export type Entry = Omit<KanikoFlag, 'phase'>;

export const str = (name: string, spellings: string[]): FlagSpec => ({ name, spellings, kind: 'string' });
export const bool = (name: string, spellings: string[]): FlagSpec => ({ name, spellings, kind: 'bool' });
export const list = (name: string, spellings: string[]): FlagSpec => ({ name, spellings, kind: 'list' });

/** An example: the executor arguments and the buildctl words the flag adds (see Example). */
export function ex(
  kaniko: string,
  buildctl: string,
  more: Omit<Example, 'kaniko' | 'buildctl' | 'manual'> = {},
): Example {
  return { kaniko, buildctl, ...more };
}

/** An example of a call left for a person, with the codes of the findings that say why. */
export function exManual(kaniko: string, ...findings: string[]): Example {
  return { kaniko, manual: true, findings };
}

/** The one role every slot has, or none (a flag writing a slot without a role, or two roles, stays in the call). */
function roleOf(slots: readonly Slot[]): VariableRole | undefined {
  const roles = new Set(slots.map((s) => SLOT_ROLE[s]));
  const [role] = roles;
  return roles.size === 1 ? role : undefined;
}

function entry(spec: FlagSpec, mapping: FlagAction, examples: Example[]): Entry {
  const inVariable = mapping.action === 'map' ? roleOf(mapping.slots) : undefined;
  return { ...spec, mapping, ...(inVariable && { inVariable }), examples };
}

/** A flag planned by a step of its own, writing `slots`. */
export function mapped(
  spec: FlagSpec,
  slots: Slot[],
  plan: (ctx: CallState, uses: readonly FlagUse[]) => void,
  examples: Example[],
): Entry {
  return entry(spec, { action: 'map', slots, step: { flags: [spec.name], plan } }, examples);
}

/** Flags planned together by one step (it runs once, with the uses of all of them), each writing its own slots. */
export function group(
  plan: (ctx: CallState, uses: readonly FlagUse[]) => void,
  members: [spec: FlagSpec, slots: Slot[], examples: Example[]][],
): Entry[] {
  const step: Step = { flags: members.map(([spec]) => spec.name), plan };
  return members.map(([spec, slots, examples]) => entry(spec, { action: 'map', slots, step }, examples));
}

/** The value of the last use (a `str` flag): Kaniko keeps the last one. */
const lastOf = (uses: readonly FlagUse[]): FlagUse | undefined => uses[uses.length - 1];

/** The value of a use ('' for a bool given without one). */
export function valueOf(use: FlagUse): ShellText {
  return use.value ?? lit('');
}

/** A value as a finding message shows it: as written, and `""` when it is empty (so no message has a gap). */
export function shownText(text: ShellText): string {
  return displayText(text) || '""';
}

/** A flag's value as a finding message shows it (see shownText). */
export function shownValue(use: FlagUse): string {
  return shownText(valueOf(use));
}

/** `--flag V` → `--opt KEY=V` (the last use); `then` may add a finding about it. */
export function optKey(
  spec: FlagSpec,
  key: string,
  examples: Example[],
  then?: (ctx: CallState, use: FlagUse) => void,
): Entry {
  return mapped(
    spec,
    ['opt'],
    (ctx, uses) => {
      const use = lastOf(uses);
      if (!use) return;
      ctx.plan.opts.push(concat(lit(`${key}=`), valueOf(use)));
      then?.(ctx, use);
    },
    examples,
  );
}

/** Each `--flag V` → `--opt PREFIXV`. */
export function optPrefix(spec: FlagSpec, prefix: string, examples: Example[]): Entry {
  return mapped(
    spec,
    ['opt'],
    (ctx, uses) => {
      // one push each, not push(...uses): a file can repeat a flag more times than a call may have arguments
      for (const u of uses) ctx.plan.opts.push(concat(lit(prefix), valueOf(u)));
    },
    examples,
  );
}

/** Each `--flag V` → `--secret V`, verbatim. */
export function secretValue(spec: FlagSpec, examples: Example[]): Entry {
  return mapped(
    spec,
    ['secret'],
    (ctx, uses) => {
      for (const u of uses) ctx.plan.secrets.push(valueOf(u));
    },
    examples,
  );
}

/** What `each` callbacks return to stop at a use (after a `manual` finding), as Kaniko stops at a bad value. */
export const STOP = 'stop';
type EachResult = typeof STOP | void;

/**
 * A field added to the outputs and caches made in earlier phases (`to`): for a bool, once when it is true; for a
 * string, from the last use; for a list, from each use. `toField` returns the field, or nothing (then it may report).
 */
export function attribute(
  spec: FlagSpec,
  to: AttrTargets,
  toField: (ctx: CallState, use: FlagUse) => CsvField | undefined | typeof STOP,
  examples: Example[],
  then?: (ctx: CallState) => void,
): Entry {
  return mapped(
    spec,
    ['attribute'],
    (ctx, uses) => {
      if (spec.kind === 'bool' && ctx.bool(spec.name) !== true) return;
      const chosen = spec.kind === 'list' ? uses : uses.slice(-1);
      for (const use of chosen) {
        const f = toField(ctx, use);
        if (f === STOP) return;
        if (f) ctx.addAttr(f, to);
      }
      if (chosen.length) then?.(ctx);
    },
    examples,
  );
}

/** A fixed field for a bool attribute (`--insecure` → `registry.insecure=true`). */
export const fixed = (key: string, value: string) => (): CsvField => field(key, lit(value));

/** Each use of a list flag, in order, writing `slots` (daemon settings per registry host); STOP ends the loop. */
export function each(
  spec: FlagSpec,
  slots: Slot[],
  apply: (ctx: CallState, value: ShellText, use: FlagUse) => EachResult,
  examples: Example[],
): Entry {
  return mapped(
    spec,
    slots,
    (ctx, uses) => {
      for (const use of uses) if (apply(ctx, valueOf(use), use) === STOP) return;
    },
    examples,
  );
}

/**
 * Removed, with the reason: `drop` when the code is an info (BuildKit already behaves so), `note` when it is a warning
 * (behaviour changes); the severity is the code's own.
 */
export function drop(spec: FlagSpec, code: Code, reason: string, examples: Example[]): Entry {
  const severity = severityOf(code);
  if (severity !== 'info' && severity !== 'warning') throw new Error(`${spec.name}: ${code} is not an info or warning`);
  return entry(spec, { action: severity === 'info' ? 'drop' : 'note', code, reason }, examples);
}

/** Left for a person: the job stays as it is, the `manual` finding `code` says what to do. */
export function manual(spec: FlagSpec, code: Code, reason: string, examples: Example[]): Entry {
  if (severityOf(code) !== 'manual') throw new Error(`${spec.name}: ${code} is not a manual finding`);
  return entry(spec, { action: 'manual', code, reason }, examples);
}

/** The message of a dropped or manual flag's finding. */
export function droppedMessage(use: FlagUse, m: Extract<FlagAction, { code: Code }>): string {
  const shown = use.value ? `${use.spelling} ${shownText(use.value)}` : use.spelling;
  return m.action === 'manual' ? `${shown}: ${m.reason}` : `${shown} dropped: ${m.reason}`;
}

/** The table: one section of entries per phase, flattened in phase order. */
export function table(sections: Record<Phase, (Entry | Entry[])[]>): readonly KanikoFlag[] {
  return PHASES.flatMap((phase) => sections[phase].flat().map((e): KanikoFlag => ({ ...e, phase })));
}
