/**
 * The one place `kaniko/` creates a finding: a code and a message; the severity is the code's documented one
 * (src/findings/registry.ts), never restated where the finding is raised.
 */
import { unplaced } from '../findings/finding.js';
import type { Code } from '../findings/registry.js';
import type { CallFinding } from './types.js';

export function callFinding(code: Code, message: string, offset?: number): CallFinding {
  return unplaced(code, message, offset);
}
