/**
 * Executor arguments held in a variable (`/kaniko/executor … $KANIKO_ARGS`). When the variable is defined in the pipeline
 * file, holds only flags that stand apart from the call (build args, labels, target, platform, secrets, dropped flags),
 * and no other command uses it, its value is rewritten to the buildctl arguments and the call passes it through.
 * GitLab expands `$X` inside variable values before the shell splits the value on blanks, with no quote removal,
 * so only values free of quotes and escapes are rewritten.
 */
import { isScalar, type Scalar } from 'yaml';
import { planFragment, type CallFinding, type PlanEnv } from '../kaniko/context.js';
import { nodeKey, type Pipeline } from '../pipeline/jobs.js';
import { displayText } from '../shell/quote.js';
import { parseScript } from '../shell/index.js';
import type { SimpleCommand, Word } from '../shell/types.js';
import type { TextEdit } from './edits.js';
import { jobItems } from './job-items.js';
import { encodeScalarEdits, spansLines } from './scalar.js';
import { executorIndex, readKanikoCall } from '../kaniko/call.js';

export type ArgVariable =
  | { ok: true; edits: TextEdit[]; node?: string; findings: CallFinding[] }
  | { ok: false; reason: string };

/** A word that is one unquoted variable and nothing else: `$NAME` or `${NAME}`. */
export function loneVariable(word: Word): string | undefined {
  const [seg, more] = word.segments;
  if (more || seg?.kind !== 'param' || seg.quoted) return undefined;
  return /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(seg.raw)?.[1];
}

const usage = new WeakMap<Pipeline, Map<string, 'elsewhere' | 'assigned'>>();

/** How each variable is used outside executor calls, across every job: read by another command, or set in a script. */
function usageOutsideCalls(pipeline: Pipeline): Map<string, 'elsewhere' | 'assigned'> {
  let map = usage.get(pipeline);
  if (map) return map;
  map = new Map();
  for (const job of pipeline.names()) {
    for (const item of jobItems(pipeline, job, true)) {
      for (const c of item.parsed.commands) {
        for (const a of c.assignments) {
          const n = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(a.raw)?.[1];
          if (n) map.set(n, 'assigned');
        }
        if (c.words[0]?.value === 'export' || c.words[0]?.value === 'read') for (const w of c.words.slice(1)) map.set(/^[A-Za-z_][A-Za-z0-9_]*/.exec(w.raw)?.[0] ?? '', 'assigned');
        if (executorIndex(c) >= 0) continue;
        for (const w of [...c.words, ...c.redirects.map((r) => r.target)]) {
          for (const m of w.raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) if (!map.has(m[1]!)) map.set(m[1]!, 'elsewhere');
        }
      }
    }
  }
  usage.set(pipeline, map);
  return map;
}

function definedSomewhere(pipeline: Pipeline, name: string): boolean {
  return pipeline.names().some((job) => pipeline.variables(job).has(name));
}

export function translateArgVariable(pipeline: Pipeline, job: string, name: string, env: PlanEnv): ArgVariable {
  const use = usageOutsideCalls(pipeline).get(name);
  if (use === 'assigned') return { ok: false, reason: `$${name} is set by the script, so its flags are only known when the job runs` };
  if (use === 'elsewhere') return { ok: false, reason: `$${name} is also used by other commands, so it cannot be rewritten for buildctl` };
  const loc = pipeline.variables(job).get(name);
  if (!loc) {
    return definedSomewhere(pipeline, name)
      ? { ok: true, edits: [], findings: [] } // empty for this job
      : { ok: false, reason: `$${name} is not defined in the pipeline file (CI/CD settings?), so its flags are unknown` };
  }
  if (!isScalar(loc.node) || typeof loc.node.value !== 'string') return { ok: false, reason: `$${name} is not a plain string` };
  const value = loc.node.value;
  if (/["'\\`]|\$\(/.test(value)) return { ok: false, reason: `$${name} holds quotes or command substitutions, which the shell does not interpret inside a variable` };
  const parsed = parseScript(value);
  if (parsed.errors.length || parsed.commands.length > 1) return { ok: false, reason: `$${name} is not a list of flags` };
  const words = parsed.commands[0]?.words ?? [];
  if (!words.length) return { ok: true, edits: [], node: nodeKey(loc), findings: [] };
  const synthetic: SimpleCommand = { assignments: [], words, redirects: [], start: 0, end: value.length, enclosures: [] };
  const fragment = planFragment(readKanikoCall(synthetic, -1), env);
  if ('reason' in fragment) return { ok: false, reason: `$${name}: ${fragment.reason}` };
  const parts = fragment.args.map((pair) => pair.map(displayText).join(' '));
  if (parts.some((p) => /\s.*\s|["'\\]/.test(p.replace(/^--\w+ /, '')))) return { ok: false, reason: `$${name}: a value holds blanks or quotes` };
  const node = loc.node as Scalar;
  const edits = encodeScalarEdits(loc.file, node, [{ start: 0, end: value.length, parts, join: 'soft', multiline: spansLines(loc.file, node, 0, value.length) }]);
  if (!edits) return { ok: false, reason: `$${name} cannot be edited in place` };
  const findings: CallFinding[] = [
    ...fragment.findings,
    { code: 'KB207', severity: 'info', message: `$${name} holds executor flags; its value in ${loc.file.path} is rewritten to buildctl arguments` },
  ];
  return { ok: true, edits, node: nodeKey(loc), findings };
}
