/**
 * The rollout of a shared template without a flag day: the template project gets the template's BuildKit version in a
 * file beside the Kaniko one (same job and template names, so that `extends:` and `!reference` in the consumers keep
 * working), and each consumer switches its include to that file in the same change that translates its variables.
 *
 * Here: the name of the file beside, and the consumer's edit — the `file:` of its `include: project` entry, or the
 * name in its `component:` address, rewritten in the quoting it was written in. Nothing else of the include changes.
 */
import { finding } from '../findings/finding.js';
import type { Finding } from '../findings/types.js';
import { componentFiles, parseComponent, readIncludes } from '../pipeline/includes.js';
import { positionIn, type SourceFile } from '../pipeline/source.js';
import type { TextEdit } from '../text/edits.js';

/** One include to switch from a template's Kaniko version to its BuildKit version beside it. */
export interface IncludeSwitch {
  /** The label of the file the include reads now (see originLabel): `group/ci-templates:templates/kaniko.yml@main`. */
  template: string;
  /** The template project's path. */
  project: string;
  /** The Kaniko version's path in that project. */
  file: string;
  /** The ref as the include names it (undefined: none named). */
  ref?: string;
  /** The BuildKit version's path (see besidePath). */
  to: string;
  /** Shown with the change: where the BuildKit version comes from (`group/ci-templates!4, merged`). */
  after?: string;
}

const SUFFIX = '-buildkit';

/**
 * The file beside a template for its BuildKit version: `templates/kaniko.yml` → `templates/kaniko-buildkit.yml`,
 * `ci/build.gitlab-ci.yml` → `ci/build-buildkit.gitlab-ci.yml`, a component folder `templates/kaniko/template.yml` →
 * `templates/kaniko-buildkit/template.yml` (a component's name is its file's or folder's name).
 */
export function besidePath(file: string): string {
  const folder = /^(.*\/)?([^/]+)\/(template\.ya?ml)$/.exec(file);
  if (folder && (folder[1] ?? '') === 'templates/') return `templates/${folder[2]}${SUFFIX}/${folder[3]}`;
  const cut = file.lastIndexOf('/') + 1;
  const base = file.slice(cut);
  const dot = base.indexOf('.', 1);
  return dot < 0 ? `${file}${SUFFIX}` : `${file.slice(0, cut)}${base.slice(0, dot)}${SUFFIX}${base.slice(dot)}`;
}

/** The component name a file of `templates/` is (undefined: the file is not a component). */
function componentName(file: string): string | undefined {
  return /^templates\/([^/]+?)(?:\.ya?ml|\/template\.ya?ml)$/.exec(file)?.[1];
}

const norm = (project: string) => project.replace(/^\/+|\/+$/g, '').toLowerCase();

/** `value` written where `raw` was, in the same quoting. */
function requote(raw: string, value: string): string {
  if (raw.startsWith("'")) return `'${value.replace(/'/g, "''")}'`;
  if (raw.startsWith('"') || !/^[\w$.{}/@~-]+$/.test(value)) return JSON.stringify(value);
  return value;
}

export interface SwitchPlan {
  edits: TextEdit[];
  findings: Finding[];
}

/** The edits that switch this pipeline's own includes (files without an origin) as `switches` say. */
export function planSwitches(files: readonly SourceFile[], switches: readonly IncludeSwitch[]): SwitchPlan {
  const plan: SwitchPlan = { edits: [], findings: [] };
  if (!switches.length) return plan;
  for (const file of files) {
    if (file.origin) continue;
    for (const inc of readIncludes(file)) {
      const targets: { start: number; end: number; value: string; s: IncludeSwitch }[] = [];
      if (inc.kind === 'project') {
        for (const f of inc.files) {
          const s = switches.find(
            (w) => norm(w.project) === norm(inc.project) && w.ref === inc.ref && w.file === f.path.replace(/^\/+/, ''),
          );
          if (s) targets.push({ start: f.offset, end: f.end, value: f.path.startsWith('/') ? `/${s.to}` : s.to, s });
        }
      } else if (inc.kind === 'component') {
        const address = parseComponent(inc.address);
        const s =
          address &&
          switches.find(
            (w) =>
              norm(w.project) === norm(address.project) &&
              w.ref === address.version &&
              componentFiles(address.name).includes(w.file),
          );
        const name = s && componentName(s.to);
        if (s && name) {
          const at = inc.address.lastIndexOf(`/${address.name}@`);
          const value = `${inc.address.slice(0, at)}/${name}@${inc.address.slice(at + address.name.length + 2)}`;
          targets.push({ start: inc.value.start, end: inc.value.end, value, s });
        }
      }
      for (const t of targets) {
        const raw = file.text.slice(t.start, t.end);
        plan.edits.push({ file: file.path, start: t.start, end: t.end, text: requote(raw, t.value) });
        const at = positionIn(file.lineStarts, t.start);
        plan.findings.push(
          finding(
            'KB606',
            `include of ${t.s.template} switched to its BuildKit version ${t.s.to}${t.s.after ? ` (from ${t.s.after})` : ''}`,
            { file: file.path, ...at },
          ),
        );
      }
    }
  }
  return plan;
}
