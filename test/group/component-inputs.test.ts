/**
 * A consumer that includes another project's CI/CD component with `inputs:` (workloads/group.ts `componentConsumer`):
 * the component is migrated on its own (its call passes `$[[ inputs.args ]]` to buildctl, KB607), and the consumer's
 * `inputs: args:` value, which that call reads as flags, is translated in place (KB603), or reported (KB604); inputs
 * read another way (a tag) stay. A second run changes nothing, and the consumer is pending in `--check`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySource, migrateSource, type IncludeResolver } from '../../src/index.js';
import { checkout as gitCheckout } from '../support/git-checkout.js';
import { runMigrate } from '../../src/cli/migrate.js';
import type { CliIO } from '../../src/cli/io.js';
import {
  COMPONENT_FILE,
  COMPONENT_TEMPLATE,
  componentConsumer,
  TEMPLATE_PROJECT,
  templateFiles,
} from '../../workloads/group.js';

const templateProject = { ...templateFiles, [COMPONENT_TEMPLATE]: COMPONENT_FILE };

/** Other projects in memory: the template project at any ref. */
const resolver: IncludeResolver = {
  project: async (path, ref) =>
    path === TEMPLATE_PROJECT
      ? { source: new MemorySource(new Map(Object.entries(templateProject))), ref: ref ?? 'main' }
      : `no project ${path}`,
};

async function migrateConsumer(files: Record<string, string>) {
  return migrateSource(new MemorySource(new Map(Object.entries(files))), { resolver });
}

describe('a consumer passing flags to a component as an input', () => {
  const consumer = componentConsumer();
  const original = consumer.files['.gitlab-ci.yml']!;

  test('the component migrated alone passes the input to buildctl as it is', async () => {
    const alone = await migrateSource(new MemorySource(new Map(Object.entries(templateProject))), {
      entry: COMPONENT_TEMPLATE,
    });
    const file = alone.files.find((f) => f.path === COMPONENT_TEMPLATE)!;
    expect(file.output).toContain(' $[[ inputs.args ]]\n');
    expect(file.output).toContain('"type=image,name=$CI_REGISTRY_IMAGE:$[[ inputs.tag ]],push=true"');
    expect(file.output).not.toContain('/kaniko/executor');
    expect(alone.jobs.find((j) => j.name === 'build-image')?.passThrough).toEqual([
      { name: 'args', role: 'args', input: true },
    ]);
    expect(file.findings.map((f) => f.code)).toContain('KB607');
  });

  test('its inputs: args value is translated in place, and only that scalar changes', async () => {
    const result = await migrateConsumer(consumer.files);
    const ci = result.files.find((f) => f.path === '.gitlab-ci.yml')!;
    const to = consumer.feeds[0]!.to!;
    expect(ci.changed).toBe(true);
    expect(ci.output).toBe(original.replace('"--build-arg NODE_ENV=production --target runtime"', `"${to}"`));
    expect(ci.edits).toHaveLength(1);
    // the tag input (read as a tag, not as flags) and the address stay
    expect(ci.output).toContain('      tag: v1-$CI_COMMIT_SHORT_SHA\n');
    const kb603 = ci.findings.find((f) => f.code === 'KB603')!;
    expect(kb603.message).toContain(`${TEMPLATE_PROJECT}:${COMPONENT_TEMPLATE}@main`);
    expect(kb603.line).toBe(4);
    expect(result.feeds).toEqual([
      expect.objectContaining({ variable: 'args', outcome: 'translated', input: true, file: '.gitlab-ci.yml' }),
    ]);
    expect(result.jobs.find((j) => j.name === 'build-image')?.status).toBe('migrated');
    // a second run changes nothing
    const again = await migrateConsumer({ ...consumer.files, '.gitlab-ci.yml': ci.output });
    expect(again.files.every((f) => !f.changed)).toBe(true);
  });

  test('an include: project entry with inputs is read the same way', async () => {
    const text = `include:\n  - project: ${TEMPLATE_PROJECT}\n    file: /${COMPONENT_TEMPLATE}\n    inputs:\n      args: --label team=web\n`;
    const result = await migrateConsumer({ ...consumer.files, '.gitlab-ci.yml': text });
    expect(result.files[0]!.output).toBe(text.replace('--label team=web', '--opt label:team=web'));
  });

  test('a value that cannot become buildctl arguments is reported (KB604) and left as it is', async () => {
    const refused = componentConsumer('group/app-x', { args: '--destination $CI_REGISTRY_IMAGE:latest' });
    const result = await migrateConsumer(refused.files);
    const ci = result.files[0]!;
    expect(ci.changed).toBe(false);
    expect(ci.findings.find((f) => f.code === 'KB604')?.message).toMatch(/image names/);
    expect(result.feeds?.[0]?.outcome).toBe(refused.feeds[0]!.outcome);
  });

  test('an include of a component the template project does not have: nothing to translate (KB602)', async () => {
    const other = original.replace('/build@main', '/deploy@main');
    const result = await migrateConsumer({ ...consumer.files, '.gitlab-ci.yml': other });
    expect(result.files[0]!.changed).toBe(false);
    expect(result.files[0]!.findings.map((f) => f.code)).toContain('KB602');
  });
});

describe('migrate --check with --project-map over checkouts', () => {
  let root: string;
  const checkout = (name: string, files: Record<string, string>) => gitCheckout(root, name, files);
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'k2b-component-'));
    checkout('ci-templates', templateProject);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('the consumer is pending, with KB603 and the new value', async () => {
    const consumer = componentConsumer();
    const dir = checkout('app', consumer.files);
    const map = join(root, 'projects.json');
    writeFileSync(map, JSON.stringify({ [TEMPLATE_PROJECT]: 'ci-templates' }));
    let out = '';
    const cli: CliIO = {
      stdout: (s) => void (out += s),
      stderr: () => undefined,
      readStdin: async () => '',
      cwd: dir,
      env: {},
      isTTY: false,
    };
    expect(await runMigrate(['.'], { format: 'text', failOn: 'never', check: true, projectMap: map }, cli)).toBe(1);
    expect(out).toMatch(/KB603/);
    expect(out).toContain(consumer.feeds[0]!.to);
  });
});
