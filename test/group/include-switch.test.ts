/**
 * The consumer's edit of the rollout (src/project/include-switch.ts): the file beside a template, and the include
 * rewritten in the quoting it was written in — a `file:` of `include: project` (one of a list, with a leading slash),
 * a component address — and nothing else of the file.
 */
import { applyEdits } from '../../src/text/edits.js';
import { parseSource } from '../../src/pipeline/source.js';
import { besidePath, planSwitches, type IncludeSwitch } from '../../src/project/include-switch.js';

const sw = (over: Partial<IncludeSwitch> = {}): IncludeSwitch => ({
  template: 'group/t:templates/kaniko.yml@main',
  project: 'group/t',
  file: 'templates/kaniko.yml',
  to: 'templates/kaniko-buildkit.yml',
  ...over,
});

function switched(text: string, switches: IncludeSwitch[]): string {
  const file = parseSource('.gitlab-ci.yml', text);
  const plan = planSwitches([file], switches);
  return applyEdits(text, plan.edits);
}

describe('include switches', () => {
  test('the file beside', () => {
    expect(besidePath('templates/kaniko.yml')).toBe('templates/kaniko-buildkit.yml');
    expect(besidePath('ci/build.gitlab-ci.yml')).toBe('ci/build-buildkit.gitlab-ci.yml');
    expect(besidePath('templates/kaniko/template.yml')).toBe('templates/kaniko-buildkit/template.yml');
    expect(besidePath('Kanikofile')).toBe('Kanikofile-buildkit');
    expect(besidePath('.hidden.yml')).toBe('.hidden-buildkit.yml');
  });

  test('one file of a list, quoted and with a leading slash; the other entries and the ref stay', () => {
    const text = `include:
  - project: 'group/t'   # the templates
    ref: main
    file:
      - "/templates/kaniko.yml"
      - templates/lint.yml
  - local: templates/kaniko.yml
build:
  extends: .kaniko-build
`;
    expect(switched(text, [sw({ ref: 'main' })])).toBe(
      text.replace('"/templates/kaniko.yml"', '"/templates/kaniko-buildkit.yml"'),
    );
    // another ref named: not this include
    expect(switched(text, [sw({ ref: 'v1' })])).toBe(text);
    expect(switched(text, [sw()])).toBe(text);
  });

  test('single quotes and a plain scalar keep their style', () => {
    const text = "include:\n  project: group/T\n  file: 'templates/kaniko.yml'\n";
    expect(switched(text, [sw()])).toBe("include:\n  project: group/T\n  file: 'templates/kaniko-buildkit.yml'\n");
    const plain = 'include:\n  - project: group/t\n    file: templates/kaniko.yml # pinned by the platform team\n';
    expect(switched(plain, [sw()])).toBe(
      plain.replace('file: templates/kaniko.yml', 'file: templates/kaniko-buildkit.yml'),
    );
  });

  test('a component address: only its name changes', () => {
    const text = 'include:\n  - component: $CI_SERVER_FQDN/group/t/kaniko@1.2.0\n    inputs:\n      stage: build\n';
    const out = switched(text, [sw({ ref: '1.2.0' })]);
    expect(out).toBe(text.replace('/kaniko@1.2.0', '/kaniko-buildkit@1.2.0'));
    const folder = 'include:\n  - component: "$CI_SERVER_FQDN/group/t/kaniko@main"\n';
    expect(
      switched(folder, [
        sw({ ref: 'main', file: 'templates/kaniko/template.yml', to: 'templates/kaniko-buildkit/template.yml' }),
      ]),
    ).toBe(folder.replace('/kaniko@main', '/kaniko-buildkit@main'));
  });

  test('KB606 names the template and where the BuildKit version comes from', () => {
    const text = 'include:\n  - project: group/t\n    file: templates/kaniko.yml\n';
    const plan = planSwitches([parseSource('.gitlab-ci.yml', text)], [sw({ after: 'group/t!4, merged' })]);
    expect(plan.findings).toEqual([
      expect.objectContaining({ code: 'KB606', line: 3, message: expect.stringContaining('(from group/t!4, merged)') }),
    ]);
    expect([...plan.switched]).toEqual(['group/t:templates/kaniko.yml@main']);
  });
});
