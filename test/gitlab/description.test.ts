/**
 * The merge request description: what breaks after the merge and how to avoid it (the runner settings, in the words
 * of the doctor codes and as `runner-config` writes them), and links to the changed lines on the source branch.
 */
import { requireCode } from '../../src/findings/registry.js';
import type { ProjectAudit } from '../../src/gitlab/audit.js';
import { mergeRequestDescription } from '../../src/gitlab/run.js';
import { markdownReport } from '../../src/report/markdown.js';
import type { RunReport } from '../../src/report/model.js';
import { migrateRepository } from '../../src/repository/migrate.js';
import { memoryRepository } from '../../src/repository/source.js';
import { annotateRunnerConfig } from '../../src/runner-config/index.js';
import { KANIKO_NO_PUSH_JOB } from '../helpers.js';

const MANUAL_JOB = `build:
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context . --dockerfile https://example.com/Dockerfile --no-push
`;
const WEB = 'https://gitlab.example.com/g/app';
const BRANCH = 'kaniko2buildkit/migrate';

async function auditOf(files: Record<string, string>): Promise<ProjectAudit> {
  const result = await migrateRepository(memoryRepository(new Map(Object.entries(files))));
  return {
    project: { id: 1, path: 'app', path_with_namespace: 'g/app', web_url: WEB, default_branch: 'main' },
    status: 'migrated',
    result,
  };
}

describe('what the runners need after the merge', () => {
  test('the Kubernetes annotation exactly as runner-config adds it, the Docker security_opt, BUILDKITD_FLAGS', async () => {
    const md = mergeRequestDescription(await auditOf({ '.gitlab-ci.yml': KANIKO_NO_PUSH_JOB }), [], BRANCH);
    expect(md).toContain('### After the merge: what the runners need');
    const config =
      '[[runners]]\n  name = "k8s"\n  executor = "kubernetes"\n  [runners.kubernetes]\n    namespace = "ci"\n';
    const annotated = annotateRunnerConfig(config, 'config.toml');
    const added = annotated.output.split('\n').filter((l) => l.trim() && !config.split('\n').includes(l));
    expect(added.length).toBeGreaterThan(0);
    for (const line of added) expect(md).toContain(line.trim());
    expect(md).toContain('`security_opt = ["seccomp:unconfined", "apparmor:unconfined"]` under `[runners.docker]`');
    expect(md).toContain('`BUILDKITD_FLAGS: --oci-worker-no-process-sandbox`');
    // what fails without each: the doctor codes, in their own words
    for (const c of ['KB801', 'KB808', 'KB803'] as const) expect(md).toContain(`\`${c}\``);
    expect(md).toContain(requireCode('KB808').title);
    expect(md).toContain('`kaniko2buildkit runner-config config.toml`');
  });

  test('said once, and only when a job is migrated', async () => {
    const md = mergeRequestDescription(await auditOf({ '.gitlab-ci.yml': KANIKO_NO_PUSH_JOB }), [], BRANCH);
    expect(md.split('what the runners need').length - 1).toBe(1);
    const manual = mergeRequestDescription(await auditOf({ '.gitlab-ci.yml': MANUAL_JOB }), [], BRANCH);
    expect(manual).toContain('Needs a person');
    expect(manual).not.toContain('what the runners need');
  });
});

describe('links to the changed lines on the source branch', () => {
  test('each change of each file: ${web_url}/-/blob/${branch}/${path}#L${line}, ranges as #L${a}-${b}', async () => {
    const md = mergeRequestDescription(
      await auditOf({
        '.gitlab-ci.yml': `include: ci/kaniko.yml\n\n${KANIKO_NO_PUSH_JOB}`,
        'ci/kaniko.yml': '.x:\n  stage: build\n',
      }),
      [],
      BRANCH,
    );
    expect(md).toContain(`### Changed lines on \`${BRANCH}\``);
    // the job starts at line 3: its image name (line 5), then the variables and the script it gets
    expect(md).toContain(`[5](${WEB}/-/blob/${BRANCH}/.gitlab-ci.yml#L5)`);
    expect(md).toMatch(new RegExp(`\\[\\d+–\\d+\\]\\(${WEB}/-/blob/${BRANCH}/\\.gitlab-ci\\.yml#L\\d+-\\d+\\)`));
    expect(md).not.toContain('ci/kaniko.yml#L'); // not changed
  });

  test('paths and branches are URL-encoded segment by segment, the slashes kept', () => {
    const report: RunReport = {
      files: [
        { path: 'ci/my file#(1).yml', changed: true, written: true, findings: [], original: 'a\n', output: 'b\n' },
      ],
      jobs: [],
      errors: [],
    };
    const md = markdownReport(report, { mergeRequest: { webUrl: `${WEB}/`, branch: 'k2b/mig rate' } });
    expect(md).toContain(`[1](${WEB}/-/blob/k2b/mig%20rate/ci/my%20file%23%281%29.yml#L1)`);
  });

  test('no branch known (migrate --format markdown): no links', async () => {
    const audit = await auditOf({ '.gitlab-ci.yml': KANIKO_NO_PUSH_JOB });
    expect(mergeRequestDescription(audit)).not.toContain('Changed lines');
    expect(mergeRequestDescription(audit)).toContain('what the runners need');
  });
});
