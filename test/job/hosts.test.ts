/**
 * One recipe, two hosts: every YAML fixture whose jobs can be written as a TypeScript generator object is migrated
 * through both hosts (src/job/yaml-job.ts in a pipeline, src/job/typescript-job.ts in a generator run), and each Kaniko job must give the same
 * finding codes and the same buildctl words. The job objects are written from the parsed YAML, so nothing is copied by
 * hand; fixtures that use what a job object cannot say (includes, anchors, extends, templates, components) are skipped
 * with the reason, and the list of skipped fixtures is pinned so that a new fixture is not skipped silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML, { visit } from 'yaml';
import { DiskSource } from '../../src/pipeline/fs-source.js';
import { loadProject } from '../../src/pipeline/load.js';
import { planProject } from '../../src/project/plan.js';
import { createProject, planJobObjects } from '../../src/project/generator-run.js';
import { Ast } from '../../src/typescript/ast.js';
import { loadTsMorph } from '../../src/typescript/load.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

interface Outcome {
  codes: string[];
  calls: string[][];
  manual: boolean;
}

/** Why a pipeline cannot be written as plain job objects, or undefined when it can. */
function notAJobObject(text: string): string | undefined {
  const doc = YAML.parseDocument(text, { merge: true });
  if (doc.errors.some((e) => e.code === 'DUPLICATE_KEY')) return 'a key given twice';
  if (doc.errors.length) return 'not valid YAML';
  let why: string | undefined;
  visit(doc, {
    Node(_, node) {
      if (node.tag) why ??= `a ${node.tag} tag`;
    },
  });
  if (why) return why;
  const data = doc.toJS() as Record<string, unknown> | null;
  if (!data || typeof data !== 'object') return 'not a mapping';
  if ('include' in data) return 'includes';
  if ('spec' in data || text.includes('$[[')) return 'a component';
  return undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** GitLab's `extends`: mappings merge deeply, everything else the job sets replaces what it extends. */
function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}

function resolved(data: Obj, name: string, seen = new Set<string>()): Obj {
  const job = data[name] as Obj;
  if (seen.has(name) || !isObj(job)) return {};
  seen.add(name);
  const parents = job.extends === undefined ? [] : ([] as string[]).concat(job.extends as string);
  const base = parents.reduce<Obj>((acc, p) => deepMerge(acc, resolved(data, p, seen)), {});
  const { extends: _drop, ...own } = job;
  return deepMerge(base, own);
}

/**
 * The jobs as one generator source, `export const pipeline = { name: { …job } }`: aliases and merge keys expanded,
 * `extends` merged as GitLab merges it, `default:` image and before_script filled in, global variables merged in.
 */
function asGenerator(text: string): string {
  const data = YAML.parse(text, { merge: true }) as Obj;
  const globals = (data.variables ?? {}) as Obj;
  const defaults = (isObj(data.default) ? data.default : {}) as Obj;
  const jobs: Obj = {};
  for (const name of Object.keys(data)) {
    if (name.startsWith('.') || ['variables', 'stages', 'workflow', 'image', 'services', 'default'].includes(name))
      continue;
    if (!isObj(data[name])) continue;
    const j = resolved(data, name);
    for (const key of ['image', 'before_script'])
      if (j[key] === undefined && defaults[key] !== undefined) j[key] = defaults[key];
    if (j.image === undefined && data.image !== undefined) j.image = data.image;
    const vars = { ...globals, ...((j.variables ?? {}) as Obj) };
    if (Object.keys(vars).length)
      j.variables = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
    for (const key of ['before_script', 'script']) {
      const v = j[key];
      if (Array.isArray(v)) j[key] = v.flat(10).map(String);
    }
    jobs[name] = j;
  }
  return `export const pipeline = ${JSON.stringify(jobs, null, 2)};\n`;
}

async function viaYaml(dir: string, text: string): Promise<Map<string, Outcome>> {
  const disk = new DiskSource(dir);
  const source = {
    exists: (p: string) => disk.exists(p),
    read: async (p: string) => (p === '.gitlab-ci.yml' ? text : disk.read(p)),
  };
  const loaded = await loadProject(source as unknown as DiskSource, '.gitlab-ci.yml');
  const plan = planProject(loaded.files, disk, {});
  const out = new Map<string, Outcome>();
  for (const j of plan.jobs)
    if (j.kaniko)
      out.set(
        j.name,
        outcome(
          j.findings.map((f) => f.code),
          j.expectedCalls,
          j.manual,
        ),
      );
  return out;
}

async function viaTypeScript(dir: string, text: string): Promise<Map<string, Outcome>> {
  const tm = await loadTsMorph();
  const { files } = createProject(tm, new Map([['ci/pipeline.ts', asGenerator(text)]]));
  const ast = new Ast(tm, (sf) => sf.getFilePath().replace(/^\//, ''));
  const disk = new DiskSource(dir);
  const out = new Map<string, Outcome>();
  for (const j of planJobObjects(ast, files, { env: { fileExists: (p: string) => disk.exists(p) } }))
    if (j.kaniko)
      out.set(
        j.name!,
        outcome(
          j.findings.map((f) => f.code),
          j.expectedCalls,
          j.manual,
        ),
      );
  return out;
}

/**
 * KB202 and KB215 are decided for the project, from what other jobs read (a template shared with a job that is not
 * migrated); the flattened job objects share nothing, so those two say nothing about the recipe.
 */
const PROJECT_CODES = new Set(['KB202', 'KB215']);

function outcome(codes: string[], calls: string[][], manual: boolean): Outcome {
  return { codes: [...new Set(codes.filter((c) => !PROJECT_CODES.has(c)))].sort(), calls, manual };
}

/**
 * A template's call shared by jobs that set a variable it reads differently: YAML gives the variable one role over
 * every job that shares the call (`push=${KANIKO_ARGS:-true}`), while flattened job objects each have their own call.
 */
const SHARED_CALL: Record<string, string> = {
  'script-built-args': 'a shared call whose variable only some jobs set',
};

const SKIPPED: Record<string, string> = {
  component: 'includes',
  'component-inputs': 'includes',
  extends: 'includes',
  'include-local': 'includes',
  'include-template-sibling': 'includes',
  'include-wildcard': 'includes',
  'duplicate-keys': 'a key given twice',
  reference: 'a !reference tag',
  ...SHARED_CALL,
};

const cases = fs
  .readdirSync(FIXTURES)
  .filter((n) => fs.existsSync(path.join(FIXTURES, n, 'input', '.gitlab-ci.yml')))
  .sort();
const skipped = new Map<string, string>();
const comparable: string[] = [];
for (const name of cases) {
  const why =
    SHARED_CALL[name] ?? notAJobObject(fs.readFileSync(path.join(FIXTURES, name, 'input', '.gitlab-ci.yml'), 'utf8'));
  if (why) skipped.set(name, why);
  else comparable.push(name);
}

test('the fixtures a job object cannot express are few and known', () => {
  expect(Object.fromEntries(skipped)).toEqual(SKIPPED);
  expect(comparable.length).toBeGreaterThan(20);
});

describe.each(comparable)('%s: the same through both hosts', (name) => {
  test('same finding codes and buildctl words for every Kaniko job', async () => {
    const dir = path.join(FIXTURES, name, 'input');
    const text = fs.readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8');
    const yaml = await viaYaml(dir, text);
    const ts = await viaTypeScript(dir, text);
    expect(Object.fromEntries(ts)).toEqual(Object.fromEntries(yaml));
  });
});

test('a variable of executor flags is rewritten in both hosts (KB207), not left for a person', async () => {
  const text = [
    'build:',
    '  image: { name: gcr.io/kaniko-project/executor:debug, entrypoint: [""] }',
    '  variables:',
    '    KANIKO_ARGS: --build-arg A=1',
    '  script:',
    '    - /kaniko/executor --context . --destination $CI_REGISTRY_IMAGE $KANIKO_ARGS',
    '',
  ].join('\n');
  const dir = path.join(FIXTURES, 'build-args', 'input');
  const yaml = await viaYaml(dir, text);
  const ts = await viaTypeScript(dir, text);
  expect(yaml.get('build')!.codes).toContain('KB207');
  expect(yaml.get('build')!.manual).toBe(false);
  expect(Object.fromEntries(ts)).toEqual(Object.fromEntries(yaml));
});
