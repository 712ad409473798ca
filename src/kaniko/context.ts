/**
 * Running the flag table over one Kaniko call, phase by phase (see Phase in types.ts): `planCall` for a call, and
 * `planFragment` for flags a variable holds. Neither throws for a call it cannot map: they return `manual` findings
 * (or the reason) instead.
 */
import { severityOf } from '../findings/registry.js';
import { csvRecord, VALUE_FLAGS, writtenParts } from '../plan/build-plan.js';
import { callCacheRepo } from './cache.js';
import { lit, type ShellText } from '../shell/quote.js';
import { describeChar } from './call.js';
import { droppedMessage } from './define.js';
import { callFinding } from './finding.js';
import { FLAGS } from './flags.js';
import { ManualStop, PlanState } from './state.js';
import {
  ARG_SLOT_PART,
  PHASES,
  type CallFinding,
  type CallProblem,
  type CallVariables,
  type FlagUse,
  type FragmentHost,
  type KanikoCall,
  type KanikoFlag,
  type PlanEnv,
  type Step,
} from './types.js';
import type { BuildPlan } from '../plan/build-plan.js';

export type { CallFinding, CallVariables, FragmentHost, NameSource, PlanEnv } from './types.js';
export { variableNames } from './state.js';

export interface CallPlan {
  plan: BuildPlan;
  findings: CallFinding[];
  /** True when the call must stay as it is (a `manual` finding says why). */
  manual: boolean;
  /** What a consumer's variable fed into this call needs of it (a template's call; see FragmentHost). */
  host: FragmentHost;
}

/** What runs in each phase, in table order: a mapping step once (a group's first flag stands for it), or a dropped flag. */
type Unit = { step: Step } | { dropped: KanikoFlag };

const UNITS: readonly Unit[] = PHASES.flatMap((phase) => {
  const units: Unit[] = [];
  const seen = new Set<Step>();
  for (const flag of FLAGS) {
    if (flag.phase !== phase) continue;
    const m = flag.mapping;
    if (m.action !== 'map') units.push({ dropped: flag });
    else if (!seen.has(m.step)) {
      seen.add(m.step);
      units.push({ step: m.step });
    }
  }
  return units;
});

/** Runs every unit; `usedOnly` skips those none of whose flags the call holds (a fragment plans only what it has). */
function run(state: PlanState, usedOnly: boolean): void {
  try {
    for (const unit of UNITS) {
      if ('dropped' in unit) {
        const m = unit.dropped.mapping;
        if (m.action === 'map') continue;
        for (const use of state.all(unit.dropped.name)) state.report(m.code, droppedMessage(use, m), use);
        continue;
      }
      const uses = state.call.uses.filter((u) => unit.step.flags.includes(u.flag.name));
      if (usedOnly && !uses.length) continue;
      unit.step.plan(state, uses);
    }
  } catch (e) {
    if (!(e instanceof ManualStop)) throw e;
  }
}

function problemFinding(p: CallProblem): CallFinding {
  switch (p.kind) {
    case 'unknown-flag':
      return callFinding(
        'KB301',
        `${p.text} is not a Kaniko executor flag this tool knows; map it by hand or remove it`,
        p.word.start,
      );
    case 'dynamic-argument':
      return callFinding(
        'KB204',
        `${p.text} expands to executor arguments only when the job runs${p.detail ? ` (${p.detail})` : ''}; rewrite those arguments as buildctl flags by hand (see \`kaniko2buildkit explain KB204\`)`,
        p.word.start,
      );
    case 'positional':
      return callFinding(
        'KB301',
        `unexpected argument ${p.text}: the executor takes no positional arguments`,
        p.word.start,
      );
    case 'missing-value':
      return callFinding('KB301', `${p.text} has no value`, p.word.start);
  }
}

/**
 * Plans flags that stand apart from the call (words of a variable like `$KANIKO_ARGS`): only flags whose slots all
 * have the `args` role (`inVariable`), or that are dropped. Returns their buildctl arguments, or why it cannot; a
 * flag that wrote any other part of the plan would be lost there, so that is a reason too, never a silent drop.
 *
 * With a `host` (the template call of another project a consumer's variable feeds, see FragmentHost), the cache flags
 * work too: `--cache=true` becomes the registry cache that call's own `--cache` would use (`--import-cache` and
 * `--export-cache` arguments); when that call already has a cache, a bare `--cache` adds nothing and is dropped.
 */
export function planFragment(
  call: KanikoCall,
  env: PlanEnv,
  host?: FragmentHost,
): { args: ShellText[][]; findings: CallFinding[] } | { reason: string } {
  if (call.problems.length)
    return { reason: `${call.problems[0]!.text} is not a Kaniko flag this tool can read there` };
  const cacheFlag = (u: FlagUse) => u.flag.mapping.action === 'map' && u.flag.mapping.slots.includes('cache');
  const hosted = (u: FlagUse) => !!host && cacheFlag(u);
  const odd = call.uses.find(
    (u) =>
      !hosted(u) &&
      (u.flag.mapping.action === 'map' ? u.flag.inVariable !== 'args' : u.flag.mapping.action === 'manual'),
  );
  if (odd) return { reason: `${odd.spelling} only works inside the executor call` };
  if (host?.cached && call.uses.some(hosted)) {
    const other = call.uses.find((u) => hosted(u) && u.flag.name !== 'cache');
    if (other)
      return { reason: `the template's call has a registry cache of its own: ${other.spelling} belongs there` };
    call = { ...call, uses: call.uses.filter((u) => !hosted(u)) };
  }
  const state = new PlanState(call, env, undefined, host);
  if (host) state.push = host.push;
  run(state, true);
  if (state.isManual)
    return { reason: state.findings.find((f) => severityOf(f.code) === 'manual')?.message ?? 'needs a person' };
  const passed = new Set<string>(
    call.uses
      .flatMap((u) => (u.flag.mapping.action === 'map' ? u.flag.mapping.slots : []))
      .map((s) => ARG_SLOT_PART[s]!),
  );
  if (call.uses.some(hosted)) passed.add('importCache').add('exportCache');
  const lost = writtenParts(state.plan).filter((part) => !passed.has(part));
  if (lost.length)
    return { reason: `${call.uses.map((u) => u.spelling).join(', ')} only works inside the executor call` };
  const args = [
    ...VALUE_FLAGS.flatMap(({ part, flag }) => state.plan[part].map((v) => [lit(flag), v])),
    ...state.plan.importCache.map((rec) => [lit('--import-cache'), csvRecord(rec)]),
    ...state.plan.exportCache.map((rec) => [lit('--export-cache'), csvRecord(rec)]),
  ];
  return { args, findings: state.findings };
}

/** What a consumer's variable fed into this call needs of it (see FragmentHost), read after the call is planned. */
function hostOf(state: PlanState): FragmentHost {
  const cacheRepo = callCacheRepo(state);
  return { ...(cacheRepo ? { cacheRepo } : {}), push: state.push, cached: state.plan.importCache.length > 0 };
}

export function planCall(call: KanikoCall, env: PlanEnv, vars?: CallVariables): CallPlan {
  const state = new PlanState(call, env, vars);
  for (const p of call.problems) state.add(problemFinding(p));
  for (const use of call.uses) {
    if (use.lookalike) {
      state.add(
        callFinding(
          'KB313',
          `${describeChar(use.lookalike.char)} in "${use.nameWord.raw}": the shell passes it as part of the word and Kaniko rejected the flag; read as ${use.spelling} with its value`,
          use.lookalike.offset,
        ),
      );
    }
  }
  run(state, false);
  return {
    plan: state.plan,
    findings: state.findings,
    manual: call.problems.length > 0 || state.isManual,
    host: hostOf(state),
  };
}
