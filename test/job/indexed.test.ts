/**
 * Issue 18 item 7 made the planner index once what it used to find by scanning every job for each job (the
 * `variables:` definitions of a name, the `default:` and global values, the merged findings' job names, the sharing
 * checks' readers, the accepted edits). The results must not change: indexed-expected.json holds what the code
 * before the indexes (commit 688294c) gave for the cases of indexed-cases.ts (a flags variable defined in another job,
 * in an included file, nowhere; a template shared with a job that is not migrated; one finding merged for several
 * jobs; `default:` and global variables across files), every output byte, finding and job.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateProject } from '../../src/index.js';
import { tempRepo } from '../helpers.js';
import { INDEXED_CASES } from './indexed-cases.js';

const expected = JSON.parse(
  readFileSync(join(process.cwd(), 'test', 'job', 'indexed-expected.json'), 'utf8'),
) as Record<string, unknown>;

describe('the indexed planner gives what the scanning one gave', () => {
  test.each(Object.keys(INDEXED_CASES))('%s', async (name) => {
    const r = await migrateProject({ root: tempRepo({ ...INDEXED_CASES[name]!, Dockerfile: 'FROM alpine\n' }) });
    const got = {
      files: r.files.map((f) => ({ path: f.path, output: f.output, findings: f.findings })),
      jobs: r.jobs,
      failed: r.failed,
    };
    expect(JSON.parse(JSON.stringify(got))).toEqual(expected[name]);
  });
});
