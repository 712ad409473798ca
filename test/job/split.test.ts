/**
 * Own copies for a Kaniko job that shares a template or anchor with a job that is not migrated (src/job/split.ts):
 * what is copied, that the other job keeps its data, and the shapes that still leave the job for a person (KB202).
 */
import { parseDocument } from 'yaml';
import { migrateText } from '../../src/index.js';

const IMAGE = 'image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]';
const CALL = '/kaniko/executor --context . --dockerfile Dockerfile --destination registry.example.com/g/app:1';

const data = (text: string, job: string) =>
  (parseDocument(text, { merge: true }).toJS({ maxAliasCount: -1 }) as Record<string, unknown>)[job];

async function run(text: string) {
  const r = await migrateText(text);
  return { file: r.files[0]!, status: (job: string) => r.jobs.find((j) => j.name === job)?.status };
}

test('an anchored login list: the build gets the migrated copies, the other job keeps the anchor', async () => {
  const text = `.login: &login\n  - mkdir -p /kaniko/.docker\n  - echo "{}" > /kaniko/.docker/config.json\n.img:\n  ${IMAGE}\nbuild:\n  extends: .img\n  script:\n    - *login\n    - ${CALL}\nother:\n  extends: .img\n  script:\n    - *login\n    - ls\n`;
  const { file, status } = await run(text);
  expect(status('build')).toBe('migrated');
  expect(file.output).toContain('.login: &login\n  - mkdir -p /kaniko/.docker\n');
  expect(file.output).toContain(
    '  script:\n    - mkdir -p ~/.docker\n    - echo "{}" > ~/.docker/config.json\n    - unset DOCKER_AUTH_CONFIG\n    - buildctl-daemonless.sh build',
  );
  expect(data(file.output, 'other')).toEqual(data(text, 'other'));
  expect(file.findings.find((f) => f.code === 'KB215')?.message).toMatch(
    /own image and its own copy of the items of \*login/,
  );
});

test('CRLF line endings stay CRLF in the copies', async () => {
  const text =
    `.login: &login\n  - mkdir -p /kaniko/.docker\n.img:\n  ${IMAGE}\nbuild:\n  extends: .img\n  script:\n    - *login\n    - ${CALL}\nother:\n  extends: .img\n  script:\n    - *login\n`.replace(
      /\n/g,
      '\r\n',
    );
  const { file, status } = await run(text);
  expect(status('build')).toBe('migrated');
  expect(file.output.replace(/\r\n/g, '')).not.toContain('\n');
  expect(file.output).toContain('    - mkdir -p ~/.docker\r\n');
});

test.each([
  [
    'items inherited through extends',
    `.t:\n  ${IMAGE}\n  before_script:\n    - mkdir -p /kaniko/.docker\nbuild:\n  extends: .t\n  script:\n    - ${CALL}\nother:\n  extends: .t\n  script:\n    - ls\n`,
  ],
  [
    'a comment after the alias',
    `.login: &login\n  - mkdir -p /kaniko/.docker\n.img:\n  ${IMAGE}\nbuild:\n  extends: .img\n  script:\n    - *login # log in\n    - ${CALL}\nother:\n  extends: .img\n  script:\n    - *login\n`,
  ],
  [
    'an anchor inside the anchored items',
    `.login: &login\n  - &mk mkdir -p /kaniko/.docker\n.img:\n  ${IMAGE}\nbuild:\n  extends: .img\n  script:\n    - *login\n    - ${CALL}\nother:\n  extends: .img\n  script:\n    - *login\n    - *mk\n`,
  ],
])('%s: left for a person (KB202), nothing changes', async (_name, text) => {
  const { file, status } = await run(text);
  expect(status('build')).toBe('manual');
  expect(file.changed).toBe(false);
  expect(file.findings.map((f) => f.code)).toContain('KB202');
});
