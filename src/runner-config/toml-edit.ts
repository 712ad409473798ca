/**
 * Planning, as text insertions, what rootless BuildKit needs of each runner of a GitLab Runner `config.toml`: the
 * AppArmor pod annotation for a Kubernetes runner, `security_opt = ["seccomp:unconfined", "apparmor:unconfined"]` in
 * `[runners.docker]` for a Docker runner (KB808).
 *
 * Never re-serialises: every change is an insertion of whole lines (a key, or a new table) or of text inside an existing
 * one-line inline table or array. Each runner's insertion is checked on its own by re-parsing with smol-toml: the result
 * must equal the original data plus exactly that runner's change.
 */
import { parse, TomlError } from 'smol-toml';
import { formatKey, scanToml, type TomlStatement } from './toml-scan.js';

export const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/build';
export const APPARMOR_VALUE = 'unconfined';
const ANNOTATIONS_PATH = ['runners', 'kubernetes', 'pod_annotations'] as const;
const ANNOTATION_KV = `${JSON.stringify(APPARMOR_ANNOTATION)} = ${JSON.stringify(APPARMOR_VALUE)}`;

export type Table = { [key: string]: unknown };

export type TomlEdit =
  /** Insert whole lines at `at` (a line start, or the text's end). Lines carry their indentation, not their EOL. */
  | { runner: number; kind: 'lines'; at: number; lines: string[] }
  /** Insert `text` at `at` inside a line. */
  | { runner: number; kind: 'inline'; at: number; text: string };

/** The Docker security options rootless BuildKit needs (KB808), as GitLab Runner's `security_opt` writes them. */
export const DOCKER_SECURITY_OPT = ['seccomp:unconfined', 'apparmor:unconfined'] as const;
const DOCKER_PATH = ['runners', 'docker'] as const;
const SECURITY_OPT_PATH = ['runners', 'docker', 'security_opt'] as const;
/** Executors that run the job in a Linux Docker container, configured in `[runners.docker]`. */
const DOCKER_EXECUTORS = new Set(['docker', 'docker+machine', 'docker-autoscaler']);

/** What a runner runs jobs in, as far as rootless BuildKit cares. */
export type RunnerKind = 'kubernetes' | 'docker' | 'other';

/**
 * `changed`: the runner gets (or, in a dry run, would get) what it needs; `already-set`: it has it; `other-value`: a
 * value of its own is in the way (KB901, KB907), left as it is; `not-applicable`: no Docker or Kubernetes executor;
 * `manual`: it cannot be edited surgically (KB905).
 */
export type RunnerStatus = 'changed' | 'already-set' | 'other-value' | 'not-applicable' | 'manual';

export interface RunnerReport {
  /** 0-based position among the `[[runners]]` entries. */
  index: number;
  name?: string;
  executor?: string;
  kind: RunnerKind;
  status: RunnerStatus;
  /** 1-based line in the TOML text: the relevant key or table when there is one, else the `[[runners]]` header. */
  line: number;
  /** The value found when `status` is 'other-value'. */
  value?: string;
  /** Why a runner is 'manual' (or 'not-applicable', when there is more to say than its executor). */
  reason?: string;
  /** Docker: the `security_opt` entries added (or that would be). */
  added?: string[];
  /** Docker: `privileged = true`, which runs rootless BuildKit as it is. */
  privileged?: boolean;
  /** Docker: `security_opt` holds `no-new-privileges`, which stops newuidmap (KB908). */
  noNewPrivileges?: boolean;
}

/** One runner's change, as data: what the verification expects the edited TOML to hold. */
export type RunnerChange =
  { runner: number; kind: 'kubernetes' } | { runner: number; kind: 'docker'; add: readonly string[] };

export interface TomlPlan {
  data: Table;
  runners: RunnerReport[];
  edits: TomlEdit[];
  /** The change of each edited runner, in the order of `edits`. */
  changes: RunnerChange[];
}

/** Invalid TOML, with the position smol-toml reports (1-based line and column). */
export class TomlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'TomlSyntaxError';
  }
}

export function parseToml(text: string): Table {
  try {
    return parse(text) as Table;
  } catch (e) {
    if (e instanceof TomlError)
      throw new TomlSyntaxError(e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, ''), e.line, e.column);
    throw e;
  }
}

export function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const startsWith = (a: readonly string[], prefix: readonly string[]) =>
  a.length >= prefix.length && prefix.every((x, i) => x === a[i]);
const absPath = (s: TomlStatement) => (s.kind === 'keyval' ? [...s.table, ...s.key] : s.key);

/** Line ending to use for an insertion at `at`: that of the line before it, else the file's first one, else LF. */
export function eolAt(text: string, at: number): string {
  const before = text.lastIndexOf('\n', at - 1);
  if (before >= 0) return text[before - 1] === '\r' ? '\r\n' : '\n';
  const first = text.indexOf('\n');
  return first > 0 && text[first - 1] === '\r' ? '\r\n' : '\n';
}

/** Applies insertions (all against the same original text). */
export function applyTomlEdits(
  text: string,
  edits: readonly TomlEdit[],
  eol: (at: number) => string = (at) => eolAt(text, at),
): string {
  const sorted = [...edits].sort((a, b) => b.at - a.at);
  let out = text;
  for (const e of sorted) {
    let ins: string;
    if (e.kind === 'inline') ins = e.text;
    else {
      const nl = eol(e.at);
      ins =
        e.at === text.length && text.length > 0 && !text.endsWith('\n')
          ? nl + e.lines.join(nl)
          : e.lines.map((l) => l + nl).join('');
    }
    out = out.slice(0, e.at) + ins + out.slice(e.at);
  }
  return out;
}

// ---- data checks ----

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isTable(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  return v;
}

function dateText(d: Date): string {
  try {
    return d.toISOString();
  } catch {
    return String(d);
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    if (!(a instanceof Date && b instanceof Date) || a.constructor !== b.constructor) return false;
    // TomlDate overrides toISOString to keep its kind (offset, local date-time, local date, local time).
    return Object.is(a.getTime(), b.getTime()) && dateText(a) === dateText(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isTable(a) || isTable(b)) {
    if (!isTable(a) || !isTable(b)) return false;
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return samePath(ka, kb) && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return Object.is(a, b);
}

/** The original data with the given runners' changes made. */
export function withChanges(data: Table, changes: Iterable<RunnerChange>): Table {
  const copy = clone(data) as Table;
  const runners = copy['runners'] as Table[];
  const table = (t: Table, keys: readonly string[]): Table => {
    for (const k of keys) {
      if (!isTable(t[k])) t[k] = {};
      t = t[k] as Table;
    }
    return t;
  };
  for (const c of changes) {
    if (c.kind === 'kubernetes')
      table(runners[c.runner]!, ANNOTATIONS_PATH.slice(1))[APPARMOR_ANNOTATION] = APPARMOR_VALUE;
    else {
      const docker = table(runners[c.runner]!, DOCKER_PATH.slice(1));
      docker['security_opt'] = [...((docker['security_opt'] as string[] | undefined) ?? []), ...c.add];
    }
  }
  return copy;
}

/** Null when `text` parses to `original` with exactly `changes` made; else why not. */
export function checkEdited(original: Table, text: string, changes: Iterable<RunnerChange>): string | null {
  let now: Table;
  try {
    now = parseToml(text);
  } catch (e) {
    return `the result is not valid TOML (${(e as Error).message})`;
  }
  return deepEqual(now, withChanges(original, changes))
    ? null
    : 'the result differs from the original by more than the change';
}

// ---- planning ----

interface Region {
  /** Statements of this runner: its `[[runners]]` header, its keys, and its `[runners.*]` sub-tables. */
  stmts: TomlStatement[];
}

function regions(stmts: TomlStatement[]): Region[] {
  const out: Region[] = [];
  let current: Region | undefined;
  for (const s of stmts) {
    if (s.kind === 'array-table' && samePath(s.key, ['runners'])) {
      current = { stmts: [s] };
      out.push(current);
    } else if (s.kind !== 'keyval' && s.key[0] !== 'runners') {
      current = undefined;
    } else if (current) {
      current.stmts.push(s);
    }
  }
  return out;
}

/** The indentation step the file uses between a header and its keys ('' for flat files, '  ' when unknown). */
function indentUnit(stmts: TomlStatement[]): string {
  for (let i = 0; i + 1 < stmts.length; i++) {
    const h = stmts[i]!;
    const k = stmts[i + 1]!;
    if (h.kind !== 'keyval' && k.kind === 'keyval' && k.indent.startsWith(h.indent))
      return k.indent.slice(h.indent.length);
  }
  return '  ';
}

/** The last statement of the table opened by header `h` (its last key), or `h` itself when it has none. */
function lastOfTable(region: Region, h: TomlStatement): TomlStatement {
  const i = region.stmts.indexOf(h);
  let last = h;
  for (let j = i + 1; j < region.stmts.length && region.stmts[j]!.kind === 'keyval'; j++) last = region.stmts[j]!;
  return last;
}

function firstKeyOf(region: Region, h: TomlStatement): TomlStatement | undefined {
  const next = region.stmts[region.stmts.indexOf(h) + 1];
  return next?.kind === 'keyval' ? next : undefined;
}

/** A runner's kind: its executor decides; without one, its `kubernetes` or `docker` table (or the Helm chart's default). */
function kindOf(r: Table, defaultKubernetes: boolean): RunnerKind {
  const executor = r['executor'];
  if (executor === 'kubernetes') return 'kubernetes';
  if (typeof executor === 'string') return DOCKER_EXECUTORS.has(executor) ? 'docker' : 'other';
  if (isTable(r['kubernetes'])) return 'kubernetes';
  if (isTable(r['docker'])) return 'docker';
  return defaultKubernetes ? 'kubernetes' : 'other';
}

export function planToml(text: string, opts: { defaultKubernetes: boolean }): TomlPlan {
  const data = parseToml(text);
  const stmts = scanToml(text);
  const runnersData = data['runners'];
  const list = Array.isArray(runnersData) ? runnersData : [];
  const regs = regions(stmts);
  const unit = indentUnit(stmts);
  const reports: RunnerReport[] = [];
  const edits: TomlEdit[] = [];
  const changes: RunnerChange[] = [];

  if (list.length && regs.length !== list.length) {
    // `runners = [ … ]` written as an inline array: no [[runners]] headers to anchor on.
    list.forEach((runner, index) =>
      reports.push({
        index,
        kind: kindOf(isTable(runner) ? runner : {}, opts.defaultKubernetes),
        status: 'manual',
        line: 1,
        reason: 'the runners are not written as [[runners]] tables',
      }),
    );
    return { data, runners: reports, edits, changes };
  }

  list.forEach((runner, index) => {
    const region = regs[index]!;
    const header = region.stmts[0]!;
    const r = isTable(runner) ? runner : {};
    const kind = kindOf(r, opts.defaultKubernetes);
    const base: Pick<RunnerReport, 'index' | 'name' | 'executor' | 'kind'> = {
      index,
      ...(typeof r['name'] === 'string' ? { name: r['name'] } : {}),
      ...(typeof r['executor'] === 'string' ? { executor: r['executor'] } : {}),
      kind,
    };
    const planned =
      kind === 'kubernetes'
        ? planKubernetes(text, region, index, unit, r)
        : kind === 'docker'
          ? planDocker(text, region, index, unit, r)
          : { status: 'not-applicable' as const, line: header.line };
    if (!('edit' in planned)) {
      reports.push({ ...base, ...planned });
      return;
    }
    const { edit, change, report } = planned;
    const why = checkEdited(data, applyTomlEdits(text, [edit]), [change]);
    if (why) {
      reports.push({ ...base, status: 'manual', line: header.line, reason: why });
      return;
    }
    reports.push({ ...base, ...report, status: 'changed' });
    edits.push(edit);
    changes.push(change);
  });
  return { data, runners: reports, edits, changes };
}

type Report = Omit<RunnerReport, 'index' | 'name' | 'executor' | 'kind'>;
/** A runner's plan: its report, or an edit to verify with the change it makes and the report it then gets. */
type Planned = Report | { edit: TomlEdit; change: RunnerChange; report: Omit<Report, 'status'> };

const lineOf = (region: Region, path: readonly string[]) => region.stmts.find((s) => samePath(absPath(s), path))?.line;

function planKubernetes(text: string, region: Region, index: number, unit: string, r: Table): Planned {
  const header = region.stmts[0]!;
  const k8s = r['kubernetes'];
  const annotations = isTable(k8s) ? k8s['pod_annotations'] : undefined;
  const existing = isTable(annotations) ? annotations[APPARMOR_ANNOTATION] : undefined;
  const keyLine = lineOf(region, [...ANNOTATIONS_PATH, APPARMOR_ANNOTATION]) ?? header.line;
  if (existing === APPARMOR_VALUE) return { status: 'already-set', line: keyLine };
  if (existing !== undefined)
    return {
      status: 'other-value',
      line: keyLine,
      value: typeof existing === 'string' ? existing : JSON.stringify(existing),
    };
  if (annotations !== undefined && !isTable(annotations))
    return { status: 'manual', line: header.line, reason: 'pod_annotations is not a table' };
  const edit = planRunner(text, region, index, unit, annotations !== undefined);
  if (typeof edit === 'string') return { status: 'manual', line: header.line, reason: edit };
  const anchor = region.stmts.find((s) => s.kind === 'table' && samePath(s.key, ANNOTATIONS_PATH));
  return { edit, change: { runner: index, kind: 'kubernetes' }, report: { line: anchor?.line ?? header.line } };
}

/** `seccomp:PROFILE`, `seccomp=PROFILE` (Docker reads both), the same for AppArmor. */
const SECURITY_OPTION = /^(seccomp|apparmor)[:=](.*)$/;
const NO_NEW_PRIVILEGES = /^no-new-privileges(?:[:=]true)?$/;

function planDocker(text: string, region: Region, index: number, unit: string, r: Table): Planned {
  const header = region.stmts[0]!;
  const docker = r['docker'];
  const dockerHeader = region.stmts.find((s) => s.kind === 'table' && samePath(s.key, DOCKER_PATH));
  const tableLine = dockerHeader?.line ?? header.line;
  if (docker !== undefined && !isTable(docker))
    return { status: 'manual', line: header.line, reason: 'docker is not a table' };
  const opts = isTable(docker) ? docker['security_opt'] : undefined;
  const optLine = lineOf(region, SECURITY_OPT_PATH) ?? tableLine;
  if (opts !== undefined && !(Array.isArray(opts) && opts.every((o) => typeof o === 'string')))
    return { status: 'manual', line: optLine, reason: 'security_opt is not an array of strings' };
  const entries = (opts as string[] | undefined) ?? [];
  const noNewPrivileges = entries.some((e) => NO_NEW_PRIVILEGES.test(e)) ? { noNewPrivileges: true } : {};
  if (isTable(docker) && docker['privileged'] === true)
    return {
      status: 'already-set',
      line: lineOf(region, [...DOCKER_PATH, 'privileged']) ?? tableLine,
      privileged: true,
      ...noNewPrivileges,
    };
  const add: string[] = [];
  for (const wanted of DOCKER_SECURITY_OPT) {
    const key = wanted.split(':')[0]!;
    const set = entries.filter((e) => SECURITY_OPTION.exec(e)?.[1] === key);
    if (set.some((e) => SECURITY_OPTION.exec(e)![2] === 'unconfined')) continue;
    if (set.length) return { status: 'other-value', line: optLine, value: set[0]!, ...noNewPrivileges };
    add.push(wanted);
  }
  if (!add.length) return { status: 'already-set', line: optLine, ...noNewPrivileges };
  const edit = dockerEdit(text, region, index, unit, add, opts !== undefined, docker !== undefined);
  if (typeof edit === 'string') return { status: 'manual', line: optLine, reason: edit, ...noNewPrivileges };
  return {
    edit,
    change: { runner: index, kind: 'docker', add },
    report: { line: opts !== undefined ? optLine : tableLine, added: add, ...noNewPrivileges },
  };
}

/** The insertion of `add` into a Docker runner's `security_opt`, or why it cannot be made. */
function dockerEdit(
  text: string,
  region: Region,
  runner: number,
  unit: string,
  add: readonly string[],
  optsExist: boolean,
  dockerExists: boolean,
): TomlEdit | string {
  const items = add.map((a) => JSON.stringify(a)).join(', ');
  if (optsExist) {
    const key = region.stmts.find((s) => s.kind === 'keyval' && samePath(absPath(s), SECURITY_OPT_PATH));
    if (!key) return 'security_opt is defined inside an inline table';
    const value = text.slice(key.valueStart!, key.valueEnd!);
    if (/[\r\n]/.test(value)) return 'security_opt is an array spanning several lines';
    const close = key.valueEnd! - 1;
    if (text[close] !== ']') return 'security_opt is not a one-line array';
    let k = close - 1;
    while (k > key.valueStart! && /\s/.test(text[k]!)) k--;
    const prev = text[k];
    const ins = prev === '[' ? items : prev === ',' ? ` ${items}` : `, ${items}`;
    return { runner, kind: 'inline', at: k + 1, text: ins };
  }
  const line = `security_opt = [${items}]`;
  const dockerHeader = region.stmts.find((s) => s.kind === 'table' && samePath(s.key, DOCKER_PATH));
  if (dockerHeader) {
    const first = firstKeyOf(region, dockerHeader);
    return {
      runner,
      kind: 'lines',
      at: lastOfTable(region, dockerHeader).lineEnd,
      lines: [(first ? first.indent : dockerHeader.indent + unit) + line],
    };
  }
  if (dockerExists) return 'docker is an inline table or written with dotted keys';
  // No [runners.docker] yet: a new table at the end of the runner.
  const head = region.stmts[0]!;
  const headerIndent = firstKeyOf(region, head)?.indent ?? head.indent + unit;
  return {
    runner,
    kind: 'lines',
    at: region.stmts[region.stmts.length - 1]!.lineEnd,
    lines: [`${headerIndent}[${formatKey(DOCKER_PATH)}]`, `${headerIndent}${unit}${line}`],
  };
}

/** One runner's insertion, or why it cannot be made. */
function planRunner(
  text: string,
  region: Region,
  runner: number,
  unit: string,
  annotationsExist: boolean,
): TomlEdit | string {
  const annotationsHeader = region.stmts.find((s) => s.kind === 'table' && samePath(s.key, ANNOTATIONS_PATH));
  if (annotationsHeader) {
    const first = firstKeyOf(region, annotationsHeader);
    const indent = first ? first.indent : annotationsHeader.indent + unit;
    return {
      runner,
      kind: 'lines',
      at: lastOfTable(region, annotationsHeader).lineEnd,
      lines: [indent + ANNOTATION_KV],
    };
  }

  if (annotationsExist) {
    // pod_annotations = { … } (inline table) or pod_annotations."k" = "v" (dotted keys)
    const inline = region.stmts.find((s) => s.kind === 'keyval' && samePath(absPath(s), ANNOTATIONS_PATH));
    if (inline) {
      const close = inline.valueEnd! - 1;
      if (text[close] !== '}') return 'pod_annotations is not a one-line inline table';
      let k = close - 1;
      while (k > inline.valueStart! && /\s/.test(text[k]!)) k--;
      if (/[\r\n]/.test(text.slice(inline.valueStart!, inline.valueEnd!)))
        return 'pod_annotations is an inline table spanning several lines';
      const prev = text[k];
      const ins =
        prev === '{'
          ? ` ${ANNOTATION_KV}${k + 1 === close ? ' ' : ''}`
          : prev === ','
            ? ` ${ANNOTATION_KV}`
            : `, ${ANNOTATION_KV}`;
      return { runner, kind: 'inline', at: k + 1, text: ins };
    }
    const dotted = region.stmts.filter((s) => s.kind === 'keyval' && startsWith(absPath(s), ANNOTATIONS_PATH));
    const last = dotted[dotted.length - 1];
    if (!last) return 'pod_annotations is defined inside an inline table';
    const rel = [...ANNOTATIONS_PATH, APPARMOR_ANNOTATION].slice(last.table.length);
    return {
      runner,
      kind: 'lines',
      at: last.lineEnd,
      lines: [`${last.indent}${formatKey(rel)} = ${JSON.stringify(APPARMOR_VALUE)}`],
    };
  }

  // No pod_annotations yet: a new table, after the [runners.kubernetes] table's keys, else at the end of the runner.
  const k8sHeader = region.stmts.find((s) => s.kind === 'table' && samePath(s.key, ['runners', 'kubernetes']));
  const parent = k8sHeader ?? region.stmts[0]!;
  const headerIndent = firstKeyOf(region, parent)?.indent ?? parent.indent + unit;
  const after = k8sHeader ? lastOfTable(region, k8sHeader) : region.stmts[region.stmts.length - 1]!;
  return {
    runner,
    kind: 'lines',
    at: after.lineEnd,
    lines: [`${headerIndent}[${formatKey(ANNOTATIONS_PATH)}]`, `${headerIndent}${unit}${ANNOTATION_KV}`],
  };
}
