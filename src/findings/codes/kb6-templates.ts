/**
 * KB6xx, templates shared across projects: includes of another project's file or component, the consumers that feed
 * Kaniko flags into a template's call through variables or component inputs, and GitLab's own Kaniko template.
 */
import type { CodeTable } from '../entry.js';

export const TEMPLATE_CODES = {
  KB601: {
    severity: 'info',
    title: "A Kaniko job from another project's template",
    explanation:
      "A job of this pipeline builds with Kaniko through a file included from another project (`include: project`, `component`). That file is migrated in its own project; this project's pipeline changes when it includes the BuildKit version.",
    action:
      'The template file is read at the included ref and migrated as its own project would migrate it; this project is checked against that result (variables that feed flags into it, KB603).',
    todo: 'Migrate the template project first (or use the rollout of `kaniko2buildkit gitlab --apply`, which adds the BuildKit version beside the Kaniko one), then switch this include.',
  },
  KB602: {
    severity: 'warning',
    title: "Another project's include could not be read",
    explanation:
      'An `include: project` or `component` names a project, ref or file that could not be read: the project is not among the local checkouts (see `--project-map`), the token cannot see it, the ref or file does not exist there, or the file is not valid YAML.',
    action:
      'Everything else is migrated. Jobs built from that file are not, and whether this project feeds Kaniko flags into it is unknown.',
    todo: 'Check the include (GitLab fails the pipeline when the file does not exist), or make the project readable (a checkout beside the others, `--project-map FILE`, or a token with read access), then run again.',
  },
  KB603: {
    severity: 'warning',
    title: "A variable that feeds Kaniko flags into another project's template, translated",
    explanation:
      "A template of another project passes a variable to its executor call as flags (`$KANIKO_EXTRA_ARGS`), or a component input (`$[[ inputs.args ]]`, KB607), and this project sets it to Kaniko flags (in `variables:`, or in the include's `inputs:`). The template's BuildKit version passes the same text to buildctl, which stops at the first Kaniko flag.",
    action:
      "The value is translated through the flag table, as the template's own variables are (`--build-arg K=V` → `--opt build-arg:K=V`, `--target T` → `--opt target=T`, `--label K=V` → `--opt label:K=V`); `--cache=true` becomes the registry cache the template's own `--cache` would use (`--cache-repo`, else its first destination's repository + `/cache`, as Kaniko derives it), or nothing when the template's call already caches.",
    todo: "Land this change together with the switch to the template's BuildKit version, never before it: until then the Kaniko template reads the variable. The group report says the order.",
  },
  KB604: {
    severity: 'manual',
    title: "A variable that feeds Kaniko flags into another project's template, not translatable",
    explanation:
      "This project sets a variable (or an include passes an input) that a template of another project passes to its executor call as flags, and its value holds flags that do not become buildctl arguments on their own (destinations, a `--cache-repo` when the template's call has a cache of its own, `--cache` where the template's cache repository is only known when the job runs, flags this tool cannot read), or text that is not a plain list of flags.",
    action: 'The variable (or the input value) is left unchanged.',
    todo: "Write the value as buildctl arguments by hand when this project switches to the template's BuildKit version (see `kaniko2buildkit explain KB204`); a destination or a cache belongs in the template's call, or in variables the template reads for it.",
  },
  KB605: {
    severity: 'manual',
    title: "GitLab's own Kaniko template",
    explanation:
      "`include: template: Kaniko.gitlab-ci.yml` brings GitLab's own Kaniko job template. It lives in GitLab, not in the group: it cannot be edited, and it will not become a BuildKit job.",
    action: 'Nothing is changed.',
    todo: "Replace the include with a BuildKit job of this project's own (or a group template): `buildctl-daemonless.sh build` in `moby/buildkit:rootless`, as the README shows.",
  },
  KB606: {
    severity: 'info',
    title: "An include switched to the template's BuildKit version",
    explanation:
      "The rollout without a flag day: the template project holds the template's BuildKit version in a file beside the Kaniko one (`templates/kaniko-buildkit.yml` beside `templates/kaniko.yml`, same job and template names). This include now names that file (or that component), in the same change that translates this project's variables for it.",
    action:
      'Only the `file:` of the `include: project` entry, or the component name in its address, is rewritten; `project:`, `ref:` and everything else stay.',
    todo: "Merge this change as one: the include switch and the translated variables belong together. The template project's merge request that adds the BuildKit version must be merged first (the tool switches an include only when that file exists at the included ref).",
  },
  KB607: {
    severity: 'warning',
    title: 'A CI/CD component input that passes Kaniko flags into the call, now buildctl arguments',
    explanation:
      "A file with a `spec: inputs:` header (a CI/CD component, or a file included with `inputs:`) passes an input to its executor call as flags (`/kaniko/executor … $[[ inputs.args ]]`). GitLab replaces `$[[ inputs.args ]]` with the input's text before the job runs, so the buildctl call reads the same text, and buildctl stops at the first Kaniko flag.",
    action:
      'The call passes the interpolation to buildctl as it is (the text is kept byte for byte), and the values this file gives the input (its `default:`, what a local include passes) are translated through the flag table (`--build-arg A=1` → `--opt build-arg:A=1`); an empty default stays. A project that includes this file with `inputs:` gets its value translated the same way when it is migrated against this result (KB603), or reported (KB604).',
    todo: 'Tell the projects that include this file: their `inputs:` value for it must be buildctl arguments once they include this version (a new major version of the component: its inputs mean something else). An input with `options:`/`regex:`, another `type:`, or interpolated elsewhere too, is left for a person (KB204).',
  },
} as const satisfies CodeTable<'6'>;
