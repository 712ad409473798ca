/**
 * The finding-code registry: one entry per code, keyed by the code. `Code` is derived from its keys, so a finding can
 * only carry a documented code (see `finding.ts`); `explain` prints the entries in code order.
 *
 * One file per hundred, each named after what its codes are about:
 * `codes/kb1-input.ts` KB1xx reading files (YAML, includes, limits, writing back),
 * `codes/kb2-jobs.ts` KB2xx jobs (images, shared templates, executor calls and variables),
 * `codes/kb3-flags.ts` KB3xx Kaniko flags,
 * `codes/kb4-auth-paths.ts` KB4xx registry auth and paths of the Kaniko image,
 * `codes/kb5-generators.ts` KB5xx pipeline generators in TypeScript or JavaScript,
 * `codes/kb6-templates.ts` KB6xx templates shared across projects (includes of other projects, their consumers),
 * `codes/kb7-compare.ts` KB7xx differences `compare` finds between two images that have the shape of a known
 * Kaniko/BuildKit behaviour, and the expected ones (timestamps, history, layers, annotations),
 * `codes/kb8-doctor.ts` KB8xx failures `doctor` recognises in a BuildKit job log,
 * `codes/kb9-runner-config.ts` KB9xx `runner-config` (the AppArmor annotation of a GitLab Runner configuration).
 * A file's table type admits only its own hundred, so the ranges cannot overlap.
 */
import type { CodeEntry, Severity } from './entry.js';
import { INPUT_CODES } from './codes/kb1-input.js';
import { JOB_CODES } from './codes/kb2-jobs.js';
import { FLAG_CODES } from './codes/kb3-flags.js';
import { AUTH_PATH_CODES } from './codes/kb4-auth-paths.js';
import { GENERATOR_CODES } from './codes/kb5-generators.js';
import { TEMPLATE_CODES } from './codes/kb6-templates.js';
import { COMPARE_CODES } from './codes/kb7-compare.js';
import { DOCTOR_CODES } from './codes/kb8-doctor.js';
import { RUNNER_CONFIG_CODES } from './codes/kb9-runner-config.js';

/** Every documented code, by range. */
export const REGISTRY = {
  ...INPUT_CODES,
  ...JOB_CODES,
  ...FLAG_CODES,
  ...AUTH_PATH_CODES,
  ...GENERATOR_CODES,
  ...TEMPLATE_CODES,
  ...COMPARE_CODES,
  ...DOCTOR_CODES,
  ...RUNNER_CONFIG_CODES,
};

/** A documented finding code: `'KB999'` is not one, and does not compile where a `Code` is expected. */
export type Code = keyof typeof REGISTRY;

/** One entry with its code: everything `explain` prints. */
export interface CodeDoc extends CodeEntry {
  code: Code;
}

/** Every entry, sorted by code. */
export const CODES: readonly CodeDoc[] = (Object.keys(REGISTRY) as Code[])
  .sort()
  .map((code): CodeDoc => ({ code, ...REGISTRY[code] }));

const byCode = new Map(CODES.map((c) => [c.code as string, c]));

export function isCode(code: string): code is Code {
  return byCode.has(code);
}

/** The entry of a code as a person typed it (`kb204`), or undefined. */
export function codeDoc(code: string): CodeDoc | undefined {
  return byCode.get(code.toUpperCase());
}

/** The entry of a code the tool emits (always there: `Code` comes from the registry's keys). */
export function requireCode(code: Code): CodeDoc {
  return byCode.get(code)!;
}

/** The severity every finding of this code has. */
export function severityOf(code: Code): Severity {
  return REGISTRY[code].severity;
}

/** The codes whose entry has message builders. */
export type CodeWithMessages = { [C in Code]: (typeof REGISTRY)[C] extends { messages: object } ? C : never }[Code];

/** The message builders of a code (`messages('KB205').notStock(ref)`), written beside its doc. */
export function messages<C extends CodeWithMessages>(code: C): (typeof REGISTRY)[C]['messages'] {
  return REGISTRY[code].messages;
}
