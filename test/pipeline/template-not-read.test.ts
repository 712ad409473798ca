/**
 * A Kaniko job whose template (`extends`) is defined in a sibling include: pointed at the job's file alone, the tool
 * cannot know the image and says the template is in a file it did not read (KB206, from Pipeline.missingParts);
 * pointed at the repository, it reads both includes and migrates the job (fixture include-template-sibling).
 */
import { join } from 'node:path';
import { migrateProject } from '../../src/index.js';
import { FIXTURES } from '../support/fixtures.js';

const root = join(FIXTURES, 'include-template-sibling', 'input');

describe('a template in a file the run did not read', () => {
  test('the job file alone: KB206 names the template and the file not read, not "the runner default"', async () => {
    const r = await migrateProject({ root, entry: 'ci/build.yml', sources: false });
    const kb206 = r.files.flatMap((f) => f.findings).filter((f) => f.code === 'KB206');
    expect(kb206).toEqual([
      expect.objectContaining({
        file: 'ci/build.yml',
        job: 'build-app',
        severity: 'manual',
        message:
          'calls the Kaniko executor and has no image of its own; it extends .kaniko, defined in a file this run did not read, which may set the image: migrate the whole repository (or the file that includes both) and it is read',
      }),
    ]);
    expect(kb206[0]!.message).not.toMatch(/runner default/);
    expect(r.files.every((f) => !f.changed)).toBe(true);
  }, 60000);

  test('the whole repository: the job is migrated, its template edited', async () => {
    const r = await migrateProject({ root, sources: false });
    expect(r.jobs.find((j) => j.name === 'build-app')?.status).toBe('migrated');
    expect(r.files.find((f) => f.path === 'ci/templates.yml')?.output).toContain('moby/buildkit:');
    expect(r.files.flatMap((f) => f.findings).filter((f) => f.code === 'KB206')).toEqual([]);
  }, 60000);

  test('a job with no image and no template missing still says the runner default', async () => {
    const { migrateText } = await import('../../src/index.js');
    const r = await migrateText(
      'build:\n  script:\n    - /kaniko/executor --context . --destination r.example.com/a:1\n',
    );
    const kb206 = r.files.flatMap((f) => f.findings).filter((f) => f.code === 'KB206');
    expect(kb206.map((f) => f.message)).toEqual([expect.stringContaining('no image (the runner default)')]);
  });
});
