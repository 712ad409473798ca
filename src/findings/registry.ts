/**
 * The finding-code registry: one entry per code, grouped by the stage that emits it.
 * `explain` prints these; a test fails when the tool can emit a code that is not here.
 */
import type { CodeDoc } from './types.js';
import { MIGRATE_CODES } from './codes/migrate.js';
import { DOCTOR_CODES } from './codes/doctor.js';
import { INPUT_CODES } from './codes/input.js';
import { TYPESCRIPT_CODES } from './codes/typescript.js';

export const CODES: readonly CodeDoc[] = [...MIGRATE_CODES, ...INPUT_CODES, ...TYPESCRIPT_CODES, ...DOCTOR_CODES];

const byCode = new Map(CODES.map((c) => [c.code, c]));

export function codeDoc(code: string): CodeDoc | undefined {
  return byCode.get(code.toUpperCase());
}

export function requireCode(code: string): CodeDoc {
  const doc = byCode.get(code);
  if (!doc) throw new Error(`finding code ${code} is not documented in src/findings/codes/`);
  return doc;
}
