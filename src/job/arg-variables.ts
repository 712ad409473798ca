/**
 * Executor arguments held in a variable (`/kaniko/executor … $KANIKO_ARGS`), defined in the pipeline file
 * (`variables:`) or built by the script (`DESTS="$DESTS --destination=$X"`).
 *
 * The flags every value of the variable holds decide what it can hold instead (its role, from the flag table's
 * `inVariable`): buildctl arguments passed through (`args`), a comma-separated list of image names read into the
 * output (`names`), or `false` for `--no-push` read into `push=` (`push`). Every value of the variable, in every job
 * and script, must fit one role; each one is then rewritten in place, and the call reads the variable in its new form.
 *
 * GitLab expands `$X` inside `variables:` values before the shell splits the value on blanks, with no quote removal,
 * so only values free of quotes and escapes are rewritten. Script values are rewritten when they are one
 * double-quoted or unquoted string, optionally starting with the variable itself (an append).
 */
import { append } from '../text/append.js';
import { unplaced } from '../findings/finding.js';
import {
  planFragment,
  variableNames,
  type CallFinding,
  type CallVariables,
  type FragmentHost,
  type NameSource,
  type PlanEnv,
} from '../kaniko/context.js';
import { flagBySpelling, type VariableRole } from '../kaniko/flags.js';
import { displayText, staticText, type ShellText } from '../shell/quote.js';
import { parseScript } from '../shell/index.js';
import type { SimpleCommand, Word } from '../shell/types.js';
import type { TextEdit } from '../text/edits.js';
import type { ValueEdit } from '../text/value-edit.js';
import { executorIndex, readKanikoCall, type KanikoCall } from '../kaniko/call.js';
import type { HostItem, Wrapper } from './item.js';

/** One `variables:` definition of a variable, as its host holds it. */
export interface VariableDefinition {
  /** The value, when it is one plain string (a YAML scalar, a string literal); undefined otherwise. */
  value?: string;
  /** The node holding it, for the sharing check. */
  key: string;
  /** The file that defines it, for messages. */
  file: string;
  /** Edits that replace value[0, end) by `parts` laid out as the old value was; undefined when it cannot be edited. */
  edit(end: number, parts: string[]): TextEdit[] | undefined;
}

/**
 * What a host knows about a job's variables: the definitions every value must fit (a YAML template's call is shared by
 * every job built from it, so all of the pipeline's count), the job's own, and how scripts set and read them.
 */
export interface VariableWorld<I extends HostItem> {
  /** Every `variables:` definition of the name the role must fit, one per node. */
  definitions(name: string): VariableDefinition[];
  /** The job's own effective definition. */
  own(name: string): VariableDefinition | undefined;
  /** How the scripts that count set and read each variable (computed once per world and shared). */
  usage(): Usage<I>;
  /** Items of this job (assignments elsewhere do not reach its call). */
  isOwnItem(item: I): boolean;
  /** Parts the job is built from that are missing from what was read (they may set the variable). */
  missingParts(): string[];
}

export type ArgVariable<I extends HostItem = HostItem> =
  | {
      ok: true;
      /**
       * `unknown`: defined nowhere in the pipeline file; passed through as it is (a warning says so).
       * `inline`: its flags only work inside the call (`--cache`); its words (`inline`) are read as part of the call.
       */
      role: VariableRole | 'unknown' | 'inline';
      /** For `inline`: the value's words for this job, placed where the variable stood. */
      inline: Word[];
      /** Edits of `variables:` values. */
      edits: TextEdit[];
      /** Edits of script assignments, in the job's script items. */
      scriptEdits: { item: I; edit: ValueEdit }[];
      /** Nodes the edits change (other jobs reading them must migrate too). */
      touches: string[];
      /** Nodes the job reads for the call (a `variables:` value, edited or not). */
      reads: string[];
      findings: CallFinding[];
    }
  | { ok: false; reason: string };

/** A word that is one unquoted variable and nothing else: `$NAME` or `${NAME}`. */
function loneVariable(word: Word): string | undefined {
  const [seg, more] = word.segments;
  if (more || seg?.kind !== 'param' || seg.quoted) return undefined;
  return /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(seg.raw)?.[1];
}

/**
 * `$(for D in $LIST; do echo "--destination $D"; done)`: a loop that prints one destination flag per name. It becomes
 * the names themselves, comma-separated: `$(echo $LIST | tr ' ' ,)` (echo joins the split list with single blanks).
 */
function loopNames(word: Word): NameSource | undefined {
  const [seg, more] = word.segments;
  if (more || seg?.kind !== 'command' || seg.quoted) return undefined;
  const m =
    /^\$\(\s*for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([^;`'"\\()]+?)\s*;\s*do\s+echo\s+("?)(-[A-Za-z-]+)[ =]\$(?:\{\1\}|\1(?![A-Za-z0-9_]))\3\s*;?\s*done\s*\)$/.exec(
      seg.raw,
    );
  if (!m || flagBySpelling(m[4]!)?.inVariable !== 'names') return undefined;
  const list = m[2]!;
  const command = (raw: string): ShellText => [{ kind: 'command', raw, quoted: true }];
  return {
    label: seg.raw,
    all: command(`$(echo ${list} | tr ' ' ,)`),
    first: command(`$(echo ${list} | cut -d ' ' -f 1)`),
  };
}

const NAME = /^([A-Za-z_][A-Za-z0-9_]*)=/;

/** One assignment of a variable in a script: `NAME=value` before a command or alone, or after `export`/`readonly`. */
interface Assignment<I> {
  item: I;
  script: string;
  word: Word;
  name: string;
}

export interface Usage<I> {
  assignments: Map<string, Assignment<I>[]>;
  /** Set another way than `NAME=value` (`read`, a `for` loop, `${NAME:=x}`): the values cannot be read. */
  otherwiseSet: Set<string>;
  /** Read by a command other than an executor call: `printed` when only `echo`/`printf` read it (log output). */
  reads: Map<string, 'printed' | 'elsewhere'>;
}

/** How each variable is set and read in the items' scripts, executor calls aside (each item given once). */
export function scanUsage<I extends HostItem>(items: Iterable<I>): Usage<I> {
  const u: Usage<I> = { assignments: new Map(), otherwiseSet: new Set(), reads: new Map() };
  const read = (name: string, how: 'printed' | 'elsewhere') => {
    if (u.reads.get(name) !== 'elsewhere') u.reads.set(name, how);
  };
  for (const item of items) {
    for (const m of item.script.matchAll(/\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b|\$\{([A-Za-z_][A-Za-z0-9_]*):?[=?]/g))
      u.otherwiseSet.add(m[1] ?? m[2]!);
    for (const c of item.parsed.commands) {
      const head = c.words[0]?.value;
      const declared =
        head === 'export' || head === 'readonly' || head === 'local'
          ? c.words.slice(1).filter((w) => NAME.test(w.raw))
          : [];
      for (const a of [...c.assignments, ...declared]) {
        const name = NAME.exec(a.raw)![1]!;
        const list = u.assignments.get(name) ?? [];
        list.push({ item, script: item.script, word: a, name });
        u.assignments.set(name, list);
        // `X="$X …"` reads X only to append to it; any other variable it reads is read elsewhere.
        for (const m of a.raw.slice(name.length + 1).matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g))
          if (m[1] !== name) read(m[1]!, 'elsewhere');
      }
      if (head === 'read' || head === 'getopts')
        for (const w of c.words.slice(1)) u.otherwiseSet.add(/^[A-Za-z_][A-Za-z0-9_]*/.exec(w.raw)?.[0] ?? '');
      if (executorIndex(c) >= 0) continue;
      // Printed to the job log: echo/printf writing to no file and into no pipe (stderr, `>&2`, is the log too).
      const toLog =
        (head === 'echo' || head === 'printf') &&
        !c.redirects.some((r) => r.op.includes('>') && r.fd !== 2 && !(r.op === '>&' && r.target.value === '2')) &&
        !c.enclosures.includes('pipeline');
      const how = toLog ? 'printed' : 'elsewhere';
      for (const w of [...(declared.length ? [] : c.words), ...c.redirects.map((r) => r.target)]) {
        for (const m of w.raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g))
          read(m[1]!, c.redirects.some((r) => r.target === w) ? 'elsewhere' : how);
      }
    }
  }
  return u;
}

/** The flags a value holds, read as executor arguments. */
function readFlags(text: string): KanikoCall | undefined {
  const parsed = parseScript(text);
  if (parsed.errors.length || parsed.commands.length > 1) return undefined;
  const words = parsed.commands[0]?.words ?? [];
  const synthetic: SimpleCommand = {
    assignments: [],
    words,
    redirects: [],
    start: 0,
    end: text.length,
    enclosures: [],
  };
  return readKanikoCall(synthetic, -1);
}

/** The role a set of flags fits, undefined for none (empty), or why none fits. */
function roleOf(call: KanikoCall, host?: FragmentHost): VariableRole | undefined | { reason: string } {
  if (call.problems.length)
    return { reason: `${call.problems[0]!.text} is not a Kaniko flag this tool can read there` };
  const roles = new Set<VariableRole>();
  for (const u of call.uses) {
    const a = u.flag.mapping;
    // fed into another project's template call, the cache flags become buildctl arguments too (planFragment)
    const hosted = host && a.action === 'map' && a.slots.includes('cache');
    const role = u.flag.inVariable ?? (hosted || a.action === 'drop' || a.action === 'note' ? 'args' : undefined);
    if (!role) return { reason: `${u.spelling} only works inside the executor call` };
    roles.add(role);
  }
  if (roles.size > 1)
    return {
      reason: `it mixes flags that become different parts of the buildctl call (${call.uses.map((u) => u.spelling).join(', ')})`,
    };
  return [...roles][0];
}

/** The text of a script assignment's value, when it can be rewritten: one `"…"` or unquoted string, no escapes. */
function assignmentText(a: Assignment<unknown>): { text: string; quoted: boolean } | undefined {
  const raw = a.word.raw.slice(a.name.length + 1);
  const quoted = /^"[^"\\`]*"$/.test(raw);
  if (!quoted && /["'\\`\s]/.test(raw)) return undefined;
  const text = quoted ? raw.slice(1, -1) : raw;
  if (text.includes('$(') || text.includes('$((')) return undefined;
  return { text, quoted };
}

/** `$NAME`/`${NAME}` at the start of a value (an append), and the rest. */
function splitSelf(text: string, name: string): { self: string; rest: string } {
  const m = new RegExp(`^\\$(\\{${name}\\}|${name}(?![A-Za-z0-9_]))`).exec(text);
  return m ? { self: m[0], rest: text.slice(m[0].length) } : { self: '', rest: text };
}

interface Rewrite {
  /** The new value text (inside the same quotes), or why it cannot be rewritten. */
  text?: string;
  /** The same, one flag (with its value) per part, to lay out as the old value was. */
  parts?: string[];
  reason?: string;
  findings: CallFinding[];
}

/** A value's flags in their new form for the role; `self` is an append's own `$NAME` kept in front. */
function rewriteValue(
  name: string,
  call: KanikoCall,
  role: VariableRole,
  self: string,
  env: PlanEnv,
  host?: FragmentHost,
): Rewrite {
  if (!call.uses.length) return { text: self, findings: [] };
  switch (role) {
    case 'args': {
      const fragment = planFragment(call, env, host);
      if ('reason' in fragment) return { reason: fragment.reason, findings: [] };
      const parts = fragment.args.map((pair) => pair.map(displayText).join(' '));
      if (parts.some((p) => /\s.*\s|["'\\]/.test(p.replace(/^--\w+ /, ''))))
        return { reason: 'a value holds blanks or quotes', findings: [] };
      return { text: [self, ...parts].filter(Boolean).join(' '), parts, findings: fragment.findings };
    }
    case 'names': {
      const names = call.uses.map((u) => displayText(u.value ?? []));
      if (names.some((n) => n === '' || /[\s,"'\\]/.test(n)))
        return { reason: 'an image name holds blanks, commas or quotes', findings: [] };
      return { text: (self ? `\${${name}:+$${name},}` : '') + names.join(','), findings: [] };
    }
    case 'push': {
      if (self || call.uses.length > 1) return { reason: 'it is appended to, or holds --no-push twice', findings: [] };
      const u = call.uses[0]!;
      const v = u.value === undefined ? 'true' : staticText(u.value);
      if (v !== 'true' && v !== 'false')
        return { reason: `${u.spelling} has a value only known when the job runs`, findings: [] };
      return { text: v === 'true' ? 'false' : '', findings: [] };
    }
  }
}

function describeFlags(words: Word[]): string {
  const flags = words
    .map((w) => w.raw)
    .filter((r) => r.startsWith('-'))
    .map((r) => r.split('=')[0]);
  return flags.length ? [...new Set(flags)].join(', ') : 'empty here';
}

const ROLE_TEXT: Record<VariableRole, string> = {
  args: 'buildctl arguments',
  names: 'a comma-separated list of image names (read into --output name=…)',
  push: 'false for --no-push (read into --output push=…)',
};

interface RoleOf {
  role?: VariableRole | 'inline';
  reason?: string;
}

/** A translation that succeeds, to be filled: its edits, what it touches and reads, its findings. */
function translated<I extends HostItem, R extends VariableRole | 'unknown' | 'inline'>(role: R) {
  return {
    ok: true as const,
    role,
    inline: [] as Word[],
    edits: [] as TextEdit[],
    scriptEdits: [] as { item: I; edit: ValueEdit }[],
    touches: [] as string[],
    reads: [] as string[],
    findings: [] as CallFinding[],
  };
}

const roleCache = new WeakMap<object, Map<string, RoleOf>>();

/**
 * The one role every value of the variable fits, across the whole pipeline (a template's call is shared).
 * A variable only `variables:` blocks define, whose values no role fits (`--cache`, or destinations with build args),
 * is read into the call instead (`inline`).
 */
function variableRole<I extends HostItem>(world: VariableWorld<I>, name: string): RoleOf {
  // One cache per usage: a world's usage is shared by every job its definitions are shared by.
  const u = world.usage();
  let cache = roleCache.get(u);
  if (!cache) roleCache.set(u, (cache = new Map()));
  const hit = cache.get(name);
  if (hit) return hit;
  const roles = new Set<VariableRole>();
  let reason: string | undefined;
  let inlinable = true;
  const consider = (text: string) => {
    const call = readFlags(text);
    const r = call ? roleOf(call) : { reason: 'it is not a list of flags' };
    if (!call || call.problems.length) inlinable = false;
    if (r && typeof r === 'object') reason ??= r.reason;
    else if (r) roles.add(r);
  };
  for (const def of world.definitions(name)) {
    if (def.value === undefined) reason ??= 'it is not a plain string';
    else if (/["'\\`]|\$\(|\$\$/.test(def.value))
      reason ??=
        'it holds quotes, escapes or command substitutions, which the shell does not interpret inside a variable';
    else {
      consider(def.value);
      continue;
    }
    inlinable = false;
  }
  for (const a of u.assignments.get(name) ?? []) {
    inlinable = false;
    const t = assignmentText(a);
    if (!t)
      reason ??= `the script sets it to ${a.word.raw.slice(name.length + 1)}, which is not one plain or double-quoted string`;
    else {
      const { rest } = splitSelf(t.text, name);
      if (new RegExp(`\\$\\{?${name}(?![A-Za-z0-9_])`).test(rest))
        reason ??= 'the script puts it after other flags, not only appends to it';
      else consider(rest);
    }
  }
  if (roles.size > 1) reason ??= `its values hold flags that become different parts of the buildctl call`;
  const out: RoleOf = !reason ? { role: [...roles][0] ?? 'args' } : inlinable ? { role: 'inline' } : { reason };
  cache.set(name, out);
  return out;
}

export function translateArgVariable<I extends HostItem>(
  world: VariableWorld<I>,
  name: string,
  env: PlanEnv,
): ArgVariable<I> {
  const u = world.usage();
  const fail = (why: string): ArgVariable<I> => ({ ok: false, reason: `$${name} ${why}` });
  if (u.otherwiseSet.has(name))
    return fail(
      'is set by the script in a way this tool cannot read (read, a for loop, ${…:=…}), so its flags are only known when the job runs',
    );
  if (u.reads.get(name) === 'elsewhere')
    return fail('is also used by other commands, so it cannot be rewritten for buildctl');
  const { role, reason } = variableRole(world, name);
  if (!role) return fail(`cannot be rewritten for buildctl: ${reason}`);

  const result = translated<I, VariableRole | 'unknown' | 'inline'>(role as VariableRole | 'unknown' | 'inline');
  const assignments = (u.assignments.get(name) ?? []).filter((a) => world.isOwnItem(a.item));
  const loc = world.own(name);
  if (!loc && !assignments.length && !world.definitions(name).length && !u.assignments.has(name)) {
    const missing = world.missingParts();
    if (missing.length)
      return fail(
        `is not defined in the files read, and the job is built from ${missing.join(' and ')}, which is not among them and may set it to Kaniko flags`,
      );
    result.role = 'unknown';
    result.findings.push(
      unplaced(
        'KB212',
        `$${name} is not defined in the pipeline file (CI/CD settings?); it is passed to buildctl as it is, so wherever it is set it must now hold buildctl arguments (buildctl stops on a Kaniko flag)`,
      ),
    );
    return result;
  }

  if (role === 'inline') {
    // The call is rewritten with the flags of this job's value; the variable itself stays as it is.
    if (loc) {
      result.inline = readFlags(loc.value!)!.command.words;
      result.reads.push(loc.key);
    }
    result.findings.push(
      unplaced(
        'KB214',
        `$${name} holds flags that only work inside the call (${describeFlags(result.inline)}); its value${loc ? ` from ${loc.file}` : ''} is written into the buildctl call, which no longer reads $${name}: change the call, not the variable, to change them`,
      ),
    );
    return result;
  }

  if (loc) {
    const value = loc.value!;
    const call = readFlags(value)!;
    const r = rewriteValue(name, call, role, '', env);
    if (r.reason !== undefined || r.text === undefined) return fail(`cannot be rewritten for buildctl: ${r.reason}`);
    if (call.uses.length) {
      const end = value.replace(/\s+$/, '').length; // a block scalar's final line break stays
      const edits = loc.edit(end, r.parts ?? [r.text]);
      if (!edits) return fail('cannot be edited in place');
      append(result.edits, edits);
      result.touches.push(loc.key);
    }
    result.reads.push(loc.key);
    append(result.findings, r.findings);
    if (call.uses.length)
      result.findings.push(
        unplaced('KB207', `$${name} holds executor flags; its value in ${loc.file} now holds ${ROLE_TEXT[role]}`),
      );
  }

  for (const a of assignments) {
    const t = assignmentText(a)!;
    const { self, rest } = splitSelf(t.text, name);
    const call = readFlags(rest)!;
    const r = rewriteValue(name, call, role, self, env);
    if (r.reason !== undefined || r.text === undefined) return fail(`cannot be rewritten for buildctl: ${r.reason}`);
    if (!call.uses.length) continue;
    const valueStart = a.word.start + name.length + 1;
    // No field splitting or globbing happens in an assignment: only blanks and operators need the quotes.
    const text = t.quoted || /[\s;&|<>()'"#]/.test(r.text) ? `"${r.text}"` : r.text;
    if (a.script.slice(valueStart, a.word.end).includes('\n')) return fail('is set over several lines');
    result.scriptEdits.push({
      item: a.item,
      edit: { start: valueStart, end: a.word.end, parts: [text], join: 'soft', multiline: false },
    });
    append(result.findings, r.findings);
  }
  const printed = u.reads.get(name) === 'printed' ? '; echo/printf also print it, so the log shows the new form' : '';
  if (assignments.length && result.scriptEdits.length) {
    result.findings.push(
      unplaced(
        'KB213',
        `$${name} is built by the script from executor flags; each assignment now gives it ${ROLE_TEXT[role]}${printed}`,
      ),
    );
  } else if (printed) {
    const rewritten = result.findings.find((f) => f.code === 'KB207');
    if (rewritten) rewritten.message += printed;
  }
  return result;
}

/** A GitLab input interpolation that is a whole unquoted word of a call: `$[[ inputs.NAME ]]`, `$[[ inputs.NAME | f ]]`. */
export interface InputWord {
  name: string;
  /** The interpolation as written. */
  raw: string;
  /** The functions it applies to the value, in order (`expand_vars`, `truncate(0,8)`, `posix_quote`). */
  functions: string[];
}

/**
 * The word as a lone input interpolation. The shell reader keeps `$[[ … ]]` as one opaque part of a word (see
 * `scanDollar`): GitLab replaces it with the input's text before the shell runs, blanks and all, so an unquoted one
 * is split into arguments exactly as an unquoted `$VAR` is, and it is read here the way `loneVariable` reads `$VAR`.
 */
export function loneInput(word: Word): InputWord | undefined {
  const [seg, more] = word.segments;
  if (more || seg?.kind !== 'interpolation' || seg.quoted) return undefined;
  const m = /^\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*((?:\|[^|\]]*)*)\]\]$/.exec(seg.raw);
  if (!m) return undefined;
  const functions = m[2]!
    .split('|')
    .map((f) => f.trim())
    .filter(Boolean);
  return { name: m[1]!, raw: seg.raw, functions };
}

/** What a host knows about one CI/CD component input of the file a call is written in (`spec: inputs:`). */
export interface InputWorld {
  /** Why the file's inputs cannot be read (no `spec:` header); undefined when they can. */
  unreadable?: string;
  /** The input's entry in the header; undefined when the header does not declare it. */
  spec?: {
    /** `type:` (GitLab's default is `string`). */
    type?: string;
    /** `options:` or `regex:` restrict the values: a translated value would have to match them too. */
    restricted: boolean;
  };
  /** Its `default:` and the values the including files of this pipeline pass (`include: local … inputs:`). */
  definitions: VariableDefinition[];
  /** The file interpolates the input elsewhere than as a lone word of an executor call (a value changes there too). */
  readElsewhere: boolean;
}

/**
 * An input the call reads as executor flags (`$[[ inputs.args ]]`), rewritten for buildctl where the file gives it a
 * value: its default (and what local includers pass) becomes buildctl arguments through the flag table, as a
 * template's own variable default does, and the call passes the interpolation to buildctl as it is. Only the `args`
 * role so far: an input of destinations or `--no-push` is left for a person (KB204).
 */
export function translateInput<I extends HostItem>(world: InputWorld, input: InputWord, env: PlanEnv): ArgVariable<I> {
  const shown = `$[[ inputs.${input.name} ]]`;
  const fail = (why: string): ArgVariable<I> => ({ ok: false, reason: `${shown} ${why}` });
  if (world.unreadable) return fail(world.unreadable);
  if (!world.spec) return fail("is not declared in the file's `spec: inputs:` header");
  const fn = input.functions.find((f) => f !== 'expand_vars');
  if (fn) return fail(`goes through \`${fn}\`, which changes the text the shell reads`);
  if (world.spec.type !== undefined && world.spec.type !== 'string')
    return fail(`is an input of type ${world.spec.type}, not a string of flags`);
  if (world.spec.restricted)
    return fail('has `options:` or `regex:` in its spec, which a translated value would have to match too');
  if (world.readElsewhere) return fail('is also interpolated elsewhere in the file, where its value must not change');
  const result = translated<I, 'args'>('args');
  const changed: string[] = [];
  for (const def of world.definitions) {
    result.reads.push(def.key);
    if (def.value === undefined) return fail(`is given a value that is not a plain string in ${def.file}`);
    const call = def.value.trim() ? readFlags(def.value) : undefined;
    const role = call && !call.problems.length ? roleOf(call) : undefined;
    if (role === 'names' || role === 'push')
      return fail(
        `holds ${role === 'names' ? '--destination flags' : '--no-push'} (${JSON.stringify(def.value)}); an input read into --output is not translated yet`,
      );
    const t = translateFlagValue(def.value, env, 'args');
    if (t.kind === 'refused')
      return fail(`cannot be rewritten for buildctl: its value ${JSON.stringify(def.value)}: ${t.reason}`);
    if (t.kind === 'unchanged') continue;
    const edits = def.edit(def.value.replace(/\s+$/, '').length, t.parts);
    if (!edits) return fail(`cannot be edited in place in ${def.file}`);
    append(result.edits, edits);
    result.touches.push(def.key);
    append(result.findings, t.findings);
    changed.push(`${JSON.stringify(def.value)} → ${JSON.stringify(t.text)} in ${def.file}`);
  }
  result.findings.push(
    unplaced(
      'KB607',
      `${shown} passes executor flags to the call; the buildctl call passes it on as it is, so its values must now be buildctl arguments: ${
        changed.length ? `rewritten here: ${changed.join(', ')}` : 'none written here needed a change'
      }; every project that includes this file and sets it must pass buildctl arguments (translated where this tool migrates that project, KB603)`,
    ),
  );
  return result;
}

/**
 * One executor call read with what it expands: a wrapper's flags before the call's, a variable of call-only flags
 * (`inline`) read where it stood, and the words whose variables now hold buildctl values (name lists, a push switch,
 * arguments passed through). `translate` rewrites a variable once per job and keeps its edits.
 */
export function readCallArguments<I extends HostItem>(
  command: SimpleCommand,
  head: number,
  wrapper: Wrapper<I> | undefined,
  translate: (variable: string) => ArgVariable<I>,
  /** A lone `$[[ inputs.NAME ]]` word (CI/CD component input), read like a lone `$VAR`; absent: left as it is. */
  translateInputWord?: (input: InputWord) => ArgVariable<I>,
): { call: KanikoCall; vars: CallVariables; passthrough: string[]; findings: CallFinding[] } {
  const findings: CallFinding[] = [];
  const headWord = command.words[head]!;
  const fromWrapper = (wrapper?.flags ?? []).map((x) => ({ ...x, start: headWord.start, end: headWord.end }));
  const words = [...command.words.slice(0, head + 1), ...fromWrapper, ...command.words.slice(head + 1)].flatMap(
    (w, i) => {
      const variable = i > head ? loneVariable(w) : undefined;
      const t = variable ? translate(variable) : undefined;
      if (!t?.ok || t.role !== 'inline') return [w];
      append(
        findings,
        t.findings.map((f) => ({ ...f, offset: w.start })),
      );
      return t.inline.map((x) => ({ ...x, start: w.start, end: w.end }));
    },
  );
  const same = words.length === command.words.length && words.every((w, i) => w === command.words[i]);
  const call = readKanikoCall(same ? command : { ...command, words }, head);
  if (wrapper) {
    const flags = wrapper.flags.map((f) => f.raw).join(' ');
    findings.push(
      unplaced(
        'KB216',
        `${wrapper.path} is a wrapper the job writes around the executor; its flags (${flags}) and this call's are migrated together, and the job no longer writes the wrapper`,
        headWord.start,
      ),
    );
  }
  const passthrough: string[] = [];
  const vars: CallVariables = { names: [] };
  call.problems = call.problems.filter((p) => {
    if (p.kind !== 'dynamic-argument') return true;
    const loop = loopNames(p.word);
    if (loop) {
      vars.names.push(loop);
      findings.push(
        unplaced(
          'KB213',
          `${p.word.raw} prints --destination flags; it now gives the names as one comma-separated list, read into --output name=…`,
          p.word.start,
        ),
      );
      return false;
    }
    const input = translateInputWord && loneInput(p.word);
    if (input) {
      const t = translateInputWord(input);
      if (!t.ok) {
        p.detail = t.reason;
        return true;
      }
      passthrough.push(p.word.raw);
      append(
        findings,
        t.findings.map((f) => ({ ...f, offset: p.word.start })),
      );
      return false;
    }
    const variable = loneVariable(p.word);
    const t = variable && translate(variable);
    if (!t || !t.ok) {
      if (t) p.detail = t.reason;
      return true;
    }
    if (t.role === 'names') vars.names.push(variableNames(variable!));
    else if (t.role === 'push') vars.push = variable;
    else passthrough.push(p.word.raw);
    append(
      findings,
      t.findings.map((f) => ({ ...f, offset: p.word.start })),
    );
    return false;
  });
  return { call, vars, passthrough, findings };
}

/** The flags buildctl takes that a variable passed to it may hold (each with a value): a value of only these is migrated. */
const BUILDCTL_VALUE_FLAGS = new Set(['--opt', '--secret', '--ssh', '--import-cache', '--export-cache', '--local']);

/** Whether a value already reads as buildctl arguments (`--opt build-arg:K=V …`): a second run leaves it alone. */
function isBuildctlArguments(text: string): boolean {
  const parsed = parseScript(text);
  if (parsed.errors.length || parsed.commands.length > 1) return false;
  const words = parsed.commands[0]?.words ?? [];
  if (!words.length) return false;
  for (let i = 0; i < words.length; i++) {
    const [flag, inline] = splitFlag(words[i]!.raw);
    if (!BUILDCTL_VALUE_FLAGS.has(flag)) return false;
    if (inline === undefined) i++;
    if (i >= words.length) return false;
  }
  return true;
}

function splitFlag(raw: string): [string, string | undefined] {
  const eq = raw.indexOf('=');
  return eq > 0 ? [raw.slice(0, eq), raw.slice(eq + 1)] : [raw, undefined];
}

export type FlagValueTranslation =
  /** Kaniko flags in their buildctl form: the new value, one flag (with its value) per part. */
  | { kind: 'translated'; text: string; parts: string[]; findings: CallFinding[] }
  /** Nothing to do: empty, or buildctl arguments already. */
  | { kind: 'unchanged' }
  | { kind: 'refused'; reason: string };

/**
 * A variable's value of Kaniko flags as the buildctl arguments a call passes through (the value of a variable that a
 * template of another project passes to buildctl as it is, src/project/feeds.ts): every flag must become buildctl
 * arguments on its own; `host` is that call (the cache flags need it, see planFragment).
 */
export function translateFlagValue(
  value: string,
  env: PlanEnv,
  want: VariableRole = 'args',
  host?: FragmentHost,
): FlagValueTranslation {
  if (!value.trim()) return { kind: 'unchanged' };
  if (want === 'args' && isBuildctlArguments(value)) return { kind: 'unchanged' };
  if (/["'\\`]|\$\(|\$\$/.test(value))
    return {
      kind: 'refused',
      reason: 'it holds quotes, escapes or command substitutions, which the shell does not interpret inside a variable',
    };
  const call = readFlags(value);
  if (!call) return { kind: 'refused', reason: 'it is not a list of flags' };
  // a second run: a value already in its new form (image names, `false`) reads as no flag at all
  if (want !== 'args' && !call.uses.length && !call.problems.length) return { kind: 'unchanged' };
  if (want !== 'args' && call.problems.length && !/^-/.test(value.trim())) return { kind: 'unchanged' };
  const role = roleOf(call, host);
  if (role && typeof role === 'object') return { kind: 'refused', reason: role.reason };
  if (role && role !== want)
    return {
      kind: 'refused',
      reason: `it holds ${ROLE_TEXT[role]}, where the template's call reads ${ROLE_TEXT[want]}`,
    };
  const r = rewriteValue('', call, want, '', env, host);
  if (r.reason !== undefined || r.text === undefined) return { kind: 'refused', reason: r.reason ?? 'needs a person' };
  if (!call.uses.length) return { kind: 'unchanged' };
  return { kind: 'translated', text: r.text, parts: r.parts ?? [r.text], findings: r.findings };
}

/** The flags buildctl takes as a role reads them, for messages. */
export function roleText(role: VariableRole): string {
  return ROLE_TEXT[role];
}
