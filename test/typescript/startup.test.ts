/**
 * A YAML-only run does not load ts-morph. The package is built into a temp folder (tsc -p tsconfig.build.json
 * --outDir …), then child Node processes run it with a module resolve hook (`--import` of a file calling
 * module.register) that logs every resolved module URL; the CommonJS cache is checked as well. A control run that
 * migrates a generator must show ts-morph in the same log, so the check can fail.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, TS_FIXTURES, tempDir } from './support.js';

let out: string;

beforeAll(() => {
  out = tempDir('build');
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Type errors elsewhere in the tree (work in progress) do not stop the emit; the files must be there.
  spawnSync(
    process.execPath,
    [tsc, '-p', path.join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', path.join(out, 'dist')],
    { encoding: 'utf8' },
  );
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(out, 'package.json'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  fs.writeFileSync(
    path.join(out, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function resolve(specifier, context, next) {\n' +
      '  const r = await next(specifier, context);\n' +
      "  appendFileSync(process.env.K2B_LOAD_LOG, r.url + '\\n');\n" +
      '  return r;\n' +
      '}\n',
  );
  fs.writeFileSync(
    path.join(out, 'register.mjs'),
    "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
  );
}, 180000);

// the build folder's node_modules is a symlink: rmSync removes the link, not the packages
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const KANIKO_YAML = [
  'build:',
  '  image:',
  '    name: gcr.io/kaniko-project/executor:debug',
  '    entrypoint: [""]',
  '  script:',
  '    - /kaniko/executor --context "$CI_PROJECT_DIR" --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"',
  '',
].join('\n');

/** Runs an ESM snippet under the hook; returns the modules it loaded and what it printed. */
function run(code: string): { loaded: string[]; stdout: string; status: number | null; stderr: string } {
  const log = path.join(tempDir('log'), 'loaded.txt');
  fs.writeFileSync(log, '');
  const tail = `\nimport { createRequire as __cr } from 'node:module';\nfor (const k of Object.keys(__cr(import.meta.url).cache)) (await import('node:fs')).appendFileSync(process.env.K2B_LOAD_LOG, 'cjs:' + k + '\\n');\n`;
  const script = path.join(out, `snippet-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(script, code + tail);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(out, 'register.mjs')).href, script], {
    cwd: out,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', K2B_LOAD_LOG: log },
  });
  return {
    loaded: fs.readFileSync(log, 'utf8').split('\n').filter(Boolean),
    stdout: r.stdout,
    status: r.status,
    stderr: r.stderr,
  };
}

const tsMorph = (loaded: string[]) => loaded.filter((u) => /[\\/]@?ts-morph[\\/]/.test(u));

test('the build has the library and the TypeScript front door', () => {
  expect(fs.existsSync(path.join(out, 'dist', 'index.js'))).toBe(true);
  expect(fs.existsSync(path.join(out, 'dist', 'project', 'generators.js'))).toBe(true);
});

test('migrating YAML through the library (with the TypeScript module imported too) loads no ts-morph', () => {
  const r = run(
    "import { migrateText } from './dist/index.js';\n" +
      "import * as tsFront from './dist/project/generators.js';\n" +
      `const res = await migrateText(${JSON.stringify(KANIKO_YAML)});\n` +
      'console.log(JSON.stringify({ changed: res.files[0].changed, api: typeof tsFront.migrateTypeScriptSources }));\n',
  );
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ changed: true, api: 'function' });
  expect(r.loaded.some((u) => u.endsWith('/dist/project/generators.js'))).toBe(true);
  expect(tsMorph(r.loaded)).toEqual([]);
});

test('the migrate command on a YAML repository loads no ts-morph', () => {
  const repo = tempDir('yaml-repo');
  fs.writeFileSync(path.join(repo, '.gitlab-ci.yml'), KANIKO_YAML);
  const r = run(
    "import { main } from './dist/cli/main.js';\n" +
      "let printed = '';\n" +
      `const code = await main(['node', 'kaniko2buildkit', 'migrate', '--dry-run', ${JSON.stringify(repo)}], { stdout: (s) => { printed += s; }, stderr: (s) => { printed += s; }, readStdin: async () => '', cwd: ${JSON.stringify(repo)}, env: {}, isTTY: false });\n` +
      "console.log(JSON.stringify({ code, diff: printed.includes('buildctl-daemonless.sh') }));\n",
  );
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ code: 0, diff: true });
  expect(tsMorph(r.loaded)).toEqual([]);
});

test('control: migrating a generator does load ts-morph (the check sees it)', () => {
  const r = run(
    "import { migrateTypeScriptSources } from './dist/project/generators.js';\n" +
      `const files = await migrateTypeScriptSources(${JSON.stringify(path.join(TS_FIXTURES, 'job-objects', 'input'))});\n` +
      'console.log(JSON.stringify({ changed: files.filter((f) => f.changed).length }));\n',
  );
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout).changed).toBeGreaterThan(0);
  expect(tsMorph(r.loaded).length).toBeGreaterThan(0);
});

test('a repository whose sources mention no Kaniko or executor does not load ts-morph either', () => {
  const repo = tempDir('plain-js');
  fs.writeFileSync(path.join(repo, 'index.ts'), 'export const greet = (n: string) => `hello ${n}`;\n');
  fs.mkdirSync(path.join(repo, 'lib'));
  fs.writeFileSync(path.join(repo, 'lib', 'util.js'), 'module.exports = { image: "node:20", script: ["npm test"] };\n');
  const r = run(
    "import { migrateTypeScriptSources } from './dist/project/generators.js';\n" +
      `const files = await migrateTypeScriptSources(${JSON.stringify(repo)});\n` +
      'console.log(JSON.stringify(files));\n',
  );
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual([]);
  expect(tsMorph(r.loaded)).toEqual([]);
});
