/**
 * The rollout without a flag day, against the GitLab stand-in: a template project with two Kaniko templates and 20
 * consumers of workloads/group.ts (some pinned to a tag, some feeding flags through variables, one value that cannot
 * be translated, some including a template file that does not exist), plus two archived consumers.
 *
 * Run after run, as a platform team would: the audit names the graph and the steps; the first `--apply` opens only
 * the template project's merge request (the BuildKit versions beside the Kaniko ones) and every consumer waits; a
 * second `--apply` changes nothing; once the stand-in merges it, the next run opens the consumers' merge requests
 * (include switched and variables translated in one change, linking the template's merge request), and each
 * switched consumer builds what it built before (stub executor vs stub buildctl, busybox-free `sh`); once they are
 * merged, the last step removes the Kaniko version, and a final run has nothing left to do but the consumers pinned to
 * a tag, which wait for a person to name a ref that holds the BuildKit version (the tool never moves a ref).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { besidePath } from '../../src/project/include-switch.js';
import { gitlabCiLocalVersion } from '../support/effective-jobs.js';
import { compareProject } from '../support/same-build.js';
import { gitlab } from '../gitlab/cli.js';
import { MockGitLab, type MockProject } from '../gitlab/server.js';
import {
  COMPONENT_FILE,
  COMPONENT_TEMPLATE,
  componentConsumer,
  consumers,
  KANIKO_TEMPLATE,
  RELEASE_TEMPLATE,
  TEMPLATE_PROJECT,
  templateFiles as kanikoTemplates,
} from '../../workloads/group.js';

const TOKEN = 'glpat-rollout-test-token';
/** The template project also holds a CI/CD component with `spec: inputs`. */
const templateFiles: Record<string, string> = { ...kanikoTemplates, [COMPONENT_TEMPLATE]: COMPONENT_FILE };
const withInputs = componentConsumer('group/component-inputs-app');
const env = { GITLAB_TOKEN: TOKEN };
const group = consumers(20);
const KANIKO_BESIDE = besidePath(KANIKO_TEMPLATE);
const RELEASE_BESIDE = besidePath(RELEASE_TEMPLATE);
let s: MockGitLab;
let url: string;
let templates: MockProject;
const inputs = () => s.byPath(withInputs.path);

interface Step {
  template: string;
  step: string;
  state: string;
  reason?: string;
  after?: { iid: number; url: string; state: string };
}
interface Row {
  path: string;
  outcome: string;
  reason: string | null;
  mergeRequest: { iid: number; url: string } | null;
  rollout?: Step[];
}

beforeAll(async () => {
  s = new MockGitLab(TOKEN);
  templates = s.project(TEMPLATE_PROJECT, templateFiles);
  s.tag(templates, 'v1.0.0');
  for (const c of group) s.project(c.path, c.files);
  s.project(COMPONENT_APP, { '.gitlab-ci.yml': COMPONENT_CI, Dockerfile: group[0]!.files.Dockerfile! });
  s.project(withInputs.path, withInputs.files);
  s.project('group/archived-1', group[0]!.files, { archived: true });
  s.project('group/archived-2', group[1]!.files, { archived: true });
  url = await s.start();
});
afterAll(() => s.stop());

async function run(...extra: string[]) {
  const r = await gitlab(['--url', url, '--group', 'group', '--format', 'json', ...extra], { env });
  expect(r.stderr).toBe('');
  const body = JSON.parse(r.stdout) as { projects: Row[]; outcomes: { [k: string]: number } };
  return { body, by: new Map(body.projects.map((p) => [p.path, p])) };
}

/** A consumer through a component (the template file read as `templates/<name>.yml`). */
const COMPONENT_APP = 'group/component-app';
const COMPONENT_CI = `include:\n  - component: $CI_SERVER_FQDN/${TEMPLATE_PROJECT}/kaniko@main\nbuild:\n  extends: .kaniko-build\n`;

const componentLabel = `${TEMPLATE_PROJECT}:${COMPONENT_TEMPLATE}`;
const kanikoLabel = `${TEMPLATE_PROJECT}:${KANIKO_TEMPLATE}`;
const atMain = group.filter((c) => c.through.includes(KANIKO_TEMPLATE) && !c.ref);
const switchable = atMain.filter((c) => !c.feeds.some((f) => f.outcome === 'refused'));
const refusing = atMain.filter((c) => c.feeds.some((f) => f.outcome === 'refused'));
const pinned = group.filter((c) => c.ref);
const uninvolved = group.filter((c) => !c.through.length);

/** Every branch head and merge request of the stand-in: what "changes nothing" compares. */
function state(): string {
  return JSON.stringify(
    s.projects.map((p) => ({
      branches: [...p.branches].map(([name, b]) => [name, b.commits.at(-1)!.id]),
      mrs: p.mrs.map((m) => [m.iid, m.state, m.title, m.description, m.labels]),
    })),
  );
}

const fileOn = (p: MockProject, branch: string, file: string) => p.branches.get(branch)?.files.get(file)?.content;

describe('the rollout of a shared template, run after run', () => {
  test('audit: the graph and the steps; nothing written', async () => {
    const before = state();
    const { body, by } = await run();
    expect(state()).toBe(before);
    const step = (path: string) =>
      by.get(path)!.rollout?.find((x) => x.template === (path === withInputs.path ? componentLabel : kanikoLabel));
    expect(step(TEMPLATE_PROJECT)).toMatchObject({ step: 'add', state: 'ready' });
    expect(by.get(TEMPLATE_PROJECT)!.outcome).toBe('planned');
    for (const c of [...atMain, ...pinned, { path: COMPONENT_APP }, withInputs]) {
      expect([c.path, by.get(c.path)!.outcome]).toEqual([c.path, 'waiting']);
      expect(step(c.path)).toMatchObject({ step: 'switch', state: 'waiting' });
    }
    for (const c of uninvolved) expect([c.path, by.get(c.path)!.outcome]).toEqual([c.path, 'skipped']);
    expect(by.has('group/archived-1')).toBe(false);
    expect(body.outcomes).toMatchObject({ planned: 1, waiting: atMain.length + pinned.length + 2 });
  });

  test('first --apply: only the template project, the BuildKit versions beside the Kaniko ones', async () => {
    const { by } = await run('--apply');
    expect(by.get(TEMPLATE_PROJECT)).toMatchObject({ outcome: 'opened', mergeRequest: { iid: 1 } });
    for (const c of group) expect(s.byPath(c.path).mrs).toEqual([]);
    const mr = templates.mrs[0]!;
    expect(mr.description).toContain('**Step 1 of 3**');
    const branch = mr.source_branch;
    // the Kaniko versions are untouched; beside each, its BuildKit version under the same job names
    expect(fileOn(templates, branch, KANIKO_TEMPLATE)).toBe(templateFiles[KANIKO_TEMPLATE]);
    expect(fileOn(templates, branch, RELEASE_TEMPLATE)).toBe(templateFiles[RELEASE_TEMPLATE]);
    for (const file of [KANIKO_BESIDE, RELEASE_BESIDE, besidePath(COMPONENT_TEMPLATE)]) {
      const text = fileOn(templates, branch, file)!;
      expect(text).toContain('buildctl-daemonless.sh build');
      expect(text).not.toContain('/kaniko/executor');
    }
    expect(fileOn(templates, branch, KANIKO_BESIDE)).toContain('.kaniko-build:');
    const waiting = by.get(atMain[0]!.path)!;
    expect(waiting.outcome).toBe('waiting');
    expect(waiting.reason).toContain(`${TEMPLATE_PROJECT}'s merge request that adds ${KANIKO_BESIDE}`);
    expect(waiting.reason).toContain(`(!1, opened: ${templates.mrs[0]!.web_url})`);
  });

  test('a second --apply changes nothing', async () => {
    const before = state();
    const posts = s.count('POST', /./);
    const { by } = await run('--apply');
    expect(s.count('POST', /./)).toBe(posts);
    expect(state()).toBe(before);
    expect(by.get(TEMPLATE_PROJECT)).toMatchObject({ outcome: 'updated', reason: 'branch already up to date' });
  });

  test('after the template merge request is merged: the consumers switch, each in one change', async () => {
    s.merge(templates, 1);
    expect(fileOn(templates, 'main', KANIKO_BESIDE)).toBeDefined();
    const { by } = await run('--apply');
    for (const c of switchable) {
      const p = s.byPath(c.path);
      expect([c.path, by.get(c.path)!.outcome]).toEqual([c.path, 'opened']);
      const mr = p.mrs[0]!;
      expect(mr.description).toContain('**Step 2 of 3**');
      expect(mr.description).toContain(templates.mrs[0]!.web_url);
      const text = fileOn(p, mr.source_branch, '.gitlab-ci.yml')!;
      // the include switched, nothing else of it; the variables translated in the same commit
      expect(text).toContain(`    file: ${KANIKO_BESIDE}\n`);
      expect(text.replace(KANIKO_BESIDE, KANIKO_TEMPLATE).split('\n').length).toBe(
        c.files['.gitlab-ci.yml']!.split('\n').length,
      );
      for (const f of c.feeds) expect(text).toContain(f.to!);
      expect(p.branches.get(mr.source_branch)!.commits.length).toBe(2);
    }
    // the component with inputs: its name switched and its flags input translated in the same change
    const withArgs = inputs();
    expect(by.get(withInputs.path)!.outcome).toBe('opened');
    expect(fileOn(withArgs, withArgs.mrs[0]!.source_branch, '.gitlab-ci.yml')).toBe(
      withInputs.files['.gitlab-ci.yml']!.replace('/build@main', '/build-buildkit@main').replace(
        JSON.stringify('--build-arg NODE_ENV=production --target runtime'),
        JSON.stringify(withInputs.feeds[0]!.to),
      ),
    );
    const component = s.byPath(COMPONENT_APP);
    expect(by.get(COMPONENT_APP)!.outcome).toBe('opened');
    expect(fileOn(component, component.mrs[0]!.source_branch, '.gitlab-ci.yml')).toBe(
      COMPONENT_CI.replace('/kaniko@main', '/kaniko-buildkit@main'),
    );
    for (const c of refusing) {
      expect(by.get(c.path)).toMatchObject({ outcome: 'waiting', reason: expect.stringContaining('KB604') });
      expect(s.byPath(c.path).mrs).toEqual([]);
    }
    for (const c of pinned) {
      expect(by.get(c.path)).toMatchObject({ outcome: 'waiting', reason: expect.stringContaining('pinned to v1.0.0') });
      expect(s.byPath(c.path).mrs).toEqual([]);
    }
    // the release template is only included at the tag: its Kaniko version can go from main now; the Kaniko build
    // template stays while consumers include it at main
    const tsteps = by.get(TEMPLATE_PROJECT)!.rollout!;
    expect(tsteps).toContainEqual(expect.objectContaining({ template: kanikoLabel, step: 'remove', state: 'waiting' }));
    expect(tsteps).toContainEqual(
      expect.objectContaining({ template: `${TEMPLATE_PROJECT}:${RELEASE_TEMPLATE}`, step: 'remove', state: 'ready' }),
    );
    const removal = templates.mrs[1]!;
    expect(removal.description).toContain('**Step 3 of 3**');
    expect(fileOn(templates, removal.source_branch, RELEASE_TEMPLATE)).toBeUndefined();
    expect(fileOn(templates, removal.source_branch, KANIKO_TEMPLATE)).toBe(templateFiles[KANIKO_TEMPLATE]);
  });

  const gcl = gitlabCiLocalVersion();
  (gcl ? test : test.skip)(
    'a switched consumer builds what it built before (stub executor vs stub buildctl)',
    async () => {
      const c = switchable.find((x) => x.feeds.length)!;
      const p = s.byPath(c.path);
      const after = fileOn(p, p.mrs[0]!.source_branch, '.gitlab-ci.yml')!;
      // GitLab reads `include: project` as that file's text; the harness reads the same text as a local include
      const local = (text: string, file: string) =>
        text.replace(
          new RegExp(`- project: ${TEMPLATE_PROJECT}\\n    file: ${file.replace(/\./g, '\\.')}\\n`),
          `- local: ci-templates/${file}\n`,
        );
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-rollout-'));
      try {
        fs.mkdirSync(path.join(root, 'ci-templates/templates'), { recursive: true });
        fs.writeFileSync(path.join(root, '.gitlab-ci.yml'), local(c.files['.gitlab-ci.yml']!, KANIKO_TEMPLATE));
        fs.writeFileSync(path.join(root, 'ci-templates', KANIKO_TEMPLATE), templateFiles[KANIKO_TEMPLATE]!);
        fs.writeFileSync(path.join(root, 'Dockerfile'), c.files.Dockerfile!);
        const r = await compareProject({
          inputRoot: root,
          outputFiles: {
            '.gitlab-ci.yml': local(after, KANIKO_BESIDE),
            [`ci-templates/${KANIKO_BESIDE}`]: fileOn(templates, 'main', KANIKO_BESIDE)!,
          },
          findings: [],
          shell: 'sh',
        });
        expect(r.problems).toEqual([]);
        expect(r.jobs.find((j) => j.job === 'build')?.pairs.length).toBe(1);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  );

  test('once the consumers are merged (and the untranslatable value fixed by a person), the Kaniko version goes', async () => {
    for (const c of switchable) s.merge(s.byPath(c.path), 1);
    s.merge(s.byPath(COMPONENT_APP), 1);
    s.merge(inputs(), 1);
    s.merge(templates, 2);
    // a person writes the refused value as buildctl arguments (the destination moves into the template's call)
    for (const c of refusing) {
      const p = s.byPath(c.path);
      const text = fileOn(p, 'main', '.gitlab-ci.yml')!;
      s.push(
        p,
        'main',
        { '.gitlab-ci.yml': text.replace(/ {4}KANIKO_EXTRA_ARGS: .*\n/, '') },
        'Drop the extra destination',
      );
    }
    let { by } = await run('--apply');
    for (const c of refusing) expect([c.path, by.get(c.path)!.outcome]).toEqual([c.path, 'opened']);
    // the component's only consumer has switched: its Kaniko version goes; the build template's stays
    expect(by.get(TEMPLATE_PROJECT)!.rollout).toContainEqual(
      expect.objectContaining({
        template: `${TEMPLATE_PROJECT}:${COMPONENT_TEMPLATE}`,
        step: 'remove',
        state: 'ready',
      }),
    );
    expect(by.get(TEMPLATE_PROJECT)!.rollout).toContainEqual(
      expect.objectContaining({ template: kanikoLabel, step: 'remove', state: 'waiting' }),
    );
    s.merge(templates, templates.mrs.at(-1)!.iid);
    expect(fileOn(templates, 'main', COMPONENT_TEMPLATE)).toBeUndefined();
    for (const c of refusing) s.merge(s.byPath(c.path), 1);
    ({ by } = await run('--apply'));
    const removal = by.get(TEMPLATE_PROJECT)!;
    expect(removal.rollout).toContainEqual(
      expect.objectContaining({ template: kanikoLabel, step: 'remove', state: 'ready' }),
    );
    expect(removal.outcome).toBe('opened');
    const mr = templates.mrs.at(-1)!;
    expect(fileOn(templates, mr.source_branch, KANIKO_TEMPLATE)).toBeUndefined();
    s.merge(templates, mr.iid);
    // nothing is left to do for the group at main; the pinned consumers still wait for a release holding the file
    const before = state();
    ({ by } = await run('--apply'));
    expect(state()).toBe(before);
    for (const c of [...switchable, ...refusing, { path: COMPONENT_APP }, withInputs])
      expect([c.path, by.get(c.path)!.outcome]).toEqual([c.path, 'skipped']);
    for (const c of pinned) expect(by.get(c.path)!.outcome).toBe('waiting');
    expect(by.get(TEMPLATE_PROJECT)!.outcome).toBe('skipped');
  });
});

describe('--rollout in-place', () => {
  test('the template changes in place and the consumers translate their variables: one set, merged together', async () => {
    const g = new MockGitLab(TOKEN);
    const t = g.project(TEMPLATE_PROJECT, templateFiles);
    const few = consumers(2);
    for (const c of few) g.project(c.path, c.files);
    const at = await g.start();
    try {
      const r = await gitlab(
        ['--url', at, '--group', 'group', '--format', 'json', '--apply', '--rollout', 'in-place'],
        {
          env,
        },
      );
      const by = new Map((JSON.parse(r.stdout).projects as Row[]).map((p) => [p.path, p]));
      expect(by.get(TEMPLATE_PROJECT)!.outcome).toBe('opened');
      const mr = t.mrs[0]!;
      expect(fileOn(t, mr.source_branch, KANIKO_TEMPLATE)).toContain('buildctl-daemonless.sh build');
      expect(fileOn(t, mr.source_branch, KANIKO_BESIDE)).toBeUndefined();
      for (const c of few) {
        const p = g.byPath(c.path);
        // a consumer without variables of its own has nothing to change: the template changes under it
        expect(by.get(c.path)!.outcome).toBe(c.feeds.length ? 'opened' : 'skipped');
        if (!c.feeds.length) continue;
        expect(p.mrs[0]!.description).toContain('merge together with');
        expect(p.mrs[0]!.description).toContain(mr.web_url);
        const text = fileOn(p, p.mrs[0]!.source_branch, '.gitlab-ci.yml')!;
        expect(text).toContain(`file: ${KANIKO_TEMPLATE}\n`);
        for (const f of c.feeds) expect(text).toContain(f.to!);
      }
      // the template project left out of the run: no consumer translates its variables alone
      const left = new MockGitLab(TOKEN);
      left.project(TEMPLATE_PROJECT, templateFiles);
      for (const c of few) left.project(c.path, c.files);
      const at2 = await left.start();
      try {
        const r2 = await gitlab(
          ['--url', at2, '--group', 'group', '--format', 'json', '--apply', '--rollout', 'in-place'].concat([
            '--skip-project',
            TEMPLATE_PROJECT,
          ]),
          { env },
        );
        const by2 = new Map((JSON.parse(r2.stdout).projects as Row[]).map((p) => [p.path, p]));
        for (const c of few.filter((x) => x.feeds.length)) {
          expect(by2.get(c.path)).toMatchObject({ outcome: 'waiting', reason: expect.stringContaining('in one run') });
          expect(left.byPath(c.path).mrs).toEqual([]);
        }
      } finally {
        await left.stop();
      }
    } finally {
      await g.stop();
    }
  });
});
