/**
 * Planning the AppArmor annotation for each Kubernetes runner of a GitLab Runner `config.toml`, as text insertions.
 *
 * Never re-serialises: every change is an insertion of whole lines (a key, or a new `[runners.kubernetes.pod_annotations]`
 * table) or of a `key = value` pair inside an existing inline table. Each runner's insertion is checked on its own by
 * re-parsing with smol-toml: the result must equal the original data plus exactly that one key.
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

export type RunnerStatus = 'annotated' | 'already-annotated' | 'other-value' | 'not-kubernetes' | 'manual';

export interface RunnerReport {
  /** 0-based position among the `[[runners]]` entries. */
  index: number;
  name?: string;
  executor?: string;
  status: RunnerStatus;
  /** 1-based line in the TOML text: the relevant key or table when there is one, else the `[[runners]]` header. */
  line: number;
  /** The value found when `status` is 'other-value'. */
  value?: string;
  /** Why a runner is 'manual'. */
  reason?: string;
}

export interface TomlPlan {
  data: Table;
  runners: RunnerReport[];
  edits: TomlEdit[];
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

/** The original data with the annotation added to the given runners. */
export function withAnnotation(data: Table, runnerIndexes: Iterable<number>): Table {
  const copy = clone(data) as Table;
  const runners = copy['runners'] as Table[];
  for (const i of runnerIndexes) {
    let t: Table = runners[i]!;
    for (const k of ANNOTATIONS_PATH.slice(1)) {
      if (!isTable(t[k])) t[k] = {};
      t = t[k] as Table;
    }
    t[APPARMOR_ANNOTATION] = APPARMOR_VALUE;
  }
  return copy;
}

/** Null when `text` parses to `original` plus the annotation on exactly `runnerIndexes`; else why not. */
export function checkAnnotated(original: Table, text: string, runnerIndexes: Iterable<number>): string | null {
  let now: Table;
  try {
    now = parseToml(text);
  } catch (e) {
    return `the result is not valid TOML (${(e as Error).message})`;
  }
  return deepEqual(now, withAnnotation(original, runnerIndexes))
    ? null
    : 'the result differs from the original by more than the annotation';
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

export function planToml(text: string, opts: { defaultKubernetes: boolean }): TomlPlan {
  const data = parseToml(text);
  const stmts = scanToml(text);
  const runnersData = data['runners'];
  const list = Array.isArray(runnersData) ? runnersData : [];
  const regs = regions(stmts);
  const unit = indentUnit(stmts);
  const reports: RunnerReport[] = [];
  const edits: TomlEdit[] = [];

  if (list.length && regs.length !== list.length) {
    // `runners = [ … ]` written as an inline array: no [[runners]] headers to anchor on.
    list.forEach((_, index) =>
      reports.push({ index, status: 'manual', line: 1, reason: 'the runners are not written as [[runners]] tables' }),
    );
    return { data, runners: reports, edits };
  }

  list.forEach((runner, index) => {
    const region = regs[index]!;
    const header = region.stmts[0]!;
    const r = isTable(runner) ? runner : {};
    const base: Pick<RunnerReport, 'index' | 'name' | 'executor'> = {
      index,
      ...(typeof r['name'] === 'string' ? { name: r['name'] } : {}),
      ...(typeof r['executor'] === 'string' ? { executor: r['executor'] } : {}),
    };
    const executor = r['executor'];
    const k8s = r['kubernetes'];
    const isKubernetes =
      executor === 'kubernetes' || isTable(k8s) || (opts.defaultKubernetes && executor === undefined);
    if (!isKubernetes) {
      reports.push({ ...base, status: 'not-kubernetes', line: header.line });
      return;
    }

    const annotations = isTable(k8s) ? k8s['pod_annotations'] : undefined;
    const existing = isTable(annotations) ? annotations[APPARMOR_ANNOTATION] : undefined;
    const keyStmt = region.stmts.find((s) => samePath(absPath(s), [...ANNOTATIONS_PATH, APPARMOR_ANNOTATION]));
    if (existing === APPARMOR_VALUE) {
      reports.push({ ...base, status: 'already-annotated', line: keyStmt?.line ?? header.line });
      return;
    }
    if (existing !== undefined) {
      reports.push({
        ...base,
        status: 'other-value',
        line: keyStmt?.line ?? header.line,
        value: typeof existing === 'string' ? existing : JSON.stringify(existing),
      });
      return;
    }
    if (annotations !== undefined && !isTable(annotations)) {
      reports.push({ ...base, status: 'manual', line: header.line, reason: 'pod_annotations is not a table' });
      return;
    }

    const edit = planRunner(text, region, index, unit, annotations !== undefined);
    if (typeof edit === 'string') {
      reports.push({ ...base, status: 'manual', line: header.line, reason: edit });
      return;
    }
    const why = checkAnnotated(data, applyTomlEdits(text, [edit]), [index]);
    if (why) {
      reports.push({ ...base, status: 'manual', line: header.line, reason: why });
      return;
    }
    const anchor = region.stmts.find((s) => s.kind === 'table' && samePath(s.key, ANNOTATIONS_PATH));
    reports.push({ ...base, status: 'annotated', line: anchor?.line ?? header.line });
    edits.push(edit);
  });
  return { data, runners: reports, edits };
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
