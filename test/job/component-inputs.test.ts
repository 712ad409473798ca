/**
 * CI/CD component inputs in an executor call (`$[[ inputs.x ]]`, src/job/arg-variables.ts `translateInput`): read as
 * opaque expansions, as `$VAR` is; an input passed as flags is passed to buildctl as it is and its default becomes
 * buildctl arguments (KB607); shapes whose values cannot all be rewritten stay untouched (KB204, with the reason).
 */
import { migrate } from './support.js';

const IMAGE = 'image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]';

/** A component file: the `spec:` header with `inputs` (YAML lines under `inputs:`), `---`, one job `build`. */
function component(inputs: string, call: string, extraScript: string[] = []): string {
  const script = [...extraScript, call].map((l) => `    - ${l}\n`).join('');
  return `spec:\n  inputs:\n${inputs}---\nbuild:\n  ${IMAGE}\n  script:\n${script}`;
}

const BASE = '/kaniko/executor --context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:$[[ inputs.tag ]]"';
const TAG = '    tag:\n      default: latest\n';

describe('a component migrated on its own', () => {
  test('a path, a tag and a bare flags list read as $VARs would be; the default of the flags list is translated', async () => {
    const text = component(
      `${TAG}    dockerfile:\n      default: Dockerfile\n    args:\n      default: "--build-arg A=1 --target runtime"\n`,
      `${BASE} --dockerfile "$CI_PROJECT_DIR/$[[ inputs.dockerfile ]]" $[[ inputs.args ]]`,
    );
    const f = await migrate(text);
    expect(f.findings.filter((x) => x.severity === 'manual')).toEqual([]);
    expect(f.output).toContain('      default: "--opt target=runtime --opt build-arg:A=1"\n');
    const call = f.output.split('\n').find((l) => l.includes('buildctl-daemonless.sh'))!;
    expect(call).toContain('"type=image,name=$CI_REGISTRY_IMAGE:$[[ inputs.tag ]],push=true"');
    expect(call).toContain('$(dirname "$CI_PROJECT_DIR/$[[ inputs.dockerfile ]]")');
    expect(call.endsWith(' $[[ inputs.args ]]')).toBe(true);
    const kb607 = f.findings.find((x) => x.code === 'KB607')!;
    expect(kb607.message).toContain('"--build-arg A=1 --target runtime" → "--opt target=runtime --opt build-arg:A=1"');
    // outside the edits, byte for byte: the header's other lines and the interpolations as written
    expect(f.output.startsWith(`spec:\n  inputs:\n${TAG}    dockerfile:\n      default: Dockerfile\n    args:\n`)).toBe(
      true,
    );
  });

  test('an empty default stays; `| expand_vars` is read the same way; a second run changes nothing', async () => {
    const text = component(
      `${TAG}    args:\n      default: ""\n`,
      `${BASE} --dockerfile Dockerfile $[[ inputs.args | expand_vars ]]`,
    );
    const f = await migrate(text);
    expect(f.changed).toBe(true);
    expect(f.output).toContain('    args:\n      default: ""\n');
    expect(f.output).toContain(' $[[ inputs.args | expand_vars ]]');
    expect(f.findings.map((x) => x.code)).toContain('KB607');
    const again = await migrate(f.output);
    expect(again.changed).toBe(false);
  });

  test('a mandatory input (no default) is passed through too', async () => {
    const f = await migrate(component(`${TAG}    args:\n`, `${BASE} --dockerfile Dockerfile $[[ inputs.args ]]`));
    expect(f.output).toContain('buildctl-daemonless.sh build');
    expect(f.findings.find((x) => x.code === 'KB607')?.message).toContain('none written here needed a change');
  });

  test.each([
    [
      'a function that changes the text',
      `${TAG}    args:\n      default: ""\n`,
      '$[[ inputs.args | truncate(0,9) ]]',
      [],
      'truncate',
    ],
    ['another type', `${TAG}    args:\n      type: array\n      default: []\n`, '$[[ inputs.args ]]', [], 'type array'],
    [
      'options',
      `${TAG}    args:\n      default: ""\n      options: ["", "--no-push"]\n`,
      '$[[ inputs.args ]]',
      [],
      '`options:` or `regex:`',
    ],
    ['an undeclared input', TAG, '$[[ inputs.args ]]', [], 'not declared'],
    [
      'read elsewhere too',
      `${TAG}    args:\n      default: --build-arg A=1\n`,
      '$[[ inputs.args ]]',
      ['echo building with $[[ inputs.args ]]'],
      'elsewhere',
    ],
    [
      'destinations',
      `${TAG}    args:\n      default: --destination x/y:1\n`,
      '$[[ inputs.args ]]',
      [],
      '--destination',
    ],
    [
      'a flag only the call takes',
      `${TAG}    args:\n      default: --cache=true\n`,
      '$[[ inputs.args ]]',
      [],
      'cannot be rewritten',
    ],
  ])('left for a person: %s (KB204 says why)', async (_case, inputs, word, extra, reason) => {
    const text = component(inputs, `${BASE} --dockerfile Dockerfile ${word}`, extra);
    const f = await migrate(text);
    expect(f.changed).toBe(false);
    const kb204 = f.findings.find((x) => x.code === 'KB204');
    expect(kb204?.message).toContain(reason);
  });

  test('without a spec header an interpolation is still one word, left for a person', async () => {
    const f = await migrate(
      `build:\n  ${IMAGE}\n  script:\n    - ${BASE} --dockerfile Dockerfile $[[ inputs.args ]]\n`,
    );
    expect(f.changed).toBe(false);
    expect(f.findings.find((x) => x.code === 'KB204')?.message).toContain('without a `spec: inputs:` header');
  });
});
