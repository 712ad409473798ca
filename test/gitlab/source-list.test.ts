/** The GitLab file source lists the repository tree for `include: local` wildcards, as the disk source lists a folder. */
import type { GitLabClient } from '../../src/gitlab/client.js';
import { GitLabSource } from '../../src/gitlab/source.js';
import type { TreeEntry } from '../../src/gitlab/types.js';

const entry = (path: string, type: 'blob' | 'tree' = 'blob', mode = '100644'): TreeEntry => ({ type, path, mode });

// list() never calls the API: the tree is listed beforehand.
const noClient = {} as GitLabClient;

test('before the tree is listed, wildcards cannot be expanded (undefined: KB112)', async () => {
  expect(await new GitLabSource(noClient, 1, 'main').list('')).toBeUndefined();
});

test('files under a folder, at any depth, symbolic links included, folders not', async () => {
  const source = new GitLabSource(noClient, 1, 'main', [
    entry('.gitlab-ci.yml'),
    entry('.gitlab', 'tree'),
    entry('.gitlab/ci', 'tree'),
    entry('.gitlab/ci/build.yml'),
    entry('.gitlab/ci/deep/test.yml'),
    entry('.gitlab/ci/link.yml', 'blob', '120000'),
    entry('.gitlab-other/x.yml'),
  ]);
  expect(await source.list('.gitlab/ci')).toEqual([
    '.gitlab/ci/build.yml',
    '.gitlab/ci/deep/test.yml',
    '.gitlab/ci/link.yml',
  ]);
  expect(await source.list('/.gitlab/')).toEqual([
    '.gitlab/ci/build.yml',
    '.gitlab/ci/deep/test.yml',
    '.gitlab/ci/link.yml',
  ]);
  expect(await source.list('')).toHaveLength(5);
});
