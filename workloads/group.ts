/**
 * A GitLab group as it really is for group migrations: one template project with two Kaniko templates (and a file
 * without Kaniko), and consumers that include it with `include: project` (some pinned to a tag, some passing Kaniko
 * flags through variables, one naming a file that does not exist, one flag value that cannot become buildctl
 * arguments). The tests lay it out as local git checkouts (`--recursive`) or serve it from the GitLab stand-in; the
 * expected graph is here, beside the files, so neither test restates it.
 */

export const TEMPLATE_PROJECT = 'group/ci-templates';
export const KANIKO_TEMPLATE = 'templates/kaniko.yml';
export const RELEASE_TEMPLATE = 'templates/release.yml';

export const templateFiles: Record<string, string> = {
  '.gitlab-ci.yml': 'lint:\n  script:\n    - echo templates are linted elsewhere\n',
  [KANIKO_TEMPLATE]: `# the group's image build template
.kaniko-build:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  variables:
    KANIKO_EXTRA_ARGS: ""
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" $KANIKO_EXTRA_ARGS
`,
  [RELEASE_TEMPLATE]: `.kaniko-release:
  stage: release
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG" $RELEASE_ARGS
  rules:
    - if: $CI_COMMIT_TAG
`,
  'templates/lint.yml': '.lint:\n  script:\n    - echo lint\n',
};

export interface Consumer {
  path: string;
  files: Record<string, string>;
  /** The ref the include names (undefined: the default branch). */
  ref?: string;
  /** Variables that feed flags into the template, and what the tool must make of each. */
  feeds: { variable: string; outcome: 'translated' | 'refused'; to?: string }[];
  /** Templates (file paths) it builds through. */
  through: string[];
  /** Includes a file the template project does not have. */
  missingFile?: boolean;
}

const include = (file: string, ref?: string) =>
  `include:\n  - project: ${TEMPLATE_PROJECT}\n${ref ? `    ref: ${ref}\n` : ''}    file: ${file}\n`;

const DOCKERFILE = 'FROM alpine:3.20\n';

/** `n` consumers (at least 6) in a cycle of the cases above, under `group/`. */
export function consumers(n = 8): Consumer[] {
  const out: Consumer[] = [];
  for (let i = 0; i < n; i++) {
    const path = `group/app-${String(i + 1).padStart(2, '0')}`;
    const files: Record<string, string> = { Dockerfile: DOCKERFILE };
    switch (i % 6) {
      case 0: // feeds build args and a target: translated
        files['.gitlab-ci.yml'] =
          `${include(KANIKO_TEMPLATE)}\nbuild:\n  extends: .kaniko-build\n  variables:\n    KANIKO_EXTRA_ARGS: "--build-arg NODE_ENV=production --target runtime"\n`;
        out.push({
          path,
          files,
          feeds: [
            {
              variable: 'KANIKO_EXTRA_ARGS',
              outcome: 'translated',
              to: '--opt target=runtime --opt build-arg:NODE_ENV=production',
            },
          ],
          through: [KANIKO_TEMPLATE],
        });
        break;
      case 1: // plain: builds through the template, nothing of its own to change
        files['.gitlab-ci.yml'] = `${include(KANIKO_TEMPLATE)}\nbuild:\n  extends: .kaniko-build\n`;
        out.push({ path, files, feeds: [], through: [KANIKO_TEMPLATE] });
        break;
      case 2: // pinned to a tag, both templates, a global variable feeding the release one
        files['.gitlab-ci.yml'] =
          `include:\n  - project: ${TEMPLATE_PROJECT}\n    ref: v1.0.0\n    file:\n      - ${KANIKO_TEMPLATE}\n      - ${RELEASE_TEMPLATE}\nvariables:\n  RELEASE_ARGS: --label org.opencontainers.image.version=$CI_COMMIT_TAG\nbuild:\n  extends: .kaniko-build\nrelease:\n  extends: .kaniko-release\n`;
        out.push({
          path,
          files,
          ref: 'v1.0.0',
          feeds: [
            {
              variable: 'RELEASE_ARGS',
              outcome: 'translated',
              to: '--opt label:org.opencontainers.image.version=$CI_COMMIT_TAG',
            },
          ],
          through: [KANIKO_TEMPLATE, RELEASE_TEMPLATE],
        });
        break;
      case 3: // a destination in the flags variable: cannot become buildctl arguments
        files['.gitlab-ci.yml'] =
          `${include(KANIKO_TEMPLATE)}\nbuild:\n  extends: .kaniko-build\n  variables:\n    KANIKO_EXTRA_ARGS: --destination $CI_REGISTRY_IMAGE:latest\n`;
        out.push({
          path,
          files,
          feeds: [{ variable: 'KANIKO_EXTRA_ARGS', outcome: 'refused' }],
          through: [KANIKO_TEMPLATE],
        });
        break;
      case 4: // includes a file that does not exist
        files['.gitlab-ci.yml'] = `${include('templates/kaniko-old.yml')}\nbuild:\n  extends: .kaniko-build\n`;
        out.push({ path, files, feeds: [], through: [], missingFile: true });
        break;
      default: // includes only the file without Kaniko
        files['.gitlab-ci.yml'] = `${include('templates/lint.yml')}\nlint:\n  extends: .lint\n`;
        out.push({ path, files, feeds: [], through: [] });
    }
  }
  return out;
}

/**
 * A CI/CD component of the template project (`templates/build.yml`: a `spec: inputs:` header, `---`, one job) whose
 * executor call reads inputs: a path, a tag and a list of flags (`$[[ inputs.args ]]`). Not in `templateFiles`: add
 * it to the template project's files where a test wants it (`{ ...templateFiles, [COMPONENT_TEMPLATE]: COMPONENT_FILE }`).
 */
export const COMPONENT_TEMPLATE = 'templates/build.yml';
export const COMPONENT_FILE = `spec:
  inputs:
    dockerfile:
      default: Dockerfile
    tag:
      default: $CI_COMMIT_SHORT_SHA
    args:
      description: more executor flags
      default: ""
---
# the group's image build component
build-image:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/$[[ inputs.dockerfile ]]" --destination "$CI_REGISTRY_IMAGE:$[[ inputs.tag ]]" $[[ inputs.args ]]
`;

/**
 * A consumer including the component (`include: component: $CI_SERVER_FQDN/group/ci-templates/build@<ref>`) with
 * `inputs:`; `args` (default: build args and a target) is read by the call as flags and must be translated, `tag` is a
 * tag and stays. `feeds` says what the tool must make of it, as for `consumers()` (the input's name as `variable`).
 */
export function componentConsumer(
  path = 'group/app-component',
  opts: { ref?: string; args?: string } = {},
): Consumer & { feeds: { variable: string; outcome: 'translated' | 'refused'; to?: string; input: true }[] } {
  const ref = opts.ref ?? 'main';
  const args = opts.args ?? '--build-arg NODE_ENV=production --target runtime';
  const name = COMPONENT_TEMPLATE.replace(/^templates\/|\.yml$/g, '');
  const files: Record<string, string> = {
    Dockerfile: DOCKERFILE,
    '.gitlab-ci.yml': `include:\n  - component: $CI_SERVER_FQDN/${TEMPLATE_PROJECT}/${name}@${ref}\n    inputs:\n      args: ${JSON.stringify(args)}\n      tag: v1-$CI_COMMIT_SHORT_SHA\n`,
  };
  const refused = /--destination|--no-push/.test(args);
  return {
    path,
    files,
    ref,
    feeds: [
      {
        variable: 'args',
        outcome: refused ? 'refused' : 'translated',
        ...(refused || opts.args !== undefined
          ? {}
          : { to: '--opt target=runtime --opt build-arg:NODE_ENV=production' }),
        input: true,
      },
    ],
    through: [COMPONENT_TEMPLATE],
  };
}
