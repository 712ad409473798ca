/**
 * The state entries share while one Kaniko call is planned (CallState in types.ts): the plan being written, what the
 * `destinations` phase decided, the call's variables, and the findings raised.
 */
import { emptyPlan, type BuildPlan, type CsvField } from '../plan/build-plan.js';
import { concat, displayText, lit, staticText, type ShellText } from '../shell/quote.js';
import { severityOf, type Code } from '../findings/registry.js';
import { shownText } from './define.js';
import { callFinding } from './finding.js';
import type {
  AttrTargets,
  CacheDecision,
  CacheUse,
  CallFinding,
  CallState,
  CallVariables,
  FlagUse,
  KanikoCall,
  NameSource,
  PlanEnv,
  FragmentHost,
} from './types.js';

/** Thrown by `bool` when a value only known at run time stops the call; the runner catches it. */
export class ManualStop extends Error {}

/** A parameter expansion written by the migration, always inside double quotes. */
export function param(raw: string, name: string): ShellText {
  return [{ kind: 'param', raw, name, quoted: true }];
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

/** strconv.ParseBool */
function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

export class PlanState implements CallState {
  readonly plan: BuildPlan = emptyPlan();
  readonly findings: CallFinding[] = [];
  destinations: ShellText[] = [];
  push = true;
  private stopped = false;

  constructor(
    readonly call: KanikoCall,
    private readonly env: PlanEnv,
    readonly vars: CallVariables = { names: [] },
    readonly host?: FragmentHost,
  ) {}

  /**
   * The call's destinations, then each name source (`${DESTS:+,$DESTS}` after a written name, so an empty list adds
   * nothing). Undefined when that cannot be written exactly: two sources and no written name (an empty first list
   * would leave a leading comma), or a loop's names after others (an empty loop would leave a trailing one).
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

  firstImageName(): ShellText | undefined {
    return this.destinations[0] ?? this.vars.names[0]?.first;
  }

  variableValue(name: string): string | undefined {
    return this.env.variable?.(name);
  }

  fileExists(path: string): boolean | undefined {
    return this.env.fileExists(path);
  }

  cacheRef(use: CacheUse): CacheDecision | undefined {
    return this.env.cacheRef?.(use);
  }

  pushedName(destination: ShellText): ShellText {
    return this.env.retag ? this.env.retag(destination) : destination;
  }

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

  bool(name: string): boolean | undefined {
    const use = this.last(name);
    if (!use) return undefined;
    if (!use.value) return true;
    const v = staticText(use.value) ?? this.jobValue(use.value);
    const parsed = v === undefined ? undefined : parseGoBool(v);
    if (parsed === undefined) {
      this.report(
        'KB301',
        `${use.spelling}=${shownText(use.value)}: the value is not a boolean known before the job runs`,
        use,
      );
      throw new ManualStop();
    }
    return parsed;
  }

  /** `$V` or `${V}` alone, when the job's `variables:` give V a value with no expansion in it. */
  private jobValue(value: ShellText): string | undefined {
    const shown = displayText(value);
    const m = /^"?\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))"?$/.exec(shown);
    const v = m ? this.variableValue(m[1] ?? m[2]!) : undefined;
    return v !== undefined && !/[$`\\]/.test(v) ? v : undefined;
  }

  /** Image-like outputs get the field (`registry.*` only pushed images), and registry caches. */
  addAttr(attr: CsvField, to: AttrTargets): void {
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

  report(code: Code, message: string, use?: FlagUse): void {
    const finding = callFinding(code, message, use?.nameWord.start);
    if (severityOf(code) === 'manual') this.stopped = true;
    this.findings.push(finding);
  }

  /** Records a finding made elsewhere (a problem of the call's words, a look-alike character). */
  add(finding: CallFinding): void {
    this.findings.push(finding);
  }

  get isManual(): boolean {
    return this.stopped;
  }
}
