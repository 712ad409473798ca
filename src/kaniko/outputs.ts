/**
 * The image output (`--destination` with `--no-push`, planned together) and the other outputs (`--tar-path`,
 * `--oci-layout-path`). Kaniko refuses to run without a destination unless `--no-push` is given
 * (Kaniko `cmd/executor/cmd/root.go`, the executor command's `PersistentPreRunE`).
 */
import { field, type CsvField } from '../plan/build-plan.js';
import { displayText, lit, type ShellText } from '../shell/quote.js';
import { valueOf } from './define.js';
import type { CallState, FlagUse } from './types.js';

/** The `name=` field; a name-list variable holds commas at run time, so the field is always quoted then. */
function nameField(ctx: CallState, names: ShellText[]): CsvField {
  // not field('name', ...names): 300,000 `--destination` flags are more arguments than a call may have
  return { key: 'name', values: names, ...(ctx.vars.names.length && { list: true as const }) };
}

export function planDestinations(ctx: CallState, uses: readonly FlagUse[]): void {
  ctx.push = ctx.bool('no-push') !== true;
  // in transition mode every destination is the same repository at the verification tag (two tags of one repository
  // become one name)
  const written = uses.filter((u) => u.flag.name === 'destination').map(valueOf);
  const pushed = written.map((d) => ctx.pushedName(d));
  ctx.destinations = pushed.filter(
    (d, i) => d === written[i] || pushed.findIndex((e) => displayText(e) === displayText(d)) === i,
  );
  const names = ctx.imageNames();
  if (!names) {
    ctx.report(
      'KB204',
      `the image names come from ${ctx.vars.names.map((v) => v.label).join(' and ')}, which cannot be joined into one list exactly; write one --destination in the call, then run again`,
    );
    return;
  }
  if (ctx.push && names.length) {
    ctx.plan.outputs.push([field('type', lit('image')), nameField(ctx, names), field('push', ctx.pushValue())]);
  } else if (ctx.push && !ctx.call.problems.length) {
    ctx.report(
      'KB312',
      'neither --destination nor --no-push: Kaniko refused to run this; the migrated call only builds',
    );
  }
}

/** `--tar-path F` → `--output type=docker,dest=F,name=…` (the tarball's RepoTags are the destinations). */
export function planTarPath(ctx: CallState, uses: readonly FlagUse[]): void {
  const use = uses[uses.length - 1];
  if (!use) return;
  const fields = [field('type', lit('docker')), field('dest', valueOf(use))];
  const names = ctx.imageNames() ?? ctx.destinations;
  if (names.length) fields.push(nameField(ctx, names));
  ctx.plan.outputs.push(fields);
}

/** `--oci-layout-path D` → `--output type=oci,dest=D,tar=false`. */
export function planOciLayout(ctx: CallState, uses: readonly FlagUse[]): void {
  const use = uses[uses.length - 1];
  if (use) ctx.plan.outputs.push([field('type', lit('oci')), field('dest', valueOf(use)), field('tar', lit('false'))]);
}
