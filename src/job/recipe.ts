/**
 * The one job recipe: from what a host reads of a job (host.ts) to the edits that migrate it — image, variables,
 * registry auth, other Kaniko paths and every executor call — whether the job's text lives in a YAML pipeline or in a
 * TypeScript generator. A job migrates whole or not at all: when any part needs a person, no edit is proposed and the
 * findings say why. The same job gives the same findings and the same buildctl words from either host.
 */
import { renderCall } from '../buildkit/render.js';
import { finding } from '../findings/finding.js';
import { messages, severityOf } from '../findings/registry.js';
import type { Code, Finding } from '../findings/types.js';
import { planCall, type PlanEnv } from '../kaniko/context.js';
import { imageMirror, isBuildkitImage } from '../kaniko/images.js';
import type { SimpleCommand } from '../shell/types.js';
import type { TextEdit } from '../text/edits.js';
import { overlappingEdit, type ValueEdit } from '../text/value-edit.js';
import { readCallArguments, type ArgVariable } from './arg-variables.js';
import { GITLAB_REGISTRY_AUTH, MKDIR_DOCKER, scanJobAuth, UNSET_DOCKER_AUTH_CONFIG } from './auth.js';
import { isRefusal, type Change, type HostItem, type JobHost, type Place } from './host.js';
import { findCalls } from './job-items.js';
import { CERT_SETUP, scanKanikoPaths } from './kaniko-paths.js';
import { findWrappers } from './wrappers.js';
import type { Wrapper } from './item.js';

/** What the recipe decides for one job. */
export interface JobOutcome {
  /** The job builds with Kaniko (image or executor call). */
  kaniko: boolean;
  /** Left for a person: no edits. */
  manual: boolean;
  /** A template other jobs are migrated through (TypeScript spread objects), not a job on its own. */
  template: boolean;
  findings: Finding[];
  edits: TextEdit[];
  /** Nodes this job's edits change: other jobs reading them must migrate too. */
  touches: Set<string>;
  /** Nodes this job reads (image, script items, variables), for the sharing check. */
  reads: Set<string>;
  /** Every buildctl call the migrated job must contain, as word lists (checked after the edit). */
  expectedCalls: string[][];
  calls: number;
  /** Flags of the job's calls (for per-flag statistics). */
  flags: { flag: string; manual: boolean }[];
}

export interface RecipeOptions {
  env: PlanEnv;
  buildkitImage?: string;
  /** The job's name, for its findings. */
  job?: string;
}

export function migrateJob<I extends HostItem>(host: JobHost<I>, opts: RecipeOptions): JobOutcome {
  const out: JobOutcome = {
    kaniko: false,
    manual: false,
    template: false,
    findings: [],
    edits: [],
    touches: new Set(),
    reads: host.reads,
    expectedCalls: [],
    calls: 0,
    flags: [],
  };
  // The job's own variables let planning follow `$DOCKERFILE` to the path it holds.
  const env: PlanEnv = { ...opts.env, variable: (v) => host.variable(v) };
  const add = (code: Code, at: Place, message: string) => {
    const job = opts.job !== undefined ? { job: opts.job } : {};
    const f = finding(code, at.show ? at.show(message) : message, {
      file: at.file,
      line: at.line,
      column: at.column,
      ...job,
    });
    out.findings.push(f);
    if (f.severity === 'manual' || f.severity === 'error') out.manual = true;
  };
  const apply = (c: Change) => {
    out.edits.push(...c.edits);
    for (const t of c.touches) out.touches.add(t);
  };
  const { items, image } = host;
  const wrappers = findWrappers(items, (i) => host.linesRemovable(i));
  const calls = findCalls(items, wrappers);
  out.calls = calls.length;
  const imageIsKaniko = image.kind === 'kaniko' || image.kind === 'kaniko-like';
  if (!imageIsKaniko && !calls.length) return out;
  if (image.ref && isBuildkitImage(image.ref)) return out;
  out.kaniko = true;

  if (host.unreadable) {
    add('KB209', host.unreadable, messages('KB209').escapeSequence('the job'));
    return out;
  }
  if (!calls.length) {
    if (host.template) {
      out.template = true;
      out.kaniko = false;
      return out;
    }
    const hidden = scanKanikoPaths(items, new Set()).findings.find((f) => f.code === 'KB210');
    if (hidden) {
      // Written in the file, but run from a string or a script the job writes: a call, left for a person.
      out.calls = 1;
      add(hidden.code, host.at(hidden.item, hidden.offset), hidden.message);
      return out;
    }
    const ext = items
      .map((i) => i.parsed.commands.find((c) => /\.sh$|^\.\//.test(c.words[0]?.value ?? '')))
      .find(Boolean);
    if (image.setAt)
      add(
        'KB203',
        image.setAt,
        messages('KB203').noExecutorCall({
          in: host.terms.in,
          migrate: host.terms.byHand,
          ...(ext ? { runs: ext.words[0]!.raw } : host.opaque ? { unreadable: host.opaque.text } : {}),
        }),
      );
    return out;
  }
  const refusal = image.refusal?.(calls[0]!.item, calls[0]!.command.start);
  if (refusal) {
    add('KB206', refusal.at, refusal.message);
    return out;
  }
  const mirror = image.ref ? imageMirror(image.ref) : undefined;
  if (mirror && !mirror.proxy && !opts.buildkitImage && image.nameAt) {
    add(
      'KB208',
      image.nameAt,
      `the Kaniko image came through a mirror (${mirror.prefix}); the BuildKit image is set to Docker Hub's moby/buildkit. Mirror it there too and pass --buildkit-image, or edit the image`,
    );
  }
  if (image.kind !== 'kaniko' && image.nameAt) {
    add('KB205', image.nameAt, messages('KB205').notStock(image.ref));
  }

  // --- The calls -------------------------------------------------------------------------------------------------
  const valueEdits = new Map<string, { item: I; edits: ValueEdit[] }>();
  const pushEdit = (item: I, e: ValueEdit) => {
    const key = host.key(item);
    const entry = valueEdits.get(key) ?? { item, edits: [] };
    entry.edits.push(e);
    valueEdits.set(key, entry);
  };
  const insertBefore = (item: I, valueOffset: number, lines: string[]) => {
    const own = valueOffset === 0 ? host.insertBefore(item, lines) : undefined;
    if (own) apply(own);
    else pushEdit(item, { start: valueOffset, end: valueOffset, parts: [...lines, ''], join: 'hard', multiline: true });
  };
  // Variables the calls expand, translated once per job (their assignments are edited once).
  const argVariables = new Map<string, ArgVariable<I>>();
  const translate = (variable: string): ArgVariable<I> => {
    let t = argVariables.get(variable);
    if (!t) {
      argVariables.set(variable, (t = host.translate(variable, env)));
      if (t.ok) {
        out.edits.push(...t.edits);
        for (const { item, edit } of t.scriptEdits) pushEdit(item, edit);
        for (const n of t.touches) out.touches.add(n);
        for (const n of t.reads) out.reads.add(n);
      }
    }
    return t;
  };
  for (const { item, command, head, wrapper } of calls) {
    const { call, vars, passthrough, findings: varFindings } = readCallArguments(command, head, wrapper, translate);
    const planned = planCall(call, env, vars);
    planned.plan.passthrough.push(...passthrough);
    planned.findings.push(...varFindings);
    for (const use of call.uses)
      out.flags.push({
        flag: use.flag.name,
        manual: planned.findings.some((f) => severityOf(f.code) === 'manual' && f.offset === use.nameWord.start),
      });
    for (const p of call.problems)
      out.flags.push({ flag: p.kind === 'unknown-flag' ? p.text : `(${p.kind})`, manual: true });
    for (const f of planned.findings) add(f.code, host.at(item, f.offset ?? command.start), f.message);
    if (planned.manual) continue;
    const rendered = renderCall(planned.plan);
    const first = command.words[head]!;
    const lastWord = command.words[command.words.length - 1]!;
    if (rendered.after.length && !isStandalone(command, item.script, lastWord.end)) {
      add(
        'KB318',
        host.at(item, first.start),
        'the migrated call needs steps right after it (digest files), but the call is part of a pipeline or && / || list; put it on its own line, then run again',
      );
      continue;
    }
    out.expectedCalls.push(rendered.groups.flat());
    const inside = command.redirects.filter((r) => r.start > first.start && r.start < lastWord.end);
    const parts = rendered.groups.map((g) => g.join(' '));
    parts[0] = [...rendered.prefix, parts[0]].join(' ');
    for (const r of inside) parts.push(item.script.slice(r.start, r.end));
    parts[parts.length - 1] += rendered.suffix;
    pushEdit(item, {
      start: first.start,
      end: lastWord.end,
      parts,
      join: 'soft',
      multiline: host.spansLines(item, first.start, lastWord.end),
      continuation: continuationOf(item.script, first.start, lastWord.end),
    });
    if (rendered.after.length) {
      // After a call that ends its item, the steps become items of their own where the host can; else lines after it.
      const own = item.script.slice(lastWord.end).trim() === '' ? host.insertAfter(item, rendered.after) : undefined;
      if (own) apply(own);
      else
        pushEdit(item, {
          start: lastWord.end,
          end: lastWord.end,
          parts: ['', ...rendered.after],
          join: 'hard',
          multiline: true,
          leadFrom: first.start,
        });
    }
    if (rendered.before.length) insertBefore(item, 0, rendered.before);
  }

  // --- Registry auth and the other paths of the Kaniko image ------------------------------------------------------
  const auth = scanJobAuth(items, (i) => i.script);
  // A path inside an executor call is an argument of the build (a `--build-arg` value): the call is rewritten whole.
  const callRanges = calls.map(({ item, command }) => ({ item, start: command.start, end: command.words.at(-1)!.end }));
  const inCall = (item: I, e: ValueEdit) =>
    callRanges.some((r) => r.item === item && e.start >= r.start && e.end <= r.end);
  for (const { item, scan } of auth.scans) {
    for (const e of scan.edits) if (!inCall(item, e)) pushEdit(item, e);
    if (scan.credentialHelpers.length) {
      add('KB403', host.itemAt(item), messages('KB403').credentialHelpers(scan.credentialHelpers));
    }
  }
  if (auth.mkdirBefore) insertBefore(auth.mkdirBefore.item, auth.mkdirBefore.offset, [MKDIR_DOCKER]);
  let mentionsAuth = auth.mentionsAuth;
  // /busybox/sh, /kaniko/ssl, /kaniko/warmer, executor calls inside strings.
  const skip = new Set([...calls.map((c) => c.command), ...[...wrappers.values()].flatMap((w) => w.commands)]);
  const paths = scanKanikoPaths(items, skip);
  // The wrappers the calls went through are no longer written.
  for (const w of new Set(calls.map((c) => c.wrapper).filter((w): w is Wrapper<I> => !!w))) {
    for (const { item, start, end } of w.removals) {
      const own = host.removeLines(item, start, end);
      if (own) apply(own);
      else pushEdit(item, { start, end, parts: [''], join: 'hard', multiline: false });
    }
  }
  for (const { item, edit } of paths.edits) pushEdit(item, edit);
  for (const f of paths.findings) add(f.code, host.at(f.item, f.offset), f.message);
  if (paths.certSetupBefore) insertBefore(paths.certSetupBefore.item, paths.certSetupBefore.offset, CERT_SETUP);
  const dockerConfig = host.dockerConfig();
  if (dockerConfig) {
    apply(dockerConfig);
    mentionsAuth = true;
  }
  const firstCallItem = calls[0]!.item;
  if (host.hasVariable('DOCKER_AUTH_CONFIG') || auth.dockerAuthConfig) {
    insertBefore(firstCallItem, 0, [UNSET_DOCKER_AUTH_CONFIG]);
    add('KB405', host.itemAt(firstCallItem), messages('KB405').shadows());
  }
  if (host.opaque && !out.manual) {
    // A part of the script nobody can read may log in by itself; adding a login could hide that it does not.
    add(
      'KB505',
      host.opaque.at,
      `part of the script is ${host.opaque.text}, which this tool cannot read: check that it writes no registry config to /kaniko/.docker and uses no other Kaniko path${mentionsAuth ? '' : "; no registry login was added for Kaniko's built-in GitLab helper (see KB402)"}`,
    );
  } else if (!mentionsAuth && !out.manual) {
    // Kaniko's built-in GitLab helper (v1.9.0+) answered for $CI_REGISTRY on every registry call (push, cache, base
    // images); a job with no registry config of its own relied on it, so the migrated job writes those credentials.
    insertBefore(firstCallItem, 0, [MKDIR_DOCKER, GITLAB_REGISTRY_AUTH]);
    add('KB402', host.itemAt(firstCallItem), messages('KB402').builtInHelper());
  }
  if (out.manual) {
    out.edits = [];
    return out;
  }

  // --- Encode value edits in each item's own form, then the image and BUILDKITD_FLAGS --------------------------------
  const stop = (code: Code, at: Place, message: string) => {
    add(code, at, message);
    out.edits = [];
    return out;
  };
  for (const { item, edits } of valueEdits.values()) {
    const clash = overlappingEdit(edits);
    if (clash)
      return stop(
        'KB211',
        host.at(item, clash.start),
        messages('KB211').overlap({ of: 'this script item', cause: 'a Kaniko path inside a rewritten command' }),
      );
    const encoded = host.encode(item, edits);
    if (isRefusal(encoded)) return stop(encoded.code, encoded.at, encoded.message);
    apply(encoded);
  }
  const imageChange = host.imageEdits(opts.buildkitImage);
  if (isRefusal(imageChange)) return stop(imageChange.code, imageChange.at, imageChange.message);
  apply(imageChange);
  const sandbox = host.sandbox();
  if (isRefusal(sandbox)) return stop(sandbox.code, sandbox.at, sandbox.message);
  if (sandbox) apply(sandbox);
  return out;
}

/** A call that is a command of its own (not in a pipeline, `&&`/`||` list or background), with nothing after it on its line. */
function isStandalone(command: SimpleCommand, script: string, end: number): boolean {
  if (command.enclosures.some((e) => e === 'pipeline' || e === 'and-or' || e === 'background')) return false;
  const rest = script.slice(end).split('\n')[0]!;
  return /^\s*(;?\s*(#.*)?)?$/.test(rest);
}

/** Extra indentation of the call's continuation lines, relative to its first line (literal blocks). */
function continuationOf(script: string, start: number, end: number): string | undefined {
  const nl = script.indexOf('\n', start);
  if (nl < 0 || nl >= end) return undefined;
  const firstLineStart = script.lastIndexOf('\n', start - 1) + 1;
  const firstLead = /^[ \t]*/.exec(script.slice(firstLineStart))![0];
  const nextLead = /^[ \t]*/.exec(script.slice(nl + 1))![0];
  return nextLead.length > firstLead.length ? nextLead.slice(firstLead.length) : '';
}
