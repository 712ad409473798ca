/**
 * Migrating one shell script string on its own, for front doors that are not YAML scalars (TypeScript generators):
 * every executor call is replaced by its buildctl call on one line; auth and other Kaniko paths move as in YAML jobs.
 */
import { append } from '../text/append.js';
import { renderCall } from '../buildkit/render.js';
import { unplaced } from '../findings/finding.js';
import { messages, severityOf } from '../findings/registry.js';
import { executorIndex, readKanikoCall } from '../kaniko/call.js';
import { planCall, type CallFinding, type PlanEnv } from '../kaniko/context.js';
import { parseScript } from '../shell/index.js';
import type { SimpleCommand } from '../shell/types.js';
import { scanAuth } from './auth.js';
import { CERT_SETUP, scanKanikoPaths } from './kaniko-paths.js';
import { applyValueEdits, overlappingEdit, type ValueEdit } from '../text/value-edit.js';

export interface ScriptMigration {
  /** The new script; equal to the input when nothing changed or when `manual`. */
  output: string;
  calls: number;
  /** Offsets in `findings` are into the input script. */
  findings: CallFinding[];
  manual: boolean;
}

export function migrateScriptText(script: string, env: PlanEnv): ScriptMigration {
  const parsed = parseScript(script);
  const edits: ValueEdit[] = [];
  const findings: CallFinding[] = [];
  let manual = false;
  let calls = 0;
  const callCommands = new Set<SimpleCommand>();
  for (const command of parsed.commands) {
    const head = executorIndex(command);
    if (head < 0) continue;
    calls++;
    callCommands.add(command);
    const planned = planCall(readKanikoCall(command, head), env);
    append(findings, planned.findings);
    if (planned.manual) {
      manual = true;
      continue;
    }
    const first = command.words[head]!;
    const last = command.words[command.words.length - 1]!;
    const rendered = renderCall(planned.plan);
    const call = [...rendered.prefix, ...rendered.groups.flat()].join(' ') + rendered.suffix;
    const steps = rendered.before.length || rendered.after.length;
    if (steps && command.enclosures.some((e) => e === 'pipeline' || e === 'and-or' || e === 'background')) {
      findings.push(
        unplaced(
          'KB318',
          'the migrated call needs steps before or after it, but it is part of a pipeline or && / || list',
          first.start,
        ),
      );
      manual = true;
      continue;
    }
    edits.push({
      start: first.start,
      end: last.end,
      parts: [...rendered.before, call, ...rendered.after],
      join: 'hard',
      multiline: false,
    });
  }
  // A Kaniko path inside a call is an argument of the build (a `--build-arg` value): the call is rewritten whole.
  const callEdits = [...edits];
  if (calls) {
    edits.push(
      ...scanAuth(script, parsed).edits.filter((a) => !callEdits.some((c) => a.start >= c.start && a.end <= c.end)),
    );
    const paths = scanKanikoPaths([{ parsed }], callCommands);
    append(
      edits,
      paths.edits.map((p) => p.edit),
    );
    for (const f of paths.findings) findings.push(unplaced(f.code, f.message, f.offset));
    if (paths.findings.some((f) => severityOf(f.code) === 'manual')) manual = true;
    const at = paths.certSetupBefore?.offset;
    if (at !== undefined) edits.push({ start: at, end: at, parts: [...CERT_SETUP, ''], join: 'hard', multiline: true });
    for (const s of paths.setupBefore)
      edits.push({ start: s.offset, end: s.offset, parts: [...s.lines, ''], join: 'hard', multiline: true });
  }
  if (manual || !edits.length) return { output: script, calls, findings, manual };
  const clash = overlappingEdit(edits);
  if (clash) {
    findings.push(unplaced('KB211', messages('KB211').overlap({ of: 'this script' }), clash.start));
    return { output: script, calls, findings, manual: true };
  }
  return { output: applyValueEdits(script, edits), calls, findings, manual };
}
