/**
 * `annotateRunnerConfig`: what rootless BuildKit needs of every runner of a GitLab Runner `config.toml`, or of the
 * runner TOML held by a gitlab-runner Helm chart `values.yaml` (`runners.config: |`): for a Kubernetes runner
 * `"container.apparmor.security.beta.kubernetes.io/build" = "unconfined"` under `[runners.kubernetes.pod_annotations]`,
 * for a Docker runner `security_opt = ["seccomp:unconfined", "apparmor:unconfined"]` in `[runners.docker]`.
 *
 * Surgical: only insertions; comments, order, indentation and line endings (CRLF included) stay as they are.
 * Verified before it is returned: the TOML re-parses to the original data plus exactly the added keys; for Helm,
 * the YAML re-parses without errors, `runners.config` is exactly the edited TOML and every other value is unchanged.
 */
import { isAlias, isMap, isScalar, parseDocument, type Document } from 'yaml';
import { finding } from '../findings/finding.js';
import type { Code, Finding } from '../findings/types.js';
import {
  APPARMOR_ANNOTATION,
  APPARMOR_VALUE,
  applyTomlEdits,
  checkEdited,
  deepEqual,
  eolAt,
  planToml,
  TomlSyntaxError,
  type RunnerReport,
  type TomlEdit,
  type TomlPlan,
} from './toml-edit.js';

export type RunnerConfigKind = 'toml' | 'helm-values';

export interface AnnotateResult {
  output: string;
  changed: boolean;
  kind: RunnerConfigKind;
  /** One entry per `[[runners]]`, lines in the file given (for Helm: lines of the values.yaml). */
  runners: RunnerReport[];
  /**
   * KB901 / KB907 (a value of its own kept), KB903 (no runner to help), KB905 (cannot edit this runner), KB908
   * (no-new-privileges).
   */
  findings: Finding[];
}

/** Input that cannot be edited: KB902 invalid TOML, KB904 unusable Helm values, KB906 invalid YAML. Nothing is written. */
export class RunnerConfigError extends Error {
  constructor(
    readonly code: Code & ('KB902' | 'KB904' | 'KB906'),
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'RunnerConfigError';
  }
  /** `FILE:LINE:COL: message` (position parts only when known). */
  get where(): string {
    return [this.file, this.line, this.line !== undefined ? this.column : undefined]
      .filter((x) => x !== undefined)
      .join(':');
  }
}

export function detectKind(fileName: string): RunnerConfigKind {
  return /\.ya?ml$/i.test(fileName) ? 'helm-values' : 'toml';
}

export function annotateRunnerConfig(text: string, fileName: string): AnnotateResult {
  return detectKind(fileName) === 'helm-values' ? annotateHelmValues(text, fileName) : annotateTomlFile(text, fileName);
}

// ---- config.toml ----

function annotateTomlFile(text: string, file: string): AnnotateResult {
  let plan: TomlPlan;
  try {
    plan = planToml(text, { defaultKubernetes: false });
  } catch (e) {
    if (e instanceof TomlSyntaxError)
      throw new RunnerConfigError('KB902', file, `invalid TOML: ${e.message}`, e.line, e.column);
    throw e;
  }
  const output = applyTomlEdits(text, plan.edits);
  const why = checkEdited(plan.data, output, plan.changes);
  if (why) throw new Error(`internal error: ${why}`); // each edit verified alone; together they must verify too
  return {
    output,
    changed: output !== text,
    kind: 'toml',
    runners: plan.runners,
    findings: findingsOf(plan.runners, file),
  };
}

// ---- Helm values.yaml ----

interface BlockScalar {
  /** The TOML text (the scalar's value, LF line ends). */
  value: string;
  /** Offset of each content line in the file, and its length without the line end. */
  lineStarts: number[];
  lineLengths: number[];
  /** 1-based file line of the first content line. */
  firstLine: number;
  /** The block's content indentation. */
  indent: number;
}

function yamlError(doc: Document, file: string): RunnerConfigError {
  const e = doc.errors[0]!;
  const pos = e.linePos?.[0];
  return new RunnerConfigError(
    'KB906',
    file,
    `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    pos?.line,
    pos?.col,
  );
}

function findBlock(text: string, file: string): { doc: Document; block: BlockScalar } {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length) throw yamlError(doc, file);
  const runners = doc.get('runners', true);
  if (!isMap(runners))
    throw new RunnerConfigError('KB904', file, 'no `runners:` mapping: not a gitlab-runner Helm values file');
  const node = runners.get('config', true);
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  if (node === undefined) throw new RunnerConfigError('KB904', file, 'no `runners.config` in this values file');
  if (isAlias(node))
    throw new RunnerConfigError(
      'KB904',
      file,
      '`runners.config` is an alias; edit the anchored value by hand',
      lineOf(node.range![0]),
    );
  if (!isScalar(node) || typeof node.value !== 'string')
    throw new RunnerConfigError('KB904', file, '`runners.config` is not a string');
  const [start] = node.range!;
  if (node.type !== 'BLOCK_LITERAL') {
    const style =
      {
        BLOCK_FOLDED: 'folded block (>)',
        QUOTE_DOUBLE: 'double-quoted',
        QUOTE_SINGLE: 'single-quoted',
        PLAIN: 'plain',
      }[String(node.type)] ?? String(node.type);
    throw new RunnerConfigError(
      'KB904',
      file,
      `\`runners.config\` is a ${style} string; only a literal block (\`config: |\`) can be edited line by line`,
      lineOf(start),
    );
  }
  const value = node.value;
  const headerEnd = text.indexOf('\n', start);
  const contentStart = headerEnd < 0 ? text.length : headerEnd + 1;
  const header = text.slice(start, headerEnd < 0 ? text.length : headerEnd);
  const explicit = /^\|(?:[+-]?([1-9])|([1-9])[+-]?)/.exec(header);
  const token = node.srcToken as { indent?: number } | undefined;

  // Content lines of the file, as far as the value needs them.
  const lineStarts: number[] = [];
  const lineLengths: number[] = [];
  const valueLines = value === '' ? [] : value.replace(/\n$/, '').split('\n');
  let pos = contentStart;
  for (let k = 0; k < valueLines.length; k++) {
    if (pos > text.length)
      throw new RunnerConfigError(
        'KB904',
        file,
        '`runners.config` lines could not be matched with the file',
        lineOf(start),
      );
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    lineStarts.push(pos);
    lineLengths.push(text[end - 1] === '\r' && nl >= 0 ? end - 1 - pos : end - pos);
    pos = end + 1;
  }
  let indent: number;
  const digit = explicit?.[1] ?? explicit?.[2];
  if (digit) indent = (token?.indent ?? 0) + Number(digit);
  else {
    const firstNonBlank = lineStarts.findIndex((s, k) => text.slice(s, s + lineLengths[k]!).trim() !== '');
    indent = firstNonBlank < 0 ? 0 : /^ */.exec(text.slice(lineStarts[firstNonBlank]!))![0].length;
  }
  // Every value line must be its file line minus the block indentation (blank lines may be shorter).
  valueLines.forEach((v, k) => {
    const src = text.slice(lineStarts[k]!, lineStarts[k]! + lineLengths[k]!);
    const expected = src.length >= indent ? src.slice(indent) : src.trim() === '' ? '' : null;
    if (expected !== v)
      throw new RunnerConfigError(
        'KB904',
        file,
        '`runners.config` lines could not be matched with the file',
        lineOf(lineStarts[k]!),
      );
  });
  return { doc, block: { value, lineStarts, lineLengths, firstLine: lineOf(contentStart), indent } };
}

function annotateHelmValues(text: string, file: string): AnnotateResult {
  const { doc, block } = findBlock(text, file);
  const toFileLine = (tomlLine: number) => block.firstLine + tomlLine - 1;
  let plan: TomlPlan;
  try {
    plan = planToml(block.value, { defaultKubernetes: true });
  } catch (e) {
    if (e instanceof TomlSyntaxError) {
      const hint = block.value.includes('{{')
        ? ' (Helm template expressions outside TOML strings cannot be parsed)'
        : '';
      throw new RunnerConfigError(
        'KB902',
        file,
        `invalid TOML in runners.config: ${e.message}${hint}`,
        toFileLine(e.line),
        e.column + block.indent,
      );
    }
    throw e;
  }
  const runners = plan.runners.map((r) => ({ ...r, line: toFileLine(r.line) }));
  const findings = findingsOf(runners, file);
  if (!plan.edits.length) return { output: text, changed: false, kind: 'helm-values', runners, findings };

  const newToml = applyTomlEdits(block.value, plan.edits, () => '\n');
  const pad = ' '.repeat(block.indent);
  const fileEdits: TomlEdit[] = plan.edits.map((e) => {
    const before = block.value.slice(0, e.at);
    const line = before.split('\n').length - 1; // 0-based TOML line of `at`
    const column = e.at - (before.lastIndexOf('\n') + 1);
    if (e.kind === 'inline') return { ...e, at: block.lineStarts[line]! + block.indent + column };
    const lines = e.lines.map((l) => pad + l);
    if (column === 0) {
      // At a line start: before that file line (or right after the block's last line).
      const at = line < block.lineStarts.length ? block.lineStarts[line]! : lineEndAfter(text, block);
      return { ...e, at, lines };
    }
    // At the end of a value without a final newline (`|-`): after the last line's text, on new lines.
    const at = block.lineStarts[line]! + block.lineLengths[line]!;
    return { runner: e.runner, kind: 'inline', at, text: lines.map((l) => eolAt(text, at) + l).join('') };
  });
  const output = applyTomlEdits(text, fileEdits);

  const after = parseDocument(output);
  if (after.errors.length)
    throw new Error(`internal error: the edited values file does not parse (${after.errors[0]!.message})`);
  if (after.getIn(['runners', 'config']) !== newToml)
    throw new Error('internal error: runners.config is not the annotated TOML');
  const expected = doc.toJS() as { runners: { config: string } };
  expected.runners.config = newToml;
  if (!deepEqual(after.toJS(), expected)) throw new Error('internal error: values other than runners.config changed');
  const why = checkEdited(plan.data, newToml, plan.changes);
  if (why) throw new Error(`internal error: ${why}`);
  return { output, changed: true, kind: 'helm-values', runners, findings };
}

/** Offset just past the line end of the block's last content line. */
function lineEndAfter(text: string, block: BlockScalar): number {
  const last = block.lineStarts.length - 1;
  if (last < 0) return text.length;
  const end = block.lineStarts[last]! + block.lineLengths[last]!;
  const nl = text.indexOf('\n', end);
  return nl < 0 ? text.length : nl + 1;
}

// ---- findings ----

function runnerLabel(r: RunnerReport): string {
  return `runner #${r.index + 1}${r.name ? ` (${JSON.stringify(r.name)})` : ''}`;
}

function findingsOf(runners: RunnerReport[], file: string): Finding[] {
  const out: Finding[] = [];
  for (const r of runners) {
    const where = { file, line: r.line };
    if (r.status === 'other-value' && r.kind === 'kubernetes') {
      out.push(
        finding(
          'KB901',
          `${runnerLabel(r)}: "${APPARMOR_ANNOTATION}" is ${JSON.stringify(r.value)}, not "${APPARMOR_VALUE}"; left unchanged`,
          where,
        ),
      );
    } else if (r.status === 'other-value') {
      out.push(
        finding('KB907', `${runnerLabel(r)}: security_opt holds ${JSON.stringify(r.value)}; left unchanged`, where),
      );
    } else if (r.status === 'manual') {
      out.push(finding('KB905', `${runnerLabel(r)}: not changed: ${r.reason ?? 'unsupported form'}`, where));
    }
    if (r.noNewPrivileges)
      out.push(
        finding(
          'KB908',
          `${runnerLabel(r)}: security_opt holds no-new-privileges, which stops newuidmap (KB817); remove it for rootless BuildKit`,
          where,
        ),
      );
  }
  if (!runners.some((r) => r.status !== 'not-applicable')) {
    out.push(
      finding(
        'KB903',
        runners.length
          ? 'no Docker or Kubernetes runner (executor = "docker", "docker+machine", "docker-autoscaler" or "kubernetes"); nothing to change'
          : 'no [[runners]] entry; nothing to change',
        { file, line: 0 },
      ),
    );
  }
  return out;
}
