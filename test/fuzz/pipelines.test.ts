/**
 * Fuzz: generated pipelines (jobs, templates, anchors and merge keys, `extends`, `!reference`, comments, every scalar
 * style, CRLF), with and without Kaniko jobs. The tool never throws and never rejects them; the output parses;
 * every job that is not a Kaniko build (as GitLab would see it: `extends`, merges, references and `default:` applied)
 * is unchanged as data, and so is every Kaniko job the tool did not migrate; a migrated job holds no executor call;
 * a second run changes nothing.
 */
import fc from 'fast-check';
import { parseDocument, Scalar, visit, type Document } from 'yaml';
import { migrateText } from '../../src/index.js';
import { fuzzSettings, pipeline, type GeneratedPipeline } from './arbitraries.js';

const GLOBAL = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'types',
  'spec',
]);
const REF = '\u0000ref:';

type Data = Record<string, unknown>;
const isObj = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The document as data, merge keys applied and each `!reference [a, b]` kept as a marker to resolve. */
function data(text: string): Data {
  const doc = parseDocument(text, {
    merge: true,
    uniqueKeys: true,
    customTags: [{ tag: '!reference', collection: 'seq', default: false, resolve: (s) => s }],
  }) as Document.Parsed;
  expect(doc.errors).toEqual([]);
  visit(doc, {
    Seq(_, node) {
      if (node.tag === '!reference') return new Scalar(REF + JSON.stringify(node.toJSON()));
    },
  });
  return doc.toJS({ maxAliasCount: -1 }) as Data;
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (!isObj(a) || !isObj(b)) return b;
  const out: Data = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in a ? deepMerge(a[k], v) : v;
  return out;
}

/** A job as GitLab runs it: `extends` (deep merge), `!reference` resolved, `default:` and global variables. */
function effective(all: Data, name: string, seen = new Set<string>()): Data {
  const own = all[name];
  if (!isObj(own) || seen.has(name)) return {};
  seen.add(name);
  const parents =
    typeof own.extends === 'string' ? [own.extends] : Array.isArray(own.extends) ? (own.extends as string[]) : [];
  let job: Data = {};
  for (const p of parents) job = deepMerge(job, effective(all, p, new Set(seen))) as Data;
  job = deepMerge(job, own) as Data;
  delete job.extends;
  const resolve = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string' && v.startsWith(REF)) {
      const [job2, ...keys] = JSON.parse(v.slice(REF.length)) as string[];
      let found: unknown = effective(all, job2!, new Set());
      for (const k of keys) found = isObj(found) ? found[k] : undefined;
      return depth < 10 ? resolve(found, depth + 1) : found;
    }
    if (Array.isArray(v))
      return v.flatMap((x) => {
        const r = resolve(x, depth);
        return typeof x === 'string' && x.startsWith(REF) && Array.isArray(r) ? r : [r];
      });
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, depth)]));
    return v;
  };
  job = resolve(job, 0) as Data;
  if (isObj(all.default)) for (const [k, v] of Object.entries(all.default)) if (!(k in job)) job[k] = v;
  if (isObj(all.variables)) job.variables = { ...all.variables, ...(isObj(job.variables) ? job.variables : {}) };
  return job;
}

const jobNames = (all: Data) => Object.keys(all).filter((k) => !GLOBAL.has(k) && !k.startsWith('.') && isObj(all[k]));
const isKaniko = (job: Data) => /kaniko/.test(JSON.stringify(job));

const { numRuns, seed, endOnFailure } = fuzzSettings(100, 2000);

test('generated pipelines: no throw, output parses, non-Kaniko jobs unchanged as data, a second run changes nothing', async () => {
  let withKaniko = 0;
  let migrated = 0;
  await fc.assert(
    fc.asyncProperty(pipeline, async (p: GeneratedPipeline) => {
      const r = await migrateText(p.text);
      expect(r.failed).toEqual([]);
      const file = r.files[0]!;
      const out = file.output;
      const before = data(p.text);
      const after = data(out); // parses, as data
      if (p.crlf) expect(out.replace(/\r\n/g, '')).not.toMatch(/\n/); // line endings kept
      const status = new Map(r.jobs.map((j) => [j.name, j.status]));
      for (const name of jobNames(before)) {
        const was = effective(before, name);
        const now = effective(after, name);
        if (!isKaniko(was) || status.get(name) !== 'migrated') expect({ name, job: now }).toEqual({ name, job: was });
        else expect(JSON.stringify(now)).not.toContain('/kaniko/executor');
      }
      if (p.kanikoJobs.length) withKaniko++;
      if (file.changed) migrated++;
      const again = await migrateText(out);
      expect(again.failed).toEqual([]);
      expect(again.files[0]!.output).toBe(out);
    }),
    { numRuns, seed, endOnFailure },
  );
  // the generator is not vacuous: most runs hold Kaniko jobs, and many are migrated
  expect(withKaniko).toBeGreaterThan(numRuns / 4);
  expect(migrated).toBeGreaterThan(numRuns / 10);
}, 600_000);
