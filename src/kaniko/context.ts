/**
 * Running the flag table over one Kaniko call: the state entries share, and the findings they raise.
 * `planCall` is the only entry point; it never throws for a call it cannot map: it returns `manual` findings instead.
 */
import { emptyPlan, type BuildPlan, type CsvField } from '../plan/build-plan.js';
import { concat, displayText, lit, staticText, type ShellText } from '../shell/quote.js';
import type { Severity } from '../findings/types.js';
import { describeChar, type CallProblem, type FlagUse, type KanikoCall } from './call.js';
import { FLAGS, type KanikoFlag } from './flags.js';

/** What planning may ask about the world outside the call. */
export interface PlanEnv {
  /** Does this path (relative to the repository root, which is the job's working directory) exist? undefined = cannot tell. */
  fileExists(path: string): boolean | undefined;
  /** The value the pipeline file gives a variable for this job (as written, before expansion); undefined when none. */
  variable?(name: string): string | undefined;
}

export interface CallFinding {
  code: string;
  severity: Severity;
  message: string;
  /** Offset in the script of the word concerned, when there is one. */
  offset?: number;
}

export interface CallPlan {
  plan: BuildPlan;
  findings: CallFinding[];
  /** True when the call must stay as it is (a `manual` finding says why). */
  manual: boolean;
}

class ManualStop extends Error {}

/**
 * Where image names come from at run time, besides the call's own `--destination`s: a variable the migration turned
 * into a comma-separated list (`$DESTS`), or a loop that printed `--destination` flags, now printing names.
 */
export interface NameSource {
  /** As written in the call (for messages). */
  label: string;
  /** The whole list, comma-separated. */
  all: ShellText;
  /** Its first name. */
  first: ShellText;
  /** `,` and the list when it is not empty, nothing otherwise (to follow other names); absent when that cannot be said. */
  appended?: ShellText;
}

/**
 * What the call's variables hold after the migration rewrote them from Kaniko flags (see VariableRole in flags.ts):
 * image names, and a push switch (a variable holding `false`, or empty for the default).
 */
export interface CallVariables {
  names: NameSource[];
  push?: string;
}

/** A list variable's name source: `$V`, `${V%%,*}`, `${V:+,$V}`. */
export function variableNames(v: string): NameSource {
  return {
    label: `$${v}`,
    all: param(`$${v}`, v),
    first: param(`\${${v}%%,*}`, v),
    appended: param(`\${${v}:+,$${v}}`, v),
  };
}

export class CallContext {
  readonly plan: BuildPlan = emptyPlan();
  readonly findings: CallFinding[] = [];
  /** The `--destination` values written in the call. */
  destinations: ShellText[] = [];
  push = true;
  private stopped = false;

  constructor(
    readonly call: KanikoCall,
    private readonly env: PlanEnv,
    readonly vars: CallVariables = { names: [] },
  ) {}

  /**
   * Every image name the output gets, as `name=` values: the call's destinations, then each name source
   * (`${DESTS:+,$DESTS}` after a written name, so an empty list adds nothing). Undefined when that cannot be written
   * exactly: two sources and no written name (an empty first list would leave a leading comma), or a loop's names after
   * others (an empty loop would leave a trailing one).
   */
  imageNames(): ShellText[] | undefined {
    const names = [...this.destinations];
    for (const src of this.vars.names) {
      if (!names.length && this.vars.names.length === 1) names.push(src.all);
      else if (names.length && src.appended) names[names.length - 1] = concat(names[names.length - 1]!, src.appended);
      else return undefined;
    }
    return names;
  }

  /** The first image name, for the cache repository Kaniko derives from it. */
  firstImageName(): ShellText | undefined {
    return this.destinations[0] ?? this.vars.names[0]?.first;
  }

  /** A variable's value from the pipeline file, for this job. */
  variableValue(name: string): string | undefined {
    return this.env.variable?.(name);
  }

  /** The output's `push=` value: `true`, or `${VAR:-true}` when a variable held `--no-push`. */
  pushValue(): ShellText {
    const v = this.vars.push;
    return v ? param(`\${${v}:-true}`, v) : lit('true');
  }

  all(name: string): FlagUse[] {
    return this.call.uses.filter((u) => u.flag.name === name);
  }

  last(name: string): FlagUse | undefined {
    const uses = this.all(name);
    return uses[uses.length - 1];
  }

  /** A bool flag's value: undefined when absent; a value only known at run time stops the migration of this call. */
  bool(name: string): boolean | undefined {
    const use = this.last(name);
    if (!use) return undefined;
    if (!use.value) return true;
    const v = staticText(use.value);
    const parsed = v === undefined ? undefined : parseGoBool(v);
    if (parsed === undefined) {
      this.manual(
        'KB301',
        `${use.spelling}=${displayText(use.value)}: the value is not a boolean known before the job runs`,
        use,
      );
      throw new ManualStop();
    }
    return parsed;
  }

  /**
   * Adds a CSV field to the outputs and caches made so far: image-like outputs (`registry.*` only to pushed images)
   * and registry caches.
   */
  addAttr(attr: CsvField, to: { images?: boolean; importCache?: boolean; exportCache?: boolean }): void {
    const typeOf = (rec: CsvField[]) => staticText(rec.find((f) => f.key === 'type')?.values[0] ?? []) ?? '';
    if (to.images) {
      for (const rec of this.plan.outputs) {
        const t = typeOf(rec);
        if (attr.key.startsWith('registry.') ? t === 'image' : ['image', 'docker', 'oci'].includes(t)) rec.push(attr);
      }
    }
    if (to.importCache) for (const rec of this.plan.importCache) if (typeOf(rec) === 'registry') rec.push(attr);
    if (to.exportCache) for (const rec of this.plan.exportCache) if (typeOf(rec) === 'registry') rec.push(attr);
  }

  info(code: string, message: string, use?: FlagUse): void {
    this.add(code, 'info', message, use);
  }

  warn(code: string, message: string, use?: FlagUse): void {
    this.add(code, 'warning', message, use);
  }

  manual(code: string, message: string, use?: FlagUse): void {
    this.stopped = true;
    this.add(code, 'manual', message, use);
  }

  get isManual(): boolean {
    return this.stopped;
  }

  /**
   * Kaniko resolves a relative --dockerfile against the working directory when that file exists, else inside the
   * context (§2.3). BuildKit resolves `--local dockerfile=` against its working directory, so the path is rewritten
   * to the one Kaniko would have used.
   */
  resolveDockerfile(rel: ShellText, use: FlagUse | undefined): ShellText {
    const context = this.plan.context;
    const ctxRel = repoRelative(context);
    if (ctxRel === '') return rel; // context is the working directory: both readings agree
    const relStatic = staticText(rel);
    if (relStatic !== undefined) {
      const inCwd = this.env.fileExists(normalise(relStatic));
      if (inCwd) return rel;
      if (ctxRel !== undefined) {
        const inContext = this.env.fileExists(normalise(`${ctxRel}/${relStatic}`));
        if (inContext) return joinDir(context, rel);
        if (inCwd === false && inContext === false) {
          this.warn(
            'KB304',
            `--dockerfile ${relStatic}: found neither in the job folder nor in the context ${displayText(context)}; assumed inside the context, as Kaniko tries last`,
            use,
          );
          return joinDir(context, rel);
        }
      }
    }
    const shownRel = displayText(rel).replace(/^\.\//, '');
    const shownCtx = displayText(context).replace(/^\.\//, '');
    if ((shownCtx && shownRel.startsWith(`${shownCtx}/`)) || (ctxRel && shownRel.startsWith(`${ctxRel}/`))) {
      this.warn(
        'KB304',
        `--dockerfile ${displayText(rel)}: could not check the repository; read as relative to the job folder, since it starts with the context path`,
        use,
      );
      return rel;
    }
    this.warn(
      'KB304',
      `--dockerfile ${displayText(rel)}: could not check the repository; read as relative to the context ${displayText(context)} (Kaniko first tries the job folder)`,
      use,
    );
    return joinDir(context, rel);
  }

  private add(code: string, severity: Severity, message: string, use?: FlagUse): void {
    this.findings.push({ code, severity, message, offset: use?.nameWord.start });
  }
}

/** A parameter expansion written by the migration, always inside double quotes. */
function param(raw: string, name: string): ShellText {
  return [{ kind: 'param', raw, name, quoted: true }];
}

function joinDir(dir: ShellText, rel: ShellText): ShellText {
  const relStatic = staticText(rel);
  const cleanRel = relStatic?.startsWith('./') ? lit(relStatic.slice(2)) : rel;
  return staticText(dir) === '.' ? cleanRel : concat(dir, lit('/'), cleanRel);
}

/** The context as a path relative to the repository root: '' for the root itself, undefined when unknown. */
function repoRelative(context: ShellText): string | undefined {
  const shown = displayText(context);
  const m = /^(?:\$\{CI_PROJECT_DIR\}|\$CI_PROJECT_DIR(?![A-Za-z0-9_]))(.*)$/.exec(shown);
  const rest = m ? m[1]! : shown;
  if (m && rest !== '' && !rest.startsWith('/')) return undefined;
  if (!m && (rest.startsWith('/') || staticText(context) === undefined)) return undefined;
  if (/[$`]/.test(rest)) return undefined;
  return normalise(rest.replace(/^\/+/, ''));
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

/** strconv.ParseBool */
function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function problemFinding(p: CallProblem): CallFinding {
  switch (p.kind) {
    case 'unknown-flag':
      return {
        code: 'KB301',
        severity: 'manual',
        message: `${p.text} is not a Kaniko executor flag this tool knows; map it by hand or remove it`,
        offset: p.word.start,
      };
    case 'dynamic-argument':
      return {
        code: 'KB204',
        severity: 'manual',
        message: `${p.text} expands to executor arguments only when the job runs${p.detail ? ` (${p.detail})` : ''}; rewrite those arguments as buildctl flags by hand (see \`kaniko2buildkit explain KB204\`)`,
        offset: p.word.start,
      };
    case 'positional':
      return {
        code: 'KB301',
        severity: 'manual',
        message: `unexpected argument ${p.text}: the executor takes no positional arguments`,
        offset: p.word.start,
      };
    case 'missing-value':
      return { code: 'KB301', severity: 'manual', message: `${p.text} has no value`, offset: p.word.start };
  }
}

/**
 * Plans flags that stand apart from the call (words of a variable like `$KANIKO_ARGS`): only flags that become
 * `--opt`/`--secret` arguments, or that are dropped. Returns the buildctl arguments, or why it cannot.
 */
export function planFragment(
  call: KanikoCall,
  env: PlanEnv,
): { args: ShellText[][]; findings: CallFinding[] } | { reason: string } {
  if (call.problems.length)
    return { reason: `${call.problems[0]!.text} is not a Kaniko flag this tool can read there` };
  const odd = call.uses.find((u) =>
    u.flag.mapping.action === 'map' ? u.flag.inVariable !== 'args' : u.flag.mapping.action === 'manual',
  );
  if (odd) return { reason: `${odd.spelling} only works inside the executor call` };
  const ctx = new CallContext(call, env);
  try {
    for (const flag of FLAGS) if (ctx.all(flag.name).length) runEntry(ctx, flag);
  } catch (e) {
    if (!(e instanceof ManualStop)) throw e;
  }
  if (ctx.isManual) return { reason: ctx.findings.find((f) => f.severity === 'manual')?.message ?? 'needs a person' };
  const args: ShellText[][] = [
    ...ctx.plan.opts.map((o) => [lit('--opt'), o]),
    ...ctx.plan.secrets.map((s) => [lit('--secret'), s]),
  ];
  return { args, findings: ctx.findings };
}

export function planCall(call: KanikoCall, env: PlanEnv, vars?: CallVariables): CallPlan {
  const ctx = new CallContext(call, env, vars);
  for (const p of call.problems) {
    const f = problemFinding(p);
    ctx.findings.push(f);
  }
  for (const use of call.uses) {
    if (use.lookalike) {
      ctx.findings.push({
        code: 'KB313',
        severity: 'warning',
        message: `${describeChar(use.lookalike.char)} in "${use.nameWord.raw}": the shell passes it as part of the word and Kaniko rejected the flag; read as ${use.spelling} with its value`,
        offset: use.lookalike.offset,
      });
    }
  }
  const stoppedByProblems = call.problems.length > 0;
  try {
    for (const flag of FLAGS) runEntry(ctx, flag);
  } catch (e) {
    if (!(e instanceof ManualStop)) throw e;
  }
  return { plan: ctx.plan, findings: ctx.findings, manual: stoppedByProblems || ctx.isManual };
}

function runEntry(ctx: CallContext, flag: KanikoFlag): void {
  const uses = ctx.all(flag.name);
  const m = flag.mapping;
  if (m.action === 'map') {
    m.apply(ctx, uses);
    return;
  }
  for (const use of uses) {
    const shown = use.value ? `${use.spelling} ${displayText(use.value)}` : use.spelling;
    if (m.action === 'drop') ctx.info(m.code, `${shown} dropped: ${m.reason}`, use);
    else if (m.action === 'note') ctx.warn(m.code, `${shown} dropped: ${m.reason}`, use);
    else ctx.manual(m.code, `${shown}: ${m.reason}`, use);
  }
}
