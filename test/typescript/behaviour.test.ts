/** The TypeScript front door on small sources: what is edited, how it is written, and what is left with which finding. */
import { migrateTypeScriptTexts } from '../../src/project/generators.js';

async function migrate(files: Record<string, string>, buildkitImage?: string) {
  const r = await migrateTypeScriptTexts(new Map(Object.entries(files)), { buildkitImage });
  const out = Object.fromEntries(
    Object.entries(files).map(([p, t]) => [p, r.files.find((f) => f.path === p)?.output ?? t]),
  );
  const codes = r.files.flatMap((f) => f.findings.map((x) => `${x.code}@${x.file}:${x.line}`));
  // every result is stable: a second run changes nothing
  const again = await migrateTypeScriptTexts(new Map(Object.entries(out)), { buildkitImage });
  expect(again.files.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
  return { out, codes, findings: r.files.flatMap((f) => f.findings), jobs: r.jobs };
}

const KANIKO = 'gcr.io/kaniko-project/executor:debug';
const AUTH = `echo "{\\\\"auths\\\\":{\\\\"$CI_REGISTRY\\\\":{\\\\"username\\\\":\\\\"$CI_REGISTRY_USER\\\\",\\\\"password\\\\":\\\\"$CI_REGISTRY_PASSWORD\\\\"}}}" > ~/.docker/config.json`;

describe('job objects', () => {
  test('a one-line job: image to an object with entrypoint, variables added, login added, quotes kept', async () => {
    const { out, codes, jobs } = await migrate({
      'a.ts': `export const j = { image: '${KANIKO}', script: ['/kaniko/executor --context . --build-arg "A=it\\'s" --destination x:1'] };\n`,
    });
    expect(out['a.ts']).toBe(
      `export const j = { image: { name: 'moby/buildkit:rootless', entrypoint: [''] }, variables: { BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' }, ` +
        `script: ['mkdir -p ~/.docker', '${AUTH.replace(/'/g, "\\'")}', 'unset DOCKER_AUTH_CONFIG', 'buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --opt \\'build-arg:A=it\\'\\\\\\'\\'s\\' --output type=image,name=x:1,push=true'] };\n`,
    );
    expect(codes).toEqual(['KB411@a.ts:1', 'KB402@a.ts:1']);
    expect(jobs).toEqual([expect.objectContaining({ name: 'j', status: 'migrated', calls: 1 })]);
  });

  test('KB410: a placeholder naming a constant whose value is known is read through to its host; a parameter is not', async () => {
    const { codes } = await migrate({
      'r.ts':
        `const REG = '$CI_REGISTRY_IMAGE';\n` +
        `export const a = { image: '${KANIKO}', script: [\`/kaniko/executor --context . --destination \${REG}/a:1\`] };\n` +
        `export const b = (reg: string) => ({ image: '${KANIKO}', script: [\`/kaniko/executor --context . --destination \${reg}/b:1\`] });\n`,
    });
    expect(codes).toEqual(['KB411@r.ts:2', 'KB402@r.ts:2', 'KB410@r.ts:3', 'KB411@r.ts:3', 'KB402@r.ts:3']);
  });

  test('double quotes stay double quotes, CRLF stays CRLF, a comment after the image stays on its line', async () => {
    const { out } = await migrate({
      'd.ts': `export const job = {\r\n  image: "${KANIKO}", // the builder\r\n  script: ["/kaniko/executor --context . --destination x:3"],\r\n};\r\n`,
    });
    expect(out['d.ts']).toContain(
      `  image: { name: "moby/buildkit:rootless", entrypoint: [""] }, // the builder\r\n  variables: { BUILDKITD_FLAGS: "--oci-worker-no-process-sandbox" },\r\n  script: ["mkdir -p ~/.docker", `,
    );
    expect(out['d.ts'].replace(/\r\n/g, '')).not.toContain('\n');
  });

  test('an image object keeps its entrypoint, a wrong entrypoint is reset, a missing one added', async () => {
    const { out } = await migrate({
      'e.ts': [
        `export const a = { image: { name: '${KANIKO}', entrypoint: [''] }, script: ['/kaniko/executor --context . --destination x:1'] };`,
        `export const b = { image: { name: '${KANIKO}', entrypoint: ['/busybox/sh', '-c'] }, script: ['/kaniko/executor --context . --destination x:2'] };`,
        `export const c = { image: { name: '${KANIKO}' }, script: ['/kaniko/executor --context . --destination x:3'] };`,
        '',
      ].join('\n'),
    });
    const lines = out['e.ts'].split('\n');
    expect(lines[0]).toContain("image: { name: 'moby/buildkit:rootless', entrypoint: [''] }");
    expect(lines[1]).toContain("image: { name: 'moby/buildkit:rootless', entrypoint: [''] }");
    expect(lines[2]).toContain("image: { name: 'moby/buildkit:rootless', entrypoint: [''] }");
  });

  test('an image in a const: the const gets the BuildKit name (pinned stays pinned), the key becomes { name, entrypoint }', async () => {
    const { out } = await migrate({
      'f.ts':
        "const image = 'gcr.io/kaniko-project/executor:v1.23.2-debug';\nexport const job = { image, script: '/kaniko/executor --context . --destination x:5' };\n",
    });
    expect(out['f.ts']).toContain("const image = 'moby/buildkit:v0.32.2-rootless';");
    expect(out['f.ts']).toContain("image: { name: image, entrypoint: [''] }");
    // a lone script string gets the login lines in its value
    expect(out['f.ts']).toContain("script: 'mkdir -p ~/.docker\\necho ");
  });

  test('an image named by a job variable ($KANIKO_IMAGE): the variable gets the new name; a template name is written anew', async () => {
    const { out } = await migrate({
      'w.ts': [
        `export const a = { image: '$KANIKO_IMAGE', variables: { KANIKO_IMAGE: '${KANIKO}' }, script: ['/kaniko/executor --context . --destination x:1'] };`,
        "const MIRROR = 'mirror.example.com';",
        "export const b = { image: { name: `${MIRROR}/kaniko-project/executor:debug`, entrypoint: [''] }, script: ['/kaniko/executor --context . --destination x:2'] };",
        '',
      ].join('\n'),
    });
    const lines = out['w.ts'].split('\n');
    expect(lines[0]).toContain(
      "image: { name: '$KANIKO_IMAGE', entrypoint: [''] }, variables: { KANIKO_IMAGE: 'moby/buildkit:rootless', BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' }",
    );
    expect(lines[2]).toContain("image: { name: `moby/buildkit:rootless`, entrypoint: [''] }, variables:");
  });

  test('--buildkit-image is used for the new image', async () => {
    const { out } = await migrate(
      {
        'g.ts': `export const j = { image: '${KANIKO}', script: ['/kaniko/executor --context . --destination x:1'] };\n`,
      },
      'registry.example.com/buildkit:rootless',
    );
    expect(out['g.ts']).toContain("name: 'registry.example.com/buildkit:rootless'");
  });

  test('variables: an own object gets the key; an identifier is spread into a new object; a flag value is extended', async () => {
    const { out } = await migrate({
      'v.ts': [
        "const V = { A: '1' };",
        `export const a = { image: '${KANIKO}', variables: V, script: ['/kaniko/executor --context . --destination x:1'] };`,
        `export const b = { image: '${KANIKO}', variables: { BUILDKITD_FLAGS: '--debug' }, script: ['/kaniko/executor --context . --destination x:2'] };`,
        `export const c = { image: '${KANIKO}', variables: { BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' }, script: ['/kaniko/executor --context . --destination x:3'] };`,
        '',
      ].join('\n'),
    });
    const lines = out['v.ts'].split('\n');
    expect(lines[0]).toBe("const V = { A: '1' };");
    expect(lines[1]).toContain("variables: { ...V, BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' }");
    expect(lines[2]).toContain("variables: { BUILDKITD_FLAGS: '--debug --oci-worker-no-process-sandbox' }");
    expect(lines[3]).toContain("variables: { BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' }, script");
  });

  test('a spread template: image and variables edited once in the template; a job with own variables gets them there', async () => {
    const { out } = await migrate({
      't.ts': [
        `const base = { image: { name: '${KANIKO}', entrypoint: [''] } };`,
        "export const a = { ...base, script: ['/kaniko/executor --context a --destination x:1'] };",
        "export const b = { ...base, variables: { GIT_DEPTH: '1' }, script: ['/kaniko/executor --context b --destination x:2'] };",
        '',
      ].join('\n'),
    });
    const lines = out['t.ts'].split('\n');
    expect(lines[0]).toBe(
      "const base = { image: { name: 'moby/buildkit:rootless', entrypoint: [''] }, variables: { BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' } };",
    );
    expect(lines[2]).toContain("variables: { GIT_DEPTH: '1', BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' }");
  });

  test('a byte-order mark stays, and .mts sources are read', async () => {
    const { out } = await migrate({
      'bom.ts': `\uFEFFexport const j = { image: '${KANIKO}', script: ['/kaniko/executor --context . --destination x:1'] };\n`,
      'm.mts': `export const j = { image: '${KANIKO}', script: ['/kaniko/executor --context . --destination x:2'] };\n`,
    });
    expect(out['bom.ts']).toMatch(
      /^\uFEFFexport const j = \{ image: \{ name: 'moby\/buildkit:rootless', entrypoint: \[''\] \}, variables/,
    );
    expect(out['m.mts']).toContain("image: { name: 'moby/buildkit:rootless'");
  });

  test('JavaScript sources (CommonJS) too', async () => {
    const { out } = await migrate({
      'h.js': `module.exports = { build: { image: '${KANIKO}', script: ['/kaniko/executor --context . --destination x:7'] } };\n`,
    });
    expect(out['h.js']).toContain(
      "buildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --output type=image,name=x:7,push=true'",
    );
  });

  test('already migrated jobs and jobs without Kaniko are left alone', async () => {
    const src =
      "export const a = { image: 'moby/buildkit:rootless', script: ['buildctl-daemonless.sh build'] };\nexport const b = { image: 'node:20', script: ['npm test'] };\n";
    const { out, codes } = await migrate({ 'k.ts': src });
    expect(out['k.ts']).toBe(src);
    expect(codes).toEqual([]);
  });
});

describe('other paths of the Kaniko image, as in YAML jobs (one scanner, the same codes)', () => {
  const IMAGE = `image: { name: '${KANIKO}', entrypoint: [''] }`;

  test('KB407: a custom CA moves to ~/.ssl/certs (with SSL_CERT_DIR set first); KB406: /busybox/wget becomes wget', async () => {
    const { out, codes } = await migrate({
      'a.ts': `export const j = {\n  ${IMAGE},\n  script: [\n    'cat "$CA" >> /kaniko/ssl/certs/additional-ca-cert-bundle.crt',\n    '/busybox/wget -q https://example.com/x',\n    '/kaniko/executor --context . --destination x:1',\n  ],\n};\n`,
    });
    expect(out['a.ts']).toContain(
      `    'mkdir -p ~/.ssl/certs',\n    'export SSL_CERT_DIR="$HOME/.ssl/certs"',\n    'cat "$CA" >> ~/.ssl/certs/additional-ca-cert-bundle.crt',\n    'wget -q https://example.com/x',\n`,
    );
    expect(codes).toEqual(['KB407@a.ts:4', 'KB406@a.ts:5', 'KB411@a.ts:6', 'KB402@a.ts:6']);
  });

  test('in the item that holds the call too (a template literal script): /busybox/cat becomes cat', async () => {
    const { out, codes } = await migrate({
      'a.ts': `export const j = {\n  ${IMAGE},\n  script: [\`/busybox/cat Dockerfile\n/kaniko/executor --context . --destination x:1\`],\n};\n`,
    });
    expect(out['a.ts']).toContain('`cat Dockerfile\nbuildctl-daemonless.sh build ');
    expect(codes).toContain('KB406@a.ts:3');
  });

  test('KB210: an executor call inside a string is left for a person, and the job with it', async () => {
    const src = `export const j = {\n  ${IMAGE},\n  script: ['/kaniko/executor --context . --destination x:1', 'sh -c "/kaniko/executor --context . --destination y"'],\n};\n`;
    const { out, findings } = await migrate({ 'a.ts': src });
    expect(out['a.ts']).toBe(src);
    expect(findings.map((f) => `${f.code} ${f.severity}`)).toEqual(['KB210 manual']);
  });
});

describe('left for a person', () => {
  test('KB206: executor calls but no image in the object; KB203: a Kaniko image without calls', async () => {
    const src =
      "export const a = { stage: 'build', script: ['/kaniko/executor --context . --destination x:1'] };\n" +
      `export const b = { image: '${KANIKO}', script: ['./build.sh'] };\n`;
    const { out, findings } = await migrate({ 'l.ts': src });
    expect(out['l.ts']).toBe(src);
    expect(findings.map((f) => [f.code, f.severity, f.line, f.job])).toEqual([
      ['KB206', 'manual', 1, 'a'],
      ['KB203', 'manual', 2, 'b'],
    ]);
    expect(findings[1]!.message).toContain('./build.sh');
  });

  test('KB202: a spread object shared with a job that does not migrate', async () => {
    const src = `const base = { image: '${KANIKO}' };\nexport const a = { ...base, script: ['/kaniko/executor --context . --destination x:6'] };\nexport const b = { ...base, script: ['crane ls x'] };\n`;
    const { out, codes } = await migrate({ 'g.ts': src });
    expect(out['g.ts']).toBe(src);
    expect(codes).toContain('KB202@g.ts:2');
  });

  test('KB502: a call in a placeholder that the rewrite would evaluate twice', async () => {
    const src =
      "let n = 0;\nexport const job = { image: '" +
      KANIKO +
      "', script: [`/kaniko/executor --context ${`d${n++}`} --destination x:1`] };\n";
    const { out, findings } = await migrate({ 'p.ts': src });
    expect(out['p.ts']).toBe(src);
    expect(findings.map((f) => f.code)).toContain('KB502');
    expect(findings.find((f) => f.code === 'KB502')!.message).toContain('${`d${n++}`}');
  });

  test('KB504: tagged templates, concatenation and word arrays', async () => {
    const src = [
      'declare function sh(s: TemplateStringsArray, ...v: unknown[]): string;',
      'export const a = sh`/kaniko/executor --context . --destination x:4`;',
      "export const b = '/kaniko/executor --context ' + process.cwd();",
      "export const c = ['/kaniko/executor', '--context .', '--destination x:1'].join(' ');",
      '',
    ].join('\n');
    const { out, findings } = await migrate({ 't.ts': src });
    expect(out['t.ts']).toBe(src);
    expect(findings.map((f) => [f.code, f.line])).toEqual([
      ['KB504', 2],
      ['KB504', 3],
      ['KB504', 4],
    ]);
  });

  test('KB505: part of the script is built at generation time: no login added, a warning instead', async () => {
    const { out, codes } = await migrate({
      's.ts': `declare function setup(): string[];\nexport const j = { image: '${KANIKO}', script: [...setup(), '/kaniko/executor --context . --destination x:1'] };\n`,
    });
    // setup() may write a config file the tool cannot read: DOCKER_AUTH_CONFIG is unset only where one is there
    expect(out['s.ts']).toContain(
      `script: [...setup(), 'if [ -f "\${DOCKER_CONFIG:-$HOME/.docker}/config.json" ]; then unset DOCKER_AUTH_CONFIG; fi', 'buildctl-daemonless.sh build`,
    );
    expect(out['s.ts']).not.toContain('mkdir -p ~/.docker');
    expect(codes).toEqual(['KB505@s.ts:2', 'KB411@s.ts:2']);
  });
});

describe('literals outside job objects (KB501)', () => {
  test('a template keeps its placeholders, escapes and backquotes; continuation lines become one line', async () => {
    const src =
      'export const c = (v: string) => `echo \\`date\\` \\${HOME}\n/kaniko/executor --context . \\\n  --destination r/${v}:1`;\n';
    const { out, codes } = await migrate({ 'b.ts': src });
    expect(out['b.ts']).toBe(
      'export const c = (v: string) => `echo \\`date\\` \\${HOME}\nbuildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --output type=image,name=r/${v}:1,push=true`;\n',
    );
    expect(codes).toEqual(['KB501@b.ts:1']);
  });

  test('escapes between commands of a string stay as written', async () => {
    const { out } = await migrate({
      'c.ts': "export const s = 'echo hi\\n/kaniko/executor --context . --destination x:2\\necho done';\n",
    });
    expect(out['c.ts']).toBe(
      "export const s = 'echo hi\\nbuildctl-daemonless.sh build --frontend dockerfile.v0 --local context=. --local dockerfile=. --output type=image,name=x:2,push=true\\necho done';\n",
    );
  });

  test('a placeholder used in single and double quotes keeps both', async () => {
    const { out } = await migrate({
      'j.ts':
        'export const q = (v: string) => `/kaniko/executor --context . --destination \'r/${v}:1\' --label "a=${v}"`;\n',
    });
    expect(out['j.ts']).toContain('--opt "label:a=${v}" --output \'type=image,name=r/${v}:1,push=true\'`');
  });

  test('strings that only mention the executor, module names and keys are not touched', async () => {
    const src =
      "import x from './executor.js';\nexport const m = { '/kaniko/executor --help': 1 };\nexport const doc = 'see /kaniko/executor';\nexport type T = '/kaniko/executor --context .';\n";
    const { out, codes } = await migrate({ 'n.ts': src });
    expect(out['n.ts']).toBe(src);
    expect(codes).toEqual([]);
  });
});

describe('gcix KanikoExecute (KB503)', () => {
  test('the replacement code uses the imported names; with a BuildKit job class in the project, that class is named', async () => {
    const gen =
      "import { KanikoExecute as KE } from '@gcix/gcix';\nexport const j = new KE({ context: 'app', imageTag: '1.0', registries: ['$CI_REGISTRY_IMAGE'], enablePush: true });\n";
    const a = await migrate({ 'gen.ts': gen });
    const msg = a.findings.find((f) => f.code === 'KB503')!.message;
    expect(msg).toContain('new Job({');
    expect(msg).toContain("name: 'kaniko',");
    expect(msg).toContain('--local context=app --local dockerfile=');
    expect(msg).toContain(
      '--output type=image,name=$CI_REGISTRY_IMAGE/${PredefinedVariables.ciProjectName}:1.0,push=true',
    );
    expect(msg).toContain(
      "(add Job, Image, DockerClientConfig, Registry, PredefinedVariables to the import from '@gcix/gcix')",
    );
    expect(a.out['gen.ts']).toBe(gen);

    const b = await migrate({
      'gen.ts': gen,
      'lib/jobs.ts': "import { Job } from '@gcix/gcix';\nexport class BuildKitExecute extends Job {}\n",
    });
    expect(b.findings.find((f) => f.code === 'KB503')!.message).toContain(
      'this project already has a BuildKit job class, BuildKitExecute (lib/jobs.ts:2)',
    );
  });

  test('settings it cannot read: still manual, with what to do', async () => {
    const { findings } = await migrate({
      'gen.ts':
        "import { KanikoExecute } from '@gcix/gcix';\ndeclare const props: any;\nexport const j = new KanikoExecute(props);\n",
    });
    expect(findings.map((f) => [f.code, f.severity, f.line])).toEqual([['KB503', 'manual', 3]]);
    expect(findings[0]!.message).toContain('no exact replacement can be written');
  });
});
