/** `migrateScriptText`: one shell script (no YAML), as the library API and the TypeScript front end use it. */
import { migrateScriptText } from '../../src/index.js';

const env = { fileExists: () => undefined };

describe('migrateScriptText', () => {
  test('a Kaniko path in a build argument stays as it is, and the text after the call is kept', () => {
    const r = migrateScriptText(
      '/kaniko/executor --context . --destination x --build-arg CFG=/kaniko/.docker/config.json; echo done',
      env,
    );
    expect(r.manual).toBe(false);
    expect(r.output).toMatch(
      /^buildctl-daemonless\.sh build .* --opt build-arg:CFG=\/kaniko\/\.docker\/config\.json .*push=true; echo done$/,
    );
  });

  test('registry config written outside the call moves to ~/.docker; the call is rewritten', () => {
    const r = migrateScriptText(
      'echo "$AUTH" > /kaniko/.docker/config.json\n/kaniko/executor --context . --destination x\n',
      env,
    );
    expect(r.output.split('\n')[0]).toBe('echo "$AUTH" > ~/.docker/config.json');
    expect(r.output.split('\n')[1]).toMatch(/^buildctl-daemonless\.sh build /);
    expect(r.calls).toBe(1);
  });
});
