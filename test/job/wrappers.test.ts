/**
 * Executor wrappers the job writes (src/job/wrappers.ts): the form that is migrated with its calls (the fixture
 * executor-wrapper runs it in sh), and the forms that stay for a person as an executor call inside a string (KB210).
 */
import { migrateText } from '../../src/index.js';

const HEAD = '.k:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n';

function wrapperJob(
  body: string,
  after = 'chmod +x /kaniko/w',
  call = '/kaniko/w --destination registry.example.com/g/app:1',
): string {
  const lines = ['cat <<EOF > /kaniko/w', ...body.split('\n'), 'EOF', ...(after ? [after] : [])];
  return `${HEAD}build:\n  extends: .k\n  before_script:\n    - |\n${lines.map((l) => `      ${l}`).join('\n')}\n  script:\n    - ${call}\n`;
}

test('a wrapper of one executor call ending in "$@" is migrated with its call (KB216)', async () => {
  const r = await migrateText(wrapperJob('/kaniko/executor --context . --dockerfile Dockerfile "\\$@"'));
  const file = r.files[0]!;
  expect(r.jobs[0]!.status).toBe('migrated');
  expect(file.findings.map((f) => f.code)).toContain('KB216');
  expect(file.output).not.toContain('/kaniko/');
  expect(file.output).toContain(
    'buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --output type=image,name=registry.example.com/g/app:1,push=true',
  );
});

test.each([
  ['a body of two commands', '/kaniko/executor --context . "\\$@"\necho done', 'chmod +x /kaniko/w'],
  [
    'a body without "$@"',
    '/kaniko/executor --context . --destination registry.example.com/g/app:1',
    'chmod +x /kaniko/w',
  ],
  ['a wrapper another command reads', '/kaniko/executor --context . "\\$@"', 'cat /kaniko/w'],
])('%s: left for a person (KB210), counted as a call', async (_name, body, after) => {
  const r = await migrateText(wrapperJob(body, after));
  expect(r.files[0]!.changed).toBe(false);
  expect(r.files[0]!.findings.map((f) => f.code)).toContain('KB210');
  expect(r.jobs[0]).toMatchObject({ status: 'manual', calls: 1 });
});

test('a comment that names the executor is not a call: a job that runs a script file is KB203, with no call', async () => {
  const text = `${HEAD}build:\n  extends: .k\n  script:\n    - |\n      # /kaniko/executor is run by build.sh\n      ./build.sh\n`;
  const r = await migrateText(text);
  expect(r.files[0]!.findings.map((f) => f.code)).toEqual(['KB203']);
  expect(r.jobs[0]).toMatchObject({ status: 'manual', calls: 0 });
});
